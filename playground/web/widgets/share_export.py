"""Share the experiment's link, export it (config, script, notebook, history, model) and import a config or a model."""

from __future__ import annotations

import re

import pandas as pd
import streamlit as st

from playground.engine.live_trainer import LiveTrainer
from playground.model_files import ModelFileError, load_model_bytes, non_finite_warning
from playground.notebook_export import export_notebook
from playground.script_export import export_script
from playground.spec import ExperimentSpec, SpecError
from playground.spec_reading import spec_from_json
from playground.validation import validate
from playground.web.widgets import session
from playground.web.widgets.file_names import has_extension, refused_name, upload_name
from playground.web.widgets.safe_text import plain

SHARE_KEY = "share_open"  # the share panel's expander, drawn only while open (the first screen does not wait for it)


def share_link(spec: ExperimentSpec) -> str:
    base = ""
    try:
        base = str(st.context.url).split("?")[0]
    except Exception:  # older Streamlit or AppTest: a relative link still works in the same app
        base = ""
    return f"{base}?x={spec.to_url()}"


def share_and_export(spec: ExperimentSpec, trainer: LiveTrainer | None, valid: bool) -> None:
    st.markdown("**Share this experiment** (copy the link with the icon on the right)")
    st.code(share_link(spec), language=None, wrap_lines=True)
    name = (
        re.sub(r"[^a-z0-9_-]+", "_", (spec.title or spec.dataset.name).lower()).strip("_")[:40] or "experiment"
    )  # a safe file name
    columns = st.columns(5)
    columns[0].download_button(
        "Config JSON",
        spec.to_json() + "\n",
        file_name=f"{name}.json",
        mime="application/json",
        width="stretch",
        on_click="ignore",
    )
    if valid:  # written when clicked, not on every run of the page
        columns[1].download_button(
            "Python script",
            lambda: export_script(spec),
            file_name=f"{name}.py",
            mime="text/x-python",
            width="stretch",
            key="download_script",
            on_click="ignore",
        )
        columns[2].download_button(
            "Notebook",
            lambda: export_notebook(spec),
            file_name=f"{name}.ipynb",
            mime="application/x-ipynb+json",
            width="stretch",
            key="download_notebook",
            help="The same code as the script, step by step with explanations, and the charts: for Jupyter or Colab",
            on_click="ignore",
        )
    history = trainer.history if trainer is not None else []
    if history:
        columns[3].download_button(
            "History CSV",
            pd.DataFrame(history).to_csv(index=False),
            file_name=f"{name}_history.csv",
            mime="text/csv",
            width="stretch",
            on_click="ignore",
        )
        if trainer is not None and columns[4].button("Prepare .keras model", width="stretch"):
            st.session_state.model_bytes = trainer.model_bytes()
        if st.session_state.get("model_bytes"):
            columns[4].download_button(
                "Download .keras",
                st.session_state.model_bytes,
                file_name=f"{name}.keras",
                width="stretch",
                on_click="ignore",
            )
    st.markdown("**Import**")
    upload = st.file_uploader(
        "A config JSON, or a trained .keras model",
        type=None,  # any name: `refused_name` checks it (see playground/web/widgets/file_names.py)
        key=session.key("import"),
    )
    if upload is None:
        return
    problem = refused_name(upload, (".json", ".keras"), "a config (.json) or a model (.keras)")
    if problem:
        st.error(plain(problem))
        return
    if has_extension(upload_name(upload), (".json",)):
        try:
            imported = spec_from_json(upload.getvalue())
        except SpecError as error:
            st.error(plain("This config could not be loaded: " + " ".join(error.problems[:5])))
            return
        problems = validate(imported)
        if problems:
            st.warning(
                plain(
                    "The config was read, but it has problems (shown next to the controls after loading): "
                    + " ".join(p.message for p in problems[:3])
                )
            )
        if st.button("Load this config", type="primary"):
            session.load(imported)
        return
    loaded, warning, rows = _imported_model(upload)
    if not rows:
        st.error(plain(loaded))
        return
    st.success(loaded)
    if warning:
        st.warning(plain(warning))
    st.dataframe(pd.DataFrame(rows), hide_index=True, width="stretch")


def _imported_model(upload) -> tuple[str, str, list[dict]]:
    """(what was loaded, a warning about its weights or "", its layers), or (why it was refused, "", []).
    A model is checked and built once per uploaded file, not again on every rerun."""
    seen = st.session_state.get("imported_model")
    if seen is not None and seen[0] == upload.file_id:
        return seen[1]
    try:
        model = load_model_bytes(upload.getvalue())
    except ModelFileError as error:
        outcome: tuple[str, str, list[dict]] = (str(error), "", [])
    else:
        rows = [
            {
                "layer": layer.name,
                "type": type(layer).__name__,
                "output": str(tuple(layer.output.shape[1:])),
                "parameters": layer.count_params(),
            }
            for layer in model.layers
        ]
        outcome = (f"Loaded safely: {model.count_params():,} parameters.", non_finite_warning(model) or "", rows)
    st.session_state.imported_model = (upload.file_id, outcome)
    return outcome
