"""The History gallery's experiments do what each entry claims."""

import numpy as np
import pytest

from playground.history import backpropagation_1986, boltzmann, cognitron, deep_belief_net, lenet5, perceptron
from playground.history.entries import HISTORY


@pytest.mark.parametrize("gate", ["AND", "OR"])
def test_perceptron_learns_linearly_separable_gates(gate):
    run = perceptron.train_perceptron(gate)
    assert run.converged and run.mistakes[-1] == 0
    np.testing.assert_array_equal(run.predictions(), perceptron.GATES[gate])


def test_perceptron_never_converges_on_xor():
    run = perceptron.train_perceptron("XOR", epochs=200)
    assert not run.converged
    assert run.mistakes.min() > 0  # not one epoch without a mistake
    assert not np.array_equal(run.predictions(), perceptron.GATES["XOR"])


def test_cognitron_reinforces_only_local_winners():
    near = cognitron._neighbours(3, 1)
    responses = np.array([0.9, 0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.95])
    winners = cognitron.local_winners(responses, near)
    # Unit 0 beats its neighbours 1, 3 and 4; unit 8 beats 4, 5 and 7; nobody else is the strongest near itself.
    assert winners.tolist() == [True, False, False, False, False, False, False, False, True]


def test_cognitron_grows_digit_shaped_fields_without_labels():
    run = cognitron.train_cognitron(epochs=2)
    assert run.fields.shape == (16, 8, 8)
    assert run.prototype_match() > run.prototype_match(initial=True) + 0.05
    assert (run.wins.sum(axis=1) > 0).sum() >= 10  # most units end up answering for some digits
    assert run.purity > 0.4


@pytest.mark.parametrize("name", list(boltzmann.PICTURES))
def test_boltzmann_machine_completes_each_picture_while_its_energy_falls(name):
    run = boltzmann.complete_pattern(name, clamped_rows=3)
    assert run.errors == 0
    assert run.energies[-1] < run.energies[0]
    assert run.energies[-1] == pytest.approx(
        boltzmann.energy(
            boltzmann.hebbian_weights(np.stack([boltzmann.picture(p) for p in boltzmann.PICTURES])), run.target
        )
    )
    assert np.all(run.states[:, run.clamped] == run.target[run.clamped])  # clamped units never move


def test_cold_gibbs_sweeps_never_raise_the_energy():
    rng = np.random.default_rng(3)
    weights = boltzmann.hebbian_weights(np.stack([boltzmann.picture(p) for p in boltzmann.PICTURES]))
    state = rng.choice([-1.0, 1.0], 36)
    free = np.zeros(36, dtype=bool)
    for _ in range(5):
        new_state = boltzmann.gibbs_sweep(weights, state, free, 1e-4, rng)
        assert boltzmann.energy(weights, new_state) <= boltzmann.energy(weights, state) + 1e-9
        state = new_state


def test_backprop_solves_xor_and_the_encoder():
    xor = backpropagation_1986.train_xor()
    assert xor.accuracy == 1.0
    encoder = backpropagation_1986.train_encoder()
    assert encoder.accuracy == 1.0
    assert len({tuple(code) for code in np.round(encoder.codes)}) >= 7  # (nearly) a different binary code per pattern
    assert encoder.losses[-1] < 0.05 * encoder.losses[0]


@pytest.mark.slow
def test_lenet5_reaches_ninety_percent_on_held_out_digits_within_the_page_budget():
    run = lenet5.train_lenet5()  # the page's default: 6 epochs
    assert run.test_accuracy >= 0.90
    assert len(run.test_labels) == 2500
    maps = lenet5.feature_maps(run.model, run.test_images[0])
    assert [m.shape for _, m in maps] == [(28, 28, 6), (14, 14, 6), (10, 10, 16), (5, 5, 16)]


@pytest.mark.slow
def test_deep_belief_net_reconstruction_error_falls_and_pretraining_gives_a_head_start():
    run = deep_belief_net.train_deep_belief_net()
    for errors in run.reconstruction_errors:
        assert errors[-1] < errors[0]
        assert np.all(np.diff(errors[1:]) < 0.01)  # falling, give or take sampling noise
    assert run.pretrained_accuracy[0] > run.random_accuracy[0] + 0.2
    assert run.samples.shape == (10, 8, 8) and run.samples.min() >= 0 and run.samples.max() <= 1


def test_every_entry_has_its_facts():
    assert [entry.key for entry in HISTORY] == ["perceptron", "cognitron", "boltzmann", "backprop", "lenet5", "dbn"]
    assert [entry.year for entry in HISTORY] == sorted(entry.year for entry in HISTORY)
    for entry in HISTORY:
        assert entry.authors and len(entry.paragraph) > 150 and entry.shows
