"""Every registry of the app, imported: the tables the spec's fields name by key (`Setting.registry`).

The spec stands below the tables (a dataset entry knows the `DatasetSpec` it loads), so it names
them instead of importing them; the package imports this module first, so every table is
registered before any field asks for its names (`playground.registry.registry_named`).
"""

from playground import (  # noqa: F401  (imported to register the tables)
    activations,
    datasets,
    features,
    initializers,
    layers,
    losses,
    optimizers,
    regularization,
    schedules,
)
