"""Trainers in worker processes: the same training as in the page's process, commands, saving,
a worker that dies, and the pool's size setting."""

import dataclasses
import os
import signal
import threading
import time

import numpy as np
import pytest

from playground.engine.envelope_loop import EnvelopeLoop
from playground.engine.trainer import InvalidSpec, Trainer
from playground.engine.training_workers import TrainingWorkers, worker_count
from playground.engine.worker_process import TrainerHost
from playground.engine.worker_trainer import WorkerGone, WorkerTrainer
from playground.runs.run_recorder import RunRecorder
from playground.runs.run_store import RunStore
from playground.spec import ExperimentSpec, LayerSpec, NetworkSpec, TrainingSpec
from tests.pausing_trainer import PausingAsRead


def spec_with(epochs=20, **training):
    return ExperimentSpec(training=dataclasses.replace(TrainingSpec(epochs=epochs), **training))


def test_a_worker_trains_exactly_as_the_pages_process_does(training_pool):
    spec = spec_with(epochs=15, learning_rate=0.1)
    here = Trainer(spec)
    there = training_pool.trainer(spec)
    try:
        assert isinstance(there, WorkerTrainer) and there.batches_per_epoch == here.batches_per_epoch
        assert here.run_to_end(60) == there.run_to_end(60) == "finished"
        assert there.history == here.history  # the same numbers, bit for bit
        assert there.position == (15, 0) and there.points == 15 and there.elapsed > 0
        snapshot = there.snapshots.latest()[1]
        assert snapshot.epoch == 15 and np.array_equal(snapshot.grid, here.snapshots.latest()[1].grid)
        assert len(there.snapshots.histogram_frames()) >= 2  # epoch 0 and the end at least
        inputs = here.data.x_test[:5]
        assert np.array_equal(there.predict(inputs), here.predict(inputs))
        assert there.data.x_test.shape == here.data.x_test.shape  # the page draws its own copy of the data
    finally:
        here.close()
        there.close()


def test_commands_step_pause_reset_and_a_live_learning_rate(training_pool):
    trainer = training_pool.trainer(spec_with(epochs=100_000))
    try:
        trainer.step_epoch()
        assert trainer.wait() == "paused" and trainer.position == (1, 0) and trainer.points == 1
        trainer.step_batch()
        assert trainer.wait() == "paused" and trainer.position == (1, 1)
        trainer.set_learning_rate(0.5)
        trainer.start()
        assert trainer.state == "running"  # answered after the worker applied it
        assert trainer.wait_for_first_epoch(5)
        deadline = time.monotonic() + 10
        while trainer.points < 5 and time.monotonic() < deadline:
            time.sleep(0.01)
        trainer.pause()
        assert trainer.wait() == "paused"
        assert trainer.history[-1]["learning_rate"] == 0.5 and trainer.learning_rate() == 0.5
        trainer.reset()
        assert trainer.state == "ready" and trainer.points == 0 and trainer.position == (0, 0)
        trainer.set_epochs(2)
        assert trainer.run_to_end(30) == "finished" and [row["epoch"] for row in trainer.history] == [1, 2]
        trainer.set_epochs(3)  # more epochs: the finished run goes on
        assert trainer.state == "paused" and trainer.run_to_end(30) == "finished" and trainer.points == 3
    finally:
        trainer.close()


def test_an_invalid_spec_is_refused_before_reaching_the_worker(training_pool):
    bad = ExperimentSpec(network=NetworkSpec(layers=(LayerSpec(units=0),)))
    with pytest.raises(InvalidSpec) as refused:
        training_pool.trainer(bad)
    assert refused.value.problems


def test_an_ended_run_is_saved_with_its_model_before_wait_returns(training_pool, tmp_path):
    store = RunStore(tmp_path / "runs.sqlite3")
    trainer = training_pool.trainer(spec_with(epochs=4))
    try:
        trainer.on_end = RunRecorder(store, "alice", keep_model=True)
        assert trainer.run_to_end(60) == "finished"
        runs = store.list_runs("alice")  # saved by the time `wait` returned
        assert list(runs["state"]) == ["finished"] and bool(runs["has_model"][0])
        run = store.load(runs["id"][0], "alice")
        assert len(run.history) == 4 and run.model[:2] == b"PK"  # a .keras zip
        trainer.reset()
        trainer.set_epochs(100_000)
        trainer.start()
        assert trainer.wait_for_first_epoch(5)
        trainer.stop()  # a stopped run is saved before stop returns
        assert list(store.list_runs("alice")["state"]).count("stopped") == 1
    finally:
        trainer.close()


