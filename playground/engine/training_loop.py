"""Mini-batch training compiled into one XLA program that runs many steps per call.

Plain `model.fit` pays Python and dispatch costs on every batch, which dominate on the tiny
networks of a playground, whose batches take little arithmetic. Here a `tf.while_loop` runs any
number of steps, crossing epoch boundaries, on the real Keras model's variables with its real
Keras optimizer, and records each finished epoch's metrics in a fixed-size buffer. Scalars
(position, step count, learning rates) are tensors, so one compiled program serves every call.

Exactness: every epoch sees each training example once, in batches of `batch_size` (the last
one smaller when the size does not divide the set, done with a zero-weight mask so shapes stay
static). The order of epoch e is `epoch_order(seed, e, n)`, a NumPy permutation, so results
repeat and an exported script can replay the very same batches.

Divergence: each step checks its loss; a non-finite loss stops the call and puts back the last
weights whose loss was finite.

One compiled program per architecture: the program is stateless (Keras's `stateless_call` and
`optimizer.stateless_apply`): it takes the weights, optimizer state and data as arguments and
returns the new state, so every model of the same shapes and settings (a class opening the same
preset with learning rates of their own) runs the one program, compiled once (`PROGRAMS`).

Example:

    loop = TrainingLoop(model, data, spec.training)
    result = loop.run(epoch=0, batch=0, steps=25 * 10, learning_rates=[0.03] * 11)
    result.metrics[:result.epochs_done]   # rows of train loss, test loss, train acc, test acc
"""

from __future__ import annotations

import json
import threading
import types
from collections import OrderedDict
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from playground.datasets.dataset import Task
from playground.spec import TrainingSpec
from playground.training_data import TrainingData

MAX_EPOCHS_PER_CALL = 256
MAX_ORDER_ENTRIES = 2_000_000  # bounds the epoch orders passed per call on big datasets
FULL_EVAL_LIMIT = 1024  # larger sets are scored on a fixed subset each epoch, in full at snapshots
MAX_PROGRAMS = 32  # compiled programs kept (least recently used dropped first)


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


class ProgramCache:
    """Compiled programs by what they were traced for, shared by every loop of the same shapes.

    `get(key, build)` returns the program for `key`, building it with `build()` the first time; a
    program's XLA compile happens at its first call, once, however many loops call it.

    TensorFlow warns when a function retraces often, and it counts traces by the Python code a
    `tf.function` wraps: the programs of different architectures (each traced once, for its own
    key) share their builder's code, so a class training different networks would look like one
    function retracing. The cache turns that warning off for the programs it holds, which it
    builds one per key.
    """

    def __init__(self, size: int = MAX_PROGRAMS):
        self.size = size
        self._programs: OrderedDict = OrderedDict()
        self._lock = threading.Lock()
        self.built = 0

    def get(self, key: str, build: Callable[[], Any]) -> Any:
        with self._lock:
            program = self._programs.get(key)
            if program is None:
                program = self._programs[key] = build()
                program._omit_frequent_tracing_warning = True  # TensorFlow's own switch (see above)
                self.built += 1
                while len(self._programs) > self.size:
                    self._programs.popitem(last=False)
            self._programs.move_to_end(key)
            return program

    def traced(self, key: str) -> bool:
        """Whether the program for `key` is here and has been traced (a call to it compiles no more)."""
        with self._lock:
            program = self._programs.get(key)
        return program is not None and program.experimental_get_tracing_count() > 0

    def traces(self) -> int:
        """How many times the programs held here have been traced, all together."""
        with self._lock:
            programs = list(self._programs.values())
        return sum(program.experimental_get_tracing_count() for program in programs)

    def clear(self) -> None:
        with self._lock:
            self._programs.clear()


PROGRAMS = ProgramCache()


def stateless_apply(optimizer: Any, optimizer_state: list, grads: list, trainable: list) -> tuple[list, list]:
    """`optimizer.stateless_apply`, which Keras's TensorFlow backend refuses (for tf.distribute's
    sake, which the playground does not use): the optimizer's own update rules, run on the given
    tensors. The backend's variable handling is swapped for Keras's generic one on this optimizer
    instance (tests/test_trainer.py checks the result against Keras's own `apply`)."""
    from keras.src.optimizers.base_optimizer import BaseOptimizer

    if not getattr(optimizer, "_playground_stateless", False):
        for name in ("_var_key", "assign", "assign_add", "assign_sub", "_backend_update_step"):
            setattr(optimizer, name, types.MethodType(getattr(BaseOptimizer, name), optimizer))
        optimizer._trainable_variables_indices = {
            optimizer._var_key(v): i for i, v in enumerate(optimizer._trainable_variables)
        }
        optimizer._playground_stateless = True
    return BaseOptimizer.stateless_apply(optimizer, optimizer_state, grads, trainable)


