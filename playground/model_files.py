"""Saving trained models as `.keras` files and loading them back safely.

A `.keras` file is a zip archive of `config.json` (the architecture), `metadata.json` and
`model.weights.h5`. An uploaded one is checked before anything is built: its size, the archive's
members and their unpacked sizes, and the architecture, read as the playground's own layer stack
(only its layer types, within the same bounds as a stack built in the page: units, filters,
input size, parameter count). The model is then built by the playground from that checked stack,
never from the file's config (which could ask Keras for other shapes through settings the check
does not read), and the file's weights are loaded into it. No code from the file ever runs: a
Lambda layer is refused. A damaged archive (a bad checksum, a size that lies, a corrupt or
unsupported compression, encryption) or weights file is a `ModelFileError` that says so, never a
traceback of the zip or HDF5 reader.

Example:

    save_model(model, "run.keras")
    model = load_model_bytes(Path("run.keras").read_bytes())
"""

from __future__ import annotations

import io
import json
import os
import re
import tempfile
import zipfile
import zlib
from typing import Any

from playground.activations import activation_name, keras_activation
from playground.layers import LAYERS, LayerParts, keras_layer_name
from playground.spec import LayerSpec
from playground.validation import stack_problems

MAX_MODEL_BYTES = 64 * 1024 * 1024  # 5,000,000 float32 parameters are 20 MB
MAX_UNPACKED_BYTES = 128 * 1024 * 1024
MAX_CONFIG_BYTES = 1024 * 1024
MAX_INPUT_VALUES = 1_000_000  # numbers per sample (e.g. 1000x1000 grey images)
MEMBERS = ("config.json", "metadata.json", "model.weights.h5")
MAX_MEMBERS = 16
HDF5_SIGNATURE = b"\x89HDF\r\n\x1a\n"
COMPRESSIONS = (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED)  # what model.save and common zip tools write
ENCRYPTED_FLAG = 0x1
# What Python's zip reader raises on a damaged archive: found by changing bytes of model files at random.
DAMAGED_ARCHIVE = (
    zipfile.BadZipFile,
    zipfile.LargeZipFile,
    zlib.error,
    EOFError,
    NotImplementedError,
    RuntimeError,
    ValueError,
    OSError,
)


class ModelFileError(ValueError):
    """A `.keras` file that cannot be loaded, with a plain reason."""


def save_model(model: Any, path: str) -> None:
    model.save(path)


def check_model_archive(content: bytes) -> dict:
    """The parsed `config.json` of a `.keras` file's bytes, after every bound is checked.

    Raises:
        ModelFileError: saying what is wrong with the file and what to do.
    """
    if len(content) > MAX_MODEL_BYTES:
        raise ModelFileError(
            f"The file is {len(content) / 2**20:.0f} MB; models up to {MAX_MODEL_BYTES // 2**20} MB can be imported."
        )
    if not content:
        raise ModelFileError("The file is empty. Save the model again with model.save('name.keras').")
    if content.startswith(HDF5_SIGNATURE):
        raise ModelFileError(
            "This is an HDF5 (.h5) model from an older Keras, renamed to .keras. Load it in Keras and save it again "
            "with model.save('name.keras')."
        )
    try:
        archive = zipfile.ZipFile(io.BytesIO(content))
        members = {info.filename: info for info in archive.infolist()}
    except DAMAGED_ARCHIVE:
        raise ModelFileError(
            "This is not a .keras model: a .keras file is a zip archive, and this one is not (or is cut short). "
            "Save the model with model.save('name.keras') and upload that file."
        ) from None
    if len(members) > MAX_MEMBERS:
        raise ModelFileError(f"The archive holds {len(members):,} entries; a Keras model file holds three.")
    unexpected = [name for name in members if name not in MEMBERS and not name.endswith("/")]
    if unexpected or "config.json" not in members:
        what = f"holds {unexpected[0]!r:.60}, which a Keras model file does not" if unexpected else "has no config.json"
        raise ModelFileError(f"This archive {what}: it is not a model saved by model.save('name.keras').")
    _check_packing(members.values())
    unpacked = sum(info.file_size for info in members.values())
    if unpacked > MAX_UNPACKED_BYTES or members["config.json"].file_size > MAX_CONFIG_BYTES:
        raise ModelFileError(
            f"The archive unpacks to {unpacked / 2**20:,.0f} MB (config "
            f"{members['config.json'].file_size / 2**20:,.1f} MB); an importable model unpacks to at most "
            f"{MAX_UNPACKED_BYTES // 2**20} MB with a config under 1 MB."
        )
    text = _read_member(archive, "config.json")
    try:
        config = json.loads(text.decode("utf-8"))
    except (ValueError, RecursionError):
        raise ModelFileError("The model's config.json is damaged or is not JSON. Save the model again.") from None
    model_stack(config)
    return config


