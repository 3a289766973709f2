"""Live trainers stepped together (`engine/live_population.py`): members join, pause, change their
rate, diverge and leave as they like, and each history is the one its lone loop gives."""

from __future__ import annotations

import dataclasses
import time

import numpy as np
import pytest

from playground.engine.envelope_loop import EnvelopeLoop, compile_envelope_for, training_loop
from playground.engine.live_population import RECENT_SECONDS, LivePopulations, _group_key
from playground.engine.trainer import WATCH_EPOCHS_PER_SECOND, Trainer
from playground.engine.training_loop import TrainingLoop
from playground.model_builder import build_model
from playground.spec import DatasetSpec, ExperimentSpec, LayerSpec, NetworkSpec, TrainingSpec
from playground.training_data import training_data

TOLERANCE = 1e-5  # relative, per epoch, on the train and test losses


def student(rate: float, widths: tuple[int, ...], activation: str = "tanh", seed: int = 1) -> ExperimentSpec:
    """A student's network on the envelope (its own program never compiled in these tests)."""
    layers = tuple(LayerSpec("Dense", units=units, activation=activation) for units in widths)
    return ExperimentSpec(
        dataset=DatasetSpec("xor"),
        network=NetworkSpec(features=("x1", "x2", "x1x2"), layers=layers),
        training=TrainingSpec(optimizer="adam", learning_rate=rate, batch_size=10, epochs=1000, seed=seed),
    )


def live_trainer(spec: ExperimentSpec, populations: LivePopulations, envelope: bool = True) -> Trainer:
    trainer = Trainer(spec, envelope=envelope, population=populations)
    assert isinstance(trainer.loop, EnvelopeLoop) == envelope, "the test's networks train where they are meant to"
    trainer.set_speed(WATCH_EPOCHS_PER_SECOND)
    return trainer


def wait_for_epoch(trainer: Trainer, epoch: int, timeout: float = 60.0) -> None:
    deadline = time.monotonic() + timeout
    while trainer.position[0] < epoch and trainer.state == "running":
        assert time.monotonic() < deadline, f"epoch {epoch} not reached: {trainer.position}, {trainer.state}"
        time.sleep(0.01)


def lone_replay(trainer: Trainer) -> np.ndarray:
    """Each epoch of the trainer's history, trained again alone from the same start with the rate
    its row records: the train and test losses."""
    spec = trainer.spec
    data = training_data(spec)
    model = build_model(spec, data)
    envelope = isinstance(trainer.loop, EnvelopeLoop)
    loop = training_loop(model, data, spec) if envelope else TrainingLoop(model, data, spec.training)
    rows = []
    for row in trainer.history:
        result = loop.run(row["epoch"] - 1, 0, loop.batches_per_epoch, [row["learning_rate"]])
        assert result.diverged_at is None
        rows.append(result.metrics[0, :2])
    return np.asarray(rows)


def losses(trainer: Trainer) -> np.ndarray:
    return np.asarray([[row["train_loss"], row["test_loss"]] for row in trainer.history])


@pytest.fixture(scope="module")
def populations() -> LivePopulations:
    compile_envelope_for(student(0.01, (4, 2)))  # as a worker does for the default experiment
    return LivePopulations(compile_in_background=False)


