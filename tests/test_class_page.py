"""AppTest: the Class page (open, board, push, lock, end, spotlight) and a student's playground in a class."""

from __future__ import annotations

import time
from html import escape as html_escape
from pathlib import Path

from starlette.applications import Starlette
from starlette.testclient import TestClient
from streamlit.testing.v1 import AppTest

from playground.classes.join_codes import shown
from playground.presets import PRESETS
from playground.web.live.board_route import TILES_PATH, board_routes
from playground.web.widgets.class_mode import (
    CLASS_LINE_FRAGMENT,
    LECTURER_COOKIE,
    MEMBER_KEY,
    PUSH_DRAWN_AT,
    PUSH_FOLLOW_SECONDS,
    class_reporter,
    class_store,
)
from playground.web.widgets.safe_text import plain
from tests.app_tree import components, follow, notice, run_fragment

APP = str(Path(__file__).resolve().parents[1] / "playground/web/navigation.py")
HOSTILE_NAME = "<img src=x onerror=alert(1)>[x](http://)"  # 40 characters, the most a name keeps


def on_page(page: str, **state) -> AppTest:
    app = AppTest.from_file(APP, default_timeout=120)
    for name, value in state.items():
        app.session_state[name] = value
    app.run()
    app.switch_page(page).run()
    assert not app.exception, [e.value for e in app.exception]
    return app


def button(app: AppTest, label: str):
    (found,) = [b for b in app.button if b.label == label]
    return found


def open_class(title: str = "Lecture") -> tuple[AppTest, str]:
    lecturer = on_page("app_pages/class_room.py")
    (title_box,) = [t for t in lecturer.text_input if t.label == "Class name"]
    title_box.input(title)
    button(lecturer, "Open a class").click().run()
    assert not lecturer.exception, [e.value for e in lecturer.exception]
    return lecturer, lecturer.session_state["lecturer_token"]


def join(code: str, name: str = "") -> AppTest:
    student = on_page("app_pages/class_room.py")
    student.text_input[0].input(code)
    student.text_input[1].input(name)
    button(student, "Join").click().run()
    return student


def in_class_playground(student: AppTest) -> AppTest:
    """The student's playground page (AppTest's switch_page does not follow the page's own)."""
    page = on_page("app_pages/playground.py", **{MEMBER_KEY: student.session_state[MEMBER_KEY]})
    page.session_state["owner"] = student.session_state["owner"]
    return page


def wait_for_class_read(page: AppTest) -> None:
    assert class_reporter().wait_for_read(page.session_state[MEMBER_KEY]["class_id"])


def test_a_lecturer_opens_a_class_with_a_large_code_a_link_and_a_qr_code():
    lecturer, token = open_class("Lecture <b>3</b>")
    info = class_store().lecturer_class(token)
    html = " ".join(str(h.proto.body) for h in lecturer.get("html"))
    assert f'class="class-code">{shown(info.code)}<' in html
    assert f"class?code={shown(info.code)}" in html
    assert lecturer.get("image"), "the QR code is drawn"
    assert "Lecture \\<b\\>3\\</b\\>" in " ".join(m.value for m in lecturer.markdown)  # the title as text
    assert any("No student has joined yet" in i.value for i in lecturer.info)


def test_a_student_joins_and_a_push_reaches_their_playground_without_a_reload():
    lecturer, token = open_class()
    code = class_store().lecturer_class(token).code
    student = join(code.lower(), HOSTILE_NAME)
    assert not student.error, [e.value for e in student.error]
    page = in_class_playground(student)
    banner = " ".join(i.value for i in page.info)
    assert f"you are **{plain(HOSTILE_NAME)}**" in banner  # as text: no image, no link
    own = page.session_state["spec"]
    pushed = PRESETS["spiral-deep"].spec
    lecturer.session_state["spec"] = pushed
    lecturer.run()
    (task,) = [t for t in lecturer.text_area if t.label.startswith("Task")]
    task.input("Find the <i>smallest</i> network")
    button(lecturer, "Push to every student").click().run()
    assert not lecturer.exception
    wait_for_class_read(page)
    page.run()  # the banner's fragment runs twice a second in the browser; here, one run of the page
    page.run()
    assert page.session_state["spec"].dataset == pushed.dataset and page.session_state["spec"].network == pushed.network
    banner = " ".join(i.value for i in page.info)
    assert "the lecturer pushed this experiment" in banner and "Find the \\<i\\>smallest\\</i\\> network" in banner
    button(page, "Back to my experiment").click().run()
    page.run()
    assert page.session_state["spec"].network == own.network


