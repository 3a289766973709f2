"""Saved runs: a sortable table, overlaid curves, configs side by side, load, delete, download, share."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import streamlit as st

from playground.figures.chart_images import chart_config
from playground.figures.run_charts import overlaid_curves
from playground.runs.run_comparison import config_table
from playground.runs.run_record import RunRecord
from playground.runs.tensorboard_export import tensorboard_zip
from playground.web.widgets import session
from playground.web.widgets.run_saving import run_store, show_store_errors, store_warning
from playground.web.widgets.running_sweeps import running_sweeps
from playground.web.widgets.safe_text import plain

MAX_COMPARED_RUNS = 50  # runs drawn and compared at once: each adds its curves (about 14 kB) to the page

session.init()
state = st.session_state
store = run_store()
owner = session.owner()

st.title("Saved runs")
store_warning()
running_sweeps(show_ended=False)  # this browser's sweeps still waiting or training, with Cancel
if "owner" in st.query_params:  # links of older versions named their owner: that let anyone act as them
    del st.query_params["owner"]
    st.info(
        "This address carried an owner id, which is no longer accepted: anyone with such a link could see and "
        "delete that person's runs. The runs below are this browser's. To show all your runs to someone, use "
        "**Share all my runs**."
    )


def open_in_playground(spec) -> None:
    session.load(spec, rerun=False)
    st.switch_page("app_pages/playground.py")


def clock(seconds) -> str:
    """When a run started, as HH:MM:SS; dashes for a time no clock can show (a record another tool wrote)."""
    try:
        return dt.datetime.fromtimestamp(seconds).strftime("%H:%M:%S")
    except (TypeError, ValueError, OverflowError, OSError):
        return "--:--:--"


def run_label(row) -> str:
    when = clock(row["started_at"])
    parameters = ", ".join(f"{k}={v}" for k, v in (row["parameters"] or {}).items())
    return f"{row['title'] or 'run'} {when}" + (f" ({parameters})" if parameters else "") + f" · {row['id'][:6]}"


def address_with(name: str, value: str) -> str:
    try:
        base = str(st.context.url).split("?")[0]
    except Exception:  # AppTest has no URL: a relative link still works in the same app
        base = ""
    return f"{base}?{name}={value}"


def shared_run(token: str) -> None:
    shared = store.load_shared(token)
    if shared is None:
        st.warning(
            "This run is no longer shared: its owner stopped sharing it or deleted it (or the link is incomplete). "
            "Your own runs are below."
        )
        return
    with st.container(border=True):
        st.subheader(f"Shared run: {plain(shared.spec.title) if shared.spec and shared.spec.title else 'experiment'}")
        if shared.damaged:
            st.warning(plain(shared.message))
        else:
            test_loss = shared.final.get("test_loss")
            st.caption(
                f"{plain(shared.state)}, {shared.epochs} epochs, final test loss "
                + ("not measured" if test_loss is None else f"{test_loss:.4f}")
            )
            st.plotly_chart(
                overlaid_curves({"shared run": shared.history}),
                width="stretch",
                key="shared_curves",
                config=chart_config("shared_curves"),
            )
        if shared.spec is None and not shared.damaged:  # a damaged record's warning above says it already
            st.caption(plain(shared.message))
        elif shared.spec is not None and st.button(
            "Open this run's experiment in the playground", key="open_shared", type="primary"
        ):
            open_in_playground(shared.spec)


def shared_list(token: str) -> None:
    """Someone's runs, shown read-only through the link they chose to share (and can revoke)."""
    other = store.owner_of_list(token)
    if other is None:
        st.warning(
            "This link does not point to shared runs (its owner may have stopped sharing them). Your own runs are "
            "below."
        )
        return
    runs = store.list_runs(other)
    with st.container(border=True):
        st.subheader(f"Runs shared with you ({len(runs)})")
        st.caption(
            "You can look at these runs and open their experiments; they stay their owner's. Your own runs are below."
        )
        if runs.empty:
            return
        labels = [run_label(row) for _, row in runs.iterrows()]
        chosen = st.selectbox("Run", range(len(runs)), format_func=lambda i: labels[i], key="shared_list_run")
        record = store.load(runs["id"].iloc[chosen], other)
        if record is None:
            return
        if record.damaged:
            st.warning(plain(record.message))
        else:
            st.plotly_chart(
                overlaid_curves({labels[chosen]: record.history}),
                width="stretch",
                key="shared_list_curves",
                config=chart_config("shared_list_curves"),
            )
        if record.spec is None and not record.damaged:  # a damaged record's warning above says it already
            st.caption(plain(record.message))
        elif record.spec is not None and st.button(
            "Open this run's experiment in the playground", key="open_shared_list"
        ):
            open_in_playground(record.spec)


