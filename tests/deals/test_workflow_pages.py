"""Registration steps in the browser: submit, approve, reject and return with a reason."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils.formats import date_format
from django_scopes import scopes_disabled

from deals.models import Deal, RegistrationEvent
from prm.clock import vendor_today
from tests.deals.conftest import register


def step_url(deal, action):
    return reverse("deal_transition", kwargs={"vendor_slug": "acme", "deal_id": deal.pk, "action": action})


def deal_url(deal):
    return reverse("deal_detail", kwargs={"vendor_slug": "acme", "deal_id": deal.pk})


def fresh(deal):
    with scopes_disabled():
        return Deal.objects.get(pk=deal.pk)


@pytest.fixture
def submitted(world):
    return register(world, world.partner_rep, submit=True)


class TestSubmit:
    def test_rep_submits_their_draft(self, world, client_for):
        draft = register(world, world.partner_rep)
        client = client_for(world.partner_rep)
        response = client.post(step_url(draft, "submit"), follow=True)
        assert response.redirect_chain[-1][0] == deal_url(draft)
        assert fresh(draft).registration_status == "submitted"
        assert "Registration submitted. Your channel manager will review it." in response.content.decode()

    def test_partner_admin_submits_for_their_company(self, world, client_for):
        draft = register(world, world.partner_rep)
        client_for(world.partner_admin).post(step_url(draft, "submit"))
        assert fresh(draft).registration_status == "submitted"

    def test_submitting_into_a_conflict_says_so_without_naming_the_other_partner(self, world, client_for):
        register(world, world.beta_rep, submit=True)
        draft = register(world, world.partner_rep)
        response = client_for(world.partner_rep).post(step_url(draft, "submit"), follow=True)
        html = response.content.decode()
        assert "Another partner has registered the same customer" in html
        assert "Beta Integration" not in html


class TestApprove:
    def test_channel_manager_approves_and_sees_the_protection_date(self, world, client_for, submitted):
        response = client_for(world.channel_manager).post(step_url(submitted, "approve"), follow=True)
        deal = fresh(submitted)
        expected = vendor_today(world.acme) + timedelta(days=90)
        assert deal.registration_status == "approved"
        assert deal.protected_until == expected
        html = response.content.decode()
        assert (
            f"Registration approved. 株式会社サンプル商事 is protected for Alpha Systems until "
            f"{date_format(expected, 'DATE_FORMAT')}."
        ) in html

    def test_rep_cannot_approve(self, world, client_for, submitted):
        response = client_for(world.partner_rep).post(step_url(submitted, "approve"))
        assert response.status_code == 403
        assert fresh(submitted).registration_status == "submitted"

    def test_partner_admin_cannot_reject(self, world, client_for, submitted):
        response = client_for(world.partner_admin).post(step_url(submitted, "reject"), {"reason": "no"})
        assert response.status_code == 403

    def test_an_open_conflict_blocks_approval_with_a_clear_message(self, world, client_for, submitted):
        register(world, world.beta_rep, submit=True)
        response = client_for(world.channel_manager).post(step_url(submitted, "approve"), follow=True)
        assert (
            "Resolve the registration conflict on this deal before approving it." in response.content.decode()
        )
        assert fresh(submitted).registration_status == "submitted"

    def test_a_step_that_no_longer_applies_is_explained(self, world, client_for, submitted):
        client = client_for(world.channel_manager)
        client.post(step_url(submitted, "approve"))
        response = client.post(step_url(submitted, "approve"), follow=True)
        assert "This deal is Approved; it cannot be changed this way now." in response.content.decode()

    def test_unknown_step_is_404(self, world, client_for, submitted):
        assert client_for(world.channel_manager).post(step_url(submitted, "promote")).status_code == 404


class TestReasonSteps:
    @pytest.mark.parametrize("action", ["reject", "return"])
    def test_without_a_reason_the_step_is_refused(self, world, client_for, submitted, action):
        response = client_for(world.channel_manager).post(step_url(submitted, action), {"reason": "   "})
        assert response.status_code == 200
        html = response.content.decode()
        assert "Give the partner a reason." in html
        assert f'class="collapse show" id="reason-{action}"' in html
        assert fresh(submitted).registration_status == "submitted"

    def test_a_refused_reason_is_kept_in_the_field(self, world, client_for, submitted):
        typed = "決裁者が不明です。" * 250  # past the 2,000 character limit
        response = client_for(world.channel_manager).post(step_url(submitted, "reject"), {"reason": typed})
        html = response.content.decode()
        assert "at most 2000 characters" in html
        assert typed in html
        assert fresh(submitted).registration_status == "submitted"

    def test_reason_kept_when_the_deal_moved_on_meanwhile(self, world, client_for, submitted):
        client = client_for(world.channel_manager)
        client.post(step_url(submitted, "approve"))
        response = client.post(step_url(submitted, "return"), {"reason": "稟議の流れを確認してください"})
        html = response.content.decode()
        assert "cannot be changed this way now" in html
        assert "稟議の流れを確認してください" in html

    def test_get_opens_the_reason_form_on_the_deal_page(self, world, client_for, submitted):
        response = client_for(world.channel_manager).get(step_url(submitted, "reject"))
        assert response.status_code == 200
        html = response.content.decode()
        assert 'class="collapse show" id="reason-reject"' in html
        assert "株式会社サンプル商事" in html

    def test_reject_with_a_reason(self, world, client_for, submitted):
        response = client_for(world.channel_manager).post(
            step_url(submitted, "reject"), {"reason": "既に他社で登録済みです"}, follow=True
        )
        assert fresh(submitted).registration_status == "rejected"
        with scopes_disabled():
            event = RegistrationEvent.objects.filter(deal=submitted).latest("at", "pk")
        assert (event.to_status, event.reason, event.actor) == (
            "rejected",
            "既に他社で登録済みです",
            world.channel_manager,
        )
        html = response.content.decode()
        assert "Registration rejected." in html
        assert "既に他社で登録済みです" in html
        rep_page = client_for(world.partner_rep).get(deal_url(submitted)).content.decode()
        assert "alert-danger" in rep_page and "既に他社で登録済みです" in rep_page

    def test_returned_deal_shows_the_reason_to_the_rep_who_can_submit_again(
        self, world, client_for, submitted
    ):
        client_for(world.channel_manager).post(
            step_url(submitted, "return"), {"reason": "決裁者を確認してください"}
        )
        assert fresh(submitted).registration_status == "returned"
        client = client_for(world.partner_rep)
        html = client.get(deal_url(submitted)).content.decode()
        assert "Returned for facts: fix the deal and submit it again" in html
        assert "決裁者を確認してください" in html
        assert "Submit registration" in html
        client.post(step_url(submitted, "submit"))
        assert fresh(submitted).registration_status == "submitted"
