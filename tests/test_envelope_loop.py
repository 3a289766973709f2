"""The envelope program: every playground-scale network trains in one compiled program, exactly
as its own per-architecture program would, and editing the network never traces again."""

from __future__ import annotations

import dataclasses

import keras
import numpy as np
import pytest

from playground.activations import ACTIVATIONS
from playground.engine.envelope import HIDDEN_LAYERS, INPUT_FEATURES, WIDTH, envelope_layout
from playground.engine.envelope_loop import EnvelopeLoop, bucket, compile_envelope, training_loop
from playground.engine.snapshot_maker import SnapshotMaker
from playground.engine.trainer import Trainer
from playground.engine.training_loop import PROGRAMS, TrainingLoop
from playground.model_builder import build_model
from playground.model_files import load_model_bytes
from playground.schedules import learning_rate_at
from playground.spec import (
    DatasetSpec,
    ExperimentSpec,
    LayerSpec,
    NetworkSpec,
    RegularizationSpec,
    ScheduleSpec,
    TrainingSpec,
)
from playground.training_data import training_data

EPOCHS = 200
NETWORKS = 1  # the bench compares 30
TOLERANCE = 1e-5  # relative, per epoch, on the train and test losses


def history(loop: TrainingLoop, training: TrainingSpec, epochs: int = EPOCHS) -> np.ndarray:
    """Train and test loss of every epoch, trained the way `Trainer` calls the loop."""
    rows: list = []
    epoch = 0
    while epoch < epochs:
        rates = [learning_rate_at(training.schedule, training.learning_rate, epoch + i, epochs) for i in range(257)]
        result = loop.run(epoch, 0, loop.batches_per_epoch * (epochs - epoch), rates)
        rows += list(result.metrics[: result.epochs_done, :2])
        epoch = result.epoch
        assert result.diverged_at is None
    return np.asarray(rows)


def random_spec(rng: np.random.Generator, optimizer: str, dataset: str | None = None) -> ExperimentSpec:
    """A network inside the envelope: depth, widths, activations, features, schedule and penalty at random."""
    activations = [name for name in ACTIVATIONS if name != "linear"]
    layers = tuple(
        LayerSpec("Dense", units=int(rng.integers(1, WIDTH + 1)), activation=str(rng.choice(activations)))
        for _ in range(int(rng.integers(0, HIDDEN_LAYERS + 1)))
    )
    features = tuple(str(f) for f in rng.choice(INPUT_FEATURES, int(rng.integers(1, 8)), replace=False))
    kind = str(rng.choice(["none", "l1", "l2"]))
    return ExperimentSpec(
        dataset=DatasetSpec(dataset or str(rng.choice(["circle", "xor", "gauss", "reg-plane", "spiral-multi"]))),
        network=NetworkSpec(features=features, layers=layers),
        training=TrainingSpec(
            optimizer=optimizer,
            learning_rate=float(rng.choice([0.003, 0.01, 0.03])),
            batch_size=10,
            regularization=RegularizationSpec(kind, 0.0 if kind == "none" else 0.001),
            schedule=ScheduleSpec(str(rng.choice(["constant", "step"])), factor=0.5, every=50),
            seed=int(rng.integers(0, 1000)),
        ),
    )


def deviation(got: np.ndarray, expected: np.ndarray) -> np.ndarray:
    """The largest relative difference of the losses so far, epoch by epoch."""
    return np.maximum.accumulate(np.max(np.abs(got - expected) / np.abs(expected), axis=1))


def allowed_deviation(spec: ExperimentSpec, data, expected: np.ndarray) -> np.ndarray:
    """1e-5, or for a run that float32 rounding alone sends elsewhere (Adam circling a minimum at
    a loss of 1e-5, say) ten times what the same program compiled without XLA drifts from it."""
    graph = history(TrainingLoop(build_model(spec, data), data, spec.training, jit=False), spec.training)
    return np.maximum(TOLERANCE, 10 * deviation(graph, expected))


def test_a_random_network_trains_as_its_own_program_does():
    """Per-epoch losses over 200 epochs equal the per-architecture program's. The comparison over
    30 networks and every optimizer is `bench/envelope_exactness.py`: each optimizer is another
    program to compile (about 20 s), and Adam's steps turn float32 rounding into drift within
    epochs, under any compiler. The program here is the default experiment's, which the next test
    reuses."""
    rng = np.random.default_rng(0)
    for _ in range(NETWORKS):
        spec = random_spec(rng, "sgd", "circle")
        data = training_data(spec)
        layout = envelope_layout(spec, data)
        assert layout is not None, spec
        expected = history(TrainingLoop(build_model(spec, data), data, spec.training), spec.training)
        envelope = EnvelopeLoop(build_model(spec, data), data, spec.training, layout)
        got = history(envelope, spec.training)
        drift = deviation(got, expected)
        if drift[-1] > TOLERANCE:
            assert np.all(drift <= allowed_deviation(spec, data, expected)), (spec, drift)
        # The real model holds the trained weights: its own test loss is the last one recorded.
        envelope.sync()
        loss = envelope.model.evaluate(data.x_test, data.y_test, verbose=0, return_dict=True)["loss"]
        penalty = float(sum(envelope.model.losses)) if envelope.model.losses else 0.0
        assert loss - penalty == pytest.approx(float(got[-1, 1]), rel=1e-4)


