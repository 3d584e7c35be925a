"""When KPI snapshots are recomputed: on request (followed by a ``RecomputeRun``), and shortly after deal changes.

A deal change touches the periods of its registration and close dates (before and after) and the current ones.
Each touched period of a vendor is queued at most once per ``KPI_RECOMPUTE_DELAY_SECONDS``: a cache key per
(vendor, period) marks it pending, the task clears the marks before it reads, so a change made while it runs
queues another pass. Without a shared cache (the embedded default) the marks live in the process.
"""

import logging
import uuid
from datetime import date, timedelta
from zoneinfo import ZoneInfo

from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models.functions import TruncDate
from django.utils import timezone
from django.utils.translation import gettext as _
from django_scopes import scopes_disabled

from deals.models import Deal
from knowledge.kpis import MONTHS_BACK, kept_periods, kpis_confirm, kpis_recompute
from knowledge.models import KpiCheck, RecomputeRun, RunState
from knowledge.periods import GRANULARITIES, Period, add_months, period_from_key, period_of
from knowledge.permissions import can_recompute_kpis
from knowledge.retention import snapshots_prune
from partners.models import PartnerCompany, Vendor
from prm.clock import vendor_today
from prm.outbox import enqueue
from prm.tenancy import Access, vendor_scope

logger = logging.getLogger(__name__)


# A run still waiting after this long is taken as lost (its task never reached a worker), not joined.
PENDING_JOINABLE = timedelta(hours=1)


def recompute_request(*, access: Access) -> RecomputeRun:
    """Vendor staff ask for the whole vendor's KPIs now; the task starts when the transaction commits.

    Requests coalesce: while a recompute of the vendor is waiting to start, asking again joins it (the same run
    and task id) instead of queueing another, so a vendor has at most one recompute queued behind the running
    one, however often anyone asks.
    """
    from knowledge.tasks import recompute_kpis

    if not can_recompute_kpis(access):
        raise PermissionDenied(_("Only vendor staff can recompute KPIs."))
    with transaction.atomic(), vendor_scope(access.vendor):
        # The vendor's row serialises two requests at the same moment: the second sees the first's run.
        Vendor.objects.select_for_update().filter(pk=access.vendor.pk).first()
        waiting = (
            RecomputeRun.objects.filter(
                state=RunState.PENDING, requested_at__gte=timezone.now() - PENDING_JOINABLE
            )
            .order_by("requested_at")
            .first()
        )
        if waiting is not None:
            return waiting
        run = RecomputeRun.objects.create(
            vendor=access.vendor, task_id=str(uuid.uuid4()), requested_by=access.user
        )

    def send():
        # A broker that is away keeps the task in the outbox (the run waits, pending, and starts when it is sent);
        # a failing in-process run is told to whoever follows the run. Neither fails the request that asked.
        try:
            enqueue(recompute_kpis, {"vendor_id": access.vendor.pk}, task_id=run.task_id)
        except Exception:
            logger.exception("KPI recompute %s failed to start or run", run.task_id)
            run_finish(run.task_id, state=RunState.FAILURE)

    transaction.on_commit(send)
    return run


def kpis_full_recompute(*, vendor: Vendor, progress=None) -> int:
    """Every period of the last 18 months (a requested recompute, the command, the weekly night), then the
    history pruned to what ``knowledge.retention`` keeps; returns the rows computed. Runs inside the vendor's
    scope."""
    rows = kpis_recompute(vendor=vendor, progress=progress)
    snapshots_prune(vendor=vendor, today=vendor_today(vendor))
    return rows


# The night the nightly job recomputes everything (vendor-local weekday, Monday = 0): the safety net for changes
# no timestamp records (a deal deleted, a vendor renamed).
FULL_NIGHT_WEEKDAY = 6


