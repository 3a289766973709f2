"""Populations: runs that share an architecture train together in one compiled program, and each
member's history equals that run trained alone."""

import dataclasses

import numpy as np
import pytest

from playground.engine.population import Population, population_key
from playground.engine.trainer import Trainer
from playground.runs.sweep_grid import expand
from playground.runs.sweep_runner import MIN_ENVELOPE_NETWORKS, population_groups
from playground.spec import DatasetSpec, ExperimentSpec, LayerSpec, NetworkSpec, ScheduleSpec, TrainingSpec

METRICS = ("train_loss", "test_loss", "train_accuracy", "test_accuracy")


def training(spec, **changes):
    return spec.replace(training=dataclasses.replace(spec.training, **changes))


def alone(spec) -> Trainer:
    trainer = Trainer(spec, warm_up=False, snapshots=False)
    trainer.run_to_end(120)
    return trainer


def assert_same_history(together: list[dict], solo: list[dict]):
    assert len(together) == len(solo)
    assert [row["epoch"] for row in together] == [row["epoch"] for row in solo]
    assert [row["learning_rate"] for row in together] == [row["learning_rate"] for row in solo]
    for name in METRICS:
        a = np.array([row[name] for row in together], float)
        b = np.array([row[name] for row in solo], float)
        np.testing.assert_allclose(a, b, rtol=1e-4, atol=1e-5, err_msg=name)


def test_runs_differing_only_in_shape_free_settings_share_a_group():
    base = training(ExperimentSpec(), epochs=5)
    same = [
        base,
        training(base, learning_rate=1.0),
        training(base, seed=7),
        training(base, schedule=ScheduleSpec("step", 0.5, 2)),
        base.replace(title="Another title"),
    ]
    assert len({population_key(spec) for spec in same}) == 1
    different = [
        training(base, batch_size=25),
        training(base, optimizer="adam"),
        training(base, epochs=6),
        base.replace(
            network=dataclasses.replace(base.network, layers=(LayerSpec("Dense", units=3, activation="tanh"),))
        ),
        base.replace(dataset=dataclasses.replace(base.dataset, noise=10)),
    ]
    keys = [population_key(spec) for spec in different]
    assert len(set(keys)) == len(keys) and population_key(base) not in keys
    # A penalty's rate is shared-free, its kind is not: "none" is a program without the penalty.
    l2 = [
        training(base, regularization=dataclasses.replace(base.training.regularization, kind="l2", rate=r))
        for r in (0.0, 0.01, 1.0)
    ]
    assert len({population_key(spec) for spec in l2}) == 1 and population_key(l2[0]) != population_key(base)
    convolutional = ExperimentSpec(
        dataset=DatasetSpec("digits"),
        network=NetworkSpec(
            features=(),
            layers=(
                LayerSpec("Conv2D", filters=2, kernel_size=3, strides=1, padding="valid", activation="relu"),
                LayerSpec("Flatten"),
            ),
        ),
    )
    assert population_key(convolutional) is None


def test_sweep_groups_follow_the_keys_in_listed_order():
    base = training(ExperimentSpec(), epochs=5)
    runs = expand(base, {"batch_size": [10, 25], "learning_rate": [0.01, 0.1, 1.0]})
    groups = population_groups(runs)
    assert [[parameters["batch_size"] for parameters, _ in group] for group in groups] == [[10] * 3, [25] * 3]
    assert [parameters["learning_rate"] for parameters, _ in groups[1]] == [0.01, 0.1, 1.0]
    convolutional = ExperimentSpec(
        dataset=DatasetSpec("digits"),
        network=NetworkSpec(
            features=(),
            layers=(
                LayerSpec("Conv2D", filters=2, kernel_size=3, strides=1, padding="valid", activation="relu"),
                LayerSpec("Flatten"),
            ),
        ),
        training=TrainingSpec(epochs=1),
    )
    alone_runs = expand(convolutional, {"learning_rate": [0.01, 0.1]})
    assert [len(group) for group in population_groups(alone_runs)] == [1, 1]


def test_a_mixed_grid_trains_together_exactly_as_alone():
    base = training(ExperimentSpec(), epochs=12)
    grid = expand(base, {"learning_rate": [0.03, 1.0], "seed": [0, 1], "regularization_rate": [0.0, 0.01]})
    specs = [spec for _, spec in grid] + [
        training(base, schedule=ScheduleSpec("exponential", 0.8), regularization=grid[-1][1].training.regularization)
    ]
    population = Population(specs)
    results = population.train()
    for spec, result in zip(specs, results):
        solo = alone(spec)
        try:
            assert (result.state, len(result.history)) == ("finished", 12)
            assert_same_history(result.history, solo.history)
        finally:
            solo.close()
    histories = {tuple(row["test_loss"] for row in result.history) for result in results}
    assert len(histories) == len(specs)  # every member trained its own way


def test_dropout_and_batch_norm_members_match_their_lone_runs():
    layers = (
        LayerSpec("Dense", units=8, activation="relu"),
        LayerSpec("BatchNormalization"),
        LayerSpec("Dropout", rate=0.3),
    )
    base = ExperimentSpec(
        network=NetworkSpec(layers=layers), training=TrainingSpec(epochs=6, optimizer="adam", learning_rate=0.01)
    )
    specs = [training(base, seed=seed) for seed in (0, 3)]
    for spec, result in zip(specs, Population(specs).train()):
        solo = alone(spec)
        try:
            assert_same_history(result.history, solo.history)
        finally:
            solo.close()


