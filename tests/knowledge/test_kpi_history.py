"""KPI snapshot history: rows are written only when figures change, the current row of each group and period is
read directly, and pruning keeps the current figures and every month end (DESIGN §6)."""

from datetime import date, timedelta

import pytest
from django.db import connection
from django.forms.models import model_to_dict
from django.test.utils import CaptureQueriesContext
from django_scopes import scopes_disabled

from deals.models import Deal
from knowledge.jobs import kpis_full_recompute
from knowledge.kpis import GROUP_TYPES, kpis_recompute
from knowledge.models import KpiCheck, KpiSnapshot
from knowledge.periods import GRANULARITIES
from knowledge.retention import DAILY_DAYS, snapshots_prune
from knowledge.selectors import latest_snapshots
from prm.tenancy import vendor_scope
from tests.knowledge.test_kpis import deals  # noqa: F401  (fixture)

pytestmark = pytest.mark.django_db

DAY = date(2026, 5, 15)
KEY = ("group_type", "group_key", "granularity", "period")


def recompute(world, day):
    with vendor_scope(world.acme):
        return kpis_recompute(vendor=world.acme, snapshot_date=day)


def all_rows(world):
    with scopes_disabled():
        return list(KpiSnapshot.objects.filter(vendor=world.acme).order_by(*KEY, "snapshot_date"))


def current_figures(world) -> dict:
    """Every current row as the pages read it: each granularity, group type and period."""
    figures = {}
    with vendor_scope(world.acme):
        for granularity in GRANULARITIES:
            keys = sorted(
                set(KpiSnapshot.objects.filter(granularity=granularity).values_list("period", flat=True))
            )
            for group_type in GROUP_TYPES:
                for row in latest_snapshots(
                    vendor=world.acme, granularity=granularity, periods=keys, group_type=group_type
                ):
                    figures[tuple(getattr(row, f) for f in KEY)] = model_to_dict(
                        row, exclude=["id", "vendor", "is_latest"]
                    )
    assert figures
    return figures


def as_of(rows: list[KpiSnapshot], day: date) -> dict:
    """Each group's figures on ``day``: its newest row on or before it."""
    found = {}
    for row in rows:  # ordered by key, then day
        if row.snapshot_date <= day:
            found[tuple(getattr(row, f) for f in KEY)] = model_to_dict(
                row, exclude=["id", "vendor", "is_latest", "snapshot_date", "computed_at"]
            )
    return found


def test_a_night_without_changes_writes_no_row_and_says_when_it_checked(world, deals):  # noqa: F811
    recompute(world, DAY)
    before = [model_to_dict(row) for row in all_rows(world)]
    with scopes_disabled():
        first_check = KpiCheck.objects.get(vendor=world.acme, granularity="quarter", period="FY2026-Q1")
    recompute(world, DAY + timedelta(days=1))
    assert [model_to_dict(row) for row in all_rows(world)] == before
    with scopes_disabled():
        check = KpiCheck.objects.get(vendor=world.acme, granularity="quarter", period="FY2026-Q1")
        assert KpiCheck.objects.filter(vendor=world.acme).count() == 18 + 7 + 3
    assert check.checked_at > first_check.checked_at


def test_a_changed_figure_gets_a_new_current_row_and_the_old_one_stays_as_history(world, deals):  # noqa: F811
    recompute(world, DAY)
    count = len(all_rows(world))
    with scopes_disabled():
        Deal.objects.filter(pk=deals["won_may"].pk).update(amount=900)
    recompute(world, DAY + timedelta(days=1))
    rows = all_rows(world)
    new = [row for row in rows if row.snapshot_date == DAY + timedelta(days=1)]
    # May 2026, FY2026-Q1 and FY2026 of the vendor, alpha, gold and alpha's channel manager changed.
    assert {(row.group_type, row.period) for row in new} == {
        (group_type, period)
        for group_type in ("vendor", "partner", "tier", "channel_manager")
        for period in ("2026-05", "FY2026-Q1", "FY2026")
    }
    assert len(rows) == count + len(new)
    assert all(row.is_latest for row in new)
    with vendor_scope(world.acme):
        [row] = latest_snapshots(
            vendor=world.acme, granularity="quarter", periods=["FY2026-Q1"], group_type="vendor"
        )
    assert row.won_amount == 300 + 900 and row.snapshot_date == DAY + timedelta(days=1)
    old = next(r for r in rows if (r.group_type, r.period, r.snapshot_date) == ("vendor", "FY2026-Q1", DAY))
    assert old.won_amount == 800 and not old.is_latest
    # The same day again: the day's row is updated in place.
    with scopes_disabled():
        Deal.objects.filter(pk=deals["won_may"].pk).update(amount=1_000)
    recompute(world, DAY + timedelta(days=1))
    assert len(all_rows(world)) == len(rows)