def _check_packing(members) -> None:
    """Refuses, before anything is unpacked, members that are encrypted or compressed in a way
    Keras never writes (Python's reader would stop on them halfway)."""
    for info in members:
        if info.flag_bits & ENCRYPTED_FLAG:
            raise ModelFileError(
                "The archive is password-protected (encrypted), which a Keras model file never is. Export the model "
                "again with model.save('name.keras') and upload that file, without a password."
            )
        if info.compress_type not in COMPRESSIONS:
            raise ModelFileError(
                f"The archive's {info.filename!r:.60} is compressed with a method Keras does not use (zip method "
                f"{info.compress_type}). Export the model again with model.save('name.keras') and upload that file "
                "as it is."
            )


def _read_member(archive: zipfile.ZipFile, name: str) -> bytes:
    """A member's bytes, checked against its checksum and declared size."""
    try:
        return archive.read(name)
    except DAMAGED_ARCHIVE as error:
        raise ModelFileError(
            f"The file is damaged: its {name} cannot be unpacked ({str(error)[:80] or type(error).__name__}). Export "
            "the model again with model.save('name.keras') and upload the new file."
        ) from None


def model_stack(config: Any) -> tuple[tuple[int, ...], tuple[LayerSpec, ...]]:
    """The input shape and the layer stack (ending with the output layer) a checked config describes."""
    if (
        not isinstance(config, dict)
        or config.get("class_name") != "Sequential"
        or not isinstance(config.get("config"), dict)
    ):
        kind = config.get("class_name") if isinstance(config, dict) else None
        raise ModelFileError(
            "Only Sequential models (a plain stack of layers, as the playground saves) can be imported; this one is "
            f"{kind!r:.40}."
        )
    layers = config["config"].get("layers")
    if not isinstance(layers, list) or len(layers) < 2:
        raise ModelFileError("The model's config lists no layers. Save the model again.")
    first, *stack = layers
    input_shape = _input_shape(first)
    specs = tuple(_layer_spec(index, layer) for index, layer in enumerate(stack, start=1))
    if specs[-1].type != "Dense":
        raise ModelFileError(
            f"The model ends with a {specs[-1].type} layer; the playground's models end with a Dense output layer."
        )
    problems = stack_problems(specs, input_shape)
    if problems:
        raise ModelFileError("This model cannot be imported: " + " ".join(problems[:3]))
    return input_shape, specs


def _input_shape(layer) -> tuple[int, ...]:
    config = layer.get("config") if isinstance(layer, dict) else None
    shape = config.get("batch_shape") if isinstance(config, dict) and layer.get("class_name") == "InputLayer" else None
    if not isinstance(shape, list) or not 2 <= len(shape) <= 4:
        raise ModelFileError(
            "The model does not start with an input of a known shape (a Keras Input layer). Save it again from a "
            "model built with keras.Input(shape=...)."
        )
    dims = shape[1:]
    if not all(isinstance(d, int) and not isinstance(d, bool) and 1 <= d <= MAX_INPUT_VALUES for d in dims):
        raise ModelFileError(
            f"The model's input shape {dims!r:.60} is not a list of sizes from 1 to {MAX_INPUT_VALUES:,}."
        )
    values = 1
    for d in dims:
        values *= d
    if values > MAX_INPUT_VALUES:
        raise ModelFileError(
            f"The model takes {values:,} numbers per sample; at most {MAX_INPUT_VALUES:,} can be imported."
        )
    return tuple(dims)


