"""The layer types of the stack editor: settings, shape and parameter arithmetic, and Keras builders.

Each entry of `LAYERS` knows, without building anything, what shape a layer gives for an input
shape and how many parameters it has, so the page can show both live while the user edits.
`check` returns a plain-language problem when the layer cannot take that input. Its `settings`
(with their bounds) are what the validator checks and the layer editor draws, and its
`arguments` are the Keras layer's arguments, from which both the model and the exported script
are made.

Adding a layer type, or a setting of one, is one entry in `LAYERS`.

Example:

    layer = LayerSpec("Conv2D", filters=6, kernel_size=5, activation="tanh")
    LAYERS["Conv2D"].output_shape(layer, (32, 32, 1))   # -> (28, 28, 6)
    LAYERS["Conv2D"].parameters(layer, (32, 32, 1))     # -> 156
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from playground.registry import Code, Entry, Registry, Setting, call_code
from playground.spec import ExperimentSpec, LayerSpec, NetworkSpec

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
            f"needs image input, but gets {_describe(shape)}. Use Dense layers, or pick an image dataset such as "
            "'digits' or 'mnist'."
        )
    window = layer.kernel_size if layer.type == "Conv2D" else layer.pool_size
    if layer.padding == "valid" and (window > shape[0] or window > shape[1]):
        return (
            f"has a {window}x{window} window but its input is only {shape[0]}x{shape[1]}. Use a smaller window, "
            "padding 'same', or fewer layers that shrink the image before it."
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
class LayerParts:
    """What a layer's Keras arguments refer to besides its own settings: Keras objects when a
    model is built, or the code that makes them when a script is exported.

    Args:
        activation: the activation's Keras form (or code) by name.
        initializer: the weight initializer, seeded for this layer.
        regularizer: the weight penalty (or None).
        seed: this layer's seed (dropout's masks).
    """

    activation: Callable[[str], Any]
    initializer: Any
    regularizer: Any
    seed: int


Arguments = tuple[tuple[Any, ...], dict[str, Any]]


@dataclass(frozen=True)
class LayerType(Entry):
    """What the app knows about one layer type.

    Args:
        keras_class: the class's name in `keras.layers`.
        arguments: (layer, parts) -> the Keras class's positional and keyword arguments.
        output_shape: (layer, input shape) -> its output shape.
        parameters: (layer, input shape) -> its number of parameters.
        check: (layer, input shape) -> why it cannot take that input, or None.
        has_weights: whether it has a kernel drawn as links (Dense, Conv2D).
        describe: layer -> a short summary for the stack ("Dense 4 tanh").
    """

    keras_class: str = field(kw_only=True)
    arguments: Callable[[LayerSpec, LayerParts], Arguments] = lambda layer, parts: ((), {})
    output_shape: Callable[[LayerSpec, Shape], Shape] = lambda layer, shape: shape
    parameters: Callable[[LayerSpec, Shape], int] = lambda layer, shape: 0
    check: Callable[[LayerSpec, Shape], str | None] = lambda layer, shape: None
    has_weights: bool = False
    describe: Callable[[LayerSpec], str] = lambda layer: str(layer.type)

    def complete(self, layer: LayerSpec) -> LayerSpec:
        """`layer` with every setting it leaves out at this type's default."""
        missing = {name: value for name, value in self.defaults.items() if name not in layer.settings}
        return layer.replace(**missing) if missing else layer

    def build(self, layer: LayerSpec, parts: LayerParts, name: str | None = None) -> Any:
        """The Keras layer."""
        import keras

        args, keywords = self.arguments(self.complete(layer), parts)
        return getattr(keras.layers, self.keras_class)(*args, **keywords, name=name)

    def code(self, layer: LayerSpec, parts: LayerParts, name: str | None = None) -> Code:
        """The Keras layer as code, `parts` holding code."""
        args, keywords = self.arguments(self.complete(layer), parts)
        return call_code(f"keras.layers.{self.keras_class}", args, {**keywords, **({"name": name} if name else {})})


def _product(shape: Shape) -> int:
    result = 1
    for s in shape:
        result *= s
    return result


def _weights(parts: LayerParts) -> dict[str, Any]:
    return {"kernel_initializer": parts.initializer, "kernel_regularizer": parts.regularizer}


def _window(layer: LayerSpec) -> dict[str, Any]:
    return {"strides": layer.strides, "padding": layer.padding}


ACTIVATION = Setting("activation", "Activation", "relu", "choice", registry="activation")
PADDING = Setting("padding", "Padding", "valid", "choice", choices=("valid", "same"))
STRIDES = Setting("strides", "Stride", 1, "int", low=1, high=8)
POOL_SIZE = Setting("pool_size", "Pool", 2, "int", low=1, high=8)
POOLING_SETTINGS = (POOL_SIZE, dataclasses.replace(STRIDES, default=2), PADDING)


def _pooling(name: str, help: str) -> LayerType:
    return LayerType(
        name,
        name,
        help,
        keras_class=name,
        settings=POOLING_SETTINGS,
        arguments=lambda layer, parts: ((layer.pool_size,), _window(layer)),
        output_shape=_pool_shape,
        check=_needs_image,
        describe=lambda layer: f"{layer.type} {layer.pool_size}x{layer.pool_size}",
    )


