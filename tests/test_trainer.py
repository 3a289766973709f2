"""The live training engine: commands, exact steps, live learning rate, divergence, determinism, isolation."""

import dataclasses
import time

import numpy as np
import pytest

from playground.engine.trainer import InvalidSpec, Trainer
from playground.spec import DatasetSpec, ExperimentSpec, LayerSpec, NetworkSpec, TrainingSpec


def image_spec(dataset, layers, **training):
    """An image experiment: no 2-D features, the given stack, Adam by default."""
    settings = dict(optimizer="adam", learning_rate=0.01, batch_size=32)
    settings.update(training)
    return ExperimentSpec(
        dataset=DatasetSpec(dataset),
        network=NetworkSpec(features=(), layers=tuple(layers)),
        training=TrainingSpec(**settings),
    )


def make(epochs=20, **training):
    spec = ExperimentSpec(training=dataclasses.replace(TrainingSpec(epochs=epochs), **training))
    trainer = Trainer(spec)
    assert trainer.wait_until_ready(60)  # compiled, so timings below measure training
    return trainer


def test_a_pause_says_paused_only_once_the_chunk_in_flight_has_ended(monkeypatch):
    """A page that shows "paused" shows the last epoch: the epoch moves no more after the state
    says so (the chunk in flight finishes first, as "running")."""
    import threading

    trainer = make(epochs=100_000, learning_rate=0.003)
    assert trainer.wait_until_ready(60)
    in_chunk, chunk_may_end = threading.Event(), threading.Event()
    run = trainer.loop.run

    def held_chunk(*args):
        in_chunk.set()
        chunk_may_end.wait(30)
        return run(*args)

    monkeypatch.setattr(trainer.loop, "run", held_chunk)
    try:
        trainer.start()
        assert in_chunk.wait(30)
        trainer.pause()
        assert trainer.state == "running" and not trainer.idle  # the chunk in flight still trains
        chunk_may_end.set()
        assert trainer.wait(("paused",), 30) == "paused"
        paused_at = trainer.position
        time.sleep(0.3)
        assert trainer.state == "paused" and trainer.position == paused_at and paused_at[0] > 0
        trainer.start()  # Resume; and a Resume right after a Pause keeps it running
        trainer.pause()
        trainer.start()
        time.sleep(0.3)
        assert trainer.state == "running" and trainer.position[0] > paused_at[0]
    finally:
        chunk_may_end.set()
        trainer.close()


def test_invalid_spec_is_refused_with_problems():
    with pytest.raises(InvalidSpec) as error:
        Trainer(ExperimentSpec(training=TrainingSpec(batch_size=0)))
    assert error.value.problems[0].field == "training.batch_size"


def test_state_machine_start_pause_resume_stop_reset():
    trainer = make(epochs=100_000, learning_rate=0.003)
    try:
        assert trainer.state == "ready"
        trainer.start()
        assert trainer.state == "running"
        time.sleep(0.3)
        trainer.pause()
        assert trainer.wait(("paused",), 5) == "paused"
        paused_at = trainer.position
        time.sleep(0.2)
        assert trainer.position == paused_at and paused_at[0] > 0
        trainer.resume()
        time.sleep(0.2)
        trainer.stop()
        assert trainer.wait(("stopped",), 5) == "stopped"
        assert trainer.position[0] > paused_at[0]
        trainer.reset()
        assert trainer.state == "ready" and trainer.position == (0, 0) and trainer.history == []
    finally:
        trainer.close()


def test_stop_takes_effect_within_half_a_second_on_big_data():
    spec = image_spec(
        "mnist",
        [LayerSpec("Flatten"), LayerSpec("Dense", units=64, activation="relu")],
        epochs=1000,
        batch_size=8,
        learning_rate=0.001,
    )
    trainer = Trainer(spec)
    try:
        trainer.wait_until_ready(60)
        trainer.start()
        time.sleep(1.0)
        started = time.perf_counter()
        trainer.stop()
        trainer.wait(("stopped",), 10)
        assert time.perf_counter() - started < 0.5 + 0.5  # generous bound on a shared machine
    finally:
        trainer.close()