def sharing_all_runs() -> None:
    """The explicit, revocable link to all of this browser's runs (the buttons act before the page redraws)."""
    with st.popover("Share all my runs", key="runs_share_all_open"):  # keyed: stays open across its reruns
        token = store.shared_list_token(owner)
        if token is None:
            st.write(
                "Make a link that shows all your saved runs, now and later, to whoever has it (they cannot change "
                "or delete them)."
            )
            st.button("Make the link", key="runs_share_all", on_click=store.share_list, args=(owner,))
        else:
            st.code(address_with("runs", token), language=None)
            st.caption("Anyone with this link sees all your runs. Stop sharing to make the link dead.")
            st.button("Stop sharing", key="runs_revoke_all", on_click=store.revoke_list, args=(owner,))


def tensorboard_download(records) -> None:
    """The selected runs as TensorBoard event files in a zip (`tensorboard --logdir` on the unpacked folder)."""
    ids = tuple(record.id for record in records)
    if not ids:
        return
    if st.button(f"Prepare TensorBoard files for {len(ids)} run(s)", key="runs_tensorboard"):
        state.runs_tensorboard = (ids, tensorboard_zip(records))
    prepared = state.get("runs_tensorboard")
    if prepared and prepared[0] == ids:
        st.download_button(
            "Download TensorBoard files (.zip)",
            prepared[1],
            file_name="playground-runs-tensorboard.zip",
            mime="application/zip",
            key="runs_tensorboard_download",
            on_click="ignore",
        )
        st.caption("Unzip, then run `tensorboard --logdir playground-runs` to compare them.")


def runs_table(runs: pd.DataFrame) -> list[pd.Series]:
    """The runs as a sortable table; returns the rows ticked."""
    table = pd.DataFrame(
        {
            "run": [run_label(row) for _, row in runs.iterrows()],
            "state": runs["state"],
            "epochs": runs["epochs"],
            "test loss": runs["test_loss"],
            "test accuracy": runs["test_accuracy"],
            "train loss": runs["train_loss"],
            "started": pd.to_datetime(runs["started_at"], unit="s", errors="coerce"),  # none shown for a bad time
            "seconds": runs["duration"].round(2),
            "model": runs["has_model"],
            "sweep": runs["sweep_id"].fillna(""),
            "source": runs["source"],
        }
    )
    st.write(f"{len(runs)} run(s). Click column headers to sort; tick rows to compare them.")
    selection = st.dataframe(
        table,
        hide_index=True,
        width="stretch",
        on_select="rerun",
        selection_mode="multi-row",
        key="runs_table",
        column_config={
            "test loss": st.column_config.NumberColumn(format="%.4f"),
            "train loss": st.column_config.NumberColumn(format="%.4f"),
            "test accuracy": st.column_config.NumberColumn(format="%.3f"),
            "started": st.column_config.DatetimeColumn(format="YYYY-MM-DD HH:mm:ss"),
            "source": st.column_config.TextColumn(
                help="What made the run: the playground page (app), `playground train` (cli), a sweep, or a student's "
                "page (class: saved from the class board)"
            ),
        },
    )
    return [runs.iloc[i] for i in selection.selection.rows]


def configs_side_by_side(records: dict[str, RunRecord]) -> None:
    st.subheader("Configs side by side")
    only_differences = st.toggle("Only the settings that differ", value=True, key="runs_only_differences")
    configs = config_table({label: record.spec for label, record in records.items() if record.spec is not None})
    shown = configs[configs["differs"]] if only_differences else configs
    if shown.empty:
        st.write("The selected runs have identical configs (they differ only in randomness or when they ran).")
        return
    st.dataframe(
        shown.drop(columns="differs").style.apply(
            lambda row: ["background-color: #fff3cd" if configs.loc[row.name, "differs"] else "" for _ in row],
            axis=1,
        ),
        width="stretch",
    )


