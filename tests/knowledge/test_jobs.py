"""KPI jobs: the nightly dispatch at 02:00 vendor time, recompute on request with progress, the debounced
recompute after deal changes, ``manage.py recompute_kpis``, and a run interrupted inside its transaction."""

from datetime import UTC, date, datetime, timedelta
from io import StringIO

import pytest
from django.core.cache import cache
from django.core.management import CommandError, call_command
from django.db import transaction
from django.forms.models import model_to_dict
from django.utils import timezone
from django_scopes import scopes_disabled

from deals import services
from deals.models import Deal
from knowledge import tasks
from knowledge.jobs import recompute_request, touched_periods
from knowledge.kpis import kpis_recompute
from knowledge.models import KpiSnapshot, RecomputeRun
from partners.models import Vendor
from prm.celery import app
from prm.clock import vendor_today
from prm.tenancy import vendor_scope
from tests.conftest import access_of
from tests.deals.conftest import register


@pytest.fixture(autouse=True)
def _no_pending_marks():
    cache.clear()
    yield
    cache.clear()


def snapshot_rows(vendor):
    with scopes_disabled():
        rows = KpiSnapshot.objects.filter(vendor=vendor).order_by(
            "group_type", "group_key", "granularity", "period"
        )
        return [model_to_dict(row, exclude=["id", "computed_at"]) for row in rows]


# --- Nightly dispatch -------------------------------------------------------------------------------------------


def test_beat_runs_the_dispatch_every_half_hour():
    entry = app.conf.beat_schedule["recompute-kpis"]
    assert entry["task"] == tasks.recompute_kpis_due.name == "knowledge.tasks.recompute_kpis_due"
    assert entry["schedule"].minute == {0, 30}
    assert entry["schedule"].hour == set(range(24))


def test_each_vendor_runs_once_a_day_at_two_in_its_own_time_zone(world, monkeypatch):
    with scopes_disabled():
        Vendor.objects.filter(pk=world.rival.pk).update(time_zone="Asia/Kolkata")  # UTC+05:30
        Vendor.objects.create(slug="closed", name="Closed", is_active=False)
    started = []
    monkeypatch.setattr(tasks.recompute_kpis, "apply_async", lambda kwargs, **options: started.append(kwargs))
    runs = {}
    tick = datetime(2026, 11, 23, 0, 0, tzinfo=UTC)
    for _ in range(48):  # a day of beat's half-hourly ticks
        for vendor_id in tasks.recompute_kpis_due(tick.isoformat()):
            runs.setdefault(vendor_id, []).append(tick)
        tick += timedelta(minutes=30)
    # 02:00 in Tokyo is 17:00 UTC; 02:00 in Kolkata is 20:30 UTC. Inactive vendors never run.
    assert runs == {
        world.acme.pk: [datetime(2026, 11, 23, 17, 0, tzinfo=UTC)],
        world.rival.pk: [datetime(2026, 11, 23, 20, 30, tzinfo=UTC)],
    }
    assert sorted(kwargs["vendor_id"] for kwargs in started) == sorted([world.acme.pk, world.rival.pk])
    assert all(kwargs["nightly"] for kwargs in started)


def test_the_nightly_task_writes_every_snapshot_row_of_the_vendor(world):
    register(world, world.partner_rep, submit=True)
    written = tasks.recompute_kpis.delay(vendor_id=world.acme.pk).get()
    assert written == len(snapshot_rows(world.acme)) > 0
    assert snapshot_rows(world.rival) == []
    # Unfollowed runs (the nightly one) leave no run record.
    with scopes_disabled():
        assert not RecomputeRun.objects.exists()


def test_the_nightly_run_refreshes_the_insights_after_the_kpis(world):
    from knowledge.models import InsightResult

    register(world, world.partner_rep, submit=True)
    tasks.recompute_kpis.delay(vendor_id=world.acme.pk).get()
    with scopes_disabled():
        assert not InsightResult.objects.exists()  # a requested recompute leaves them to their next read
    tasks.recompute_kpis.delay(vendor_id=world.acme.pk, nightly=True).get()
    with scopes_disabled():
        stored = set(InsightResult.objects.filter(vendor=world.acme).values_list("report", flat=True))
        assert not InsightResult.objects.filter(vendor=world.rival).exists()
    assert stored == {"loss_factors", "ringi_patterns", "playbook"}


# --- On request, with progress --------------------------------------------------------------------------------


def test_a_requested_recompute_starts_on_commit_and_reports_done(world, django_capture_on_commit_callbacks):
    register(world, world.partner_rep, submit=True)
    with vendor_scope(world.acme), django_capture_on_commit_callbacks(execute=False) as callbacks:
        run = recompute_request(access=access_of(world.channel_manager, world.acme))
    assert (run.state, run.progress) == ("PENDING", 0)
    assert snapshot_rows(world.acme) == []  # nothing runs before the commit
    for callback in callbacks:
        callback()
    with scopes_disabled():
        run.refresh_from_db()
    assert (run.state, run.progress, run.rows) == ("SUCCESS", 100, len(snapshot_rows(world.acme)))
    assert run.finished_at is not None and run.requested_by == world.channel_manager


