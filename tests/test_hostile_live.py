"""Hostile use of the live stream and the trainers: many connections, odd messages, slow closes, heavy compiles."""

import dataclasses
import json
import logging
import threading
import time
import tomllib
from pathlib import Path

import pytest
from starlette.applications import Starlette
from starlette.testclient import TestClient
from starlette.websockets import WebSocketDisconnect

from playground import limits
from playground.engine.trainer import Trainer
from playground.spec import ExperimentSpec, TrainingSpec
from playground.training_data import training_data
from playground.web.live import frames
from playground.web.live import streams as live_streams
from playground.web.live.frames import FrameReader
from playground.web.live.streams import LiveStreams

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(autouse=True)
def logged_lines_reach_caplog():
    """The app's logging, as a test before may have set it up, keeps `playground`'s lines from the
    root logger (and may pass only warnings): here caplog sees them all."""
    logger = logging.getLogger("playground")
    propagate, level = logger.propagate, logger.level
    logger.propagate = True
    logger.setLevel(logging.NOTSET)
    yield
    logger.propagate = propagate
    logger.setLevel(level)


def spec_with(epochs=20, **training) -> ExperimentSpec:
    return ExperimentSpec(training=dataclasses.replace(TrainingSpec(epochs=epochs), **training))


@pytest.fixture(params=["in the page's process", "in a worker process"])
def trainer(request):
    """A ready trainer of either kind the page uses: the live stream treats them alike."""
    spec = spec_with(epochs=100_000)
    made = (
        Trainer(spec)
        if request.param == "in the page's process"
        else request.getfixturevalue("training_pool").trainer(spec)
    )
    assert made.wait_until_ready(60)
    yield made
    made.close()


@pytest.fixture
def streams(monkeypatch):
    from playground.web.live import route as live_route

    registry = LiveStreams(grace=0.2)
    monkeypatch.setattr(live_route, "LIVE_STREAMS", registry)
    return registry


@pytest.fixture
def client():
    from playground.web.live.route import live_routes

    return TestClient(Starlette(routes=live_routes()))


def closed_with(socket) -> int:
    """The code the server closed the connection with (it sends nothing before)."""
    with pytest.raises(WebSocketDisconnect) as closed:
        socket.receive_text()
    return closed.value.code


def test_a_token_takes_a_few_connections_and_refuses_more(streams, client, trainer, monkeypatch):
    monkeypatch.setenv("PLAYGROUND_LIVE_CONNECTIONS_PER_TOKEN", "many")  # a typo: the default
    assert limits.count_setting("PLAYGROUND_LIVE_CONNECTIONS_PER_TOKEN", 4) == 4
    monkeypatch.setenv("PLAYGROUND_LIVE_CONNECTIONS_PER_TOKEN", "2")
    assert limits.count_setting("PLAYGROUND_LIVE_CONNECTIONS_PER_TOKEN", 4) == 2
    assert streams.per_token == live_streams.MAX_CONNECTIONS_PER_TOKEN
    token, other = streams.open(trainer), streams.open(trainer)
    sockets = [client.websocket_connect(f"/api/live/{token}").__enter__() for _ in range(streams.per_token)]
    try:
        for socket in sockets:
            socket.send_text(json.dumps({"points": 0}))
            assert "status" in FrameReader().read(socket.receive_bytes())
        with pytest.raises(WebSocketDisconnect) as refused, client.websocket_connect(f"/api/live/{token}") as extra:
            extra.receive_text()
        assert refused.value.code == 1008 and streams.connections(token) == streams.per_token  # before accepting
        with client.websocket_connect(f"/api/live/{other}") as socket:  # other pages are not held up
            socket.send_text("{}")
            assert "status" in FrameReader().read(socket.receive_bytes())
        sockets.pop().__exit__(None, None, None)
        with client.websocket_connect(f"/api/live/{token}") as socket:  # a place came free
            socket.send_text("{}")
            assert "status" in FrameReader().read(socket.receive_bytes())
    finally:
        for socket in sockets:
            socket.__exit__(None, None, None)
    assert not trainer.closed


@pytest.mark.parametrize(
    "first, code",
    [
        (b"\x00\x01binary", 1003),
        ("x" * 201, 1009),
        (json.dumps({"points": 0, "pad": "y" * 300}), 1009),
        ("not json", 1008),
        ("[1, 2]", 1008),
        ('{"points": "12"}', 1008),
        ('{"points": true}', 1008),
        ('{"points": -1}', 1008),
        ('{"points": 1e400}', 1008),
    ],
)
def test_a_message_the_page_never_sends_closes_the_connection_quietly(streams, client, caplog, first, code):
    trainer = Trainer(spec_with(), warm_up=False)
    try:
        token = streams.open(trainer)
        caplog.set_level(logging.INFO)
        with client.websocket_connect(f"/api/live/{token}") as socket:
            socket.send_bytes(first) if isinstance(first, bytes) else socket.send_text(first)
            assert closed_with(socket) == code
        lines = [record for record in caplog.records if record.name == "playground.web.live.route"]
        assert len(lines) == 1 and lines[0].levelno == logging.INFO and not lines[0].exc_info
        assert not [record for record in caplog.records if record.levelno >= logging.WARNING]
        assert streams.connections(token) == 0
    finally:
        trainer.close()


