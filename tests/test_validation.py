"""Validation: every bad config gets a message naming the field, the value and what to do."""

import dataclasses

import pytest

from playground.spec import DatasetSpec, ExperimentSpec, LayerSpec, NetworkSpec
from playground.validation import validate

BASE = ExperimentSpec()
DIGITS = ExperimentSpec(
    dataset=DatasetSpec("digits"),
    network=NetworkSpec(features=(), layers=(LayerSpec("Flatten"), LayerSpec("Dense", units=16, activation="relu"))),
)


def data(**changes):
    return dataclasses.replace(BASE, dataset=dataclasses.replace(BASE.dataset, **changes))


def net(base=BASE, **changes):
    return dataclasses.replace(base, network=dataclasses.replace(base.network, **changes))


def train(**changes):
    return dataclasses.replace(BASE, training=dataclasses.replace(BASE.training, **changes))


def conv(**changes):
    values = dict(filters=6, kernel_size=5, strides=1, padding="valid", activation="tanh")
    values.update(changes)
    return LayerSpec("Conv2D", **values)


BAD = [
    (data(name="cirlce"), "dataset.name", "Dataset 'cirlce' is not one we know"),
    (data(noise=80), "dataset.noise", "from 0 to 50, but got 80"),
    (data(noise=-1), "dataset.noise", "got -1"),
    (data(train_ratio=0.95), "dataset.train_ratio", "a number from 0.1 to 0.9"),
    (data(seed=-3), "dataset.seed", "got -3"),
    (data(samples=5), "dataset.samples", "from 20 to"),
    (data(name="spiral-multi", classes=7), "dataset.classes", "arms must be a whole number from 3 to 5, but got 7"),
    (data(padding=2), "dataset.padding", "only applies to images"),
    (data(name="csv"), "dataset", "needs a file"),
    (net(features=()), "network.features", "at least one input feature"),
    (net(features=("x1", "x3")), "network.features", "Input feature 'x3'"),
    (net(features=("x1", "x1")), "network.features", "listed twice"),
    (net(DIGITS, features=("x1",)), "network.features", "only apply to 2-D datasets"),
    (net(layers=(conv(),)), "network.layers[1]", "Layer 1 (Conv2D) needs image input, but gets 2 numbers per sample"),
    (
        net(DIGITS, layers=(LayerSpec("Dense", units=8, activation="relu"),)),
        "network.layers[1]",
        "Add a Flatten layer before it",
    ),
    (
        net(DIGITS, layers=(conv(kernel_size=9), LayerSpec("Flatten"))),
        "network.layers[1]",
        "9x9 window but its input is only 8x8",
    ),
    (net(DIGITS, layers=(conv(kernel_size=3),)), "network.output", "Add a Flatten layer at the end"),
    (
        net(layers=(LayerSpec("Dense", units=0, activation="relu"),)),
        "network.layers[1]",
        "units must be a whole number from 1 to 4,096, but got 0",
    ),
    (net(layers=(LayerSpec("Dense", units=4, activation="relux"),)), "network.layers[1]", "activation 'relux'"),
    (net(layers=(LayerSpec("Dropout", rate=1.5),)), "network.layers[1]", "at least 0 and below 1, but got 1.5"),
    (net(layers=(LayerSpec("Dropout", rate=0.2, units=3),)), "network.layers[1]", "Dropout) has no setting 'units'"),
    (net(layers=(LayerSpec("Dense3D"),)), "network.layers[1]", "layer type 'Dense3D'"),
    (net(layers=(LayerSpec("Dense", units=8, activation="relu"),) * 17), "network.layers", "the limit is 16"),
    (net(layers=(LayerSpec("Dense", units=4096, activation="relu"),) * 2), "network.layers", "the limit is 5,000,000"),
    (net(output_activation="tanh"), "network.output_activation", "needs a sigmoid output"),
    (net(output_activation="wobbly"), "network.output_activation", "Output activation 'wobbly'"),
    (train(optimizer="adamm"), "training.optimizer", "Optimizer 'adamm'"),
    (train(learning_rate=0), "training.learning_rate", "from 0.00001 to 10, but got 0"),
    (train(learning_rate=float("nan")), "training.learning_rate", "but got nan"),
    (train(batch_size=0), "training.batch_size", "from 1 to 250 (the training-set size), but got 0"),
    (train(batch_size=251), "training.batch_size", "but got 251"),
    (train(batch_size=2.5), "training.batch_size", "but got 2.5"),
    (train(epochs=100_001), "training.epochs", "from 1 to 100,000"),
    (train(loss="hinge"), "training.loss", "Loss 'hinge'"),
    (train(weight_init="ones"), "training.weight_init", "Weight init 'ones'"),
    (train(seed=-1), "training.seed", "got -1"),
    (train(shuffle="yes"), "training.shuffle", "true or false"),
    (
        train(regularization=dataclasses.replace(BASE.training.regularization, kind="l3")),
        "training.regularization.kind",
        "Regularization 'l3'",
    ),
    (
        train(regularization=dataclasses.replace(BASE.training.regularization, rate=-1.0)),
        "training.regularization.rate",
        "from 0 to 10",
    ),
    (
        train(schedule=dataclasses.replace(BASE.training.schedule, kind="warp")),
        "training.schedule.kind",
        "schedule 'warp'",
    ),
    (train(schedule=dataclasses.replace(BASE.training.schedule, factor=2.0)), "training.schedule.factor", "at most 1"),
]


@pytest.mark.parametrize("spec, field, message", BAD, ids=[f"{i}-{b[1]}" for i, b in enumerate(BAD)])
def test_bad_config_has_clear_message(spec, field, message):
    problems = validate(spec)
    matching = [p for p in problems if p.field == field]
    assert matching, f"no problem for {field}; got {problems}"
    assert any(message in p.message for p in matching), [p.message for p in matching]


def test_at_least_25_bad_configs():
    assert len(BAD) >= 25


def test_every_problem_is_reported_at_once():
    spec = dataclasses.replace(
        train(batch_size=0, optimizer="nope", epochs=0), network=dataclasses.replace(BASE.network, features=("x9",))
    )
    fields = {p.field for p in validate(spec)}
    assert {"training.batch_size", "training.optimizer", "training.epochs", "network.features"} <= fields


def test_presets_and_default_are_valid():
    from playground.presets import PRESETS

    assert validate(BASE) == []
    for preset in PRESETS.values():
        assert validate(preset.spec) == [], preset.name