def test_editing_the_network_never_traces_again():
    base = ExperimentSpec()
    loop = training_loop(build_model(base, training_data(base)), training_data(base), base)
    assert isinstance(loop, EnvelopeLoop)
    loop.run(0, 0, 1, [0.03])
    program = loop._program()
    traces, built = program.experimental_get_tracing_count(), PROGRAMS.built
    edits = [
        dataclasses.replace(base.network, layers=base.network.layers + (LayerSpec("Dense", units=8),)),  # + layer
        dataclasses.replace(base.network, layers=(LayerSpec("Dense", units=5, activation="tanh"),)),  # − layer
        dataclasses.replace(base.network, layers=(LayerSpec("Dense", units=3, activation="arctan"),) * 6),
        dataclasses.replace(base.network, features=("x1", "x2", "x1^2", "sin_x2")),
        dataclasses.replace(
            base.network, layers=(LayerSpec("Dense", units=4, activation="softmax"), LayerSpec("Dropout", rate=0.3))
        ),
    ]
    specs = [base.replace(network=network) for network in edits] + [
        base.replace(dataset=DatasetSpec("spiral")),
        base.replace(training=dataclasses.replace(base.training, seed=7, learning_rate=0.3)),
        base.replace(training=dataclasses.replace(base.training, regularization=RegularizationSpec("l1", 0.01))),
    ]
    for spec in specs:
        data = training_data(spec)
        edited = training_loop(build_model(spec, data), data, spec)
        assert isinstance(edited, EnvelopeLoop), spec
        result = edited.run(0, 0, edited.batches_per_epoch * 2, [spec.training.learning_rate])
        assert result.epochs_done == 2 and np.all(np.isfinite(result.metrics[:2]))
        assert edited._program() is program
    assert program.experimental_get_tracing_count() == traces and PROGRAMS.built == built


def test_dropout_repeats_with_the_seed_and_changes_with_it():
    def spec_with(seed):
        network = NetworkSpec(layers=(LayerSpec("Dense", units=8), LayerSpec("Dropout", rate=0.5)))
        return ExperimentSpec(network=network, training=TrainingSpec(seed=seed))

    def losses(seed):
        spec = spec_with(seed)
        data = training_data(spec)
        return history(training_loop(build_model(spec, data), data, spec), spec.training, 20)

    assert np.array_equal(losses(1), losses(1)) and not np.array_equal(losses(1), losses(2))


def test_padding_stays_zero_and_the_model_gets_the_real_weights():
    spec = ExperimentSpec(network=NetworkSpec(features=("x2", "sin_x1"), layers=(LayerSpec("Dense", units=3),) * 2))
    data = training_data(spec)
    loop = training_loop(build_model(spec, data), data, spec)
    loop.run(0, 0, loop.batches_per_epoch * 5, [0.1])
    flat = loop.current_state()[0].numpy()
    real = loop.weight_mask(loop.settings()).numpy() > 0
    assert np.all(flat[~real] == 0) and np.count_nonzero(flat[real]) == loop.model.count_params()
    loop.sync()
    assert all(np.array_equal(v.numpy(), w) for v, w in zip(loop.model.trainable_variables, loop.unpadded(flat)))


def test_what_fits_in_the_envelope():
    def layout(**network):
        spec = ExperimentSpec(network=NetworkSpec(**network))
        return envelope_layout(spec, training_data(spec))

    fits = layout(
        features=("x2", "x1"), layers=(LayerSpec("Dense", units=8, activation="relu"), LayerSpec("Dropout", rate=0.2))
    )
    assert fits is not None and fits.input_columns == (1, 0) and fits.widths == (8,) and fits.dropout == (0.2,)
    assert layout(layers=(LayerSpec("Dense", units=9),)) is None  # too wide
    assert layout(layers=(LayerSpec("Dense", units=2),) * 7) is None  # too deep
    assert layout(layers=(LayerSpec("Dropout", rate=0.2), LayerSpec("Dense", units=2))) is None  # dropout first
    image = ExperimentSpec(dataset=DatasetSpec("digits"), network=NetworkSpec(layers=(LayerSpec("Dense", units=4),)))
    assert envelope_layout(image, training_data(image)) is None
    assert [bucket(n) for n in (1, 64, 65, 250, 1024)] == [64, 64, 128, 256, 1024]