def _layer_spec(index: int, layer) -> LayerSpec:
    """The layer as the playground's `LayerSpec`, for the same checks as a stack built in the page."""
    if not isinstance(layer, dict) or not isinstance(layer.get("config"), dict):
        raise ModelFileError(f"Layer {index} of the model's config is damaged. Save the model again.")
    kind = layer.get("class_name")
    if kind == "Lambda":
        raise ModelFileError(
            "This model contains a Lambda layer, which holds arbitrary Python code, so it was not loaded (safe "
            "mode). Rebuild the model without Lambda layers, or use built-in layers only."
        )
    if not isinstance(kind, str) or kind not in LAYERS:
        raise ModelFileError(
            f"Layer {index} is a {kind!r:.40} layer; the playground imports models made of {', '.join(LAYERS)} layers."
        )
    config = layer["config"]
    fields = {setting.name: _setting(config.get(setting.name)) for setting in LAYERS[kind].settings}
    if "activation" in fields:
        fields["activation"] = activation_name(fields["activation"])
    return LayerSpec(kind, **fields)


def _setting(value):
    """A Keras config value as the playground writes it: (3, 3) -> 3, registered arctan -> "arctan"."""
    if isinstance(value, list) and value and all(v == value[0] for v in value):
        return value[0]
    if isinstance(value, dict) and isinstance(value.get("config"), str):
        return value["config"].rsplit(">", 1)[-1]  # "playground>arctan"
    return value


def load_model_bytes(content: bytes) -> Any:
    """The Keras model in a `.keras` file's bytes: checked (`check_model_archive`), built from the
    checked stack, then given the file's weights.

    Raises:
        ModelFileError: with a plain reason; never a server path.
    """
    input_shape, stack = model_stack(check_model_archive(content))
    model = _build(input_shape, stack)
    _check_weights(content, model.count_params())
    with tempfile.TemporaryDirectory() as folder:
        path = os.path.join(folder, "model.keras")
        with open(path, "wb") as file:
            file.write(content)
        try:
            model.load_weights(path)
        except Exception as error:  # damaged weights, or weights of another shape
            raise ModelFileError(
                f"The model's weights could not be read: {_weights_problem(error, folder, model)}. Export the model "
                "again with model.save('name.keras') and upload the new file."
            ) from None
    return model


_FAILED_LAYER = re.compile(r"object <\w+ name=([^,>]+)")
_SHAPES = re.compile(r"variable\.shape=(\([\d, ]*\)), Received: value\.shape=(\([\d, ]*\))")
_VARIABLE = re.compile(r"Target variable: <Variable path=[^,]*/([^/,]+),")
_COUNTS = re.compile(r"expected (\d+) variables, but received (\d+) variables")


def _weights_problem(error: Exception, folder: str, model) -> str:
    """Why Keras could not give the model the file's weights, in plain words: which layer, and what it
    needs against what the file holds. Keras's first line only says that "1 objects could not be
    loaded"; the reason is on the lines after it, which hold the weights' values too."""
    text = str(error).replace(folder, "")
    names = [layer.name for layer in model.layers]
    failed = _FAILED_LAYER.search(text)
    if failed and failed.group(1) in names:
        index = names.index(failed.group(1))
        layer = f"layer {index + 1} ({type(model.layers[index]).__name__} {failed.group(1)!r})"
        shapes, counts, variable = _SHAPES.search(text), _COUNTS.search(text), _VARIABLE.search(text)
        if shapes:
            weight = variable.group(1) if variable else "weight"
            return (
                f"{layer} needs a {weight} of shape {shapes.group(1)}, but the file holds one of shape "
                f"{shapes.group(2)}"
            )
        if counts:
            needed = ", ".join(weight.name for weight in model.layers[index].weights)
            return f"{layer} has {counts.group(1)} weight arrays ({needed}), but the file holds {counts.group(2)}"
    lines = [line.strip() for line in text.splitlines() if line.strip() and not line.startswith("List of objects")]
    reason = lines[1] if len(lines) > 1 and lines[0].endswith(":") else lines[0] if lines else ""
    reason = reason.split(" Target variable:")[0]  # what follows lists the weights' values
    return f"the file is damaged or its weights do not fit its layers ({type(error).__name__}: {reason[:300]})"


