"""KPI rows (contract, DESIGN §6) computed in the database, and their daily snapshots.

Three aggregate queries per vendor, whatever the periods, group types and number of deals: deals registered in
the months the periods cover by partner and vendor-local month (a count per current phase and the open amount),
the scores of the open ones among them, and won/lost deals by partner and month of their close date (counts and
won amount). Fiscal quarters and years are unions of months, tiers, channel managers and the vendor are unions of
partners, and sums and counts add up, so Python only adds those few hundred rows into the KPI rows of every period
and group type (averages stay exact: sum over count). Drafts never count.
"""

from collections import defaultdict
from collections.abc import Callable, Iterable
from datetime import date, datetime, time
from decimal import ROUND_HALF_UP, Decimal
from zoneinfo import ZoneInfo

from django.db import connection, transaction
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy as _
from django_scopes import get_scope
from django_scopes.exceptions import ScopeError

from deals.models import OPEN_PHASES, Deal, Phase, RegistrationStatus
from knowledge.models import GroupType, KpiCheck, KpiSnapshot
from knowledge.periods import GRANULARITIES, Period, add_months, periods_between
from meddic.models import DealScore
from partners.models import PartnerCompany, Tier, Vendor

UNASSIGNED = _("Unassigned")

GROUP_TYPES = (GroupType.VENDOR, GroupType.PARTNER, GroupType.TIER, GroupType.CHANNEL_MANAGER)
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
_PHASES = tuple(Phase.values)
_CLOSED = (Phase.WON, Phase.LOST)


# How far back the snapshots reach: the nightly job, deal-change recomputes and the dashboards' pickers.
MONTHS_BACK = 18


def kpi_rows(*, vendor: Vendor, periods: list[Period], group_type: str) -> list[dict]:
    """Every KPI row of ``group_type`` for ``periods`` (any mix of granularities), groups in display order.

    Every group is present in every period, with zeros and null rates when it had no deals. Runs inside the
    vendor's scope.
    """
    if group_type not in GROUP_TYPES:
        raise ValueError(f"Unknown group type {group_type!r}.")
    partners = _partners(vendor) if group_type != GroupType.VENDOR else []
    aggregates = _Aggregates(vendor, periods)
    aggregates.load()
    return aggregates.rows(group_type, partners)


def kpis_recompute(
    *,
    vendor: Vendor,
    granularities: Iterable[str] = GRANULARITIES,
    months_back: int = MONTHS_BACK,
    snapshot_date=None,
    periods: list[Period] | None = None,
    progress: Callable[[int], None] | None = None,
) -> int:
    """Recompute the KPI rows of every period of ``granularities`` overlapping the last ``months_back`` months
    (or exactly ``periods``) and every group type, as of ``snapshot_date`` (default: today in the vendor's zone);
    returns how many rows it computed. ``progress`` hears the percentage done as the work advances.

    The rows are read first (three aggregate queries for every period and group type), then compared with the
    current rows and written in one transaction: only figures that changed are written (today's row updated in
    place, or a new current row for the day after an older one), a group that no longer exists stops being
    current, and every period is marked checked (``KpiCheck``). A rerun, or a rerun after an interrupted one,
    leaves the same rows. Two runs for one vendor at once write in turns (a transaction-level lock on PostgreSQL;
    SQLite serialises writers), and a run never replaces rows of a run that started after it, so read later.
    Runs inside the vendor's scope.
    """
    report = progress or (lambda percent: None)
    now = timezone.now()
    snapshot_date = snapshot_date or now.astimezone(ZoneInfo(vendor.time_zone)).date()
    if periods is None:
        periods = kept_periods(vendor, snapshot_date, granularities, months_back)
    report(0)  # reads, outside the transaction so progress shows
    partners = _partners(vendor)
    aggregates = _Aggregates(vendor, periods)
    aggregates.load(report)
    rows = []
    for done, group_type in enumerate(GROUP_TYPES):
        report(60 + round(30 * done / len(GROUP_TYPES)))
        rows += aggregates.rows(group_type, partners)
    report(90)
    with transaction.atomic():
        _lock(vendor)
        _write(vendor, periods, rows, snapshot_date, now)
    report(100)
    return len(rows)


