"""Hostile and careless input: links, configs, uploads, model files, sweeps, the CLI and the run store.

Each test is one case an attacker or a hurried user tries. The answer must be a message that
names the problem (no traceback), bounded work, no server file read, and no user text turned
into code or markup.
"""

from __future__ import annotations

import ast
import base64
import dataclasses
import io
import json
import sqlite3
import time
import zipfile
import zlib
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from playground import cli
from playground.datasets import DatasetError, load_dataset
from playground.datasets.csv_table import csv_columns, read_table
from playground.datasets.uploads import read_upload, save_upload
from playground.file_reading import FileRefused, read_regular_file
from playground.model_files import ModelFileError, check_model_archive, load_model_bytes
from playground.runs.run_record import RunRecord
from playground.runs.run_store import RunStore
from playground.runs.sweep_grid import SweepError, expand, parse_values
from playground.script_export import export_script
from playground.spec import MAX_LAYERS, CsvOptions, DatasetSpec, ExperimentSpec, NetworkSpec, SpecError, TrainingSpec
from playground.spec_reading import spec_from_dict, spec_from_json, spec_from_url
from playground.validation import validate

ROOT = Path(__file__).resolve().parents[1]
XSS_OWNER = "x';document.title='XSS-OWNER';'"


def link_of(config: dict) -> str:
    return base64.urlsafe_b64encode(zlib.compress(json.dumps(config).encode(), 9)).decode().rstrip("=")


def page(name: str = "playground", **query) -> AppTest:
    app = AppTest.from_file(str(ROOT / "playground/web/app_pages" / f"{name}.py"), default_timeout=120)
    for key, value in query.items():
        app.query_params[key] = value
    return app.run()


def shown_text(app: AppTest) -> str:
    parts = [
        e.value
        for kind in ("error", "warning", "caption", "markdown", "info", "success", "code")
        for e in getattr(app, kind)
    ]
    return "\n".join(str(p) for p in parts)


def csv_bytes(rows: int = 20, separator: str = ",", header=("a", "b", "label")) -> bytes:
    lines = [separator.join(header)] + [separator.join([str(i), str(i * 2 % 7), str(i % 2)]) for i in range(rows)]
    return ("\n".join(lines) + "\n").encode()


# Links and the owner id.


@pytest.mark.parametrize("page_name", ["playground", "runs"])
def test_owner_in_the_address_is_never_written_into_a_script_nor_adopted(page_name):
    app = page(page_name, owner=XSS_OWNER)
    assert not app.exception
    assert app.session_state["owner"] != XSS_OWNER and "'" not in app.session_state["owner"]
    scripts = [str(element.proto) for element in app.get("html")]
    assert scripts and not any("XSS-OWNER" in s for s in scripts)


def test_session_fixation_a_victim_keeps_their_own_owner():
    attacker = "AAAAAAAAAAAAAAAA"
    app = page("runs", owner=attacker)
    assert app.session_state["owner"] != attacker
    assert "owner" not in app.query_params  # the old-style parameter is dropped, with a note
    assert any("no longer accepted" in i.value for i in app.info)


@pytest.mark.parametrize("path", ["/etc/passwd", "/proc/self/environ", "/dev/zero", "/"])
def test_a_link_cannot_make_the_server_read_its_files(path):
    config = {"dataset": {"name": "csv", "csv": {"path": path, "label_column": "label"}}, "network": {"features": []}}
    with pytest.raises(SpecError, match="names a file on the server"):
        spec_from_url(link_of(config))
    app = page(x=link_of(config))
    assert not app.exception
    assert any("names a file on the server" in w.value for w in app.warning)
    assert "root:" not in shown_text(app) and "PATH=" not in shown_text(app)


def test_an_imported_config_cannot_name_a_server_file_either():
    config = json.dumps({"dataset": {"name": "csv", "csv": {"path": "/etc/passwd"}}})
    with pytest.raises(SpecError, match="Upload the CSV"):
        spec_from_json(config.encode())


def test_an_upload_id_cannot_walk_out_of_the_uploads_folder():
    for bad in ("../../etc/passwd", "/etc/passwd", "0123456789abcdef/../x", "", "A" * 16):
        with pytest.raises(DatasetError):
            read_upload(bad)
    spec = ExperimentSpec(
        dataset=DatasetSpec("csv", csv=CsvOptions(upload="../../etc/passwd")), network=NetworkSpec(features=())
    )
    assert any(p.field == "dataset.csv.upload" for p in validate(spec))