def test_current_rows_are_read_in_one_query_without_a_subquery(world, deals):  # noqa: F811
    recompute(world, DAY)
    with vendor_scope(world.acme), CaptureQueriesContext(connection) as queries:
        rows = list(
            latest_snapshots(
                vendor=world.acme, granularity="month", periods=["2026-04", "2026-05"], group_type="partner"
            )
        )
    assert len(rows) == 4
    [query] = queries.captured_queries
    assert query["sql"].upper().count("SELECT") == 1


def test_pruning_keeps_the_current_figures_and_every_month_end(world, deals):  # noqa: F811
    """A hundred nights in which a deal's amount changes every few days: pruning removes older daily rows, and
    the figures shown, and each group's figures at every month end, are those of before."""
    first = date(2026, 2, 1)
    days = [first + timedelta(days=n) for n in range(104)]
    for n, day in enumerate(days):
        if n % 3 == 0:
            with scopes_disabled():
                Deal.objects.filter(pk=deals["won_april"].pk).update(amount=300 + n)
        recompute(world, day)
    today = days[-1]
    rows = all_rows(world)
    shown = current_figures(world)
    month_ends = [date(2026, 2, 28), date(2026, 3, 31)]
    before = {end: as_of(rows, end) for end in month_ends}
    recent = {day: as_of(rows, day) for day in days if day >= today - timedelta(days=DAILY_DAYS)}

    with vendor_scope(world.acme):
        removed = snapshots_prune(vendor=world.acme, today=today)

    after_rows = all_rows(world)
    assert removed > 0 and len(after_rows) == len(rows) - removed
    assert current_figures(world) == shown
    assert {end: as_of(after_rows, end) for end in month_ends} == before
    assert {day: as_of(after_rows, day) for day in recent} == recent
    # Older than the daily window, a group keeps at most one row a month.
    cutoff = today - timedelta(days=DAILY_DAYS)
    old_months = [
        (*(getattr(row, f) for f in KEY), row.snapshot_date.year, row.snapshot_date.month)
        for row in after_rows
        if row.snapshot_date < cutoff and not row.is_latest
    ]
    assert len(old_months) == len(set(old_months))
    # Pruning again removes nothing.
    with vendor_scope(world.acme):
        assert snapshots_prune(vendor=world.acme, today=today) == 0


def test_pruning_recent_months_every_night_keeps_what_one_full_prune_keeps(world, deals):  # noqa: F811
    first = date(2026, 2, 1)
    days = [first + timedelta(days=n) for n in range(140)]  # the deal's April figures change from April 1
    for n, day in enumerate(days):
        if n % 2 == 0:
            with scopes_disabled():
                Deal.objects.filter(pk=deals["won_april"].pk).update(amount=300 + n)
        recompute(world, day)
    rows = all_rows(world)
    with vendor_scope(world.acme):
        nightly_removed = sum(snapshots_prune(vendor=world.acme, today=day, recent=True) for day in days)
    kept_nightly = {row.pk for row in all_rows(world)}
    with vendor_scope(world.acme):
        assert snapshots_prune(vendor=world.acme, today=days[-1]) == 0  # the full prune finds nothing left
    assert nightly_removed > 0 and len(kept_nightly) == len(rows) - nightly_removed


