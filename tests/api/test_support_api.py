"""The support log through the API: logging, listing with filters and removing, as on the page."""

from django.urls import reverse
from django_scopes import scopes_disabled

from knowledge.models import SupportActivity
from tests.deals.conftest import register


def test_log_list_filter_and_remove(world, api_as):
    deal = register(world, world.partner_rep, submit=True)
    api = api_as(world.channel_manager)
    url = reverse("api_support", args=["acme"])
    body = {
        "partner": world.alpha.pk,
        "support_type": "study_session",
        "date": "2026-11-02",
        "hours": "2.0",
        "note": "製品勉強会",
        "deal": deal.pk,
    }
    created = api.post(url, body, format="json")
    assert created.status_code == 201 and created.json()["deal"] == deal.pk
    assert created.json()["logged_by"] == "cm@acme.example"
    assert api.get(url, {"q": "勉強会"}).json()["count"] == 1
    assert api.get(url, {"partner": world.beta.pk}).json()["count"] == 0
    removed = api.delete(reverse("api_support_activity", args=["acme", created.json()["id"]]))
    assert removed.status_code == 204
    with scopes_disabled():
        assert not SupportActivity.objects.exists()


def test_the_rules_of_the_page_hold(world, api_as):
    other = register(world, world.beta_rep, submit=True)
    api = api_as(world.channel_manager)
    url = reverse("api_support", args=["acme"])
    future = api.post(
        url,
        {
            "partner": world.alpha.pk,
            "support_type": "study_session",
            "date": "2999-01-01",
            "hours": "1",
            "deal": other.pk,
        },
        format="json",
    )
    assert future.status_code == 400 and {"date", "deal"} <= set(future.json())
    assert (
        api.post(
            url,
            {"partner": world.alpha.pk, "support_type": "x", "date": "2026-01-01", "hours": "500"},
            format="json",
        ).status_code
        == 400
    )
    assert api_as(world.partner_admin).get(url).status_code == 403
