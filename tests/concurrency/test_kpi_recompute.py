"""Two KPI recomputes of one vendor at the same moment (two staff members asking at once, or one of them and the
job after a deal change): the day's snapshot rows are those of one clean run, each once (DESIGN §6)."""

import pytest
from django.db.models import Count
from django_scopes import scopes_disabled

from deals.models import Deal
from knowledge import kpis
from knowledge.models import KpiSnapshot, RecomputeRun
from meddic.services import scores_refresh
from prm.clock import vendor_today
from prm.tenancy import vendor_scope
from tests.deals.conftest import register
from tests.knowledge.test_kpis import snapshot_rows

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

URL = "/api/v1/vendors/acme/kpis/recompute/"


def closed(world, user, phase, amount):
    deal = register(world, user, submit=True, customer_name=f"顧客{phase}{amount}")
    extra = {"loss_type": "competitor"} if phase == "lost" else {}
    with scopes_disabled():
        Deal.objects.filter(pk=deal.pk).update(
            phase=phase, amount=amount, close_date=vendor_today(world.acme), **extra
        )
    return deal


def test_two_recomputes_at_once_leave_the_rows_of_one_clean_run(world, race, api_for):
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
    # Both runs write at the same time unless the vendor's recompute lock makes the second wait for the first.
    race.meet_in(kpis, "_lock", after=True)

    def ask(user):
        client = api_for(user)
        return lambda: client.post(URL)

    responses = race.run(ask(world.vendor_admin), ask(world.channel_manager))

    assert not [r for r in responses if isinstance(r, BaseException)], responses
    assert [r.status_code for r in responses] == [202, 202]
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
