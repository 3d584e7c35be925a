"""A partner company's KPI scorecard (DESIGN §6) for its own users: its row against the average of the other
partners of its tier, the same decomposition the vendor sees, its status distribution and its trend.

Partner users see their company's rows and one aggregate only: the average of at least ``BENCHMARK_MIN_PARTNERS``
other partners of the tier with data (``knowledge.benchmark``), hidden when there are fewer (DESIGN §17).
A few queries whatever the number of partners or deals.
"""

from django.conf import settings
from django.utils.translation import gettext as _

from knowledge import charts
from knowledge.benchmark import peer_benchmarks
from knowledge.decomposition import FACTORS, decompose, figures_of
from knowledge.forms import kpi_query
from knowledge.lines import HistoryPoint, KpiLine, group_rows, history_of, rows_by_period
from knowledge.models import GroupType
from knowledge.selectors import computed_as_of
from partners.models import Tier
from prm.tenancy import Access


def factor_rows(line: KpiLine, average: KpiLine) -> list[dict]:
    """The factor table: each factor's value for the company and the tier average, and the index."""
    values = {
        "proposals": (line.proposals, average.proposals_per_partner),
        "win_rate": (line.win_rate, average.win_rate),
        "unit_price": (line.unit_price, average.unit_price),
        "expected_value": (line.expected_value, average.expected_value_per_partner),
    }
    items = [*line.decomposition.factors, line.decomposition.expected_value]
    return [
        {"item": item, "own": values[item.factor.code][0], "average": values[item.factor.code][1]}
        for item in items
    ]


def partner_scorecard(access: Access, params) -> dict:
    vendor, partner = access.vendor, access.partner
    query = kpi_query(vendor, params)
    keys, current = query.trend_keys, query.period.key
    own = rows_by_period(group_rows(vendor, query.granularity, keys, GroupType.PARTNER, keys=[partner.pk]))
    peers = peer_benchmarks(vendor, partner, query.granularity, keys)
    benchmarks = {key: figures_of(peers[key].row, peers[key].partners) for key in keys}
    benchmark = peers[current]
    base = benchmarks[current]
    tier_label = str(Tier(partner.tier).label) if partner.tier in Tier.values else partner.tier

    row = own.get(current)
    figures = figures_of(row)
    line = KpiLine(
        key=str(partner.pk),
        label=partner.name,
        row=row,
        figures=figures,
        decomposition=decompose(figures, base),
        tier=partner.tier,
        tier_label=tier_label,
    )
    line.history = history_of(own, query.trend, benchmarks)
    average = KpiLine(
        key=partner.tier,
        label=_("Average of the other partners in the %(tier)s tier") % {"tier": tier_label},
        row=benchmark.row,
        figures=base,
        decomposition=decompose(base, base),
        partners=benchmark.partners,
        tier=partner.tier,
        tier_label=tier_label,
    )
    average.history = [
        HistoryPoint(period, peers[period.key].row, benchmarks.get(period.key), None)
        for period in query.trend
    ]
    shown = [line] if benchmark.hidden else [line, average]
    phases = charts.status_phases(shown)
    status_rows = [(line.label, charts.status_counts(line, phases))]
    if not benchmark.hidden:
        status_rows.append(
            (average.label, charts.status_counts(average, phases, divide_by=max(benchmark.partners, 1)))
        )
    return {
        "query": query,
        "partner": partner,
        "line": line,
        "average": average,
        "benchmark_hidden": benchmark.hidden,
        "benchmark_minimum": settings.BENCHMARK_MIN_PARTNERS,
        "peers": benchmark.partners,
        "factor_rows": factor_rows(line, average),
        "factors": FACTORS,
        "trend": list(zip(line.history, average.history, strict=True)),
        "status_phases": phases,
        "status_rows": status_rows,
        "computed_at": computed_as_of(vendor, row),
        "charts": {
            # Without a tier average there is no index to draw (the tables say so).
            "factors": None if benchmark.hidden else charts.factor_chart(line),
            "status": charts.status_chart(
                [label for label, _counts in status_rows], [counts for _label, counts in status_rows], phases
            ),
            "trend": (
                charts.trend_chart(line.history)
                if any(point.decomposition for point in line.history)
                else None
            ),
        },
    }