def _check_weights(content: bytes, parameters: int) -> None:
    """Refuses a weights file holding more numbers than the checked model has, or numbers that are
    not floats: Keras would read a declared 12000x12000 dataset whole (compressed, it is tiny)
    before noticing that its shape is wrong."""
    import h5py

    with zipfile.ZipFile(io.BytesIO(content)) as archive:
        if "model.weights.h5" not in archive.namelist():
            raise ModelFileError(
                "The file holds no weights (model.weights.h5). Save the model again with model.save('name.keras')."
            )
        weights = _read_member(archive, "model.weights.h5")
    values, kinds = 0, set()

    def count(name: str, item: object) -> None:
        nonlocal values
        if isinstance(item, h5py.Dataset):
            values += int(item.size)
            kinds.add(item.dtype.kind)

    try:
        with h5py.File(io.BytesIO(weights), "r") as file:
            file.visititems(count)
    except (OSError, ValueError, KeyError, RuntimeError) as error:
        raise ModelFileError(
            f"The file is damaged: its weights (model.weights.h5) cannot be read ({type(error).__name__}). Export "
            "the model again with model.save('name.keras') and upload the new file."
        ) from None
    if values > parameters * 4 + 1024 or not kinds <= {"f", "i", "u"}:  # room for optimizer state and counters
        raise ModelFileError(
            f"The weights file holds {values:,} numbers of kinds {sorted(kinds)} for a model of {parameters:,} "
            "parameters: it does not belong to this architecture. Save the model again."
        )


def non_finite_warning(model: Any) -> str | None:
    """What to tell about a model whose weights hold NaN or infinity (its predictions are NaN), naming
    those layers; None when every weight is a finite number."""
    import numpy as np

    layers = [layer.name for layer in model.layers if any(not np.isfinite(w).all() for w in layer.get_weights())]
    if not layers:
        return None
    named = ", ".join(repr(name) for name in layers[:10]) + (" …" if len(layers) > 10 else "")
    return (
        f"The weights of layer(s) {named} are not all finite numbers (NaN or infinity), so the model's outputs "
        "are NaN. Its training diverged: train it again with a lower learning rate, then export it."
    )


def _build(input_shape: tuple[int, ...], stack: tuple[LayerSpec, ...]):
    import keras

    layers = [keras.Input(shape=input_shape, name="input")]
    for index, layer in enumerate(stack, start=1):
        parts = LayerParts(activation=keras_activation, initializer="zeros", regularizer=None, seed=index)
        layers.append(
            LAYERS[layer.type].build(
                layer, parts, name="output" if index == len(stack) else keras_layer_name(layer, index)
            )
        )
    return keras.Sequential(layers, name="imported")


def load_model_file(path: str) -> Any:
    """The Keras model in a `.keras` file on disk, checked and built like an upload."""
    try:
        with open(path, "rb") as file:
            content = file.read(MAX_MODEL_BYTES + 1)
    except OSError as error:
        raise ModelFileError(f"The model file cannot be read ({error.strerror}).") from None
    return load_model_bytes(content)


def model_bytes(model: Any) -> bytes:
    """The model as the bytes of a `.keras` file (to store with a run or offer as a download)."""
    with tempfile.TemporaryDirectory() as folder:
        path = os.path.join(folder, "model.keras")
        save_model(model, path)
        with open(path, "rb") as file:
            return file.read()
