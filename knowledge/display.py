"""How KPI figures and periods read on the pages: numbers in the reader's format, yen, percentages, period names."""

from datetime import timedelta
from decimal import ROUND_HALF_UP, Decimal

from django.utils import formats
from django.utils.translation import gettext as _

from knowledge.periods import MONTH, QUARTER, Period

DASH = "—"


def number(value, places: int = 0) -> str:
    """1,234 or 9.5 (rounded half up) in the reader's format; a dash for unknown."""
    if value is None:
        return DASH
    rounded = Decimal(value).quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)
    return formats.number_format(rounded, places, use_l10n=True, force_grouping=True)


def yen(amount) -> str:
    """¥1,234,567 (whole yen); a dash for unknown."""
    return DASH if amount is None else f"¥{number(amount)}"


def percent(rate) -> str:
    """A 0–1 rate as 55.6%; a dash for unknown."""
    return DASH if rate is None else f"{number(Decimal(rate) * 100, 1)}%"


def period_label(period: Period) -> str:
    """ "October 2026" / "2026年10月", "FY2026 Q3", "FY2026" in the reader's language."""
    if period.granularity == MONTH:
        return formats.date_format(period.start, "YEAR_MONTH_FORMAT")
    year = int(period.key[2:6])
    if period.granularity == QUARTER:
        return _("FY%(year)d Q%(quarter)d") % {"year": year, "quarter": int(period.key[-1])}
    return _("FY%(year)d") % {"year": year}


def period_span(period: Period) -> str:
    """The period's first and last day, in the reader's short date format."""
    first = formats.date_format(period.start, "SHORT_DATE_FORMAT")
    last = formats.date_format(period.end - timedelta(days=1), "SHORT_DATE_FORMAT")
    return f"{first} – {last}"