def test_an_abandoned_trainer_is_freed_in_its_worker_and_saves_nothing(training_pool):
    trainer = training_pool.trainer(spec_with(epochs=100_000))
    saved = []
    trainer.on_end = saved.append
    trainer.start()
    assert trainer.wait_for_first_epoch(10)
    trainer.abandon()
    assert trainer.closed
    worker = trainer.worker
    time.sleep(0.3)
    with pytest.raises(LookupError):  # the worker holds it no more
        worker.send("start", trainer.id)
    assert saved == []


def test_a_new_trainer_does_not_wait_for_its_worker_and_what_it_is_told_meanwhile_comes_in_order(training_pool):
    """The page that makes a trainer goes on while the worker builds it: a rate set and a speed given
    meanwhile reach the worker once it is built, in order; Train waits for the build; and a trainer
    closed while it is built is closed in the worker right after."""
    trainer = training_pool.trainer(spec_with(epochs=100_000))
    assert not trainer.is_ready  # returned before the worker's first update
    trainer.set_learning_rate(0.2)
    trainer.set_speed(40)
    trainer.start()  # waits for the build, then starts
    assert trainer.wait_for_first_epoch(10) and trainer.state == "running"
    trainer.pause()
    assert trainer.last_row()["learning_rate"] == pytest.approx(0.2)
    trainer.close()
    dropped = training_pool.trainer(spec_with(epochs=100_000))
    dropped.close()  # before the worker built it
    assert dropped.closed
    assert dropped._built.wait(30)  # the worker built it (and was told to close it right after)
    time.sleep(0.3)
    with pytest.raises(LookupError):  # built, then closed: the worker holds it no more
        dropped.worker.send("start", dropped.id)


def test_a_dead_worker_fails_its_trainers_and_is_replaced():
    pool = TrainingWorkers(1)
    try:
        trainer = pool.trainer(spec_with(epochs=100_000))
        trainer.start()
        os.kill(pool.workers[0].process.pid, signal.SIGKILL)
        deadline = time.monotonic() + 10
        while not trainer.closed and time.monotonic() < deadline:
            time.sleep(0.05)
        assert trainer.closed and trainer.state == "failed" and "Reload the page" in trainer.message
        trainer.pause()  # commands to a dead worker do nothing
        with pytest.raises(WorkerGone):
            trainer.predict(np.zeros((1, 2)))
        fresh = pool.trainer(spec_with(epochs=2))  # a new worker took its place
        assert fresh.run_to_end(60) == "finished"
    finally:
        pool.close()


def test_the_slot_puts_trainers_in_the_pool_when_there_is_one(training_pool, monkeypatch):
    from playground.web.live import trainer_slot

    monkeypatch.setattr(trainer_slot, "training_workers", lambda: training_pool)
    slot = trainer_slot.TrainerSlot(compile_ahead=False)
    trainer = slot.get(spec_with(epochs=10, learning_rate=0.03))
    assert isinstance(trainer, WorkerTrainer)
    assert slot.get(spec_with(epochs=12, learning_rate=0.3)) is trainer  # rate and epochs change live
    assert trainer.base_learning_rate == 0.3 and trainer.epochs == 12
    slot.close()
    assert trainer.closed


def test_the_pool_size_comes_from_the_environment(monkeypatch):
    monkeypatch.delenv("PLAYGROUND_TRAINING_WORKERS", raising=False)
    assert worker_count() == (os.cpu_count() or 1)
    monkeypatch.setenv("PLAYGROUND_TRAINING_WORKERS", "3")
    assert worker_count() == 3
    monkeypatch.setenv("PLAYGROUND_TRAINING_WORKERS", "0")
    assert worker_count() == 0
    monkeypatch.setenv("PLAYGROUND_TRAINING_WORKERS", "many")
    with pytest.raises(ValueError, match="whole number"):
        worker_count()