def test_step_batch_and_epoch_are_exact():
    trainer = make(epochs=5, batch_size=7)  # 250 training points: 35 full batches and one of 5
    try:
        assert trainer.batches_per_epoch == 36
        trainer.step_batch()
        trainer.wait()
        assert trainer.position == (0, 1) and trainer.history == []
        trainer.step_epoch()
        trainer.wait()
        assert trainer.position == (1, 0) and len(trainer.history) == 1
        trainer.step_epoch()
        trainer.wait()
        assert trainer.position == (2, 0) and [row["epoch"] for row in trainer.history] == [1, 2]
    finally:
        trainer.close()


def test_stepping_matches_running_straight_through():
    stepped, straight = make(epochs=2), make(epochs=2)
    try:
        for _ in range(3):
            stepped.step_batch()
            stepped.wait()
        stepped.step_epoch()
        stepped.wait()
        stepped.step_epoch()
        stepped.wait()
        straight.run_to_end()
        assert np.allclose(stepped.history[-1]["test_loss"], straight.history[-1]["test_loss"], rtol=1e-5)
    finally:
        stepped.close()
        straight.close()


def test_each_epoch_sees_every_example_once():
    from playground.engine.training_loop import epoch_order

    order = epoch_order(0, 3, 250)
    assert sorted(order) == list(range(250))
    assert not np.array_equal(order, epoch_order(0, 4, 250))
    assert np.array_equal(epoch_order(0, 4, 250, shuffle=False), np.arange(250))


def test_learning_rate_changes_mid_run_without_losing_state():
    trainer = make(epochs=4)
    try:
        trainer.step_epoch()
        trainer.wait()
        weights = [w.copy() for w in trainer.model.get_weights()]
        trainer.set_learning_rate(0.3)
        trainer.step_epoch()
        trainer.wait()
        rates = [row["learning_rate"] for row in trainer.history]
        assert rates == pytest.approx([0.03, 0.3])
        assert any(not np.allclose(a, b) for a, b in zip(weights, trainer.model.get_weights()))
    finally:
        trainer.close()


def test_divergence_stops_and_keeps_last_good_weights():
    spec = ExperimentSpec(
        dataset=DatasetSpec("reg-plane"),
        network=NetworkSpec(layers=(LayerSpec("Dense", units=8, activation="relu"),) * 3),
        training=TrainingSpec(learning_rate=10.0, epochs=50),
    )
    trainer = Trainer(spec)
    try:
        assert trainer.run_to_end(60) == "diverged"
        assert (
            "too high" in trainer.message and "learning rate of 10" in trainer.message and "try 0.1" in trainer.message
        )
        assert all(np.all(np.isfinite(w)) for w in trainer.model.get_weights())
        epoch, batch = trainer.position
        # The kept weights are those after the last good step: replaying that many steps gives them again.
        replay = Trainer(spec)
        for _ in range(epoch * replay.batches_per_epoch + batch):
            replay.step_batch()
        replay.wait(timeout=60)
        assert all(np.array_equal(a, b) for a, b in zip(trainer.model.get_weights(), replay.model.get_weights()))
        replay.close()
    finally:
        trainer.close()


def test_same_spec_same_history():
    first, second = make(epochs=15, batch_size=16, shuffle=True), make(epochs=15, batch_size=16, shuffle=True)
    try:
        first.run_to_end()
        second.run_to_end()
        assert [r["test_loss"] for r in first.history] == [r["test_loss"] for r in second.history]
    finally:
        first.close()
        second.close()


