"""Mini-batch training compiled into one XLA program that runs many steps per call.

Plain `model.fit` pays Python and dispatch costs on every batch, which dominate on the tiny
networks of a playground (tens of milliseconds per epoch). Here a `tf.while_loop` runs any
number of steps, crossing epoch boundaries, on the real Keras model's variables with its real
Keras optimizer, and records each finished epoch's metrics in a fixed-size buffer. Scalars
(position, step count, learning rates) are tensors, so one compiled program serves every call.

Exactness: every epoch sees each training example once, in batches of `batch_size` (the last
one smaller when the size does not divide the set, done with a zero-weight mask so shapes stay
static). The order of epoch e is `epoch_order(seed, e, n)`, a NumPy permutation, so results
repeat and an exported script can replay the very same batches.

Divergence: each step checks its loss; a non-finite loss stops the call and puts back the last
weights whose loss was finite.

Example:

    loop = TrainingLoop(model, data, spec.training)
    result = loop.run(epoch=0, batch=0, steps=25 * 10, learning_rates=[0.03] * 11)
    result.metrics[:result.epochs_done]   # rows of train loss, test loss, train acc, test acc
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from playground.spec import TrainingSpec
from playground.training_data import TrainingData

MAX_EPOCHS_PER_CALL = 256
MAX_ORDER_ENTRIES = 2_000_000  # bounds the epoch orders passed per call on big datasets
FULL_EVAL_LIMIT = 1024  # larger sets are scored on a fixed subset each epoch, in full at snapshots


def epoch_order(seed: int, epoch: int, size: int, shuffle: bool = True) -> np.ndarray:
    """The order in which epoch `epoch` visits the training examples."""
    if not shuffle:
        return np.arange(size, dtype="int32")
    return np.random.default_rng([seed, epoch]).permutation(size).astype("int32")


@dataclass(frozen=True)
class LoopResult:
    """What one call did.

    Args:
        epoch, batch: the position after the call (batch counts within `epoch`).
        steps_done: optimisation steps taken.
        epochs_done: epochs finished in this call; `metrics[:epochs_done]` holds their rows.
        metrics: (epochs_per_call, 4) train loss, test loss, train accuracy, test accuracy.
        diverged_at: (epoch, batch) of the first non-finite loss, or None.
    """

    epoch: int
    batch: int
    steps_done: int
    epochs_done: int
    metrics: np.ndarray
    diverged_at: tuple[int, int] | None


class TrainingLoop:
    """Compiled mini-batch SGD on a Keras model.

    Args:
        model: a compiled Keras model (its optimizer is used).
        data: the `TrainingData` (arrays and output plan).
        training: the `TrainingSpec` (batch size, seed, shuffle).
        jit: try XLA; falls back to a plain `tf.function` when XLA cannot compile the model.
    """

    def __init__(self, model, data: TrainingData, training: TrainingSpec, jit: bool = True):
        import tensorflow as tf

        self.model = model
        self.optimizer = model.optimizer
        self.plan = data.plan
        self.batch_size = int(training.batch_size)
        self.seed = int(training.seed)
        self.shuffle = bool(training.shuffle)
        self.train_size = len(data.x_train)
        self.batches_per_epoch = -(-self.train_size // self.batch_size)
        self.epochs_per_call = max(1, min(MAX_EPOCHS_PER_CALL, MAX_ORDER_ENTRIES // self.train_size))
        self.x_train = tf.constant(data.x_train)
        self.y_train = tf.constant(data.y_train)
        self.eval_sets = self._eval_sets(data)
        self.classification = data.dataset.task != "regression"
        self.optimizer.build(model.trainable_variables)
        # Model and optimizer state, saved at the start of each epoch so divergence can be undone.
        self.state = list(model.variables) + list(self.optimizer.variables)
        self.backup = [tf.Variable(v.value, trainable=False) for v in self.state]
        # XLA's CPU convolutions are slower than TensorFlow's own (oneDNN) kernels, so conv models
        # run the same loop as a plain compiled graph.
        self.jit = jit and not any(type(layer).__name__ == "Conv2D" for layer in model.layers)
        self._compiled = None

    def _eval_sets(self, data: TrainingData):
        import tensorflow as tf

        sets = []
        for x, y in ((data.x_train, data.y_train), (data.x_test, data.y_test)):
            if len(x) > FULL_EVAL_LIMIT:
                chosen = np.random.default_rng([self.seed, 2]).choice(len(x), FULL_EVAL_LIMIT, replace=False)
                x, y = x[np.sort(chosen)], y[np.sort(chosen)]
            sets.append((tf.constant(x), tf.constant(y)))
        return sets

    # The maths, traced once into the compiled program.
    def per_sample_loss(self, y, p):
        import keras

        return keras.losses.get(self.plan.loss)(y, p)

    def correct(self, y, p):
        import tensorflow as tf

        if not self.classification:
            return tf.zeros(tf.shape(p)[:1])
        if self.plan.units == 1:
            t = self.plan.threshold
            return tf.cast(tf.equal(p[:, 0] > t, y[:, 0] > t), tf.float32)
        truth = tf.argmax(y, axis=-1) if self.plan.one_hot else tf.cast(tf.reshape(y, [-1]), tf.int64)
        return tf.cast(tf.equal(tf.argmax(p, axis=-1), truth), tf.float32)

    def evaluate(self, x, y):
        import tensorflow as tf

        p = self.model(x, training=False)
        return tf.reduce_mean(self.per_sample_loss(y, p)), tf.reduce_mean(self.correct(y, p))

    def _build(self):
        import tensorflow as tf

        model, optimizer, variables = self.model, self.optimizer, self.model.trainable_variables
        size, batches, n = self.batch_size, self.batches_per_epoch, self.train_size
        x_train, y_train = self.x_train, self.y_train
        running_metrics = self.train_size > FULL_EVAL_LIMIT
        (x_fit, y_fit), (x_test, y_test) = self.eval_sets

        def step(order, batch):
            start = batch * size
            positions = start + tf.range(size)
            weights = tf.cast(positions < n, tf.float32)
            index = tf.gather(order, tf.minimum(positions, n - 1))
            xb, yb = tf.gather(x_train, index), tf.gather(y_train, index)
            with tf.GradientTape() as tape:
                p = model(xb, training=True)
                data_loss = tf.reduce_sum(self.per_sample_loss(yb, p) * weights) / tf.reduce_sum(weights)
                loss = data_loss + (tf.add_n(model.losses) if model.losses else 0.0)
            finite = tf.math.is_finite(loss)
            optimizer.apply(tape.gradient(loss, variables), variables)
            correct = tf.reduce_sum(self.correct(yb, p) * weights) if running_metrics else 0.0
            return finite, data_loss * tf.reduce_sum(weights), correct

        def finish_epoch(loss_sum, correct_sum, full_train_metrics):
            test_loss, test_accuracy = self.evaluate(x_test, y_test)
            train_loss, train_accuracy = tf.cond(
                full_train_metrics,
                lambda: self.evaluate(x_fit, y_fit),
                lambda: (loss_sum / n, correct_sum / n),
            )
            return tf.stack([train_loss, test_loss, train_accuracy, test_accuracy])

        def run(epoch, batch, steps, learning_rates, orders, full_train_metrics):
            metrics = tf.zeros([self.epochs_per_call, 4])
            first_epoch = epoch

            def epoch_condition(epoch, batch, done, epochs_done, bad, metrics):
                return (done < steps) & tf.logical_not(bad) & (epochs_done < self.epochs_per_call)

            def epoch_body(epoch, batch, done, epochs_done, bad, metrics):
                optimizer.learning_rate.assign(tf.gather(learning_rates, epoch - first_epoch))
                for saved, variable in zip(self.backup, self.state):
                    saved.assign(variable.value)
                order = tf.gather(orders, epoch - first_epoch)
                last = tf.minimum(batches, batch + steps - done)

                def batch_condition(batch, bad, loss_sum, correct_sum):
                    return (batch < last) & tf.logical_not(bad)

                def batch_body(batch, bad, loss_sum, correct_sum):
                    finite, loss_total, correct = step(order, batch)
                    return batch + 1, tf.logical_not(finite), loss_sum + loss_total, correct_sum + correct

                new_batch, bad, loss_sum, correct_sum = tf.while_loop(
                    batch_condition, batch_body, (batch, bad, tf.constant(0.0), tf.constant(0.0))
                )
                # A diverged step counts as taken; the caller rolls back to the last good weights.
                done += new_batch - batch
                epoch_over = (new_batch >= batches) & tf.logical_not(bad)
                # Train metrics come from the full set only when a whole epoch ran in this call.
                row = tf.cond(epoch_over, lambda: finish_epoch(loss_sum, correct_sum, full_train_metrics | (batch > 0)), lambda: tf.zeros([4]))
                bad = bad | (epoch_over & tf.logical_not(tf.reduce_all(tf.math.is_finite(row[:2]))))
                metrics = tf.tensor_scatter_nd_update(metrics, [[tf.minimum(epochs_done, self.epochs_per_call - 1)]], [row])
                return (
                    tf.where(epoch_over, epoch + 1, epoch),
                    tf.where(epoch_over, 0, new_batch),
                    done,
                    tf.where(epoch_over, epochs_done + 1, epochs_done),
                    bad,
                    metrics,
                )

            start = (epoch, batch, tf.constant(0), tf.constant(0), tf.constant(False), metrics)
            epoch, batch, done, epochs_done, bad, metrics = tf.while_loop(epoch_condition, epoch_body, start)
            return epoch, batch, done, epochs_done, bad, metrics

        return run

    def _function(self):
        import tensorflow as tf

        if self._compiled is None:
            run = self._build()
            self._compiled = tf.function(run, jit_compile=self.jit, reduce_retracing=True)
        return self._compiled

    def run(self, epoch: int, batch: int, steps: int, learning_rates) -> LoopResult:
        """Takes up to `steps` steps from position (epoch, batch).

        `learning_rates[i]` is the rate for epoch `epoch + i`; the last one given is used for
        later epochs. A call finishes at most `epochs_per_call` epochs.
        """
        import tensorflow as tf

        out = self._call(epoch, batch, steps, learning_rates)
        new_epoch, new_batch, done, epochs_done, bad, metrics = (int(t) if t.shape == () else t.numpy() for t in out)
        if not bad:
            return LoopResult(new_epoch, new_batch, done, epochs_done, metrics, None)
        # The step at (new_epoch, new_batch - 1) met a non-finite loss. Go back to the start of
        # that epoch's part of this call and replay the good steps, which repeat exactly.
        bad_batch = new_batch - 1
        start_batch = batch if new_epoch == epoch else 0
        for saved, variable in zip(self.backup, self.state):
            variable.assign(saved)
        good_steps = max(bad_batch - start_batch, 0)
        if good_steps:
            self._call(new_epoch, start_batch, good_steps, list(learning_rates)[new_epoch - epoch:] or learning_rates[-1:])
        return LoopResult(new_epoch, start_batch + good_steps, done - 1, epochs_done, metrics, (new_epoch, bad_batch))

    def _call(self, epoch, batch, steps, learning_rates):
        import tensorflow as tf

        span = self.epochs_per_call + 1
        rates = np.zeros(span, "float32")
        given = np.asarray(learning_rates, "float32")[:span]
        rates[: len(given)] = given
        rates[len(given):] = given[-1]
        epochs_reached = min(span, (batch + steps) // self.batches_per_epoch + 1)
        orders = np.zeros((span, self.train_size), "int32")
        for i in range(epochs_reached):
            orders[i] = epoch_order(self.seed, epoch + i, self.train_size, self.shuffle)
        full = self.train_size <= FULL_EVAL_LIMIT
        args = (tf.constant(epoch, tf.int32), tf.constant(batch, tf.int32), tf.constant(steps, tf.int32),
                tf.constant(rates), tf.constant(orders), tf.constant(full))
        try:
            return self._function()(*args)
        except (tf.errors.InvalidArgumentError, tf.errors.UnimplementedError, NotImplementedError):
            if not self.jit:
                raise
            # Some layers cannot be compiled by XLA: keep the same maths in a plain tf.function.
            self.jit, self._compiled = False, None
            return self._function()(*args)