def test_a_decompression_bomb_link_is_refused_quickly():
    bomb = link_of({"title": "x" * 20_000_000})
    assert len(bomb) < 100_000
    started = time.perf_counter()
    with pytest.raises(SpecError, match="KB"):
        spec_from_url(bomb)
    assert time.perf_counter() - started < 5  # generous: it stops after 256 KB


def test_an_overlong_link_is_refused_before_decoding():
    with pytest.raises(SpecError, match="longer than any experiment"):
        spec_from_url("A" * 1_000_000)


@pytest.mark.parametrize("text", ["[" * 100_000, '{"a":' * 40_000 + "1" + "}" * 40_000])
def test_deeply_nested_json_is_a_message(text):
    with pytest.raises(SpecError, match="nests brackets"):
        spec_from_json(text)
    with pytest.raises(SpecError):
        spec_from_url(base64.urlsafe_b64encode(zlib.compress(text.encode())).decode())


def test_a_link_with_an_out_of_range_seed_keeps_the_page_alive():
    app = page(
        x=link_of({"dataset": {"seed": 20_000}, "training": {"seed": 2**70, "batch_size": 10**9, "epochs": 10**9}})
    )
    assert not app.exception
    assert any("problem" in w.value for w in app.warning)


@pytest.mark.parametrize(
    "field, value",
    [
        ("dataset.name", [1]),
        ("dataset.noise", {"a": 1}),
        ("dataset.samples", [20]),
        ("network.features", [["x1"]]),
        ("network.output_activation", {"x": 1}),
        ("training.optimizer", ["sgd"]),
        ("training.loss", {}),
        ("training.weight_init", [1]),
        ("training.regularization.kind", ["l2"]),
        ("training.schedule.kind", {}),
        ("dataset.csv.label_column", ["y"]),
        ("dataset.csv.task", ["auto"]),
    ],
)
def test_a_list_or_dict_where_a_name_belongs_is_a_problem_not_a_crash(field, value):
    config: dict = {"dataset": {"name": "csv", "csv": {}}} if field.startswith("dataset.csv") else {}
    node = config
    *parents, leaf = field.split(".")
    for name in parents:
        node = node.setdefault(name, {})
    node[leaf] = value
    spec = spec_from_dict(config)
    problems = validate(spec)
    assert problems and all(isinstance(p.message, str) for p in problems)
    app = page(x=link_of(config))
    assert not app.exception


@pytest.mark.parametrize(
    "layer",
    [
        {"type": ["Dense"]},
        {"type": "Dense", "units": 4, "activation": ["relu"]},
        {"type": "Bogus"},
        {"type": "Dropout", "rate": "half"},
        {"type": "Conv2D", "padding": {}},
    ],
)
def test_bad_layers_are_problems_and_the_page_still_draws(layer):
    config = {"network": {"layers": [layer]}}
    assert validate(spec_from_dict(config))
    app = page(x=link_of(config))
    assert not app.exception


def test_a_title_that_is_not_text_is_a_message():
    with pytest.raises(SpecError, match="title must be text"):
        spec_from_dict({"title": 7})


def test_titles_are_bounded_and_on_one_line():
    assert any(p.field == "title" for p in validate(ExperimentSpec(title="x" * 500)))
    assert any(p.field == "title" for p in validate(ExperimentSpec(title="two\nlines")))
    app = page(x=link_of({"title": "a\nb" + "c" * 1000}))
    assert (
        not app.exception
        and len(app.session_state["spec"].title) <= 120
        and "\n" not in app.session_state["spec"].title
    )


def test_a_markdown_link_in_the_title_is_shown_as_text():
    app = page(x=link_of({"title": "[Log in again](https://evil.example/login)"}))
    captions = [c.value for c in app.caption if "Log in again" in c.value]
    assert captions and all("\\[Log in again\\]\\(https" in c and "https://" not in c for c in captions)


@pytest.mark.parametrize("seed", [2**70, 10**30, -1, 1.5])
def test_seeds_beyond_what_the_generators_take_are_problems(seed):
    fields = {
        p.field for p in validate(ExperimentSpec(dataset=DatasetSpec(seed=seed), training=TrainingSpec(seed=seed)))
    }
    assert {"dataset.seed", "training.seed"} <= fields


