"""The live stream: frame encoding, the per-session tokens, the WebSocket route, watch pace and closed pages."""

import dataclasses
import json
import time

import numpy as np
import pytest
from starlette.applications import Starlette
from starlette.testclient import TestClient
from starlette.websockets import WebSocketDisconnect

from playground.engine.trainer import WATCH_EPOCHS_PER_SECOND, Trainer
from playground.spec import ExperimentSpec, LayerSpec, NetworkSpec, TrainingSpec
from playground.web.live.frames import (
    FrameReader,
    FrameWriter,
    grid_levels,
    grid_values,
    plane_description,
    training_status,
)
from playground.web.live.streams import LiveStreams
from tests.pausing_trainer import PausingAsRead


@pytest.fixture(params=["in the page's process", "in a worker process"])
def make(request):
    """Makes trainers of either kind the page uses (`PLAYGROUND_TRAINING_WORKERS`): the live stream
    treats them alike."""
    made = []

    def make_trainer(epochs=20, **training):
        spec = ExperimentSpec(training=dataclasses.replace(TrainingSpec(epochs=epochs), **training))
        trainer = (
            Trainer(spec)
            if request.param == "in the page's process"
            else request.getfixturevalue("training_pool").trainer(spec)
        )
        made.append(trainer)
        assert trainer.wait_until_ready(60)
        return trainer

    yield make_trainer
    for trainer in made:
        trainer.close()


def freed(trainer) -> bool:
    """Whether the trainer's model is let go: here, or in the worker (which no longer knows it)."""
    if isinstance(trainer, Trainer):
        return trainer.model is None
    try:
        trainer.worker.send("start", trainer.id)
    except LookupError:
        return True
    return False


def test_grids_round_trip_to_within_half_a_level():
    rng = np.random.default_rng(0)
    for grid in (rng.normal(size=(100, 100)), np.linspace(-1, 1, 625).reshape(25, 25), np.full((4, 4), 0.3)):
        (levels,), (low,), (step,) = grid_levels(grid[None])
        span = grid.max() - grid.min()
        assert np.max(np.abs(grid_values(levels, low, step) - grid)) <= span / 510 + 1e-6
    classes = np.array([[0, 1], [2, 2]], "float32")  # many classes: the winning class, exactly
    (levels,), (low,), (step,) = grid_levels(classes[None])
    assert np.array_equal(grid_values(levels, low, step), classes)
    stack = np.stack([np.array([[np.nan, 1.0], [0.0, 0.5]]), np.full((2, 2), np.inf)])  # each grid its own scale
    levels, low, step = grid_levels(stack)
    assert low[0] == 0.0 and low[0] + 255 * step[0] == pytest.approx(1.0) and levels[0, 0, 0] == 0  # NaN: drawn as low
    assert not grid_values(levels[1], low[1], step[1]).any()  # nothing finite: zeros


def test_a_frame_of_the_default_network_carries_its_weights_and_reads_back_as_sent():
    """About 19.5 kB as JSON with base64 grids; binary with the grids' levels compressed, a few kB;
    with the weights that the browser computes the grids from, a few hundred bytes."""
    trainer = Trainer(ExperimentSpec(training=TrainingSpec(epochs=30)))
    try:
        trainer.run_to_end()
        data = FrameWriter(trainer, points=30).next_frame()
        assert isinstance(data, bytes) and len(data) < 1000
        frame = FrameReader().read(data)
        _, snapshot = trainer.snapshots.latest()
        assert frame["plane"] == plane_description(snapshot.plane)
        assert frame["plane"]["features"] == ["x1", "x2"] and frame["plane"]["units"] == [4, 2, 1]
        assert frame["plane"]["activations"] == ["tanh", "tanh", "sigmoid"]
        assert "grid" not in frame and "neurons" not in frame and "links" not in frame
        for (kernel, bias), (sent_kernel, sent_bias) in zip(snapshot.weights, frame["weights"], strict=True):
            assert np.array_equal(kernel, sent_kernel) and np.array_equal(bias, sent_bias)
    finally:
        trainer.close()


def test_a_frame_of_a_network_too_big_for_the_browser_carries_its_grids():
    wide = NetworkSpec(layers=(LayerSpec("Dense", units=24, activation="relu"),) * 2)
    trainer = Trainer(ExperimentSpec(network=wide, training=TrainingSpec(epochs=10)))
    try:
        trainer.run_to_end()
        frame = FrameReader().read(FrameWriter(trainer, points=10).next_frame())
        _, snapshot = trainer.snapshots.latest()
        assert snapshot.plane is None and "plane" not in frame and "weights" not in frame
        assert np.allclose(frame["grid"], snapshot.grid, atol=(snapshot.grid.max() - snapshot.grid.min()) / 500)
        maps = [grid for layer in snapshot.neuron_grids for grid in layer[:8]]
        for sent, made in zip(frame["neurons"], maps, strict=True):
            assert np.allclose(sent, made, atol=(made.max() - made.min()) / 500 + 1e-6)
        assert len(frame["links"]) == 2 * 8 + 8 * 8 + 8 * 1  # the drawn neurons' links
    finally:
        trainer.close()


