"""The KPI pages' pickers (GET): granularity, period, tier, channel manager, sort and the partner in focus.

Nothing a user types can break the page: an unknown granularity is a quarter, a period of another granularity
becomes the earliest shown period overlapping it (the first month of a quarter, the quarter of a month), and a
period without KPIs (unknown, too old, in the future) is the current one, with a notice saying so.
"""

from dataclasses import dataclass, field

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from knowledge.display import period_label, period_span
from knowledge.models import Granularity
from knowledge.periods import FISCAL_YEAR, MONTH, QUARTER, Period, period_from_key
from knowledge.selectors import shown_periods
from partners.models import Tier, Vendor

TREND_LENGTH = 6
UNASSIGNED_MANAGER = "none"
SORTS = {
    "expected_value": gettext_lazy("Expected value index, lowest first"),
    "proposals": gettext_lazy("Proposals index, lowest first"),
    "win_rate": gettext_lazy("Win rate index, lowest first"),
    "unit_price": gettext_lazy("Unit price index, lowest first"),
    "name": gettext_lazy("Name"),
}
DEFAULT_SORT = "expected_value"


@dataclass
class KpiQuery:
    granularity: str
    period: Period
    # The picker's periods (newest first) and the trend's (oldest first, ending with ``period``).
    choices: list[Period]
    trend: list[Period]
    notices: list[str] = field(default_factory=list)
    tier: str = ""
    manager: str = ""
    sort: str = DEFAULT_SORT
    focus: str = ""

    @property
    def label(self) -> str:
        return period_label(self.period)

    @property
    def span(self) -> str:
        return period_span(self.period)

    @property
    def granularity_choices(self):
        return Granularity.choices

    @property
    def period_choices(self) -> list[tuple[str, str]]:
        return [(period.key, period_label(period)) for period in self.choices]

    @property
    def trend_labels(self) -> list[tuple[Period, str]]:
        return [(period, period_label(period)) for period in self.trend]

    @property
    def trend_keys(self) -> list[str]:
        return [period.key for period in self.trend]


def _period(vendor: Vendor, granularity: str, key: str, choices: list[Period]) -> tuple[Period, str | None]:
    current = choices[0]
    if not key:
        return current, None
    try:
        asked = period_from_key(key, vendor.fiscal_year_start_month)
    except ValueError:
        asked = None
    if asked is not None:
        if asked.granularity != granularity:
            # Switching granularity keeps the time: the current period if the one asked holds today, else the
            # period holding the first day of the one asked.
            overlapping = [
                period for period in choices if period.start < asked.end and asked.start < period.end
            ]
            if current in overlapping:
                return current, None
            if overlapping:
                return min(overlapping, key=lambda period: period.start), None
        for period in choices:
            if period.key == asked.key:
                return period, None
    notice = _("There are no KPIs for the period “%(asked)s”; showing the current period, %(current)s.") % {
        "asked": key[:20],
        "current": period_label(current),
    }
    return current, notice


def kpi_query(vendor: Vendor, params, *, managers: set[str] = frozenset(), tiers: set[str] = frozenset()):
    """Read the pickers from ``params`` (request.GET). ``managers`` and ``tiers`` are the values the filters may
    take (others are ignored, as if left empty)."""
    notices = []
    granularity = params.get("granularity") or QUARTER
    if granularity not in (MONTH, QUARTER, FISCAL_YEAR):
        notices.append(_("Unknown granularity; showing fiscal quarters."))
        granularity = QUARTER
    choices = shown_periods(vendor, granularity)
    period, notice = _period(vendor, granularity, params.get("period", "").strip(), choices)
    if notice:
        notices.append(notice)
    position = choices.index(period)
    trend = list(reversed(choices[position : position + TREND_LENGTH]))
    tier = params.get("tier", "")
    manager = params.get("channel_manager", "")
    sort = params.get("sort", "")
    return KpiQuery(
        granularity=granularity,
        period=period,
        choices=choices,
        trend=trend,
        notices=notices,
        tier=tier if tier in tiers and tier in Tier.values else "",
        manager=manager if manager in managers or manager == UNASSIGNED_MANAGER else "",
        sort=sort if sort in SORTS else DEFAULT_SORT,
        focus=params.get("partner", "")[:20],
    )
