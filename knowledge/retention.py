"""How long KPI snapshot history is kept: every row of the last ``DAILY_DAYS`` days, then one row per group,
period and calendar month (the month's last, so the figures of every month end stay), and the current rows always.

Rows are written only when figures change (``knowledge.kpis``), so a group's figures on any day are those of its
newest row on or before that day: within the daily window exactly, before it as of the end of each month. The
nightly job prunes after it recomputes; the number of rows stays proportional to the groups and periods, not to
the days the product has run.
"""

from datetime import date, timedelta

from django.db.models import F, Window
from django.db.models.functions import RowNumber, TruncMonth

from knowledge.models import KpiSnapshot
from partners.models import Vendor

DAILY_DAYS = 42
DELETE_BATCH = 2000
# A nightly prune looks at the months the daily window left in this many days; the weekly full run at all.
RECENT_DAYS = 7
KEY = ("group_type", "group_key", "granularity", "period")


def snapshots_prune(*, vendor: Vendor, today: date, recent: bool = False) -> int:
    """Delete the vendor's history rows older than the daily window that are not the last of their month;
    returns how many went. The database ranks the rows of each group, period and month (newest first) and
    names the others, so only the rows to delete reach Python. With ``recent`` (the nightly run), only the
    months the window left in the last ``RECENT_DAYS`` days are looked at: older ones were pruned before. Runs
    inside the vendor's scope."""
    cutoff = today - timedelta(days=DAILY_DAYS)
    rows = KpiSnapshot.objects.filter(vendor=vendor, snapshot_date__lt=cutoff)
    if recent:
        rows = rows.filter(snapshot_date__gte=(cutoff - timedelta(days=RECENT_DAYS)).replace(day=1))
    ranked = (
        rows.annotate(
            newest_first=Window(
                RowNumber(),
                partition_by=[*(F(name) for name in KEY), TruncMonth("snapshot_date")],
                order_by=F("snapshot_date").desc(),
            )
        )
        # A current row is the newest of its group and period, so always first of its month: never deleted.
        .filter(newest_first__gt=1)
    )
    doomed = list(ranked.values_list("pk", flat=True))
    for start in range(0, len(doomed), DELETE_BATCH):
        KpiSnapshot.objects.filter(pk__in=doomed[start : start + DELETE_BATCH]).delete()
    return len(doomed)
