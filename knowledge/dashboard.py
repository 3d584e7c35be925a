"""The vendor staff's KPI comparison (DESIGN §6): partners side by side against the vendor's per-partner benchmark,
which factor explains each partner's gap and since when, status distributions, tier and channel-manager roll-ups.

Reads are a fixed handful of queries whatever the number of partners or deals: the partner directory, the vendor
rows of the trend periods, the partner count of each period, the partner rows of the period shown, the trend rows
of the partners on the page, and the tier and channel-manager rows.
"""

from collections import Counter
from dataclasses import dataclass

from django.core.paginator import Paginator
from django.utils.translation import gettext as _

from knowledge import charts
from knowledge.decomposition import FACTORS, Figures, decompose, figures_of
from knowledge.display import number, percent, period_label, yen
from knowledge.forms import UNASSIGNED_MANAGER, KpiQuery, kpi_query
from knowledge.kpis import UNASSIGNED
from knowledge.lines import (
    HistoryPoint,
    KpiLine,
    group_counts,
    group_rows,
    has_deals,
    history_of,
    rows_by_group,
    rows_by_period,
)
from knowledge.models import GroupType
from knowledge.selectors import computed_as_of, group_label
from partners.models import PartnerCompany, Tier
from prm.tenancy import Access

PAGE_SIZE = 50


@dataclass(frozen=True)
class PartnerInfo:
    key: str
    name: str
    tier: str
    manager_key: str  # "" without a channel manager
    manager_name: str


def partner_directory(access: Access) -> dict[str, PartnerInfo]:
    """The vendor's partners now (one query): current names, tiers and channel managers for filters and labels."""
    partners = (
        PartnerCompany.objects.filter(vendor=access.vendor)
        .order_by("name", "pk")
        .values("pk", "name", "tier", "channel_manager_id", "channel_manager__name", "channel_manager__email")
    )
    return {
        str(p["pk"]): PartnerInfo(
            key=str(p["pk"]),
            name=p["name"],
            tier=p["tier"],
            manager_key=str(p["channel_manager_id"] or ""),
            manager_name=p["channel_manager__name"] or p["channel_manager__email"] or "",
        )
        for p in partners
    }


def _sort_key(code: str):
    def key(line: KpiLine):
        if code == "name":
            return (False, 0.0, line.label.casefold())
        index = line.decomposition.of(code).index
        return (index is None, index or 0.0, line.label.casefold())

    return key


