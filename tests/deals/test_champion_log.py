"""The champion log partial: newest first, added inline with htmx, errors keep what was typed."""

from datetime import date, timedelta

import pytest
from django.urls import reverse
from django_scopes import scopes_disabled

from deals.models import ChampionActivity

pytestmark = pytest.mark.django_db


def entry(**overrides):
    data = {
        "activity-date": (date.today() - timedelta(days=1)).isoformat(),
        "activity-actor": "champion",
        "activity-activity_type": "drafted_ringi",
        "activity-target": "economic_buyer",
        "activity-outcome": "advanced",
        "activity-next_step": "部長へ稟議書の事前説明",
    }
    data.update(overrides)
    return data


def log_url(deal):
    return reverse("champion_activities", args=["acme", deal.pk])


def rows(html: str) -> list[str]:
    """The activity ids in the order the partial lists them."""
    import re

    return re.findall(r'data-activity="(\d+)"', html)


def test_htmx_add_returns_the_partial_with_the_new_entry_first(world, client_for, register_deal):
    deal = register_deal()
    client = client_for(world.partner_rep)
    first = client.post(
        log_url(deal), entry(**{"activity-date": "2026-01-05"}), headers={"HX-Request": "true"}
    )
    assert first.status_code == 200
    response = client.post(
        log_url(deal),
        entry(**{"activity-activity_type": "briefed_economic_buyer", "activity-outcome": "stalled"}),
        headers={"HX-Request": "true"},
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert 'id="champion-log"' in html
    assert "<html" not in html  # a fragment for hx-target, not a page
    with scopes_disabled():
        newest, older = ChampionActivity.objects.filter(deal=deal).order_by("-date")
        assert newest.activity_type == "briefed_economic_buyer"
        assert newest.logged_by == world.partner_rep
        assert newest.next_step == "部長へ稟議書の事前説明"
    assert rows(html) == [str(newest.pk), str(older.pk)]
    assert "champion-log-added" in html
    assert "Briefed the economic buyer" in html
    assert "Stalled" in html


def test_without_htmx_add_redirects_to_the_deal_page(world, client_for, register_deal):
    deal = register_deal()
    response = client_for(world.partner_rep).post(log_url(deal), entry())
    assert response.status_code == 302
    assert response["Location"] == reverse("deal_detail", args=["acme", deal.pk])
    with scopes_disabled():
        assert ChampionActivity.objects.filter(deal=deal).count() == 1


def test_invalid_entry_shows_errors_and_keeps_values(world, client_for, register_deal):
    deal = register_deal()
    future = (date.today() + timedelta(days=30)).isoformat()
    response = client_for(world.partner_rep).post(
        log_url(deal),
        entry(**{"activity-date": future, "activity-outcome": "", "activity-next_step": "来週の会議を設定"}),
        headers={"HX-Request": "true"},
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert "Choose" in html or "This field is required." in html
    assert f'value="{future}"' in html
    assert 'value="来週の会議を設定"' in html
    assert '<option value="drafted_ringi" selected>' in html
    with scopes_disabled():
        assert not ChampionActivity.objects.filter(deal=deal).exists()


def test_future_date_is_refused_by_the_service(world, client_for, register_deal):
    deal = register_deal()
    future = (date.today() + timedelta(days=3)).isoformat()
    response = client_for(world.partner_rep).post(
        log_url(deal), entry(**{"activity-date": future}), headers={"HX-Request": "true"}
    )
    assert "the date cannot be in the future" in response.content.decode()
    with scopes_disabled():
        assert not ChampionActivity.objects.filter(deal=deal).exists()


def test_get_lists_newest_first_and_hides_the_form_from_readers(world, client_for, register_deal):
    deal = register_deal(submit=True)
    client_for(world.partner_rep).post(log_url(deal), entry(**{"activity-date": "2026-01-01"}))
    client_for(world.partner_rep).post(log_url(deal), entry(**{"activity-date": "2026-02-01"}))
    with scopes_disabled():
        ids = [str(pk) for pk in ChampionActivity.objects.order_by("-date").values_list("pk", flat=True)]
    as_rep = client_for(world.partner_rep).get(log_url(deal)).content.decode()
    assert rows(as_rep) == ids
    assert "hx-post" in as_rep
    # Beta's rep cannot see Alpha's deal at all.
    assert client_for(world.beta_rep).get(log_url(deal)).status_code == 404


def test_another_rep_of_the_same_partner_cannot_log(world, client_for, register_deal):
    deal = register_deal(user=world.partner_admin)
    # The partner admin owns it; the rep of the same company may read but not log on it.
    client = client_for(world.partner_rep)
    assert "hx-post" not in client.get(log_url(deal)).content.decode()
    assert client.post(log_url(deal), entry()).status_code == 403
