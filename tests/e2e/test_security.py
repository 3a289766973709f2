"""Hostile links in a real browser: nothing in an address runs as script, reads a server file or
becomes a live link."""

from __future__ import annotations

import base64
import json
import urllib.parse
import zlib

import pytest

from tests.e2e.conftest import shot, wait_for_app

XSS_OWNER = "x';document.title='XSS-OWNER';'"


def link_of(config: dict) -> str:
    return base64.urlsafe_b64encode(zlib.compress(json.dumps(config).encode(), 9)).decode().rstrip("=")


@pytest.mark.parametrize("path", ["/", "/runs"])
def test_owner_in_the_address_runs_no_script_and_is_not_adopted(page, app_url, path):
    page.goto(f"{app_url}{path}?owner={urllib.parse.quote(XSS_OWNER)}")
    page.wait_for_selector("[data-testid='stMain']")
    page.wait_for_function("() => document.cookie.includes('playground_owner=')", timeout=60_000)
    page.wait_for_timeout(500)
    assert page.title() != "XSS-OWNER"
    owner = [c["value"] for c in page.context.cookies() if c["name"] == "playground_owner"]
    assert owner and "XSS" not in owner[0] and "'" not in owner[0]


@pytest.mark.parametrize("server_file, secret", [("/proc/self/environ", "PATH="), ("/etc/passwd", "root:")])
def test_a_link_naming_a_server_file_reads_nothing(page, app_url, server_file, secret):
    link = link_of(
        {"dataset": {"name": "csv", "csv": {"path": server_file, "label_column": "label"}}, "network": {"features": []}}
    )
    page.goto(f"{app_url}/?x={link}")
    wait_for_app(page)
    page.wait_for_selector("text=names a file on the server")
    assert secret not in page.inner_text("body")
    assert secret not in urllib.parse.unquote(page.url)
    shot(page, "security-file-link")


def test_a_markdown_link_in_a_title_is_plain_text(page, app_url):
    page.goto(f"{app_url}/?x={link_of({'title': '[Log in again](https://evil.example/login)'})}")
    wait_for_app(page)
    page.wait_for_selector("text=[Log in again]")
    assert page.locator("a[href*='evil.example']").count() == 0


def test_students_see_no_developer_menu(page, app_url):
    page.goto(f"{app_url}/runs")
    page.wait_for_selector("h1:has-text('Saved runs')")
    assert page.get_by_role("button", name="Deploy").count() == 0
    page.get_by_role("button", name="Share all my runs").click()
    page.get_by_role("button", name="Make the link").click()
    page.wait_for_selector("text=Stop sharing")
    link = page.locator("[data-testid='stCode']").last.inner_text()
    assert "/runs?runs=" in link
    shot(page, "runs-share-all")
