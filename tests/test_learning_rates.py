"""The learning-rate ladder and the advice after a divergence."""

from __future__ import annotations

from playground.learning_rates import LEARNING_RATE_LADDER, divergence_message, safer_rate


def test_a_safer_rate_is_a_ladder_rate_two_orders_lower():
    assert safer_rate(10) == 0.1 and safer_rate(0.3) == 0.003
    assert safer_rate(0.00001) == LEARNING_RATE_LADDER[0]  # nothing lower: the smallest


def test_the_advice_lowers_the_rate_the_user_set_as_the_button_does():
    message = divergence_message(2.5, epoch=4, batch=0, base_rate=10)  # a schedule had scaled 10 to 2.5
    assert "a learning rate of 2.5 is too high" in message and f"try {safer_rate(10):g} or lower" in message
    assert f"try {safer_rate(3):g} or lower" in divergence_message(3, epoch=0, batch=2)
