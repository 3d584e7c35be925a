"""Two KPI recomputes of one vendor at the same moment (the running one and the next queued one, or one of them and the
job after a deal change): the day's snapshot rows are those of one clean run, each once (DESIGN §6)."""

import threading

import pytest
from django.db import connections
from django.db.models import Count
from django_scopes import scopes_disabled

from deals.models import Deal
from knowledge import kpis, tasks
from knowledge.jobs import touched_periods
from knowledge.models import KpiSnapshot, RecomputeRun
from meddic.services import scores_refresh
from prm.clock import vendor_today
from prm.tenancy import vendor_scope
from tests.concurrency.conftest import WAIT_SECONDS
from tests.deals.conftest import register
from tests.knowledge.test_kpis import snapshot_rows

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def closed(world, user, phase, amount):
    deal = register(world, user, submit=True, customer_name=f"顧客{phase}{amount}")
    extra = {"loss_type": "competitor"} if phase == "lost" else {}
    with scopes_disabled():
        Deal.objects.filter(pk=deal.pk).update(
            phase=phase, amount=amount, close_date=vendor_today(world.acme), **extra
        )
    return deal


def test_two_recomputes_at_once_leave_the_rows_of_one_clean_run(world, race):
    closed(world, world.partner_rep, "won", 300)
    closed(world, world.partner_rep, "lost", 50)
    closed(world, world.beta_rep, "won", 700)
    open_deal = register(world, world.beta_rep, submit=True, customer_name="ベータ顧客", amount=7_000)
    with vendor_scope(world.acme):
        scores_refresh(vendor=world.acme)
        kpis.kpis_recompute(vendor=world.acme)
    # Today's rows exist and are out of date: both runs update them.
    with scopes_disabled():
        Deal.objects.filter(pk=open_deal.pk).update(phase="won", close_date=vendor_today(world.acme))
    # Two requests while a run waits join it (test_jobs); two runs at once are one running and the next one queued
    # behind it, each on a worker. Both write at the same time unless the vendor's recompute lock makes the second
    # wait for the first.
    race.meet_in(kpis, "_lock", after=True)
    with scopes_disabled():
        for user, task_id in ((world.vendor_admin, "run-one"), (world.channel_manager, "run-two")):
            RecomputeRun.objects.create(vendor=world.acme, task_id=task_id, requested_by=user)

    def worker(task_id):
        return lambda: tasks.recompute_kpis.apply(kwargs={"vendor_id": world.acme.pk}, task_id=task_id).get()

    results = race.run(worker("run-one"), worker("run-two"))

    assert not [r for r in results if isinstance(r, BaseException)], results
    with scopes_disabled():
        runs = list(RecomputeRun.objects.filter(vendor=world.acme).values_list("state", "rows"))
        duplicated = (
            KpiSnapshot.objects.filter(vendor=world.acme)
            .values(*kpis.UNIQUE_FIELDS)
            .annotate(n=Count("pk"))
            .filter(n__gt=1)
        )
        assert not duplicated.exists()
    after_race = snapshot_rows(world.acme)
    assert len(after_race) == runs[0][1]
    assert {state for state, _rows in runs} == {"SUCCESS"} and len(runs) == 2
    # The same rows as one run alone writes from scratch.
    with scopes_disabled():
        KpiSnapshot.objects.filter(vendor=world.acme).delete()
    with vendor_scope(world.acme):
        kpis.kpis_recompute(vendor=world.acme)
    assert snapshot_rows(world.acme) == after_race
    vendor_rows = [r for r in after_race if r["group_type"] == "vendor" and r["granularity"] == "month"]
    assert vendor_rows[-1]["won"] == 3 and vendor_rows[-1]["won_amount"] == 8_000
    assert race.took_turns, "the second run did not wait for the first"


def test_a_run_that_read_before_a_deal_change_never_overwrites_a_later_runs_rows(world, monkeypatch):
    """The whole-vendor run reads, a deal is won, the job after that change recomputes its periods and writes;
    only then does the first run get to write. Today's rows must still count the won deal."""
    closed(world, world.partner_rep, "won", 300)
    open_deal = register(world, world.beta_rep, submit=True, customer_name="ベータ顧客", amount=7_000)
    full_run_read, change_job_done = threading.Event(), threading.Event()
    full_run_thread = None  # the thread of the whole-vendor run, set below
    load = kpis._Aggregates.load

    def load_then_pause(self, *args, **kwargs):
        load(self, *args, **kwargs)
        if threading.current_thread() is full_run_thread:
            full_run_read.set()
            assert change_job_done.wait(WAIT_SECONDS), "the job after the change did not finish"

    monkeypatch.setattr(kpis._Aggregates, "load", load_then_pause)
    errors = []

    def in_thread(call):
        def run():
            try:
                call()
            except BaseException as error:
                errors.append(error)
            finally:
                connections.close_all()

        return threading.Thread(target=run)

    full_run = in_thread(lambda: tasks.recompute_kpis(vendor_id=world.acme.pk))
    full_run_thread = full_run
    full_run.start()
    assert full_run_read.wait(WAIT_SECONDS)
    with scopes_disabled():
        Deal.objects.filter(pk=open_deal.pk).update(phase="won", close_date=vendor_today(world.acme))
    keys = [period.key for period in touched_periods(world.acme, {vendor_today(world.acme)})]
    change_job = in_thread(lambda: tasks.recompute_kpi_periods(vendor_id=world.acme.pk, period_keys=keys))
    change_job.start()
    change_job.join(WAIT_SECONDS)
    change_job_done.set()
    full_run.join(WAIT_SECONDS)

    assert not errors, errors
    assert not change_job.is_alive() and not full_run.is_alive()
    after = snapshot_rows(world.acme)
    with scopes_disabled():
        KpiSnapshot.objects.filter(vendor=world.acme).delete()
    with vendor_scope(world.acme):
        kpis.kpis_recompute(vendor=world.acme)
    assert after == snapshot_rows(world.acme)
    vendor_rows = [r for r in after if r["group_type"] == "vendor" and r["granularity"] == "month"]
    assert vendor_rows[-1]["won"] == 2 and vendor_rows[-1]["won_amount"] == 7_300