def kept_periods(
    vendor: Vendor, day: date, granularities: Iterable[str] = GRANULARITIES, months_back: int = MONTHS_BACK
) -> list[Period]:
    """Every period of ``granularities`` overlapping the ``months_back`` months up to ``day``."""
    first = add_months(day, -(months_back - 1))
    return [
        period
        for granularity in tuple(granularities)
        for period in periods_between(first, day, granularity, vendor.fiscal_year_start_month)
    ]


def _key(row) -> tuple[str, str, str, str]:
    if isinstance(row, dict):
        return row["group_type"], row["group_key"], row["granularity"], row["period"]
    return row.group_type, row.group_key, row.granularity, row.period


def _same(current: KpiSnapshot, row: dict) -> bool:
    return current.group_name == row["group_name"] and all(
        getattr(current, name) == row[name] for name in VALUE_FIELDS
    )


def _write(vendor: Vendor, periods: list[Period], rows: list[dict], day: date, now: datetime) -> None:
    """Store what changed among ``rows`` (see ``kpis_recompute``); inside the transaction holding the lock.

    Reads are outside the lock: a run that started later (e.g. the job after a deal change) may have read newer
    facts and written first. Its rows stay; this run's older figures must not replace them.
    """
    current = {
        _key(row): row
        for row in KpiSnapshot.objects.filter(
            vendor=vendor,
            is_latest=True,
            granularity__in={period.granularity for period in periods},
            period__in={period.key for period in periods},
        )
    }
    wanted = {(period.granularity, period.key) for period in periods}
    created, replaced, retired = [], [], []
    for row in rows:
        old = current.pop(_key(row), None)
        if old is not None and (old.computed_at > now or _same(old, row)):
            continue
        on = day
        if old is not None and old.snapshot_date >= day:
            replaced.append(old.pk)  # the day's row changed again: replaced (cheaper than updated in place)
            on = old.snapshot_date
        elif old is not None:
            retired.append(old.pk)
        created.append(KpiSnapshot(vendor=vendor, snapshot_date=on, computed_at=now, **row))
    # Current rows of groups this run no longer has (a channel manager without partners now).
    gone = [row for key, row in current.items() if (key[2], key[3]) in wanted and row.computed_at <= now]
    replaced += [row.pk for row in gone if row.snapshot_date >= day]
    retired += [row.pk for row in gone if row.snapshot_date < day]
    for start in range(0, len(replaced), 1000):
        KpiSnapshot.objects.filter(pk__in=replaced[start : start + 1000]).delete()
    for start in range(0, len(retired), 1000):
        KpiSnapshot.objects.filter(pk__in=retired[start : start + 1000]).update(is_latest=False)
    KpiSnapshot.objects.bulk_create(created, batch_size=1000)
    _checked(vendor, wanted, now)


def kpis_confirm(vendor: Vendor, periods: set[tuple[str, str]], now: datetime) -> None:
    """Mark ``periods`` ((granularity, key)) checked as of ``now`` without recomputing them: nothing their figures
    read changed since (the nightly job's judgement, ``knowledge.jobs.kpis_nightly``)."""
    with transaction.atomic():
        _lock(vendor)
        _checked(vendor, periods, now)


def _checked(vendor: Vendor, periods: set[tuple[str, str]], now: datetime) -> None:
    """Mark ``periods`` ((granularity, key)) checked at ``now``, unless a later run checked them already."""
    later = set(
        KpiCheck.objects.filter(vendor=vendor, checked_at__gte=now).values_list("granularity", "period")
    )
    KpiCheck.objects.bulk_create(
        [
            KpiCheck(vendor=vendor, granularity=granularity, period=key, checked_at=now)
            for granularity, key in sorted(periods - later)
        ],
        update_conflicts=True,
        unique_fields=("vendor", "granularity", "period"),
        update_fields=("checked_at",),
    )


