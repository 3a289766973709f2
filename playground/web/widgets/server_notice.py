"""Tells the user when their page's server changed under them.

Behind the load balancer (`make serve`, compose.yaml), a replica that stops hands its browsers to
another replica, where each page starts a new session: the trainer and anything not saved stayed
on the old one. A single server that restarts does the same to the pages left open. Each server
process has its own id, kept in a browser-session cookie; a page whose cookie names another
process says so for a minute, then the cookie is brought up to date.
"""

from __future__ import annotations

import json
import os
import re
import secrets
import time

import streamlit as st

from playground.web.widgets.session import browser_cookie

COOKIE = "playground_server"
NOTICE_SECONDS = 60
REPLICA = re.sub(r"[^A-Za-z0-9_-]", "", os.environ.get("PLAYGROUND_REPLICA", "app"))[:40] or "app"
SERVER_INSTANCE = f"{REPLICA}-{secrets.token_hex(6)}"  # this process: a restart makes a new one


def server_notice() -> None:
    state = st.session_state
    previous = browser_cookie(COOKIE)
    if "server_changed_at" not in state:
        state.server_changed_at = time.time() if previous and previous != SERVER_INSTANCE else None
    if state.server_changed_at is not None and time.time() - state.server_changed_at < NOTICE_SECONDS:
        st.warning(
            "The server that held this page stopped (a restart, or one of the app's replicas went away), so the "
            "page started again on another. Training that was running there was stopped and its views reset; "
            "finished runs are saved on the Runs page. Reload the page if anything looks out of date.",
            icon=":material/sync_problem:",
        )
    if previous != SERVER_INSTANCE:  # a cookie for this browser session only (no max-age): a new visit starts afresh
        cookie = json.dumps(f"{COOKIE}={SERVER_INSTANCE}; path=/; SameSite=Lax")
        st.sidebar.html(f"<script>document.cookie = {cookie};</script>", unsafe_allow_javascript=True)  # takes no room
