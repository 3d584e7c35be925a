"""The review on the deal page: the review state form, asking the partner, and the partner's answer in place."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django_scopes import scopes_disabled

from deals.models import Deal
from meddic.models import DealReview, InfoRequest, MeddicElement
from prm.clock import vendor_today
from tests.deals.conftest import register
from tests.isolation.cases_review_pages import alpha_request, answer_data


def deal_url(deal):
    return reverse("deal_detail", kwargs={"vendor_slug": "acme", "deal_id": deal.pk})


@pytest.fixture
def deal(world):
    return register(
        world, world.partner_rep, submit=True, meddic={"metrics": {"level": 1, "evidence": "reported"}}
    )


def test_the_channel_manager_sets_the_review_state_and_the_partner_reads_it(world, deal, client_for):
    url = reverse("deal_review", kwargs={"vendor_slug": "acme", "deal_id": deal.pk})
    response = client_for(world.channel_manager).post(
        url, {"review-state": "needs_info", "review-note": "予算の根拠を"}
    )
    assert response.status_code == 302 and response["Location"].endswith("#review")
    with scopes_disabled():
        assert DealReview.objects.get(deal=deal).state == "needs_info"
    html = client_for(world.partner_rep).get(deal_url(deal)).content.decode()
    assert "Needs info" in html and "予算の根拠を" in html
    assert 'name="review-state"' not in html  # partners read the review, they do not set it


def test_a_refused_review_keeps_the_note(world, deal, client_for):
    url = reverse("deal_review", kwargs={"vendor_slug": "acme", "deal_id": deal.pk})
    response = client_for(world.channel_manager).post(
        url, {"review-state": "maybe", "review-note": "残るメモ"}
    )
    assert response.status_code == 400
    assert "残るメモ" in response.content.decode()


def test_asking_with_a_past_due_date_keeps_the_question(world, deal, client_for):
    url = reverse("info_request_send", kwargs={"vendor_slug": "acme", "deal_id": deal.pk, "code": "champion"})
    past = (vendor_today(world.acme) - timedelta(days=1)).isoformat()
    response = client_for(world.channel_manager).post(
        url, {"ask-champion-question": "推進者は誰ですか", "ask-champion-due_date": past}
    )
    assert response.status_code == 400
    html = response.content.decode()
    assert "推進者は誰ですか" in html and "The due date cannot be in the past." in html
    with scopes_disabled():
        assert not InfoRequest.objects.exists()


def test_vendor_staff_ask_and_partners_see_the_question_on_the_element(world, deal, client_for):
    url = reverse("info_request_send", kwargs={"vendor_slug": "acme", "deal_id": deal.pk, "code": "metrics"})
    due = (vendor_today(world.acme) + timedelta(days=3)).isoformat()
    response = client_for(world.channel_manager).post(
        url, {"ask-metrics-question": "成功基準は合意済み？", "ask-metrics-due_date": due}
    )
    assert response.status_code == 302 and response["Location"].endswith("#element-metrics")
    vendor_html = client_for(world.channel_manager).get(deal_url(deal)).content.decode()
    assert "成功基準は合意済み？" in vendor_html and "Withdraw" in vendor_html
    assert "Send answer" not in vendor_html
    partner_html = client_for(world.partner_rep).get(deal_url(deal)).content.decode()
    assert "成功基準は合意済み？" in partner_html and "Send answer" in partner_html
    assert "Ask the partner" not in partner_html


def test_the_partner_answers_in_place_and_the_element_changes(world, client_for):
    request = alpha_request(world)
    data = answer_data(world)
    prefix = f"answer-{request.pk}"
    data.update({f"{prefix}-metrics__level": "3", f"{prefix}-metrics__evidence": "evidenced"})
    url = reverse("info_request_answer", kwargs={"vendor_slug": "acme", "request_id": request.pk})
    response = client_for(world.partner_rep).post(url, data)
    assert response.status_code == 302 and response["Location"].endswith("#element-metrics")
    with scopes_disabled():
        element = MeddicElement.objects.get(deal_id=request.deal_id, code="metrics")
        assert InfoRequest.objects.get(pk=request.pk).status == "answered"
    assert (element.level, element.evidence) == (3, "evidenced")
    html = client_for(world.channel_manager).get(deal_url(element.deal)).content.decode()
    assert "3つの成功基準で合意" in html


def test_a_stale_answer_keeps_everything_typed(world, client_for):
    request = alpha_request(world)
    data = answer_data(world)
    prefix = f"answer-{request.pk}"
    data[f"{prefix}-answer"] = "書いた回答は消えない"
    data[f"{prefix}-metrics__note"] = "書いたメモも"
    with scopes_disabled():
        Deal.objects.filter(pk=request.deal_id).update(version=99)
    url = reverse("info_request_answer", kwargs={"vendor_slug": "acme", "request_id": request.pk})
    response = client_for(world.partner_rep).post(url, data)
    assert response.status_code == 400
    html = response.content.decode()
    assert "書いた回答は消えない" in html and "書いたメモも" in html and "Someone changed this deal" in html
    assert 'value="99"' in html  # sending again is based on the current version
    with scopes_disabled():
        assert InfoRequest.objects.get(pk=request.pk).is_open


def test_a_partner_cannot_claim_verified_in_an_answer(world, client_for):
    request = alpha_request(world)
    data = answer_data(world)
    data[f"answer-{request.pk}-metrics__evidence"] = "verified"
    url = reverse("info_request_answer", kwargs={"vendor_slug": "acme", "request_id": request.pk})
    response = client_for(world.partner_rep).post(url, data)
    assert response.status_code == 400
    assert "Only the vendor can mark an element as verified." in response.content.decode()
    with scopes_disabled():
        assert InfoRequest.objects.get(pk=request.pk).is_open


def test_withdrawing_closes_the_question(world, client_for):
    request = alpha_request(world)
    url = reverse("info_request_withdraw", kwargs={"vendor_slug": "acme", "request_id": request.pk})
    response = client_for(world.channel_manager).post(url)
    assert response.status_code == 302
    with scopes_disabled():
        assert InfoRequest.objects.get(pk=request.pk).status == "cancelled"
    html = client_for(world.partner_rep).get(response["Location"].split("#")[0]).content.decode()
    assert "Send answer" not in html and "Withdrawn" in html
