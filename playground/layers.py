"""The layer types of the stack editor: defaults, shape and parameter arithmetic, and Keras builders.

Each entry of `LAYERS` knows, without building anything, what shape a layer gives for an input
shape and how many parameters it has, so the page can show both live while the user edits.
`check` returns a plain-language problem when the layer cannot take that input.

Adding a layer type is one entry in `LAYERS`.

Example:

    layer = LayerSpec("Conv2D", filters=6, kernel_size=5, activation="tanh")
    LAYERS["Conv2D"].output_shape(layer, (32, 32, 1))   # -> (28, 28, 6)
    LAYERS["Conv2D"].parameters(layer, (32, 32, 1))     # -> 156
"""

from __future__ import annotations

import re

from dataclasses import dataclass
from typing import Callable

from playground.spec import LayerSpec

Shape = tuple[int, ...]


def _window_out(size: int, window: int, stride: int, padding: str) -> int:
    if padding == "same":
        return -(-size // stride)
    return (size - window) // stride + 1


def _conv_shape(layer: LayerSpec, shape: Shape) -> Shape:
    h, w, _ = shape
    k, s, p = layer.kernel_size, layer.strides, layer.padding
    return (_window_out(h, k, s, p), _window_out(w, k, s, p), layer.filters)


def _pool_shape(layer: LayerSpec, shape: Shape) -> Shape:
    h, w, c = shape
    k, s, p = layer.pool_size, layer.strides, layer.padding
    return (_window_out(h, k, s, p), _window_out(w, k, s, p), c)


def _needs_image(layer: LayerSpec, shape: Shape) -> str | None:
    if len(shape) != 3:
        return (
            f"needs image input, but gets {_describe(shape)}. Use Dense layers, "
            "or pick an image dataset such as 'digits' or 'mnist'."
        )
    window = layer.kernel_size if layer.type == "Conv2D" else layer.pool_size
    if layer.padding == "valid" and (window > shape[0] or window > shape[1]):
        return (
            f"has a {window}x{window} window but its input is only {shape[0]}x{shape[1]}. "
            "Use a smaller window, padding 'same', or fewer layers that shrink the image before it."
        )
    return None


def _needs_flat(layer: LayerSpec, shape: Shape) -> str | None:
    if len(shape) != 1:
        return f"gets image-shaped input ({_describe(shape)}). Add a Flatten layer before it."
    return None


def _describe(shape: Shape) -> str:
    if len(shape) == 1:
        return f"{shape[0]} number{'s' if shape[0] != 1 else ''} per sample"
    return "x".join(str(s) for s in shape) + " images"


@dataclass(frozen=True)
class LayerType:
    """What the app knows about one layer type."""

    description: str
    defaults: dict
    output_shape: Callable[[LayerSpec, Shape], Shape]
    parameters: Callable[[LayerSpec, Shape], int]
    check: Callable[[LayerSpec, Shape], str | None]
    has_weights: bool


def _product(shape: Shape) -> int:
    result = 1
    for s in shape:
        result *= s
    return result


LAYERS: dict[str, LayerType] = {
    "Dense": LayerType(
        "Every input connects to every neuron: output = activation(W·x + b).",
        {"units": 8, "activation": "relu"},
        lambda layer, shape: (layer.units,),
        lambda layer, shape: shape[-1] * layer.units + layer.units,
        _needs_flat,
        True,
    ),
    "Dropout": LayerType(
        "While training, sets a random fraction of its inputs to zero, which fights overfitting.",
        {"rate": 0.2},
        lambda layer, shape: shape,
        lambda layer, shape: 0,
        lambda layer, shape: None,
        False,
    ),
    "Conv2D": LayerType(
        "Slides small learned filters over the image; each filter makes one feature map.",
        {"filters": 8, "kernel_size": 3, "strides": 1, "padding": "valid", "activation": "relu"},
        _conv_shape,
        lambda layer, shape: layer.kernel_size**2 * shape[-1] * layer.filters + layer.filters,
        _needs_image,
        True,
    ),
    "MaxPooling2D": LayerType(
        "Keeps the largest value in each window, shrinking the feature maps.",
        {"pool_size": 2, "strides": 2, "padding": "valid"},
        _pool_shape,
        lambda layer, shape: 0,
        _needs_image,
        False,
    ),
    "AveragePooling2D": LayerType(
        "Averages each window (LeNet-5's subsampling), shrinking the feature maps.",
        {"pool_size": 2, "strides": 2, "padding": "valid"},
        _pool_shape,
        lambda layer, shape: 0,
        _needs_image,
        False,
    ),
    "Flatten": LayerType(
        "Unrolls feature maps into one long vector so Dense layers can follow.",
        {},
        lambda layer, shape: (_product(shape),),
        lambda layer, shape: 0,
        lambda layer, shape: None,
        False,
    ),
    "BatchNormalization": LayerType(
        "Rescales each feature to zero mean and unit variance over the batch, then learns a scale and shift.",
        {},
        lambda layer, shape: shape,
        lambda layer, shape: 4 * shape[-1],
        lambda layer, shape: None,
        False,
    ),
}


def new_layer(type_name: str, **changes) -> LayerSpec:
    """A layer of the given type with its defaults, overridden by `changes`."""
    return LayerSpec(type=type_name, **{**LAYERS[type_name].defaults, **changes})


def keras_layer_name(layer: LayerSpec, position: int) -> str:
    """The layer's name in the Keras model: its type and its 1-based place in the stack.

    Named explicitly rather than by Keras' process-wide counter, which threads building models
    at the same moment (a sweep's workers, two users) can race on: "Name 'dense' is already the
    name of a layer in this model".
    """
    snake = re.sub(r"(?<=[a-z])(?=[A-Z])", "_", layer.type).lower()
    return f"{snake}_{position}"


def build_keras_layer(layer: LayerSpec, *, seed: int, initializer, regularizer, name: str | None = None):
    """The Keras layer for `layer`; weights are seeded so runs repeat exactly."""
    import keras

    from playground.activations import keras_activation

    if layer.type == "Dense":
        return keras.layers.Dense(
            layer.units,
            activation=keras_activation(layer.activation),
            kernel_initializer=initializer(seed),
            kernel_regularizer=regularizer,
            name=name,
        )
    if layer.type == "Conv2D":
        return keras.layers.Conv2D(
            layer.filters,
            layer.kernel_size,
            strides=layer.strides,
            padding=layer.padding,
            activation=keras_activation(layer.activation),
            kernel_initializer=initializer(seed),
            kernel_regularizer=regularizer,
            name=name,
        )
    if layer.type == "Dropout":
        return keras.layers.Dropout(layer.rate, seed=seed, name=name)
    if layer.type == "MaxPooling2D":
        return keras.layers.MaxPooling2D(layer.pool_size, strides=layer.strides, padding=layer.padding, name=name)
    if layer.type == "AveragePooling2D":
        return keras.layers.AveragePooling2D(layer.pool_size, strides=layer.strides, padding=layer.padding, name=name)
    if layer.type == "Flatten":
        return keras.layers.Flatten(name=name)
    if layer.type == "BatchNormalization":
        return keras.layers.BatchNormalization(name=name)
    raise ValueError(f"Unknown layer type {layer.type!r}.")