def _lock(vendor: Vendor) -> None:
    """Hold this vendor's recompute lock until the transaction ends (PostgreSQL; elsewhere a no-op)."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s, %s)", [LOCK_NAMESPACE, vendor.pk])


def _partners(vendor: Vendor) -> list[dict]:
    """The vendor's partner companies in display order, with what groups them."""
    return list(
        PartnerCompany.objects.filter(vendor=vendor)
        .order_by("name", "pk")
        .values("pk", "name", "tier", "channel_manager_id", "channel_manager__name", "channel_manager__email")
    )


def _groups(vendor: Vendor, group_type: str, partners: list[dict]) -> list[tuple[str, str]]:
    """(key, name) of each group, in display order; names in the source language (translated by key on show)."""
    if group_type == GroupType.VENDOR:
        return [("", vendor.name)]
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


def _group_of(group_type: str, partners: list[dict]) -> Callable[[int], str]:
    """The group key of a partner (by id) for ``group_type``."""
    if group_type == GroupType.VENDOR:
        return lambda partner_id: ""
    if group_type == GroupType.PARTNER:
        return str
    field = "tier" if group_type == GroupType.TIER else "channel_manager_id"
    keys = {p["pk"]: "" if p[field] is None else str(p[field]) for p in partners}
    return keys.__getitem__


def _month(day) -> int:
    """The month of ``day`` as one number (year × 12 + month − 1): consecutive months, consecutive numbers."""
    return day.year * 12 + day.month - 1


def _month_number(value) -> int:
    """``_month`` of a month start as the database gives it: a date or datetime, or text on SQLite."""
    if isinstance(value, str):
        return int(value[:4]) * 12 + int(value[5:7]) - 1
    return _month(value)


def _month_sql(
    column: str, first: date, count: int, time_zone: str | None = None
) -> tuple[str, list, Callable[[object], int]]:
    """SQL naming the month of ``column`` (a date, or a datetime counted in ``time_zone``) among the ``count``
    months from ``first``, its parameters, and what turns its value into ``_month``'s number.

    On PostgreSQL ``width_bucket`` finds the month among the month starts (a binary search, no time zone
    conversion for every deal); elsewhere the backend's own month truncation.
    """
    ops = connection.ops
    if connection.vendor == "postgresql":
        starts = [add_months(first, index) for index in range(count + 1)]
        if time_zone:
            zone = ZoneInfo(time_zone)
            bounds, cast = [datetime.combine(day, time.min, zone) for day in starts], "timestamptz[]"
        else:
            bounds, cast = starts, "date[]"
        before_first = _month(first) - 1
        return f"width_bucket({column}, %s::{cast})", [bounds], lambda bucket: before_first + bucket
    if time_zone:
        sql, params = ops.datetime_trunc_sql("month", column, (), time_zone)
    else:
        sql, params = ops.date_trunc_sql("month", column, ())
    return sql, list(params), _month_number


def _check_scope(vendor: Vendor) -> None:
    """Like the scoped managers (the aggregates are written in SQL): refuse to read a vendor's deals outside
    its scope; with scopes disabled (fixtures, migrations) they read."""
    current = get_scope()
    if not current.get("_enabled", True):
        return
    scoped = current.get("vendor")
    if not (
        scoped in (vendor.pk, vendor) or (isinstance(scoped, list | tuple | set) and vendor.pk in scoped)
    ):
        raise ScopeError("The vendor's scope needs to be active for its KPI aggregates.")


# Every aggregate is a vector of sums, so months add up to quarters and years and partners to groups by adding
# vectors: deals registered per phase (``_PHASES`` order), the amount of the open ones registered, won count and
# amount, lost count, and the quality and visibility sums and counts of the open deals registered.
_REGISTERED = slice(0, len(_PHASES))
_OPEN_AMOUNT, _WON, _WON_AMOUNT, _LOST, _QUALITY, _QUALITY_N, _VISIBILITY, _VISIBILITY_N = range(
    len(_PHASES), len(_PHASES) + 8
)
_SIZE = len(_PHASES) + 8
_DEALS, _SCORES = Deal._meta.db_table, DealScore._meta.db_table
_PHASE_COUNTS = ", ".join(["SUM(CASE WHEN d.phase = %s THEN 1 ELSE 0 END)"] * len(_PHASES))
_OPEN_IN = ", ".join(["%s"] * len(OPEN_PHASES))


