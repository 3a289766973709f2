"""The headless command line: train, export and list, on the same specs as the app.

    python -m playground train CONFIG.json | --preset NAME [--epochs N] [--json]
    python -m playground export CONFIG.json | --preset NAME --format python|keras|json [--output PATH]
    python -m playground datasets
    python -m playground presets

Bad input exits with code 2 and the validation messages; nothing prints a traceback.
"""

from __future__ import annotations

import argparse
import json
import math
import sys
import time
from pathlib import Path

from playground.spec import ExperimentSpec, SpecError

EXIT_BAD_INPUT = 2


class BadInput(Exception):
    pass


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m playground", description="Neural Network Playground, headless.")
    commands = parser.add_subparsers(dest="command", required=True)
    train = commands.add_parser("train", help="train an experiment and print its metrics")
    _add_source(train)
    train.add_argument("--epochs", type=int, help="override the number of epochs")
    train.add_argument("--json", action="store_true", help="end with one JSON line of final metrics")
    export = commands.add_parser("export", help="write the experiment as a script, a trained model or JSON")
    _add_source(export)
    export.add_argument("--format", choices=["python", "keras", "json"], required=True)
    export.add_argument("--output", help="file to write (default: named after the experiment)")
    export.add_argument("--epochs", type=int, help="override the number of epochs (keras format trains first)")
    commands.add_parser("datasets", help="list the datasets and where they come from")
    commands.add_parser("presets", help="list the presets")
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
    from playground.spec import MAX_CONFIG_BYTES

    try:
        if path.is_dir():
            raise BadInput(f"{str(path)!r} is a folder; give the path of a config .json file inside it.")
        if not path.exists():
            raise BadInput(f"Config file {str(path)!r} was not found.")
        if not path.is_file():
            raise BadInput(f"{str(path)!r} is not a regular file (a device or a pipe); give a config .json file.")
        with open(path, "rb") as file:
            content = file.read(MAX_CONFIG_BYTES + 1)
    except (OSError, ValueError) as error:  # a name too long, a NUL byte in it, no permission
        raise BadInput(f"Config file {str(path)!r:.200} cannot be read ({getattr(error, 'strerror', None) or error}).") from None
    try:
        spec = ExperimentSpec.from_json(content, allow_paths=True)
    except SpecError as error:
        raise BadInput("\n".join(error.problems)) from error
    csv = spec.dataset.csv
    if csv is not None and isinstance(csv.path, str) and csv.path and not Path(csv.path).is_absolute():
        spec = spec.replace(dataset=_replace(spec.dataset, csv=_replace(csv, path=str(path.parent / csv.path))))
    return spec


def _output_path(args, name: str, suffix: str) -> Path:
    output = Path(args.output or (name.replace("-", "_") + suffix))
    try:
        if output.is_dir():
            raise BadInput(f"--output {str(output)!r} is a folder; give a file name, e.g. {str(output / (name + suffix))!r}.")
        if suffix == ".keras" and output.suffix != ".keras":
            raise BadInput(f"A Keras model file must end in .keras, but --output is {str(output)!r}.")
        if not output.parent.is_dir():
            raise BadInput(f"The folder {str(output.parent)!r} for --output does not exist. Create it first or write elsewhere.")
    except (OSError, ValueError) as error:
        raise BadInput(f"--output {str(output)!r:.200} cannot be used ({getattr(error, 'strerror', None) or error}).") from None
    return output


def _replace(obj, **changes):
    import dataclasses

    return dataclasses.replace(obj, **changes)


def _train(spec: ExperimentSpec, verbose: bool):
    from playground.engine.trainer import Trainer

    trainer = Trainer(spec, warm_up=False, snapshots=False)
    started = time.perf_counter()
    trainer.start()
    shown = 0
    every = max(1, spec.training.epochs // 10)
    while True:
        state = trainer.wait(("finished", "stopped", "diverged", "failed"), timeout=0.5)
        history = trainer.history
        if verbose:
            for row in history[shown:]:
                if row["epoch"] % every == 0 or row["epoch"] == spec.training.epochs:
                    print(_progress(row), flush=True)
            shown = len(history)
        if state in ("finished", "stopped", "diverged", "failed"):
            break
    return trainer, time.perf_counter() - started


def _progress(row: dict) -> str:
    text = f"epoch {row['epoch']:>6}  train loss {row['train_loss']:.4f}  test loss {row['test_loss']:.4f}"
    if row.get("test_accuracy") is not None:
        text += f"  train acc {row['train_accuracy']:.3f}  test acc {row['test_accuracy']:.3f}"
    return text


def _number(value):
    return None if value is None or (isinstance(value, float) and not math.isfinite(value)) else value


def command_train(args) -> int:
    spec, _ = _load_spec(args)
    trainer, seconds = _train(spec, verbose=not args.json)
    try:
        if trainer.state in ("diverged", "failed"):
            print(trainer.message, file=sys.stderr)
        last = trainer.history[-1] if trainer.history else {}
        summary = {
            "train_loss": _number(last.get("train_loss")),
            "test_loss": _number(last.get("test_loss")),
            "epochs": len(trainer.history),
            "seconds": round(seconds, 3),
            "parameters": int(trainer.model.count_params()),
        }
        if trainer.data.dataset.task != "regression":
            summary["train_accuracy"] = _number(last.get("train_accuracy"))
            summary["test_accuracy"] = _number(last.get("test_accuracy"))
        if args.json:
            print(json.dumps(summary))
        else:
            print(f"done in {seconds:.1f} s, {summary['parameters']} parameters")
        return 0 if trainer.state == "finished" else 1
    finally:
        trainer.close()


def command_export(args) -> int:
    spec, name = _load_spec(args)
    suffix = {"python": ".py", "keras": ".keras", "json": ".json"}[args.format]
    output = _output_path(args, name, suffix)
    try:
        if args.format == "json":
            output.write_text(spec.to_json() + "\n")
        elif args.format == "python":
            from playground.script_export import export_script

            output.write_text(export_script(spec))
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


def command_datasets(args) -> int:
    from playground.datasets import DATASETS

    for name, info in DATASETS.items():
        missing = info.missing()
        status = " (not on this machine)" if missing else ""
        print(f"{name:<14} {info.kind:<6} {info.task:<11} {info.label}: {info.source}{status}")
    return 0


def command_presets(args) -> int:
    from playground.presets import PRESETS

    for name, preset in PRESETS.items():
        print(f"{name:<22} {preset.description}")
    return 0


def main(argv=None) -> int:
    parser = _parser()
    try:
        args = parser.parse_args(argv)
    except SystemExit as exit:
        return int(exit.code or 0) and EXIT_BAD_INPUT
    handler = {"train": command_train, "export": command_export, "datasets": command_datasets, "presets": command_presets}[args.command]
    try:
        return handler(args)
    except BadInput as error:
        print(f"error: {error}", file=sys.stderr)
        return EXIT_BAD_INPUT
    except KeyboardInterrupt:
        return 130