def test_frames_carry_status_new_rows_and_new_weights_only(make):
    trainer = make(epochs=6)
    try:
        writer, reader = FrameWriter(trainer), FrameReader()
        first = reader.read(writer.next_frame())
        assert first["status"]["state"] == "ready" and first["status"]["compiled"] and first["status"]["epoch"] == 0
        assert first["plane"]["units"] == [4, 2, 1] and "rows" not in first
        assert [kernel.shape for kernel, _ in first["weights"]] == [(2, 4), (4, 2), (2, 1)]
        assert writer.next_frame() is None  # nothing changed
        trainer.step_epoch()
        trainer.wait()
        frame = reader.read(writer.next_frame())
        assert frame["changed"] >= {"state", "epoch", "points"} and "compiled" not in frame["changed"]
        assert frame["rows"]["epoch"] == [1] and frame["status"]["epoch"] == 1 and frame["status"]["points"] == 1
        assert frame["rows"]["train_loss"][0] == pytest.approx(trainer.history[0]["train_loss"])
        assert "plane" not in frame  # the connection has it
        kernels = [kernel for kernel, _ in trainer.snapshots.latest()[1].weights]
        for kernel, (sent, _) in zip(kernels, frame["weights"], strict=True):
            assert np.array_equal(kernel, sent)
        trainer.run_to_end()
        frame = reader.read(writer.next_frame())
        assert frame["rows"]["epoch"] == [2, 3, 4, 5, 6] and frame["status"]["state"] == "finished"
        trainer.reset()
        frame = reader.read(writer.next_frame())
        assert frame["reset"] and "rows" not in frame and frame["status"]["points"] == 0
    finally:
        trainer.close()


def test_a_status_that_says_paused_shows_the_epoch_it_paused_at():
    trainer = PausingAsRead()
    first, second = training_status(trainer), training_status(trainer)
    assert (first["state"], first["epoch"]) == ("running", 308)  # read just before the pause: consistent
    assert (second["state"], second["epoch"]) == ("paused", 309)  # and "paused" only with the last epoch


def test_a_status_read_later_says_so(make):
    """The statuses of a page run and of frames are ordered by the trainer's change count, so the
    page's status row shows a run's status only when no newer frame came before it."""
    trainer = make(epochs=3)
    try:
        before = training_status(trainer)
        trainer.run_to_end()
        after = training_status(trainer)
        assert after["state"] == "finished" and after["changes"] > before["changes"]
        assert training_status(trainer)["changes"] == after["changes"]  # nothing changed since
    finally:
        trainer.close()


def test_a_page_far_behind_gets_an_even_sample_of_the_rows_and_the_last(make):
    trainer = make(epochs=2000)
    try:
        trainer.run_to_end()
        epochs = FrameReader().read(FrameWriter(trainer).next_frame())["rows"]["epoch"]
        assert len(epochs) == 600 and epochs[0] == 1 and epochs[-1] == 2000
        assert "rows" not in FrameReader().read(FrameWriter(trainer, points=2000).next_frame())  # the page has them all
    finally:
        trainer.close()


def test_watch_pace_gives_a_frame_snapshot_for_each_frame_asked_for(make):
    trainer = make(epochs=100_000)
    try:
        trainer.set_speed(WATCH_EPOCHS_PER_SECOND)
        trainer.start()
        time.sleep(0.5)
        epoch_before, version_before = trainer.position[0], trainer.snapshots.latest()[0]
        time.sleep(1)
        unasked = trainer.snapshots.latest()[0] - version_before
        deadline = time.monotonic() + 1
        while time.monotonic() < deadline:  # a page that draws every frame at once
            version = trainer.snapshots.latest()[0]
            trainer.want_frame()
            while trainer.snapshots.latest()[0] == version and time.monotonic() < deadline:
                time.sleep(0.002)
        trainer.pause()
        epochs = trainer.position[0] - epoch_before
        snapshots = trainer.snapshots.latest()[0] - version_before - unasked
        assert (
            0.5 * 2 * WATCH_EPOCHS_PER_SECOND < epochs < 1.5 * 2 * WATCH_EPOCHS_PER_SECOND
        )  # generous: shared machines
        assert unasked <= 10  # only the full snapshots (a few a second) while no page asks
        assert (
            snapshots >= 0.8 * WATCH_EPOCHS_PER_SECOND
        )  # a new boundary with (nearly) every epoch for a page that asks
        assert (
            len(trainer.snapshots.histogram_frames()) < snapshots
        )  # frame snapshots do not enter the histogram history
    finally:
        trainer.close()