def test_a_push_told_by_the_stream_is_drawn_first_by_the_drawing_and_the_class_line():
    """The live stream's notice of a push of 2-D data loads it in the status row's callback: the
    drawing and the class line draw it alone first (the pushed network, its trainer built, the
    class line saying it was pushed), and the whole page follows."""
    lecturer, token = open_class()
    page = in_class_playground(join(class_store().lecturer_class(token).code, "Ada"))
    page.run()
    pushed = PRESETS["spiral-deep"].spec
    lecturer.session_state["spec"] = pushed
    lecturer.run()
    button(lecturer, "Push to every student").click().run()
    wait_for_class_read(page)
    notice(page, {"class_push": 1})
    assert [key for key, _ in components(page, "playground_page_follows")] == ["drawing_edit_follows"]
    assert "the lecturer pushed this experiment" in " ".join(i.value for i in page.info)
    assert not [b for b in page.button if b.key == "train"]  # the buttons' fragment was not run
    trainer = page.session_state["slot"].trainer
    assert trainer.spec.network == pushed.network and trainer.spec.dataset == pushed.dataset
    follow(page)
    assert not list(components(page, "playground_page_follows"))
    assert page.session_state["spec"].network == pushed.network
    assert page.session_state["slot"].trainer is trainer  # the page trains the pushed network the fragment built
    assert [b for b in page.button if b.key == "train"] and not page.exception
    page.session_state["slot"].close()


def test_a_push_drawn_first_whose_page_never_followed_is_followed_by_the_class_lines_next_run():
    """If the page's ask after a push drawn first is lost (a run that started before the browser
    had the fragment's messages drops them), the class line's timed run asks for the whole page
    once PUSH_FOLLOW_SECONDS have passed; before that it leaves the page alone."""
    lecturer, token = open_class()
    page = in_class_playground(join(class_store().lecturer_class(token).code, "Ada"))
    page.run()
    button(lecturer, "Push to every student").click().run()
    wait_for_class_read(page)
    notice(page, {"class_push": 1})  # drawn first; the marker's ask is never answered
    run_fragment(page, CLASS_LINE_FRAGMENT)
    assert not [b for b in page.button if b.key == "train"]  # soon after: the class line alone
    page.session_state[PUSH_DRAWN_AT] -= PUSH_FOLLOW_SECONDS
    run_fragment(page, CLASS_LINE_FRAGMENT)
    assert [b for b in page.button if b.key == "train"] and not page.exception  # the whole page ran
    assert PUSH_DRAWN_AT not in page.session_state
    page.session_state["slot"].close()


def test_the_board_shows_each_student_as_text_and_spotlights_one():
    lecturer, token = open_class()
    code = class_store().lecturer_class(token).code
    page = in_class_playground(join(code, HOSTILE_NAME))
    page.button(key="train").click().run()
    trainer = page.session_state["slot"].trainer
    trainer.wait(("finished",), 120)
    page.run()
    time.sleep(0.6)  # the reporter writes tiles twice a second
    lecturer.run()
    assert not lecturer.exception, [e.value for e in lecturer.exception]
    ((_, board),) = components(lecturer, "playground_class_tiles")
    html = board["html"]
    assert board["url"] == TILES_PATH and board["spotlit"] is None
    assert html_escape(HOSTILE_NAME) in html
    assert "<img src=x" not in html and 'src="data:image/png;base64,' in html
    assert any("1 student(s)" in m.value for m in lecturer.markdown)
    assert lecturer.dataframe, "the leaderboard"
    assert any("class_rollup" in c.proto.id for c in lecturer.get("plotly_chart"))
    (student,) = class_store().board(token)
    spotlight = lecturer.button_group(key="class_spotlight")
    assert spotlight.options[0] == plain(HOSTILE_NAME)  # pills draw Markdown: the name is escaped
    spotlight.set_value(student.id).run()
    assert any(s.value.startswith("Spotlight: ") for s in lecturer.subheader)
    ((_, board),) = components(lecturer, "playground_class_tiles")
    assert board["spotlit"] == student.id  # the browser marks that tile
    assert any(m.label == "Epoch" and m.value == f"{trainer.epochs:,}" for m in lecturer.metric)
    button(lecturer, "Open on the projector").click().run()
    assert lecturer.session_state["spec"].network == page.session_state["spec"].network
    assert lecturer.session_state["present"]


