"""KPI table lines: a partner, tier, channel manager or benchmark row with its decomposition and history, formatted
for the reader; and the snapshot reads the KPI pages share (one query each, whatever the number of partners)."""

from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Count, Q
from django.utils.translation import gettext as _

from knowledge.decomposition import (
    Decomposition,
    Figures,
    WeakSince,
    decompose,
    figures_of,
    weak_runs,
    weak_since,
)
from knowledge.display import DASH, number, percent, period_label, yen
from knowledge.models import KpiSnapshot
from knowledge.periods import Period
from knowledge.selectors import latest_snapshots
from partners.models import Vendor


def since_text(since: WeakSince | None) -> str:
    if since is None:
        return ""
    period = period_label(since.period)
    if since.or_earlier:
        return _("since %(period)s or earlier") % {"period": period}
    return _("since %(period)s") % {"period": period}


@dataclass(frozen=True)
class HistoryPoint:
    period: Period
    row: KpiSnapshot | None
    figures: Figures | None
    decomposition: Decomposition | None

    @property
    def label(self) -> str:
        return period_label(self.period)


@dataclass
class KpiLine:
    """One row of a KPI table. ``row`` holds the group's totals; ``figures`` its factors per partner, which the
    decomposition compares with the benchmark (for a partner line they are the same)."""

    key: str
    label: str
    row: KpiSnapshot | None
    figures: Figures | None
    decomposition: Decomposition
    partners: int = 1
    tier: str = ""
    tier_label: str = ""
    manager: str = ""
    history: list[HistoryPoint] = field(default_factory=list)

    @property
    def _points(self):
        return [(point.period, point.decomposition) for point in self.history]

    @property
    def weak_since(self) -> WeakSince | None:
        """Since when the weakest factor has been weak (None when it is not weak or there is no history)."""
        return weak_since(self._points)

    @property
    def weak_since_text(self) -> str:
        return since_text(self.weak_since)

    @property
    def weak_runs(self) -> list[dict]:
        """Every weak factor with since when, weakest first, for the "since when" table."""
        return [{"factor": run.factor, "text": since_text(run)} for run in weak_runs(self._points)]

    # Figures as the tables show them.
    @property
    def proposals(self) -> str:
        return number(self.row.proposals) if self.row else DASH

    @property
    def proposals_per_partner(self) -> str:
        return number(self.figures.proposals, 1) if self.figures else DASH

    @property
    def won(self) -> int:
        return self.row.won if self.row else 0

    @property
    def lost(self) -> int:
        return self.row.lost if self.row else 0

    @property
    def won_per_partner(self) -> str:
        return number(Decimal(self.won) / self.partners, 1) if self.row and self.partners else DASH

    @property
    def lost_per_partner(self) -> str:
        return number(Decimal(self.lost) / self.partners, 1) if self.row and self.partners else DASH

    @property
    def win_rate(self) -> str:
        return percent(self.row.win_rate) if self.row else DASH

    @property
    def unit_price(self) -> str:
        return yen(self.row.avg_unit_price) if self.row else DASH

    @property
    def expected_value(self) -> str:
        return yen(self.row.expected_value) if self.row else DASH

    @property
    def expected_value_per_partner(self) -> str:
        return yen(self.figures.expected_value) if self.figures else DASH

    @property
    def won_amount(self) -> str:
        return yen(self.row.won_amount) if self.row else DASH

    @property
    def open_pipeline_amount(self) -> str:
        return yen(self.row.open_pipeline_amount) if self.row else DASH

    @property
    def won_amount_per_partner(self) -> str:
        return yen(self.figures.won_amount) if self.figures else DASH

    @property
    def open_pipeline_per_partner(self) -> str:
        return yen(self.figures.open_pipeline_amount) if self.figures else DASH

    @property
    def quality(self) -> str:
        return number(self.row.avg_quality) if self.row else DASH

    @property
    def visibility(self) -> str:
        return number(self.row.avg_visibility) if self.row else DASH

    @property
    def unknown_note(self) -> str:
        """Why a factor is unknown: nothing closed in the period, or nothing won."""
        if self.row is None:
            return _("No KPIs computed for this period.")
        if self.row.won + self.row.lost == 0:
            return _("No deal closed in this period: win rate and unit price are unknown.")
        if self.row.won == 0:
            return _("No deal won in this period: unit price is unknown.")
        return ""


def rows_by_period(rows) -> dict[str, KpiSnapshot]:
    return {row.period: row for row in rows}


def rows_by_group(rows) -> dict[str, dict[str, KpiSnapshot]]:
    """{group key: {period: row}}."""
    grouped: dict[str, dict[str, KpiSnapshot]] = defaultdict(dict)
    for row in rows:
        grouped[row.group_key][row.period] = row
    return grouped


def group_rows(vendor: Vendor, granularity: str, periods: list[str], group_type: str, keys=None):
    """The newest snapshot rows of ``group_type`` for ``periods`` (one query)."""
    return list(
        latest_snapshots(
            vendor=vendor, granularity=granularity, periods=periods, group_type=group_type, group_keys=keys
        )
    )


# A row with deals in its period: one registered, proposed, won or lost. A partner without any does not count in
# per-partner averages (a new or idle partner would otherwise lower every benchmark).
WITH_DEALS = Q(proposals__gt=0) | Q(won__gt=0) | Q(lost__gt=0) | ~Q(status_distribution={})


def has_deals(row) -> bool:
    return bool(row.proposals or row.won or row.lost or row.status_distribution)


def group_counts(vendor: Vendor, granularity: str, periods: list[str], group_type: str) -> dict[str, int]:
    """How many rows of ``group_type`` with deals each period has (one query): the partners a vendor row
    averages over."""
    counted = (
        latest_snapshots(vendor=vendor, granularity=granularity, periods=periods, group_type=group_type)
        .filter(WITH_DEALS)
        .order_by()
        .values("period")
        .annotate(n=Count("pk"))
    )
    return {item["period"]: item["n"] for item in counted}


def history_of(
    rows: dict[str, KpiSnapshot],
    trend: list[Period],
    benchmarks: dict[str, Figures | None],
    partners: int = 1,
) -> list[HistoryPoint]:
    """The group's figures and decomposition in each trend period (``rows`` by period key)."""
    points = []
    for period in trend:
        row = rows.get(period.key)
        figures = figures_of(row, partners)
        base = benchmarks.get(period.key)
        points.append(HistoryPoint(period, row, figures, decompose(figures, base) if row and base else None))
    return points
