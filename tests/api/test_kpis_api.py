"""The KPI API (DESIGN §7): rows per period and group from the snapshots, recompute, and the task's progress."""

from datetime import timedelta

import pytest
from django.core.cache import cache
from django_scopes import scopes_disabled

from deals.models import Deal
from knowledge.kpis import kpis_recompute
from knowledge.periods import period_of
from prm.clock import vendor_today
from prm.tenancy import vendor_scope
from tests.deals.conftest import register

URL = "/api/v1/vendors/acme/kpis/"
ROW_KEYS = {
    "group",
    "period",
    "proposals",
    "won",
    "lost",
    "win_rate",
    "avg_unit_price",
    "expected_value",
    "won_amount",
    "status_distribution",
    "open_pipeline_amount",
    "avg_quality",
    "avg_visibility",
    "computed_at",
}


def closed(world, user, phase, amount, **extra):
    deal = register(world, user, submit=True, customer_name=f"顧客{phase}{amount}", **extra)
    with scopes_disabled():
        Deal.objects.filter(pk=deal.pk).update(
            phase=phase, amount=amount, close_date=vendor_today(world.acme)
        )
    return deal


@pytest.fixture
def kpis(world):
    """This quarter: Alpha won 100 and 300 and lost one; Beta has one open deal. Snapshots computed."""
    closed(world, world.partner_rep, "won", 100)
    closed(world, world.partner_rep, "won", 300)
    closed(world, world.partner_rep, "lost", 50)
    register(world, world.beta_rep, submit=True, customer_name="ベータ顧客", amount=7_000)
    register(world, world.rival_rep, world.rival, submit=True, customer_name="他社顧客")
    for vendor in (world.acme, world.rival):
        with vendor_scope(vendor):
            kpis_recompute(vendor=vendor)
    return period_of(vendor_today(world.acme), "quarter", 4).key


def test_vendor_row_of_the_current_quarter_by_default(world, api_as, kpis):
    body = api_as(world.channel_manager).get(URL).json()
    assert body["count"] == 1 and set(body) == {"count", "next", "previous", "results"}
    [row] = body["results"]
    assert set(row) == ROW_KEYS
    assert row["group"] == {"type": "vendor", "id": "acme", "name": world.acme.name}
    assert row["period"] == kpis
    assert (row["proposals"], row["won"], row["lost"]) == (4, 2, 1)
    assert row["win_rate"] == pytest.approx(2 / 3)
    assert row["avg_unit_price"] == 200 and row["won_amount"] == 400
    assert row["expected_value"] == pytest.approx(4 * 400 / 3, abs=0.01)
    assert row["status_distribution"] == {"won": 2, "lost": 1, "evaluation": 1}


def test_partner_rows_with_ids_and_null_rates(world, api_as, kpis):
    body = api_as(world.vendor_admin).get(URL, {"group_by": "partner", "granularity": "quarter"}).json()
    rows = {row["group"]["id"]: row for row in body["results"]}
    assert set(rows) == {world.alpha.pk, world.beta.pk}
    beta = rows[world.beta.pk]
    assert beta["group"]["name"] == world.beta.name
    assert (beta["proposals"], beta["win_rate"], beta["avg_unit_price"], beta["expected_value"]) == (
        1,
        None,
        None,
        None,
    )
    assert beta["open_pipeline_amount"] == 7_000


def test_tier_and_manager_names_in_the_readers_language(world, api_as, kpis):
    client = api_as(world.vendor_admin)
    tiers = client.get(URL, {"group_by": "tier"}, HTTP_ACCEPT_LANGUAGE="ja").json()["results"]
    assert {(r["group"]["id"], r["group"]["name"]) for r in tiers} == {
        ("gold", "ゴールド"),
        ("silver", "シルバー"),
    }
    managers = client.get(URL, {"group_by": "channel_manager"}).json()["results"]
    assert {r["group"]["id"] for r in managers} == {world.channel_manager.pk, None}
    assert {r["group"]["name"] for r in managers if r["group"]["id"] is None} == {"Unassigned"}


def test_a_period_picks_its_granularity(world, api_as, kpis):
    month = vendor_today(world.acme).strftime("%Y-%m")
    [row] = api_as(world.channel_manager).get(URL, {"period": month}).json()["results"]
    assert row["period"] == month and row["proposals"] == 4


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"period": "2026-13"}, "period"),
        ({"period": "FY2026", "granularity": "month"}, "period"),
        ({"granularity": "week"}, "granularity"),
        ({"group_by": "customer"}, "group_by"),
    ],
)
def test_bad_parameters_are_400_with_the_field(world, api_as, kpis, params, field):
    response = api_as(world.channel_manager).get(URL, params)
    assert response.status_code == 400
    assert list(response.json()) == [field] and response.json()[field][0]


def test_a_period_without_snapshots_is_an_empty_list(world, api_as, kpis):
    body = api_as(world.channel_manager).get(URL, {"period": "FY2010-Q1"}).json()
    assert body["count"] == 0