def test_the_boards_route_gives_the_lecturers_browser_the_tiles_and_anyone_else_nothing():
    _, token = open_class()
    code = class_store().lecturer_class(token).code
    student = join(code, HOSTILE_NAME)
    client = TestClient(Starlette(routes=board_routes()))

    answer = client.get(TILES_PATH, cookies={LECTURER_COOKIE: token})
    assert answer.status_code == 200 and answer.headers["cache-control"] == "no-store"
    tiles = answer.json()
    assert tiles["students"] == 1
    assert html_escape(HOSTILE_NAME) in tiles["html"] and "<img src=x" not in tiles["html"]
    assert f'data-member="{class_store().board(token)[0].id}"' in tiles["html"]

    client.cookies.clear()
    refused = [None, student.session_state["owner"], "../../etc/passwd", "x" * 5000, token + "a"]
    for cookie in refused:  # no cookie, a student's id, a path, a huge one, a wrong token
        asked = client.get(TILES_PATH, cookies={} if cookie is None else {LECTURER_COOKIE: cookie})
        assert asked.status_code == 403 and asked.content == b"", cookie
        client.cookies.clear()
    assert client.get(TILES_PATH + "?token=" + token).status_code == 403  # never from a link
    class_store().end(token)
    assert client.get(TILES_PATH, cookies={LECTURER_COOKIE: token}).status_code == 403


def test_lock_refuses_newcomers_and_end_tells_the_students():
    lecturer, token = open_class()
    code = class_store().lecturer_class(token).code
    page = in_class_playground(join(code, "Ada"))
    lecturer.toggle(key="class_locked").set_value(True).run()
    refused = join(code, "Late")
    assert any("locked" in e.value for e in refused.error) and MEMBER_KEY not in refused.session_state
    button(lecturer, "End the class").click().run()
    assert any(b.label == "Open a class" for b in lecturer.button)
    wait_for_class_read(page)
    page.run()
    assert any("Your class has ended" in w.value for w in page.warning)


def test_a_student_sees_no_board_and_wrong_codes_are_limited():
    lecturer, token = open_class()
    code = class_store().lecturer_class(token).code
    student = join(code, "Ada")
    student.switch_page("app_pages/class_room.py").run()
    assert not student.dataframe and not any(b.label == "Push to every student" for b in student.button)
    assert any("You are in the class" in s.value for s in student.success)
    guesser = on_page("app_pages/class_room.py")
    messages = []
    for attempt in range(12):
        guesser.text_input[0].input(f"ZZZZ-ZZZ{'ABCDEFGHJKMN'[attempt]}")
        button(guesser, "Join").click().run()
        messages.append(" ".join(e.value for e in guesser.error))
    assert "No open class has this code" in messages[0]
    assert "Too many wrong codes" in messages[-1]


def test_pins_keep_a_pushed_experiment_but_for_what_the_class_may_change():
    lecturer, token = open_class()
    code = class_store().lecturer_class(token).code
    page = in_class_playground(join(code, "Ada"))
    lecturer.multiselect(key="push_free").set_value(["learning_rate"]).run()
    button(lecturer, "Push to every student").click().run()
    wait_for_class_read(page)
    page.run()
    page.run()
    pushed = page.session_state["spec"]
    assert "You may change: learning rate and its schedule." in " ".join(i.value for i in page.info)
    (rate,) = [n for n in page.number_input if n.label == "…or type a learning rate"]
    follow(rate.set_value(0.3).run())  # drawn first, then the page
    assert page.session_state["spec"].training.learning_rate == 0.3  # free
    (batch,) = [n for n in page.number_input if n.label == "Batch size"]
    batch.set_value(batch.value + 1).run()
    page.run()
    spec = page.session_state["spec"]
    assert spec.training.batch_size == pushed.training.batch_size and spec.training.learning_rate == 0.3
    button(page, "Back to my experiment").click().run()
    page.run()
    (batch,) = [n for n in page.number_input if n.label == "Batch size"]
    batch.set_value(batch.value + 1).run()  # their own experiment: nothing is pinned
    assert page.session_state["spec"].training.batch_size == batch.value
