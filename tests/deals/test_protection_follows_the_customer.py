"""Protection covers the customer that was approved (DESIGN §17): renaming an approved deal's customer, or changing
its corporate number, sends it back for approval and checks it for conflicts again — in the service, the API and
the page. Other answers of an approved deal may change without that."""

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django_scopes import scopes_disabled
from rest_framework.test import APIClient

from audit.models import AuditEntry
from deals import services, workflow
from deals.models import Deal, RegistrationConflict, RegistrationEvent
from prm.tenancy import vendor_scope
from tests.conftest import access_of
from tests.deals.conftest import register
from tests.deals.test_form_pages import edit_data, edit_url


def approved(world, **overrides) -> Deal:
    deal = register(world, world.partner_rep, submit=True, **overrides)
    with vendor_scope(world.acme):
        return workflow.deal_transition(
            access=access_of(world.channel_manager, world.acme), deal=deal, action="approve"
        )


def fresh(deal) -> Deal:
    with scopes_disabled():
        return Deal.objects.get(pk=deal.pk)


def update(world, deal, **fields) -> Deal:
    with vendor_scope(world.acme):
        return services.deal_update(
            access=access_of(world.partner_rep, world.acme),
            deal=deal,
            version=fresh(deal).version,
            fields=fields,
        )


@pytest.mark.parametrize(
    "change", [{"customer_name": "株式会社まったく別の会社"}, {"customer_corporate_number": "7000012050002"}]
)
def test_a_changed_customer_sends_an_approved_deal_back_for_approval(world, change):
    deal = approved(world)
    assert deal.protected_until is not None
    update(world, deal, **change)
    deal = fresh(deal)
    assert (deal.registration_status, deal.protected_until) == ("submitted", None)
    with scopes_disabled():
        event = RegistrationEvent.objects.filter(deal=deal).latest("pk")
        entry = AuditEntry.objects.filter(deal_id=deal.pk).latest("pk")
    assert (event.from_status, event.to_status, event.actor) == ("approved", "submitted", world.partner_rep)
    assert entry.action == "deal.reopen"
    assert "approving again" in entry.reason


def test_other_answers_of_an_approved_deal_change_without_losing_protection(world):
    deal = approved(world)
    update(world, deal, amount=30_000_000, title="範囲拡大")
    deal = fresh(deal)
    assert (deal.registration_status, deal.amount) == ("approved", 30_000_000)
    assert deal.protected_until is not None


def test_renaming_onto_another_partners_registration_makes_the_renamed_deal_the_conflict(world):
    genuine = register(world, world.beta_rep, submit=True, customer_name="株式会社ひかり物産")
    deal = approved(world)
    update(world, deal, customer_name="ひかり物産")
    assert fresh(deal).registration_status == "submitted"
    with scopes_disabled():
        [conflict] = RegistrationConflict.objects.filter(resolved_at=None)
    assert (conflict.deal_id, conflict.other_id) == (deal.pk, genuine.pk)
    # Until it is resolved the renamed deal cannot be approved again.
    with vendor_scope(world.acme), pytest.raises(ValidationError, match="conflict"):
        workflow.deal_transition(
            access=access_of(world.channel_manager, world.acme), deal=fresh(deal), action="approve"
        )


def test_the_api_answers_with_the_deal_back_in_review(world):
    deal = approved(world)
    client = APIClient(HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(world.partner_rep, backend="django.contrib.auth.backends.ModelBackend")
    response = client.patch(
        reverse("api_deal_detail", kwargs={"vendor_slug": "acme", "deal_id": deal.pk}),
        {"version": fresh(deal).version, "customer_name": "別会社株式会社"},
        format="json",
    )
    assert response.status_code == 200
    assert response.json()["registration_status"] == "submitted"
    assert response.json()["protected_until"] is None


def test_the_page_sends_it_back_too(world, client_for):
    deal = approved(world)
    client = client_for(world.partner_rep)
    response = client.post(edit_url(deal), edit_data(client, deal, customer_name="別会社株式会社"))
    assert response.status_code == 302
    assert fresh(deal).registration_status == "submitted"