def test_a_worker_compiles_the_default_experiment_and_the_envelope_before_any_page_asks(monkeypatch):
    from playground.engine.live_population import LIVE_POPULATIONS
    from playground.engine.training_loop import PROGRAMS, TrainingLoop
    from playground.engine.worker_process import compile_default_experiment
    from playground.presets import DEFAULT_PRESET, PRESETS

    # Then the programs that step a class together, for both loops (tests/test_live_population.py compiles them).
    populations_for: list = []
    monkeypatch.setattr(LIVE_POPULATIONS, "compile_for", populations_for.append)
    PROGRAMS.clear()
    compile_default_experiment()
    built = PROGRAMS.built
    assert [type(loop) for loop in populations_for] == [TrainingLoop]
    spec = PRESETS[DEFAULT_PRESET].spec
    page = Trainer(
        spec.replace(training=dataclasses.replace(spec.training, learning_rate=0.3, epochs=5))
    )  # a student's own rate
    try:
        assert page.wait_until_ready(60) and PROGRAMS.built == built  # nothing left to compile
        assert page.run_to_end(60) == "finished"
    finally:
        page.close()
    # An edited network (a layer added, features changed) trains on the envelope's program, compiled too.
    network = dataclasses.replace(
        spec.network, features=("x1", "x2", "x1^2"), layers=spec.network.layers + (LayerSpec("Dense", units=5),)
    )
    edited = Trainer(spec.replace(network=network), envelope=True)
    try:
        assert isinstance(edited.loop, EnvelopeLoop)
        assert edited.wait_until_ready(60) and PROGRAMS.built == built
    finally:
        edited.close()
    # A server made ready for a lecture (PLAYGROUND_COMPILE_AHEAD=class) also steps a class on the envelope.
    populations_for.clear()
    compile_default_experiment(class_programs=True)
    assert [type(loop) for loop in populations_for] == [TrainingLoop, EnvelopeLoop]


def test_a_run_that_cannot_be_saved_says_so_and_keeps_saying_it(training_pool):
    def failing_store(trainer):
        raise OSError("disk full")

    trainer = training_pool.trainer(spec_with(epochs=2))
    try:
        trainer.on_end = failing_store
        assert trainer.run_to_end(60) == "finished"
        assert trainer.message == "The run could not be saved: disk full"
        trainer.set_epochs(3)  # later updates from the worker keep the message
        assert trainer.run_to_end(60) == "finished" and "could not be saved: disk full" in trainer.message
        trainer.reset()
        assert trainer.message == ""
    finally:
        trainer.close()


def test_asking_a_stopped_worker_for_frames_never_blocks_the_caller(training_pool):
    """The live stream asks for frames from the server's event loop: a worker that does not read
    its pipe (busy, or here stopped) must not hold that loop up, however many requests pile up."""
    trainer = training_pool.trainer(spec_with())
    assert trainer.wait_until_ready(60)
    worker = training_pool.workers[0].process.pid
    os.kill(worker, signal.SIGSTOP)
    try:
        asking = threading.Thread(target=lambda: [trainer.want_frame() for _ in range(50_000)], daemon=True)
        asking.start()
        asking.join(30)  # 50,000 requests are megabytes: more than a socket's buffer holds
        assert not asking.is_alive()
    finally:
        os.kill(worker, signal.SIGCONT)
    trainer.step_epoch()  # the worker reads them all, then the command after them
    assert trainer.wait(timeout=60) == "paused" and trainer.position == (1, 0)
    trainer.close()


def test_a_workers_publisher_sleeps_until_a_trainer_changes():
    """Each trainer's change wakes the publisher, which sends that trainer's update; nothing is
    looked at while the trainers rest (it used to look 240 times a second)."""
    from playground.engine.change_signal import ChangeSignal
    from playground.engine.worker_process import Worker

    class Host:
        def __init__(self):
            self.id, self.looks = 1, 0
            self.trainer = type("Resting", (), {"closed": False, "changes": ChangeSignal()})()

        def update(self, force=False):
            self.looks += 1
            return {"status": self.looks}

    sent = []
    worker = Worker(type("Pipe", (), {"send": staticmethod(sent.append)})())
    host = worker.hosts[1] = Host()
    host.trainer.changes.listen(lambda: worker.changed(1))
    publisher = threading.Thread(target=worker.publish_forever, daemon=True)
    publisher.start()
    try:
        time.sleep(0.5)
        assert host.looks == 0 and sent == []
        host.trainer.changes.notify()
        deadline = time.monotonic() + 10
        while not sent and time.monotonic() < deadline:
            time.sleep(0.01)
        time.sleep(0.2)
        assert host.looks == 1 and sent == [("update", 1, {"status": 1})]
    finally:
        worker.close()
        publisher.join(10)
    assert not publisher.is_alive()


def test_a_workers_update_says_paused_only_with_the_epoch_it_paused_at():
    host = TrainerHost(1, PausingAsRead())
    first, second = host.update()["status"], host.update()["status"]
    assert (first["state"], first["epoch"]) == ("running", 308)  # read just before the pause: consistent
    assert (second["state"], second["epoch"]) == ("paused", 309)  # not "paused" at 308, then 309
