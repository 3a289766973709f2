"""Computes snapshots from a model: histograms, probe outputs, confusion matrix, 2-D grids.

Histogram bins are fixed per layer at the first snapshot (widened to the initial range plus
margin) so frames over time are comparable. Forward passes over the test set are compiled calls
made at most a few times per second. The plane views of 2-D data (the decision boundary and
every hidden neuron's map) come from one compiled call. Between full snapshots, a frame snapshot
(`make_frame`) renews what the live views draw at every frame: for a network the browser computes
itself (`plane_model`), only its weights; else the plane views.

Like the training loop's, these compiled calls are stateless (the weights are arguments) and
shared by every model of the same architecture (`training_loop.PROGRAMS`): a class opening the
same preset traces them once.
"""

from __future__ import annotations

import dataclasses
import json
from typing import Any

import numpy as np

from playground.datasets.dataset import DatasetKind, Task
from playground.engine.envelope_loop import EnvelopeLoop
from playground.engine.plane_model import plane_model
from playground.engine.snapshots import (
    GRID_SIZE,
    HISTOGRAM_BINS,
    MAX_DRAWN_WEIGHTS,
    NEURON_GRID_SIZE,
    PROBE_COUNT,
    Snapshot,
)
from playground.engine.training_loop import PROGRAMS
from playground.training_data import TrainingData


