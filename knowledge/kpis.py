"""KPI rows (contract, DESIGN §6) computed in the database, and their daily snapshots.

``kpi_rows`` aggregates with a fixed number of queries whatever the number of partners or deals: per granularity
one query over deals registered in the periods (grouped by group, registration period and current phase) and one
over won/lost deals closed in them (grouped by group, close period and phase). A ``CASE`` names each deal's
period; Python only combines the few aggregate rows into KPI rows. Drafts never count.
"""

from collections import defaultdict
from collections.abc import Callable, Iterable
from decimal import ROUND_HALF_UP, Decimal
from zoneinfo import ZoneInfo

from django.db import connection, transaction
from django.db.models import Case, CharField, Count, F, Q, QuerySet, Sum, Value, When
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy as _

from deals.models import OPEN_PHASES, Deal, Phase, RegistrationStatus
from knowledge.models import GroupType, KpiSnapshot
from knowledge.periods import GRANULARITIES, Period, add_months, aware_bounds, periods_between
from partners.models import PartnerCompany, Tier, Vendor

UNASSIGNED = _("Unassigned")

# Where a deal's group comes from, per group type (the vendor row has none).
GROUP_FIELDS = {
    GroupType.VENDOR: None,
    GroupType.PARTNER: "partner_id",
    GroupType.TIER: "partner__tier",
    GroupType.CHANNEL_MANAGER: "partner__channel_manager_id",
}
VALUE_FIELDS = (
    "proposals",
    "won",
    "lost",
    "win_rate",
    "avg_unit_price",
    "expected_value",
    "won_amount",
    "status_distribution",
    "open_pipeline_amount",
    "avg_quality",
    "avg_visibility",
)
UNIQUE_FIELDS = ("vendor", "group_type", "group_key", "granularity", "period", "snapshot_date")

# First key of the PostgreSQL advisory lock that serialises recomputes of one vendor (the second is its id).
LOCK_NAMESPACE = 0x4B5049  # "KPI"
_RATE = Decimal("0.000001")
_CENTS = Decimal("0.01")
_OPEN = frozenset(OPEN_PHASES)


def kpi_rows(*, vendor: Vendor, periods: list[Period], group_type: str) -> list[dict]:
    """Every KPI row of ``group_type`` for ``periods`` (any mix of granularities), groups in display order.

    Every group is present in every period, with zeros and null rates when it had no deals. Runs inside the
    vendor's scope.
    """
    if group_type not in GROUP_FIELDS:
        raise ValueError(f"Unknown group type {group_type!r}.")
    groups = _groups(vendor, group_type)
    deals = Deal.objects.filter(vendor=vendor).exclude(registration_status=RegistrationStatus.DRAFT)
    field = GROUP_FIELDS[group_type]
    registered: dict = defaultdict(dict)  # (group key, granularity, period) -> {phase: aggregates}
    closed: dict = defaultdict(dict)
    by_granularity: dict[str, list[Period]] = defaultdict(list)
    for period in periods:
        by_granularity[period.granularity].append(period)
    for granularity, chosen in by_granularity.items():
        for row in _registered_aggregates(deals, chosen, field, vendor.time_zone):
            registered[_group_key(row["group"]), granularity, row["period"]][row["phase"]] = row
        for row in _closed_aggregates(deals, chosen, field):
            closed[_group_key(row["group"]), granularity, row["period"]][row["phase"]] = row
    return [
        {
            "group_type": group_type,
            "group_key": key,
            "group_name": name,
            "granularity": period.granularity,
            "period": period.key,
            **_values(
                registered.get((key, period.granularity, period.key), {}),
                closed.get((key, period.granularity, period.key), {}),
            ),
        }
        for key, name in groups
        for period in periods
    ]


def kpis_recompute(
    *,
    vendor: Vendor,
    granularities: Iterable[str] = GRANULARITIES,
    months_back: int = 18,
    snapshot_date=None,
    periods: list[Period] | None = None,
    progress: Callable[[int], None] | None = None,
) -> int:
    """Recompute the snapshot rows of ``snapshot_date`` (default: today in the vendor's zone) for every period
    of ``granularities`` overlapping the last ``months_back`` months (or exactly ``periods``) and every group
    type; returns the row count. ``progress`` hears the percentage done as the work advances.

    The rows are read first, then written in one transaction, upserted on the unique key, so a rerun (or a rerun
    after an interrupted one) leaves the same rows; rows of that day for groups that no longer exist are
    removed. Two runs for one vendor at once write in turns (a transaction-level lock on PostgreSQL; SQLite
    serialises writers). Runs inside the vendor's scope.
    """
    report = progress or (lambda percent: None)
    now = timezone.now()
    snapshot_date = snapshot_date or now.astimezone(ZoneInfo(vendor.time_zone)).date()
    if periods is None:
        first = add_months(snapshot_date, -(months_back - 1))
        periods = [
            period
            for granularity in tuple(granularities)
            for period in periods_between(first, snapshot_date, granularity, vendor.fiscal_year_start_month)
        ]
    group_types = list(GROUP_FIELDS)
    snapshots = []
    for done, group_type in enumerate(group_types):  # reads, outside the transaction so progress shows
        report(round(90 * done / len(group_types)))
        snapshots += [
            KpiSnapshot(vendor=vendor, snapshot_date=snapshot_date, computed_at=now, **row)
            for row in kpi_rows(vendor=vendor, periods=periods, group_type=group_type)
        ]
    report(90)
    with transaction.atomic():
        _lock(vendor)
        KpiSnapshot.objects.bulk_create(
            snapshots,
            batch_size=500,
            update_conflicts=True,
            unique_fields=UNIQUE_FIELDS,
            update_fields=("group_name", *VALUE_FIELDS, "computed_at"),
        )
        for granularity in {period.granularity for period in periods}:
            KpiSnapshot.objects.filter(
                vendor=vendor,
                snapshot_date=snapshot_date,
                granularity=granularity,
                period__in={period.key for period in periods if period.granularity == granularity},
            ).exclude(computed_at=now).delete()
    report(100)
    return len(snapshots)


