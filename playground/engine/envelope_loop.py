"""The training loop of every network inside the envelope, in one compiled program.

`TrainingLoop` traces a program per architecture: on this machine 0.5 to 3 s before a new
network's first epoch, paid again whenever a user adds a neuron. `EnvelopeLoop` runs the same
loop (the same steps, epoch orders, metrics and divergence handling) on the envelope's padded
weights (`envelope.py`), and takes the network as arguments: which inputs, how many neurons per
layer, each layer's activation and dropout rate, the L1 and L2 rates, the number of examples.
Editing any of them, or the seed or the 2-D dataset, swaps tensors and never traces again. What
still picks a program: the optimizer, the batch size, the task's output layer and loss, and the
bucket of the data's size (a power of two from 64 to 1,024).

Exactness: a padded neuron's weights in and out are zero, its gradients are set to zero before
the optimizer and its weights to zero after, so it changes nothing; a real neuron starts from the
weights Keras gives the unpadded layer (the real model is built as before) and takes the same
steps, to float32 rounding (XLA's dots of other shapes round differently). A stable run's losses
equal the per-architecture program's to 1e-5; a run that rounding alone sends elsewhere drifts as
far as the same program compiled without XLA does (tests/test_envelope_loop.py,
bench/envelope_exactness.py). The real Keras model receives the weights whenever the loop
syncs, so predictions, snapshots and exports read it as before. Dropout draws its masks from the
seed and the step count: the same seed gives the same run, though not Keras's masks.

Example:

    loop = training_loop(model, data, spec)   # an EnvelopeLoop when the network fits, else a TrainingLoop
    loop.run(epoch=0, batch=0, steps=50, learning_rates=[0.03])
"""

from __future__ import annotations

import copy
import json
import threading
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np

from playground.activations import ACTIVATIONS
from playground.datasets.dataset import Task
from playground.engine.envelope import (
    HIDDEN_LAYERS,
    INPUT_FEATURES,
    WIDTH,
    EnvelopeLayout,
    envelope_layout,
    envelope_shapes,
)
from playground.engine.snapshots import PLANE_VIEW_POINTS
from playground.engine.training_loop import (
    MAX_EPOCHS_PER_CALL,
    MAX_ORDER_ENTRIES,
    PROGRAMS,
    TrainingLoop,
    stateless_apply,
)
from playground.optimizers import make_optimizer
from playground.spec import ExperimentSpec, TrainingSpec
from playground.training_data import TrainingData

MIN_BUCKET = 64
VIEW_ROWS = 1024  # the views' programs take examples in multiples of this (a test set: one; the plane's grids: 11)
MASKED_LOGIT = -1e9  # a padded neuron's input to a hidden softmax: exp() of it is 0, and stays finite
SHARED_SETTINGS = ("dropout",)  # a population's members share these (none has dropout): a branch on them stays one


def training_loop(model: Any, data: TrainingData, spec: ExperimentSpec, jit: bool = True) -> TrainingLoop:
    """The loop for `spec`'s model: the envelope's when the network fits in it."""
    layout = envelope_layout(spec, data)
    if layout is None:
        return TrainingLoop(model, data, spec.training, jit=jit)
    return EnvelopeLoop(model, data, spec.training, layout, jit=jit)


def live_loop(model: Any, data: TrainingData, spec: ExperimentSpec) -> TrainingLoop:
    """The loop a live trainer starts with: the one whose program is ready soonest.

    - The network's own program, when this process has compiled it (the default experiment's,
      say): the fastest per epoch.
    - Else the envelope's, when the network fits and the envelope's program is compiled (a
      training worker compiles the default experiment's kind when it starts): no trace at all, so
      an edited network trains at once.
    - Else the network's own program, compiled now.

    A network with dropout keeps its own program: Keras's dropout masks, so the same seed gives
    the same run whatever this process compiled before.
    """
    own = TrainingLoop(model, data, spec.training)
    layout = envelope_layout(spec, data)
    if layout is None or any(layout.dropout) or PROGRAMS.traced(own.program_key()):
        return own
    envelope = EnvelopeLoop(model, data, spec.training, layout)
    return envelope if PROGRAMS.traced(envelope.program_key()) else own


def compile_envelope_for(spec: ExperimentSpec) -> EnvelopeLoop | None:
    """Compiles the envelope's programs for networks like `spec`'s, and returns the loop that did
    (None when the network does not fit)."""
    from playground.model_builder import build_model
    from playground.training_data import training_data

    data = training_data(spec)
    loop = training_loop(build_model(spec, data), data, spec)
    if not isinstance(loop, EnvelopeLoop):
        return None
    compile_envelope(loop)
    return loop