def test_partners_see_only_their_company(world, api_as, kpis):
    client = api_as(world.partner_rep)
    [own] = client.get(URL, {"group_by": "partner"}).json()["results"]
    assert own["group"]["id"] == world.alpha.pk and own["won"] == 2
    # Not the tier: its totals less their own row would be the other partner's figures (DESIGN §17).
    for group_by in ("tier", "vendor", "channel_manager"):
        assert client.get(URL, {"group_by": group_by}).status_code == 403
    [beta] = api_as(world.beta_rep).get(URL, {"group_by": "partner"}).json()["results"]
    assert beta["group"]["id"] == world.beta.pk


def test_list_queries_do_not_grow_with_partners(world, api_as, kpis, django_assert_max_num_queries):
    from partners.models import PartnerCompany

    client = api_as(world.channel_manager)
    with django_assert_max_num_queries(8) as few:
        client.get(URL, {"group_by": "partner"})
    with scopes_disabled():
        for n in range(30):
            PartnerCompany.objects.create(vendor=world.acme, name=f"Extra {n}", tier="bronze")
    with vendor_scope(world.acme):
        kpis_recompute(vendor=world.acme)
    with django_assert_max_num_queries(len(few.captured_queries)):
        body = client.get(URL, {"group_by": "partner"}).json()
    assert body["count"] == 32 and len(body["results"]) == 32


def test_the_newest_snapshot_of_each_period_is_shown(world, api_as, kpis):
    with vendor_scope(world.acme):
        kpis_recompute(vendor=world.acme, snapshot_date=vendor_today(world.acme) - timedelta(days=1))
    closed(world, world.beta_rep, "won", 1_000)
    with vendor_scope(world.acme):
        kpis_recompute(vendor=world.acme)
    [row] = api_as(world.channel_manager).get(URL).json()["results"]
    assert row["won"] == 3


# --- Recompute and task progress -------------------------------------------------------------------------------


@pytest.fixture(autouse=True)
def _clear_cache():
    cache.clear()


def test_recompute_returns_a_task_to_follow(world, api_as, kpis, django_capture_on_commit_callbacks):
    client = api_as(world.channel_manager)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post("/api/v1/vendors/acme/kpis/recompute/")
    assert response.status_code == 202
    task_id = response.json()["task_id"]
    # Tasks run in-process here, so the first look finds it done.
    assert client.get(f"/api/v1/tasks/{task_id}/").json() == {"state": "SUCCESS", "progress": 100}
    # Other vendor staff of acme may follow it; another vendor's admin and partners may not.
    assert api_as(world.vendor_admin).get(f"/api/v1/tasks/{task_id}/").status_code == 200
    assert api_as(world.rival_admin).get(f"/api/v1/tasks/{task_id}/").status_code == 404
    assert api_as(world.partner_admin).get(f"/api/v1/tasks/{task_id}/").status_code == 404
    assert api_as(world.channel_manager).get("/api/v1/tasks/not-a-task/").status_code == 404


def test_partners_cannot_recompute(world, api_as):
    response = api_as(world.partner_admin).post("/api/v1/vendors/acme/kpis/recompute/")
    assert response.status_code == 403


def test_cached_answers_follow_recomputes_and_never_cross_callers(world, api_as, kpis):
    client = api_as(world.channel_manager)
    [before] = client.get(URL).json()["results"]
    closed(world, world.beta_rep, "won", 2_000)
    assert client.get(URL).json()["results"] == [before]  # nothing recomputed yet: the same answer
    with vendor_scope(world.acme):
        kpis_recompute(vendor=world.acme)
    [after] = client.get(URL).json()["results"]
    assert (before["won"], after["won"]) == (2, 3)
    # Two partners asking the same URL each get their own company's row.
    [alpha] = api_as(world.partner_rep).get(URL, {"group_by": "partner"}).json()["results"]
    [beta] = api_as(world.beta_rep).get(URL, {"group_by": "partner"}).json()["results"]
    assert (alpha["group"]["id"], beta["group"]["id"]) == (world.alpha.pk, world.beta.pk)
    # Names follow the reader's language, cached or not.
    client = api_as(world.channel_manager)
    tiers = {r["group"]["name"] for r in client.get(URL, {"group_by": "tier"}).json()["results"]}
    tiers_ja = {
        r["group"]["name"]
        for r in client.get(URL, {"group_by": "tier"}, HTTP_ACCEPT_LANGUAGE="ja").json()["results"]
    }
    assert tiers == {"Gold", "Silver"} and tiers_ja == {"ゴールド", "シルバー"}


def test_answers_without_a_working_cache(world, api_as, kpis, monkeypatch):
    class Away:
        def get(self, *args, **kwargs):
            raise ConnectionError("cache is away")

        set = get

    monkeypatch.setattr("knowledge.kpi_cache.cache", Away())
    response = api_as(world.channel_manager).get(URL)
    assert response.status_code == 200 and response.json()["results"][0]["won"] == 2