def test_progress_rises_to_100(world):
    register(world, world.partner_rep, submit=True)
    seen = []
    with vendor_scope(world.acme):
        kpis_recompute(vendor=world.acme, progress=seen.append)
    assert seen == sorted(seen) and seen[0] == 0 and seen[-1] == 100 and len(set(seen)) >= 4


def test_a_failed_run_says_so_without_failing_the_request(
    world, monkeypatch, caplog, django_capture_on_commit_callbacks
):
    def broken(**kwargs):
        raise RuntimeError("database went away")

    monkeypatch.setattr(tasks, "kpis_full_recompute", broken)
    with django_capture_on_commit_callbacks(execute=True), vendor_scope(world.acme):
        recompute_request(access=access_of(world.vendor_admin, world.acme))
    with scopes_disabled():
        run = RecomputeRun.objects.get()
    assert (run.state, run.progress) == ("FAILURE", 100)
    assert "database went away" in caplog.text


def test_a_broker_that_is_away_fails_the_run(world, monkeypatch, django_capture_on_commit_callbacks):
    from kombu.exceptions import OperationalError

    def away(*args, **kwargs):
        raise OperationalError("Connection refused")

    monkeypatch.setattr(tasks.recompute_kpis, "apply_async", away)
    with django_capture_on_commit_callbacks(execute=True), vendor_scope(world.acme):
        run = recompute_request(access=access_of(world.vendor_admin, world.acme))
    with scopes_disabled():
        run.refresh_from_db()
    assert run.state == "FAILURE"


def test_a_deal_change_is_saved_when_the_recompute_cannot_be_queued(
    world, monkeypatch, django_capture_on_commit_callbacks
):
    deal = register(world, world.partner_rep, submit=True)

    def away(*args, **kwargs):
        raise ConnectionError("cache and broker are away")

    monkeypatch.setattr(cache, "add", away)
    with django_capture_on_commit_callbacks(execute=True):
        edit(world, deal, amount=123_456)
    with scopes_disabled():
        assert Deal.objects.get(pk=deal.pk).amount == 123_456


@pytest.mark.parametrize("role", ["partner_rep", "partner_admin"])
def test_partners_cannot_start_a_recompute(world, role):
    from django.core.exceptions import PermissionDenied

    with vendor_scope(world.acme), pytest.raises(PermissionDenied):
        recompute_request(access=access_of(world.user(role), world.acme))


# --- After deal changes ---------------------------------------------------------------------------------------


@pytest.fixture
def queued(monkeypatch):
    calls = []
    monkeypatch.setattr(
        tasks.recompute_kpi_periods,
        "apply_async",
        lambda kwargs, countdown: calls.append((kwargs, countdown)),
    )
    return calls


def edit(world, deal, **fields):
    with vendor_scope(world.acme):
        current = Deal.objects.get(pk=deal.pk)
        return services.deal_update(
            access=access_of(world.partner_rep, world.acme),
            deal=current,
            version=current.version,
            fields=fields,
        )


def test_a_change_queues_its_periods_once_within_the_delay(
    world, queued, settings, django_capture_on_commit_callbacks
):
    settings.KPI_RECOMPUTE_DELAY_SECONDS = 45
    deal = register(world, world.partner_rep, submit=True)
    queued.clear()
    with django_capture_on_commit_callbacks(execute=True):
        edit(world, deal, amount=deal.amount + 1_000)
    [(kwargs, countdown)] = queued
    expected = [p.key for p in touched_periods(world.acme, {deal.close_date})]
    assert kwargs == {"vendor_id": world.acme.pk, "period_keys": expected} and countdown == 45
    # Another change in the delay shares the queued recompute; none is queued for a title-only change.
    with django_capture_on_commit_callbacks(execute=True):
        edit(world, deal, amount=deal.amount + 2_000)
        edit(world, deal, title="名前だけ変更")
    assert len(queued) == 1
    # Once the recompute has run, the next change queues again.
    tasks.recompute_kpi_periods(vendor_id=world.acme.pk, period_keys=kwargs["period_keys"])
    with django_capture_on_commit_callbacks(execute=True):
        edit(world, deal, phase="lost", loss_type="competitor", close_date=vendor_today(world.acme))
    assert len(queued) == 2


def test_nothing_is_queued_when_the_transaction_rolls_back(world, queued, django_capture_on_commit_callbacks):
    deal = register(world, world.partner_rep, submit=True)
    queued.clear()
    with django_capture_on_commit_callbacks(execute=True):
        with pytest.raises(RuntimeError), transaction.atomic():
            edit(world, deal, amount=deal.amount + 1)
            raise RuntimeError("the surrounding work failed")
        edit(world, deal, title="変更が失敗した後")
    assert queued == []