def compile_envelope(loop: EnvelopeLoop) -> None:
    """Traces and compiles `loop`'s programs: the live views', then the training program (a live
    trainer takes the envelope once that one is traced)."""
    inputs = np.zeros((1, len(loop.layout.input_columns)), "float32")
    loop.views(inputs)  # a test set's number of rows
    loop.views(np.zeros((PLANE_VIEW_POINTS, inputs.shape[1]), "float32"))  # the plane's grids'
    loop.gradient_norms(inputs, loop.data_tensors[1][:1].numpy())
    loop.run(0, 0, 0, [0.0])


def envelope_settings(layout: EnvelopeLayout, training: TrainingSpec, train_size: int, test_size: int) -> dict:
    """Everything the envelope's program takes about one run besides its weights and data: the
    network (`EnvelopeLayout.settings`), the L1 and L2 rates, the seed (dropout's masks), the
    batches per epoch and the real number of examples in each set."""
    regularization = training.regularization
    return {
        **layout.settings(),
        **{kind: np.float32(regularization.rate if regularization.kind == kind else 0.0) for kind in ("l1", "l2")},
        "seed": np.int32(training.seed),
        "batches": np.int32(-(-train_size // int(training.batch_size))),
        "train_examples": np.int32(train_size),
        "test_examples": np.int32(test_size),
    }


def shared_settings() -> dict:
    """The `SHARED_SETTINGS` of a population's members, as the tensors its program adds to each
    member's own settings."""
    import tensorflow as tf

    return {"dropout": tf.zeros([HIDDEN_LAYERS])}


def bucket(size: int) -> int:
    """The padded number of examples: the next power of two, at least `MIN_BUCKET`."""
    return max(MIN_BUCKET, 1 << (int(size) - 1).bit_length())


def _padded(values: np.ndarray, rows: int, columns: int | None = None) -> np.ndarray:
    """`values` with zero rows added up to `rows` (and zero columns up to `columns`)."""
    padded = np.zeros((rows, *(values.shape[1:] if columns is None else (columns,))), values.dtype)
    padded[(slice(0, len(values)), *(slice(0, size) for size in values.shape[1:]))] = values
    return padded


class EnvelopeLoop(TrainingLoop):
    """A `TrainingLoop` on the envelope's padded weights, with the network as arguments.

    Args:
        model: the real (unpadded) compiled Keras model, which starts the weights and receives them.
        data: the `TrainingData` (2-D, at most `MAX_EXAMPLES` examples per set).
        training: the `TrainingSpec`.
        layout: where the network sits in the envelope (`envelope_layout`).
        jit: compile with XLA.
    """

    def __init__(
        self, model: Any, data: TrainingData, training: TrainingSpec, layout: EnvelopeLayout, jit: bool = True
    ):
        import keras
        import tensorflow as tf

        self.model = model
        self.layout = layout
        self.plan = data.plan
        self.batch_size = int(training.batch_size)
        self.seed = int(training.seed)
        self.shuffle = bool(training.shuffle)
        self.train_size, self.test_size = len(data.x_train), len(data.x_test)
        self.batches_per_epoch = -(-self.train_size // self.batch_size)
        self.order_width = bucket(self.train_size)
        self.epochs_per_call = max(1, min(MAX_EPOCHS_PER_CALL, MAX_ORDER_ENTRIES // self.order_width))
        self.classification = data.dataset.task != Task.REGRESSION
        output_units = self.plan.units
        # One flat vector holds every weight, and one mask of the same shape says which are real.
        self.shapes = envelope_shapes(output_units)
        sizes = [int(np.prod(shape)) for shape in self.shapes]
        self.offsets = list(np.cumsum([0, *sizes]))
        self.trainable = [keras.Variable(np.zeros(self.offsets[-1], "float32"), name="envelope_weights")]
        self.non_trainable = [keras.Variable(0, dtype="int32", name="dropout_steps")]
        self.optimizer = make_optimizer(training)
        self.optimizer.build(self.trainable)
        self.optimizer_variables = list(self.optimizer.variables)
        self.rate_index = next(i for i, v in enumerate(self.optimizer_variables) if v.path.endswith("learning_rate"))
        self.state = self.trainable + self.non_trainable + self.optimizer_variables
        self.places = layout.weight_places(output_units)
        self.trainable[0].assign(layout.padded([v.numpy() for v in model.trainable_variables], output_units))
        train_rows, test_rows = self.order_width, bucket(self.test_size)
        x_train = _padded(data.inputs(data.dataset.x_train, INPUT_FEATURES), train_rows, WIDTH)
        x_test = _padded(data.inputs(data.dataset.x_test, INPUT_FEATURES), test_rows, WIDTH)
        y_train, y_test = _padded(data.y_train, train_rows), _padded(data.y_test, test_rows)
        self.data_tensors = tuple(tf.constant(t) for t in (x_train, y_train, x_train, y_train, x_test, y_test))
        settings = envelope_settings(layout, training, self.train_size, self.test_size)
        self._settings = {name: tf.constant(value) for name, value in settings.items()}
        self.jit = jit
        self._compiled = None
        self._pending: list | None = None
        self._pending_lock = threading.Lock()
        # None: each layer's activation is chosen by a branch on its index (one network per call).
        # A population's maths (`population_maths`) computes the ones its members use instead, and
        # picks each member's: a branch on an index that differs between members cannot be vectorized.
        self.computed_activations: tuple[int, ...] | None = None

    def population_maths(self, activations: Sequence[int]) -> EnvelopeLoop:
        """This loop's maths for a population whose members use `activations` (indices in
        `ACTIVATIONS`; the first also stands in a layer a member does not use, whose weights are
        zero): a shallow copy, sharing the optimizer and shapes, for tracing a vectorized program."""
        maths = copy.copy(self)
        maths.computed_activations = tuple(activations)
        maths._compiled = None
        return maths

    def settings(self) -> dict:
        return self._settings

    def sizes(self, settings: dict) -> tuple[Any, Any]:
        return settings["batches"], settings["train_examples"]

    def program_key(self) -> str:
        plan = self.plan
        return json.dumps(
            [
                "envelope",
                *self.optimizer_key(),
                [plan.loss, plan.units, plan.activation, plan.threshold, plan.one_hot, self.classification],
                self.batch_size,
                self.epochs_per_call,
                [[list(t.shape), t.dtype.name] for t in self.data_tensors],
                self.jit,
            ],
            sort_keys=True,
            default=repr,
        )

    # The state between calls, and the real model's share of it.
    def sync(self) -> None:
        """Writes the newest state into the envelope's variables and the real model's weights."""
        with self._pending_lock:
            if self._pending is None:
                return
            for variable, value in zip(self.state, self._pending):
                variable.assign(value)
            self._pending = None
            self._write_model()

    def restore(self, values: Sequence[Any]) -> None:
        with self._pending_lock:
            self._pending = None
            for variable, value in zip(self.state, values):
                variable.assign(value)
            self._write_model()

    def unpadded(self, flat: np.ndarray) -> list[np.ndarray]:
        """The real model's weights (in its order) from the envelope's flat vector."""
        offsets = self.offsets
        return [
            flat[offsets[index] : offsets[index + 1]].reshape(self.shapes[index])[place] for index, place in self.places
        ]

    def _write_model(self) -> None:
        for variable, value in zip(self.model.trainable_variables, self.unpadded(self.trainable[0].numpy())):
            variable.assign(value)

    def model_state(self) -> tuple[list, list]:
        import tensorflow as tf

        trainable = [tf.constant(value) for value in self.unpadded(self.current_state()[0].numpy())]
        return trainable, [tf.convert_to_tensor(v) for v in self.model.non_trainable_variables]

    def model_weights(self) -> list[np.ndarray]:
        return self.unpadded(self.current_state()[0].numpy())

    def weights(self, flat: Any) -> list:
        """The envelope's kernels and biases, as views of the flat vector."""
        import tensorflow as tf

        offsets = self.offsets
        return [tf.reshape(flat[offsets[i] : offsets[i + 1]], shape) for i, shape in enumerate(self.shapes)]

    # The live views' programs, shared by every network of the envelope with the same output layer.
    def views(self, inputs: np.ndarray) -> list[np.ndarray]:
        """Each hidden layer's output, then the network's, for `inputs` (in the model's input
        columns), from the newest weights: what the snapshot maker draws the plane views from."""
        import tensorflow as tf

        key = json.dumps(["envelope views", self.plan.units, self.plan.activation])
        program = PROGRAMS.get(
            key, lambda: tf.function(self._views, input_signature=self._signature(), jit_compile=True)
        )
        # XLA compiles a program per number of rows: a few numbers serve every call.
        count = len(inputs)
        x = _padded(np.asarray(inputs, "float32"), -(-count // VIEW_ROWS) * VIEW_ROWS, WIDTH)
        output, hidden = program(self.current_state()[0], tf.constant(x), self._model_order_settings())
        widths = self.layout.widths
        return [h.numpy()[:count, :width] for h, width in zip(hidden, widths)] + [output.numpy()[:count]]

    def gradient_norms(self, x: np.ndarray, y: np.ndarray) -> list[float]:
        """The L2 norm of the loss gradient for each Dense layer's kernel (the output layer's
        last), on the examples (x, y), from the newest weights."""
        import tensorflow as tf

        plan = self.plan
        key = json.dumps(["envelope gradient norms", repr(plan.loss), plan.units, plan.activation])
        y_spec = tf.TensorSpec([None, *self.data_tensors[1].shape[1:]], self.data_tensors[1].dtype)
        signature = self._signature()
        program = PROGRAMS.get(
            key, lambda: tf.function(self._gradient_norms, input_signature=[*signature[:2], y_spec, signature[2]])
        )
        padded = _padded(np.asarray(x, "float32"), len(x), WIDTH)
        norms = program(self.current_state()[0], tf.constant(padded), tf.constant(y), self._model_order_settings())
        depth = len(self.layout.widths)
        return [float(n) for n in norms.numpy()[list(range(depth)) + [HIDDEN_LAYERS]]]

    def _signature(self) -> list:
        """The views' programs' arguments: the weights, examples of any number, the settings."""
        import tensorflow as tf

        settings = {name: tf.TensorSpec(value.shape, value.dtype) for name, value in self._settings.items()}
        return [tf.TensorSpec([self.offsets[-1]], tf.float32), tf.TensorSpec([None, WIDTH], tf.float32), settings]

    def _model_order_settings(self) -> dict:
        """The settings for inputs given in the model's columns (padded with zeros), not the envelope's."""
        import tensorflow as tf

        return {**self._settings, "input_order": tf.range(WIDTH)}

    def _views(self, flat: Any, x: Any, settings: dict) -> tuple[Any, list]:
        return self.forward(self.weights(flat), x, settings, skip_unused=True)

    def _gradient_norms(self, flat: Any, x: Any, y: Any, settings: dict) -> Any:
        import tensorflow as tf

        with tf.GradientTape() as tape:
            tape.watch(flat)
            p, _ = self.forward(self.weights(flat), x, settings)
            loss = tf.reduce_mean(self.per_sample_loss(y, p))
        kernels = self.weights(tf.where(self.weight_mask(settings) > 0, tape.gradient(loss, flat), 0.0))[0::2]
        return tf.stack([tf.norm(kernel) for kernel in kernels])

    # The maths, traced once for every network of the envelope.
    def weight_mask(self, settings: dict) -> Any:
        """1 where a variable holds a real weight, 0 where it is padding (or in an unused layer)."""
        import tensorflow as tf

        incoming = settings["inputs"]
        masks = []
        for layer in range(HIDDEN_LAYERS):
            neurons = tf.where(settings["active"][layer], settings["units"][layer], 0.0)
            masks += [incoming[:, None] * neurons[None, :], neurons]
            incoming = tf.where(settings["active"][layer], settings["units"][layer], incoming)
        outputs = tf.ones([self.plan.units])
        masks += [incoming[:, None] * outputs[None, :], outputs]
        return tf.concat([tf.reshape(mask, [-1]) for mask in masks], 0)

    def forward(
        self, weights: list, x: Any, settings: dict, dropout_step: Any = None, skip_unused: bool = False
    ) -> tuple[Any, list]:
        """The network's output for inputs `x` (with dropout when `dropout_step` is given), and
        each hidden layer's output (the envelope's width; zeros where padded). With
        `skip_unused`, a layer the network does not use is skipped by a branch, not computed and
        dropped: cheaper for many examples (the views' grids), dearer in a training step."""
        import keras
        import tensorflow as tf

        functions = [keras.activations.get(ACTIVATIONS[name].build()) for name in ACTIVATIONS]
        softmax = list(ACTIVATIONS).index("softmax")

        def layer_output(layer: int, h: Any) -> Any:
            neurons, rate = settings["units"][layer], settings["dropout"][layer]
            z = tf.matmul(h, weights[2 * layer]) + weights[2 * layer + 1]

            def activation(index: int) -> Callable[[], Any]:
                if index == softmax:  # over the layer's real neurons only
                    return lambda: functions[index](z + (1.0 - neurons) * MASKED_LOGIT)
                return lambda: functions[index](z)

            index = settings["activations"][layer]
            if self.computed_activations is None:
                a = tf.switch_case(index, [activation(i) for i in range(len(functions))])
            else:  # a population's members each pick theirs: only the activations they use are computed
                first, *others = self.computed_activations
                a = activation(first)()
                for other in others:
                    a = tf.where(tf.equal(index, other), activation(other)(), a)
            a = tf.where(neurons > 0, a, 0.0)
            if dropout_step is not None:
                seed = tf.stack([settings["seed"] * 1000 + layer + 1, dropout_step])

                def dropped(a: Any = a) -> Any:
                    kept = tf.random.stateless_uniform(tf.shape(a), seed) >= rate
                    return tf.where(kept, a / (1.0 - rate), 0.0)

                a = tf.cond(rate > 0, dropped, lambda: a)
            return a

        h, hidden = tf.gather(x, settings["input_order"], axis=1), []
        for layer in range(HIDDEN_LAYERS):
            active = settings["active"][layer]
            if skip_unused:
                h = tf.cond(active, lambda layer=layer, h=h: layer_output(layer, h), lambda h=h: h)
            else:
                h = tf.where(active, layer_output(layer, h), h)
            hidden.append(h)
        output = keras.activations.get(ACTIVATIONS[self.plan.activation].build())
        return output(tf.matmul(h, weights[-2]) + weights[-1]), hidden

    def penalty(self, weights: list, settings: dict) -> Any:
        """The L1 and L2 weight penalties over every kernel (Keras's regularizers' sums)."""
        import tensorflow as tf

        kernels = weights[0::2]
        return tf.add_n(
            [settings["l1"] * tf.reduce_sum(tf.abs(k)) + settings["l2"] * tf.reduce_sum(tf.square(k)) for k in kernels]
        )

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
        import tensorflow as tf

        assert settings is not None, "the envelope's program passes its settings to every step"
        size = self.batch_size
        n = settings["train_examples"]
        trainable, non_trainable, optimizer_state = self.split_state(state)
        (dropout_step,) = non_trainable
        positions = batch * size + tf.range(size)
        weights = tf.cast(positions < n, tf.float32)
        index = tf.gather(order, tf.minimum(positions, n - 1))
        xb, yb = tf.gather(x_train, index), tf.gather(y_train, index)
        with tf.GradientTape() as tape:
            tape.watch(trainable)
            unflat = self.weights(trainable[0])
            p, _ = self.forward(unflat, xb, settings, dropout_step)
            data_loss = tf.reduce_sum(self.per_sample_loss(yb, p) * weights) / tf.reduce_sum(weights)
            loss = data_loss + self.penalty(unflat, settings)
        real = self.weight_mask(settings) > 0
        gradients = [tf.where(real, tape.gradient(loss, trainable[0]), 0.0)]
        optimizer_state[self.rate_index] = tf.cast(rate, optimizer_state[self.rate_index].dtype)
        trainable, optimizer_state = stateless_apply(self.optimizer, optimizer_state, gradients, trainable)
        trainable = [tf.where(real, trainable[0], 0.0)]
        state = list(trainable) + [dropout_step + 1] + list(optimizer_state)
        return state, tf.math.is_finite(loss), data_loss * tf.reduce_sum(weights), 0.0

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
        """Loss and accuracy on the training and test sets, from one forward pass over both (their
        padding rows left out)."""
        import tensorflow as tf

        trainable, _, _ = self.split_state(state)
        p, _ = self.forward(self.weights(trainable[0]), tf.concat([x_fit, x_test], 0), settings)
        fit_rows = tf.shape(x_fit)[0]
        rows = tf.range(tf.shape(p)[0])
        y = tf.concat([y_fit, y_test], 0)
        losses, correct = self.per_sample_loss(y, p), self.correct(y, p)
        row = []
        for real, count in (
            (rows < settings["train_examples"], settings["train_examples"]),
            ((rows >= fit_rows) & (rows < fit_rows + settings["test_examples"]), settings["test_examples"]),
        ):
            weights = tf.cast(real, tf.float32)
            examples = tf.cast(count, tf.float32)
            row.append((tf.reduce_sum(losses * weights) / examples, tf.reduce_sum(correct * weights) / examples))
        (train_loss, train_accuracy), (test_loss, test_accuracy) = row
        return tf.stack([train_loss, test_loss, train_accuracy, test_accuracy])
