"""Which factor explains a gap in expected value (DESIGN §6).

Expected value = proposals × win rate × average unit price, so a partner's expected value divided by a benchmark's
is the product of three factor indices (the partner's factor ÷ the benchmark's), and its logarithm the sum of the
three logarithms. The factor with the lowest index explains most of a shortfall: that is the "weakest factor".

Benchmarks are "per partner": a group row (the vendor, a tier) divided by its number of partners for the counts
and amounts, its win rate and unit price as they are. Unknown factors (no closed deal → no win rate; none won →
no unit price) stay unknown: they are never compared, and never divided by.
"""

import math
from dataclasses import dataclass
from decimal import Decimal

from django.utils import formats
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from knowledge.models import KpiSnapshot

# A factor below 0.8 × the benchmark is weak, from 1.25 × strong (the same distance on the log scale).
WEAK_BELOW = 0.8
STRONG_FROM = 1.25
# Charts draw ln(index) clipped to ×0.1 … ×10 (an index of 0 has no logarithm).
CHART_LIMIT = math.log(10)


@dataclass(frozen=True)
class Factor:
    code: str
    label: str | Promise


PROPOSALS = Factor("proposals", _("Proposals"))
WIN_RATE = Factor("win_rate", _("Win rate"))
UNIT_PRICE = Factor("unit_price", _("Unit price"))
EXPECTED_VALUE = Factor("expected_value", _("Expected value"))
FACTORS = (PROPOSALS, WIN_RATE, UNIT_PRICE)


@dataclass(frozen=True)
class Figures:
    """The factors of one partner, or per partner of a group (vendor, tier, channel manager)."""

    proposals: Decimal | None
    win_rate: Decimal | None
    unit_price: Decimal | None
    expected_value: Decimal | None
    won_amount: Decimal | None = None
    open_pipeline_amount: Decimal | None = None

    def of(self, factor: Factor) -> Decimal | None:
        return getattr(self, factor.code)


def figures_of(row: KpiSnapshot | None, partners: int = 1) -> Figures | None:
    """The row's factors, counts and amounts divided by ``partners`` (None without a row or partners)."""
    if row is None or partners <= 0:
        return None
    n = Decimal(partners)

    def per_partner(value):
        return None if value is None else Decimal(value) / n

    return Figures(
        proposals=per_partner(row.proposals),
        win_rate=row.win_rate,
        unit_price=row.avg_unit_price,
        expected_value=per_partner(row.expected_value),
        won_amount=per_partner(row.won_amount),
        open_pipeline_amount=per_partner(row.open_pipeline_amount),
    )


@dataclass(frozen=True)
class FactorIndex:
    """One factor of a row against the benchmark's: ``index`` = value ÷ base, None when either is unknown."""

    factor: Factor
    index: float | None

    @property
    def known(self) -> bool:
        return self.index is not None

    @property
    def level(self) -> str:
        """CSS modifier: ``weak``, ``strong``, ``even`` or ``unknown``."""
        if self.index is None:
            return "unknown"
        if self.index < WEAK_BELOW:
            return "weak"
        if self.index >= STRONG_FROM:
            return "strong"
        return "even"

    @property
    def weak(self) -> bool:
        return self.level == "weak"

    @property
    def text(self) -> str:
        """×0.55 in the reader's number format; a dash when unknown."""
        if self.index is None:
            return "—"
        return "×" + formats.number_format(round(self.index, 2), 2, use_l10n=True, force_grouping=True)

    @property
    def chart_value(self) -> float | None:
        """ln(index) clipped to ±ln 10, for the charts' log-ratio axis."""
        if self.index is None:
            return None
        if self.index <= 0:
            return -CHART_LIMIT
        return max(-CHART_LIMIT, min(CHART_LIMIT, math.log(self.index)))


def _ratio(value: Decimal | None, base: Decimal | None) -> float | None:
    if value is None or base is None or base <= 0:
        return None
    return float(Decimal(value) / Decimal(base))


@dataclass(frozen=True)
class Decomposition:
    """A row's three factor indices against a benchmark and their product, the expected-value index."""

    factors: tuple[FactorIndex, ...]
    expected_value: FactorIndex

    @property
    def weakest(self) -> FactorIndex | None:
        """The known factor with the lowest index, when it is below the benchmark (ties: the first factor)."""
        known = [item for item in self.factors if item.known]
        if not known:
            return None
        lowest = min(known, key=lambda item: item.index)
        return lowest if lowest.index < 1 else None

    def of(self, code: str) -> FactorIndex:
        return next(item for item in (*self.factors, self.expected_value) if item.factor.code == code)

    @property
    def unknown(self) -> list[Factor]:
        return [item.factor for item in self.factors if not item.known]


def decompose(figures: Figures | None, base: Figures | None) -> Decomposition:
    """Each factor's index against ``base``; the expected-value index is their product. A zero factor makes the
    product zero even when another factor is unknown (nothing proposed or nothing won earns nothing)."""
    indices = tuple(
        FactorIndex(factor, _ratio(figures.of(factor), base.of(factor)) if figures and base else None)
        for factor in FACTORS
    )
    values = [item.index for item in indices]
    if all(value is not None for value in values):
        product = math.prod(values)
    elif any(value == 0 for value in values):
        product = 0.0
    else:
        product = None
    return Decomposition(indices, FactorIndex(EXPECTED_VALUE, product))


@dataclass(frozen=True)
class WeakSince:
    """Since which period the currently weakest factor has been weak without a break."""

    factor: Factor
    period: object  # knowledge.periods.Period
    or_earlier: bool  # weak through every period shown, so maybe longer


def _run_start(history: list[tuple[object, Decomposition | None]], code: str) -> WeakSince | None:
    """The unbroken run of periods, ending with the last one, in which factor ``code`` was weak."""
    if not history or history[-1][1] is None or not history[-1][1].of(code).weak:
        return None
    start = len(history) - 1
    while start > 0:
        earlier = history[start - 1][1]
        if earlier is None or not earlier.of(code).weak:
            break
        start -= 1
    factor = history[-1][1].of(code).factor
    return WeakSince(factor, history[start][0], or_earlier=start == 0)


def weak_since(history: list[tuple[object, Decomposition | None]]) -> WeakSince | None:
    """``history`` is (period, decomposition) oldest first, ending with the period shown. Since when the last
    period's weakest factor has been weak; None unless it is weak."""
    if not history or history[-1][1] is None or history[-1][1].weakest is None:
        return None
    return _run_start(history, history[-1][1].weakest.factor.code)


def weak_runs(history: list[tuple[object, Decomposition | None]]) -> list[WeakSince]:
    """Every factor weak in the last period with since when, the weakest first."""
    if not history or history[-1][1] is None:
        return []
    last = history[-1][1]
    weak = sorted((item for item in last.factors if item.weak), key=lambda item: item.index)
    return [_run_start(history, item.factor.code) for item in weak]
