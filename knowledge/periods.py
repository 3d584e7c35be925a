"""KPI periods: months, fiscal quarters and fiscal years of a vendor (DESIGN §6).

Period keys are contract: month ``2026-04``, fiscal quarter ``FY2026-Q1``, fiscal year ``FY2026``. A fiscal year is
named by the calendar year it starts in, so with an April start FY2026 runs 2026-04-01 … 2027-03-31 and with an
October start 2026-10-01 … 2027-09-30. Ranges are half-open ``[start, end)`` in local dates; ``aware_bounds``
turns them into aware datetimes in the vendor's time zone for datetime fields.
"""

import re
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

MONTH = "month"
QUARTER = "quarter"
FISCAL_YEAR = "fiscal_year"
GRANULARITIES = (MONTH, QUARTER, FISCAL_YEAR)

_MONTH_KEY = re.compile(r"^(\d{4})-(\d{2})$")
_QUARTER_KEY = re.compile(r"^FY(\d{4})-Q([1-4])$")
_YEAR_KEY = re.compile(r"^FY(\d{4})$")


@dataclass(frozen=True)
class Period:
    granularity: str
    key: str
    start: date  # first day
    end: date  # the day after the last day

    def contains(self, day: date) -> bool:
        return self.start <= day < self.end


def _check(granularity: str, start_month: int) -> None:
    if granularity not in GRANULARITIES:
        raise ValueError(f"Unknown granularity {granularity!r}.")
    if not 1 <= start_month <= 12:
        raise ValueError(f"Fiscal year start month must be 1–12, not {start_month!r}.")


def add_months(day: date, months: int) -> date:
    """The first day of the month ``months`` after ``day``'s month."""
    index = day.year * 12 + day.month - 1 + months
    return date(index // 12, index % 12 + 1, 1)


def fiscal_year_of(day: date, start_month: int = 4) -> int:
    return day.year if day.month >= start_month else day.year - 1


def period_of(day: date, granularity: str, start_month: int = 4) -> Period:
    """The period of ``granularity`` that contains ``day``."""
    _check(granularity, start_month)
    if granularity == MONTH:
        start = day.replace(day=1)
        return Period(MONTH, f"{day.year:04d}-{day.month:02d}", start, add_months(start, 1))
    fiscal_year = fiscal_year_of(day, start_month)
    year_start = date(fiscal_year, start_month, 1)
    if granularity == FISCAL_YEAR:
        return Period(FISCAL_YEAR, f"FY{fiscal_year:04d}", year_start, add_months(year_start, 12))
    quarter = (day.month - start_month) % 12 // 3 + 1
    start = add_months(year_start, 3 * (quarter - 1))
    return Period(QUARTER, f"FY{fiscal_year:04d}-Q{quarter}", start, add_months(start, 3))


def period_key(day: date, granularity: str, start_month: int = 4) -> str:
    return period_of(day, granularity, start_month).key


def period_from_key(key: str, start_month: int = 4) -> Period:
    """The period a key names; its granularity follows from the key's form. ``ValueError`` for anything else."""
    _check(MONTH, start_month)
    if match := _MONTH_KEY.match(key):
        year, month = int(match[1]), int(match[2])
        if 1 <= month <= 12 and year >= 1:
            return period_of(date(year, month, 1), MONTH, start_month)
    elif (match := _QUARTER_KEY.match(key)) and int(match[1]) >= 1:
        start = add_months(date(int(match[1]), start_month, 1), 3 * (int(match[2]) - 1))
        return period_of(start, QUARTER, start_month)
    elif (match := _YEAR_KEY.match(key)) and int(match[1]) >= 1:
        return period_of(date(int(match[1]), start_month, 1), FISCAL_YEAR, start_month)
    raise ValueError(f"Not a period key: {key!r}.")


def period_range(key: str, start_month: int = 4) -> tuple[date, date]:
    """``[start, end)`` of the period ``key``."""
    period = period_from_key(key, start_month)
    return period.start, period.end


def granularity_of(key: str) -> str:
    return period_from_key(key).granularity


def last_periods(day: date, granularity: str, count: int, start_month: int = 4) -> list[Period]:
    """The ``count`` periods ending with the one that contains ``day``, oldest first."""
    periods = [period_of(day, granularity, start_month)]
    while len(periods) < count:
        periods.append(period_of(periods[-1].start - timedelta(days=1), granularity, start_month))
    return periods[::-1]


def periods_between(first: date, last: date, granularity: str, start_month: int = 4) -> list[Period]:
    """Every period that overlaps the days ``first`` … ``last`` (inclusive), oldest first."""
    periods = [period_of(first, granularity, start_month)]
    while periods[-1].end <= last:
        periods.append(period_of(periods[-1].end, granularity, start_month))
    return periods


def aware_bounds(period: Period, time_zone: str) -> tuple[datetime, datetime]:
    """The period as aware datetimes ``[start, end)``: local midnights in ``time_zone``."""
    zone = ZoneInfo(time_zone)
    return datetime.combine(period.start, time.min, zone), datetime.combine(period.end, time.min, zone)