@pytest.mark.slow
def test_three_trainers_in_parallel_equal_sequential():
    specs = [
        ExperimentSpec(dataset=DatasetSpec(name), training=TrainingSpec(epochs=30, seed=seed))
        for name, seed in (("circle", 1), ("xor", 2), ("gauss", 3))
    ]
    sequential = []
    for spec in specs:
        trainer = Trainer(spec)
        trainer.run_to_end()
        sequential.append([r["test_loss"] for r in trainer.history])
        trainer.close()
    trainers = [Trainer(spec) for spec in specs]
    for trainer in trainers:
        trainer.start()
    parallel = []
    for trainer in trainers:
        trainer.wait(("finished",), 60)
        parallel.append([r["test_loss"] for r in trainer.history])
        trainer.close()
    assert parallel == sequential


def test_snapshot_for_2d_data():
    trainer = make(epochs=5)
    try:
        trainer.run_to_end()
        _, snapshot = trainer.snapshots.latest()
        assert snapshot.epoch == 5
        assert snapshot.grid.shape == (100, 100)
        assert [g.shape for g in snapshot.neuron_grids] == [(4, 25, 25), (2, 25, 25)]
        assert len(snapshot.histograms) == 3 and all(len(h["weights"][1]) == 31 for h in snapshot.histograms)
        assert len(snapshot.gradient_norms) == 3
        assert snapshot.confusion.sum() == 250
        assert snapshot.probe_outputs.shape == (8, 1)
        assert [k.shape for k, _ in snapshot.weights] == [(2, 4), (4, 2), (2, 1)]
        frames = trainer.snapshots.histogram_frames()
        assert frames and frames[-1][0] == 5
    finally:
        trainer.close()


def test_snapshot_for_images():
    spec = image_spec("digits", [LayerSpec("Flatten"), LayerSpec("Dense", units=16, activation="relu")], epochs=2)
    trainer = Trainer(spec)
    try:
        trainer.run_to_end()
        _, snapshot = trainer.snapshots.latest()
        assert snapshot.grid is None and snapshot.neuron_grids is None
        assert snapshot.probe_outputs.shape == (8, 10)
        assert np.allclose(snapshot.probe_outputs.sum(axis=1), 1, atol=1e-5)
        assert snapshot.confusion.shape == (10, 10) and snapshot.confusion.sum() == len(trainer.data.x_test)
        # any test samples the user picks: their outputs come from the same snapshot, no new pass
        assert snapshot.test_outputs.shape == (len(trainer.data.x_test), 10)
        assert np.array_equal(snapshot.outputs_for(None), snapshot.probe_outputs)
        assert np.array_equal(snapshot.outputs_for(snapshot.probe_indices), snapshot.probe_outputs)
        assert np.allclose(snapshot.outputs_for([3, 0]), trainer.predict(trainer.data.x_test[[3, 0]]), atol=1e-5)
    finally:
        trainer.close()


def test_close_releases_the_thread():
    trainer = make(epochs=100_000)
    trainer.start()
    time.sleep(0.2)
    thread = trainer._thread
    trainer.close()
    assert not thread.is_alive()
    assert trainer.model is None


def test_slot_closes_trainer_when_session_state_goes():
    import gc

    from playground.web.live.trainer_slot import TrainerSlot

    slot = TrainerSlot()
    trainer = slot.get(ExperimentSpec())
    thread = trainer._thread
    del slot
    gc.collect()
    thread.join(5)
    assert not thread.is_alive()


def test_batch_norm_and_dropout_train_in_the_compiled_loop():
    spec = image_spec(
        "digits",
        [
            LayerSpec("Flatten"),
            LayerSpec("Dense", units=32, activation="relu"),
            LayerSpec("BatchNormalization"),
            LayerSpec("Dropout", rate=0.2),
        ],
        epochs=5,
    )
    trainer = Trainer(spec)
    try:
        assert trainer.run_to_end(120) == "finished"
        assert trainer.history[-1]["test_accuracy"] > 0.8
        moving_mean = [v for v in trainer.model.non_trainable_variables if "moving_mean" in v.path][0]
        assert np.any(np.asarray(moving_mean) != 0)  # BatchNorm's running statistics were updated
    finally:
        trainer.close()


