"""Rounding half up (halves away from zero, Decimal's ROUND_HALF_UP) of scaled integer columns, by hand."""
import numpy as np
import pytest

from engine.lang.fixed import round_half_up_array

# cents -> whole dollars (drop 2 places), worked by hand:
# 1.49 -> 1, 1.50 -> 2 (half away from zero), 1.51 -> 2, 0.50 -> 1, 0.49 -> 0, 0 -> 0,
# -0.49 -> 0, -0.50 -> -1 (half away from zero, not toward +infinity), -0.51 -> -1,
# -1.49 -> -1, -1.50 -> -2, -2.00 -> -2, -2.01 -> -2, 2.99 -> 3
CENTS = [149, 150, 151, 50, 49, 0, -49, -50, -51, -149, -150, -200, -201, 299]
DOLLARS = [1, 2, 2, 1, 0, 0, 0, -1, -1, -1, -2, -2, -2, 3]


def test_cents_to_dollars_halves_away_from_zero():
    got = round_half_up_array(np.array(CENTS, dtype=np.int64), 2)
    assert got.tolist() == DOLLARS
    assert got.dtype == np.int64


@pytest.mark.parametrize("cents, dollars", list(zip(CENTS, DOLLARS)))
def test_one_value_rounds_as_the_column_does(cents, dollars):
    assert round_half_up_array(cents, 2) == dollars
    assert round_half_up_array(np.int64(cents), 2) == dollars


def test_six_places_to_two_and_large_amounts():
    # 0.125000 -> 0.13 and -0.125000 -> -0.13 (millionths to cents: drop 4 places, half is 5000)
    # 0.124999 -> 0.12, -0.124999 -> -0.12, -0.125001 -> -0.13
    got = round_half_up_array(np.array([125000, -125000, 124999, -124999, -125001]), 4)
    assert got.tolist() == [13, -13, 12, -12, -13]
    # $40,000,000,000,000,000.50 in cents (4 * 10**18 + 50, near int64's edge) -> 4 * 10**16 + 1 dollars;
    # the negative -> -(4 * 10**16 + 1)
    big = 4 * 10 ** 18 + 50
    assert round_half_up_array(np.array([big, -big], dtype=np.int64), 2).tolist() == [4 * 10 ** 16 + 1,
                                                                                      -(4 * 10 ** 16 + 1)]


def test_the_input_column_is_left_as_it_was():
    cents = np.array([150, -150], dtype=np.int64)
    round_half_up_array(cents, 2)
    assert cents.tolist() == [150, -150]