@pytest.mark.parametrize("text", ["1e30", str(2**64), "-3"])
def test_sweep_seeds_out_of_range_are_refused(text):
    with pytest.raises(SweepError):
        parse_values("seed", text)


def test_thirty_thousand_sweep_values_are_refused_at_once():
    text = ", ".join(str(i) for i in range(30_000))
    started = time.perf_counter()
    with pytest.raises(SweepError, match="fewer values"):
        parse_values("seed", text)
    with pytest.raises(SweepError, match="fewer values"):
        parse_values("seed", ",".join(["1"] * 1000))
    assert time.perf_counter() - started < 1


def test_a_sweep_grid_over_the_run_limit_is_refused_before_building():
    with pytest.raises(SweepError, match="more than the 200"):
        expand(ExperimentSpec(), {"seed": list(range(100)), "learning_rate": [0.01, 0.1, 1.0]})


# The exported Python script.


@pytest.mark.parametrize(
    "title",
    [
        '"""\nimport os; os.system("echo pwned")\n"""',
        "C:\\New\\N",
        "end with a backslash \\",
        'quote" at the end"',
        "Réseau café · 学习 XOR",
    ],
)
def test_the_exported_script_never_runs_a_title(title):
    spec = ExperimentSpec(title=title)
    source = export_script(spec)
    tree = ast.parse(source)
    assert ast.get_docstring(tree, clean=False).startswith(title + ": exported")
    calls = [
        node for node in ast.walk(tree) if isinstance(node, ast.Call) and getattr(node.func, "attr", "") == "system"
    ]
    assert not calls


def test_cli_export_of_a_hostile_title_gives_a_safe_script(tmp_path):
    config = tmp_path / "evil.json"
    config.write_text(json.dumps({"title": '"""\nimport os; os.system("echo pwned")\n"""'}))
    out = tmp_path / "evil.py"
    assert (
        cli.main(["export", str(config), "--format", "python", "--output", str(out)]) == 2
    )  # a title on several lines
    config.write_text(json.dumps({"title": 'x""" + __import__("os").system("echo pwned") + """'}))
    assert cli.main(["export", str(config), "--format", "python", "--output", str(out)]) == 0
    tree = ast.parse(out.read_text())
    assert not [n for n in ast.walk(tree) if isinstance(n, ast.Call) and getattr(n.func, "attr", "") == "system"]


def test_a_csv_label_name_is_written_as_a_literal(tmp_path):
    label = "y')\nimport os\nos.system('echo pwned')#"
    content = f'a,b,"{label}"\n'.encode() + b"".join(f"{i},{i % 3},{i % 2}\n".encode() for i in range(20))
    spec = ExperimentSpec(
        dataset=DatasetSpec("csv", csv=CsvOptions(upload=save_upload(content), label_column=label)),
        network=NetworkSpec(features=()),
    )
    assert not validate(spec), validate(spec)
    tree = ast.parse(export_script(spec))
    assert not [n for n in ast.walk(tree) if isinstance(n, ast.Call) and getattr(n.func, "attr", "") == "system"]


def test_a_non_ascii_title_trains():
    from playground.model_builder import build_model
    from playground.training_data import training_data

    for title in ("Réseau café", "学习 XOR"):
        spec = ExperimentSpec(title=title)
        assert build_model(spec, training_data(spec)).name.isascii()


# Model files.


def keras_archive(config: dict | bytes, members: dict[str, bytes] | None = None) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("config.json", config if isinstance(config, bytes) else json.dumps(config))
        archive.writestr("metadata.json", json.dumps({"keras_version": "3"}))
        for name, content in (members or {"model.weights.h5": b""}).items():
            archive.writestr(name, content)
    return buffer.getvalue()


def sequential(input_shape: list, *layers: dict) -> dict:
    return {
        "module": "keras",
        "class_name": "Sequential",
        "config": {
            "name": "m",
            "layers": [{"class_name": "InputLayer", "config": {"batch_shape": [None, *input_shape]}}, *layers],
        },
    }


def dense(units, activation="relu") -> dict:
    return {"class_name": "Dense", "config": {"units": units, "activation": activation}}


def test_a_keras_file_asking_for_a_huge_dense_layer_is_refused_before_building():
    content = keras_archive(sequential([100_000], dense(100_000)))
    assert len(content) < 2000
    with pytest.raises(ModelFileError, match="4,096"):
        load_model_bytes(content)


