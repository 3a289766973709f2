"""Computes snapshots from a model: histograms, probe outputs, confusion matrix, 2-D grids.

Histogram bins are fixed per layer at the first snapshot (widened to the initial range plus
margin) so frames over time are comparable. Forward passes over the grid and the test set are
done with compiled `predict_on_batch`-style calls at most a few times per second.
"""

from __future__ import annotations

import numpy as np

from playground.engine.snapshots import (
    GRID_SIZE, HISTOGRAM_BINS, MAX_DRAWN_WEIGHTS, NEURON_GRID_SIZE, PROBE_COUNT, Snapshot,
)
from playground.training_data import TrainingData


class SnapshotMaker:
    """Makes snapshots for one trainer's model and data."""

    def __init__(self, model, data: TrainingData, features, loop):
        import keras

        self.model, self.data, self.features, self.loop = model, data, features, loop
        self.dataset = data.dataset
        self.weighted = [layer for layer in model.layers if getattr(layer, "kernel", None) is not None]
        self.edges: dict[str, tuple[np.ndarray, np.ndarray]] = {}
        self._norms = None
        self._forwards: dict = {}
        rng = np.random.default_rng(0)
        count = min(PROBE_COUNT, len(data.x_test))
        self.probe_indices = np.sort(rng.choice(len(data.x_test), count, replace=False))
        self.dense_only = all(type(layer).__name__ in ("Dense", "Dropout") for layer in model.layers)
        self.grid_inputs = self.neuron_inputs = None
        if self.dataset.kind == "2d":
            self.grid_inputs = self._grid(GRID_SIZE)
            self.neuron_inputs = self._grid(NEURON_GRID_SIZE)
            if self.dense_only:
                outputs = [layer.output for layer in model.layers if type(layer).__name__ == "Dense"]
                self.neuron_model = keras.Model(model.inputs, outputs[:-1]) if len(outputs) > 1 else None
        small = sum(int(np.prod(layer.kernel.shape)) for layer in self.weighted) <= MAX_DRAWN_WEIGHTS
        self.draw_weights = self.dense_only and small

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
        data, plan = self.data, self.data.plan
        histograms = []
        for layer in self.weighted:
            histograms.append({
                "layer": layer.name,
                "weights": self._histogram(layer.name + "/w", layer.kernel.numpy()),
                "biases": self._histogram(layer.name + "/b", layer.bias.numpy()) if layer.bias is not None else None,
            })
        predictions = self._outputs(self.model, data.x_test)
        loss, accuracy = self._score(predictions)
        confusion = wrong = wrong_as = None
        if self.dataset.task != "regression":
            predicted = self._classes(predictions)
            k = self.dataset.num_classes
            confusion = np.bincount(self.dataset.y_test * k + predicted, minlength=k * k).reshape(k, k)
            wrong = np.flatnonzero(predicted != self.dataset.y_test)[:24]
            wrong_as = predicted[wrong]
        grid = neuron_grids = None
        if self.grid_inputs is not None:
            grid = self._grid_values(self._outputs(self.model, self.grid_inputs))
            if self.dense_only and self.neuron_model is not None:
                maps = self._outputs(self.neuron_model, self.neuron_inputs)
                maps = maps if isinstance(maps, (list, tuple)) else [maps]
                neuron_grids = [np.asarray(m).T.reshape(-1, NEURON_GRID_SIZE, NEURON_GRID_SIZE) for m in maps]
        weights = None
        if self.draw_weights:
            weights = [(layer.kernel.numpy(), layer.bias.numpy()) for layer in self.weighted]
        return Snapshot(
            epoch, batch, histograms, self._gradient_norms(),
            self.probe_indices, predictions[self.probe_indices] if len(self.probe_indices) else None,
            confusion, grid, neuron_grids, weights, loss, accuracy, wrong, wrong_as,
            predictions if self.dataset.task != "regression" else None,
        )

    def _outputs(self, model, inputs, chunk: int = 4096):
        """Compiled forward passes (one trace per input shape), in chunks for big test sets."""
        import tensorflow as tf

        forward = self._forwards.get(id(model))
        if forward is None:
            forward = self._forwards[id(model)] = tf.function(lambda x: model(x, training=False))
        parts = [forward(tf.constant(inputs[i: i + chunk])) for i in range(0, len(inputs), chunk)]
        if isinstance(parts[0], (list, tuple)):
            return [np.concatenate([np.asarray(p[k]) for p in parts]) for k in range(len(parts[0]))]
        return np.concatenate([np.asarray(p) for p in parts])

    def _classes(self, predictions):
        plan = self.data.plan
        if plan.units == 1:
            return (predictions[:, 0] > plan.threshold).astype(int)
        return np.argmax(predictions, axis=1)

    def _score(self, predictions):
        import keras

        loss = float(np.mean(np.asarray(keras.losses.get(self.data.plan.loss)(self.data.y_test, predictions))))
        if self.dataset.task == "regression":
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

        if self._norms is None:
            count = min(len(self.data.x_train), 256)
            x, y = tf.constant(self.data.x_train[:count]), tf.constant(self.data.y_train[:count])
            kernels = [layer.kernel for layer in self.weighted]

            @tf.function
            def norms():
                with tf.GradientTape() as tape:
                    loss = tf.reduce_mean(self.loop.per_sample_loss(y, self.model(x, training=False)))
                return tf.stack([tf.norm(g) if g is not None else 0.0 for g in tape.gradient(loss, kernels)])

            self._norms = norms
        return [float(v) for v in self._norms().numpy()]