def kpis_nightly(*, vendor: Vendor) -> int:
    """The nightly job: the periods whose figures can have changed since the vendor's KPIs were last checked,
    then the history pruned; returns the rows computed. Runs inside the vendor's scope.

    Figures move only with deals (registered, changed, closed: their ``updated_at``), their scores (``computed_at``,
    e.g. the nightly rescore) and partners (tier, channel manager, name). Deal changes are recomputed within
    seconds anyway (``kpis_touch``); the night catches up what that missed: the periods of the deals and scores
    changed since the oldest check of a kept period and periods never checked (a new month starts), then marks
    the other periods checked as of the start of the run. No figure depends on the date itself, so a period
    nothing touched keeps its rows. A vendor never checked, a partner
    changed since, or the weekly full night recomputes everything.
    """
    started, today = timezone.now(), vendor_today(vendor)
    window = kept_periods(vendor, today)
    checks = KpiCheck.objects.filter(vendor=vendor).values_list("granularity", "period", "checked_at")
    checked = {(granularity, key): at for granularity, key, at in checks}
    since = min(
        (checked[(p.granularity, p.key)] for p in window if (p.granularity, p.key) in checked), default=None
    )
    if (
        since is None
        or today.weekday() == FULL_NIGHT_WEEKDAY
        or PartnerCompany.objects.filter(vendor=vendor, updated_at__gte=since).exists()
    ):
        return kpis_full_recompute(vendor=vendor)
    touched = {
        (period.granularity, period.key): period
        for period in touched_periods(vendor, changed_days(vendor, since), with_today=False)
    }
    touched.update({(p.granularity, p.key): p for p in window if (p.granularity, p.key) not in checked})
    rows = kpis_recompute(vendor=vendor, periods=list(touched.values())) if touched else 0
    kpis_confirm(vendor, {(p.granularity, p.key) for p in window} - set(touched), started)
    snapshots_prune(vendor=vendor, today=today, recent=True)
    return rows


def changed_days(vendor: Vendor, since) -> set[date]:
    """The local registration days and close dates of the deals changed, or whose score changed, since ``since``
    (two small queries on the deals' and scores' change indexes)."""
    zone = _zone(vendor)
    days: set[date] = set()
    for changed in (
        Deal.objects.filter(vendor=vendor, updated_at__gte=since),
        Deal.objects.filter(vendor=vendor, score__computed_at__gte=since),
    ):
        pairs = (
            changed.annotate(day=TruncDate("registered_at", tzinfo=zone))
            .order_by()
            .values_list("day", "close_date")
            .distinct()
        )
        days.update(day for pair in pairs for day in pair if day is not None)
    return days


def run_update(task_id: str | None, **values) -> None:
    """Record a followed run's state or progress (no-op for runs nobody follows, such as the nightly one)."""
    if task_id:
        with scopes_disabled():  # by its unique task id, also from on-commit hooks outside a request's scope
            RecomputeRun.objects.filter(task_id=task_id).update(**values)


def run_finish(task_id: str | None, *, state: str, rows: int | None = None) -> None:
    run_update(task_id, state=state, rows=rows, progress=100, finished_at=timezone.now())


def touched_periods(vendor: Vendor, days: set[date], *, with_today: bool = True) -> list[Period]:
    """The periods of every granularity containing one of ``days`` (and today, unless ``with_today`` is off),
    within the kept months."""
    today = vendor_today(vendor)
    first = add_months(today, -(MONTHS_BACK - 1))
    start_month = vendor.fiscal_year_start_month
    found = {
        period_of(day, granularity, start_month)
        for day in ({today} if with_today else set()) | set(days)
        if first <= day <= today
        for granularity in GRANULARITIES
    }
    return sorted(found, key=lambda period: (GRANULARITIES.index(period.granularity), period.start))


def deal_days(deal: Deal) -> set[date]:
    """The local dates that place ``deal`` in periods: registration and close date."""
    days = {deal.close_date} if deal.close_date else set()
    if deal.registered_at:
        days.add(timezone.localtime(deal.registered_at, _zone(deal.vendor)).date())
    return days


def kpis_touch(deal: Deal, *, before: set[date] = frozenset()) -> None:
    """After ``deal`` changed in ways KPIs count (phase, amount, dates, registration), recompute its vendor's
    touched periods shortly after the transaction commits, at most once per period in the delay."""
    vendor = deal.vendor
    days = deal_days(deal) | set(before)
    # Robust: the deal is saved whatever happens here; a missed recompute is caught up by the night's.
    transaction.on_commit(lambda: _schedule(vendor, touched_periods(vendor, days)), robust=True)


def pending_key(vendor_id: int, period_key: str) -> str:
    return f"knowledge:kpis-pending:{vendor_id}:{period_key}"


def pending_clear(vendor_id: int, period_keys: list[str]) -> None:
    cache.delete_many([pending_key(vendor_id, key) for key in period_keys])


def _schedule(vendor: Vendor, periods: list[Period]) -> None:
    from knowledge.tasks import recompute_kpi_periods

    delay = settings.KPI_RECOMPUTE_DELAY_SECONDS
    fresh = [
        period.key
        for period in periods
        if cache.add(pending_key(vendor.pk, period.key), 1, timeout=delay + 600)
    ]
    if fresh:
        enqueue(recompute_kpi_periods, {"vendor_id": vendor.pk, "period_keys": fresh}, countdown=delay)


def periods_from_keys(vendor: Vendor, keys: list[str]) -> list[Period]:
    return [period_from_key(key, vendor.fiscal_year_start_month) for key in keys]


def _zone(vendor: Vendor) -> ZoneInfo:
    return ZoneInfo(vendor.time_zone)