def _add(into: list[int], values: list[int]) -> None:
    for index, value in enumerate(values):
        into[index] += value


def _scores_join() -> str:
    """Each deal's score by the deal's key.

    On PostgreSQL the row-level security condition on the scores table would otherwise lead the planner to read
    all of the vendor's scores and hash them (twice the time); ``OFFSET 0`` keeps the lateral subquery a lookup
    per deal.
    """
    if connection.vendor == "postgresql":
        return (
            f"LEFT JOIN LATERAL (SELECT s.quality, s.visibility FROM {_SCORES} s WHERE s.deal_id = d.id OFFSET 0) s"  # noqa: S608
            " ON true"
        )
    return f"LEFT JOIN {_SCORES} s ON s.deal_id = d.id"


class _Aggregates:
    """One vendor's deals aggregated by partner and vendor-local month over the months ``periods`` cover (three
    aggregate queries, a few hundred rows), and the KPI rows of any group type added up from them."""

    def __init__(self, vendor: Vendor, periods: list[Period]):
        self.vendor, self.periods = vendor, periods
        self.months: dict[int, dict[int, list[int]]] = defaultdict(dict)  # partner id -> month -> sums
        self._by_period: dict[tuple[str, str], dict[int, list[int]]] = {}

    def load(self, report: Callable[[int], None] = lambda percent: None) -> None:
        """Read the sums (no query without periods); ``report`` hears 20, 40 and 50 percent.

        The three queries are written in SQL: they run once per vendor and period set, and building them with the
        ORM cost more than running them.
        """
        if not self.periods:
            return
        _check_scope(self.vendor)
        ops = connection.ops
        start = min(period.start for period in self.periods)
        end = max(period.end for period in self.periods)
        zone = ZoneInfo(self.vendor.time_zone)
        since = ops.adapt_datetimefield_value(datetime.combine(start, time.min, zone))
        until = ops.adapt_datetimefield_value(datetime.combine(end, time.min, zone))
        counted = [self.vendor.pk, RegistrationStatus.DRAFT]
        months = _month(end) - _month(start)
        month, month_params, month_of = _month_sql("d.registered_at", start, months, self.vendor.time_zone)
        registered = f"""
            SELECT d.partner_id, {month}, {_PHASE_COUNTS},
                SUM(CASE WHEN d.phase IN ({_OPEN_IN}) THEN d.amount ELSE 0 END)
            FROM {_DEALS} d
            WHERE d.vendor_id = %s AND d.registration_status <> %s AND d.registered_at >= %s AND d.registered_at < %s
            GROUP BY 1, 2"""  # noqa: S608  (only table names and placeholders are formatted in)
        self._add_rows(registered, [*month_params, *_PHASES, *OPEN_PHASES, *counted, since, until], month_of)
        report(20)
        # Scores matter only for the open deals: read just theirs, each by its deal's key.
        scores = f"""
            SELECT d.partner_id, {month}, SUM(s.quality), COUNT(s.quality), SUM(s.visibility), COUNT(s.visibility)
            FROM {_DEALS} d {_scores_join()}
            WHERE d.vendor_id = %s AND d.registration_status <> %s AND d.registered_at >= %s AND d.registered_at < %s
                AND d.phase IN ({_OPEN_IN})
            GROUP BY 1, 2"""  # noqa: S608  (only table names and placeholders are formatted in)
        self._add_rows(scores, [*month_params, *counted, since, until, *OPEN_PHASES], month_of, at=_QUALITY)
        report(40)
        month, month_params, month_of = _month_sql("d.close_date", start, months)
        closed = f"""
            SELECT d.partner_id, {month}, SUM(CASE WHEN d.phase = %s THEN 1 ELSE 0 END),
                SUM(CASE WHEN d.phase = %s THEN d.amount ELSE 0 END), SUM(CASE WHEN d.phase = %s THEN 1 ELSE 0 END)
            FROM {_DEALS} d
            WHERE d.vendor_id = %s AND d.registration_status <> %s AND d.phase IN (%s, %s)
                AND d.close_date >= %s AND d.close_date < %s
            GROUP BY 1, 2"""  # noqa: S608  (only table names and placeholders are formatted in)
        won_lost = [Phase.WON, Phase.WON, Phase.LOST]
        dates = [ops.adapt_datefield_value(start), ops.adapt_datefield_value(end)]
        self._add_rows(closed, [*month_params, *won_lost, *counted, *_CLOSED, *dates], month_of, at=_WON)
        report(50)

    def _add_rows(self, sql: str, params: list, month_of: Callable[[object], int], at: int = 0) -> None:
        """Run one aggregate query and put its rows ``(partner id, month, sums…)`` into the vectors, the sums from
        index ``at`` on; ``month_of`` turns the month the database gives into ``_month``'s number."""
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            rows = cursor.fetchall()
        for partner_id, month, *sums in rows:
            by_month = self.months[partner_id]
            number = month_of(month)
            vector = by_month.get(number)
            if vector is None:
                vector = by_month[number] = [0] * _SIZE
            vector[at : at + len(sums)] = [int(value or 0) for value in sums]

    def by_partner(self, period: Period) -> dict[int, list[int]]:
        """partner id -> the sums of ``period`` (its months added up)."""
        key = (period.granularity, period.key)
        if key not in self._by_period:
            months = range(_month(period.start), _month(period.end))
            totals: dict[int, list[int]] = {}
            for partner_id, by_month in self.months.items():
                for month in months:
                    if month in by_month:
                        if partner_id not in totals:
                            totals[partner_id] = [0] * _SIZE
                        _add(totals[partner_id], by_month[month])
            self._by_period[key] = totals
        return self._by_period[key]

    def rows(self, group_type: str, partners: list[dict]) -> list[dict]:
        if group_type not in GROUP_TYPES:
            raise ValueError(f"Unknown group type {group_type!r}.")
        group_of = _group_of(group_type, partners)
        totals: dict[tuple[str, str, str], list[int]] = {}
        for period in self.periods:
            for partner_id, vector in self.by_partner(period).items():
                key = (group_of(partner_id), period.granularity, period.key)
                if key not in totals:
                    totals[key] = [0] * _SIZE
                _add(totals[key], vector)
        empty = [0] * _SIZE
        return [
            {
                "group_type": group_type,
                "group_key": key,
                "group_name": name,
                "granularity": period.granularity,
                "period": period.key,
                **_values(totals.get((key, period.granularity, period.key), empty)),
            }
            for key, name in _groups(self.vendor, group_type, partners)
            for period in self.periods
        ]


