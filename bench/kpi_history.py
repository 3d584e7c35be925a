"""A year of nightly KPI snapshots for the benchmark, as the nightly job writes them (PostgreSQL only).

The job writes a row when a group's figures changed. Deals register and close every day, so the rows of the
periods that hold a day (its month, fiscal quarter and fiscal year) changed on that day: for every day of the last
``days`` (yesterday back) and every group, one row of each period holding that day, a copy of the current row's
figures, no longer current (and older than it). One ``INSERT … SELECT`` per vendor (rows already there stay);
pruning (``knowledge.retention``) is left to the nightly job that follows.
"""

from datetime import timedelta

from django.db import connection
from django.utils import timezone

from knowledge.kpis import VALUE_FIELDS
from knowledge.models import KpiSnapshot
from knowledge.periods import GRANULARITIES, periods_between
from partners.models import Vendor
from prm.clock import vendor_today

FIGURES = ("group_type", "group_key", "group_name", "granularity", "period", *VALUE_FIELDS)


def seed_kpi_history(vendors: list[Vendor], days: int = 365, say=lambda line: None) -> int:
    """Write ``days`` of history before today for every vendor's current rows; returns the rows written."""
    table = KpiSnapshot._meta.db_table
    columns = ", ".join(FIGURES)
    written = 0
    for vendor in vendors:
        today = vendor_today(vendor)
        first = today - timedelta(days=days)
        periods = [
            (period.granularity, period.key, period.start, period.end)
            for granularity in GRANULARITIES
            for period in periods_between(first, today, granularity, vendor.fiscal_year_start_month)
        ]
        values = ", ".join(["(%s, %s, %s::date, %s::date)"] * len(periods))
        sql = f"""
            INSERT INTO {table} (vendor_id, {columns}, snapshot_date, computed_at, is_latest)
            SELECT s.vendor_id, {", ".join(f"s.{name}" for name in FIGURES)}, day::date, %s, false
            FROM {table} s
            JOIN (VALUES {values}) AS p (granularity, period, starts, ends)
                ON p.granularity = s.granularity AND p.period = s.period
            CROSS JOIN LATERAL generate_series(
                GREATEST(p.starts, %s::date), LEAST(p.ends - 1, %s::date, s.snapshot_date - 1), interval '1 day'
            ) AS day
            WHERE s.vendor_id = %s AND s.is_latest
            ON CONFLICT DO NOTHING
        """  # noqa: S608  (table and column names only)
        params = [
            timezone.now() - timedelta(days=1),
            *(value for period in periods for value in period),
            first,
            today - timedelta(days=1),
            vendor.pk,
        ]
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            written += cursor.rowcount
        say(f"{vendor.slug}: {written:,} history rows so far")
    return written
