"""The headless command line: train, export, list and serve, on the same specs as the app.

    playground train CONFIG.json | --preset NAME [--epochs N] [--json] [--history-csv FILE] [--model FILE.keras]
                     [--no-save]
    playground export CONFIG.json | --preset NAME --format python|notebook|keras|json [--output PATH]
    playground export CONFIG.json | --preset NAME --notebook FILE.ipynb
    playground sweep SWEEP.json [--workers N] [--json]
    playground runs list [--sweep ID] [--json]
    playground runs export --tensorboard DIR [--sweep ID] [--run ID ...]
    playground runs share [--stop]
    playground datasets | presets | schema
    playground app [--port N] [--address HOST]
    playground --version

(`python -m playground ...` is the same.) Exit codes: 0 done, 1 the training did not finish
(diverged, stopped or failed), 2 bad input (the messages say what to change), 130 interrupted.
Nothing prints a traceback. TensorFlow's own start-up lines are hidden unless `--verbose`.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import sys
import time
from pathlib import Path

from playground import __version__
from playground.datasets.dataset import Task
from playground.engine.trainer_state import SETTLED_STATES, TrainerState
from playground.logs import configure_logging
from playground.spec import ExperimentSpec, SpecError
from playground.spec_reading import spec_from_json

EXIT_DONE, EXIT_NOT_FINISHED, EXIT_BAD_INPUT, EXIT_INTERRUPTED = 0, 1, 2, 130


class BadInput(Exception):
    pass


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="playground",
        description="Neural Network Playground, headless.",
        epilog="Exit codes: 0 done, 1 training did not finish, 2 bad input, 130 interrupted.",
    )
    parser.add_argument("--version", action="version", version=f"playground {__version__}")
    parser.add_argument("--verbose", action="store_true", help="show TensorFlow's start-up messages and the app's log")
    commands = parser.add_subparsers(dest="command", required=True)
    train = commands.add_parser("train", help="train an experiment and print its metrics")
    _add_source(train)
    train.add_argument("--epochs", type=int, help="override the number of epochs")
    train.add_argument("--json", action="store_true", help="end with one JSON line of final metrics (no progress bar)")
    train.add_argument("--history-csv", metavar="FILE", help="also write the per-epoch history as CSV")
    train.add_argument("--model", metavar="FILE.keras", help="also save the trained model")
    train.add_argument(
        "--no-save", action="store_true", help="do not save the run in the run store (it is saved by default)"
    )
    export = commands.add_parser("export", help="write the experiment as a script, a trained model or JSON")
    _add_source(export)
    export.add_argument("--format", choices=list(EXPORT_SUFFIXES))
    export.add_argument(
        "--notebook", metavar="FILE.ipynb", help="write a Jupyter notebook (--format notebook --output)"
    )
    export.add_argument("--output", help="file to write (default: named after the experiment)")
    export.add_argument("--epochs", type=int, help="override the number of epochs (keras format trains first)")
    sweep = commands.add_parser("sweep", help="run a sweep file (a grid or a smart search) and save its runs")
    sweep.add_argument("file", help="a sweep file, as the Sweeps page downloads it")
    sweep.add_argument(
        "--workers", type=int, default=2, help="groups of runs trained at once (at most the CPU count; default 2)"
    )
    sweep.add_argument("--json", action="store_true", help="one JSON line per run, best first (no progress bar)")
    runs = commands.add_parser("runs", help="the saved runs (PLAYGROUND_RUNS_DB): list them or export them")
    run_commands = runs.add_subparsers(dest="runs_command", required=True)
    listing = run_commands.add_parser("list", help="one line per saved run, newest first")
    listing.add_argument("--sweep", help="only the runs of this sweep")
    listing.add_argument("--json", action="store_true", help="one JSON object per line")
    exporting = run_commands.add_parser("export", help="write saved runs as TensorBoard event files")
    exporting.add_argument(
        "--tensorboard", metavar="DIR", required=True, help="folder for the event files (tensorboard --logdir DIR)"
    )
    exporting.add_argument("--sweep", help="only the runs of this sweep")
    exporting.add_argument("--run", action="append", metavar="ID", help="only these runs (repeat for several)")
    sharing = run_commands.add_parser(
        "share", help="print the link that shows the command line's runs on the app's Runs page"
    )
    sharing.add_argument("--stop", action="store_true", help="make the link dead instead")
    commands.add_parser("datasets", help="list the datasets and where they come from")
    commands.add_parser("presets", help="list the presets")
    commands.add_parser("schema", help="print the JSON Schema of a config file")
    app = commands.add_parser("app", help="serve the web app (Streamlit)")
    app.add_argument("--port", type=int, default=8501)
    app.add_argument("--address", help="the address to listen on (default: every interface)")
    return parser


def _add_source(parser) -> None:
    parser.add_argument("config", nargs="?", help="path of an experiment config JSON file")
    parser.add_argument("--preset", help="name of a preset instead of a config file")


def _load_spec(args) -> tuple[ExperimentSpec, str]:
    from playground.presets import PRESETS

    if bool(args.config) == bool(args.preset):
        raise BadInput("Give either a config file or --preset NAME (not both, not neither).")
    if args.preset:
        if args.preset not in PRESETS:
            raise BadInput(f"Unknown preset {args.preset!r}. Pick one of: {', '.join(PRESETS)}.")
        spec, name = PRESETS[args.preset].spec, args.preset
    else:
        path = Path(args.config)
        spec = _read_config(path)
        name = path.stem
    if getattr(args, "epochs", None) is not None:
        spec = spec.replace(training=_replace(spec.training, epochs=args.epochs))
    from playground.validation import validate

    problems = validate(spec)
    if problems:
        raise BadInput("\n".join(p.message for p in problems))
    return spec, name


def _read_config(path: Path) -> ExperimentSpec:
    """The config file the user named: a regular file, bounded in size; its CSV path (if any) is
    read relative to the config's own folder."""
    from playground.file_reading import FileRefused, read_regular_file
    from playground.spec import MAX_CONFIG_BYTES

    try:
        content = read_regular_file(
            path, MAX_CONFIG_BYTES + 1, "Config file"
        )  # one byte over: spec_from_json says it is too long
    except FileRefused as error:
        raise BadInput(str(error)) from None
    try:
        spec = spec_from_json(content, allow_paths=True)
    except SpecError as error:
        raise BadInput("\n".join(error.problems)) from error
    csv = spec.dataset.csv
    if csv is not None and isinstance(csv.path, str) and csv.path and not Path(csv.path).is_absolute():
        spec = spec.replace(dataset=_replace(spec.dataset, csv=_replace(csv, path=str(path.parent / csv.path))))
    return spec


