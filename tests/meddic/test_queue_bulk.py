"""Bulk review-state changes from the queue: what changes, what is ignored, where the user lands."""

import pytest
from django.contrib.messages import get_messages
from django.urls import reverse
from django_scopes import scopes_disabled

from audit.models import AuditEntry
from meddic.models import DealReview
from tests.deals.conftest import register

QUEUE = "/v/acme/review/"


def bulk(client, data):
    return client.post(reverse("review_bulk", kwargs={"vendor_slug": "acme"}), data)


def states(*deals):
    with scopes_disabled():
        rows = dict(DealReview.objects.filter(deal__in=deals).values_list("deal_id", "state"))
    return [rows.get(deal.pk, "unreviewed") for deal in deals]


def texts(response):
    return [str(message) for message in get_messages(response.wsgi_request)]


@pytest.fixture
def alpha(world):
    return [register(world, world.partner_rep, submit=True, customer_name=f"顧客{n}") for n in range(3)]


def test_bulk_sets_the_state_and_writes_history(world, client_for, alpha):
    client = client_for(world.channel_manager)
    response = bulk(
        client,
        {
            "deal": [alpha[0].pk, alpha[1].pk],
            "state": "needs_info",
            "note": "決裁者を確認してください",
            "next": QUEUE,
        },
    )
    assert response.status_code == 302 and response["Location"] == QUEUE
    assert states(*alpha) == ["needs_info", "needs_info", "unreviewed"]
    with scopes_disabled():
        entries = AuditEntry.objects.filter(action="deal.review")
        assert entries.count() == 2
        assert set(entries.values_list("deal_id", flat=True)) == {alpha[0].pk, alpha[1].pk}
    assert texts(response) == ["2 deals marked “Needs info”."]


def test_singular_message(world, client_for, alpha):
    response = bulk(client_for(world.vendor_admin), {"deal": [alpha[0].pk], "state": "qualified"})
    assert texts(response) == ["1 deal marked “Qualified”."]


def test_ids_of_another_vendor_closed_deals_and_drafts_are_ignored(world, client_for, alpha):
    rival = register(world, world.rival_rep, world.rival, submit=True)
    draft = register(world, world.partner_rep, customer_name="下書き")
    client = client_for(world.channel_manager)
    response = bulk(client, {"deal": [alpha[0].pk, rival.pk, draft.pk, "x", ""], "state": "disqualified"})
    assert response.status_code == 302
    assert states(alpha[0], rival, draft) == ["disqualified", "unreviewed", "unreviewed"]
    assert texts(response) == ["1 deal marked “Disqualified”."]


def test_only_invisible_ids_is_no_selection(world, client_for):
    rival = register(world, world.rival_rep, world.rival, submit=True)
    response = bulk(client_for(world.channel_manager), {"deal": [rival.pk], "state": "qualified"})
    assert response.status_code == 302
    assert states(rival) == ["unreviewed"]
    assert texts(response) == ["Select at least one deal to change its review state."]


def test_nothing_selected(world, client_for):
    response = bulk(client_for(world.channel_manager), {"state": "qualified", "next": f"{QUEUE}?sort=amount"})
    assert response["Location"] == f"{QUEUE}?sort=amount"
    assert texts(response) == ["Select at least one deal to change its review state."]


@pytest.mark.parametrize("state", ["", "approved"])
def test_bad_state(world, client_for, alpha, state):
    response = bulk(client_for(world.channel_manager), {"deal": [alpha[0].pk], "state": state})
    assert states(alpha[0]) == ["unreviewed"]
    assert texts(response) == ["Choose a review state."]


def test_too_long_note(world, client_for, alpha):
    response = bulk(
        client_for(world.channel_manager), {"deal": [alpha[0].pk], "state": "qualified", "note": "あ" * 501}
    )
    assert states(alpha[0]) == ["unreviewed"]
    assert "500" in texts(response)[0]


def test_unchanged(world, client_for, alpha):
    client = client_for(world.channel_manager)
    bulk(client, {"deal": [alpha[0].pk], "state": "qualified"})
    response = bulk(client, {"deal": [alpha[0].pk], "state": "qualified"})
    assert texts(response)[-1:] == ["Nothing changed: the selected deals were already “Qualified”."]


def test_keeps_filters_sort_and_page(world, client_for, alpha):
    target = f"{QUEUE}?scope=all&state=unreviewed&sort=-amount&page=2"
    response = bulk(
        client_for(world.channel_manager), {"deal": [alpha[0].pk], "state": "qualified", "next": target}
    )
    assert response["Location"] == target


@pytest.mark.parametrize(
    "target",
    [
        "https://evil.example/v/acme/review/",
        "//evil.example/v/acme/review/",
        "/v/acme/deals/",
        "/v/rival/review/",
    ],
)
def test_unsafe_next_goes_to_the_queue(world, client_for, alpha, target):
    response = bulk(
        client_for(world.channel_manager), {"deal": [alpha[0].pk], "state": "qualified", "next": target}
    )
    assert response["Location"] == QUEUE


def test_page_past_the_end_shows_the_last_page(world, client_for, alpha):
    response = client_for(world.channel_manager).get(QUEUE, {"page": 9})
    assert response.status_code == 200 and len(response.context["deals"]) == 3


@pytest.mark.parametrize("role", ["partner_rep", "partner_admin"])
def test_partner_roles_cannot_bulk_review(world, client_for, alpha, role):
    response = bulk(client_for(world.user(role)), {"deal": [alpha[0].pk], "state": "qualified"})
    assert response.status_code == 403
    assert states(alpha[0]) == ["unreviewed"]


def test_queue_page_has_the_bulk_form(world, client_for, alpha):
    html = client_for(world.channel_manager).get(QUEUE, {"sort": "amount"}).content.decode()
    assert 'name="deal"' in html and 'name="state"' in html
    assert 'name="next" value="/v/acme/review/?sort=amount"' in html
