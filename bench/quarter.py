"""One fiscal quarter by partner for every vendor: our KPI rows against one hand-written ``GROUP BY`` query.

Both give the same numbers (``compare`` checks it); the benchmark times them in the same run.
"""

from datetime import datetime, time
from decimal import ROUND_HALF_UP, Decimal
from zoneinfo import ZoneInfo

from django.db import connection
from django_scopes import scopes_disabled

from deals.models import OPEN_PHASES, Phase
from knowledge.kpis import kpi_rows
from knowledge.models import GroupType
from knowledge.periods import Period
from partners.models import Vendor
from prm.tenancy import vendor_scope

PHASES = list(Phase.values)
PHASE_COUNTS = ",\n        ".join(
    f"COUNT(*) FILTER (WHERE d.registered_at >= %(since)s AND d.registered_at < %(until)s AND d.phase = '{phase}') "
    f'AS "phase_{phase}"'
    for phase in PHASES
)
# Registered in the quarter (vendor-local times); closed in it (dates); drafts never count.
RAW_SQL = f"""
WITH totals AS (
    SELECT d.vendor_id, d.partner_id,
        COUNT(*) FILTER (WHERE d.registered_at >= %(since)s AND d.registered_at < %(until)s) AS proposals,
        COUNT(*) FILTER (WHERE d.phase = 'won' AND d.close_date >= %(start)s AND d.close_date < %(end)s) AS won,
        COUNT(*) FILTER (WHERE d.phase = 'lost' AND d.close_date >= %(start)s AND d.close_date < %(end)s) AS lost,
        COALESCE(SUM(d.amount) FILTER (
            WHERE d.phase = 'won' AND d.close_date >= %(start)s AND d.close_date < %(end)s), 0) AS won_amount,
        COALESCE(SUM(d.amount) FILTER (
            WHERE d.registered_at >= %(since)s AND d.registered_at < %(until)s AND d.phase IN %(open)s), 0)
            AS open_pipeline_amount,
        AVG(s.quality) FILTER (
            WHERE d.registered_at >= %(since)s AND d.registered_at < %(until)s AND d.phase IN %(open)s)
            AS avg_quality,
        AVG(s.visibility) FILTER (
            WHERE d.registered_at >= %(since)s AND d.registered_at < %(until)s AND d.phase IN %(open)s)
            AS avg_visibility,
        {PHASE_COUNTS}
    FROM deals_deal d
    LEFT JOIN meddic_dealscore s ON s.deal_id = d.id
    WHERE d.registration_status <> 'draft'
      AND ((d.registered_at >= %(since)s AND d.registered_at < %(until)s)
           OR (d.phase IN ('won', 'lost') AND d.close_date >= %(start)s AND d.close_date < %(end)s))
    GROUP BY d.vendor_id, d.partner_id
)
SELECT *,
    ROUND(won::numeric / NULLIF(won + lost, 0), 6) AS win_rate,
    ROUND(won_amount::numeric / NULLIF(won, 0), 2) AS avg_unit_price,
    CASE WHEN won > 0 THEN ROUND(proposals * won_amount::numeric / (won + lost), 2) END AS expected_value
FROM totals
"""  # noqa: S608  (phase codes are constants)
COMPARED = (
    "proposals",
    "won",
    "lost",
    "win_rate",
    "avg_unit_price",
    "expected_value",
    "won_amount",
    "open_pipeline_amount",
    "avg_quality",
    "avg_visibility",
)


def bulk_vendors() -> list[Vendor]:
    with scopes_disabled():
        return list(Vendor.objects.order_by("pk"))


def ours(vendors: list[Vendor], quarter: Period) -> dict:
    """Our KPI rows of ``quarter`` by partner for every vendor, one vendor at a time: {(vendor, partner): row}."""
    rows = {}
    for vendor in vendors:
        with vendor_scope(vendor):
            for row in kpi_rows(vendor=vendor, periods=[quarter], group_type=GroupType.PARTNER):
                rows[vendor.pk, int(row["group_key"])] = row
    return rows


def raw(vendors: list[Vendor], quarter: Period) -> dict:
    """The same numbers from one query over every vendor (all bulk vendors share a time zone and fiscal year)."""
    zones = {(vendor.time_zone, vendor.fiscal_year_start_month) for vendor in vendors}
    if len(zones) != 1:
        raise ValueError("The raw query assumes one time zone and fiscal year for every vendor.")
    zone = ZoneInfo(next(iter(zones))[0])
    params = {
        "since": datetime.combine(quarter.start, time.min, zone),
        "until": datetime.combine(quarter.end, time.min, zone),
        "start": quarter.start,
        "end": quarter.end,
        "open": tuple(OPEN_PHASES),
    }
    with connection.cursor() as cursor:
        cursor.execute(RAW_SQL, params)
        names = [column.name for column in cursor.description]
        return {(row[0], row[1]): dict(zip(names, row, strict=True)) for row in cursor.fetchall()}


def compare(ours_rows: dict, raw_rows: dict) -> list[str]:
    """Differences between the two (empty when they agree); partners without deals are zero rows in ours."""
    problems = []
    for key, row in raw_rows.items():
        mine = ours_rows.get(key)
        if mine is None:
            problems.append(f"{key}: missing from our rows")
            continue
        for name in COMPARED:
            theirs = _rounded(name, row[name])
            if mine[name] != theirs:
                problems.append(f"{key} {name}: ours {mine[name]!r}, raw {theirs!r}")
        distribution = {phase: row[f"phase_{phase}"] for phase in PHASES if row[f"phase_{phase}"]}
        if mine["status_distribution"] != distribution:
            problems.append(
                f"{key} status_distribution: ours {mine['status_distribution']}, raw {distribution}"
            )
    for key, row in ours_rows.items():
        if key not in raw_rows and (row["proposals"] or row["won"] or row["lost"]):
            problems.append(f"{key}: deals in our rows only")
    return problems


def _rounded(name: str, value):
    if value is not None and name in ("avg_quality", "avg_visibility"):
        return Decimal(value).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
    return value