def test_wait_for_first_epoch_returns_once_the_first_row_is_in():
    from playground.presets import load_preset

    trainer = Trainer(load_preset("xor"))
    try:
        assert trainer.wait_for_first_epoch(0.1) is False  # not running: returns at once, nothing to wait for
        trainer.wait_until_ready(60)
        trainer.start()
        assert trainer.wait_for_first_epoch(5.0)
        assert trainer.history[0]["epoch"] == 1
    finally:
        trainer.close()


def test_slot_without_compiling_ahead_compiles_when_training_starts():
    from playground.presets import load_preset
    from playground.web.live.trainer_slot import TrainerSlot

    slot = TrainerSlot(compile_ahead=False)
    spec = load_preset("xor")
    spec = spec.replace(training=dataclasses.replace(spec.training, epochs=5))
    try:
        trainer = slot.get(spec)
        assert trainer.wait_until_ready(1.0)  # nothing compiled ahead
        trainer.start()
        assert trainer.wait(("finished",), 120) == "finished" and len(trainer.history) == 5
    finally:
        slot.close()


def test_sessions_with_the_same_architecture_share_one_compiled_program():
    from playground.engine.training_loop import PROGRAMS

    layers = (
        LayerSpec("Dense", units=5, activation="relu"),
        LayerSpec("Dense", units=3, activation="sigmoid"),
    )  # shapes no other test uses
    spec = ExperimentSpec(network=NetworkSpec(layers=layers), training=TrainingSpec(epochs=30, learning_rate=0.003))
    fast_spec = spec.replace(training=dataclasses.replace(spec.training, learning_rate=0.1))
    built = PROGRAMS.built
    slow, fast = Trainer(spec), Trainer(fast_spec)  # two sessions: the same preset, learning rates of their own
    try:
        assert slow.wait_until_ready(60) and fast.wait_until_ready(60)
        assert PROGRAMS.built - built == 3  # the training loop, the views and the gradient norms: traced once for both
        slow.start(), fast.start()  # at the same time, on the one program
        assert slow.wait(("finished",), 120) == "finished" and fast.wait(("finished",), 120) == "finished"
        assert slow.history != fast.history
        programs = (slow.loop._program(), slow.snapshot_maker._forward, slow.snapshot_maker._norms)
        assert programs == (fast.loop._program(), fast.snapshot_maker._forward, fast.snapshot_maker._norms)
        assert [program.experimental_get_tracing_count() for program in programs] == [
            1,
            1,
            1,
        ]  # no retracing, whatever the input count
        shared = [slow.history, fast.history]
        grids = [slow.snapshots.latest()[1].grid, fast.snapshots.latest()[1].grid]
    finally:
        slow.close(), fast.close()
    PROGRAMS.clear()  # each alone, with programs of its own
    for alone_spec, history, grid in zip((spec, fast_spec), shared, grids):
        alone = Trainer(alone_spec)
        try:
            alone.run_to_end()
            assert alone.history == history  # exactly: sharing a program changes nothing in the maths
            assert np.array_equal(alone.snapshots.latest()[1].grid, grid)
        finally:
            alone.close()
            PROGRAMS.clear()


def test_a_class_training_different_networks_gets_no_retracing_warning(caplog):
    """Each architecture's programs are traced once; TensorFlow would count them as one function
    retracing (issue 11 saw "5 out of the last 6 calls ... triggered tf.function retracing")."""
    caplog.set_level("WARNING")
    trainers = []
    try:
        for units in range(2, 9):  # seven sessions, seven architectures, one after another
            layers = (
                LayerSpec("Dense", units=units, activation="tanh"),
                LayerSpec("Dense", units=2, activation="relu"),
            )
            trainer = Trainer(
                ExperimentSpec(network=NetworkSpec(layers=layers), training=TrainingSpec(epochs=2)), warm_up=False
            )
            trainers.append(trainer)
            assert trainer.run_to_end(60) == "finished"
    finally:
        for trainer in trainers:
            trainer.close()
    assert not [r for r in caplog.records if "retracing" in r.getMessage()]


