"""The data controls: dataset, noise, training share, seed, input features and CSV upload."""

from __future__ import annotations

import dataclasses

import streamlit as st

from playground.datasets import DATASETS, DatasetError
from playground.datasets.csv_table import csv_columns
from playground.datasets.dataset import DatasetKind
from playground.datasets.uploads import read_upload, save_upload
from playground.runs.run_store import RunStore
from playground.spec import CsvOptions, DatasetSpec, ExperimentSpec, NetworkSpec, field_settings
from playground.web.widgets import session
from playground.web.widgets.file_names import refused_name
from playground.web.widgets.network_editor import edit_data, edit_network
from playground.web.widgets.run_saving import run_store
from playground.web.widgets.safe_text import plain
from playground.web.widgets.setting_input import control_value, setting_input, start_value
from playground.web.widgets.widget_values import index_of, number_in

CSV_EXTENSIONS = (".csv", ".txt", ".tsv")


def _runs_upload_ids():
    """What the upload clean-up keeps: the files the saved runs use (unknown while the store is down)."""
    store = run_store()
    return store.upload_ids if isinstance(store, RunStore) else None


def _stored_upload(upload) -> tuple[str, str]:
    """(its id, "") once the uploaded file is checked and stored, or ("", why it was refused). Each
    file is checked and stored once, not again on every rerun while it stays in the uploader."""
    seen = st.session_state.get("csv_upload_seen")
    if seen is not None and seen[0] == upload.file_id:
        return seen[1], seen[2]
    upload_id, problem = "", refused_name(upload, CSV_EXTENSIONS, "a CSV file") or ""
    if not problem:
        try:
            upload_id = save_upload(upload.getvalue(), owner=session.owner(), in_use=_runs_upload_ids())
        except DatasetError as error:
            problem = str(error)
    st.session_state.csv_upload_seen = (upload.file_id, upload_id, problem)
    return upload_id, problem


def _columns(upload_id: str) -> list[str]:
    """The columns of an uploaded file, read once per file (it may be 50 MB)."""
    known = st.session_state.get("csv_upload_columns")
    if known is not None and known[0] == upload_id:
        return known[1]
    columns = csv_columns(read_upload(upload_id))
    st.session_state.csv_upload_columns = (upload_id, columns)
    return columns


def _csv_options(csv: CsvOptions | None) -> CsvOptions | None:
    """The CSV picked in this run: a new upload is checked, then stored (and named by its id); a
    refused file is explained and the data picked before is kept."""
    upload = st.file_uploader(
        "CSV file (numeric columns plus a label column)",
        type=None,  # any name: `refused_name` checks it (see playground/web/widgets/file_names.py)
        key=session.key("csv_upload"),
        help="Comma-, semicolon- or tab-separated, with a header row; UTF-8 or UTF-16; at most 50 MB.",
    )
    if upload is not None:
        upload_id, problem = _stored_upload(upload)
        if problem:
            st.error(plain(problem))  # the data picked before stays, with its label column below
        else:
            csv = CsvOptions(upload=upload_id, label_column=csv.label_column if csv else "label")
    if csv is None or not csv.upload:
        return csv
    try:
        columns = _columns(csv.upload)
    except DatasetError as error:
        st.error(plain(error))
        return csv
    if columns:
        label = st.selectbox(
            "Label column",
            columns,
            index=index_of(columns, csv.label_column, len(columns) - 1),
            key=session.key("csv_label"),
        )
        csv = dataclasses.replace(csv, label_column=label)
    return csv


FIELDS = field_settings(DatasetSpec)


