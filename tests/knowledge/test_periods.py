"""Period keys and ranges (DESIGN §6, contract): months, fiscal quarters, fiscal years in the vendor's zone."""

from datetime import UTC, date, datetime
from itertools import pairwise

import pytest

from knowledge.periods import (
    Period,
    aware_bounds,
    granularity_of,
    last_periods,
    period_from_key,
    period_key,
    period_of,
    period_range,
    periods_between,
)


@pytest.mark.parametrize(
    ("day", "granularity", "key"),
    [
        (date(2026, 4, 1), "month", "2026-04"),
        (date(2026, 12, 31), "month", "2026-12"),
        (date(2026, 4, 1), "quarter", "FY2026-Q1"),
        (date(2026, 6, 30), "quarter", "FY2026-Q1"),
        (date(2026, 7, 1), "quarter", "FY2026-Q2"),
        (date(2026, 12, 31), "quarter", "FY2026-Q3"),
        (date(2027, 1, 1), "quarter", "FY2026-Q4"),
        (date(2026, 3, 31), "quarter", "FY2025-Q4"),
        (date(2026, 3, 31), "fiscal_year", "FY2025"),
        (date(2026, 4, 1), "fiscal_year", "FY2026"),
        (date(2027, 3, 31), "fiscal_year", "FY2026"),
    ],
)
def test_keys_with_an_april_start(day, granularity, key):
    assert period_key(day, granularity) == key
    assert period_key(day, granularity, 4) == key


def test_ranges_with_an_april_start():
    assert period_range("2026-04") == (date(2026, 4, 1), date(2026, 5, 1))
    assert period_range("2026-12") == (date(2026, 12, 1), date(2027, 1, 1))
    assert period_range("FY2026-Q1") == (date(2026, 4, 1), date(2026, 7, 1))
    assert period_range("FY2026-Q4") == (date(2027, 1, 1), date(2027, 4, 1))
    assert period_range("FY2026") == (date(2026, 4, 1), date(2027, 4, 1))
    assert period_from_key("FY2026-Q2") == Period("quarter", "FY2026-Q2", date(2026, 7, 1), date(2026, 10, 1))
    assert granularity_of("2026-04") == "month"
    assert granularity_of("FY2026-Q3") == "quarter"
    assert granularity_of("FY2026") == "fiscal_year"


def test_a_january_start_is_the_calendar_year():
    assert period_range("FY2026", 1) == (date(2026, 1, 1), date(2027, 1, 1))
    assert period_range("FY2026-Q1", 1) == (date(2026, 1, 1), date(2026, 4, 1))
    assert period_key(date(2026, 12, 31), "quarter", 1) == "FY2026-Q4"
    assert period_key(date(2026, 1, 1), "fiscal_year", 1) == "FY2026"
    assert period_key(date(2025, 12, 31), "fiscal_year", 1) == "FY2025"


def test_an_october_start():
    assert period_range("FY2026", 10) == (date(2026, 10, 1), date(2027, 10, 1))
    assert period_range("FY2026-Q2", 10) == (date(2027, 1, 1), date(2027, 4, 1))
    assert period_range("FY2026-Q4", 10) == (date(2027, 7, 1), date(2027, 10, 1))
    assert period_key(date(2026, 9, 30), "fiscal_year", 10) == "FY2025"
    assert period_key(date(2026, 9, 30), "quarter", 10) == "FY2025-Q4"
    assert period_key(date(2026, 10, 1), "quarter", 10) == "FY2026-Q1"
    assert period_key(date(2027, 2, 15), "quarter", 10) == "FY2026-Q2"


@pytest.mark.parametrize("start_month", range(1, 13))
def test_every_start_month_tiles_the_year(start_month):
    """Every day of two years falls in exactly one quarter and one fiscal year, whose keys round-trip."""
    for granularity in ("month", "quarter", "fiscal_year"):
        periods = periods_between(date(2025, 1, 1), date(2026, 12, 31), granularity, start_month)
        for before, after in pairwise(periods):
            assert before.end == after.start
        for period in periods:
            assert period_from_key(period.key, start_month) == period
            assert period_of(period.start, granularity, start_month) == period
        assert periods[0].start <= date(2025, 1, 1) and periods[-1].end > date(2026, 12, 31)
    quarters = periods_between(date(2026, 1, 1), date(2026, 12, 31), "quarter", start_month)
    assert {p.key[-2:] for p in quarters} == {"Q1", "Q2", "Q3", "Q4"}


def test_last_periods_end_with_the_current_one():
    months = last_periods(date(2026, 2, 10), "month", 3)
    assert [p.key for p in months] == ["2025-12", "2026-01", "2026-02"]
    assert [p.key for p in last_periods(date(2026, 4, 1), "quarter", 5)] == [
        "FY2025-Q1",
        "FY2025-Q2",
        "FY2025-Q3",
        "FY2025-Q4",
        "FY2026-Q1",
    ]
    assert [p.key for p in last_periods(date(2026, 3, 31), "fiscal_year", 2, 10)] == ["FY2024", "FY2025"]
    assert last_periods(date(2026, 3, 31), "month", 1) == [period_from_key("2026-03")]


def test_aware_bounds_are_local_midnights():
    start, end = aware_bounds(period_from_key("FY2026-Q1"), "Asia/Tokyo")
    assert start == datetime(2026, 3, 31, 15, 0, tzinfo=UTC)
    assert end == datetime(2026, 6, 30, 15, 0, tzinfo=UTC)
    # 2026-03-31T15:30Z is 00:30 on 1 April in Tokyo: inside FY2026-Q1.
    assert start <= datetime(2026, 3, 31, 15, 30, tzinfo=UTC) < end


@pytest.mark.parametrize("key", ["2026-13", "2026-4", "FY2026-Q5", "FY26", "fy2026", "2026", "", "FY2026-Q0"])
def test_bad_keys_are_refused(key):
    with pytest.raises(ValueError, match="Not a period key"):
        period_from_key(key)


def test_bad_arguments_are_refused():
    with pytest.raises(ValueError, match="granularity"):
        period_key(date(2026, 4, 1), "week")
    with pytest.raises(ValueError, match="start month"):
        period_key(date(2026, 4, 1), "quarter", 13)
