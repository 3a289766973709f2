"""The experiment spec: exact JSON and URL round trips (property tests) and structural errors."""

import json

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from playground.layers import complete_spec, new_layer
from playground.spec import (
    CsvOptions,
    DatasetSpec,
    ExperimentSpec,
    LayerSpec,
    NetworkSpec,
    RegularizationSpec,
    ScheduleSpec,
    SpecError,
    TrainingSpec,
)
from playground.spec_reading import spec_from_dict, spec_from_json, spec_from_url

names = st.text(st.characters(codec="utf-8", exclude_categories=("Cs",)), max_size=12)
floats = st.floats(allow_nan=False, allow_infinity=False, width=64)
small_ints = st.integers(min_value=0, max_value=10**6)
maybe_int = st.none() | st.integers(min_value=1, max_value=4096)

layers = st.builds(
    LayerSpec,
    type=st.sampled_from(["Dense", "Dropout", "Conv2D", "Flatten", "MaxPooling2D"]),
    units=maybe_int,
    activation=st.none() | st.sampled_from(["relu", "tanh", "arctan"]),
    rate=st.none() | floats,
    filters=maybe_int,
    kernel_size=maybe_int,
    strides=maybe_int,
    padding=st.none() | st.sampled_from(["valid", "same"]),
    pool_size=maybe_int,
)
specs = st.builds(
    ExperimentSpec,
    dataset=st.builds(
        DatasetSpec,
        name=names,
        noise=floats,
        train_ratio=floats,
        samples=st.none() | small_ints,
        seed=small_ints,
        classes=small_ints,
        padding=small_ints,
        csv=st.none() | st.builds(CsvOptions, path=st.just(""), label_column=names, task=names, upload=names),
    ),
    network=st.builds(
        NetworkSpec,
        features=st.lists(names, max_size=4).map(tuple),
        layers=st.lists(layers, max_size=5).map(tuple),
        output_activation=names,
    ),
    training=st.builds(
        TrainingSpec,
        optimizer=names,
        learning_rate=floats,
        batch_size=small_ints,
        epochs=small_ints,
        loss=names,
        regularization=st.builds(RegularizationSpec, kind=names, rate=floats),
        weight_init=names,
        schedule=st.builds(ScheduleSpec, kind=names, factor=floats, every=small_ints),
        seed=small_ints,
        shuffle=st.booleans(),
    ),
    title=names,
    description=names,
)


_complete = complete_spec


@settings(max_examples=150, deadline=None)
@given(specs)
def test_json_round_trip_is_exact(spec):
    """Exact, once each layer's left-out settings are at its type's defaults (as the reader fills them)."""
    assert spec_from_json(spec.to_json()) == _complete(spec)


@settings(max_examples=150, deadline=None)
@given(specs)
def test_url_round_trip_is_exact_and_url_safe(spec):
    text = spec.to_url()
    assert spec_from_url(text) == _complete(spec)
    assert all(c.isalnum() or c in "-_" for c in text)


def test_csv_paths_round_trip_only_where_allowed():
    spec = ExperimentSpec(
        dataset=DatasetSpec("csv", csv=CsvOptions(path="/data/table.csv")), network=NetworkSpec(features=())
    )
    assert spec_from_json(spec.to_json(), allow_paths=True) == _complete(spec)
    with pytest.raises(SpecError, match="Upload the CSV"):
        spec_from_json(spec.to_json())


def test_default_is_tf_playground_default():
    spec = ExperimentSpec()
    assert spec.dataset.name == "circle" and spec.dataset.train_ratio == 0.5
    assert [(layer.units, layer.activation) for layer in spec.network.layers] == [(4, "tanh"), (2, "tanh")]
    assert spec.training.learning_rate == 0.03 and spec.training.batch_size == 10
    assert spec.to_dict()["version"] == 1


def test_missing_fields_take_defaults():
    assert spec_from_dict({"version": 1}) == _complete(ExperimentSpec())


def test_a_layer_takes_its_types_defaults_for_settings_it_leaves_out():
    spec = spec_from_dict({"network": {"layers": [{"type": "Dense", "units": 3}, {"type": "Conv2D"}]}})
    dense, conv = spec.network.layers
    assert dense == new_layer("Dense", units=3) and dense.to_dict()["activation"] == "relu"
    assert (conv.filters, conv.kernel_size, conv.strides, conv.padding) == (8, 3, 1, "valid")
    assert LayerSpec("Bogus", size=2).to_dict() == {
        "type": "Bogus",
        "size": 2,
    }  # an unknown type keeps what it was given


@pytest.mark.parametrize(
    "config, expected",
    [
        ({"version": 2}, "version"),
        ({"dataset": {"nosie": 3}}, "unknown setting 'nosie'"),
        ({"network": {"layers": "Dense"}}, "network.layers must be a list"),
        ({"network": {"layers": [{"type": "Dense", "unitz": 3}]}}, "Layer 1: unknown setting 'unitz'"),
        ({"training": {"schedule": 3}}, "training.schedule must be an object"),
        ([1, 2], "must be a JSON object"),
    ],
)
def test_structural_errors_name_the_field(config, expected):
    with pytest.raises(SpecError) as error:
        spec_from_dict(config)
    assert expected in str(error.value)


def test_bad_json_and_bad_link_explain():
    with pytest.raises(SpecError, match="not valid JSON"):
        spec_from_json("{oops")
    with pytest.raises(SpecError, match="link does not hold a valid experiment"):
        spec_from_url("not-a-link")


def test_json_is_plain_and_versioned():
    config = json.loads(ExperimentSpec().to_json())
    assert set(config) == {"version", "title", "dataset", "network", "training"}
