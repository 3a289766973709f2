"""Class mode's core: join codes, the rate limit, the class store (SQLite and PostgreSQL), tiles,
the reporter and the class's results."""

from __future__ import annotations

import dataclasses
import math
import threading
import time

import numpy as np
import pytest

from playground.classes import class_reporter as class_reporter_module
from playground.classes import class_store as class_store_module
from playground.classes.class_reporter import ClassReporter
from playground.classes.class_results import class_results
from playground.classes.class_saves import ClassSaves
from playground.classes.class_store import MEMBER_TIMEOUT_SECONDS, ClassRefused, ClassStore, Member
from playground.classes.class_tile import TILE_GRID, ClassTile, architecture_text, boundary_levels, tile_of
from playground.classes.join_codes import ALPHABET, LENGTH, new_join_code, read_code, shown
from playground.classes.wrong_codes import WrongCodeLimiter
from playground.engine.trainer import Trainer
from playground.figures.class_rollup import class_rollup
from playground.figures.class_tiles import tile_png
from playground.presets import PRESETS
from playground.runs.run_store import RunStore

SPEC = PRESETS["tfp-default"].spec


class Clock:
    def __init__(self, now: float = 1_000_000.0):
        self.now = now

    def __call__(self) -> float:
        return self.now


@pytest.fixture(params=["sqlite", "postgresql"])
def runs(request, tmp_path):
    if request.param == "sqlite":
        return RunStore(tmp_path / "runs.sqlite3")
    return RunStore(request.getfixturevalue("postgres").new_database())


@pytest.fixture
def clock():
    return Clock()


@pytest.fixture
def classes(runs, clock):
    return ClassStore(runs, clock=clock)


# Join codes and their rate limit.
def test_join_codes_are_drawn_from_more_than_30_bits_and_read_leniently():
    assert LENGTH * math.log2(len(ALPHABET)) >= 30
    code = new_join_code()
    assert len(code) == LENGTH and set(code) <= set(ALPHABET)
    assert len({new_join_code() for _ in range(200)}) == 200
    assert read_code(f"  {shown(code).lower()} ") == code
    assert read_code(code[:4] + " " + code[4:]) == code
    for wrong in ["", "ABC", "0OIL1234", "ABCD-EFGH-J", "x" * 10_000, None, 12345678, "ÀBCDEFGH"]:
        assert read_code(wrong) is None


def test_wrong_codes_are_limited_per_client_over_a_window():
    clock = Clock(0.0)
    limiter = WrongCodeLimiter(attempts=3, window=60, max_clients=2, clock=clock)
    for _ in range(3):
        assert limiter.wait("a") == 0
        limiter.wrong("a")
    assert limiter.wait("a") == pytest.approx(60)
    assert limiter.wait("b") == 0  # another client is not held back
    clock.now = 30
    assert limiter.wait("a") == pytest.approx(30)
    clock.now = 61
    assert limiter.wait("a") == 0
    limiter.wrong("b"), limiter.wrong("c"), limiter.wrong("d")
    assert len(limiter._wrong) == 2  # memory stays bounded: the longest quiet client is forgotten


# The store.
def test_a_class_is_opened_joined_pushed_and_ended(classes, clock):
    opened, token = classes.open("Lecture <b>3</b>")
    assert opened.title == "Lecture <b>3</b>" and opened.push_number == 0 and not opened.locked
    info, ada = classes.join(shown(opened.code).lower(), owner="owner-ada-1234", name=" Ada\n<script> ")
    assert info.id == opened.id and ada.name == "Ada <script>"  # one line, kept as typed: shown as text
    clock.now += 1
    _, anonymous = classes.join(opened.code, owner="owner-bob-1234")
    assert anonymous.name == "Student 2"
    task = "Find the smallest network " * 40
    pushed = classes.push(token, SPEC, task)
    assert pushed.push_number == 1 and pushed.push_spec == SPEC and len(pushed.push_task) == 500
    assert classes.classes([opened.id])[opened.id].push_number == 1
    assert [m.name for m in classes.board(token)] == ["Ada <script>", "Student 2"]
    classes.end(token)
    assert classes.find(opened.code) is None and classes.classes([opened.id]) == {}
    assert classes.lecturer_class(token) is None
    with pytest.raises(ClassRefused, match="No open class has this code"):
        classes.join(opened.code, owner="owner-cid-1234")