class SnapshotMaker:
    """Makes snapshots for one trainer's model and data."""

    def __init__(self, model, data: TrainingData, features, loop):
        import keras
        import tensorflow as tf

        self.model, self.data, self.features, self.loop = model, data, features, loop
        self.dataset = data.dataset
        self.weighted = [layer for layer in model.layers if getattr(layer, "kernel", None) is not None]
        self.edges: dict[str, np.ndarray] = {}  # a histogram's bin edges, by name
        rng = np.random.default_rng(0)
        count = min(PROBE_COUNT, len(data.x_test))
        self.probe_indices = np.sort(rng.choice(len(data.x_test), count, replace=False))
        self.dense_only = all(type(layer).__name__ in ("Dense", "Dropout") for layer in model.layers)
        self.grid_inputs = self.plane_inputs = None
        # The model's output, and for Dense networks on the plane every hidden layer's too, in one call.
        self.hidden_layers = 0
        self.views_model = model
        # A network in the envelope draws from the envelope's programs, already traced: an edit traces nothing.
        self.envelope = loop if isinstance(loop, EnvelopeLoop) else None
        if self.dataset.kind == DatasetKind.PLANE:
            self.grid_inputs = self._grid(GRID_SIZE)
            plane_inputs = np.concatenate([self.grid_inputs, self._grid(NEURON_GRID_SIZE)])
            # Made once: the frame snapshots pass it to every call.
            self.plane_inputs = plane_inputs if self.envelope else tf.constant(plane_inputs)
            if self.dense_only:
                outputs = [layer.output for layer in model.layers if type(layer).__name__ == "Dense"]
                self.hidden_layers = len(outputs) - 1
                if self.hidden_layers and self.envelope is None:
                    self.views_model = keras.Model(model.inputs, outputs[:-1] + [model.outputs[0]])
        if self.envelope is None:
            self._find_own_programs(model, loop)
        small = sum(int(np.prod(layer.kernel.shape)) for layer in self.weighted) <= MAX_DRAWN_WEIGHTS
        self.draw_weights = self.dense_only and small
        # A network whose plane views the browser computes from its weights (frames carry those).
        self.plane = plane_model(model, self.dataset, features) if self.dense_only else None
        position = {id(variable): i for i, variable in enumerate(model.trainable_variables)}
        self._weight_positions = [
            (position[id(layer.kernel)], None if layer.bias is None else position[id(layer.bias)])
            for layer in self.weighted
        ]

    def _find_own_programs(self, model, loop) -> None:
        """The views' and gradient norms' programs of this architecture (looked up, or made)."""
        key = loop.program_key()
        # Where the views model's variables sit among the model's (its trainable ones, then the others).
        position = {
            id(variable): i for i, variable in enumerate(model.trainable_variables + model.non_trainable_variables)
        }
        self._views_positions = [
            [position[id(v)] for v in variables]
            for variables in (self.views_model.trainable_variables, self.views_model.non_trainable_variables)
        ]
        self._forward = PROGRAMS.get(
            json.dumps(["views", key, self.hidden_layers]), lambda: _forward_program(self.views_model)
        )
        self._norms = PROGRAMS.get(
            json.dumps(["gradient norms", key]), lambda: _norms_program(model, loop, self.weighted)
        )

    def _grid(self, size):
        low, high = self.dataset.bounds
        axis = np.linspace(low, high, size, dtype="float32")
        xx, yy = np.meshgrid(axis, axis)
        points = np.stack([xx.ravel(), yy.ravel()], axis=1)
        return self.data.inputs(points, self.features)

    def _histogram(self, name, values):
        values = np.asarray(values, "float64").ravel()
        values = values[np.isfinite(values)]
        largest = float(np.max(np.abs(values))) if len(values) else 0.0
        if name not in self.edges or largest > self.edges[name][-1]:
            # Bins stay fixed while the values fit, so frames compare; they widen (2x) when outgrown.
            reach = max(largest, 0.05) * (2.5 if name not in self.edges else 2.0)
            self.edges[name] = np.linspace(-reach, reach, HISTOGRAM_BINS + 1)
        edges = self.edges[name]
        counts, _ = np.histogram(np.clip(values, edges[0], edges[-1]), edges)
        return counts, edges

    def make(self, epoch: int, batch: int) -> Snapshot:
        self.loop.sync()  # reads the layers' weights
        data = self.data
        histograms = []
        for layer in self.weighted:
            histograms.append(
                {
                    "layer": layer.name,
                    "weights": self._histogram(layer.name + "/w", layer.kernel.numpy()),
                    "biases": self._histogram(layer.name + "/b", layer.bias.numpy())
                    if layer.bias is not None
                    else None,
                }
            )
        predictions = self._outputs(data.x_test)
        loss, accuracy = self._score(predictions)
        confusion = wrong = wrong_as = None
        if self.dataset.task != Task.REGRESSION:
            predicted = self._classes(predictions)
            k = self.dataset.num_classes
            confusion = np.bincount(self.dataset.y_test * k + predicted, minlength=k * k).reshape(k, k)
            wrong = np.flatnonzero(predicted != self.dataset.y_test)[:24]
            wrong_as = predicted[wrong]
        grid, neuron_grids = self._plane_views()
        weights = None
        if self.draw_weights:
            weights = [(layer.kernel.numpy(), _biases(layer)) for layer in self.weighted]
        return Snapshot(
            epoch,
            batch,
            histograms,
            self._gradient_norms(),
            self.probe_indices,
            predictions[self.probe_indices] if len(self.probe_indices) else None,
            confusion,
            grid,
            neuron_grids,
            weights,
            loss,
            accuracy,
            wrong,
            wrong_as,
            predictions if self.dataset.task != Task.REGRESSION else None,
            self.plane,
        )

    @property
    def draws_the_first_screen(self) -> bool:
        """Whether frame snapshots carry all that a page's first screen draws besides the history
        (the plane views, or the weights they come from): true on 2-D data."""
        return self.plane is not None or self.grid_inputs is not None

    def make_frame(self, epoch: int, batch: int, last: Snapshot) -> Snapshot | None:
        """A frame snapshot, everything as in `last` but what the live views draw anew: the
        weights of a network the browser draws the plane views of, else the plane views (None
        when the data are not 2-D: then only full snapshots change what is shown)."""
        if self.plane is not None:
            return dataclasses.replace(last, epoch=epoch, batch=batch, weights=self._newest_weights())
        if self.grid_inputs is None:
            return None
        grid, neuron_grids = self._plane_views()
        return dataclasses.replace(last, epoch=epoch, batch=batch, grid=grid, neuron_grids=neuron_grids)

    def _newest_weights(self) -> list[tuple[np.ndarray, np.ndarray]]:
        """Each weighted layer's (kernel, biases) from the loop's newest state, with no sync."""
        values = self.loop.model_weights()
        return [
            (values[kernel], values[bias] if bias is not None else np.zeros(values[kernel].shape[-1], "float32"))
            for kernel, bias in self._weight_positions
        ]

    def _views(self, inputs):
        """[hidden layers' outputs..., the model's output] for `inputs`, one compiled call."""
        import tensorflow as tf

        if self.envelope is not None:
            return self.envelope.views(inputs)

        trainable, non_trainable = self.loop.model_state()  # the newest weights, also between the loop's syncs
        state = trainable + non_trainable
        trainable, non_trainable = ([state[i] for i in positions] for positions in self._views_positions)
        outputs = self._forward(trainable, non_trainable, tf.convert_to_tensor(inputs))
        return [o.numpy() for o in outputs] if isinstance(outputs, (list, tuple)) else [outputs.numpy()]

    def _plane_views(self):
        """The decision boundary grid and the hidden neurons' maps, in one compiled call."""
        if self.grid_inputs is None:
            return None, None
        *hidden, outputs = self._views(self.plane_inputs)
        cells = GRID_SIZE * GRID_SIZE
        grid = self._grid_values(outputs[:cells])
        neuron_grids = [m[cells:].T.reshape(-1, NEURON_GRID_SIZE, NEURON_GRID_SIZE) for m in hidden] or None
        return grid, neuron_grids

    def _outputs(self, inputs, chunk: int = 4096):
        """The model's outputs, in chunks for big test sets."""
        return np.concatenate([self._views(inputs[i : i + chunk])[-1] for i in range(0, len(inputs), chunk)])

    def _classes(self, predictions):
        return self.data.plan.predicted_classes(predictions).astype(int)

    def _score(self, predictions):
        import keras

        loss = float(np.mean(np.asarray(keras.losses.get(self.data.plan.loss)(self.data.y_test, predictions))))
        if self.dataset.task == Task.REGRESSION:
            return loss, float("nan")
        return loss, float(np.mean(self._classes(predictions) == self.dataset.y_test))

    def _grid_values(self, outputs):
        if outputs.shape[1] == 1:
            values = outputs[:, 0]
        else:
            values = np.argmax(outputs, axis=1).astype("float32")
        return values.reshape(GRID_SIZE, GRID_SIZE)

    def _gradient_norms(self):
        import tensorflow as tf

        count = min(len(self.data.x_train), 256)
        if self.envelope is not None:
            return self.envelope.gradient_norms(self.data.x_train[:count], self.data.y_train[:count])
        model = self.model
        norms = self._norms(
            [v.value for v in model.trainable_variables],
            [v.value for v in model.non_trainable_variables],
            tf.constant(self.data.x_train[:count]),
            tf.constant(self.data.y_train[:count]),
        )
        return [float(v) for v in norms.numpy()]


