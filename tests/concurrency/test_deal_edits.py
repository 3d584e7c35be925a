"""Two edits of the same deal based on the same ``version`` at once: one wins, the other is refused with 409
and nothing of it is written (DESIGN §4 "Concurrency", §7)."""

import pytest
from django_scopes import scopes_disabled

from audit.models import AuditEntry
from deals import services
from tests.api.test_deals import deal_url, fresh
from tests.deals.conftest import register

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