def data_picker(spec: ExperimentSpec) -> DatasetSpec:
    """The dataset and its settings (in the sidebar)."""
    data = spec.dataset
    name = setting_input(FIELDS["name"], data.name, session.key("dataset"), on_change=_dataset_changed)
    info = DATASETS[name]
    missing = info.missing()
    if missing:
        st.warning(missing)
    csv = data.csv if isinstance(data.csv, CsvOptions) else None
    if name == "csv":
        csv = _csv_options(csv)
    noise = setting_input(
        FIELDS["noise"],
        data.noise,
        session.key("noise"),
        disabled=info.kind != DatasetKind.PLANE,
        on_change=_plane_setting_changed,
    )
    share = FIELDS["train_ratio"]  # shown in percent, as TF Playground does
    ratio = (
        st.slider(
            f"{share.label} (%)",
            round(share.low * 100),
            round(share.high * 100),
            round(number_in(data.train_ratio, share.low, share.high, share.default) * 10) * 10,
            step=round(share.step * 100),
            key=session.key("ratio"),
            on_change=_plane_setting_changed,
        )
        / 100
    )
    seed = setting_input(FIELDS["seed"], data.seed, session.key("data_seed"), on_change=_plane_setting_changed)
    own = {
        setting.name: setting_input(
            setting, getattr(data, setting.name), session.key(f"data_{setting.name}"), on_change=_plane_setting_changed
        )
        for setting in info.settings
    }
    samples = data.samples if name == data.name and (data.samples is None or isinstance(data.samples, int)) else None
    # Settings other datasets take (arms, padding) keep their defaults here.
    return DatasetSpec(
        name=name,
        noise=noise,
        train_ratio=ratio,
        samples=samples,
        seed=int(seed),
        csv=csv if name == "csv" else None,
        **own,
    )


def _dataset_changed() -> None:
    """The dataset's callback. Another 2-D dataset changes only the data the network learns: it is
    drawn first with the drawing, as an edit on it is (`edit_data`), with the settings the page's
    run then reads from the controls. Other data changes what the page draws around the network
    (the inputs, the kind of output): the page runs whole."""
    data = session.spec().dataset
    name = st.session_state[session.key("dataset")]
    new, old = DATASETS.lookup(name), DATASETS.lookup(data.name)
    if new is None or old is None or new.kind != DatasetKind.PLANE or old.kind != DatasetKind.PLANE:
        return
    own = {setting.name: start_value(setting, getattr(data, setting.name)) for setting in new.settings}
    edit_data(
        DatasetSpec(
            name=name, noise=data.noise, train_ratio=data.train_ratio, samples=None, seed=data.seed, csv=None, **own
        )
    )


def _plane_setting_changed() -> None:
    """The callback of a 2-D dataset's settings (noise, training share, seed, its own such as the
    spiral's arms): the new data is drawn first, as another 2-D dataset is (`edit_data`), with the
    values the page's run then reads from the same controls. Other data runs the whole page."""
    data = session.spec().dataset
    info = DATASETS.lookup(data.name)
    if info is None or info.kind != DatasetKind.PLANE:
        return
    edit_data(
        dataclasses.replace(
            data,
            noise=control_value(FIELDS["noise"], data.noise, session.key("noise")),
            train_ratio=st.session_state.get(session.key("ratio"), round(data.train_ratio * 100)) / 100,
            seed=int(control_value(FIELDS["seed"], data.seed, session.key("data_seed"))),
            **{
                setting.name: control_value(setting, getattr(data, setting.name), session.key(f"data_{setting.name}"))
                for setting in info.settings
            },
        )
    )


def feature_picker(spec: ExperimentSpec, dataset_name: str) -> tuple[str, ...]:
    """The input features of a 2-D dataset, as pills beside the network (none for other data)."""
    info = DATASETS.lookup(dataset_name)
    if info is None or info.kind != DatasetKind.PLANE:
        return ()
    setting = field_settings(NetworkSpec)["features"]
    names = setting.options()
    chosen = [f for f in spec.network.features if isinstance(f, str) and f in names] or list(setting.default)
    picked = st.pills(
        setting.label,
        names,
        selection_mode="multi",
        default=chosen,
        format_func=setting.option_label,
        key=session.key("features"),
        help=setting.help,
        on_change=_features_changed,
        args=(names,),
    )
    return _in_order(names, picked)


def _in_order(names: list[str], picked) -> tuple[str, ...]:
    """The features `picked`, in the table's order, as the inputs are drawn."""
    return tuple(name for name in names if name in (picked or ()))


def _features_changed(names: list[str]) -> None:
    """A pill's callback: the network's new inputs, drawn first with the drawing (`edit_network`)."""
    features = _in_order(names, st.session_state[session.key("features")])
    edit_network(lambda network: dataclasses.replace(network, features=features))
