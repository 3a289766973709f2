"""The data controls: dataset, noise, training share, seed, input features and CSV upload."""

from __future__ import annotations

import dataclasses
import hashlib
import tempfile
from pathlib import Path

import streamlit as st

from playground.datasets import DATASETS
from playground.features import FEATURES
from playground.spec import CsvOptions, DatasetSpec, ExperimentSpec
from widgets import session

UPLOADS = Path(tempfile.gettempdir()) / "playground-uploads"


def _store_upload(upload) -> str:
    """Keeps an uploaded CSV on the server under its content hash (so the spec can name it)."""
    content = upload.getvalue()
    UPLOADS.mkdir(exist_ok=True)
    path = UPLOADS / f"{hashlib.sha256(content).hexdigest()[:16]}.csv"
    if not path.exists():
        path.write_bytes(content)
    return str(path)


def data_picker(spec: ExperimentSpec) -> tuple[DatasetSpec, tuple[str, ...]]:
    data = spec.dataset
    names = list(DATASETS)
    name = st.selectbox("Dataset", names, index=names.index(data.name) if data.name in names else 0,
                        format_func=lambda n: DATASETS[n].label, key=session.key("dataset"))
    info = DATASETS[name]
    missing = info.missing()
    if missing:
        st.warning(missing)
    csv = data.csv
    if name == "csv":
        upload = st.file_uploader("CSV file (numeric columns plus a label column)", type=["csv"], key=session.key("csv_upload"))
        if upload is not None:
            csv = CsvOptions(path=_store_upload(upload), label_column=csv.label_column if csv else "label")
        if csv is not None and Path(csv.path).exists():
            import pandas as pd

            columns = list(pd.read_csv(csv.path, nrows=0).columns)
            if columns:
                label = st.selectbox("Label column", columns, index=columns.index(csv.label_column) if csv.label_column in columns else len(columns) - 1,
                                     key=session.key("csv_label"))
                csv = dataclasses.replace(csv, label_column=label)
    noise = st.slider("Noise (%)", 0, 50, int(data.noise) if isinstance(data.noise, (int, float)) else 0, key=session.key("noise"), disabled=info.kind != "2d",
                      help="Only for the 2-D datasets: how much the labels are blurred.")
    ratio = st.slider("Training share (%)", 10, 90, int(round(data.train_ratio * 100)) if isinstance(data.train_ratio, float) else 50, step=10, key=session.key("ratio")) / 100
    seed = st.number_input("Data seed", 0, 10_000, data.seed if isinstance(data.seed, int) and data.seed >= 0 else 0, key=session.key("data_seed"))
    classes = data.classes
    if name == "spiral-multi":
        classes = st.slider("Spiral arms (classes)", 3, 5, data.classes if data.classes in (3, 4, 5) else 3, key=session.key("classes"))
    padding = data.padding if info.kind == "image" else 0
    features: tuple[str, ...] = ()
    if info.kind == "2d":
        chosen = [f for f in spec.network.features if f in FEATURES] or ["x1", "x2"]
        features = tuple(st.multiselect("Input features", list(FEATURES), default=chosen, format_func=lambda f: FEATURES[f][0], key=session.key("features")))
    samples = data.samples if name == data.name else None
    return DatasetSpec(name=name, noise=float(noise), train_ratio=ratio, samples=samples, seed=int(seed), classes=int(classes),
                       padding=padding, csv=csv if name == "csv" else None), features