def test_a_keras_file_over_the_parameter_limit_is_refused():
    with pytest.raises(ModelFileError, match="parameters"):
        check_model_archive(keras_archive(sequential([50_000], dense(4096), dense(4096), dense(10, "softmax"))))


def test_a_huge_config_member_is_refused_from_its_declared_size():
    with pytest.raises(ModelFileError, match="unpacks to"):
        check_model_archive(keras_archive(b" " * (2 * 1024 * 1024)))


def test_gigabytes_of_zeroed_weights_are_refused_unread():
    content = keras_archive(
        sequential([2], dense(4), dense(1, "sigmoid")), {"model.weights.h5": bytes(200 * 1024 * 1024)}
    )
    started = time.perf_counter()
    with pytest.raises(ModelFileError, match="unpacks to"):
        check_model_archive(content)
    assert time.perf_counter() - started < 5


@pytest.mark.parametrize(
    "content, reason",
    [
        (b"", "empty"),
        (b"\x89HDF\r\n\x1a\n" + bytes(100), "HDF5"),
        (b"not a zip at all", "zip archive"),
    ],
)
def test_broken_keras_files_say_what_they_are_and_no_server_path(content, reason):
    with pytest.raises(ModelFileError, match=reason) as error:
        load_model_bytes(content)
    assert "/tmp" not in str(error.value)