def one_run_actions(record: RunRecord) -> None:
    """Open, download and share one run."""
    assert record.spec is not None
    columns = st.columns(5)
    if columns[0].button("Open in the playground", type="primary", width="stretch", key="runs_open"):
        open_in_playground(record.spec)
    columns[1].download_button(
        "Config JSON",
        record.spec.to_json(),
        file_name=f"run_{record.id}.json",
        mime="application/json",
        width="stretch",
        on_click="ignore",
    )
    columns[2].download_button(
        "History CSV",
        pd.DataFrame(record.history).to_csv(index=False),
        file_name=f"run_{record.id}_history.csv",
        mime="text/csv",
        width="stretch",
        on_click="ignore",
    )
    if record.model:
        columns[3].download_button(
            "Model (.keras)", record.model, file_name=f"run_{record.id}.keras", width="stretch", on_click="ignore"
        )
    else:
        columns[3].caption("No model saved with this run (tick 'Save the trained model too' before training).")
    # The link shown is always the selected run's own (read from the store), and the buttons act before the page
    # redraws, as with "Share all my runs".
    if record.share_token is None:
        columns[4].button(
            "Share link", width="stretch", key="runs_share", on_click=store.share, args=(record.id, owner)
        )
    else:
        columns[4].button(
            "Stop sharing", width="stretch", key="runs_unshare", on_click=store.unshare, args=(record.id, owner)
        )
        st.code(address_with("run", record.share_token), language=None)
        st.caption(
            "Anyone with this link can see this run and open its experiment. Stop sharing to make the link dead."
        )
    if record.message and not record.damaged:  # the damage is said above the actions
        st.caption(plain(record.message))


def page() -> None:
    shared_token = st.query_params.get("run")
    if shared_token:
        shared_run(shared_token)
    list_token = st.query_params.get("runs")
    if list_token:
        shared_list(list_token)

    runs = store.list_runs(owner)
    st.caption(
        "Your runs are kept for this browser (a cookie). Use **Share link** to show one run to someone else, or "
        "**Share all my runs** for a link to all of them."
    )
    sharing_all_runs()
    if runs.empty:
        st.info(
            "No saved runs yet. Train something on the Playground page (or run a sweep): every run that finishes, is "
            "stopped or diverges appears here."
        )
        return
    chosen = runs_table(runs)
    if not chosen:
        st.caption(
            "Select one or more runs to overlay their curves, compare their configs, open, download, share or delete "
            "them."
        )
        return

    compared = chosen[:MAX_COMPARED_RUNS]
    if len(chosen) > len(compared):
        st.info(
            f"{len(chosen)} runs are selected: the first {len(compared)} are drawn and compared (more would not be "
            "readable, and would make the page slow). Delete acts on all of them."
        )
    labels = {row["id"]: run_label(row) for row in compared}
    histories = store.histories(list(labels), owner)
    st.plotly_chart(
        overlaid_curves({labels[i]: histories.get(i, []) for i in labels}),
        width="stretch",
        key="runs_curves",
        config=chart_config("runs_curves"),
    )
    loaded = {labels[row["id"]]: store.load(row["id"], owner) for row in compared}
    for label, record in loaded.items():
        if record is not None and (record.spec is None or record.damaged):
            st.warning(plain(f"{label}: {record.message}"))
    records = {label: record for label, record in loaded.items() if record is not None and record.spec is not None}
    if len(records) > 1:
        configs_side_by_side(records)

    st.subheader("Actions")
    if len(records) == 1:
        one_run_actions(next(iter(records.values())))
    else:
        st.caption("Select a single run to open, download or share it.")
    tensorboard_download([record for record in records.values() if not record.damaged])
    if st.button(f"Delete {len(chosen)} selected run(s)", key="runs_delete"):
        for row in chosen:
            store.delete(row["id"], owner)
        st.rerun()


show_store_errors(page)
