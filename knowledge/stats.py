"""Statistics for comparing win rates of small groups of deals honestly (DESIGN §6, loss factors).

Win rates here come from tens of deals, not thousands, so every rate travels with an interval that says how
little is known, and every comparison with an exact test rather than a normal approximation:

- :func:`wilson_interval`: Wilson score interval of one proportion;
- :func:`difference_interval`: Newcombe's hybrid score interval of the difference of two proportions;
- :func:`lift`: ratio of two rates;
- :func:`fisher_p`: Fisher's exact test, two-sided, of a 2 × 2 table;
- :func:`quartiles`: median and quartiles of a list of numbers.

Functions answer ``None`` where the quantity is undefined (no deals, division by zero) instead of guessing.
"""

import math
from statistics import quantiles

# Two-sided 95%: the 97.5th percentile of the standard normal distribution.
Z_95 = 1.959963984540054


def rate(successes: int, n: int) -> float | None:
    """``successes / n``, or None when there are no trials."""
    return successes / n if n else None


def wilson_interval(successes: int, n: int, z: float = Z_95) -> tuple[float | None, float | None]:
    """Wilson score interval of the proportion ``p̂ = successes / n``:

        centre = (p̂ + z²/2n) / (1 + z²/n)
        half   = z / (1 + z²/n) · √(p̂(1 − p̂)/n + z²/4n²)
        [centre − half, centre + half]

    Unlike the Wald interval ``p̂ ± z√(p̂(1−p̂)/n)`` it stays inside [0, 1] and does not collapse to a point at
    0/n or n/n. Example: 9 of 12 → [0.468, 0.911]; 3 of 11 → [0.098, 0.566]. ``(None, None)`` when n = 0.
    """
    if not n:
        return None, None
    if not 0 <= successes <= n:
        raise ValueError(f"{successes} successes out of {n} trials")
    p = successes / n
    z2 = z * z
    denominator = 1 + z2 / n
    centre = (p + z2 / (2 * n)) / denominator
    half = z / denominator * math.sqrt(p * (1 - p) / n + z2 / (4 * n * n))
    # Rounding can leave the exact bounds (0 at 0/n, 1 at n/n) a hair outside [0, 1].
    return max(0.0, centre - half), min(1.0, centre + half)


def difference_interval(
    successes_a: int, n_a: int, successes_b: int, n_b: int, z: float = Z_95
) -> tuple[float | None, float | None, float | None]:
    """The difference ``d = p̂a − p̂b`` with Newcombe's hybrid score interval (his method 10, 1998).

    With (la, ua) and (lb, ub) the Wilson intervals of each proportion:

        lower = d − √((p̂a − la)² + (ub − p̂b)²)
        upper = d + √((ua − p̂a)² + (p̂b − lb)²)

    It keeps good coverage for small groups and rates near 0 or 1, where the Wald interval of a difference
    fails. Example: 9/12 vs 3/11 → d = 0.477, [0.070, 0.715]; Newcombe's own
    56/70 vs 48/80 → 0.200, [0.052, 0.334]. ``(None, None, None)`` when a group is empty.
    """
    if not n_a or not n_b:
        return None, None, None
    p_a, p_b = successes_a / n_a, successes_b / n_b
    low_a, high_a = wilson_interval(successes_a, n_a, z)
    low_b, high_b = wilson_interval(successes_b, n_b, z)
    difference = p_a - p_b
    lower = difference - math.sqrt((p_a - low_a) ** 2 + (high_b - p_b) ** 2)
    upper = difference + math.sqrt((high_a - p_a) ** 2 + (p_b - low_b) ** 2)
    return difference, max(-1.0, lower), min(1.0, upper)


def lift(successes_a: int, n_a: int, successes_b: int, n_b: int) -> float | None:
    """How many times group a's rate is group b's: ``p̂a / p̂b`` (9/12 vs 3/11 → 2.75).

    None when a group is empty or b never succeeded (the ratio is unbounded; the difference still says how
    far apart they are).
    """
    p_a, p_b = rate(successes_a, n_a), rate(successes_b, n_b)
    if p_a is None or not p_b:
        return None
    return p_a / p_b


def fisher_p(successes_a: int, failures_a: int, successes_b: int, failures_b: int) -> float | None:
    """Two-sided p-value of Fisher's exact test on the table ``[[sa, fa], [sb, fb]]``.

    With the margins fixed, the count in the first cell is hypergeometric; p is the total probability of every
    table with those margins that is no more likely than the one observed. Exact at any sample size, so it is
    the test for groups of ten or twenty deals. Example: [[9, 3], [3, 8]] → p = 0.039. None when a group is
    empty.
    """
    if not successes_a + failures_a or not successes_b + failures_b:
        return None
    from scipy.stats import fisher_exact  # ~70 MB: loaded by the processes that test, not by every one

    result = fisher_exact([[successes_a, failures_a], [successes_b, failures_b]], alternative="two-sided")
    return min(1.0, float(result.pvalue))


def quartiles(values: list[float]) -> tuple[float, float, float] | None:
    """(first quartile, median, third quartile), interpolated linearly between the sorted values (the
    "inclusive" method, as spreadsheets' QUARTILE.INC). One value is its own quartiles; None for none."""
    if not values:
        return None
    if len(values) == 1:
        return float(values[0]), float(values[0]), float(values[0])
    q1, median, q3 = quantiles(values, n=4, method="inclusive")
    return float(q1), float(median), float(q3)
