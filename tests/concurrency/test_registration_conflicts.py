"""Two partners of one vendor submit the same customer at the same moment: both registrations are flagged as a
conflict (DESIGN §4), although neither submission had committed when the other one looked."""

import pytest
from django.db.models import Q
from django_scopes import scopes_disabled

from deals import workflow
from deals.models import RegistrationConflict
from tests.api.test_deal_workflow import step_url
from tests.api.test_deals import deal_url, fresh
from tests.deals.conftest import register

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def test_both_partners_submitting_the_same_customer_at_once_are_flagged(world, race, api_for):
    alpha_deal = register(world, world.partner_rep, customer_name="株式会社サンプル商事")
    beta_deal = register(world, world.beta_rep, customer_name="サンプル商事(株)")
    # Both submissions look for the other partner's registration at the same time unless the vendor's
    # registration lock makes the second look only after the first has committed.
    race.meet_in(workflow, "conflict_candidates")
    submits = [(api_for(world.partner_rep), alpha_deal), (api_for(world.beta_rep), beta_deal)]

    def submit(client, deal):
        return lambda: client.post(step_url(deal, "submit"), {}, format="json")

    responses = race.run(*(submit(client, deal) for client, deal in submits))

    assert not [r for r in responses if isinstance(r, BaseException)], responses
    assert [r.status_code for r in responses] == [200, 200]
    assert {fresh(alpha_deal).registration_status, fresh(beta_deal).registration_status} == {"submitted"}
    pair = Q(deal=alpha_deal, other=beta_deal) | Q(deal=beta_deal, other=alpha_deal)
    with scopes_disabled():
        assert RegistrationConflict.objects.filter(pair, resolved_at=None).count() == 1
    # Both sides see the flag on their deal, and the channel manager on both.
    manager = api_for(world.channel_manager)
    for client, deal in [*submits, (manager, alpha_deal), (manager, beta_deal)]:
        flags = [flag["code"] for flag in client.get(deal_url(deal)).json()["score"]["flags"]]
        assert "registration_conflict" in flags
    assert race.took_turns, "the second submission did not wait for the first"