@pytest.mark.parametrize("later", [b"next", "x" * 1000, "stop", "details on screen!", b"details off screen"])
def test_a_later_message_other_than_next_closes_the_connection(streams, client, caplog, later):
    trainer = Trainer(spec_with(), warm_up=False)
    try:
        token = streams.open(trainer)
        with client.websocket_connect(f"/api/live/{token}") as socket:
            socket.send_text('{"points": 0}')
            socket.receive_bytes()
            socket.send_bytes(later) if isinstance(later, bytes) else socket.send_text(later)
            assert closed_with(socket) in (1003, 1008, 1009)
        assert not [record for record in caplog.records if record.levelno >= logging.WARNING]
    finally:
        trainer.close()


def test_the_server_refuses_big_messages_before_reading_them(streams, caplog):
    """Streamlit gives uvicorn `server.maxMessageSize` as its WebSocket message limit: the project
    sets it low, and a bigger message is refused by the protocol as it arrives (close 1009), so the
    route never reads it."""
    import asyncio

    import uvicorn
    import websockets
    from websockets.exceptions import ConnectionClosed

    from playground.web.live.route import live_routes

    limit_mb = tomllib.loads((ROOT / "playground/web/.streamlit" / "config.toml").read_text())["server"][
        "maxMessageSize"
    ]
    assert limit_mb <= 25  # Streamlit's own stream takes at most 25 MB from a browser
    config = uvicorn.Config(
        Starlette(routes=live_routes()), port=0, ws="websockets-sansio", ws_max_size=limit_mb * 10**6, log_level="error"
    )
    server = uvicorn.Server(config)
    serving = threading.Thread(target=server.run, daemon=True)
    serving.start()
    trainer = Trainer(spec_with(), warm_up=False)
    try:
        deadline = time.monotonic() + 30
        while not server.started and time.monotonic() < deadline:
            time.sleep(0.05)
        port = server.servers[0].sockets[0].getsockname()[1]
        token = streams.open(trainer)
        caplog.set_level(logging.INFO)

        async def send_too_much() -> int:
            async with websockets.connect(f"ws://127.0.0.1:{port}/api/live/{token}", max_size=None) as socket:
                try:
                    await socket.send("x" * (limit_mb * 10**6 + 1))
                    await socket.recv()
                except ConnectionClosed as closed:
                    return closed.rcvd.code if closed.rcvd else -1
            return 0

        codes: list[int] = []  # asyncio.run in a thread of its own: the browser tests' Playwright holds this one's loop
        sending = threading.Thread(target=lambda: codes.append(asyncio.run(send_too_much())))
        sending.start()
        sending.join(60)
        assert codes == [1009]
        assert not [record for record in caplog.records if record.name == "playground.web.live.route"]  # never read
    finally:
        server.should_exit = True
        serving.join(10)
        trainer.close()


def test_a_waiting_connection_sleeps_until_its_trainer_changes(streams, client, trainer, monkeypatch):
    looks = []
    next_frame = frames.FrameWriter.next_frame
    monkeypatch.setattr(frames.FrameWriter, "next_frame", lambda writer: looks.append(1) or next_frame(writer))
    token = streams.open(trainer)
    with client.websocket_connect(f"/api/live/{token}") as socket:
        socket.send_text('{"points": 0}')
        reader = FrameReader()
        assert reader.read(socket.receive_bytes())["status"]["epoch"] == 0
        socket.send_text("next")
        time.sleep(1)
        assert len(looks) <= 3  # not polled (it was 120 looks a second)
        trainer.step_epoch()  # each change wakes it: "paused" at once, then the epoch done
        epochs = [reader.read(socket.receive_bytes())["status"]["epoch"]]
        while epochs[-1] == 0 and len(epochs) < 5:
            socket.send_text("next")
            epochs.append(reader.read(socket.receive_bytes())["status"]["epoch"])
        assert epochs[-1] == 1


