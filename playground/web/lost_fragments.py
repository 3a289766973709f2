"""A click in a fragment that this server's session never drew runs the whole page.

Streamlit 1.67 drops a rerun request for a fragment its session does not hold
(`AppSession.request_rerun`: "The fragment with id ... does not exist anymore"). That is what a
page brings after its server went away: behind the load balancer, the browser reconnects to another
replica, where the page's next click starts a new session with no fragments, and a click on Train
(drawn in the buttons' fragment, `playground/web/widgets/controls.py`) would do nothing, however
often it was pressed. `run_page_for_lost_fragments()` has such a request run the whole page instead,
which draws the page anew and says that its server changed (`widgets/server_notice.py`). A
fragment's timer (an automatic rerun) for a fragment gone is still dropped, as Streamlit does: a
full run removed it on purpose.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any

from streamlit.runtime.app_session import AppSession


def whole_page_for_lost_fragments(request_rerun: Callable[..., Any]) -> Callable[..., Any]:
    """`AppSession.request_rerun`, with a click's request for a fragment the session does not hold
    made a request for the whole page."""

    @functools.wraps(request_rerun)
    def request(session: Any, client_state: Any = None) -> Any:
        if (
            client_state is not None
            and client_state.fragment_id
            and not client_state.is_auto_rerun
            and not session.has_fragment(client_state.fragment_id)
        ):
            whole_page = type(client_state)()
            whole_page.CopyFrom(client_state)
            whole_page.fragment_id = ""
            client_state = whole_page
        return request_rerun(session, client_state)

    request.runs_page_for_lost_fragments = True  # type: ignore[attr-defined]
    return request


def run_page_for_lost_fragments() -> bool:
    """Installs `whole_page_for_lost_fragments` on Streamlit's sessions (once); True when in place."""
    current = getattr(AppSession, "request_rerun", None)
    if current is None:
        return False
    if not getattr(current, "runs_page_for_lost_fragments", False):
        AppSession.request_rerun = whole_page_for_lost_fragments(current)  # type: ignore[method-assign]
    return True