def test_a_diverging_member_stops_alone_with_the_lone_runs_message():
    base = ExperimentSpec(
        dataset=DatasetSpec("reg-plane"),
        network=NetworkSpec(layers=(LayerSpec("Dense", units=8, activation="relu"),) * 3),
        training=TrainingSpec(epochs=30),
    )
    specs = [training(base, learning_rate=rate) for rate in (0.01, 10.0)]
    population = Population(specs)
    calm, wild = population.train()
    solo = alone(specs[1])
    try:
        assert (calm.state, len(calm.history)) == ("finished", 30)
        assert wild.state == solo.state == "diverged"
        assert wild.message == solo.message and "try 0.1" in wild.message
        assert_same_history(wild.history, solo.history)
        assert all(np.all(np.isfinite(weights[1])) for weights in population.state)  # the last finite weights are kept
    finally:
        solo.close()


def test_stopping_between_calls_marks_every_member_stopped():
    specs = [training(ExperimentSpec(), epochs=100_000, learning_rate=rate) for rate in (0.01, 0.1)]
    calls = iter([False, True])
    results = Population(specs).train(should_stop=lambda: next(calls))
    assert [result.state for result in results] == ["stopped", "stopped"]
    assert all(0 < len(result.history) < 100_000 for result in results)


def test_stop_ends_training_at_the_next_call_like_a_trainers():
    population = Population([training(ExperimentSpec(), epochs=100_000, learning_rate=rate) for rate in (0.01, 0.1)])
    calls = []

    def note_call():
        calls.append(len(population.results[0].history))
        if len(calls) == 2:
            population.stop()
        return False

    results = population.train(should_stop=note_call)
    assert [result.state for result in results] == ["stopped", "stopped"] and len(calls) == 2


def test_specs_of_different_programs_cannot_form_a_population():
    with pytest.raises(ValueError, match="population_key"):
        Population([ExperimentSpec(), training(ExperimentSpec(), batch_size=25)])


def network(spec, *layers, features=None):
    dense = tuple(LayerSpec("Dense", units=units, activation=activation) for units, activation in layers)
    return spec.replace(
        network=dataclasses.replace(spec.network, layers=dense, features=features or spec.network.features)
    )


def test_a_sweep_over_networks_trains_as_one_population_on_the_envelope_exactly_as_alone():
    base = training(ExperimentSpec(), epochs=15, learning_rate=0.03)
    specs = [
        network(base, (2, "relu")),
        network(base, (8, "tanh"), (3, "sigmoid")),
        network(base, (5, "relu"), features=("x1", "x2", "x1x2")),
        training(
            network(base, (4, "tanh"), (4, "tanh"), (2, "relu")),
            regularization=dataclasses.replace(base.training.regularization, kind="l2", rate=0.01),
            seed=4,
        ),
        training(
            network(base, (6, "sigmoid")),
            regularization=dataclasses.replace(base.training.regularization, kind="l1", rate=0.003),
        ),
    ]
    assert len({population_key(spec) for spec in specs}) == len(specs)
    population = Population(specs)
    assert population.layouts is not None
    for spec, result in zip(specs, population.train()):
        solo = alone(spec)  # on the network's own program
        try:
            assert (result.state, len(result.history)) == ("finished", 15)
            assert_same_history(result.history, solo.history)
        finally:
            solo.close()


def test_a_sweep_over_enough_networks_is_one_group_and_fewer_keep_their_own_programs():
    base = training(ExperimentSpec(), epochs=5)
    many = expand(base, {"units": list(range(1, MIN_ENVELOPE_NETWORKS + 1)), "learning_rate": [0.01, 0.1]})
    assert population_groups(many) == [many]  # one group, on the envelope's program
    assert Population([spec for _, spec in many]).layouts is not None
    few = expand(base, {"units": list(range(1, MIN_ENVELOPE_NETWORKS)), "learning_rate": [0.01, 0.1]})
    assert [[parameters["units"] for parameters, _ in group] for group in population_groups(few)] == [
        [units] * 2 for units in range(1, MIN_ENVELOPE_NETWORKS)
    ]


def test_networks_that_the_envelope_does_not_train_keep_one_group_per_architecture():
    base = training(ExperimentSpec(), epochs=5)
    wide = [network(base, (units, "relu")) for units in (16, 32)]  # wider than the envelope
    with_dropout = [
        base.replace(
            network=dataclasses.replace(
                base.network,
                layers=(LayerSpec("Dense", units=units, activation="relu"), LayerSpec("Dropout", rate=0.2)),
            )
        )
        for units in (2, 4)
    ]
    other_batches = [network(base, (4, "relu")), training(network(base, (2, "relu")), batch_size=25)]
    for specs in (wide, with_dropout, other_batches):
        runs = [({"index": index}, spec) for index, spec in enumerate(specs)]
        assert [len(group) for group in population_groups(runs)] == [1, 1]
        with pytest.raises(ValueError, match="population_key"):
            Population(specs)
    same_network = expand(network(base, (4, "relu")), {"learning_rate": [0.01, 0.1]})
    (group,) = population_groups(same_network)
    assert Population([spec for _, spec in group]).layouts is None  # one architecture: its own program