def _output_path(given: str | None, name: str, suffix: str, option: str = "--output") -> Path:
    """Where to write, checked before any training: not a folder, in a folder that exists."""
    output = Path(given or (name.replace("-", "_") + suffix))
    try:
        if output.is_dir():
            raise BadInput(
                f"{option} {str(output)!r} is a folder; give a file name, e.g. {str(output / (name + suffix))!r}."
            )
        if suffix == ".keras" and output.suffix != ".keras":
            raise BadInput(f"A Keras model file must end in .keras, but {option} is {str(output)!r}.")
        if not output.parent.is_dir():
            raise BadInput(
                f"The folder {str(output.parent)!r} for {option} does not exist. Create it first or write elsewhere."
            )
    except (OSError, ValueError) as error:
        raise BadInput(
            f"{option} {str(output)!r:.200} cannot be used ({getattr(error, 'strerror', None) or error})."
        ) from None
    return output


def _replace(obj, **changes):
    import dataclasses

    return dataclasses.replace(obj, **changes)


def _train(spec: ExperimentSpec, verbose: bool):
    """Trains in the engine's worker thread; shows a progress bar on a terminal, else a line per tenth."""
    from playground.engine.trainer import Trainer

    trainer = Trainer(spec, warm_up=False, snapshots=False)
    started = time.perf_counter()
    trainer.start()
    if verbose and sys.stdout.isatty():
        _train_with_bar(trainer, spec)
    else:
        shown, every = 0, max(1, spec.training.epochs // 10)
        while True:
            state = trainer.wait(SETTLED_STATES, timeout=0.5)
            history = trainer.history
            if verbose:
                for row in history[shown:]:
                    if row["epoch"] % every == 0 or (state in SETTLED_STATES and row is history[-1]):
                        print(_progress(row), flush=True)
            shown = len(history)
            if state in SETTLED_STATES:
                break
    return trainer, time.perf_counter() - started


def _train_with_bar(trainer, spec: ExperimentSpec) -> None:
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

    columns = (
        TextColumn("training"),
        BarColumn(),
        MofNCompleteColumn(),
        TextColumn("{task.fields[loss]}"),
        TimeRemainingColumn(),
    )
    with Progress(*columns, transient=False) as progress:
        task = progress.add_task("epochs", total=spec.training.epochs, loss="")
        while True:
            state = trainer.wait(SETTLED_STATES, timeout=0.2)
            history = trainer.history
            if history:
                progress.update(task, completed=len(history), loss=f"test loss {history[-1]['test_loss']:.4f}")
            if state in SETTLED_STATES:
                break
    if trainer.history:
        print(_progress(trainer.history[-1]), flush=True)


def _progress(row: dict) -> str:
    text = f"epoch {row['epoch']:>6}  train loss {row['train_loss']:.4f}  test loss {row['test_loss']:.4f}"
    if row.get("test_accuracy") is not None:
        text += f"  train acc {row['train_accuracy']:.3f}  test acc {row['test_accuracy']:.3f}"
    return text


def _number(value):
    return None if value is None or (isinstance(value, float) and not math.isfinite(value)) else value


def command_train(args: argparse.Namespace) -> int:
    from playground.engine.device import training_device

    spec, _ = _load_spec(args)
    history_csv = _output_path(args.history_csv, "history", ".csv", "--history-csv") if args.history_csv else None
    model_file = _output_path(args.model, "model", ".keras", "--model") if args.model else None
    store = None if args.no_save else _store(" Or pass --no-save to train without saving the run.")
    trainer, seconds = _train(spec, verbose=not args.json)
    try:
        if trainer.state in (TrainerState.DIVERGED, TrainerState.FAILED):
            print(trainer.message, file=sys.stderr)
        if store is not None:
            from playground.runs.run_recorder import record_of

            run_id = store.save(record_of(trainer, CLI_OWNER, source="cli"))
            if not args.json:
                print(f"saved run {run_id} (`playground runs list` lists the runs; `playground runs share` shows them)")
        if history_csv is not None:
            import pandas as pd

            _write(history_csv, lambda: pd.DataFrame(trainer.history).to_csv(history_csv, index=False))
        if model_file is not None:
            from playground.model_files import save_model

            _write(model_file, lambda: save_model(trainer.model, str(model_file)))
        last = trainer.history[-1] if trainer.history else {}
        summary = {
            "train_loss": _number(last.get("train_loss")),
            "test_loss": _number(last.get("test_loss")),
            "epochs": len(trainer.history),
            "seconds": round(seconds, 3),
            "parameters": int(trainer.model.count_params()),
            "device": training_device(),
        }
        if store is not None:
            summary["run"] = run_id
        if trainer.data.dataset.task != Task.REGRESSION:
            summary["train_accuracy"] = _number(last.get("train_accuracy"))
            summary["test_accuracy"] = _number(last.get("test_accuracy"))
        if args.json:
            print(json.dumps(summary))
        else:
            print(f"done in {seconds:.1f} s, {summary['parameters']} parameters")
        return EXIT_DONE if trainer.state == TrainerState.FINISHED else EXIT_NOT_FINISHED
    finally:
        trainer.close()


def _write(path: Path, write) -> None:
    try:
        write()
    except OSError as error:
        raise BadInput(f"Could not write {str(path)!r}: {error.strerror}.") from None


EXPORT_SUFFIXES = {"python": ".py", "notebook": ".ipynb", "keras": ".keras", "json": ".json"}


def command_export(args: argparse.Namespace) -> int:
    if args.notebook:
        if args.format not in (None, "notebook") or args.output:
            raise BadInput("--notebook FILE writes a notebook: leave out --format and --output.")
        args.format, args.output = "notebook", args.notebook
    if args.format is None:
        raise BadInput("Say what to write: --format python|notebook|keras|json (or --notebook FILE.ipynb).")
    spec, name = _load_spec(args)
    output = _output_path(args.output, name, EXPORT_SUFFIXES[args.format])
    try:
        if args.format == "json":
            output.write_text(spec.to_json() + "\n")
        elif args.format == "python":
            from playground.script_export import export_script

            output.write_text(export_script(spec))
        elif args.format == "notebook":
            from playground.notebook_export import export_notebook

            output.write_text(export_notebook(spec))
        else:
            from playground.model_files import save_model

            trainer, _ = _train(spec, verbose=False)
            try:
                save_model(trainer.model, str(output))
            finally:
                trainer.close()
    except OSError as error:
        raise BadInput(f"Could not write {str(output)!r}: {error.strerror}.") from None
    print(f"wrote {output}")
    return 0


def command_datasets(args: argparse.Namespace) -> int:
    from playground.datasets import DATASETS

    for name, info in DATASETS.items():
        missing = info.missing()
        status = " (not on this machine)" if missing else ""
        print(f"{name:<14} {info.kind:<6} {info.task:<11} {info.label}: {info.source}{status}")
    return 0


def command_presets(args: argparse.Namespace) -> int:
    from playground.presets import PRESETS

    for name, preset in PRESETS.items():
        print(f"{name:<22} {preset.description}")
    return 0


def command_schema(args: argparse.Namespace) -> int:
    from playground.schema import schema_text

    sys.stdout.write(schema_text())
    return EXIT_DONE


def _store(advice: str = ""):
    from playground.runs.run_store import RunStore, StoreError

    try:
        return RunStore()
    except StoreError as error:
        raise BadInput(str(error) + advice) from None


CLI_OWNER = "cli"  # whose runs the command line's trainings and sweeps are (`runs list` shows everyone's)


def command_sweep(args: argparse.Namespace) -> int:
    from playground.file_reading import FileRefused, read_regular_file
    from playground.runs.sweep_file import MAX_SWEEP_BYTES, SweepFileError, SweepPlan

    try:
        plan = SweepPlan.from_json(read_regular_file(Path(args.file), MAX_SWEEP_BYTES + 1, "Sweep file"))
    except FileRefused as error:
        raise BadInput(str(error)) from None
    except SweepFileError as error:
        raise BadInput("\n".join(error.problems)) from None
    if args.workers < 1:
        raise BadInput(f"--workers must be at least 1, but got {args.workers}.")
    store = _store()
    sweep = _sweep_runner(plan, store, args.workers)
    sweep.start()
    _follow(sweep, bar=not args.json)
    table = _sweep_results(store, sweep.id)
    for row in table:
        print(json.dumps(row) if args.json else _sweep_line(row))
    for failure in sweep.errors:
        print(f"a run failed: {failure}", file=sys.stderr)
    if not args.json:
        print(
            f"sweep {sweep.id}: {len(table)} run(s) saved in {sweep.progress().elapsed:.1f} s; `playground runs list "
            f"--sweep {sweep.id}` lists them again."
        )
    return EXIT_DONE if not sweep.errors else EXIT_NOT_FINISHED


def _sweep_runner(plan, store, workers: int):
    if plan.mode == "search":
        from playground.runs.search_runner import SearchRunner

        return SearchRunner(store, CLI_OWNER, plan, workers=workers)
    from playground.runs.sweep_runner import SweepRunner

    return SweepRunner(store, CLI_OWNER, plan.runs(), workers=workers, name=plan.name)


def _follow(sweep, bar: bool) -> None:
    """Waits for the sweep, with a progress bar on a terminal; Ctrl-C cancels it (finished runs stay)."""
    try:
        if bar and sys.stdout.isatty():
            from rich.progress import BarColumn, Progress, TextColumn, TimeRemainingColumn

            columns = (TextColumn("sweep"), BarColumn(), TextColumn("{task.fields[runs]}"), TimeRemainingColumn())
            with Progress(*columns) as progress:
                task = progress.add_task("runs", total=1.0, runs="")
                while not sweep.wait(0.2):
                    now = sweep.progress()
                    progress.update(task, completed=now.fraction, runs=f"{now.done}/{now.total} runs saved")
                progress.update(
                    task, completed=1.0, runs=f"{sweep.progress().done}/{sweep.progress().total} runs saved"
                )
        else:
            sweep.wait()
    except KeyboardInterrupt:
        sweep.cancel()
        sweep.wait()
        raise


def _sweep_results(store, sweep_id: str) -> list[dict]:
    """The sweep's saved runs, best (lowest test loss) first."""
    rows = []
    for _, row in store.list_runs(None, sweep_id=sweep_id).iterrows():
        rows.append(
            {
                "id": row["id"],
                "state": row["state"],
                "epochs": int(row["epochs"]),
                "test_loss": _number(row["test_loss"]),
                "test_accuracy": _number(row["test_accuracy"]),
                "parameters": row["parameters"],
            }
        )
    return sorted(rows, key=lambda r: (r["test_loss"] is None, r["test_loss"] if r["test_loss"] is not None else 0.0))


def _sweep_line(row: dict) -> str:
    loss = loss_text(row["test_loss"])
    accuracy = f"  test acc {row['test_accuracy']:.3f}" if row["test_accuracy"] is not None else ""
    values = "  ".join(
        f"{terminal_text(name)}={value:.4g}"
        if isinstance(value, float)
        else f"{terminal_text(name)}={terminal_text(value)}"
        for name, value in row["parameters"].items()
    )
    return (
        f"{terminal_text(row['id'])}  {terminal_text(row['state']):<9} {row['epochs']:>6} epochs  test loss "
        f"{loss}{accuracy}  {values}"
    )


def loss_text(loss: float | None) -> str:
    """A loss for a column of the terminal: 4 decimals, or in powers of ten when it is huge (a diverged run)."""
    if loss is None:
        return "   -  "
    return f"{loss:.4f}" if abs(loss) < 1e6 else f"{loss:.3e}"


def terminal_text(value: object, lines: bool = False) -> str:
    """Text from the run database or a file, as the operator's terminal should show it. Anyone who can write
    to the database (another app, another version) wrote the titles and ids; a control character in them
    could clear the screen, retitle the window or hide the lines above, so each is written as its escape
    (\\x1b, \\r) instead. With `lines`, the line breaks of a message of several lines stay."""
    return "".join(
        c if c.isprintable() or (lines and c == "\n") else c.encode("unicode_escape").decode("ascii")
        for c in str(value)
    )


def command_runs(args: argparse.Namespace) -> int:
    store = _store()
    if args.runs_command == "share":
        return _share_cli_runs(store, stop=args.stop)
    runs = store.list_runs(None, sweep_id=args.sweep)
    if args.runs_command == "list":
        for _, row in runs.iterrows():
            item = {
                "id": row["id"],
                "title": row["title"],
                "state": row["state"],
                "epochs": int(row["epochs"]),
                "test_loss": _number(row["test_loss"]),
                "test_accuracy": _number(row["test_accuracy"]),
                "sweep": row["sweep_id"],
                "parameters": row["parameters"],
                "source": row["source"],
            }
            print(
                json.dumps(item)
                if args.json
                else f"{terminal_text(item['id'])}  {item['source']:<5}  {terminal_text(item['state']):<9} "
                f"{item['epochs']:>6} epochs  test "
                f"loss {loss_text(item['test_loss'])}  {terminal_text(item['title'] or '')}"
                f"{'  ' + json.dumps(item['parameters']) if item['parameters'] else ''}"
            )  # JSON escapes control characters itself
        return EXIT_DONE
    ids = list(runs["id"]) if not args.run else args.run
    records = [store.load(run_id) for run_id in ids]
    missing = [run_id for run_id, record in zip(ids, records) if record is None]
    if missing:
        raise BadInput(f"No saved run has the id {missing[0]!r:.60}. `playground runs list` shows the ids.")
    if not records:
        raise BadInput("There are no saved runs to export" + (f" in sweep {args.sweep!r}." if args.sweep else "."))
    from playground.runs.tensorboard_export import export_tensorboard

    if not args.tensorboard.strip():
        raise BadInput("--tensorboard needs a folder name, e.g. --tensorboard logs.")
    damaged = [record.id for record in records if record.damaged]
    if damaged:  # another tool's rows, or damaged ones: the others are still exported
        print(
            f"skipped {len(damaged)} run(s) whose record is damaged (their history cannot be read): "
            f"{terminal_text(', '.join(damaged))[:400]}",
            file=sys.stderr,
        )
    if len(damaged) == len(records):
        raise BadInput("No run was exported: the record of every run asked for is damaged.")
    folder = Path(args.tensorboard)
    try:
        written = export_tensorboard([record for record in records if not record.damaged], folder)
    except (OSError, ValueError) as error:  # ValueError: a NUL byte, or a name TensorFlow cannot encode
        raise BadInput(
            f"Could not write to {str(folder)!r:.200}: {getattr(error, 'strerror', None) or error}."
        ) from None
    print(f"wrote {len(written)} run(s) to {folder}; view them with: tensorboard --logdir {folder}")
    return EXIT_DONE


def _share_cli_runs(store, stop: bool) -> int:
    """The command line's runs belong to no browser: a revocable link shows them on the Runs page."""
    if stop:
        stopped = store.revoke_list(CLI_OWNER)
        print("the link is dead now" if stopped else "the command line's runs were not shared")
        return EXIT_DONE
    token = store.share_list(CLI_OWNER)  # the same link until it is stopped
    print(f"/runs?runs={token}")
    print(
        "Add it to the app's address (for example http://localhost:8501/runs?runs=...): whoever opens it sees the "
        "command line's runs, now and later, and cannot change them. `playground runs share --stop` ends it."
    )
    return EXIT_DONE


WEB_APP = Path(__file__).resolve().parent / "web" / "app.py"


def app_command(port: int, address: str | None = None) -> list[str]:
    """Streamlit's command for the web app: headless (a server opens no browser), beside this package."""
    command = [sys.executable, "-m", "streamlit", "run", str(WEB_APP), "--server.port", str(port)]
    return [*command, "--server.headless", "true", *(["--server.address", address] if address else [])]


def command_app(args: argparse.Namespace) -> int:
    """Becomes Streamlit's server (the process is replaced, so signals reach the server itself)."""
    if not 1 <= args.port <= 65535:
        raise BadInput(f"--port must be from 1 to 65535, but got {args.port}.")
    # The app imports `playground` from where this copy of it is: a source checkout need not be installed.
    here = str(Path(__file__).resolve().parents[1])
    paths = [here, *filter(None, os.environ.get("PYTHONPATH", "").split(os.pathsep))]
    os.execve(
        sys.executable, app_command(args.port, args.address), {**os.environ, "PYTHONPATH": os.pathsep.join(paths)}
    )


def main(argv: list[str] | None = None) -> int:
    """Runs one command; returns its exit code (for tests and `run`)."""
    parser = _parser()
    try:
        args = parser.parse_args(argv)
    except SystemExit as exit:
        return int(exit.code or 0) and EXIT_BAD_INPUT
    configure_logging("INFO" if args.verbose else "WARNING")
    handler = {
        "train": command_train,
        "export": command_export,
        "datasets": command_datasets,
        "presets": command_presets,
        "schema": command_schema,
        "runs": command_runs,
        "sweep": command_sweep,
        "app": command_app,
    }[args.command]
    try:
        return handler(args)
    except BadInput as error:
        print(f"error: {terminal_text(error, lines=True)}", file=sys.stderr)
        return EXIT_BAD_INPUT
    except KeyboardInterrupt:
        return EXIT_INTERRUPTED


def run() -> None:
    """The `playground` console command: `main`, with TensorFlow's native start-up noise hidden."""
    if "--verbose" not in sys.argv[1:]:
        _hide_native_stderr()
    sys.exit(main())


def _hide_native_stderr() -> None:
    """TensorFlow's C++ libraries (absl, oneDNN, XLA) write to file descriptor 2 before any log level
    applies. Point that descriptor at /dev/null and keep Python's `sys.stderr` on a copy of it, so
    the CLI's own messages and Python warnings still show."""
    sys.stderr.flush()
    kept = os.dup(2)
    quiet = os.open(os.devnull, os.O_WRONLY)
    os.dup2(quiet, 2)
    os.close(quiet)
    sys.stderr = os.fdopen(kept, "w", buffering=1)
