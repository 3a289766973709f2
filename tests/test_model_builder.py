"""Model building: every layer and activation builds and trains a step; shapes agree with Keras; files."""

import dataclasses

import numpy as np
import pytest

from playground.activations import ACTIVATIONS
from playground.layers import LAYERS, new_layer
from playground.model_builder import build_model
from playground.model_files import ModelFileError, load_model_file, save_model
from playground.network_shapes import layer_rows, total_parameters
from playground.spec import DatasetSpec, ExperimentSpec, LayerSpec, NetworkSpec, TrainingSpec
from playground.training_data import training_data

IMAGE_STACK = (
    new_layer("Conv2D", filters=4, kernel_size=3, activation="relu"),
    new_layer("BatchNormalization"),
    new_layer("MaxPooling2D"),
    new_layer("Conv2D", filters=4, kernel_size=2, padding="same", activation="tanh"),
    new_layer("AveragePooling2D", pool_size=2, strides=1),
    new_layer("Flatten"),
    new_layer("Dropout", rate=0.3),
    new_layer("Dense", units=8, activation="relu"),
)
DIGITS = ExperimentSpec(
    dataset=DatasetSpec("digits", samples=200),
    network=NetworkSpec(features=(), layers=IMAGE_STACK),
    training=TrainingSpec(epochs=1, batch_size=32),
)


def test_every_layer_type_is_covered():
    assert {layer.type for layer in IMAGE_STACK} == set(LAYERS)


def test_image_stack_builds_trains_a_step_and_matches_keras_shapes():
    data = training_data(DIGITS)
    model = build_model(DIGITS, data)
    rows = layer_rows(DIGITS.network, (8, 8, 1), 10)
    assert total_parameters(rows) == model.count_params()
    keras_shapes = [tuple(layer.output.shape[1:]) for layer in model.layers]
    assert [row.output_shape for row in rows[1:]] == keras_shapes
    before = [w.copy() for w in model.get_weights()]
    model.train_on_batch(data.x_train[:32], data.y_train[:32])
    assert any(not np.allclose(a, b) for a, b in zip(before, model.get_weights()))


@pytest.mark.parametrize("activation", list(ACTIVATIONS))
def test_every_activation_trains_one_step(activation):
    spec = ExperimentSpec(
        network=NetworkSpec(layers=(LayerSpec("Dense", units=3, activation=activation),)),
        training=TrainingSpec(epochs=1),
    )
    data = training_data(spec)
    model = build_model(spec, data)
    loss = model.train_on_batch(data.x_train[:10], data.y_train[:10])
    assert np.isfinite(loss)
    z = np.linspace(-3, 3, 7)
    assert np.all(np.isfinite(ACTIVATIONS[activation].function(z))) and np.all(
        np.isfinite(ACTIVATIONS[activation].derivative(z))
    )


def test_numpy_activations_match_keras():
    import keras

    z = np.linspace(-4, 4, 33).astype("float32")
    for name, activation in ACTIVATIONS.items():
        if name in ("softmax", "arctan"):
            continue
        expected = np.asarray(keras.activations.get(name)(keras.ops.convert_to_tensor(z[None, :])))[0]
        assert np.allclose(activation.function(z), expected, atol=2e-3), name


def test_arctan_model_saves_and_loads(tmp_path):
    spec = ExperimentSpec(network=NetworkSpec(layers=(LayerSpec("Dense", units=4, activation="arctan"),)))
    data = training_data(spec)
    model = build_model(spec, data)
    path = str(tmp_path / "arctan.keras")
    save_model(model, path)
    loaded = load_model_file(path)
    assert np.allclose(loaded.predict(data.x_test[:5], verbose=0), model.predict(data.x_test[:5], verbose=0))


def test_lambda_model_is_refused(tmp_path):
    import keras

    model = keras.Sequential([keras.Input((2,)), keras.layers.Lambda(lambda x: x * 2), keras.layers.Dense(1)])
    path = str(tmp_path / "lambda.keras")
    model.save(path)
    with pytest.raises(ModelFileError, match="Lambda layer"):
        load_model_file(path)


def test_not_a_model_is_refused(tmp_path):
    path = tmp_path / "junk.keras"
    path.write_bytes(b"not a zip")
    with pytest.raises(ModelFileError):
        load_model_file(str(path))


def test_same_seed_same_initial_weights():
    spec = ExperimentSpec(training=TrainingSpec(seed=5))
    first = build_model(spec, training_data(spec)).get_weights()
    second = build_model(spec, training_data(spec)).get_weights()
    other = build_model(dataclasses.replace(spec, training=TrainingSpec(seed=6)), training_data(spec)).get_weights()
    assert all(np.array_equal(a, b) for a, b in zip(first, second))
    assert not all(np.array_equal(a, b) for a, b in zip(first, other))


def test_layers_are_named_by_type_and_place_in_the_stack():
    spec = ExperimentSpec(
        dataset=DatasetSpec(name="digits"),
        network=NetworkSpec(layers=[new_layer("Dense", units=8), new_layer("Dropout"), new_layer("Dense", units=4)]),
    )
    model = build_model(spec, training_data(spec))
    assert [layer.name for layer in model.layers] == ["dense_1", "dropout_2", "dense_3", "output"]


def test_models_built_in_many_threads_at_once_all_build():
    # A sweep builds its runs' models in worker threads at the same moment; on CI two of eleven
    # once failed with "Name 'dense' is already the name of a layer in this model" while layers
    # took their names from Keras' per-thread counter. Names now come from the stack alone, so
    # every thread builds the same, unique names.
    import threading
    from concurrent.futures import ThreadPoolExecutor

    spec = ExperimentSpec(network=NetworkSpec(layers=[new_layer("Dense", units=4) for _ in range(6)]))
    data = training_data(spec)
    barrier = threading.Barrier(8)

    def build(_):
        barrier.wait()
        return [layer.name for layer in build_model(spec, data).layers]

    with ThreadPoolExecutor(8) as pool:
        names = list(pool.map(build, range(8)))
    assert all(n == names[0] for n in names)
    assert len(set(names[0])) == 7
