"""Comparing saved runs: configs side by side with the differing settings marked, and sweep
results as a table with one column per swept parameter.

Example:

    table = config_table({"run a": spec_a, "run b": spec_b})   # rows: settings; "differs" column
    results = sweep_table(store.list_runs(owner, sweep_id))
    best_run(results, "test_loss")
"""

from __future__ import annotations

import json

import pandas as pd

from playground.spec import ExperimentSpec

METRICS = {
    "test_loss": "final test loss",
    "test_accuracy": "final test accuracy",
    "train_loss": "final train loss",
    "train_accuracy": "final train accuracy",
}
HIGHER_IS_BETTER = {"test_accuracy", "train_accuracy"}


def flat_config(spec: ExperimentSpec) -> dict[str, str]:
    """Every setting of the spec as 'section.field' -> text; each layer is one entry."""
    config = spec.to_dict()
    flat: dict[str, str] = {"title": str(config.get("title") or "")}
    for section in ("dataset", "training"):
        for key, value in config[section].items():
            if isinstance(value, dict):
                for inner, inner_value in value.items():
                    flat[f"{section}.{key}.{inner}"] = (
                        json.dumps(inner_value) if isinstance(inner_value, (dict, list)) else str(inner_value)
                    )
            else:
                flat[f"{section}.{key}"] = str(value)
    network = config["network"]
    flat["network.features"] = ", ".join(network.get("features") or []) or "(raw)"
    flat["network.output_activation"] = str(network.get("output_activation"))
    flat["network.hidden layers"] = str(len(network["layers"]))
    for index, layer in enumerate(network["layers"], start=1):
        flat[f"network.layer {index}"] = " ".join(f"{k}={v}" for k, v in layer.items() if v is not None)
    return flat


def config_table(specs: dict[str, ExperimentSpec]) -> pd.DataFrame:
    """One row per setting, one column per run, and a `differs` column."""
    flats = {name: flat_config(spec) for name, spec in specs.items()}
    keys = list(dict.fromkeys(key for flat in flats.values() for key in flat))
    table = pd.DataFrame({name: [flat.get(key, "—") for key in keys] for name, flat in flats.items()}, index=keys)
    table["differs"] = table.nunique(axis=1) > 1
    return table


def sweep_table(runs: pd.DataFrame) -> pd.DataFrame:
    """The runs of a sweep with a column per swept parameter (from each run's `parameters`)."""
    parameters = (
        pd.DataFrame(list(runs["parameters"]), index=runs.index) if len(runs) else pd.DataFrame(index=runs.index)
    )
    columns = ["id", "state", "epochs", *METRICS, "duration"]
    table = pd.concat([parameters, runs[columns]], axis=1)
    table["duration"] = table["duration"].round(2)
    swept = list(parameters.columns)
    return table.sort_values(swept).reset_index(drop=True) if swept else table


def best_run(table: pd.DataFrame, metric: str = "test_loss") -> pd.Series | None:
    usable = table[~table["state"].isin(("diverged", "pruned"))].dropna(subset=[metric])  # whole runs only
    if usable.empty:
        return None
    index = usable[metric].idxmax() if metric in HIGHER_IS_BETTER else usable[metric].idxmin()
    return usable.loc[index]


def heatmap_grid(table: pd.DataFrame, x: str, y: str, metric: str) -> pd.DataFrame:
    """metric averaged over everything else, rows = values of y, columns = values of x."""
    return table.pivot_table(index=y, columns=x, values=metric, aggfunc="mean").sort_index().sort_index(axis=1)
