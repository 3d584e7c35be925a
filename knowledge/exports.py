"""The KPI pages as CSV: the contract fields of each row (DESIGN §6), the factor indices and the weakest factor.

Vendor staff get one row per partner matching the pickers (every page) after the vendor's average per partner;
partner users get their company's row and the average of the other partners of its tier, when at least
``BENCHMARK_MIN_PARTNERS`` of them have data (knowledge.benchmark; otherwise the row is left out). Averages
divide counts and amounts by the number of partners; rates and unit prices are the group's own. Numbers are
plain (no separators, rates 0–1) so spreadsheets read them as numbers.
"""

from decimal import ROUND_HALF_UP, Decimal
from zoneinfo import ZoneInfo

from django.http import HttpResponse
from django.utils import timezone
from django.utils.translation import gettext as _

from deals.models import Phase
from knowledge.dashboard import VendorKpis
from knowledge.decomposition import EXPECTED_VALUE, FACTORS
from knowledge.lines import KpiLine
from knowledge.scorecard import partner_scorecard
from prm.csv_export import csv_response
from prm.tenancy import Access

_CENTS = Decimal("0.01")


def header() -> list[str]:
    return [
        _("Row"),
        _("Period"),
        _("Partner ID"),
        _("Name"),
        _("Tier"),
        _("Channel manager"),
        _("Partners"),
        _("Proposals"),
        _("Won"),
        _("Lost"),
        _("Win rate"),
        _("Average unit price"),
        _("Expected value"),
        _("Won amount"),
        _("Open pipeline amount"),
        _("Average quality"),
        _("Average visibility"),
        *(str(label) for _code, label in Phase.choices),
        *(_("%(factor)s index") % {"factor": factor.label} for factor in (*FACTORS, EXPECTED_VALUE)),
        _("Weakest factor"),
        _("Weak since"),
        _("Computed at"),
    ]


def _plain(value, divide_by: int = 1):
    if value is None:
        return ""
    if divide_by == 1:
        return value
    return (Decimal(value) / divide_by).quantize(_CENTS, rounding=ROUND_HALF_UP)


def _index(item) -> str:
    return "" if item.index is None else f"{item.index:.3f}"


def record(kind: str, line: KpiLine, period: str, zone, *, divide_by: int = 1, indices: bool = True) -> list:
    row = line.row
    figures = [
        row.proposals,
        row.won,
        row.lost,
    ]
    values = [_plain(value, divide_by) for value in figures]
    status = [_plain(row.status_distribution.get(code, 0), divide_by) for code in Phase.values]
    decomposition = line.decomposition
    weakest = decomposition.weakest if indices else None
    since = line.weak_since if indices else None
    since_text = ""
    if since:
        since_text = since.period.key
        if since.or_earlier:
            since_text = _("%(period)s or earlier") % {"period": since.period.key}
    return [
        kind,
        period,
        line.key if kind == _("Partner") else "",
        line.label,
        line.tier_label,
        line.manager,
        line.partners,
        *values,
        _plain(row.win_rate),
        _plain(row.avg_unit_price),
        _plain(row.expected_value, divide_by),
        _plain(row.won_amount, divide_by),
        _plain(row.open_pipeline_amount, divide_by),
        _plain(row.avg_quality),
        _plain(row.avg_visibility),
        *status,
        *(_index(item) if indices else "" for item in (*decomposition.factors, decomposition.expected_value)),
        str(weakest.factor.label) if weakest else "",
        since_text,
        timezone.localtime(row.computed_at, zone).isoformat(timespec="minutes"),
    ]


def vendor_export(access: Access, params) -> HttpResponse:
    kpis = VendorKpis(access, params)
    kpis.attach_history(kpis.lines)
    period = kpis.query.period.key
    zone = ZoneInfo(access.vendor.time_zone)
    rows = []
    benchmark = kpis.benchmark_line()
    if benchmark.row is not None:
        rows.append(
            record(
                _("Vendor average per partner"),
                benchmark,
                period,
                zone,
                divide_by=max(benchmark.partners, 1),
                indices=False,
            )
        )
    rows += [record(_("Partner"), line, period, zone) for line in kpis.lines]
    return csv_response(f"kpis-{access.vendor.slug}-{period}.csv", header(), rows)


def partner_export(access: Access, params) -> HttpResponse:
    card = partner_scorecard(access, params)
    period = card["query"].period.key
    zone = ZoneInfo(access.vendor.time_zone)
    rows = []
    if card["line"].row is not None:
        rows.append(record(_("Partner"), card["line"], period, zone))
    average = card["average"]
    if average.row is not None:
        rows.append(
            record(
                _("Average of the other partners of the tier"),
                average,
                period,
                zone,
                divide_by=max(average.partners, 1),
                indices=False,
            )
        )
    return csv_response(f"kpis-{access.vendor.slug}-{period}.csv", header(), rows)