def test_a_setting_the_envelope_does_not_know_keeps_the_layers_own_program():
    def loop_for(**dense):
        spec = ExperimentSpec(network=NetworkSpec(layers=(LayerSpec("Dense", units=3, activation="tanh", **dense),)))
        data = training_data(spec)
        return training_loop(build_model(spec, data), data, spec)

    assert isinstance(loop_for(use_bias=True), EnvelopeLoop)  # its default: the envelope's masks represent it
    assert not isinstance(loop_for(use_bias=False), EnvelopeLoop)


def test_the_envelope_draws_the_views_its_network_would():
    layers = (LayerSpec("Dense", units=3, activation="relu"), LayerSpec("Dense", units=5, activation="softmax"))
    spec = ExperimentSpec(network=NetworkSpec(features=("x2", "sin_x1", "x1"), layers=layers))
    data = training_data(spec)
    loop = training_loop(build_model(spec, data), data, spec)
    loop.run(0, 0, loop.batches_per_epoch * 5, [0.1])
    loop.sync()
    model = loop.model
    dense = [layer.output for layer in model.layers if type(layer).__name__ == "Dense"]
    expected = keras.Model(model.inputs, dense)([data.x_test])
    got = loop.views(data.x_test)
    assert [g.shape for g in got] == [(len(data.x_test), 3), (len(data.x_test), 5), (len(data.x_test), 1)]
    for views, keras_outputs in zip(got, expected, strict=True):
        np.testing.assert_allclose(views, keras_outputs, rtol=1e-5, atol=1e-6)
    own = SnapshotMaker(model, data, spec.network.features, TrainingLoop(model, data, spec.training))
    count = min(len(data.x_train), 256)
    norms = loop.gradient_norms(data.x_train[:count], data.y_train[:count])
    np.testing.assert_allclose(norms, own._gradient_norms(), rtol=1e-4)


def exported_model_is_the_trained_one(trainer: Trainer) -> None:
    """The `.keras` file of a network trained on the envelope is a plain Keras model of the
    network as built (no padding), with the trained weights: it gives the last epoch's test loss."""
    data = training_data(trainer.spec)
    loaded = load_model_bytes(trainer.model_bytes())
    assert loaded.count_params() == build_model(trainer.spec, data).count_params()
    loaded.compile(loss=trainer.model.loss)
    loss = loaded.evaluate(data.x_test, data.y_test, verbose=0, return_dict=True)["loss"]
    assert loss == pytest.approx(trainer.history[-1]["test_loss"], rel=1e-4)


def test_a_live_trainer_trains_an_edited_network_at_once_and_traces_nothing():
    PROGRAMS.clear()  # no network's own program compiled: the trainers take the envelope's
    base = ExperimentSpec(training=TrainingSpec(epochs=3))
    data = training_data(base)
    compile_envelope(training_loop(build_model(base, data), data, base))  # what the worker does at start
    built, traces = PROGRAMS.built, PROGRAMS.traces()
    networks = [
        NetworkSpec(features=("x1", "sin_x2", "x2^2"), layers=(LayerSpec("Dense", units=3, activation="elu"),) * 3),
        NetworkSpec(features=("x1x2",), layers=(LayerSpec("Dense", units=7, activation="swish"),)),
        NetworkSpec(features=("x2", "x1"), layers=()),
    ]
    for network in networks:
        trainer = Trainer(base.replace(network=network), envelope=True)
        assert isinstance(trainer.loop, EnvelopeLoop)
        assert trainer.run_to_end() == "finished" and len(trainer.history) == 3
        snapshot = trainer.snapshots.latest()[1]
        widths = [layer.units for layer in network.layers]
        assert [len(grids) for grids in snapshot.neuron_grids or []] == widths
        assert len(snapshot.gradient_norms) == len(widths) + 1 and snapshot.grid.shape == (100, 100)
        exported_model_is_the_trained_one(trainer)
        trainer.close()
    assert (PROGRAMS.built, PROGRAMS.traces()) == (built, traces)
    dropout = NetworkSpec(layers=(LayerSpec("Dense", units=8), LayerSpec("Dropout", rate=0.5)))
    trainer = Trainer(base.replace(network=dropout), warm_up=False, envelope=True)
    assert not isinstance(trainer.loop, EnvelopeLoop)  # Keras's dropout masks: the same run for the same seed
    trainer.close()