def test_members_that_join_pause_change_rate_and_leave_each_train_as_alone(populations: LivePopulations) -> None:
    first = live_trainer(student(0.03, (4, 2)), populations)
    second = live_trainer(student(0.01, (3,), activation="relu", seed=2), populations)
    trainers = [first, second]
    try:
        first.start()
        second.start()
        wait_for_epoch(first, 15)
        late = live_trainer(student(0.1, (5, 5, 2), seed=3), populations)  # joins late
        trainers.append(late)
        late.start()
        second.pause()
        wait_for_epoch(first, 25)
        first.set_learning_rate(0.003)  # from the next chunk on
        second.resume()
        wait_for_epoch(late, 20)
        late.close()  # leaves
        wait_for_epoch(second, 30)
        wait_for_epoch(first, 40)
        first.pause()
        second.pause()
        first.wait()
        second.wait()
        trained = sum(len(trainer.history) for trainer in trainers)
        assert populations.members_stepped >= trained / 2, "most epochs are stepped together"
        assert {row["learning_rate"] for row in first.history} == {0.03, 0.003}
        for trainer in (first, second, late):
            assert len(trainer.history) >= 20
            expected = lone_replay(trainer)
            deviation = np.max(np.abs(losses(trainer) - expected) / np.abs(expected))
            assert deviation <= TOLERANCE, f"{trainer.spec.network.layers}: {deviation}"
    finally:
        for trainer in trainers:
            trainer.close()


@pytest.mark.parametrize("dataset", ["xor", "spiral-multi"])  # a sigmoid output, a softmax output
def test_members_of_one_network_on_its_own_program_train_as_alone(dataset: str) -> None:
    """A class given one push: the same network, each student's own rate, on the network's program."""
    populations = LivePopulations()
    spec = student(0.03, (3, 3), activation="relu").replace(dataset=DatasetSpec(dataset))
    trainers = [
        live_trainer(
            spec.replace(training=dataclasses.replace(spec.training, learning_rate=rate, seed=seed)),
            populations,
            envelope=False,
        )
        for rate, seed in ((0.03, 1), (0.01, 2), (0.1, 3))
    ]
    populations.compile_for(trainers[0].loop, capacities=[4])  # as a worker does for the default experiment
    try:
        for trainer in trainers:
            trainer.start()
        for trainer in trainers:
            wait_for_epoch(trainer, 15)
            trainer.pause()
            trainer.wait()
        assert populations.members_stepped >= sum(len(trainer.history) for trainer in trainers) / 2
        for trainer in trainers:
            expected = lone_replay(trainer)
            np.testing.assert_allclose(losses(trainer), expected, rtol=TOLERANCE)
    finally:
        for trainer in trainers:
            trainer.close()


def test_a_member_that_diverges_ends_as_it_would_alone() -> None:
    def regression(rate: float) -> ExperimentSpec:  # plain SGD on linear layers diverges from a rate of 0.008
        spec = student(rate, (4, 2), activation="linear")
        training = dataclasses.replace(spec.training, optimizer="sgd")
        return spec.replace(dataset=DatasetSpec("reg-plane"), training=training)

    spec = regression(0.001)
    populations = LivePopulations()  # compiling in the background, as in a worker: but compiled ahead, as there
    populations.compile_for(compile_envelope_for(spec), capacities=[4])
    calm, wild = live_trainer(spec, populations), live_trainer(spec, populations)
    alone = Trainer(spec, envelope=True)
    try:
        calm.start()
        wild.start()
        wait_for_epoch(wild, 10)
        assert populations.members_stepped >= 10, "compiled ahead: the two step together from their first epochs"
        stepped = populations.members_stepped
        wild.set_learning_rate(1.0)
        assert wild.wait(("diverged",), timeout=60) == "diverged"
        wait_for_epoch(calm, len(wild.history) + 5)
        assert populations.members_stepped > stepped
        assert calm.state == "running"
        # The same run alone: epochs at the first rate, then at the wild one until it diverges.
        calm_epochs = sum(row["learning_rate"] == 0.001 for row in wild.history)
        for _ in range(calm_epochs):
            alone.step_epoch()
            alone.wait()
        alone.set_learning_rate(1.0)
        while alone.state != "diverged":
            alone.step_epoch()
            alone.wait(("paused", "diverged"))
        assert (wild.message, wild.position) == (alone.message, alone.position)
        np.testing.assert_allclose(losses(wild), losses(alone), rtol=TOLERANCE)
    finally:
        for trainer in (calm, wild, alone):
            trainer.close()


