"""A click in a fragment the server's session never drew runs the whole page (`playground/web/lost_fragments.py`)."""

from __future__ import annotations

from streamlit.proto.ClientState_pb2 import ClientState
from streamlit.runtime.app_session import AppSession

from playground.web.lost_fragments import run_page_for_lost_fragments, whole_page_for_lost_fragments


class Session:
    """What the wrapper reads of an `AppSession`: which fragments it holds."""

    def __init__(self, fragments: set[str]):
        self.fragments = fragments
        self.requested: list[ClientState | None] = []

    def has_fragment(self, fragment_id: str) -> bool:
        return fragment_id in self.fragments


def request_rerun(session: Session, client_state: ClientState | None = None) -> None:
    session.requested.append(client_state)


def test_a_click_in_a_fragment_the_session_lacks_runs_the_whole_page():
    request = whole_page_for_lost_fragments(request_rerun)
    session = Session({"known"})
    click = ClientState(fragment_id="from-the-old-server", query_string="x=1")
    request(session, click)
    (sent,) = session.requested
    assert sent.fragment_id == "" and sent.query_string == "x=1"  # the page's run, with the click's state
    assert click.fragment_id == "from-the-old-server"  # the browser's message is left as it came


def test_known_fragments_timers_and_whole_page_runs_pass_unchanged():
    request = whole_page_for_lost_fragments(request_rerun)
    session = Session({"known"})
    known = ClientState(fragment_id="known")
    timer = ClientState(fragment_id="gone", is_auto_rerun=True)  # a full run removed it: Streamlit drops it
    page = ClientState(query_string="x=1")
    for state in (known, timer, page, None):
        request(session, state)
    assert session.requested == [known, timer, page, None]


def test_it_is_installed_on_streamlits_sessions_once():
    assert run_page_for_lost_fragments() and run_page_for_lost_fragments()
    installed = AppSession.request_rerun
    assert installed.runs_page_for_lost_fragments
    assert not getattr(installed.__wrapped__, "runs_page_for_lost_fragments", False)  # not wrapped twice
