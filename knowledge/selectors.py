"""Reading KPI snapshots: the latest computed row of each group and period, and names as the reader sees them."""

from django.db.models import QuerySet
from django.utils.translation import gettext as _

from knowledge.kpis import MONTHS_BACK, UNASSIGNED
from knowledge.models import GroupType, KpiCheck, KpiSnapshot
from knowledge.periods import Period, add_months, period_from_key, periods_between
from partners.models import Tier, Vendor
from prm.clock import vendor_today


def latest_snapshots(
    *, vendor: Vendor, granularity: str, periods: list[str], group_type: str, group_keys=None
) -> QuerySet[KpiSnapshot]:
    """One row per group and period: its current figures (one query on the current rows' unique index)."""
    rows = KpiSnapshot.objects.filter(
        vendor=vendor, granularity=granularity, group_type=group_type, period__in=periods, is_latest=True
    )
    if isinstance(group_keys, QuerySet):  # a subquery of keys (as text)
        rows = rows.filter(group_key__in=group_keys)
    elif group_keys is not None:
        rows = rows.filter(group_key__in=[str(key) for key in group_keys])
    return rows.order_by("period", "group_name", "group_key")


def computed_as_of(vendor: Vendor, row: KpiSnapshot | None):
    """When ``row``'s figures were last computed or confirmed unchanged (its period's last recompute), or None
    without a row."""
    if row is None:
        return None
    checked = (
        KpiCheck.objects.filter(vendor=vendor, granularity=row.granularity, period=row.period)
        .values_list("checked_at", flat=True)
        .first()
    )
    return max(row.computed_at, checked) if checked else row.computed_at


def group_label(row: KpiSnapshot) -> str:
    """The group's name in the reader's language (tiers and "Unassigned" are stored as source strings)."""
    if row.group_type == GroupType.TIER and row.group_key in Tier.values:
        return str(Tier(row.group_key).label)
    if row.group_type == GroupType.CHANNEL_MANAGER and row.group_key == "":
        return str(UNASSIGNED)
    return row.group_name


def shown_periods(vendor: Vendor, granularity: str) -> list[Period]:
    """The periods of ``granularity`` that snapshots cover (the last 18 months), newest first."""
    today = vendor_today(vendor)
    first = add_months(today, -(MONTHS_BACK - 1))
    return list(reversed(periods_between(first, today, granularity, vendor.fiscal_year_start_month)))


def period_choice(vendor: Vendor, granularity: str, key: str | None) -> Period:
    """The period named by ``key`` if it is one of ``granularity``'s shown periods, else the current one."""
    periods = shown_periods(vendor, granularity)
    for period in periods:
        if period.key == key:
            return period
    return periods[0]


def period_invalid(vendor: Vendor, granularity: str | None, key: str) -> str | None:
    """Why ``key`` is not a period (of ``granularity``, when given), as a translated message; None when it is."""
    try:
        period = period_from_key(key, vendor.fiscal_year_start_month)
    except ValueError:
        return _("Not a period key: use 2026-04, FY2026-Q1 or FY2026.")
    if granularity and period.granularity != granularity:
        return _("This period is not a %(granularity)s.") % {"granularity": granularity}
    return None