def test_a_student_cannot_push_lock_end_or_see_the_board(classes):
    opened, token = classes.open("Lecture")
    _, ada = classes.join(opened.code, owner="owner-ada-1234", name="Ada")
    for guess in ["", ada.id, opened.id, opened.code, token[:-1] + ("A" if token[-1] != "A" else "B")]:
        with pytest.raises(ClassRefused, match="Only the lecturer"):
            classes.push(guess, SPEC)
        with pytest.raises(ClassRefused, match="Only the lecturer"):
            classes.lock(guess, True)
        with pytest.raises(ClassRefused, match="Only the lecturer"):
            classes.end(guess)
        with pytest.raises(ClassRefused, match="Only the lecturer"):
            classes.board(guess)
    assert classes.lecturer_class(token).push_number == 0 and not classes.lecturer_class(token).locked


def test_a_locked_class_refuses_newcomers_but_takes_back_its_own(classes):
    opened, token = classes.open("Lecture")
    _, ada = classes.join(opened.code, owner="owner-ada-1234", name="Ada")
    assert classes.lock(token, True).locked
    with pytest.raises(ClassRefused, match="locked"):
        classes.join(opened.code, owner="owner-bob-1234")
    _, again = classes.join(opened.code, owner="owner-ada-1234", name="Ada L.")  # a reload joins again
    assert again.id == ada.id and again.name == "Ada L."
    classes.lock(token, False)
    classes.join(opened.code, owner="owner-bob-1234")


def test_classes_and_their_sizes_are_bounded(classes, monkeypatch):
    monkeypatch.setattr(class_store_module, "MAX_CLASS_SIZE", 2)
    monkeypatch.setattr(class_store_module, "MAX_CLASSES", 2)
    opened, _ = classes.open("one")
    classes.join(opened.code, owner="owner-a-123456")
    classes.join(opened.code, owner="owner-b-123456")
    with pytest.raises(ClassRefused, match="full: it has 2 students"):
        classes.join(opened.code, owner="owner-c-123456")
    classes.open("two")
    with pytest.raises(ClassRefused, match="already has 2 classes open"):
        classes.open("three")


def test_an_idle_class_closes_and_is_forgotten_a_day_later(classes, clock):
    opened, token = classes.open("Lecture")
    _, ada = classes.join(opened.code, owner="owner-ada-1234")
    clock.now += class_store_module.CLASS_IDLE_SECONDS - 1
    classes.touch(token)  # the board is open: not idle
    clock.now += class_store_module.CLASS_IDLE_SECONDS - 1
    assert classes.find(opened.code) is not None
    clock.now += 2
    assert classes.find(opened.code) is None and classes.lecturer_class(token) is None
    clock.now += class_store_module.KEEP_CLOSED_SECONDS + 1
    classes.open("the next lecture")
    assert (
        classes.store.execute(
            class_store_module.MEMBERS.select().where(class_store_module.MEMBERS.c.id == ada.id), "all"
        )
        == []
    )


def test_reports_keep_students_on_the_board_until_their_page_is_gone(classes, clock):
    opened, token = classes.open("Lecture")
    _, ada = classes.join(opened.code, owner="owner-ada-1234", name="Ada")
    _, bob = classes.join(opened.code, owner="owner-bob-1234", name="Bob")
    tile = ClassTile(state="running", epoch=12, test_loss=0.25, architecture="2 → 4 tanh")
    clock.now += MEMBER_TIMEOUT_SECONDS - 1
    classes.report([(ada.id, SPEC.to_json(), tile.to_json(), clock.now)])
    clock.now += 2
    (shown_member,) = classes.board(token)
    assert shown_member.id == ada.id and shown_member.tile == tile and shown_member.spec == SPEC
    classes.leave(ada.id)
    assert classes.board(token) == []


def test_two_stores_on_one_database_share_a_class(postgres):
    """Two replicas: the lecturer's pushes reach a student served by the other, and the student's tile the board."""
    url = postgres.new_database()
    lecturer_side, student_side = ClassStore(RunStore(url)), ClassStore(RunStore(url))
    opened, token = lecturer_side.open("Lecture")
    info, ada = student_side.join(opened.code, owner="owner-ada-1234", name="Ada")
    reporter = ClassReporter(lambda: student_side, tick=0.05)
    reporter.follow(ada.id, info.id, None, SPEC, parameters=17)
    assert reporter.wait_for_read(info.id)
    lecturer_side.push(token, SPEC.replace(title="pushed"), "try it")
    assert reporter.wait_for_read(info.id)
    assert reporter.class_info(info.id).push_spec.title == "pushed"
    reporter.close()
    reporter.report_once(tiles=True)
    (member,) = lecturer_side.board(token)
    assert member.tile.parameters == 17 and member.tile.state == "problems"


