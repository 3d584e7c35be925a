"""A partner company's KPI scorecard (DESIGN §6) for its own users: its row against its tier's average per partner,
the same decomposition the vendor sees, its status distribution and its trend over the last periods.

Partner users see their company's rows and two aggregates only: the tier's row and how many partners the tier has.
Three queries whatever the number of partners or deals.
"""

from django.utils.translation import gettext as _

from knowledge import charts
from knowledge.decomposition import FACTORS, decompose, figures_of
from knowledge.forms import kpi_query
from knowledge.lines import HistoryPoint, KpiLine, group_rows, history_of, rows_by_period
from knowledge.models import GroupType
from partners.models import PartnerCompany, Tier
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
    tier_rows = rows_by_period(
        group_rows(vendor, query.granularity, keys, GroupType.TIER, keys=[partner.tier])
    )
    tier_size = PartnerCompany.objects.filter(vendor=vendor, tier=partner.tier).count()
    benchmarks = {key: figures_of(tier_rows.get(key), tier_size) for key in keys}
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
        label=_("%(tier)s tier average per partner") % {"tier": tier_label},
        row=tier_rows.get(current),
        figures=base,
        decomposition=decompose(base, base),
        partners=tier_size,
        tier=partner.tier,
        tier_label=tier_label,
    )
    average.history = [
        HistoryPoint(period, tier_rows.get(period.key), benchmarks.get(period.key), None)
        for period in query.trend
    ]
    phases = charts.status_phases([line, average])
    status_rows = [
        (line.label, charts.status_counts(line, phases)),
        (average.label, charts.status_counts(average, phases, divide_by=max(tier_size, 1))),
    ]
    return {
        "query": query,
        "partner": partner,
        "line": line,
        "average": average,
        "tier_size": tier_size,
        "factor_rows": factor_rows(line, average),
        "factors": FACTORS,
        "trend": list(zip(line.history, average.history, strict=True)),
        "status_phases": phases,
        "status_rows": status_rows,
        "computed_at": row.computed_at if row else None,
        "charts": {
            "factors": charts.factor_chart(line),
            "status": charts.status_chart(
                [label for label, _counts in status_rows], [counts for _label, counts in status_rows], phases
            ),
            "trend": charts.trend_chart(line.history),
        },
    }