def _lock(vendor: Vendor) -> None:
    """Hold this vendor's recompute lock until the transaction ends (PostgreSQL; elsewhere a no-op)."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s, %s)", [LOCK_NAMESPACE, vendor.pk])


def _groups(vendor: Vendor, group_type: str) -> list[tuple[str, str]]:
    """(key, name) of each group, in display order; names in the source language (translated by key on show)."""
    if group_type == GroupType.VENDOR:
        return [("", vendor.name)]
    partners = list(
        PartnerCompany.objects.filter(vendor=vendor)
        .order_by("name", "pk")
        .values("pk", "name", "tier", "channel_manager_id", "channel_manager__name", "channel_manager__email")
    )
    if group_type == GroupType.PARTNER:
        return [(str(p["pk"]), p["name"]) for p in partners]
    with translation.override(None):
        if group_type == GroupType.TIER:
            present = {p["tier"] for p in partners}
            return [(tier.value, str(tier.label)) for tier in Tier if tier.value in present]
        managers = {
            str(p["channel_manager_id"]): p["channel_manager__name"] or p["channel_manager__email"]
            for p in partners
            if p["channel_manager_id"] is not None
        }
        groups = sorted(managers.items(), key=lambda item: (item[1], int(item[0])))
        if any(p["channel_manager_id"] is None for p in partners):
            groups.append(("", str(UNASSIGNED)))
        return groups


def _group_key(value) -> str:
    return "" if value is None else str(value)


def _period_case(field: str, bounds: list[tuple[str, object, object]]) -> Case:
    whens = [
        When(Q(**{f"{field}__gte": start, f"{field}__lt": end}), then=Value(key))
        for key, start, end in bounds
    ]
    return Case(*whens, default=None, output_field=CharField())


def _grouped(deals: QuerySet, field: str | None, bounds: list, date_field: str) -> QuerySet:
    starts = [start for _key, start, _end in bounds]
    ends = [end for _key, _start, end in bounds]
    return (
        deals.filter(**{f"{date_field}__gte": min(starts), f"{date_field}__lt": max(ends)})
        .annotate(period=_period_case(date_field, bounds), group=F(field) if field else Value(""))
        .values("group", "period", "phase")
        .order_by()
    )


def _registered_aggregates(deals: QuerySet, periods: list[Period], field: str | None, time_zone: str):
    bounds = [(period.key, *aware_bounds(period, time_zone)) for period in periods]
    return _grouped(deals, field, bounds, "registered_at").annotate(
        n=Count("pk"),
        amount=Sum("amount"),
        quality_sum=Sum("score__quality"),
        quality_n=Count("score__quality"),
        visibility_sum=Sum("score__visibility"),
        visibility_n=Count("score__visibility"),
    )


def _closed_aggregates(deals: QuerySet, periods: list[Period], field: str | None):
    bounds = [(period.key, period.start, period.end) for period in periods]
    closed = deals.filter(phase__in=(Phase.WON, Phase.LOST))
    return _grouped(closed, field, bounds, "close_date").annotate(n=Count("pk"), amount=Sum("amount"))


def _values(registered: dict, closed: dict) -> dict:
    """The contract fields from the aggregates of one group and period ({phase: aggregate row} each)."""
    proposals = sum(row["n"] for row in registered.values())
    won = closed.get(Phase.WON, {}).get("n", 0)
    lost = closed.get(Phase.LOST, {}).get("n", 0)
    won_amount = closed.get(Phase.WON, {}).get("amount") or 0
    decided = won + lost
    open_rows = [row for phase, row in registered.items() if phase in _OPEN]
    return {
        "proposals": proposals,
        "won": won,
        "lost": lost,
        "win_rate": _quantize(Decimal(won) / decided, _RATE) if decided else None,
        "avg_unit_price": _quantize(Decimal(won_amount) / won, _CENTS) if won else None,
        # proposals × win_rate × avg_unit_price, from the exact factors (rounded once).
        "expected_value": _quantize(Decimal(proposals) * won_amount / decided, _CENTS) if won else None,
        "won_amount": won_amount,
        "status_distribution": {
            phase: registered[phase]["n"] for phase in Phase.values if phase in registered
        },
        "open_pipeline_amount": sum(row["amount"] or 0 for row in open_rows),
        "avg_quality": _mean(open_rows, "quality"),
        "avg_visibility": _mean(open_rows, "visibility"),
    }


def _mean(rows: list[dict], name: str) -> Decimal | None:
    count = sum(row[f"{name}_n"] for row in rows)
    if not count:
        return None
    return _quantize(Decimal(sum(row[f"{name}_sum"] or 0 for row in rows)) / count, _CENTS)


def _quantize(value: Decimal, step: Decimal) -> Decimal:
    return value.quantize(step, rounding=ROUND_HALF_UP)