def test_closing_a_trainer_mid_chunk_waits_for_the_chunk_and_logs_nothing(monkeypatch, caplog):
    """However long a chunk takes, `close` takes nothing from under it: the training thread frees
    the model itself once the chunk is done."""
    from playground.engine import trainer as trainer_module

    monkeypatch.setattr(trainer_module, "CLOSE_WAIT_SECONDS", 0.2)
    caplog.set_level(logging.WARNING)
    slow = Trainer(spec_with(epochs=100_000))
    assert slow.wait_until_ready(60)
    in_chunk, chunk_may_end = threading.Event(), threading.Event()
    run = slow.loop.run

    def slow_chunk(*args):
        in_chunk.set()
        chunk_may_end.wait(30)
        return run(*args)

    monkeypatch.setattr(slow.loop, "run", slow_chunk)
    slow.start()
    assert in_chunk.wait(30)
    started = time.monotonic()
    slow.close()
    assert time.monotonic() - started < 5  # waited a moment, not for the chunk
    assert slow.closed and slow.model is not None and slow.loop is not None  # still the chunk's
    chunk_may_end.set()
    slow._thread.join(30)
    assert not slow._thread.is_alive()
    assert slow.model is None and slow.loop is None and slow.snapshot_maker is None  # freed after the chunk
    assert slow.snapshots.latest()[1] is None
    assert not [record for record in caplog.records if record.levelno >= logging.WARNING]
    slow.close()  # twice is fine


def test_a_big_network_trains_in_a_worker_of_its_own_at_a_lower_priority(training_pool):
    """Compiling a big network (tens of seconds of tracing) never shares an interpreter with the
    class's small ones, and gets the cores they leave; theirs leave the app process its share."""
    import os

    from playground.engine.training_workers import (
        BACKGROUND_NICENESS,
        BIG_NETWORK_LAYERS,
        TRAINING_NICENESS,
        is_big_network,
    )
    from playground.layers import new_layer
    from playground.presets import PRESETS

    deep = ExperimentSpec(
        network=dataclasses.replace(
            ExperimentSpec().network, layers=(new_layer("Dense", units=3),) * (BIG_NETWORK_LAYERS + 1)
        )
    )
    wide = ExperimentSpec(
        network=dataclasses.replace(ExperimentSpec().network, layers=(new_layer("Dense", units=2000),) * 2)
    )
    assert is_big_network(deep) and is_big_network(wide)  # 17 layers; 4 million multiply-adds a sample
    assert not [name for name, preset in PRESETS.items() if is_big_network(preset.spec)]
    big, small = training_pool.trainer(deep, warm_up=False), training_pool.trainer(spec_with(), warm_up=False)
    try:
        assert small.worker in training_pool.workers
        assert big.worker is training_pool.background and big.worker not in training_pool.workers
        assert big.wait_until_ready(120) and small.wait_until_ready(120)  # built: their workers have started
        ours = os.getpriority(os.PRIO_PROCESS, 0)
        assert os.getpriority(os.PRIO_PROCESS, big.worker.process.pid) == min(19, ours + BACKGROUND_NICENESS)
        # The pages' workers yield to the app process too, less: every page waits on the app.
        assert os.getpriority(os.PRIO_PROCESS, small.worker.process.pid) == min(19, ours + TRAINING_NICENESS)
        assert TRAINING_NICENESS < BACKGROUND_NICENESS
        big.step_epoch()
        assert big.wait(timeout=120) == "paused" and big.position == (1, 0)
    finally:
        big.close()
        small.close()


def test_a_slow_build_holds_up_no_other_trainers_commands(monkeypatch):
    """The worker builds each trainer off its command loop: while one takes long to build (a big
    model), the commands of the others are answered."""
    from multiprocessing import Pipe

    from playground.engine import trainer as trainer_module
    from playground.engine.worker_process import Worker

    building, may_finish = threading.Event(), threading.Event()

    def slow_for_the_first(spec, warm_up=True, **options):
        if spec.training.epochs == 7:
            building.set()
            may_finish.wait(30)
        return Trainer(spec, warm_up=warm_up, **options)

    monkeypatch.setattr(trainer_module, "Trainer", slow_for_the_first)
    server, ours = Pipe()
    serving = threading.Thread(target=Worker(ours).serve, daemon=True)
    serving.start()

    def answer(sequence):
        while True:
            assert server.poll(30), f"no answer to command {sequence}"
            message = server.recv()
            if message[0] == "answer" and message[2] == sequence:
                return message[3]

    batches = -(-len(training_data(spec_with()).x_train) // spec_with().training.batch_size)
    try:
        server.send(("create", 1, 1, (spec_with(epochs=7).to_json(), False)))
        assert building.wait(30)
        server.send(("create", 2, 2, (spec_with(epochs=3).to_json(), False)))
        assert answer(2) == batches  # built and answered while the first is still building
        server.send(("step_epoch", 2, 3, ()))
        assert answer(3) is None
        assert not may_finish.is_set()
        may_finish.set()
        assert answer(1) == batches  # the first, once built
    finally:
        may_finish.set()
        server.close()
        serving.join(30)