def test_moving_the_close_date_touches_the_old_and_new_periods(
    world, queued, django_capture_on_commit_callbacks
):
    deal = register(world, world.partner_rep, submit=True)
    with scopes_disabled():
        today = deal.registered_at.date()
    queued.clear()
    old, new = today - timedelta(days=100), today - timedelta(days=200)
    with scopes_disabled():
        Deal.objects.filter(pk=deal.pk).update(close_date=old)
    with django_capture_on_commit_callbacks(execute=True):
        edit(world, deal, close_date=new)
    keys = queued[0][0]["period_keys"]
    month = lambda day: f"{day.year:04d}-{day.month:02d}"  # noqa: E731
    assert {month(old), month(new), month(today)} <= set(keys)


def test_submitting_a_deal_queues_a_recompute_that_counts_it(
    world, queued, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        register(world, world.partner_rep, submit=True)
    [(kwargs, _countdown)] = queued
    this_month = vendor_today(world.acme).strftime("%Y-%m")
    assert this_month in kwargs["period_keys"]
    tasks.recompute_kpi_periods(**kwargs)
    with scopes_disabled():
        row = KpiSnapshot.objects.get(
            vendor=world.acme, group_type="partner", group_key=str(world.alpha.pk), period=this_month
        )
    assert row.proposals == 1


# --- Command and interruptions ---------------------------------------------------------------------------------


def test_command_recomputes_one_vendor_or_all(world):
    register(world, world.partner_rep, submit=True)
    out = StringIO()
    call_command("recompute_kpis", vendor="acme", stdout=out)
    assert out.getvalue().startswith("acme: ") and "KPI rows" in out.getvalue()
    assert snapshot_rows(world.acme) and not snapshot_rows(world.rival)
    out = StringIO()
    call_command("recompute_kpis", stdout=out)
    assert [line.split(":")[0] for line in out.getvalue().splitlines()] == ["acme", "rival"]
    with pytest.raises(CommandError, match="No vendor"):
        call_command("recompute_kpis", vendor="nobody")


def test_a_run_interrupted_while_writing_leaves_the_previous_rows_and_a_rerun_completes(world, monkeypatch):
    register(world, world.partner_rep, submit=True)
    day = date(2026, 11, 24)
    with vendor_scope(world.acme):
        kpis_recompute(vendor=world.acme, snapshot_date=day)
    before = snapshot_rows(world.acme)
    register(world, world.beta_rep, submit=True, customer_name="途中で止まる顧客")
    real = KpiSnapshot.objects.bulk_create

    def half_then_die(objs, **kwargs):
        real(objs[: len(objs) // 2], **kwargs)
        raise SystemExit("worker killed")

    monkeypatch.setattr(KpiSnapshot.objects, "bulk_create", half_then_die)
    with vendor_scope(world.acme), pytest.raises(SystemExit):
        kpis_recompute(vendor=world.acme, snapshot_date=day)
    assert snapshot_rows(world.acme) == before  # nothing half-written
    monkeypatch.setattr(KpiSnapshot.objects, "bulk_create", real)
    with vendor_scope(world.acme):
        kpis_recompute(vendor=world.acme, snapshot_date=day)
    rerun = snapshot_rows(world.acme)
    with scopes_disabled():
        KpiSnapshot.objects.all().delete()
    with vendor_scope(world.acme):
        kpis_recompute(vendor=world.acme, snapshot_date=day)
    assert rerun == snapshot_rows(world.acme) != before


def test_requests_while_one_waits_join_it(world, django_capture_on_commit_callbacks):
    with vendor_scope(world.acme), django_capture_on_commit_callbacks(execute=False):
        first = recompute_request(access=access_of(world.channel_manager, world.acme))
        again = [recompute_request(access=access_of(world.vendor_admin, world.acme)) for _ in range(5)]
    assert {run.task_id for run in again} == {first.task_id}
    with scopes_disabled():
        assert RecomputeRun.objects.count() == 1
        # Once it runs, the next request queues one more (the data may have changed since it started) …
        RecomputeRun.objects.filter(pk=first.pk).update(state="STARTED")
    with vendor_scope(world.acme), django_capture_on_commit_callbacks(execute=False):
        queued = recompute_request(access=access_of(world.channel_manager, world.acme))
        joined = recompute_request(access=access_of(world.channel_manager, world.acme))
    assert queued.task_id != first.task_id and joined.task_id == queued.task_id
    # … and another vendor's request is its own.
    with vendor_scope(world.rival), django_capture_on_commit_callbacks(execute=False):
        rival = recompute_request(access=access_of(world.rival_admin, world.rival))
    assert rival.task_id not in (first.task_id, queued.task_id)


def test_a_run_waiting_for_over_an_hour_is_not_joined(world, django_capture_on_commit_callbacks):
    with vendor_scope(world.acme), django_capture_on_commit_callbacks(execute=False):
        lost = recompute_request(access=access_of(world.channel_manager, world.acme))
    with scopes_disabled():
        RecomputeRun.objects.filter(pk=lost.pk).update(requested_at=timezone.now() - timedelta(hours=2))
    with vendor_scope(world.acme), django_capture_on_commit_callbacks(execute=False):
        fresh = recompute_request(access=access_of(world.channel_manager, world.acme))
    assert fresh.task_id != lost.task_id
