"""A Boltzmann machine settling into low-energy states (Hinton & Sejnowski, 1983–85).

Binary units s_i ∈ {−1, +1} with symmetric weights have an energy

    E(s) = −½ Σ_ij w_ij s_i s_j − Σ_i b_i s_i

and each unit, updated in turn, switches on with probability σ(2 net_i / T), net_i = Σ_j w_ij s_j
+ b_i (Gibbs sampling at temperature T). At high T the network wanders; lowering T slowly
(simulated annealing) lets it settle into a deep energy minimum instead of the nearest shallow
one. Here the weights store three 6x6 pictures by the Hebbian rule w_ij = (1/N) Σ_p p_i p_j, so
the minima are the pictures: clamp part of one and the rest completes itself.

Example:

    run = complete_pattern("T", clamped_rows=3)
    run.energies[-1] < run.energies[0]   # -> True
    run.errors                            # -> 0 pixels different from the stored "T"
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

PICTURES = {
    "T": ["######", "######", "..##..", "..##..", "..##..", "..##.."],
    "L": ["##....", "##....", "##....", "##....", "######", "######"],
    "O": [".####.", "#....#", "#....#", "#....#", "#....#", ".####."],
}
SIDE = 6


def picture(name: str) -> np.ndarray:
    return np.array([[1 if c == "#" else -1 for c in row] for row in PICTURES[name]], dtype=float).ravel()


def hebbian_weights(patterns: np.ndarray) -> np.ndarray:
    weights = patterns.T @ patterns / patterns.shape[1]
    np.fill_diagonal(weights, 0.0)
    return weights


def energy(weights: np.ndarray, state: np.ndarray, bias: np.ndarray | None = None) -> float:
    value = -0.5 * state @ weights @ state
    return float(value - (bias @ state if bias is not None else 0.0))


@dataclass(frozen=True)
class SettlingRun:
    target: np.ndarray  # the stored picture being completed
    clamped: np.ndarray  # bool per unit: held fixed
    states: np.ndarray  # (sweeps + 1, units): the state before and after each sweep
    energies: np.ndarray  # energy after each sweep (index 0: the start)
    temperatures: np.ndarray  # temperature used in each sweep

    @property
    def errors(self) -> int:
        return int(np.sum(self.states[-1] != self.target))


def annealing_schedule(sweeps: int, start: float = 3.0, end: float = 0.05) -> np.ndarray:
    return np.geomspace(start, end, sweeps)


def gibbs_sweep(
    weights: np.ndarray, state: np.ndarray, clamped: np.ndarray, temperature: float, rng: np.random.Generator
) -> np.ndarray:
    state = state.copy()
    for unit in rng.permutation(len(state)):
        if clamped[unit]:
            continue
        net = weights[unit] @ state
        probability_on = 0.5 * (1.0 + np.tanh(net / temperature))  # = σ(2 net / T), without overflow
        state[unit] = 1.0 if rng.random() < probability_on else -1.0
    return state


def complete_pattern(
    name: str = "T", clamped_rows: int = 3, sweeps: int = 30, start_temperature: float = 3.0, seed: int = 0
) -> SettlingRun:
    patterns = np.stack([picture(p) for p in PICTURES])
    weights = hebbian_weights(patterns)
    target = picture(name)
    clamped = np.zeros(SIDE * SIDE, dtype=bool)
    clamped[: clamped_rows * SIDE] = True
    rng = np.random.default_rng(seed)
    state = np.where(clamped, target, rng.choice([-1.0, 1.0], SIDE * SIDE))
    temperatures = annealing_schedule(sweeps, start_temperature)
    states, energies = [state], [energy(weights, state)]
    for temperature in temperatures:
        state = gibbs_sweep(weights, state, clamped, temperature, rng)
        states.append(state)
        energies.append(energy(weights, state))
    return SettlingRun(target, clamped, np.array(states), np.array(energies), temperatures)