def test_a_truncated_keras_file_is_a_message_without_a_server_path(tmp_path):
    from playground.model_builder import build_model
    from playground.model_files import model_bytes
    from playground.training_data import training_data

    spec = ExperimentSpec()
    whole = model_bytes(build_model(spec, training_data(spec)))
    for cut in (len(whole) // 2, len(whole) - 30):
        with pytest.raises(ModelFileError) as error:
            load_model_bytes(whole[:cut])
        assert "/tmp" not in str(error.value) and "filepath" not in str(error.value)
    assert load_model_bytes(whole).count_params() == build_model(spec, training_data(spec)).count_params()


def test_a_keras_archive_with_extra_members_or_foreign_layers_is_refused():
    with pytest.raises(ModelFileError, match="holds"):
        check_model_archive(keras_archive(sequential([2], dense(1)), {"model.weights.h5": b"", "../../evil.py": b"x"}))
    with pytest.raises(ModelFileError, match="LSTM"):
        check_model_archive(keras_archive(sequential([2], {"class_name": "LSTM", "config": {}}, dense(1))))
    with pytest.raises(ModelFileError, match="Sequential"):
        check_model_archive(keras_archive({"class_name": "Functional", "config": {}}))


# CSV files.


def test_empty_binary_and_header_only_csvs_are_messages():
    for content, reason in (
        (b"", "empty"),
        (b"\x00\x01\x02\xff\xfe\x00" * 50, "binary|UTF-8"),
        (b"a,b,label\n", "rows"),
        (bytes(range(256)) * 10, "binary|UTF-8"),
    ):
        with pytest.raises(DatasetError, match=reason):
            read_table(content, "label")


def test_utf16_and_semicolon_csvs_are_read():
    x, y, task, _ = read_table(csv_bytes().decode().encode("utf-16"), "label")
    assert x.shape == (20, 2) and task == "classification"
    x, y, _, _ = read_table(csv_bytes(separator=";"), "label")
    assert x.shape == (20, 2)
    assert csv_columns(csv_bytes(separator="\t")) == ["a", "b", "label"]


def test_an_unknown_separator_is_named_in_the_message():
    with pytest.raises(DatasetError, match="separator"):
        read_table(csv_bytes(separator="|"), "a|b|label")


def test_non_finite_and_huge_values():
    rows = csv_bytes().decode().splitlines()
    rows[3] = "inf,1,0"
    with pytest.raises(DatasetError, match="'a' holds inf in row 3"):
        read_table("\n".join(rows).encode(), "label")
    rows[3] = "1e308,1,0"
    x, _, _, _ = read_table("\n".join(rows).encode(), "label")
    assert (abs(x) < 10).all()
    rows[3] = "1,1,1e300"
    with pytest.raises(DatasetError, match="Rescale the label"):
        read_table("\n".join(rows).encode(), "label", "regression")


def test_a_non_numeric_column_quotes_its_non_numeric_value():
    content = b"a,b,label\n" + b"".join(f"{i},{'abc' if i == 7 else i},{i % 2}\n".encode() for i in range(20))
    with pytest.raises(DatasetError, match="'abc'"):
        read_table(content, "label")


def test_a_single_class_is_named_plainly():
    content = b"a,label\n" + b"".join(f"{i},1\n".encode() for i in range(20))
    with pytest.raises(DatasetError) as error:
        read_table(content, "label", "classification")
    assert "np.int64" not in str(error.value) and "('1')" in str(error.value)


def test_csv_task_must_be_known_and_features_follow_the_dataset():
    spec = spec_from_dict({"dataset": {"name": "csv", "csv": {"upload": save_upload(csv_bytes()), "task": "bogus"}}})
    assert spec.network.features == ()
    assert [p.field for p in validate(spec)] == ["dataset.csv.task"]
    assert spec_from_dict({"dataset": {"name": "xor"}}).network.features == ("x1", "x2")


def test_a_softmax_output_where_it_is_always_one_is_a_problem():
    regression = ExperimentSpec(dataset=DatasetSpec("reg-plane"), network=NetworkSpec(output_activation="softmax"))
    binary = ExperimentSpec(network=NetworkSpec(output_activation="softmax"), training=TrainingSpec(loss="mse"))
    for spec in (regression, binary):
        assert any("always gives 1" in p.message for p in validate(spec))


def test_regular_files_only_and_bounded(tmp_path):
    with pytest.raises(FileRefused, match="folder"):
        read_regular_file(tmp_path, 1000)
    with pytest.raises(FileRefused, match="not a regular file"):
        read_regular_file("/dev/zero", 1000)
    big = tmp_path / "big.csv"
    big.write_bytes(b"0" * 2000)
    with pytest.raises(FileRefused, match="limit"):
        read_regular_file(big, 1000)


def test_a_cli_config_may_name_a_csv_beside_it(tmp_path, capsys):
    (tmp_path / "table.csv").write_bytes(csv_bytes(40))
    config = tmp_path / "table.json"
    config.write_text(json.dumps({"dataset": {"name": "csv", "csv": {"path": "table.csv"}}, "training": {"epochs": 2}}))
    assert cli.main(["train", str(config), "--json"]) == 0
    config.write_text(json.dumps({"dataset": {"name": "csv", "csv": {"path": "/dev/zero"}}}))
    assert cli.main(["train", str(config)]) == 2
    assert "not a regular file" in capsys.readouterr().err


# The CLI.


def test_cli_config_of_random_bytes_folder_and_bad_output(tmp_path, capsys):
    junk = tmp_path / "junk.json"
    junk.write_bytes(bytes(range(256)) * 4)
    assert cli.main(["train", str(junk)]) == 2
    assert "not text" in capsys.readouterr().err
    assert cli.main(["train", str(tmp_path)]) == 2
    assert "is a folder" in capsys.readouterr().err
    assert (
        cli.main(["export", "--preset", "xor", "--format", "json", "--output", str(tmp_path / "missing" / "x.json")])
        == 2
    )
    assert "does not exist" in capsys.readouterr().err
    assert cli.main(["export", "--preset", "xor", "--format", "json", "--output", str(tmp_path)]) == 2
    assert "is a folder" in capsys.readouterr().err
    deep = tmp_path / "deep.json"
    deep.write_text("[" * 100_000)
    assert cli.main(["train", str(deep)]) == 2
    assert "Traceback" not in capsys.readouterr().err


# The run store.


def test_a_stored_run_whose_config_no_longer_parses_still_loads(tmp_path):
    store = RunStore(tmp_path / "runs.sqlite3")
    record = RunRecord.new("alice", ExperimentSpec(), [{"epoch": 1, "test_loss": 0.5}], "finished", 0.0, 1.0)
    store.save(record)
    with sqlite3.connect(tmp_path / "runs.sqlite3") as connection:
        connection.execute(
            "UPDATE runs SET spec = ? WHERE id = ?", (json.dumps({"version": 99, "bogus": 1}), record.id)
        )
    loaded = store.load(record.id, "alice")
    assert loaded.spec is None and "can no longer be read" in loaded.message and loaded.history == record.history


def test_the_database_deleted_while_the_app_runs_is_created_again(tmp_path):
    path = tmp_path / "runs.sqlite3"
    store = RunStore(path)
    store.save(RunRecord.new("alice", ExperimentSpec(), [], "finished", 0.0, 1.0))
    for suffix in ("", "-wal", "-shm"):
        Path(str(path) + suffix).unlink(missing_ok=True)
    record = RunRecord.new("alice", ExperimentSpec(), [], "finished", 0.0, 1.0)
    store.save(record)
    assert store.load(record.id, "alice") is not None


def test_sharing_all_runs_is_explicit_read_only_and_revocable(tmp_path):
    store = RunStore(tmp_path / "runs.sqlite3")
    store.save(RunRecord.new("alice", ExperimentSpec(title="mine"), [], "finished", 0.0, 1.0))
    assert store.shared_list_token("alice") is None
    token = store.share_list("alice")
    assert store.share_list("alice") == token and store.owner_of_list(token) == "alice"
    assert store.owner_of_list("alice") is None and store.owner_of_list("x" * 10_000) is None
    assert store.revoke_list("alice") and store.owner_of_list(token) is None


def test_the_runs_page_shows_shared_runs_read_only(tmp_path):
    from playground.web.widgets.run_saving import run_store

    app = page("runs")
    store = run_store()
    store.save(
        RunRecord.new(
            "bob-owner-123", ExperimentSpec(title="bob's run"), [{"epoch": 1, "test_loss": 0.4}], "finished", 0.0, 1.0
        )
    )
    token = store.share_list("bob-owner-123")
    app = page("runs", runs=token)
    assert not app.exception
    assert any("Runs shared with you (1)" in s.value for s in app.subheader)
    assert app.session_state["owner"] != "bob-owner-123"
    store.revoke_list("bob-owner-123")
    app = page("runs", runs=token)
    assert any("does not point to shared runs" in w.value for w in app.warning)


def test_dataset_samples_are_bounded_where_the_data_is_made():
    with pytest.raises(DatasetError, match="20,000"):
        load_dataset(DatasetSpec("circle", samples=10**9))
    assert dataclasses.replace(DatasetSpec(), samples=None) == DatasetSpec()


# A second round of attacks (a fresh attacker's findings).


def test_an_integer_of_thousands_of_digits_is_a_message():
    with pytest.raises(SpecError, match="not valid JSON"):
        spec_from_json('{"dataset": {"seed": ' + "9" * 5000 + "}}")
    app = page(
        x=base64.urlsafe_b64encode(zlib.compress(('{"dataset": {"seed": ' + "9" * 5000 + "}}").encode())).decode()
    )
    assert not app.exception and app.warning


def test_a_short_link_cannot_ask_for_thousands_of_layers():
    link = link_of({"network": {"layers": [{}] * 3000}})
    assert len(link) < 200
    with pytest.raises(SpecError, match=f"the limit is {MAX_LAYERS}"):
        spec_from_url(link)


def test_a_keras_file_cannot_change_shapes_through_settings_the_check_does_not_read():
    wide_input = {
        "class_name": "Dense",
        "config": {"units": 4096, "activation": "relu"},
        "build_config": {"input_shape": [None, 60_000]},
    }
    channels_first = {
        "class_name": "Conv2D",
        "config": {
            "filters": 512,
            "kernel_size": [15, 15],
            "strides": [1, 1],
            "padding": "same",
            "activation": "relu",
            "data_format": "channels_first",
        },
    }
    for config in (
        sequential([2], wide_input, dense(1)),
        sequential([1000, 15, 15], channels_first, {"class_name": "Flatten", "config": {}}, dense(1)),
    ):
        started = time.perf_counter()
        with pytest.raises(ModelFileError):  # built from the checked stack: the weights do not fit it
            load_model_bytes(keras_archive(config))
        assert time.perf_counter() - started < 5


def test_a_keras_archive_of_many_entries_is_refused():
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for i in range(100):
            archive.writestr(f"d{i}/", b"")
        archive.writestr("config.json", json.dumps(sequential([2], dense(1))))
    with pytest.raises(ModelFileError, match="entries"):
        check_model_archive(buffer.getvalue())


def test_csv_headers_are_read_as_csv_records():
    rows = "\n".join(f"{i},{i % 3},{i % 2}" for i in range(20))
    hidden = '"x\ny",' + ",".join(f"c{i}" for i in range(2000)) + ",label\n" + rows
    with pytest.raises(DatasetError, match="2,002 columns"):
        csv_columns(hidden.encode())
    with pytest.raises(DatasetError, match="appears twice"):
        read_table(("label,label,a\n" + rows).encode(), "label")
    with pytest.raises(DatasetError, match="3 values but the header names 2"):
        read_table(("a,label\n" + rows).encode(), "label")
    x, _, _, _ = read_table(("a,b,label\n" + rows).replace("\n", "\r").encode(), "label")  # old Mac line ends
    assert x.shape == (20, 2)


def test_numbers_too_long_for_64_bits_are_numbers():
    content = ("a,b,label\n" + "\n".join(f"{10**25 * (i + 1)},{i % 3},{i % 2}" for i in range(20))).encode()
    x, _, _, _ = read_table(content, "label")
    assert x.shape == (20, 2)


def test_a_label_with_thousands_of_classes_is_refused():
    content = ("a,label\n" + "\n".join(f"{i},{i}" for i in range(300))).encode()
    with pytest.raises(DatasetError, match="at most 100"):
        read_table(content, "label", "classification")


def test_paths_the_system_refuses_are_messages(tmp_path, capsys):
    with pytest.raises(FileRefused):
        read_regular_file("a\x00b", 1000)
    assert cli.main(["train", str(tmp_path / ("x" * 300 + ".json"))]) == 2
    assert (
        cli.main(["export", "--preset", "xor", "--format", "json", "--output", str(tmp_path / ("x" * 300 + ".json"))])
        == 2
    )
    assert "Traceback" not in capsys.readouterr().err


def test_ids_no_run_can_have_find_nothing(tmp_path):
    store = RunStore(tmp_path / "runs.sqlite3")
    assert (
        store.load("\ud800") is None and store.load_shared("\ud800") is None and store.owner_of_list("\ud800") is None
    )
    with pytest.raises(SweepError):
        parse_values(["units"], "1")


# A third round (after the package and the TensorBoard export were added).


def test_a_weights_file_declaring_a_huge_dataset_is_refused_unread():
    import h5py

    from playground.model_builder import build_model
    from playground.model_files import model_bytes
    from playground.training_data import training_data

    spec = ExperimentSpec()
    whole = model_bytes(build_model(spec, training_data(spec)))
    with zipfile.ZipFile(io.BytesIO(whole)) as archive:
        members = {name: archive.read(name) for name in archive.namelist()}
    weights = io.BytesIO()
    with h5py.File(io.BytesIO(members["model.weights.h5"]), "r") as source, h5py.File(weights, "w") as target:
        for name in source:
            source.copy(name, target)
        target.create_dataset(
            "extra", shape=(12_000, 12_000), dtype="float64", compression="gzip"
        )  # empty: compresses to nothing
    members["model.weights.h5"] = weights.getvalue()
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, content in members.items():
            archive.writestr(name, content)
    started = time.perf_counter()
    with pytest.raises(ModelFileError, match="does not belong"):
        load_model_bytes(buffer.getvalue())
    assert time.perf_counter() - started < 5


def test_tensorboard_export_skips_rows_it_cannot_place(tmp_path):
    from playground.runs.tensorboard_export import export_tensorboard

    rows = [
        {"train_loss": 1.0},
        {"epoch": None},
        {"epoch": float("nan")},
        {"epoch": 10**30},
        ["not", "a", "row"],
        {"epoch": 1, "test_loss": 10**400},
        {"epoch": 2, "test_loss": 0.5},
    ]
    record = RunRecord.new("alice", ExperimentSpec(), rows, "finished", 0.0, 1.0, model=b"garbage")
    assert len(export_tensorboard([record], tmp_path)) == 1


def test_cli_runs_commands_answer_bad_folders_and_ports(tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("PLAYGROUND_RUNS_DB", str(tmp_path / "runs.sqlite3"))
    store = RunStore(tmp_path / "runs.sqlite3")
    store.save(RunRecord.new("alice", ExperimentSpec(), [{"epoch": 1, "test_loss": 0.5}], "finished", 0.0, 1.0))
    with sqlite3.connect(tmp_path / "runs.sqlite3") as connection:
        connection.execute("UPDATE runs SET parameters = '{bad json'")
    assert cli.main(["runs", "list"]) == 0
    for folder in ("", "a\x00b"):
        assert cli.main(["runs", "export", "--tensorboard", folder]) == 2
    assert cli.main(["app", "--port", "99999999"]) == 2
    assert "Traceback" not in capsys.readouterr().err
