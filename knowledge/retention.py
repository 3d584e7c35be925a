"""How long KPI snapshot history is kept: every row of the last ``DAILY_DAYS`` days, then one row per group,
period and calendar month (the month's last, so the figures of every month end stay), and the current rows always.

Rows are written only when figures change (``knowledge.kpis``), so a group's figures on any day are those of its
newest row on or before that day: within the daily window exactly, before it as of the end of each month. The
nightly job prunes after it recomputes; the number of rows stays proportional to the groups and periods, not to
the days the product has run.
"""

from datetime import date, timedelta

from knowledge.models import KpiSnapshot
from partners.models import Vendor

DAILY_DAYS = 42
DELETE_BATCH = 2000


def snapshots_prune(*, vendor: Vendor, today: date) -> int:
    """Delete the vendor's history rows older than the daily window that are not the last of their month;
    returns how many went. Runs inside the vendor's scope."""
    cutoff = today - timedelta(days=DAILY_DAYS)
    old = (
        KpiSnapshot.objects.filter(vendor=vendor, snapshot_date__lt=cutoff)
        .order_by("group_type", "group_key", "granularity", "period", "-snapshot_date")
        .values_list("pk", "is_latest", "group_type", "group_key", "granularity", "period", "snapshot_date")
    )
    kept, doomed = set(), []
    for pk, latest, *key, day in old.iterator(chunk_size=5000):
        month = (*key, day.year, day.month)
        if month in kept:
            if not latest:  # (a current row is always the newest of its group: never here)
                doomed.append(pk)
        else:
            kept.add(month)  # rows come newest first: the first of a month is its last day's
    for start in range(0, len(doomed), DELETE_BATCH):
        KpiSnapshot.objects.filter(pk__in=doomed[start : start + DELETE_BATCH]).delete()
    return len(doomed)
