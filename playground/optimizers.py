"""The optimizers a user can pick. Adding one is one entry in `OPTIMIZERS`.

Example:

    optimizer = make_optimizer("momentum", 0.01)   # keras.optimizers.SGD(0.01, momentum=0.9)
"""

from __future__ import annotations

# name -> (label, one-line explanation, Keras class name, extra arguments)
OPTIMIZERS = {
    "sgd": ("SGD", "Plain mini-batch gradient descent: w ← w − η·∇L.", "SGD", {}),
    "momentum": ("SGD with momentum", "Keeps a running velocity of past gradients (momentum 0.9).", "SGD", {"momentum": 0.9}),
    "adam": ("Adam", "Adapts a step size per weight from running means of the gradient and its square.", "Adam", {}),
    "rmsprop": ("RMSprop", "Divides each step by a running root-mean-square of recent gradients.", "RMSprop", {}),
}


def make_optimizer(name: str, learning_rate: float):
    import keras

    _, _, class_name, extra = OPTIMIZERS[name]
    return getattr(keras.optimizers, class_name)(learning_rate=float(learning_rate), **extra)