def test_the_full_recompute_prunes(world, deals):  # noqa: F811
    recompute(world, date(2026, 7, 10))
    with scopes_disabled():
        Deal.objects.filter(pk=deals["won_may"].pk).update(amount=900)
    recompute(world, date(2026, 7, 11))
    with scopes_disabled():
        Deal.objects.filter(pk=deals["won_may"].pk).update(amount=950)
    recompute(world, date(2026, 7, 12))
    with scopes_disabled():
        july = KpiSnapshot.objects.filter(vendor=world.acme, snapshot_date__lte=date(2026, 7, 12))
        history = july.filter(is_latest=False).count()
    assert history > 0
    with vendor_scope(world.acme):
        kpis_full_recompute(vendor=world.acme)  # today is months later
    with scopes_disabled():
        days = set(
            KpiSnapshot.objects.filter(vendor=world.acme, is_latest=False).values_list(
                "snapshot_date", flat=True
            )
        )
    assert date(2026, 7, 10) not in days and date(2026, 7, 11) not in days


# --- the nightly job recomputes what can have changed -------------------------------------------------------------


@pytest.fixture
def weekday_night(monkeypatch, world):
    """Tonight is not the weekly full night."""
    from knowledge import jobs
    from prm.clock import vendor_today

    monkeypatch.setattr(jobs, "FULL_NIGHT_WEEKDAY", (vendor_today(world.acme).weekday() + 1) % 7)


def nightly(world):
    from knowledge.jobs import kpis_nightly

    with vendor_scope(world.acme), CaptureQueriesContext(connection) as queries:
        rows = kpis_nightly(vendor=world.acme)
    return rows, queries.captured_queries


def aggregates(queries) -> int:
    return sum("GROUP BY" in q["sql"] and "deals_deal" in q["sql"] for q in queries)


def current(world) -> dict:
    with scopes_disabled():
        return {
            (r.group_type, r.group_key, r.granularity, r.period): model_to_dict(
                r, exclude=["id", "snapshot_date", "computed_at"]
            )
            for r in KpiSnapshot.objects.filter(vendor=world.acme, is_latest=True)
        }


def test_a_night_without_changes_recomputes_nothing_and_confirms_every_period(
    world,
    deals,  # noqa: F811
    weekday_night,
):
    first_rows, _queries = nightly(world)  # never checked: everything
    before = current(world)
    with scopes_disabled():
        checks_before = dict(KpiCheck.objects.values_list("period", "checked_at"))
    rows, queries = nightly(world)
    # No figure depends on the date: nothing is read again, every period is confirmed.
    assert first_rows > 0 and rows == 0 and aggregates(queries) == 0
    assert current(world) == before
    with scopes_disabled():
        checks = dict(KpiCheck.objects.values_list("period", "checked_at"))
    assert checks.keys() == checks_before.keys() and all(checks[k] > checks_before[k] for k in checks)


def test_a_changed_deal_or_score_gets_its_periods_recomputed_as_a_full_run_would(
    world,
    deals,  # noqa: F811
    weekday_night,
):
    from django.utils import timezone

    from knowledge.jobs import kpis_full_recompute
    from meddic.models import DealScore

    nightly(world)
    with scopes_disabled():
        Deal.objects.filter(pk=deals["won_may"].pk).update(amount=900, updated_at=timezone.now())
        DealScore.objects.filter(deal=deals["open_tokyo"]).update(quality=99, computed_at=timezone.now())
    nightly(world)
    after_nightly = current(world)
    vendor_q1 = after_nightly[("vendor", "", "quarter", "FY2026-Q1")]
    assert vendor_q1["won_amount"] == 300 + 900
    with vendor_scope(world.acme):
        kpis_full_recompute(vendor=world.acme)
    assert current(world) == after_nightly


def test_a_changed_partner_or_the_weekly_night_recomputes_everything(
    world,
    deals,  # noqa: F811
    weekday_night,
    monkeypatch,
):
    from knowledge import jobs
    from partners.models import PartnerCompany
    from prm.clock import vendor_today

    nightly(world)
    with scopes_disabled():
        partner = PartnerCompany.objects.get(pk=world.beta.pk)
        partner.tier = "gold"
        partner.save()
    rows = nightly(world)[0]
    assert rows == len(current(world))  # every group in every period
    assert ("tier", "silver", "quarter", "FY2026-Q1") not in current(world)
    assert nightly(world)[0] < rows
    monkeypatch.setattr(jobs, "FULL_NIGHT_WEEKDAY", vendor_today(world.acme).weekday())
    assert nightly(world)[0] == rows
