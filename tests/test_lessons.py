"""The Learn pages' maths: each test proves a claim the page makes."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from playground.lessons import activation_curves, softmax
from playground.lessons.backprop_steps import PARAMETERS, STEP_ACTIVATIONS, TinyNetwork, backpropagate, check
from playground.lessons.loss_landscape import filter_normalized_direction, flatten, project, train_and_map
from playground.lessons.minibatch import batch_orders, gradient_spread, train_with_batch_size, two_clouds
from playground.lessons.neuron import NEURON_ACTIVATIONS, decision_line, neuron_grid, neuron_output
from playground.lessons.optimizer_paths import optimizer_path
from playground.spec import ExperimentSpec


@pytest.mark.parametrize("activation", NEURON_ACTIVATIONS)
def test_keras_neuron_computes_f_of_w_dot_x_plus_b(activation):
    grid = neuron_grid((1.5, -0.7), 0.3, activation, resolution=11)
    x1, x2 = np.meshgrid(grid.xs, grid.ys)
    expected = neuron_output((1.5, -0.7), 0.3, activation, np.stack([x1.ravel(), x2.ravel()], axis=1)).reshape(11, 11)
    np.testing.assert_allclose(grid.output, expected, rtol=1e-5, atol=1e-5)


def test_decision_line_is_where_the_total_input_is_zero():
    xs, ys = decision_line((2.0, -1.0), 0.5)
    np.testing.assert_allclose(2.0 * xs - 1.0 * ys + 0.5, 0.0, atol=1e-12)
    assert decision_line((0.0, 0.0), 1.0) is None
    assert decision_line((1.0, 1.0), 100.0) is None  # the line misses the square
    assert np.abs(decision_line((1.0, -0.5), 0.5)[1]).max() <= 4.0


@pytest.mark.parametrize("name", activation_curves.LECTURE_ACTIVATIONS)
def test_plotted_derivative_equals_tensorflows(name):
    z = np.linspace(-5, 5, 101) + 0.013  # avoids the kink of ReLU at exactly 0
    _, derivative = activation_curves.curve(name, z)
    np.testing.assert_allclose(derivative, activation_curves.keras_derivative(name, z), rtol=1e-4, atol=1e-4)


def test_saturation_and_vanishing_gradients():
    sigmoid = activation_curves.saturated_intervals("sigmoid")
    assert len(sigmoid) == 2 and sigmoid[0][0] == -6.0 and sigmoid[1][1] == 6.0
    assert -3.2 < sigmoid[0][1] < -2.8 and 2.8 < sigmoid[1][0] < 3.2
    assert activation_curves.saturated_intervals("relu") == [(-6.0, pytest.approx(0.0, abs=0.01))]
    assert activation_curves.saturated_intervals("linear") == []
    assert activation_curves.gradient_after_layers("sigmoid", 10) == pytest.approx(0.25**10, rel=1e-6)
    assert activation_curves.gradient_after_layers("relu", 10) == 1.0


@settings(max_examples=60, deadline=None)
@given(st.lists(st.floats(-50, 50), min_size=2, max_size=10), st.floats(0.1, 5.0))
def test_softmax_is_a_distribution(logits, temperature):
    p = softmax.softmax(logits, temperature)
    assert np.all(p >= 0) and p.sum() == pytest.approx(1.0, abs=1e-5)
    # The largest logit has the largest probability, up to float32's resolution (two logits 3e-7 apart tie).
    assert np.argmax(p) == np.argmax(logits) or np.isclose(max(logits), logits[int(np.argmax(p))], rtol=0, atol=1e-4)


def test_stable_softmax_survives_where_the_naive_form_overflows():
    logits = np.array([1000.0, 990.0, 0.0])
    naive = softmax.naive_softmax(logits)
    assert np.isnan(naive).any()
    stable = softmax.softmax(logits)
    assert np.isfinite(stable).all() and stable.sum() == pytest.approx(1.0)
    np.testing.assert_allclose(stable, softmax.tensorflow_softmax(logits), atol=1e-6)
    small = [1.0, 2.0, 3.0]
    np.testing.assert_allclose(softmax.naive_softmax(small), softmax.softmax(small), rtol=1e-6)


def test_temperature_flattens_and_sharpens():
    logits = [1.0, 2.0, 3.0]
    entropy = lambda p: -np.sum(p * np.log(p))  # noqa: E731
    assert (
        entropy(softmax.softmax(logits, 0.5))
        < entropy(softmax.softmax(logits, 1.0))
        < entropy(softmax.softmax(logits, 3.0))
    )
    with pytest.raises(ValueError, match="temperature"):
        softmax.softmax(logits, 0.0)


@pytest.mark.parametrize("rate, verdict", [(0.01, "slow"), (0.1, "good"), (0.9, "oscillating"), (1.1, "diverging")])
def test_learning_rate_on_the_bowl(rate, verdict):
    path = optimizer_path("bowl", "sgd", rate, steps=50)
    assert path.verdict == verdict
    if verdict == "diverging":
        assert len(path.points) < 51 or np.linalg.norm(path.points[-1]) > np.linalg.norm(path.points[0])


def test_momentum_and_adam_help_in_the_valley_and_sgd_escapes_the_saddle():
    assert optimizer_path("valley", "sgd", 0.1).verdict == "slow"
    assert optimizer_path("valley", "momentum", 0.1).verdict == "good"
    assert optimizer_path("valley", "adam", 0.3).verdict == "good"
    assert optimizer_path("saddle", "sgd", 0.05).verdict == "escaped"
    assert optimizer_path("saddle", "sgd", 0.05, start=(-2.5, 0.0)).verdict == "stalled"  # exactly on the ridge


def test_mini_batch_gradients_average_to_the_full_gradient_and_spread_like_one_over_b():
    data = two_clouds()
    spreads = {size: gradient_spread(data, size) for size in (1, 10, 50)}
    for spread in spreads.values():
        np.testing.assert_allclose(spread.batch_gradients.mean(axis=0), spread.full_gradient, atol=1e-5)
    assert (
        spreads[1].mean_squared_deviation
        > 5 * spreads[10].mean_squared_deviation
        > 5 * spreads[50].mean_squared_deviation
    )


def test_batch_sizes_take_different_numbers_of_steps_and_all_learn():
    data = two_clouds()
    runs = [train_with_batch_size(data, size, epochs=3) for size in (1, 10, 200)]
    assert [len(run.losses) for run in runs] == [601, 61, 4]
    for run in runs:
        assert run.losses[-1] < run.losses[0]
    assert runs[1].losses[-1] < runs[2].losses[-1]  # after the same epochs, more (noisier) steps got further
    with pytest.raises(ValueError, match="divide"):
        batch_orders(200, 30, 1)


@settings(max_examples=40, deadline=None)
# Values on a 1e-4 grid: a magnitude like 1e-308 is a subnormal that TensorFlow flushes to zero,
# which moves ReLU's kink, so the two sides would rightly differ there.
@given(
    st.sampled_from(STEP_ACTIVATIONS), st.lists(st.floats(-2, 2).map(lambda v: round(v, 4)), min_size=12, max_size=12)
)
def test_every_step_through_gradient_equals_tensorflows(activation, values):
    names = ["x1", "x2", "target", *PARAMETERS]
    net = TinyNetwork(**dict(zip(names, values)), activation=activation)
    assert check(net).max_difference <= 1e-6


def test_one_small_step_lowers_the_loss():
    net = TinyNetwork(learning_rate=0.5)
    trace = backpropagate(net)
    assert trace.updated_loss < trace.loss
    assert trace.updated.w11 == pytest.approx(net.w11 - 0.5 * trace.gradients["w11"])
    # The worked example's numbers, by hand: net_h1 = 0.1*0.35 + 0.8*0.9 = 0.755
    assert trace.net["h1"] == pytest.approx(0.755)
    assert trace.delta["o"] == pytest.approx((trace.out["o"] - 0.5) * trace.out["o"] * (1 - trace.out["o"]))


def test_filter_normalised_directions_match_each_filters_norm():
    rng = np.random.default_rng(0)
    weights = [rng.normal(size=(3, 4)), rng.normal(size=4), rng.normal(size=(5, 5, 2, 6))]
    direction = filter_normalized_direction(weights, rng)
    np.testing.assert_allclose(np.linalg.norm(direction[0], axis=0), np.linalg.norm(weights[0], axis=0))
    np.testing.assert_array_equal(direction[1], 0.0)
    np.testing.assert_allclose(
        np.sqrt((direction[2] ** 2).sum(axis=(0, 1, 2))), np.sqrt((weights[2] ** 2).sum(axis=(0, 1, 2)))
    )


def test_projection_recovers_coordinates_in_the_plane():
    rng = np.random.default_rng(1)
    center, d1, d2 = rng.normal(size=(3, 20))
    points = center + np.outer([0.5, -1.0], d1) + np.outer([2.0, 0.25], d2)
    np.testing.assert_allclose(project(points, center, d1, d2), [[0.5, 2.0], [-1.0, 0.25]], atol=1e-9)


@pytest.mark.parametrize("directions", ["random", "pca"])
def test_landscape_is_centred_on_the_trained_weights(directions):
    result = train_and_map(ExperimentSpec(), epochs=30, directions=directions, resolution=11)
    middle = len(result.alphas) // 2
    assert result.alphas[middle] == pytest.approx(0.0)
    assert result.surface[middle, middle] == pytest.approx(result.center_loss, rel=1e-4)
    assert result.line[middle] == pytest.approx(result.center_loss, rel=1e-4)
    assert result.center_loss < np.median(result.surface)  # trained weights sit low in their neighbourhood
    assert result.trajectory_loss[0] > result.trajectory_loss[-1] == pytest.approx(result.center_loss, rel=1e-4)
    np.testing.assert_allclose(result.trajectory[-1], 0.0, atol=1e-6)  # the last recorded weights are the centre
    assert flatten([np.ones((2, 2))]).shape == (4,)