def test_full_snapshots_come_less_often_while_nothing_shows_them(make):
    """At the watch pace on 2-D data: a trainer whose page has its detail views off screen gets a
    full snapshot every 2.5 s; one whose page shows them, every 0.5 s."""
    quiet, shown = make(epochs=100_000), make(epochs=100_000)
    try:
        quiet.want_details(False)
        for trainer in (quiet, shown):
            trainer.set_speed(WATCH_EPOCHS_PER_SECOND)
            trainer.start()
        time.sleep(0.5)
        before = [len(trainer.snapshots.histogram_frames()) for trainer in (quiet, shown)]
        time.sleep(3)
        after = [len(trainer.snapshots.histogram_frames()) for trainer in (quiet, shown)]
        quiet_count, shown_count = (b - a for a, b in zip(before, after))
        assert quiet_count <= 2 < shown_count  # (about 1 against 6: generous for shared machines)
    finally:
        quiet.close()
        shown.close()


def test_a_pause_between_two_chunks_leaves_a_full_snapshot_of_the_epoch_it_rests_at(make):
    """At the watch pace a pause mostly lands while the pace waits between two chunks. The frames'
    snapshots keep an older full snapshot's maps and histograms, so coming to rest makes a full
    snapshot of the epoch it rests at: what the page draws at rest (hover and exports too) is true."""
    trainer = make(epochs=100_000)
    try:
        trainer.want_details(False)  # full snapshots only every few seconds while training
        trainer.set_speed(WATCH_EPOCHS_PER_SECOND)
        trainer.start()
        deadline = time.monotonic() + 30
        while trainer.points < 10 and time.monotonic() < deadline:
            time.sleep(0.02)
        trainer.pause()
        while time.monotonic() < deadline:
            epoch = trainer.position[0]
            histograms = trainer.snapshots.histogram_frames()
            if trainer.state == "paused" and histograms[-1][0] == epoch:
                break
            time.sleep(0.05)
        assert trainer.state == "paused" and trainer.points >= 10
        assert histograms[-1][0] == epoch == trainer.snapshots.latest()[1].epoch  # a full snapshot, of that epoch
    finally:
        trainer.close()


def stream_app():
    """The stream's route on its own (the fixture below gives it a registry of its own)."""
    from playground.web.live import route as live_route

    return Starlette(routes=live_route.live_routes())


@pytest.fixture
def streams(monkeypatch):
    from playground.web.live import route as live_route

    registry = LiveStreams(grace=0.2)
    monkeypatch.setattr(live_route, "LIVE_STREAMS", registry)
    return registry


def test_the_stream_sends_its_own_trainers_frames_and_refuses_other_tokens(streams, make):
    slow, fast = make(epochs=3, learning_rate=0.001), make(epochs=3, learning_rate=0.3)
    try:
        slow_token, fast_token = streams.open(slow), streams.open(fast)
        assert slow_token != fast_token and len(slow_token) >= 32  # unguessable: 24 random bytes
        client = TestClient(stream_app())
        for token, trainer in ((slow_token, slow), (fast_token, fast)):
            with client.websocket_connect(f"/api/live/{token}") as socket:
                socket.send_text(json.dumps({"points": 0}))
                reader = FrameReader()
                frame = reader.read(socket.receive_bytes())
                assert frame["status"]["learning_rate"] == pytest.approx(
                    trainer.learning_rate()
                )  # each page sees its own trainer
                trainer.run_to_end()
                socket.send_text("next")
                assert reader.read(socket.receive_bytes())["status"]["state"] == "finished"
        for refused in ("made-up", slow_token[:-1], slow_token + "x", "../" + fast_token):
            with pytest.raises(WebSocketDisconnect):
                with client.websocket_connect(f"/api/live/{refused}") as socket:
                    socket.receive_text()
        slow.close()  # a replaced or closed trainer's token is refused too
        with pytest.raises(WebSocketDisconnect), client.websocket_connect(f"/api/live/{slow_token}") as socket:
            socket.receive_text()
    finally:
        slow.close()
        fast.close()