def architecture_key(model: Any) -> list:
    """The model's layers and their settings, without the names Keras makes unique per model and
    the initializers (seeded per run: the program takes the weights, it never draws them)."""
    layers = []
    for layer in model.layers:
        config = {name: value for name, value in layer.get_config().items() if not name.endswith("_initializer")}
        config.pop("name", None)
        layers.append([type(layer).__name__, config])
    return [list(model.inputs[0].shape), layers]


class TrainingLoop:
    """Compiled mini-batch SGD on a Keras model.

    Args:
        model: a compiled Keras model (its optimizer is used).
        data: the `TrainingData` (arrays and output plan).
        training: the `TrainingSpec` (batch size, seed, shuffle).
        jit: try XLA; falls back to a plain `tf.function` when XLA cannot compile the model.
    """

    def __init__(self, model: Any, data: TrainingData, training: TrainingSpec, jit: bool = True):
        import tensorflow as tf

        self.model = model
        self.optimizer = model.optimizer
        self.plan = data.plan
        self.batch_size = int(training.batch_size)
        self.seed = int(training.seed)
        self.shuffle = bool(training.shuffle)
        self.train_size = len(data.x_train)
        self.batches_per_epoch = -(-self.train_size // self.batch_size)
        self.order_width = self.train_size  # the length of an epoch order as the program takes it
        self.epochs_per_call = max(1, min(MAX_EPOCHS_PER_CALL, MAX_ORDER_ENTRIES // self.train_size))
        self.classification = data.dataset.task != Task.REGRESSION
        self.optimizer.build(model.trainable_variables)
        self.trainable = list(model.trainable_variables)
        self.non_trainable = list(model.non_trainable_variables)
        self.optimizer_variables = list(self.optimizer.variables)
        self.rate_index = next(i for i, v in enumerate(self.optimizer_variables) if v.path.endswith("learning_rate"))
        # Model and optimizer state, in the order the program takes and returns it.
        self.state = self.trainable + self.non_trainable + self.optimizer_variables
        self.data_tensors = (tf.constant(data.x_train), tf.constant(data.y_train)) + tuple(
            t for pair in self._eval_sets(data) for t in pair
        )
        # XLA's CPU convolutions are slower than TensorFlow's own (oneDNN) kernels, so conv models
        # run the same loop as a plain compiled graph.
        self.jit = jit and not any(type(layer).__name__ == "Conv2D" for layer in model.layers)
        self._compiled = None
        # The newest state as the last call returned it, not yet written into the variables (None
        # when they hold it): the next call takes these tensors as they are, so only a reader of the
        # Keras model pays for the writes (`sync`), not every call of a small network's training.
        self._pending: list | None = None
        self._pending_lock = threading.Lock()

    def current_state(self) -> list:
        """The newest model and optimizer state, as tensors (in the order of `state`): always
        tensors, never the variables themselves, so the program is traced for one kind of input."""
        import tensorflow as tf

        pending = self._pending
        return list(pending) if pending is not None else [tf.convert_to_tensor(v) for v in self.state]

    def sync(self) -> None:
        """Writes the newest state into the model's and optimizer's variables. The loop keeps it as
        tensors between calls; whoever reads the Keras model calls this first (the trainer does
        whenever it stops training)."""
        with self._pending_lock:
            if self._pending is not None:
                for variable, value in zip(self.state, self._pending):
                    variable.assign(value)
                self._pending = None

    def model_state(self) -> tuple[list, list]:
        """The model's newest trainable and non-trainable weights, as tensors in the model's order."""
        trainable, non_trainable, _ = self.split_state(self.current_state())
        return trainable, non_trainable

    def model_weights(self) -> list[np.ndarray]:
        """The model's newest trainable weights as arrays, in the model's order (for the live frames)."""
        return [value.numpy() for value in self.model_state()[0]]

    def restore(self, values: Sequence[Any]) -> None:
        """Sets the whole state (a reset to the initial weights, say)."""
        with self._pending_lock:
            self._pending = None
            for variable, value in zip(self.state, values):
                variable.assign(value)

    def _eval_sets(self, data: TrainingData):
        sets = []
        for x, y in ((data.x_train, data.y_train), (data.x_test, data.y_test)):
            if len(x) > FULL_EVAL_LIMIT:
                chosen = np.random.default_rng([self.seed, 2]).choice(len(x), FULL_EVAL_LIMIT, replace=False)
                x, y = x[np.sort(chosen)], y[np.sort(chosen)]
            sets.append((x, y))
        return sets

    def optimizer_key(self) -> list:
        """The optimizer as the traced program depends on it: its class and settings, less its
        name and learning rate (a program argument)."""
        optimizer = dict(self.optimizer.get_config())
        for name in ("name", "learning_rate"):
            optimizer.pop(name, None)
        return [type(self.optimizer).__name__, optimizer]

    def program_key(self) -> str:
        """Everything the traced program depends on: two loops with the same key share it."""
        plan = self.plan
        return json.dumps(
            [
                architecture_key(self.model),
                *self.optimizer_key(),
                [
                    plan.loss if isinstance(plan.loss, str) else repr(plan.loss),
                    plan.units,
                    plan.threshold,
                    plan.one_hot,
                    self.classification,
                ],
                self.batch_size,
                self.epochs_per_call,
                [[list(t.shape), t.dtype.name] for t in self.data_tensors],
                self.jit,
            ],
            sort_keys=True,
            default=repr,
        )

    # The maths, traced once into the compiled program.
    def per_sample_loss(self, y: Any, p: Any) -> Any:
        import keras

        return keras.losses.get(self.plan.loss)(y, p)

    def correct(self, y: Any, p: Any) -> Any:
        import tensorflow as tf

        if not self.classification:
            return tf.zeros(tf.shape(p)[:1])
        predicted, truth = self.plan.predicted_classes(p, tf), self.plan.true_classes(y, tf)
        if self.plan.units != 1:
            truth = tf.cast(truth, tf.int64)
        return tf.cast(tf.equal(predicted, truth), tf.float32)

    def split_state(self, state: Sequence[Any]) -> tuple[list, list, list]:
        """The program's state as (trainable weights, non-trainable weights, optimizer variables)."""
        state = list(state)
        trainable_count, non_trainable_count = len(self.trainable), len(self.non_trainable)
        return (
            state[:trainable_count],
            state[trainable_count : trainable_count + non_trainable_count],
            state[trainable_count + non_trainable_count :],
        )

    def evaluate(self, state: Sequence[Any], x: Any, y: Any) -> tuple[Any, Any]:
        """Mean loss and accuracy of the model with `state` on (x, y)."""
        import tensorflow as tf

        trainable, non_trainable, _ = self.split_state(state)
        p, _ = self.model.stateless_call(trainable, non_trainable, x, training=False)
        return tf.reduce_mean(self.per_sample_loss(y, p)), tf.reduce_mean(self.correct(y, p))

    def settings(self) -> dict:
        """Tensors the program takes besides state and data, each call (none here: a subclass
        passes what its networks differ in, see `envelope_loop`)."""
        return {}

    def sizes(self, settings: dict) -> tuple[Any, Any]:
        """(batches per epoch, training examples), as the program sees them."""
        return self.batches_per_epoch, self.train_size

    def step(
        self,
        state: Sequence[Any],
        rate: Any,
        order: Any,
        batch: Any,
        x_train: Any,
        y_train: Any,
        settings: dict | None = None,
        penalty_scale: Any = None,
    ) -> tuple[list, Any, Any, Any]:
        """One optimisation step on batch `batch` of the epoch order `order`: the new state, whether
        the loss was finite, the batch's summed loss and its count of correct answers (0 when the
        epoch's metrics come from a full evaluation). `settings` are the call's `settings()` (none
        here). `penalty_scale` multiplies the layers' weight penalties (a population's members each
        have their own rate)."""
        import tensorflow as tf

        size, n = self.batch_size, self.train_size
        trainable, non_trainable, optimizer_state = self.split_state(state)
        positions = batch * size + tf.range(size)
        weights = tf.cast(positions < n, tf.float32)
        index = tf.gather(order, tf.minimum(positions, n - 1))
        xb, yb = tf.gather(x_train, index), tf.gather(y_train, index)
        with tf.GradientTape() as tape:
            tape.watch(trainable)
            p, non_trainable, losses = self.model.stateless_call(
                trainable, non_trainable, xb, training=True, return_losses=True
            )
            data_loss = tf.reduce_sum(self.per_sample_loss(yb, p) * weights) / tf.reduce_sum(weights)
            penalty = tf.add_n(losses) if losses else 0.0
            loss = data_loss + (penalty if penalty_scale is None else penalty_scale * penalty)
        optimizer_state[self.rate_index] = tf.cast(rate, optimizer_state[self.rate_index].dtype)
        trainable, optimizer_state = stateless_apply(
            self.optimizer, optimizer_state, tape.gradient(loss, trainable), trainable
        )
        correct = tf.reduce_sum(self.correct(yb, p) * weights) if self.train_size > FULL_EVAL_LIMIT else 0.0
        state = list(trainable) + list(non_trainable) + list(optimizer_state)
        return state, tf.math.is_finite(loss), data_loss * tf.reduce_sum(weights), correct

    def epoch_metrics(
        self,
        state: Sequence[Any],
        loss_sum: Any,
        correct_sum: Any,
        full_train_metrics: Any,
        x_fit: Any,
        y_fit: Any,
        x_test: Any,
        y_test: Any,
        settings: dict,
    ) -> Any:
        """An epoch's row: train loss, test loss, train accuracy, test accuracy."""
        import tensorflow as tf

        n = self.sizes(settings)[1]
        test_loss, test_accuracy = self.evaluate(state, x_test, y_test)
        train_loss, train_accuracy = tf.cond(
            full_train_metrics,
            lambda: self.evaluate(state, x_fit, y_fit),
            lambda: (loss_sum / n, correct_sum / n),
        )
        return tf.stack([train_loss, test_loss, train_accuracy, test_accuracy])

    def _build(self):
        import tensorflow as tf

        epochs_per_call = self.epochs_per_call
        step, finish_epoch = self.step, self.epoch_metrics

        def run(
            state: Sequence[Any],
            epoch: Any,
            batch: Any,
            steps: Any,
            learning_rates: Any,
            orders: Any,
            full_train_metrics: Any,
            x_train: Any,
            y_train: Any,
            x_fit: Any,
            y_fit: Any,
            x_test: Any,
            y_test: Any,
            settings: dict,
        ) -> tuple[Any, ...]:
            batches = self.sizes(settings)[0]
            state = list(state)
            metrics = tf.zeros([epochs_per_call, 4])
            first_epoch = epoch

            def epoch_condition(
                state: list, saved: list, epoch: Any, batch: Any, done: Any, epochs_done: Any, bad: Any, metrics: Any
            ) -> Any:
                return (done < steps) & tf.logical_not(bad) & (epochs_done < epochs_per_call)

            def epoch_body(
                state: list, saved: list, epoch: Any, batch: Any, done: Any, epochs_done: Any, bad: Any, metrics: Any
            ) -> tuple[Any, ...]:
                rate = tf.gather(learning_rates, epoch - first_epoch)
                saved = list(state)  # the state at this epoch's start: where a divergence goes back to
                order = tf.gather(orders, epoch - first_epoch)
                last = tf.minimum(batches, batch + steps - done)

                def batch_condition(state: list, batch: Any, bad: Any, loss_sum: Any, correct_sum: Any) -> Any:
                    return (batch < last) & tf.logical_not(bad)

                def batch_body(state: list, batch: Any, bad: Any, loss_sum: Any, correct_sum: Any) -> tuple[Any, ...]:
                    state, finite, loss_total, correct = step(state, rate, order, batch, x_train, y_train, settings)
                    return state, batch + 1, tf.logical_not(finite), loss_sum + loss_total, correct_sum + correct

                state, new_batch, bad, loss_sum, correct_sum = tf.while_loop(
                    batch_condition, batch_body, (state, batch, bad, tf.constant(0.0), tf.constant(0.0))
                )
                # A diverged step counts as taken; the caller goes back to the saved state.
                done += new_batch - batch
                epoch_over = (new_batch >= batches) & tf.logical_not(bad)
                # Train metrics come from the full set only when a whole epoch ran in this call.
                row = tf.cond(
                    epoch_over,
                    lambda: finish_epoch(
                        state,
                        loss_sum,
                        correct_sum,
                        full_train_metrics | (batch > 0),
                        x_fit,
                        y_fit,
                        x_test,
                        y_test,
                        settings,
                    ),
                    lambda: tf.zeros([4]),
                )
                bad = bad | (epoch_over & tf.logical_not(tf.reduce_all(tf.math.is_finite(row[:2]))))
                metrics = tf.tensor_scatter_nd_update(metrics, [[tf.minimum(epochs_done, epochs_per_call - 1)]], [row])
                return (
                    state,
                    saved,
                    tf.where(epoch_over, epoch + 1, epoch),
                    tf.where(epoch_over, 0, new_batch),
                    done,
                    tf.where(epoch_over, epochs_done + 1, epochs_done),
                    bad,
                    metrics,
                )

            start = (state, list(state), epoch, batch, tf.constant(0), tf.constant(0), tf.constant(False), metrics)
            state, saved, epoch, batch, done, epochs_done, bad, metrics = tf.while_loop(
                epoch_condition, epoch_body, start
            )
            return state, saved, epoch, batch, done, epochs_done, bad, metrics

        return run

    def _program(self):
        """This loop's program: looked up (or built) once, then kept."""
        import tensorflow as tf

        if self._compiled is None:

            def build() -> Any:
                return tf.function(self._build(), jit_compile=self.jit, reduce_retracing=True)

            self._compiled = PROGRAMS.get(self.program_key(), build)
        return self._compiled

    def run(self, epoch: int, batch: int, steps: int, learning_rates: Sequence[float]) -> LoopResult:
        """Takes up to `steps` steps from position (epoch, batch).

        `learning_rates[i]` is the rate for epoch `epoch + i`; the last one given is used for
        later epochs. A call finishes at most `epochs_per_call` epochs.
        """
        state, saved, new_epoch, new_batch, done, epochs_done, bad, metrics = self._call(
            epoch, batch, steps, learning_rates
        )
        new_epoch, new_batch, done, epochs_done, bad = (int(t) for t in (new_epoch, new_batch, done, epochs_done, bad))
        metrics = metrics.numpy()
        if not bad:
            self.keep(state)
            return LoopResult(new_epoch, new_batch, done, epochs_done, metrics, None)
        # The step at (new_epoch, new_batch - 1) met a non-finite loss. Go back to the start of
        # that epoch's part of this call and replay the good steps, which repeat exactly.
        bad_batch = new_batch - 1
        start_batch = batch if new_epoch == epoch else 0
        self.keep(saved)
        good_steps = max(bad_batch - start_batch, 0)
        if good_steps:
            self.keep(
                self._call(
                    new_epoch, start_batch, good_steps, list(learning_rates)[new_epoch - epoch :] or learning_rates[-1:]
                )[0]
            )
        return LoopResult(new_epoch, start_batch + good_steps, done - 1, epochs_done, metrics, (new_epoch, bad_batch))

    def keep(self, state: Sequence[Any]) -> None:
        """The program's new state becomes the newest (written into the variables by `sync`)."""
        with self._pending_lock:
            self._pending = list(state)

    def _call(self, epoch, batch, steps, learning_rates):
        import tensorflow as tf

        span = self.epochs_per_call + 1
        rates = np.zeros(span, "float32")
        given = np.asarray(learning_rates, "float32")[:span]
        rates[: len(given)] = given
        rates[len(given) :] = given[-1]
        epochs_reached = min(span, (batch + steps) // self.batches_per_epoch + 1)
        orders = np.zeros((span, self.order_width), "int32")
        for i in range(epochs_reached):
            orders[i, : self.train_size] = epoch_order(self.seed, epoch + i, self.train_size, self.shuffle)
        full = self.train_size <= FULL_EVAL_LIMIT
        args = (
            self.current_state(),
            tf.constant(epoch, tf.int32),
            tf.constant(batch, tf.int32),
            tf.constant(steps, tf.int32),
            tf.constant(rates),
            tf.constant(orders),
            tf.constant(full),
            *self.data_tensors,
            self.settings(),
        )
        try:
            return self._program()(*args)
        except (tf.errors.InvalidArgumentError, tf.errors.UnimplementedError, NotImplementedError):
            if not self.jit:
                raise
            # Some layers cannot be compiled by XLA: keep the same maths in a plain tf.function.
            self.jit, self._compiled = False, None
            return self._program()(*args)
