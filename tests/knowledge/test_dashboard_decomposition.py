"""The decomposition behind the KPI dashboards: expected value = proposals × win rate × unit price, so its ratio to
a benchmark is the product of the three factor indices; the weakest factor, and since when it has been weak."""

import math
from decimal import Decimal

import pytest

from knowledge.decomposition import (
    CHART_LIMIT,
    Figures,
    decompose,
    figures_of,
    weak_runs,
    weak_since,
)
from knowledge.models import KpiSnapshot


def figures(proposals, win_rate, unit_price):
    ev = None
    if None not in (proposals, win_rate, unit_price):
        ev = Decimal(proposals) * Decimal(win_rate) * Decimal(unit_price)
    return Figures(
        proposals=None if proposals is None else Decimal(proposals),
        win_rate=None if win_rate is None else Decimal(win_rate),
        unit_price=None if unit_price is None else Decimal(unit_price),
        expected_value=ev,
    )


BASE = figures(10, "0.5", 1000)


def test_indices_multiply_to_the_expected_value_ratio():
    partner = figures(5, "0.75", 800)
    result = decompose(partner, BASE)
    indices = [item.index for item in result.factors]
    assert indices == pytest.approx([0.5, 1.5, 0.8])
    assert result.expected_value.index == pytest.approx(float(partner.expected_value / BASE.expected_value))
    # On the chart's log scale the three bars add up to the expected-value gap.
    assert sum(item.chart_value for item in result.factors) == pytest.approx(
        math.log(result.expected_value.index)
    )


def test_the_weakest_factor_is_the_lowest_index_below_the_benchmark():
    result = decompose(figures(5, "0.75", 800), BASE)
    assert result.weakest.factor.code == "proposals"
    assert result.weakest.text == "×0.50"
    assert result.weakest.weak
    assert result.of("unit_price").level == "even"  # ×0.80 is the edge of weak
    assert result.of("win_rate").level == "strong"


def test_no_weakest_factor_when_every_factor_is_at_or_above_the_benchmark():
    assert decompose(figures(10, "0.5", 1200), BASE).weakest is None


def test_a_factor_just_below_the_benchmark_is_weakest_but_not_weak():
    result = decompose(figures(9, "0.5", 1000), BASE)
    assert result.weakest.factor.code == "proposals"
    assert not result.weakest.weak


def test_no_closed_deal_leaves_win_rate_and_unit_price_unknown():
    result = decompose(figures(12, None, None), BASE)
    assert [item.known for item in result.factors] == [True, False, False]
    assert result.of("win_rate").text == "—"
    assert result.expected_value.index is None
    assert result.weakest is None  # proposals ×1.20 is the only known factor
    assert [factor.code for factor in result.unknown] == ["win_rate", "unit_price"]


def test_nothing_won_makes_the_expected_value_index_zero():
    result = decompose(figures(10, "0", None), BASE)
    assert result.of("win_rate").index == 0
    assert result.expected_value.index == 0
    assert result.weakest.factor.code == "win_rate"
    # ln 0 does not exist: the chart clips at ×0.1.
    assert result.of("win_rate").chart_value == -CHART_LIMIT


def test_a_benchmark_without_data_is_never_divided_by():
    empty_base = figures(0, None, None)
    result = decompose(figures(3, "0.5", 1000), empty_base)
    assert all(item.index is None for item in result.factors)
    assert result.weakest is None
    assert decompose(None, BASE).weakest is None


def test_huge_gaps_are_clipped_on_the_chart():
    result = decompose(figures(1000, "0.5", 1000), BASE)
    assert result.of("proposals").index == pytest.approx(100)
    assert result.of("proposals").chart_value == pytest.approx(CHART_LIMIT)


def test_group_figures_are_per_partner_except_rates():
    row = KpiSnapshot(
        proposals=30,
        won=6,
        lost=6,
        win_rate=Decimal("0.5"),
        avg_unit_price=Decimal("1000"),
        expected_value=Decimal("15000"),
        won_amount=6000,
        open_pipeline_amount=900,
    )
    per_partner = figures_of(row, 3)
    assert per_partner.proposals == 10
    assert per_partner.win_rate == Decimal("0.5")
    assert per_partner.unit_price == Decimal("1000")
    assert per_partner.expected_value == 5000
    assert per_partner.won_amount == 2000
    assert per_partner.open_pipeline_amount == 300
    assert figures_of(row, 0) is None
    assert figures_of(None, 3) is None


def history(*partners):
    return [
        (f"P{position}", None if p is None else decompose(p, BASE)) for position, p in enumerate(partners)
    ]


def test_weak_since_finds_the_start_of_the_unbroken_run():
    runs = history(
        figures(5, "0.5", 1000),  # proposals weak
        figures(10, "0.5", 1000),  # not weak: the run breaks here
        figures(6, "0.5", 1000),
        figures(4, "0.5", 1000),
    )
    since = weak_since(runs)
    assert since.factor.code == "proposals"
    assert since.period == "P2"
    assert not since.or_earlier


def test_weak_through_every_period_shown_may_be_longer():
    since = weak_since(history(figures(5, "0.5", 1000), figures(4, "0.5", 1000)))
    assert since.period == "P0"
    assert since.or_earlier


def test_a_period_without_kpis_breaks_the_run():
    since = weak_since(history(figures(5, "0.5", 1000), None, figures(4, "0.5", 1000)))
    assert since.period == "P2"


def test_not_weak_now_means_no_since():
    assert weak_since(history(figures(5, "0.5", 1000), figures(9, "0.5", 1000))) is None
    assert weak_since(history(figures(5, "0.5", 1000), None)) is None
    assert weak_since([]) is None


def test_every_weak_factor_has_its_own_run():
    runs = weak_runs(
        history(
            figures(10, "0.3", 1000),  # win rate weak
            figures(5, "0.3", 1000),  # proposals and win rate weak
            figures(6, "0.2", 1000),
        )
    )
    assert [(run.factor.code, run.period) for run in runs] == [("win_rate", "P0"), ("proposals", "P1")]