def test_only_whole_epochs_of_envelope_loops_without_dropout_step_together() -> None:
    spec = student(0.01, (4, 2))
    data = training_data(spec)
    loop = training_loop(build_model(spec, data), data, spec)
    whole = loop.batches_per_epoch
    assert _group_key(loop, 0, whole) is not None
    assert _group_key(loop, 3, whole) is None  # a step by batch left it mid-epoch
    assert _group_key(loop, 0, 1) is None  # Step batch
    dropped = spec.replace(
        network=dataclasses.replace(
            spec.network, layers=(*spec.network.layers[:1], LayerSpec("Dropout", rate=0.2), *spec.network.layers[1:])
        )
    )
    data = training_data(dropped)
    assert _group_key(training_loop(build_model(dropped, data), data, dropped), 0, whole) is None
    assert _group_key(loop.population_maths([2]), 0, whole) is None  # a population's maths is not a member
    own = TrainingLoop(build_model(spec, data), data, spec.training)
    assert _group_key(own, 0, own.batches_per_epoch) is not None
    data = training_data(dropped)
    assert _group_key(TrainingLoop(build_model(dropped, data), data, dropped.training), 0, whole) is None


def test_groups_nobody_asks_in_any_more_are_let_go_with_their_stacked_data(monkeypatch) -> None:
    """A class that left keeps nothing: its group, and the stacked data holding its loops."""
    populations = LivePopulations()
    monkeypatch.setattr(populations, "_step", lambda key, asks: [None] * len(asks))  # the bookkeeping only
    loops = []
    for batch_size in (10, 20):  # two kinds of member: two groups
        spec = student(0.01, (4, 2))
        spec = spec.replace(training=dataclasses.replace(spec.training, batch_size=batch_size))
        data = training_data(spec)
        loops.append(training_loop(build_model(spec, data), data, spec))
    first, second = loops
    first_key = _group_key(first, 0, first.batches_per_epoch)
    assert populations.run(first, 0, 0, first.batches_per_epoch, [0.01]) is None
    populations._constants[(*first_key, 0)] = ((first,), None)
    assert list(populations._groups) == [first_key]
    time.sleep(RECENT_SECONDS + 0.05)
    assert populations.run(second, 0, 0, second.batches_per_epoch, [0.01]) is None
    assert list(populations._groups) == [_group_key(second, 0, second.batches_per_epoch)]
    assert not populations._constants


def test_each_ticks_members_take_their_rows_of_data_and_settings_stacked_once(populations: LivePopulations) -> None:
    """Ticks that step a different few of a class's members take each one's data and settings from
    one stack of them all: the same arguments as stacking that tick's members afresh."""
    from playground.engine.live_population import _Ask, _stacked_inputs

    loops = []
    for seed, rate in ((1, 0.03), (2, 0.01), (3, 0.1)):
        spec = student(rate, (4, 2), seed=seed)
        spec = spec.replace(dataset=dataclasses.replace(spec.dataset, seed=seed))
        data = training_data(spec)
        loops.append(training_loop(build_model(spec, data), data, spec))
    key = ("a class", 0)
    stacks = []
    for members in ([0, 1, 2], [2, 0], [1], [0, 2, 1]):
        asks = [_Ask(loops[i], 0, 0.01) for i in members]
        taken = populations._inputs(key, asks, 4)
        fresh = _stacked_inputs(asks, 4)
        for got, want in zip(taken[3:-1], fresh[3:-1]):  # the data tensors
            np.testing.assert_array_equal(got.numpy(), want.numpy())
        assert taken[-1].keys() == fresh[-1].keys()
        for name in fresh[-1]:  # each member's own settings
            np.testing.assert_array_equal(taken[-1][name].numpy(), fresh[-1][name].numpy())
        stacks.append(populations._constants[key])
    assert all(stack is stacks[0] for stack in stacks), "stacked once, for the first tick"