def _values(sums: list[int]) -> dict:
    """The contract fields from the sums of one group and period (see ``_Aggregates``)."""
    registered = sums[_REGISTERED]
    proposals = sum(registered)
    won, won_amount, lost = sums[_WON], sums[_WON_AMOUNT], sums[_LOST]
    decided = won + lost
    return {
        "proposals": proposals,
        "won": won,
        "lost": lost,
        "win_rate": _quantize(Decimal(won) / decided, _RATE) if decided else None,
        "avg_unit_price": _quantize(Decimal(won_amount) / won, _CENTS) if won else None,
        # proposals × win_rate × avg_unit_price, from the exact factors (rounded once).
        "expected_value": _quantize(Decimal(proposals) * won_amount / decided, _CENTS) if won else None,
        "won_amount": won_amount,
        "status_distribution": {phase: n for phase, n in zip(_PHASES, registered, strict=True) if n},
        "open_pipeline_amount": sums[_OPEN_AMOUNT],
        "avg_quality": _mean(sums[_QUALITY], sums[_QUALITY_N]),
        "avg_visibility": _mean(sums[_VISIBILITY], sums[_VISIBILITY_N]),
    }


def _mean(total: int, count: int) -> Decimal | None:
    return _quantize(Decimal(total) / count, _CENTS) if count else None


def _quantize(value: Decimal, step: Decimal) -> Decimal:
    return value.quantize(step, rounding=ROUND_HALF_UP)
