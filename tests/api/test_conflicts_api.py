"""Registration conflicts through the API: the list with its filters, and settling one, as on the page."""

from django.urls import reverse
from django_scopes import scopes_disabled

from deals.models import Deal, RegistrationConflict
from tests.deals.conftest import register


def conflict(world):
    first = register(world, world.partner_rep, submit=True, customer_name="株式会社サンプル商事")
    later = register(world, world.beta_rep, submit=True, customer_name="株式会社サンプル商事")
    with scopes_disabled():
        return first, later, RegistrationConflict.objects.get(deal=later)


def test_the_list_shows_both_registrations_and_filters(world, api_as):
    first, later, found = conflict(world)
    api = api_as(world.channel_manager)
    [row] = api.get(reverse("api_conflicts", args=["acme"]), {"status": "open"}).json()["results"]
    assert row["id"] == found.pk and {row["deal"]["id"], row["other"]["id"]} == {first.pk, later.pk}
    assert api.get(reverse("api_conflicts", args=["acme"]), {"status": "resolved"}).json()["count"] == 0
    assert api.get(reverse("api_conflicts", args=["acme"]), {"status": "sometimes"}).status_code == 400
    assert api_as(world.partner_rep).get(reverse("api_conflicts", args=["acme"])).status_code == 403


def test_keeping_one_rejects_the_other_with_the_note(world, api_as):
    first, later, found = conflict(world)
    url = reverse("api_conflict_resolve", args=["acme", found.pk])
    api = api_as(world.channel_manager)
    assert list(api.post(url, {"keep": first.pk, "note": ""}, format="json").json()) == ["note"]
    assert list(api.post(url, {"keep": 999999, "note": "x"}, format="json").json()) == ["keep"]
    response = api.post(url, {"keep": first.pk, "note": "先に登録した Alpha を優先"}, format="json")
    assert response.status_code == 200 and response.json()["kept"] == first.pk
    with scopes_disabled():
        assert Deal.objects.get(pk=later.pk).registration_status == "rejected"
    again = api.post(url, {"keep": None, "note": "x"}, format="json")
    assert again.status_code == 400
