"""The statistics of the loss-factor analysis against values computed by hand and published tables."""

import math

import pytest

from knowledge import stats


def close(value, expected, tolerance=0.0005):
    return value is not None and math.isclose(value, expected, abs_tol=tolerance)


def test_wilson_interval_of_the_example_groups():
    # 9/12: p = .75, centre = (.75 + 1.9208/12) / (1 + 3.8415/12) = .6894, half = .2217.
    low, high = stats.wilson_interval(9, 12)
    assert close(low, 0.4677) and close(high, 0.9111)
    assert (round(low * 100), round(high * 100)) == (47, 91)
    low, high = stats.wilson_interval(3, 11)
    assert close(low, 0.0975) and close(high, 0.5656)
    assert (round(low * 100), round(high * 100)) == (10, 57)


def test_wilson_interval_at_the_edges_stays_inside_zero_and_one_and_is_not_a_point():
    low, high = stats.wilson_interval(0, 10)
    assert low == 0.0 and close(high, 0.2775)
    low, high = stats.wilson_interval(10, 10)
    assert close(low, 0.7225) and high == pytest.approx(1.0)
    assert stats.wilson_interval(0, 0) == (None, None)
    with pytest.raises(ValueError):
        stats.wilson_interval(5, 4)


def test_wilson_interval_narrows_as_the_group_grows():
    small = stats.wilson_interval(3, 4)
    large = stats.wilson_interval(300, 400)
    assert small[1] - small[0] > 3 * (large[1] - large[0])


def test_difference_interval_of_the_example():
    # d = .75 − .2727 = .4773; lower = d − √((.75 − .4677)² + (.5656 − .2727)²) = .0705,
    # upper = d + √((.9111 − .75)² + (.2727 − .0975)²) = .7153.
    difference, low, high = stats.difference_interval(9, 12, 3, 11)
    assert close(difference, 0.4773) and close(low, 0.0705) and close(high, 0.7153)


@pytest.mark.parametrize(
    ("a", "b", "expected"),
    [
        # Newcombe (1998), Statistics in Medicine 17:873–890, table II, method 10.
        ((56, 70), (48, 80), (0.0524, 0.3339)),
        ((9, 10), (3, 10), (0.1705, 0.8090)),
        ((6, 7), (2, 7), (0.0582, 0.8062)),
        ((5, 56), (0, 29), (-0.0381, 0.1926)),
    ],
)
def test_difference_interval_matches_newcombes_table(a, b, expected):
    _difference, low, high = stats.difference_interval(*a, *b)
    assert close(low, expected[0]) and close(high, expected[1])


def test_difference_interval_without_a_group_is_undefined():
    assert stats.difference_interval(3, 5, 0, 0) == (None, None, None)


def test_lift():
    assert stats.lift(9, 12, 3, 11) == pytest.approx(2.75)
    assert stats.lift(3, 11, 9, 12) == pytest.approx(1 / 2.75)
    assert stats.lift(5, 10, 0, 10) is None  # b never won: the ratio is unbounded
    assert stats.lift(0, 0, 3, 10) is None


def test_fisher_exact_p_of_the_example():
    # Hypergeometric over tables with margins 12/11 and 12 won: p = Σ P(tables no likelier than [[9,3],[3,8]]).
    assert close(stats.fisher_p(9, 3, 3, 8), 0.0391)


def test_fisher_exact_p_by_hand_on_a_small_table():
    # [[3, 0], [0, 3]]: margins 3/3, 3 won. P(k) = C(3,k)·C(3,3−k)/C(6,3): 1/20, 9/20, 9/20, 1/20.
    # The observed table (k = 3) and the equally unlikely k = 0: p = 2/20.
    assert close(stats.fisher_p(3, 0, 0, 3), 0.1)
    assert stats.fisher_p(2, 2, 2, 2) == pytest.approx(1.0)
    assert stats.fisher_p(0, 0, 2, 2) is None


def test_quartiles_interpolate_between_values():
    assert stats.quartiles([1, 2, 3, 4, 5]) == (2.0, 3.0, 4.0)
    assert stats.quartiles([10, 20]) == (12.5, 15.0, 17.5)
    assert stats.quartiles([7]) == (7.0, 7.0, 7.0)
    assert stats.quartiles([]) is None
