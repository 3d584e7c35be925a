"""Two edits of the same deal based on the same ``version`` at once: one wins, the other is refused with 409
and nothing of it is written; on the page the second gets the merge page (DESIGN §4 "Concurrency", §7)."""

from html import unescape

import pytest
from django.test import Client
from django_scopes import scopes_disabled

from audit.models import AuditEntry
from deals import services
from tests.api.test_deals import deal_url, fresh
from tests.deals.conftest import register
from tests.deals.test_form_pages import edit_data, edit_url

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def test_same_version_twice_at_once_one_200_one_409_nothing_overwritten(world, race, api_for):
    deal = register(world, world.partner_rep)
    original = deal.title
    # Both PATCHes are inside ``deal_update`` past the version check at the same time unless the row lock
    # keeps the second one waiting until the first has committed.
    race.meet_in(services, "_apply_rules")
    edits = [
        (api_for(world.partner_rep), {"version": 1, "title": "担当者の更新", "amount": 11_000_000}),
        (api_for(world.partner_admin), {"version": 1, "title": "管理者の更新", "amount": 22_000_000}),
    ]

    def patch(client, body):
        return lambda: client.patch(deal_url(deal), body, format="json")

    responses = race.run(*(patch(client, body) for client, body in edits))

    assert not [r for r in responses if isinstance(r, BaseException)], responses
    assert sorted(r.status_code for r in responses) == [200, 409]
    assert race.took_turns, "the second edit did not wait for the first"
    won = next(body for (_client, body), r in zip(edits, responses, strict=True) if r.status_code == 200)
    refused = next(r for r in responses if r.status_code == 409).json()
    after = fresh(deal)
    assert (after.title, after.amount, after.version) == (won["title"], won["amount"], 2)
    # The refused client is shown the deal as the winner left it, to merge from.
    assert refused["code"] == "stale_version"
    assert (refused["current"]["title"], refused["current"]["version"]) == (won["title"], 2)
    with scopes_disabled():
        updates = list(AuditEntry.objects.filter(deal_id=deal.pk, action="deal.update"))
    assert len(updates) == 1
    assert updates[0].changes["title"] == [original, won["title"]]


def test_same_version_twice_at_once_on_the_page_one_saves_one_gets_the_merge_page(world, race):
    deal = register(world, world.partner_rep)
    race.meet_in(services, "_apply_rules")
    edits = []
    for user, title in [(world.partner_rep, "担当者の更新"), (world.partner_admin, "管理者の更新")]:
        client = Client(headers={"accept-language": "en"})
        client.force_login(user, backend="django.contrib.auth.backends.ModelBackend")
        edits.append((client, title, edit_data(client, deal, title=title)))  # both read version 1

    def save(client, data):
        return lambda: client.post(edit_url(deal), data)

    responses = race.run(*(save(client, data) for client, _title, data in edits))

    assert not [r for r in responses if isinstance(r, BaseException)], responses
    assert sorted(r.status_code for r in responses) == [302, 409]
    won = next(title for (_c, title, _d), r in zip(edits, responses, strict=True) if r.status_code == 302)
    lost = next(title for (_c, title, _d), r in zip(edits, responses, strict=True) if r.status_code == 409)
    after = fresh(deal)
    assert (after.title, after.version) == (won, 2)
    merge_page = unescape(next(r for r in responses if r.status_code == 409).content.decode())
    assert "Someone changed this deal while you were editing" in merge_page
    assert won in merge_page and lost in merge_page
    with scopes_disabled():
        assert AuditEntry.objects.filter(deal_id=deal.pk, action="deal.update").count() == 1
    assert race.took_turns, "the second save did not wait for the first"
