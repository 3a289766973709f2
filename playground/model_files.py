"""Saving trained models as `.keras` files and loading them back safely.

Loading uses `safe_mode=True`: a model that carries arbitrary Python code (a Lambda layer) is
refused with a message, never run. Our arctan activation is registered, so models using it load.

Example:

    save_model(model, "run.keras")
    model = load_model_file("run.keras")
"""

from __future__ import annotations

from playground.activations import keras_activation


class ModelFileError(ValueError):
    """A `.keras` file that cannot be loaded, with a plain reason."""


def save_model(model, path: str) -> None:
    model.save(path)


def load_model_file(path: str):
    import keras

    keras_activation("arctan")  # registers the custom activation before loading
    try:
        return keras.saving.load_model(path, safe_mode=True, compile=False)
    except ValueError as error:
        text = str(error)
        if "Lambda" in text or "safe_mode" in text or "unsafe" in text:
            raise ModelFileError(
                "This model contains a Lambda layer, which holds arbitrary Python code, so it was not loaded "
                "(safe mode). Rebuild the model without Lambda layers, or use built-in layers only."
            ) from error
        raise ModelFileError(f"This file could not be read as a Keras model: {text.splitlines()[0]}") from error
    except (OSError, KeyError, TypeError) as error:
        raise ModelFileError(f"This file is not a valid .keras model ({type(error).__name__}: {error}). Save it with model.save('name.keras').") from error


def model_bytes(model) -> bytes:
    """The model as the bytes of a `.keras` file (to store with a run or offer as a download)."""
    import os
    import tempfile

    with tempfile.TemporaryDirectory() as folder:
        path = os.path.join(folder, "model.keras")
        save_model(model, path)
        with open(path, "rb") as file:
            return file.read()