def test_students_who_join_at_once_without_names_are_numbered_apart(tmp_path):
    classes = ClassStore(RunStore(tmp_path / "runs.sqlite3"))
    opened, token = classes.open("Lecture")
    start = threading.Barrier(16)

    def join(index: int) -> None:
        start.wait()
        classes.join(opened.code, owner=f"owner-{index:04d}-abcd")

    threads = [threading.Thread(target=join, args=(index,)) for index in range(16)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(m.name for m in classes.board(token)) == sorted(f"Student {n}" for n in range(1, 17))


def test_a_student_who_joins_after_one_left_is_not_numbered_as_one_still_there(classes):
    opened, token = classes.open("Lecture")
    first, second, third = (classes.join(opened.code, owner=f"owner-{n}-abcdefgh")[1] for n in range(3))
    classes.leave(second.id)
    _, fourth = classes.join(opened.code, owner="owner-4-abcdefgh")
    assert sorted(m.name for m in classes.board(token)) == ["Student 1", "Student 3", "Student 4"]
    classes.join(opened.code, owner="owner-5-abcdefgh", name="Student 9")  # a name of one's own like a default one
    _, sixth = classes.join(opened.code, owner="owner-6-abcdefgh")
    assert sixth.name == "Student 10"


def test_the_reporter_tells_each_followed_page_of_a_new_push_once(tmp_path):
    classes = ClassStore(RunStore(tmp_path / "runs.sqlite3"))
    opened, token = classes.open("Lecture")
    other, _ = classes.open("Another lecture")
    info, ada = classes.join(opened.code, owner="owner-ada-1234", name="Ada")
    _, bob = classes.join(other.code, owner="owner-bob-1234", name="Bob")
    told = []
    reporter = ClassReporter(lambda: classes, pushed=lambda trainer, number: told.append((trainer, number)))
    reporter.close()  # its ticks are taken by hand here
    ada_trainer, bob_trainer = ShownTrainer(), ShownTrainer()  # what each page shows (only passed on)
    reporter.follow(ada.id, info.id, ada_trainer, SPEC, parameters=1)
    reporter.follow(bob.id, other.id, bob_trainer, SPEC, parameters=1)
    reporter.report_once(tiles=False)
    assert told == []  # nothing new was pushed
    classes.push(token, SPEC.replace(title="pushed"), "try it")
    reporter.report_once(tiles=False)
    reporter.report_once(tiles=False)
    assert told == [(ada_trainer, 1)]  # Ada's page, once; Bob's class had no push


class ShownTrainer:
    """A followed page's trainer, as far as the reporter uses it besides passing it on."""

    closed = False


SHORT_TIMEOUT = 1.5  # many ticks of the reporter (0.05 s), and more than a stall of a busy 2-core machine


@pytest.fixture
def ada_and_bob(tmp_path, monkeypatch):
    """A class whose students leave the board `SHORT_TIMEOUT` after their page was last seen: (store,
    the lecturer's token, the class id, Ada, Bob)."""
    monkeypatch.setattr(class_store_module, "MEMBER_TIMEOUT_SECONDS", SHORT_TIMEOUT)
    monkeypatch.setattr(class_reporter_module, "MEMBER_TIMEOUT_SECONDS", SHORT_TIMEOUT)
    classes = ClassStore(RunStore(tmp_path / "runs.sqlite3"))
    opened, token = classes.open("Lecture")
    info, ada = classes.join(opened.code, owner="owner-ada-1234", name="Ada")
    _, bob = classes.join(opened.code, owner="owner-bob-1234", name="Bob")
    return classes, token, info.id, ada, bob


def test_a_closed_tab_leaves_the_board_once_its_page_is_not_seen(ada_and_bob):
    classes, token, class_id, ada, bob = ada_and_bob
    reporter = ClassReporter(lambda: classes, tick=0.05)
    reporter.follow(ada.id, class_id, None, SPEC, parameters=1)
    reporter.follow(bob.id, class_id, None, SPEC, parameters=1)
    deadline = time.monotonic() + 2 * SHORT_TIMEOUT
    while time.monotonic() < deadline:  # Ada's page stays open; Bob's tab was closed
        reporter.seen(ada.id)
        time.sleep(0.05)
    assert [m.name for m in classes.board(token)] == ["Ada"]
    reporter.close()


def test_a_page_whose_live_stream_is_open_stays_on_the_board_without_its_class_lines_runs(ada_and_bob):
    classes, token, class_id, ada, bob = ada_and_bob
    ada_trainer, bob_trainer = ShownTrainer(), ShownTrainer()
    ada_trainer.closed = bob_trainer.closed = True  # their tiles say "problems": no history to read here
    reporter = ClassReporter(lambda: classes, tick=0.05, watched=lambda trainer: trainer is ada_trainer)
    reporter.follow(ada.id, class_id, ada_trainer, SPEC, parameters=1)  # Ada's page has its stream open;
    reporter.follow(bob.id, class_id, bob_trainer, SPEC, parameters=1)  # Bob's tab was closed
    time.sleep(2 * SHORT_TIMEOUT)  # neither page's class line runs meanwhile
    assert [m.name for m in classes.board(token)] == ["Ada"]
    reporter.close()


# Tiles.
def test_a_tile_survives_its_json_and_a_damaged_one_is_empty():
    grid = np.linspace(0, 1, 100 * 100).reshape(100, 100)
    tile = ClassTile(
        state="running",
        epoch=3,
        test_loss=0.5,
        test_accuracy=0.75,
        learning_rate=0.03,
        parameters=17,
        architecture=architecture_text(SPEC),
        dataset="circle",
        boundary=boundary_levels(grid, "binary", 2),
        losses=(0.7, 0.6, 0.5),
        losses_from=1,
    )
    assert ClassTile.from_json(tile.to_json()) == tile
    assert tile.loss_epochs().tolist() == [1, 2, 3]
    assert tile.boundary_grid().shape == (TILE_GRID, TILE_GRID)
    for damaged in ["", "[]", "{", '{"epoch": "many", "boundary": "!!", "losses": [1, "x", null], "task": "evil"}', 7]:
        read = ClassTile.from_json(damaged)
        assert read.boundary is None and read.task == "binary" and read.epoch == 0
    read = ClassTile.from_json('{"losses": [1, "x", null, 2], "test_loss": NaN}')
    assert read.losses == (1.0, 2.0) and read.test_loss is None


def test_a_tile_draws_the_boundary_of_the_newest_frames_weights():
    """A frame of a network the browser draws carries its weights and an older grid: the tile's
    boundary is computed from the weights, so the board needs no full snapshot of its own."""
    spec = SPEC.replace(training=dataclasses.replace(SPEC.training, epochs=3))
    trainer = Trainer(spec)
    try:
        trainer.run_to_end()
        _, full = trainer.snapshots.latest()
        flipped = [(-kernel, -biases) for kernel, biases in full.weights]
        trainer.snapshots.publish(dataclasses.replace(full, weights=flipped), histograms=False)
        tile = tile_of(trainer, parameters=17)
    finally:
        trainer.close()
    drawn = boundary_levels(full.plane.boundary(flipped, TILE_GRID), "binary", 2)
    assert tile.boundary == drawn != boundary_levels(full.grid, "binary", 2)


def test_a_tile_draws_its_boundary_in_the_playgrounds_colours():
    low, high = np.zeros((100, 100)), np.ones((100, 100))
    blue = tile_png(dataclasses.replace(ClassTile(), boundary=boundary_levels(high, "binary", 2)))
    orange = tile_png(dataclasses.replace(ClassTile(), boundary=boundary_levels(low, "binary", 2)))
    from io import BytesIO

    from PIL import Image

    assert Image.open(BytesIO(blue)).getpixel((5, 5))[2] > 150  # blue
    assert Image.open(BytesIO(orange)).getpixel((5, 5))[0] > 200  # orange
    assert tile_png(ClassTile()) is None


# The class's results.
def _member(name: str, learning_rate: float, loss: float) -> Member:
    spec = SPEC.replace(training=dataclasses.replace(SPEC.training, learning_rate=learning_rate))
    return Member(
        id=name, class_id="c", name=name, joined_at=0, seen_at=0, spec=spec, tile=ClassTile(test_loss=loss, epoch=5)
    )


def test_the_class_results_find_what_varied_and_the_rollup_escapes_names():
    members = [_member("<b>Ada</b>", 0.01, 0.3), _member("Bob", 0.1, 0.1), _member("Cid", 1.0, 0.6)]
    table, varied = class_results(members)
    assert varied == ["training.learning_rate"]
    assert table["training.learning_rate"].tolist() == [0.01, 0.1, 1.0]
    figure = class_rollup(table, "training.learning_rate")
    assert figure.layout.xaxis.type == "log"
    assert "&lt;b&gt;Ada&lt;/b&gt;" in figure.data[0].hovertext[0] and "<b>Ada" not in str(figure.to_dict())
    bars = class_rollup(table, None)
    assert list(bars.data[0].x) == ["&lt;b&gt;Ada&lt;/b&gt;", "Bob", "Cid"]


def test_pins_carry_over_only_what_is_free():
    from playground.classes.class_pins import FREEDOMS, free_names, pinned

    pushed = SPEC
    mine = SPEC.replace(
        title="mine",
        training=dataclasses.replace(SPEC.training, learning_rate=0.3, batch_size=SPEC.training.batch_size + 5),
        network=dataclasses.replace(SPEC.network, layers=SPEC.network.layers[:1]),
    )
    kept = pinned(mine, pushed, ["learning_rate"])
    assert kept.training.learning_rate == 0.3
    assert kept.training.batch_size == pushed.training.batch_size and kept.network == pushed.network
    assert kept.title == pushed.title
    everything = pinned(mine, pushed, list(FREEDOMS))
    assert everything.training == mine.training and everything.network == mine.network
    assert free_names(["network", "rm -rf", 3]) == ["network"] and free_names("network") is None


def test_a_lecturer_saves_a_students_run_where_the_student_trains(classes, runs, monkeypatch):
    opened, token = classes.open("Lecture")
    _, other_token = classes.open("Another lecture")
    info, ada = classes.join(opened.code, owner="owner-ada-1234", name="<b>Ada</b>")
    _, bob = classes.join(opened.code, owner="owner-bob-1234", name="Bob")
    saves = ClassSaves(classes)
    with pytest.raises(ClassRefused):  # a student's token, or another class's lecturer
        saves.ask("owner-bob-1234", ada.id, owner="owner-bob-1234")
    with pytest.raises(ClassRefused):
        saves.ask(other_token, ada.id, owner="owner-other-1234")
    trainer = Trainer(SPEC)
    try:
        assert trainer.wait_until_ready(120)
        for _ in range(2):
            trainer.step_epoch()
            trainer.wait()
        reporter = ClassReporter(lambda: classes)
        reporter.close()  # its ticks are taken by hand here
        reporter.follow(ada.id, info.id, trainer, SPEC, parameters=17)
        reporter.follow(bob.id, info.id, None, SPEC, parameters=17)  # Bob's experiment has problems
        saves.ask(token, ada.id, owner="owner-lecturer-1234")
        saves.ask(token, bob.id, owner="owner-lecturer-1234")
        assert not saves.state(token, ada.id).answered
        assert saves.state(other_token, ada.id) is None  # only the asking class's lecturer sees it
        reporter.report_once(tiles=False)
        assert not saves.state(token, ada.id).answered  # asks are read with the tiles
        reporter.report_once(tiles=True)
        record = runs.load(saves.state(token, ada.id).run_id, owner="owner-lecturer-1234")
        assert record.history == trainer.history and len(record.history) == 2
        assert record.spec.title == f"<b>Ada</b> · {SPEC.title}" and record.source == "class"
        assert record.state == "stopped" and "at epoch 2; the student trained on" in record.message
        assert "Bob's experiment has problems" in saves.state(token, bob.id).problem
        reporter.report_once(tiles=True)  # an answered ask is not saved again
        assert len(runs.list_runs("owner-lecturer-1234")) == 1

        def broken(trainer, ask):
            raise RuntimeError("the worker went away")

        monkeypatch.setattr(class_reporter_module, "class_run", broken)
        saves.ask(token, ada.id, owner="owner-lecturer-1234")
        reporter.report_once(tiles=True)  # answered with the problem, not tried again every tick
        assert saves.state(token, ada.id).problem == "<b>Ada</b>'s run could not be saved: RuntimeError."
    finally:
        trainer.close()
