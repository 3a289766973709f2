"""2-D datasets: TF Playground's six with its exact formulas, plus moons and a multi-class spiral.

Adding a 2-D dataset is its generator here and one entry in `PLANE_DATASETS`: the app loads it
with the generator and an exported script carries the generator's source.

Each generator takes the sample count, the noise as a fraction (TF Playground's 0..50 % slider
divided by 100) and a NumPy random generator, and returns points (n, 2) and labels. Class
labels are 1 for TF Playground's positive class and 0 for its negative one.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

from playground.datasets.dataset import DatasetKind, Task
from playground.datasets.dataset_info import DatasetInfo, module_sources
from playground.registry import Setting
from playground.spec import DatasetSpec, field_settings


def _uniform(rng, low, high, size=None):
    return rng.uniform(low, high, size)


def circle(n: int, noise: float, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    radius = 5.0

    def ring(count: int, r_low: float, r_high: float) -> tuple[np.ndarray, np.ndarray]:
        r = _uniform(rng, r_low, r_high, count)
        angle = _uniform(rng, 0, 2 * np.pi, count)
        points = np.stack([r * np.sin(angle), r * np.cos(angle)], axis=1)
        # The label looks at a noisy copy of the point; the stored point stays clean.
        jitter = _uniform(rng, -radius, radius, (count, 2)) * noise
        labels = (np.linalg.norm(points + jitter, axis=1) < radius * 0.5).astype("int32")
        return points, labels

    inner = ring(n // 2, 0, radius * 0.5)
    outer = ring(n - n // 2, radius * 0.7, radius)
    return np.concatenate([inner[0], outer[0]]), np.concatenate([inner[1], outer[1]])


def xor(n: int, noise: float, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    points = _uniform(rng, -5, 5, (n, 2))
    points += np.where(points > 0, 0.3, -0.3)  # keep points off the axes
    jitter = _uniform(rng, -5, 5, (n, 2)) * noise
    noisy = points + jitter
    labels = (noisy[:, 0] * noisy[:, 1] >= 0).astype("int32")
    return points, labels


def gauss(n: int, noise: float, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    variance = 0.5 + 3.5 * noise / 0.5  # d3.scale.linear().domain([0, .5]).range([0.5, 4])
    half = n // 2
    positive = rng.normal((2, 2), np.sqrt(variance), (half, 2))
    negative = rng.normal((-2, -2), np.sqrt(variance), (n - half, 2))
    labels = np.concatenate([np.ones(half, "int32"), np.zeros(n - half, "int32")])
    return np.concatenate([positive, negative]), labels


def _spiral_arms(n, noise, rng, arms):
    points, labels = [], []
    per_arm = n // arms
    for arm in range(arms):
        count = per_arm if arm < arms - 1 else n - per_arm * (arms - 1)
        i = np.arange(count)
        r = i / count * 5
        t = 1.75 * i / count * 2 * np.pi + 2 * np.pi * arm / arms
        jitter = _uniform(rng, -1, 1, (count, 2)) * noise
        points.append(np.stack([r * np.sin(t), r * np.cos(t)], axis=1) + jitter)
        labels.append(np.full(count, arm, "int32"))
    return np.concatenate(points), np.concatenate(labels)


def spiral(n: int, noise: float, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    points, arm = _spiral_arms(n, noise, rng, 2)
    # TF Playground: the arm with delta 0 is positive, the arm with delta pi negative.
    return points, (arm == 0).astype("int32")


def spiral_multi(n: int, noise: float, rng: np.random.Generator, classes: int) -> tuple[np.ndarray, np.ndarray]:
    return _spiral_arms(n, noise, rng, classes)


def reg_plane(n: int, noise: float, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    radius = 6
    points = _uniform(rng, -radius, radius, (n, 2))
    jitter = _uniform(rng, -radius, radius, (n, 2)) * noise
    noisy = points + jitter
    return points, ((noisy[:, 0] + noisy[:, 1]) / 10).astype("float32")


GAUSSIANS = np.array([[-4, 2.5, 1], [0, 2.5, -1], [4, 2.5, 1], [-4, -2.5, -1], [0, -2.5, 1], [4, -2.5, -1]], float)


def reg_gauss(n: int, noise: float, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    radius = 6
    points = _uniform(rng, -radius, radius, (n, 2))
    jitter = _uniform(rng, -radius, radius, (n, 2)) * noise
    noisy = points + jitter
    distances = np.linalg.norm(noisy[:, None, :] - GAUSSIANS[None, :, :2], axis=2)
    values = GAUSSIANS[None, :, 2] * np.clip(1 - distances / 2, 0, 1)
    # The centre whose value is largest in magnitude decides (ties keep the first, as in TF Playground).
    strongest = np.argmax(np.abs(values), axis=1)
    return points, values[np.arange(n), strongest].astype("float32")


def moons(n: int, noise: float, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    from sklearn.datasets import make_moons

    points, labels = make_moons(n, noise=noise, random_state=int(rng.integers(2**31)))
    # Centre and scale the moons to TF Playground's -6..6 plane.
    return (points - (0.5, 0.25)) * 3.0, labels.astype("int32")


TFP = "TF Playground's formula, generated with the seed"
ARMS = field_settings(DatasetSpec)["classes"]


def plane_dataset(
    name: str,
    label: str,
    generator: Callable[..., Any],
    task: Task,
    samples: int,
    source: str = "",
    settings: tuple[Setting, ...] = (),
    packages: tuple[str, ...] = (),
    class_names: Callable[[DatasetSpec], tuple[str, ...]] = lambda spec: ("negative", "positive"),
) -> DatasetInfo:
    """A 2-D dataset made by `generator(n, noise, rng, **settings)` (see `plane.py`): its loader
    and its script code both come from the generator."""

    def extra(spec: DatasetSpec) -> dict[str, Any]:
        return {setting.name: getattr(spec, setting.name) for setting in settings}

    def load(spec: DatasetSpec, rng: np.random.Generator) -> tuple:
        x, y = generator(spec.samples, spec.noise / 100, rng, **extra(spec))
        if task == Task.REGRESSION:
            return x.astype("float32"), y.astype("float32"), 1, (), task
        names = class_names(spec)
        return x.astype("float32"), y, len(names), names, task

    def code(spec: DatasetSpec) -> list[str]:
        arguments = "".join(f", {key}={value!r}" for key, value in extra(spec).items())
        count = spec.samples if spec.samples is not None else samples
        return [
            *module_sources(generator),
            f"rng = np.random.default_rng({spec.seed})",
            f"x, y = {generator.__name__}({count}, {spec.noise / 100!r}, rng{arguments})",
            "x = x.astype('float32')",
        ]

    return DatasetInfo(
        name,
        label,
        source or TFP,
        kind=DatasetKind.PLANE,
        task=task,
        default_samples=samples,
        load=load,
        code=code,
        packages=packages,
        settings=settings,
    )


PLANE_DATASETS = [
    plane_dataset("circle", "Circle", circle, Task.BINARY, 500),
    plane_dataset("xor", "Exclusive or", xor, Task.BINARY, 500),
    plane_dataset("gauss", "Two Gaussians", gauss, Task.BINARY, 500),
    plane_dataset("spiral", "Spiral", spiral, Task.BINARY, 500),
    plane_dataset("reg-plane", "Plane (regression)", reg_plane, Task.REGRESSION, 1200),
    plane_dataset("reg-gauss", "Six Gaussians (regression)", reg_gauss, Task.REGRESSION, 1200),
    plane_dataset(
        "moons",
        "Two moons",
        moons,
        Task.BINARY,
        500,
        "scikit-learn make_moons, scaled to the plane",
        packages=("scikit-learn",),
    ),
    plane_dataset(
        "spiral-multi",
        "Spiral, 3 to 5 arms",
        spiral_multi,
        Task.MULTICLASS,
        600,
        "TF Playground's spiral with one arm per class",
        settings=(ARMS,),
        class_names=lambda spec: tuple(f"arm {i + 1}" for i in range(spec.classes)),
    ),
]
