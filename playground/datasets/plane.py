"""2-D datasets: TF Playground's six with its exact formulas, plus moons and a multi-class spiral.

Each generator takes the sample count, the noise as a fraction (TF Playground's 0..50 % slider
divided by 100) and a NumPy random generator, and returns points (n, 2) and labels. Class
labels are 1 for TF Playground's positive class and 0 for its negative one.
"""

from __future__ import annotations

import numpy as np


def _uniform(rng, low, high, size=None):
    return rng.uniform(low, high, size)


def circle(n, noise, rng):
    radius = 5.0

    def ring(count, r_low, r_high):
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


def xor(n, noise, rng):
    points = _uniform(rng, -5, 5, (n, 2))
    points += np.where(points > 0, 0.3, -0.3)  # keep points off the axes
    jitter = _uniform(rng, -5, 5, (n, 2)) * noise
    noisy = points + jitter
    labels = (noisy[:, 0] * noisy[:, 1] >= 0).astype("int32")
    return points, labels


def gauss(n, noise, rng):
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


def spiral(n, noise, rng):
    points, arm = _spiral_arms(n, noise, rng, 2)
    # TF Playground: the arm with delta 0 is positive, the arm with delta pi negative.
    return points, (arm == 0).astype("int32")


def spiral_multi(n, noise, rng, classes):
    return _spiral_arms(n, noise, rng, classes)


def reg_plane(n, noise, rng):
    radius = 6
    points = _uniform(rng, -radius, radius, (n, 2))
    jitter = _uniform(rng, -radius, radius, (n, 2)) * noise
    noisy = points + jitter
    return points, ((noisy[:, 0] + noisy[:, 1]) / 10).astype("float32")


GAUSSIANS = np.array([[-4, 2.5, 1], [0, 2.5, -1], [4, 2.5, 1], [-4, -2.5, -1], [0, -2.5, 1], [4, -2.5, -1]], float)


def reg_gauss(n, noise, rng):
    radius = 6
    points = _uniform(rng, -radius, radius, (n, 2))
    jitter = _uniform(rng, -radius, radius, (n, 2)) * noise
    noisy = points + jitter
    distances = np.linalg.norm(noisy[:, None, :] - GAUSSIANS[None, :, :2], axis=2)
    values = GAUSSIANS[None, :, 2] * np.clip(1 - distances / 2, 0, 1)
    # The centre whose value is largest in magnitude decides (ties keep the first, as in TF Playground).
    strongest = np.argmax(np.abs(values), axis=1)
    return points, values[np.arange(n), strongest].astype("float32")


def moons(n, noise, rng):
    from sklearn.datasets import make_moons

    points, labels = make_moons(n, noise=noise, random_state=int(rng.integers(2**31)))
    # Centre and scale the moons to TF Playground's -6..6 plane.
    return (points - (0.5, 0.25)) * 3.0, labels.astype("int32")