def _signature(variables):
    import tensorflow as tf

    return [tf.TensorSpec(v.shape, v.dtype) for v in variables]


def _forward_program(views_model):
    """One trace for any number of inputs (the plane's grid, test-set chunks)."""
    import tensorflow as tf

    def forward(trainable: list, non_trainable: list, x: Any) -> Any:
        return views_model.stateless_call(trainable, non_trainable, x, training=False)[0]

    inputs = tf.TensorSpec([None, *views_model.inputs[0].shape[1:]], "float32")
    return tf.function(
        forward,
        input_signature=[
            _signature(views_model.trainable_variables),
            _signature(views_model.non_trainable_variables),
            inputs,
        ],
    )


def _norms_program(model, loop, weighted):
    """The L2 norm of the loss gradient for each weighted layer's kernel, on a probe batch."""
    import tensorflow as tf

    positions = {id(v): i for i, v in enumerate(model.trainable_variables)}
    kernels = [positions.get(id(layer.kernel)) for layer in weighted]

    def norms(trainable: list, non_trainable: list, x: Any, y: Any) -> Any:
        with tf.GradientTape() as tape:
            tape.watch(trainable)
            p, _ = model.stateless_call(trainable, non_trainable, x, training=False)
            loss = tf.reduce_mean(loop.per_sample_loss(y, p))
        gradients = tape.gradient(loss, trainable)
        return tf.stack([tf.norm(gradients[i]) if i is not None and gradients[i] is not None else 0.0 for i in kernels])

    x = tf.TensorSpec([None, *model.inputs[0].shape[1:]], "float32")
    y = tf.TensorSpec([None, *loop.data_tensors[1].shape[1:]], loop.data_tensors[1].dtype)
    return tf.function(
        norms, input_signature=[_signature(model.trainable_variables), _signature(model.non_trainable_variables), x, y]
    )


def _biases(layer: Any) -> np.ndarray:
    """A layer's biases, or zeros for a layer built without them (`use_bias=False`): what each
    neuron adds to W·x, as the drawing colours it."""
    if layer.bias is not None:
        return layer.bias.numpy()
    return np.zeros(layer.kernel.shape[-1], "float32")