LAYERS: Registry[LayerType] = Registry(
    "layer type",
    key="layer_type",
    entries=[
        LayerType(
            "Dense",
            "Dense",
            "Every input connects to every neuron: output = activation(W·x + b).",
            keras_class="Dense",
            settings=(
                Setting("units", "Units", 8, "int", low=1, high=4096),
                ACTIVATION,
                Setting(
                    "use_bias",
                    "Bias",
                    True,
                    "bool",
                    help="Each neuron adds a learned bias b to W·x. Without it, every boundary passes through 0.",
                ),
            ),
            arguments=lambda layer, parts: (
                (layer.units,),
                {"activation": parts.activation(layer.activation), "use_bias": layer.use_bias, **_weights(parts)},
            ),
            output_shape=lambda layer, shape: (layer.units,),
            parameters=lambda layer, shape: shape[-1] * layer.units + (layer.units if layer.use_bias else 0),
            check=_needs_flat,
            has_weights=True,
            describe=lambda layer: f"Dense {layer.units} {layer.activation}{'' if layer.use_bias else ' no bias'}",
        ),
        LayerType(
            "Dropout",
            "Dropout",
            "While training, sets a random fraction of its inputs to zero, which fights overfitting.",
            keras_class="Dropout",
            settings=(
                Setting(
                    "rate", "Dropout rate", 0.2, "float", low=0, high=1, below_high=True, advice="0.2 to 0.5 is usual."
                ),
            ),
            arguments=lambda layer, parts: ((layer.rate,), {"seed": parts.seed}),
            describe=lambda layer: f"Dropout {layer.rate}",
        ),
        LayerType(
            "Conv2D",
            "Conv2D",
            "Slides small learned filters over the image; each filter makes one feature map.",
            keras_class="Conv2D",
            settings=(
                Setting("filters", "Filters", 8, "int", low=1, high=512),
                Setting("kernel_size", "Kernel", 3, "int", low=1, high=15),
                STRIDES,
                PADDING,
                ACTIVATION,
            ),
            arguments=lambda layer, parts: (
                (layer.filters, layer.kernel_size),
                {**_window(layer), "activation": parts.activation(layer.activation), **_weights(parts)},
            ),
            output_shape=_conv_shape,
            parameters=lambda layer, shape: layer.kernel_size**2 * shape[-1] * layer.filters + layer.filters,
            check=_needs_image,
            has_weights=True,
            describe=lambda layer: f"Conv2D {layer.filters}@{layer.kernel_size}x{layer.kernel_size} {layer.activation}",
        ),
        _pooling("MaxPooling2D", "Keeps the largest value in each window, shrinking the feature maps."),
        _pooling("AveragePooling2D", "Averages each window (LeNet-5's subsampling), shrinking the feature maps."),
        LayerType(
            "Flatten",
            "Flatten",
            "Unrolls feature maps into one long vector so Dense layers can follow.",
            keras_class="Flatten",
            output_shape=lambda layer, shape: (_product(shape),),
        ),
        LayerType(
            "BatchNormalization",
            "BatchNormalization",
            "Rescales each feature to zero mean and unit variance over the batch, then learns a scale and shift.",
            keras_class="BatchNormalization",
            parameters=lambda layer, shape: 4 * shape[-1],
        ),
    ],
)


def new_layer(type_name: str, **changes: Any) -> LayerSpec:
    """A layer of the given type with its defaults, overridden by `changes`."""
    return LayerSpec(type_name, **{**LAYERS[type_name].defaults, **changes})


def complete_layer(layer: LayerSpec) -> LayerSpec:
    """`layer` with the settings it leaves out at its type's defaults (an unknown type: as it is)."""
    layer_type = LAYERS.lookup(layer.type)
    return layer_type.complete(layer) if layer_type else layer


def complete_network(network: NetworkSpec) -> NetworkSpec:
    """`network` with each layer's left-out settings at its type's defaults (as a config is read)."""
    return dataclasses.replace(network, layers=tuple(complete_layer(layer) for layer in network.layers))


def complete_spec(spec: ExperimentSpec) -> ExperimentSpec:
    """`spec` as a config reader makes it: every layer's left-out settings at its type's defaults."""
    return spec.replace(network=complete_network(spec.network))


def layer_setting_names() -> set[str]:
    """Every setting any layer type takes, plus "type": the keys a layer in a config may have."""
    return {"type"} | {setting.name for layer_type in LAYERS.values() for setting in layer_type.settings}


def keras_layer_name(layer: LayerSpec, position: int) -> str:
    """The layer's name in the Keras model: its type and its 1-based place in the stack.

    Named explicitly rather than by Keras' process-wide counter, which threads building models
    at the same moment (a sweep's workers, two users) can race on: "Name 'dense' is already the
    name of a layer in this model".
    """
    snake = re.sub(r"(?<=[a-z])(?=[A-Z])", "_", layer.type).lower()
    return f"{snake}_{position}"
