"""The audit trail through the API: what the page shows, with its filters, for vendor admins only."""

from django.urls import reverse

from tests.deals.conftest import register


def test_the_trail_lists_changes_newest_first_and_filters_them(world, api_as):
    deal = register(world, world.partner_rep, submit=True, customer_name="株式会社サンプル商事")
    url = reverse("api_audit", args=["acme"])
    api = api_as(world.vendor_admin)
    rows = api.get(url).json()["results"]
    assert rows[0]["action"] == "deal.submit" and rows[0]["deal_id"] == deal.pk
    assert rows[0]["actor"] == "rep@alpha.example" and rows[0]["action_label"]
    created = api.get(url, {"action": "deal.create"}).json()["results"]
    assert [row["action"] for row in created] == ["deal.create"]
    assert api.get(url, {"q": str(deal.pk)}).json()["count"] >= 2


def test_a_bad_filter_is_a_400_naming_it(world, api_as):
    response = api_as(world.vendor_admin).get(
        reverse("api_audit", args=["acme"]), {"date_from": "2026-12-31", "date_to": "2026-01-01"}
    )
    assert response.status_code == 400 and list(response.json()) == ["date_to"]


def test_only_vendor_admins_read_the_trail(world, api_as):
    url = reverse("api_audit", args=["acme"])
    assert api_as(world.channel_manager).get(url).status_code == 403
    assert api_as(world.rival_admin).get(url).status_code == 404
