"""Weight initialisations. Adding one is one entry in `INITIALIZERS`.

"zeros" is there on purpose: every neuron of a layer then computes the same thing and gets the
same gradient, so they never become different (the symmetry problem).

Example:

    init = make_initializer("tfp_uniform", seed=3)   # keras.initializers.RandomUniform(-0.5, 0.5, seed=3)
"""

from __future__ import annotations

# name -> (label, explanation)
INITIALIZERS = {
    "glorot_uniform": ("Glorot uniform", "Keras' default: variance scaled by fan-in plus fan-out."),
    "he_normal": ("He normal", "Variance 2/fan-in, suited to ReLU layers."),
    "tfp_uniform": ("Uniform ±0.5", "TF Playground's choice: U(-0.5, 0.5)."),
    "zeros": ("Zeros", "All weights zero: shows why symmetry must be broken."),
}


def make_initializer(name: str, seed: int):
    import keras

    if name == "glorot_uniform":
        return keras.initializers.GlorotUniform(seed=seed)
    if name == "he_normal":
        return keras.initializers.HeNormal(seed=seed)
    if name == "tfp_uniform":
        return keras.initializers.RandomUniform(-0.5, 0.5, seed=seed)
    if name == "zeros":
        return keras.initializers.Zeros()
    raise ValueError(f"Unknown weight init {name!r}.")