class VendorKpis:
    """The comparison for one request: pickers read, benchmark and partner lines of the period built."""

    def __init__(self, access: Access, params):
        self.access = access
        self.vendor = access.vendor
        self.directory = partner_directory(access)
        self.managers = {
            info.manager_key: info.manager_name for info in self.directory.values() if info.manager_key
        }
        tiers = {info.tier for info in self.directory.values()}
        self.tiers = [(tier.value, tier.label) for tier in Tier if tier.value in tiers]
        self.query: KpiQuery = kpi_query(self.vendor, params, managers=set(self.managers), tiers=tiers)
        query = self.query
        self.vendor_rows = rows_by_period(
            group_rows(self.vendor, query.granularity, query.trend_keys, GroupType.VENDOR)
        )
        self.counts = group_counts(self.vendor, query.granularity, query.trend_keys, GroupType.PARTNER)
        self.benchmarks: dict[str, Figures | None] = {
            key: figures_of(self.vendor_rows.get(key), self.counts.get(key, 0)) for key in query.trend_keys
        }
        self.base = self.benchmarks[query.period.key]
        rows = group_rows(self.vendor, query.granularity, [query.period.key], GroupType.PARTNER)
        self.all_lines = [self._line(row) for row in rows if row.group_key in self.directory]
        self.lines = sorted(
            (line for line in self.all_lines if self._matches(line.key)), key=_sort_key(query.sort)
        )

    def _matches(self, key: str) -> bool:
        info = self.directory.get(key)
        if info is None:
            return False
        if self.query.tier and info.tier != self.query.tier:
            return False
        if self.query.manager == UNASSIGNED_MANAGER:
            return info.manager_key == ""
        return not self.query.manager or info.manager_key == self.query.manager

    def _line(self, row) -> KpiLine:
        info = self.directory[row.group_key]
        figures = figures_of(row)
        return KpiLine(
            key=row.group_key,
            label=info.name,
            row=row,
            figures=figures,
            decomposition=decompose(figures, self.base),
            tier=info.tier,
            tier_label=str(Tier(info.tier).label) if info.tier in Tier.values else info.tier,
            manager=info.manager_name or str(UNASSIGNED),
        )

    @property
    def computed_at(self):
        return computed_as_of(self.vendor, self.vendor_rows.get(self.query.period.key))

    @property
    def partner_count(self) -> int:
        return self.counts.get(self.query.period.key, 0)

    def attach_history(self, lines: list[KpiLine]) -> None:
        """Fill each line's trend over the trend periods (one query for all of them)."""
        if not lines:
            return
        query = self.query
        keys = {line.key for line in lines}
        rows = rows_by_group(
            group_rows(self.vendor, query.granularity, query.trend_keys, GroupType.PARTNER, keys=keys)
        )
        for line in lines:
            line.history = history_of(rows.get(line.key, {}), query.trend, self.benchmarks)

    def benchmark_line(self) -> KpiLine:
        line = KpiLine(
            key="",
            label=_("Vendor average per partner"),
            row=self.vendor_rows.get(self.query.period.key),
            figures=self.base,
            decomposition=decompose(self.base, self.base),
            partners=self.partner_count,
        )
        line.history = [
            HistoryPoint(period, self.vendor_rows.get(period.key), self.benchmarks.get(period.key), None)
            for period in self.query.trend
        ]
        return line

    def benchmark_history(self) -> list[dict]:
        """The benchmark of each trend period, formatted for its table."""
        points = []
        for period in self.query.trend:
            figures = self.benchmarks.get(period.key)
            points.append(
                {
                    "label": period_label(period),
                    "partners": self.counts.get(period.key, 0),
                    "proposals": number(figures.proposals, 1) if figures else "—",
                    "win_rate": percent(figures.win_rate) if figures else "—",
                    "unit_price": yen(figures.unit_price) if figures else "—",
                    "expected_value": yen(figures.expected_value) if figures else "—",
                }
            )
        return points

    def rollup(self, group_type: str) -> list[KpiLine]:
        """Tier or channel-manager lines of the period: per-partner factors against the benchmark, over the
        partners with deals in the period."""
        attribute = "tier" if group_type == GroupType.TIER else "manager_key"
        active = [self.directory[line.key] for line in self.all_lines if has_deals(line.row)]
        partners = Counter(getattr(info, attribute) for info in active)
        lines = []
        for row in group_rows(self.vendor, self.query.granularity, [self.query.period.key], group_type):
            n = partners.get(row.group_key, 0)
            figures = figures_of(row, n)
            lines.append(
                KpiLine(
                    key=row.group_key,
                    label=group_label(row),
                    row=row,
                    figures=figures,
                    decomposition=decompose(figures, self.base),
                    partners=n,
                )
            )
        if group_type == GroupType.TIER:
            order = {tier: position for position, tier in enumerate(Tier.values)}
            lines.sort(key=lambda line: order.get(line.key, len(order)))
        return lines

    def focus(self, shown: list[KpiLine]) -> KpiLine | None:
        """The partner whose trend the chart draws: the one asked for, else the weakest on the page among those
        with deals in the period (a partner without any has nothing to show over time)."""
        for line in self.lines:
            if line.key == self.query.focus:
                return line
        active = [line for line in shown if line.row.proposals or line.row.won or line.row.lost]
        if not (active or shown):
            return None
        return min(active or shown, key=_sort_key("expected_value"))


def vendor_comparison(access: Access, params) -> dict:
    """Everything the vendor staff's KPI page shows (see the module docstring for its queries)."""
    kpis = VendorKpis(access, params)
    page = Paginator(kpis.lines, PAGE_SIZE).get_page(params.get("page"))
    shown = list(page.object_list)
    focus = kpis.focus(shown)
    kpis.attach_history(shown + ([focus] if focus and focus not in shown else []))
    my_key = str(access.user.pk)
    phases = charts.status_phases(shown)
    status_rows = [(line.label, charts.status_counts(line, phases)) for line in shown]
    return {
        "kpis": kpis,
        "query": kpis.query,
        "benchmark": kpis.benchmark_line(),
        "benchmark_history": kpis.benchmark_history(),
        "factor_list": FACTORS,
        "lines": shown,
        "page_obj": page,
        "focus": focus,
        "tier_lines": kpis.rollup(GroupType.TIER),
        "manager_lines": kpis.rollup(GroupType.CHANNEL_MANAGER),
        "tier_choices": kpis.tiers,
        "manager_choices": sorted(kpis.managers.items(), key=lambda item: item[1]),
        "my_manager_key": my_key if my_key in kpis.managers else "",
        "computed_at": kpis.computed_at,
        "filtered": bool(kpis.query.tier or kpis.query.manager),
        "status_phases": phases,
        "status_rows": status_rows,
        "charts": {
            "decomposition": charts.decomposition_chart(shown),
            "status": charts.status_chart(
                [label for label, _counts in status_rows], [counts for _label, counts in status_rows], phases
            ),
            "trend": charts.trend_chart(focus.history) if focus else None,
        },
    }
