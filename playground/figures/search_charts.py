"""Figures of a smart search, from its Optuna study: how the best result improved run by run,
which parameters mattered, and each parameter's tries against the result.

Optuna draws them (`optuna.visualization`); here they get the app's compact layout and plain
titles, and a study too young for a figure gets None (the page says what is missing).

Example:

    search_history(study)           # a Plotly figure
    parameter_importance(study)     # None before two runs have finished
"""

from __future__ import annotations

from typing import Any

from playground.figures.style import compact

OBJECTIVE_LABEL = "final test loss"


def _finished(study: Any) -> int:
    import optuna

    return sum(trial.state == optuna.trial.TrialState.COMPLETE for trial in study.trials)


def search_history(study: Any) -> Any:
    """Every finished run's result in the order tried, with the best so far as a line."""
    import optuna

    if not _finished(study):
        return None
    figure = optuna.visualization.plot_optimization_history(study, target_name=OBJECTIVE_LABEL)
    return compact(figure, 340, "Search history: each run's result, and the best so far")


def parameter_importance(study: Any) -> Any:
    """How much of the result's spread each parameter explains (Optuna's fANOVA)."""
    import optuna

    if _finished(study) < 2 or len(study.trials[0].params) < 2:
        return None
    figure = optuna.visualization.plot_param_importances(study, target_name=OBJECTIVE_LABEL)
    return compact(figure, 300, "Which settings mattered")


def parameter_slices(study: Any) -> Any:
    """One panel per parameter: the value each run tried against its result."""
    import optuna

    if not _finished(study):
        return None
    figure = optuna.visualization.plot_slice(study, target_name=OBJECTIVE_LABEL)
    return compact(figure, 340, "Each setting tried, against the result")
