"""``POST …/deals/{id}/submit|approve|reject|return/``: the registration workflow through the API (DESIGN §4, §7)."""

import json
from datetime import timedelta

import pytest
from django.urls import reverse
from django_scopes import scopes_disabled

from deals.models import RegistrationEvent
from prm.clock import vendor_today
from tests.api.test_deals import DEAL_KEYS, deal_url, fresh, second_alpha_rep
from tests.deals.conftest import register

REASON = {"reason": "同一顧客の登録が先にあります"}


def step_url(deal, step, vendor="acme"):
    return reverse(f"api_deal_{step}", kwargs={"vendor_slug": vendor, "deal_id": deal.pk})


def events(deal) -> list[tuple[str, str, str]]:
    with scopes_disabled():
        return list(
            RegistrationEvent.objects.filter(deal_id=deal.pk).values_list(
                "from_status", "to_status", "reason"
            )
        )


class TestSubmit:
    @pytest.mark.parametrize("role", ["partner_rep", "partner_admin"])
    def test_owner_or_partner_admin_submits_a_draft(self, world, api_as, role):
        deal = register(world, world.partner_rep)
        response = api_as(world.user(role)).post(step_url(deal, "submit"), {}, format="json")
        assert response.status_code == 200
        body = response.json()
        assert set(body) == DEAL_KEYS
        assert body["registration_status"] == "submitted"
        assert body["registered_at"] is not None
        assert fresh(deal).registration_status == "submitted"

    def test_an_empty_body_is_fine_and_an_optional_reason_is_kept(self, world, api_as):
        deal = register(world, world.partner_rep)
        response = api_as(world.partner_rep).post(
            step_url(deal, "submit"), {"reason": "初回登録"}, format="json"
        )
        assert response.status_code == 200
        assert events(deal) == [("draft", "submitted", "初回登録")]

    def test_another_rep_of_the_company_gets_403(self, world, api_as):
        deal = register(world, world.partner_rep)
        response = api_as(second_alpha_rep(world)).post(step_url(deal, "submit"), {}, format="json")
        assert response.status_code == 403
        assert fresh(deal).registration_status == "draft"

    def test_vendor_staff_cannot_submit_a_returned_deal(self, world, api_as):
        deal = register(world, world.partner_rep, submit=True)
        api_as(world.channel_manager).post(step_url(deal, "return"), REASON, format="json")
        response = api_as(world.channel_manager).post(step_url(deal, "submit"), {}, format="json")
        assert response.status_code == 403

    def test_vendor_staff_do_not_see_drafts(self, world, api_as):
        deal = register(world, world.partner_rep)
        assert api_as(world.vendor_admin).post(step_url(deal, "submit"), {}, format="json").status_code == 404

    def test_submitting_twice_is_a_400_with_a_message(self, world, api_as):
        deal = register(world, world.partner_rep, submit=True)
        response = api_as(world.partner_rep).post(step_url(deal, "submit"), {}, format="json")
        assert response.status_code == 400
        assert response.json() == {
            "non_field_errors": ["This deal is Submitted; it cannot be changed this way now."]
        }

    def test_another_company_and_another_tenant_get_404(self, world, api_as):
        deal = register(world, world.partner_rep)
        assert api_as(world.beta_rep).post(step_url(deal, "submit"), {}, format="json").status_code == 404
        assert api_as(world.rival_rep).post(step_url(deal, "submit"), {}, format="json").status_code == 404
        assert fresh(deal).registration_status == "draft"

    def test_get_is_not_allowed(self, world, api_as):
        deal = register(world, world.partner_rep)
        assert api_as(world.partner_rep).get(step_url(deal, "submit")).status_code == 405

    def test_the_reason_must_be_text(self, world, api_as):
        deal = register(world, world.partner_rep)
        response = api_as(world.partner_rep).post(step_url(deal, "submit"), {"reason": ["a"]}, format="json")
        assert response.status_code == 400
        assert list(response.json()) == ["reason"]


class TestApprove:
    @pytest.mark.parametrize("role", ["channel_manager", "vendor_admin"])
    def test_vendor_staff_approve_and_protection_starts(self, world, api_as, role):
        deal = register(world, world.partner_rep, submit=True)
        response = api_as(world.user(role)).post(step_url(deal, "approve"), {}, format="json")
        assert response.status_code == 200
        body = response.json()
        assert body["registration_status"] == "approved"
        expected = vendor_today(world.acme) + timedelta(days=world.acme.protection_days)
        assert body["protected_until"] == expected.isoformat()

    @pytest.mark.parametrize("role", ["partner_rep", "partner_admin"])
    def test_partner_users_get_403(self, world, api_as, role):
        deal = register(world, world.partner_rep, submit=True)
        response = api_as(world.user(role)).post(step_url(deal, "approve"), {}, format="json")
        assert response.status_code == 403
        assert response.json()["code"] == "permission_denied"
        assert fresh(deal).registration_status == "submitted"

    def test_approving_twice_is_a_400(self, world, api_as):
        deal = register(world, world.partner_rep, submit=True)
        api = api_as(world.channel_manager)
        assert api.post(step_url(deal, "approve"), {}, format="json").status_code == 200
        response = api.post(step_url(deal, "approve"), {}, format="json")
        assert response.status_code == 400
        assert response.json() == {
            "non_field_errors": ["This deal is Approved; it cannot be changed this way now."]
        }

    def test_a_deal_in_an_open_conflict_cannot_be_approved(self, world, api_as):
        alpha = register(world, world.partner_rep, submit=True)
        beta = register(world, world.beta_rep, submit=True, customer_name="サンプル商事")
        api = api_as(world.channel_manager)
        for deal in (alpha, beta):
            response = api.post(step_url(deal, "approve"), {}, format="json")
            assert response.status_code == 400
            assert response.json() == {
                "non_field_errors": ["Resolve the registration conflict on this deal before approving it."]
            }
            assert fresh(deal).registration_status == "submitted"

    def test_another_tenants_admin_gets_404(self, world, api_as):
        deal = register(world, world.partner_rep, submit=True)
        assert api_as(world.rival_admin).post(step_url(deal, "approve"), {}, format="json").status_code == 404