def test_the_programs_optimizer_step_equals_keras_own():
    import keras
    import tensorflow as tf

    from playground.engine.training_loop import stateless_apply
    from playground.optimizers import OPTIMIZERS

    x = tf.constant(np.random.default_rng(0).normal(size=(16, 2)).astype("float32"))
    for name in OPTIMIZERS:
        keras.utils.set_random_seed(0)
        ours = keras.Sequential(
            [
                keras.Input((2,)),
                keras.layers.Dense(4, activation="tanh", kernel_regularizer="l2"),
                keras.layers.Dense(1),
            ]
        )
        theirs = keras.models.clone_model(ours)
        theirs.set_weights(ours.get_weights())
        ours_optimizer, theirs_optimizer = OPTIMIZERS[name].build(0.05), OPTIMIZERS[name].build(0.05)
        ours_optimizer.build(ours.trainable_variables), theirs_optimizer.build(theirs.trainable_variables)
        trainable, optimizer_state = (
            [v.value for v in ours.trainable_variables],
            [v.value for v in ours_optimizer.variables],
        )
        for _ in range(3):
            with tf.GradientTape() as tape:
                tape.watch(trainable)
                p, _, losses = ours.stateless_call(trainable, [], x, return_losses=True)
                loss = tf.reduce_mean(p**2) + tf.add_n(losses)
            trainable, optimizer_state = stateless_apply(
                ours_optimizer, optimizer_state, tape.gradient(loss, trainable), trainable
            )
            with tf.GradientTape() as tape:
                loss = tf.reduce_mean(theirs(x) ** 2) + tf.add_n(theirs.losses)
            theirs_optimizer.apply(tape.gradient(loss, theirs.trainable_variables), theirs.trainable_variables)
        for value, variable in zip(
            trainable + optimizer_state, theirs.trainable_variables + theirs_optimizer.variables
        ):
            np.testing.assert_allclose(value.numpy(), variable.numpy(), rtol=1e-6, atol=1e-7, err_msg=name)


def test_the_keras_model_holds_the_newest_weights_whenever_it_is_read():
    """The loop keeps its state as tensors between calls; the model is brought up to date when
    training rests, and by `predict` and `model_bytes` while it runs."""
    from playground.model_files import load_model_bytes

    spec = ExperimentSpec(training=TrainingSpec(epochs=100_000))
    trainer = Trainer(spec, snapshots=False)  # as the CLI trains: no snapshot reads the model meanwhile
    try:
        x = trainer.data.x_test[:20]
        initial = np.asarray(trainer.model(x))
        trainer.start()
        assert trainer.wait_for_first_epoch(10)
        time.sleep(0.2)
        assert not np.allclose(trainer.predict(x), initial)  # the newest weights, mid-run
        trainer.pause()
        trainer.wait()
        resting = np.asarray(trainer.model(x))  # Keras's own call, with no help from the trainer
        assert np.array_equal(resting, trainer.predict(x))
        assert np.allclose(np.asarray(load_model_bytes(trainer.model_bytes())(x)), resting, atol=1e-6)
    finally:
        trainer.close()


def test_an_epoch_done_is_a_change_before_its_views_are():
    """A page (or a worker's publisher) waiting for a change sees the new epoch before a full
    snapshot of the views is made (tens of milliseconds), not after it."""
    trainer = Trainer(ExperimentSpec(training=TrainingSpec(epochs=3)))
    try:
        assert trainer.wait_until_ready(60)
        seen = []
        trainer.changes.listen(lambda: seen.append((trainer.position[0], trainer.snapshots.latest()[0])))
        version = trainer.snapshots.latest()[0]
        trainer.step_epoch()
        trainer.wait()
        assert (1, version) in seen  # epoch 1 shown while the snapshot was still the one before it
        assert trainer.snapshots.latest()[0] > version
    finally:
        trainer.close()
