"""Verified means the vendor checked what is there now (DESIGN §17): a partner who changes a verified element
loses the verification and the channel manager is told; the vendor's own assertions (it met the economic buyer,
it verified the champion) are made by vendor staff only — in the service, the page and the API."""

import re

import pytest
from django.core.exceptions import PermissionDenied
from django.urls import reverse
from django_scopes import scopes_disabled
from rest_framework.test import APIClient

from audit.models import AuditEntry
from deals import services
from deals.models import Deal
from meddic.models import MeddicElement
from meddic.services import element_verify
from notifications.models import Notification
from prm.tenancy import vendor_scope
from tests.conftest import access_of
from tests.deals.conftest import register
from tests.deals.test_form_pages import edit_data, edit_url, field_errors


def champion(deal) -> MeddicElement:
    with scopes_disabled():
        return MeddicElement.objects.get(deal=deal, code="champion")


def version(deal) -> int:
    with scopes_disabled():
        return Deal.objects.get(pk=deal.pk).version


def verified_champion_deal(world):
    """A rep's submitted deal whose champion (level 0) the channel manager verified on a call."""
    deal = register(world, world.partner_rep, submit=True)
    with vendor_scope(world.acme):
        element_verify(
            access=access_of(world.channel_manager, world.acme),
            deal=deal,
            code="champion",
            method="customer_meeting",
            note="本人と電話で確認",
        )
    return deal


def rep_update(world, deal, meddic, user=None):
    with vendor_scope(world.acme):
        return services.deal_update(
            access=access_of(user or world.partner_rep, world.acme),
            deal=deal,
            version=version(deal),
            meddic=meddic,
        )


def lost_notifications(world):
    with scopes_disabled():
        return list(Notification.objects.filter(kind="element.verification_lost", vendor=world.acme))


def api(user) -> APIClient:
    client = APIClient(HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(user, backend="django.contrib.auth.backends.ModelBackend")
    return client


def api_url(deal) -> str:
    return reverse("api_deal_detail", kwargs={"vendor_slug": "acme", "deal_id": deal.pk})


def test_a_partner_raising_a_verified_champion_loses_the_verification(
    world, django_capture_on_commit_callbacks
):
    deal = verified_champion_deal(world)
    with django_capture_on_commit_callbacks(execute=True):
        rep_update(world, deal, {"champion": {"level": 3}})
    element = champion(deal)
    assert (element.level, element.evidence) == (3, "reported")
    assert (element.verified_by, element.verified_at, element.verification_method) == (None, None, "")
    with scopes_disabled():
        entry = AuditEntry.objects.filter(deal_id=deal.pk, action="element.update").latest("pk")
    assert entry.changes["champion.evidence"] == ["verified", "reported"]
    assert "no longer verified" in entry.reason
    [notification] = lost_notifications(world)
    assert (notification.recipient, notification.actor, notification.deal_id) == (
        world.channel_manager,
        world.partner_rep,
        deal.pk,
    )


def test_the_vendor_changing_a_verified_element_keeps_it_verified(world):
    deal = verified_champion_deal(world)
    rep_update(world, deal, {"champion": {"level": 2}}, user=world.channel_manager)
    assert champion(deal).evidence == "verified"
    assert lost_notifications(world) == []


def test_an_unchanged_verified_element_stays_verified_when_other_answers_change(world):
    deal = verified_champion_deal(world)
    rep_update(world, deal, {"metrics": {"level": 2}, "champion": {"evidence": "verified"}})
    assert champion(deal).evidence == "verified"
    assert lost_notifications(world) == []


@pytest.mark.parametrize(
    ("code", "answers"),
    [("economic_buyer", {"access": "vendor_met"}), ("champion", {"status": "verified"})],
)
def test_vendor_assertions_are_refused_to_partners(world, code, answers):
    deal = register(world, world.partner_rep, submit=True)
    for user in (world.partner_rep, world.partner_admin):
        with pytest.raises(PermissionDenied):
            rep_update(world, deal, {code: answers}, user=user)
    rep_update(world, deal, {code: answers}, user=world.channel_manager)
    with scopes_disabled():
        element = MeddicElement.objects.get(deal=deal, code=code)
    assert getattr(element, next(iter(answers))) == next(iter(answers.values()))
    # What the vendor asserted may stand while the partner changes the rest.
    rep_update(world, deal, {code: {**answers, "note": "継続して接触中"}})


# --- the API ------------------------------------------------------------------------------------------------


def test_the_api_drops_the_verification_a_partner_changed(world, django_capture_on_commit_callbacks):
    deal = verified_champion_deal(world)
    with django_capture_on_commit_callbacks(execute=True):
        response = api(world.partner_rep).patch(
            api_url(deal), {"version": version(deal), "meddic": {"champion": {"level": 3}}}, format="json"
        )
    assert response.status_code == 200
    assert response.json()["meddic"]["champion"]["evidence"] == "reported"
    assert len(lost_notifications(world)) == 1


@pytest.mark.parametrize(
    ("code", "answers"),
    [("economic_buyer", {"access": "vendor_met"}), ("champion", {"status": "verified"})],
)
def test_the_api_refuses_vendor_assertions_from_partners(world, code, answers):
    deal = register(world, world.partner_rep, submit=True)
    before = version(deal)
    response = api(world.partner_rep).patch(
        api_url(deal), {"version": before, "meddic": {code: answers}}, format="json"
    )
    assert response.status_code == 403
    assert version(deal) == before


# --- the page -----------------------------------------------------------------------------------------------


def test_the_page_drops_the_verification_a_partner_changed(
    world, client_for, django_capture_on_commit_callbacks
):
    deal = verified_champion_deal(world)
    client = client_for(world.partner_rep)
    data = edit_data(client, deal, champion__level="3")
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(edit_url(deal), data)
    assert response.status_code == 302
    assert champion(deal).evidence == "reported"
    assert len(lost_notifications(world)) == 1


@pytest.mark.parametrize(
    ("field", "value"), [("economic_buyer__access", "vendor_met"), ("champion__status", "verified")]
)
def test_the_page_shows_vendor_assertions_to_partners_but_refuses_them(world, client_for, field, value):
    deal = register(world, world.partner_rep, submit=True)
    client = client_for(world.partner_rep)
    html = client.get(edit_url(deal)).content.decode()
    assert re.search(rf'<input[^>]*name="{field}"[^>]*value="{value}"[^>]*disabled', html)
    before = version(deal)
    response = client.post(edit_url(deal), edit_data(client, deal, **{field: value, "title": "新しい件名"}))
    assert response.status_code == 200
    assert "Only the vendor can record what the vendor itself has checked." in field_errors(
        response.content.decode()
    )
    assert "新しい件名" in response.content.decode()  # nothing typed is lost
    assert version(deal) == before