class TestRejectAndReturn:
    @pytest.mark.parametrize("step", ["reject", "return"])
    @pytest.mark.parametrize(
        "body", [{}, {"reason": ""}, {"reason": "   "}], ids=["missing", "empty", "blank"]
    )
    def test_a_reason_is_required(self, world, api_as, step, body):
        deal = register(world, world.partner_rep, submit=True)
        response = api_as(world.channel_manager).post(step_url(deal, step), body, format="json")
        assert response.status_code == 400
        assert response.json() == {"reason": ["Give the partner a reason."]}
        assert fresh(deal).registration_status == "submitted"

    def test_reject_with_a_reason(self, world, api_as):
        deal = register(world, world.partner_rep, submit=True)
        response = api_as(world.channel_manager).post(step_url(deal, "reject"), REASON, format="json")
        assert response.status_code == 200
        assert response.json()["registration_status"] == "rejected"
        assert events(deal)[-1] == ("submitted", "rejected", REASON["reason"])

    def test_an_approved_deal_can_still_be_rejected(self, world, api_as):
        deal = register(world, world.partner_rep, submit=True)
        api = api_as(world.vendor_admin)
        api.post(step_url(deal, "approve"), {}, format="json")
        response = api.post(step_url(deal, "reject"), REASON, format="json")
        assert response.status_code == 200
        assert response.json()["protected_until"] is None

    def test_returned_deal_is_fixed_and_submitted_again(self, world, api_as):
        deal = register(world, world.partner_rep, submit=True)
        returned = api_as(world.channel_manager).post(
            step_url(deal, "return"), {"reason": "決裁者を確認してください"}, format="json"
        )
        assert returned.status_code == 200
        assert returned.json()["registration_status"] == "returned"
        rep = api_as(world.partner_rep)
        version = rep.get(deal_url(deal)).json()["version"]
        fixed = rep.patch(
            deal_url(deal),
            {
                "version": version,
                "meddic": {"economic_buyer": {"level": 1, "title_level": "department_head"}},
            },
            format="json",
        )
        assert fixed.status_code == 200
        resubmitted = rep.post(step_url(deal, "submit"), {}, format="json")
        assert resubmitted.status_code == 200
        assert resubmitted.json()["registration_status"] == "submitted"

    @pytest.mark.parametrize("step", ["reject", "return"])
    @pytest.mark.parametrize("role", ["partner_rep", "partner_admin"])
    def test_partner_users_get_403_even_without_a_reason(self, world, api_as, step, role):
        deal = register(world, world.partner_rep, submit=True)
        response = api_as(world.user(role)).post(step_url(deal, step), {}, format="json")
        assert response.status_code == 403

    def test_a_rejected_deal_cannot_be_returned(self, world, api_as):
        deal = register(world, world.partner_rep, submit=True)
        api = api_as(world.channel_manager)
        api.post(step_url(deal, "reject"), REASON, format="json")
        response = api.post(step_url(deal, "return"), REASON, format="json")
        assert response.status_code == 400
        assert "non_field_errors" in response.json()

    def test_another_company_gets_404(self, world, api_as):
        deal = register(world, world.beta_rep, submit=True)
        assert (
            api_as(world.partner_admin).post(step_url(deal, "reject"), REASON, format="json").status_code
            == 404
        )


class TestConflictFlag:
    def test_both_sides_see_the_flag_and_partners_see_nothing_of_the_other(self, world, api_as):
        alpha = register(world, world.partner_rep, submit=True)
        beta = register(world, world.beta_rep)
        response = api_as(world.beta_rep).post(step_url(beta, "submit"), {}, format="json")
        assert response.status_code == 200
        assert response.json()["conflict"] is True
        text = json.dumps(response.json(), ensure_ascii=False)
        assert "Alpha" not in text and "alpha" not in text
        assert api_as(world.partner_rep).get(deal_url(alpha)).json()["conflict"] is True
        assert api_as(world.channel_manager).get(deal_url(alpha)).json()["conflict"] is True

    def test_no_flag_without_a_conflict(self, world, api_as):
        deal = register(world, world.partner_rep)
        response = api_as(world.partner_rep).post(step_url(deal, "submit"), {}, format="json")
        assert response.json()["conflict"] is False
