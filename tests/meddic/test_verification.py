"""Vendor staff verify an element and say how; partners cannot; the page keeps a refused form."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django_scopes import scopes_disabled

from audit.models import AuditEntry
from deals.models import Deal
from meddic import services
from meddic.models import DealScore
from prm.tenancy import vendor_scope
from tests.conftest import access_of
from tests.deals.conftest import register


def verify(world, user, deal, code="economic_buyer", method="joint_visit", note="部長同行で面談"):
    with vendor_scope(world.acme):
        return services.element_verify(
            access=access_of(user, world.acme), deal=deal, code=code, method=method, note=note
        )


def url(deal, code="economic_buyer"):
    return reverse("element_verify", kwargs={"vendor_slug": "acme", "deal_id": deal.pk, "code": code})


def test_verifying_sets_evidence_records_how_and_rescores(world):
    deal = register(
        world, world.partner_rep, submit=True, meddic={"economic_buyer": {"level": 2, "evidence": "reported"}}
    )
    with scopes_disabled():
        before = DealScore.objects.get(deal=deal).visibility
    element = verify(world, world.channel_manager, deal)
    assert (element.evidence, element.verification_method, element.verified_by) == (
        "verified",
        "joint_visit",
        world.channel_manager,
    )
    with scopes_disabled():
        fresh = Deal.objects.get(pk=deal.pk)
        entry = AuditEntry.objects.filter(deal_id=deal.pk).latest("pk")
        after = DealScore.objects.get(deal=deal).visibility
    assert fresh.version == deal.version + 1
    assert entry.action == "element.verify" and entry.reason == "部長同行で面談"
    assert entry.changes["economic_buyer.evidence"] == ["reported", "verified"]
    # V: 0.4 → 1.0 on one of six equal weights: 7 → 17
    assert (before, after) == (7, 17)


def test_partners_cannot_verify(world):
    deal = register(world, world.partner_rep, submit=True)
    for user in (world.partner_rep, world.partner_admin):
        with pytest.raises(PermissionDenied):
            verify(world, user, deal)


def test_the_method_is_required(world):
    deal = register(world, world.partner_rep, submit=True)
    with pytest.raises(ValidationError) as error:
        verify(world, world.channel_manager, deal, method="")
    assert "method" in error.value.message_dict


def test_the_page_verifies_and_returns_to_the_element(world, client_for):
    deal = register(world, world.partner_rep, submit=True)
    response = client_for(world.channel_manager).post(
        url(deal),
        {"verify-economic_buyer-method": "economic_buyer_call", "verify-economic_buyer-note": "社長と電話"},
    )
    assert response.status_code == 302 and response["Location"].endswith("#element-economic_buyer")
    html = client_for(world.channel_manager).get(response["Location"]).content.decode()
    assert "Call or meeting with the economic buyer" in html and "社長と電話" in html


def test_a_refused_verification_keeps_what_was_typed(world, client_for):
    deal = register(world, world.partner_rep, submit=True)
    response = client_for(world.channel_manager).post(url(deal), {"verify-economic_buyer-note": "メモは残る"})
    assert response.status_code == 400
    html = response.content.decode()
    assert 'value="メモは残る"' in html and '<details class="meddic-verify mt-2" open>' in html


def test_partners_see_no_verify_form_and_get_403(world, client_for):
    deal = register(world, world.partner_rep, submit=True)
    page = client_for(world.partner_rep).get(reverse("deal_detail", args=["acme", deal.pk])).content.decode()
    assert "meddic-verify" not in page
    assert (
        client_for(world.partner_rep)
        .post(url(deal), {"verify-economic_buyer-method": "joint_visit"})
        .status_code
        == 403
    )


def test_unknown_element_is_404(world, client_for):
    deal = register(world, world.partner_rep, submit=True)
    assert client_for(world.channel_manager).post(url(deal, "budget"), {}).status_code == 404


def api_url(deal, code="champion"):
    return reverse("api_element_verify", kwargs={"vendor_slug": "acme", "deal_id": deal.pk, "code": code})


def test_the_api_verifies_and_answers_with_the_deal(world, client_for):
    deal = register(world, world.partner_rep, submit=True)
    response = client_for(world.channel_manager).post(
        api_url(deal), {"method": "customer_meeting", "note": "定例で確認"}, content_type="application/json"
    )
    assert response.status_code == 200
    body = response.json()
    assert body["meddic"]["champion"]["evidence"] == "verified"
    assert body["version"] == deal.version + 1


def test_the_api_refuses_partners_bad_methods_and_unknown_elements(world, client_for):
    deal = register(world, world.partner_rep, submit=True)
    rep = client_for(world.partner_rep)
    assert (
        rep.post(api_url(deal), {"method": "joint_visit"}, content_type="application/json").status_code == 403
    )
    cm = client_for(world.channel_manager)
    bad = cm.post(api_url(deal), {"method": "telepathy"}, content_type="application/json")
    assert bad.status_code == 400 and "method" in bad.json()
    assert (
        cm.post(
            api_url(deal, "budget"), {"method": "joint_visit"}, content_type="application/json"
        ).status_code
        == 404
    )
