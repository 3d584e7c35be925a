"""KPI recompute jobs: nightly per vendor at 02:00 its time, on request with progress, and after deal changes.

Every task writes the changed snapshot rows in one transaction (``kpis_recompute``), so retries and two runs at
once end with the same rows; they acknowledge late, so a worker lost mid-run hands the task to another.
"""

from datetime import datetime, time
from zoneinfo import ZoneInfo

from django.utils import timezone
from django_scopes import scopes_disabled

from knowledge.insights.reports import insight_refresh, insights_nightly, vendor_analyst
from knowledge.insights.store import filters_from_json
from knowledge.jobs import (
    kpis_full_recompute,
    kpis_nightly,
    pending_clear,
    periods_from_keys,
    run_finish,
    run_update,
)
from knowledge.kpis import kpis_recompute
from knowledge.models import RunState
from partners.models import Vendor
from prm.celery import VendorTask, app
from prm.outbox import enqueue

# The nightly run starts for a vendor when beat's half-hourly tick falls in [02:00, 02:30) of its time zone:
# once a day for every zone, including those offset by half or three quarters of an hour.
NIGHTLY_AT = time(2, 0)
NIGHTLY_WINDOW_MINUTES = 30


@app.task(base=VendorTask, bind=True, acks_late=True, reject_on_worker_lost=True)
def recompute_kpis(self, *, vendor_id: int, nightly: bool = False) -> int:
    """Every period of the last 18 months, every granularity and group (progress for a followed run); the
    nightly run recomputes only what can have changed (``knowledge.jobs.kpis_nightly``)."""
    task_id = self.request.id
    vendor = _vendor(vendor_id)
    run_update(task_id, state=RunState.STARTED, progress=0)
    try:
        if nightly:
            rows = kpis_nightly(vendor=vendor)
        else:
            rows = kpis_full_recompute(
                vendor=vendor, progress=lambda percent: run_update(task_id, progress=min(percent, 99))
            )
    except Exception:
        run_finish(task_id, state=RunState.FAILURE)
        raise
    run_finish(task_id, state=RunState.SUCCESS, rows=rows)
    if nightly:  # the night's insights follow its KPIs (a requested recompute leaves them to their next read)
        enqueue(refresh_insights, {"vendor_id": vendor_id})
    return rows


@app.task(base=VendorTask, acks_late=True, reject_on_worker_lost=True)
def recompute_kpi_periods(*, vendor_id: int, period_keys: list[str]) -> int:
    """Today's snapshot of the named periods, after deal changes (see ``knowledge.jobs.kpis_touch``)."""
    vendor = _vendor(vendor_id)
    pending_clear(vendor_id, period_keys)
    return kpis_recompute(vendor=vendor, periods=periods_from_keys(vendor, period_keys))


@app.task
def recompute_kpis_due(now: str | None = None) -> list[int]:
    """Beat's tick: start the nightly recompute of every active vendor whose local time is 02:00–02:29."""
    moment = datetime.fromisoformat(now) if now else timezone.now()
    with scopes_disabled():
        vendors = list(Vendor.objects.filter(is_active=True).order_by("pk").values_list("pk", "time_zone"))
    due = [pk for pk, zone in vendors if _in_window(moment.astimezone(ZoneInfo(zone)))]
    for vendor_id in due:
        enqueue(recompute_kpis, {"vendor_id": vendor_id, "nightly": True})
    return due


def _in_window(local: datetime) -> bool:
    minutes = local.hour * 60 + local.minute - (NIGHTLY_AT.hour * 60 + NIGHTLY_AT.minute)
    return 0 <= minutes < NIGHTLY_WINDOW_MINUTES


def _vendor(vendor_id: int) -> Vendor:
    with scopes_disabled():
        return Vendor.objects.get(pk=vendor_id)


@app.task(base=VendorTask, acks_late=True)
def refresh_insight(*, vendor_id: int, report: str, filters: str) -> None:
    """Analyse one stored insight again after the deals it reads changed."""
    vendor = _vendor(vendor_id)
    insight_refresh(vendor_analyst(vendor), report, filters_from_json(filters))


@app.task(base=VendorTask, acks_late=True)
def refresh_insights(*, vendor_id: int) -> int:
    """After the nightly KPI job: every insight read recently, and the unfiltered ones, up to date."""
    vendor = _vendor(vendor_id)
    return insights_nightly(vendor)