def test_a_notice_wakes_a_resting_pages_stream_and_comes_once(streams, make):
    """A class push reaches a page whose trainer rests: its stream wakes for the notice alone, and the
    next frame does not carry it again."""
    trainer = make(epochs=3)
    streams.notify(trainer, "class_push", 1)  # before the page connected: not news to it
    token = streams.open(trainer)
    with TestClient(stream_app()).websocket_connect(f"/api/live/{token}") as socket:
        socket.send_text(json.dumps({"points": 0}))
        reader = FrameReader()
        assert "notices" not in reader.read(socket.receive_bytes())
        socket.send_text("next")
        streams.notify(trainer, "class_push", 2)  # from the class reporter's thread, in the app
        frame = reader.read(socket.receive_bytes())  # the trainer rests: only the notice sends this one
        assert frame["notices"] == {"class_push": 2} and frame["changed"] <= {"changes"}  # nothing the row shows
        socket.send_text("next")
        trainer.run_to_end()
        assert "notices" not in reader.read(socket.receive_bytes())


def test_a_page_says_over_its_stream_where_its_detail_views_are(streams, make):
    """Off screen, then on screen again: the stream keeps what the page last said (on screen until
    it says otherwise), and frames still come after each."""
    trainer = make(epochs=3)
    token = streams.open(trainer)
    assert streams.details_on_screen(trainer)
    with TestClient(stream_app()).websocket_connect(f"/api/live/{token}") as socket:
        socket.send_text(json.dumps({"points": 0}))
        socket.send_text("details off screen")
        reader = FrameReader()
        reader.read(socket.receive_bytes())
        trainer.run_to_end()
        state = None
        while state != "finished":  # frames keep coming after the page said where its details are
            socket.send_text("next")
            state = reader.read(socket.receive_bytes())["status"].get("state", state)
        assert not streams.details_on_screen(trainer)
        socket.send_text("details on screen")
        socket.send_text("next")
        deadline = time.monotonic() + 5
        while not streams.details_on_screen(trainer) and time.monotonic() < deadline:
            time.sleep(0.01)
        assert streams.details_on_screen(trainer)
    assert streams.details_on_screen(make(epochs=1))  # another page's trainer: nothing said of it


def test_a_trainer_is_watched_while_a_stream_of_it_is_open():
    streams, trainer, other = LiveStreams(grace=60), Watched(), Watched()
    token = streams.open(trainer)
    streams.open(other)
    assert not streams.watched(trainer)  # a token alone: the page never connected
    assert streams.connected(token) and streams.connected(token)
    assert streams.watched(trainer) and not streams.watched(other)
    streams.disconnected(token)
    assert streams.watched(trainer)  # a reload's second connection
    streams.disconnected(token)
    assert not streams.watched(trainer)


class Watched:
    """A trainer as the tokens know it."""

    closed = False

    def abandon(self) -> None:  # the grace period's end, were the test still running then
        self.closed = True


def test_a_closed_page_stops_its_trainer_and_saves_nothing(streams, make):
    trainer = make(epochs=100_000)
    saved = []
    trainer.on_end = saved.append
    token = streams.open(trainer)
    client = TestClient(stream_app())
    with client.websocket_connect(f"/api/live/{token}") as socket:
        socket.send_text("{}")
        socket.receive_bytes()
        trainer.start()
        assert streams.connections(token) == 1
    deadline = time.monotonic() + 5
    while not trainer.closed and time.monotonic() < deadline:
        time.sleep(0.05)
    assert trainer.closed and trainer.state == "running" and saved == []  # stopped mid-run, not saved as a finished run
    time.sleep(0.3)
    assert freed(trainer)  # the model is let go
    assert streams.trainer_for(token) is None


def test_a_page_that_reconnects_in_time_keeps_training(streams, make):
    trainer = make(epochs=100_000)
    try:
        token = streams.open(trainer)
        client = TestClient(stream_app())
        trainer.start()
        with client.websocket_connect(f"/api/live/{token}") as socket:
            socket.send_text("{}")
            socket.receive_bytes()
        with client.websocket_connect(f"/api/live/{token}") as socket:  # a reload: back within the grace period
            socket.send_text("{}")
            socket.receive_bytes()
            time.sleep(0.5)
            assert not trainer.closed and trainer.state == "running"
    finally:
        trainer.close()


def test_a_finished_run_stays_saved_when_its_page_closes(streams, make):
    trainer = make(epochs=3)
    saved = []
    trainer.on_end = saved.append
    trainer.run_to_end()
    token = streams.open(trainer)
    streams.connected(token)
    streams.disconnected(token)
    time.sleep(0.6)
    assert trainer.closed and saved == [trainer]  # saved once, when it finished
