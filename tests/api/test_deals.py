"""``/api/v1/vendors/{v}/deals/``: create, list with filters, retrieve and PATCH with ``version`` (DESIGN §7)."""

import json
from datetime import date, timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django_scopes import scopes_disabled
from rest_framework.test import APIClient

from audit.models import AuditEntry
from deals.models import Deal
from meddic.models import COMMON_FIELDS, ELEMENT_FIELDS, MeddicElement
from partners.models import Role
from prm.clock import vendor_today
from tests.conftest import add_member, make_user
from tests.deals.conftest import deal_fields, register

DEAL_KEYS = {
    "id",
    "review",
    "partner",
    "owner",
    "customer_name",
    "customer_corporate_number",
    "customer_industry",
    "customer_size",
    "title",
    "amount",
    "close_date",
    "phase",
    "loss_type",
    "proposal_reason",
    "registration_status",
    "protected_until",
    "conflict",
    "version",
    "registered_at",
    "closed_at",
    "created_at",
    "updated_at",
    "meddic",
    "score",
}

TEMPLATE_KEYS = {
    "customer_name",
    "customer_corporate_number",
    "customer_industry",
    "customer_size",
    "title",
    "amount",
    "close_date",
    "phase",
    "loss_type",
    "proposal_reason",
}
WORKFLOW_STEPS = ("submit", "approve", "reject", "return")


def list_url(vendor="acme"):
    return reverse("api_deal_list", kwargs={"vendor_slug": vendor})


def deal_url(deal, vendor="acme"):
    return reverse("api_deal_detail", kwargs={"vendor_slug": vendor, "deal_id": deal.pk})


def new_deal(**overrides) -> dict:
    """A create body as a client sends it (dates as ISO strings)."""
    body = deal_fields(**overrides)
    body["close_date"] = body["close_date"].isoformat()
    return body


def fresh(deal) -> Deal:
    with scopes_disabled():
        return Deal.objects.get(pk=deal.pk)


def element(deal, code) -> MeddicElement:
    with scopes_disabled():
        return MeddicElement.objects.get(deal_id=deal.pk, code=code)


def deal_count() -> int:
    with scopes_disabled():
        return Deal.objects.count()


def audit_count() -> int:
    with scopes_disabled():
        return AuditEntry.objects.count()


def second_alpha_rep(world):
    with scopes_disabled():
        user = make_user("rep2@alpha.example", "Rin Rep")
        add_member(user, world.acme, Role.PARTNER_REP, world.alpha)
    return user


def ids(response) -> list[int]:
    return [row["id"] for row in response.json()["results"]]


class TestCreate:
    def test_rep_registers_a_draft_for_own_company(self, world, api_as):
        response = api_as(world.partner_rep).post(list_url(), new_deal(), format="json")
        assert response.status_code == 201
        body = response.json()
        assert set(body) == DEAL_KEYS
        assert body["partner"] == world.alpha.pk
        assert body["owner"] == "rep@alpha.example"
        assert body["customer_name"] == "株式会社サンプル商事"
        assert body["amount"] == 12_000_000
        assert body["close_date"] == (date.today() + timedelta(days=60)).isoformat()
        assert body["registration_status"] == "draft"
        assert body["version"] == 1
        assert body["conflict"] is False
        assert body["protected_until"] is None and body["registered_at"] is None
        with scopes_disabled():
            deal = Deal.objects.get(pk=body["id"])
        assert (deal.vendor, deal.partner, deal.owner) == (world.acme, world.alpha, world.partner_rep)

    def test_every_element_is_rendered_with_its_own_fields(self, world, api_as):
        body = api_as(world.partner_rep).post(list_url(), new_deal(), format="json").json()
        assert list(body["meddic"]) == list(ELEMENT_FIELDS)
        for code, fields in ELEMENT_FIELDS.items():
            assert set(body["meddic"][code]) == {*COMMON_FIELDS, *fields, "last_confirmed_at"}, code
        assert body["meddic"]["metrics"] == {
            "level": 0,
            "evidence": "unknown",
            "note": "",
            "last_confirmed_at": None,
        }
        assert body["meddic"]["decision_criteria"]["criteria"] == []
        assert body["meddic"]["identify_pain"]["severity"] is None

    def test_element_answers_on_create(self, world, api_as):
        response = api_as(world.partner_rep).post(
            list_url(),
            new_deal(
                meddic={
                    "champion": {"status": "reported", "level": 1, "evidence": "reported"},
                    "decision_criteria": {"criteria": ["security", "price"]},
                }
            ),
            format="json",
        )
        assert response.status_code == 201
        meddic = response.json()["meddic"]
        assert (meddic["champion"]["status"], meddic["champion"]["level"]) == ("reported", 1)
        assert meddic["champion"]["last_confirmed_at"] is not None
        assert meddic["decision_criteria"]["criteria"] == ["price", "security"]
        assert meddic["metrics"]["last_confirmed_at"] is None

    def test_partner_admin_registers_as_owner(self, world, api_as):
        body = api_as(world.partner_admin).post(list_url(), new_deal(), format="json").json()
        assert (body["partner"], body["owner"]) == (world.alpha.pk, "padmin@alpha.example")

    def test_tenant_partner_owner_and_workflow_fields_in_the_body_have_no_effect(self, world, api_as):
        response = api_as(world.partner_rep).post(
            list_url(),
            new_deal(
                partner=world.beta.pk,
                owner=world.beta_rep.pk,
                vendor=world.rival.pk,
                registration_status="approved",
                protected_until="2030-01-01",
                version=7,
                conflict=True,
                id=999,
            ),
            format="json",
        )
        assert response.status_code == 201
        body = response.json()
        assert body["partner"] == world.alpha.pk
        assert body["owner"] == "rep@alpha.example"
        assert body["registration_status"] == "draft"
        assert body["protected_until"] is None
        assert body["version"] == 1
        assert body["conflict"] is False
        assert body["id"] != 999
        with scopes_disabled():
            deal = Deal.objects.get(pk=body["id"])
        assert (deal.vendor_id, deal.partner_id, deal.owner_id) == (
            world.acme.pk,
            world.alpha.pk,
            world.partner_rep.pk,
        )

    def test_the_six_required_fields_are_named(self, world, api_as):
        response = api_as(world.partner_rep).post(list_url(), {"customer_industry": "retail"}, format="json")
        assert response.status_code == 400
        assert set(response.json()) == {
            "customer_name",
            "title",
            "amount",
            "close_date",
            "phase",
            "proposal_reason",
        }
        assert deal_count() == 0

    def test_optional_fields_take_their_defaults(self, world, api_as):
        body = new_deal()
        del body["customer_industry"], body["customer_size"]
        response = api_as(world.partner_rep).post(list_url(), body, format="json")
        assert response.status_code == 201
        assert response.json()["customer_industry"] == ""
        assert response.json()["customer_size"] == "unknown"
        assert response.json()["customer_corporate_number"] == ""

    def test_template_rules_answer_400_on_their_field(self, world, api_as):
        response = api_as(world.partner_rep).post(
            list_url(),
            new_deal(proposal_reason="一\n二\n三\n四", customer_corporate_number="7000012050003"),
            format="json",
        )
        assert response.status_code == 400
        body = response.json()
        assert set(body) == {"proposal_reason", "customer_corporate_number"}
        assert all(isinstance(messages, list) and messages for messages in body.values())
        assert deal_count() == 0

    @pytest.mark.parametrize("typed", ["7000012050002", "7000-0120-50002", "７０００ ０１２０ ５０００２"])
    def test_corporate_number_is_taken_as_typed_and_stored_as_13_digits(self, world, api_as, typed):
        response = api_as(world.partner_rep).post(
            list_url(), new_deal(customer_corporate_number=typed), format="json"
        )
        assert response.status_code == 201
        assert response.json()["customer_corporate_number"] == "7000012050002"

    def test_won_needs_a_close_date_not_in_the_future(self, world, api_as):
        response = api_as(world.partner_rep).post(
            list_url(),
            new_deal(phase="won", close_date=vendor_today(world.acme) + timedelta(days=3)),
            format="json",
        )
        assert response.status_code == 400
        assert response.json() == {"close_date": ["A won or lost deal's close date cannot be in the future."]}

    def test_lost_needs_a_loss_type(self, world, api_as):
        response = api_as(world.partner_rep).post(
            list_url(), new_deal(phase="lost", close_date=vendor_today(world.acme)), format="json"
        )
        assert response.status_code == 400
        assert list(response.json()) == ["loss_type"]

    def test_unknown_choices_are_refused_by_field(self, world, api_as):
        response = api_as(world.partner_rep).post(
            list_url(), new_deal(phase="closing", amount="lots", customer_size="huge"), format="json"
        )
        assert response.status_code == 400
        assert set(response.json()) == {"phase", "amount", "customer_size"}

    def test_element_errors_are_keyed_by_element_and_field(self, world, api_as):
        response = api_as(world.partner_rep).post(
            list_url(),
            new_deal(
                meddic={
                    "champion": {"status": "hero", "colour": "red"},
                    "metrics": {"level": 4},
                    "budget": {"level": 1},
                }
            ),
            format="json",
        )
        assert response.status_code == 400
        body = response.json()
        assert set(body) == {
            "meddic.champion.status",
            "meddic.champion.colour",
            "meddic.metrics.level",
            "meddic.budget",
        }
        assert body["meddic.metrics.level"] == ["Choose a level from 0 to 3."]
        assert body["meddic.champion.colour"] == ["This field does not belong to this element."]
        assert deal_count() == 0

    def test_meddic_must_be_an_object(self, world, api_as):
        response = api_as(world.partner_rep).post(list_url(), new_deal(meddic=["champion"]), format="json")
        assert response.status_code == 400
        assert list(response.json()) == ["meddic"]

    def test_partner_setting_verified_gets_403_and_nothing_is_created(self, world, api_as):
        response = api_as(world.partner_rep).post(
            list_url(), new_deal(meddic={"champion": {"evidence": "verified"}}), format="json"
        )
        assert response.status_code == 403
        assert response.json() == {
            "detail": "Only the vendor can mark an element as verified.",
            "code": "permission_denied",
        }
        assert deal_count() == 0

    @pytest.mark.parametrize("role", ["vendor_admin", "channel_manager"])
    def test_vendor_staff_cannot_register(self, world, api_as, role):
        response = api_as(world.user(role)).post(list_url(), new_deal(), format="json")
        assert response.status_code == 403
        assert deal_count() == 0

    def test_another_vendors_user_gets_404(self, world, api_as):
        response = api_as(world.rival_rep).post(list_url(), new_deal(), format="json")
        assert response.status_code == 404
        assert deal_count() == 0

    def test_form_posts_are_not_accepted(self, world, api_as):
        assert api_as(world.partner_rep).post(list_url(), new_deal()).status_code == 415

    def test_works_with_a_token(self, world, api_with_token):
        response = api_with_token(world.partner_rep).post(list_url(), new_deal(), format="json")
        assert response.status_code == 201


class TestList:
    def test_partner_users_see_their_company_drafts_included(self, world, api_as):
        draft = register(world, world.partner_rep)
        submitted = register(world, world.partner_admin, submit=True)
        register(world, world.beta_rep, submit=True)
        for user in (world.partner_rep, world.partner_admin):
            response = api_as(user).get(list_url())
            assert response.status_code == 200
            assert sorted(ids(response)) == sorted([draft.pk, submitted.pk])

    def test_vendor_staff_see_every_partners_registered_deals_but_no_drafts(self, world, api_as):
        register(world, world.partner_rep)
        alpha = register(world, world.partner_rep, submit=True)
        beta = register(world, world.beta_rep, submit=True)
        register(world, world.rival_rep, world.rival, submit=True)
        for role in ("vendor_admin", "channel_manager"):
            response = api_as(world.user(role)).get(list_url())
            assert sorted(ids(response)) == sorted([alpha.pk, beta.pk])

    def test_rows_are_whole_deals_newest_change_first(self, world, api_as):
        first = register(world, world.partner_rep, title="First")
        second = register(world, world.partner_rep, title="Second")
        body = api_as(world.partner_rep).get(list_url()).json()
        assert set(body) == {"count", "next", "previous", "results"}
        assert [row["id"] for row in body["results"]] == [second.pk, first.pk]
        assert set(body["results"][0]) == DEAL_KEYS
        assert list(body["results"][0]["meddic"]) == list(ELEMENT_FIELDS)

    def test_another_vendors_user_gets_404(self, world, api_as):
        assert api_as(world.rival_admin).get(list_url()).status_code == 404

    def test_phase_filter(self, world, api_as):
        proposal = register(world, world.partner_rep, phase="proposal")
        register(world, world.partner_rep, phase="evaluation")
        assert ids(api_as(world.partner_rep).get(list_url(), {"phase": "proposal"})) == [proposal.pk]

    def test_registration_status_filter(self, world, api_as):
        draft = register(world, world.partner_rep)
        submitted = register(world, world.partner_rep, submit=True)
        api = api_as(world.partner_rep)
        assert ids(api.get(list_url(), {"registration_status": "draft"})) == [draft.pk]
        assert ids(api.get(list_url(), {"registration_status": "submitted"})) == [submitted.pk]
        assert ids(api.get(list_url(), {"registration_status": "approved"})) == []

    def test_partner_filter(self, world, api_as):
        alpha = register(world, world.partner_rep, submit=True)
        beta = register(world, world.beta_rep, submit=True)
        api = api_as(world.channel_manager)
        assert ids(api.get(list_url(), {"partner": world.alpha.pk})) == [alpha.pk]
        assert ids(api.get(list_url(), {"partner": world.beta.pk})) == [beta.pk]

    @pytest.mark.parametrize("partner", ["beta", "gamma", "nobody"])
    def test_partner_filter_accepts_only_partners_the_caller_sees(self, world, api_as, partner):
        partner_id = 999999 if partner == "nobody" else getattr(world, partner).pk
        response = api_as(world.partner_rep).get(list_url(), {"partner": partner_id})
        assert response.status_code == 400
        assert list(response.json()) == ["partner"]

    def test_flag_filter_finds_registration_conflicts(self, world, api_as):
        alpha = register(world, world.partner_rep, submit=True)
        register(world, world.partner_rep, submit=True, customer_name="無関係株式会社")
        beta = register(world, world.beta_rep, submit=True, customer_name="(株)サンプル商事")
        staff = api_as(world.channel_manager).get(list_url(), {"flag": "registration_conflict"})
        assert sorted(ids(staff)) == sorted([alpha.pk, beta.pk])
        assert all(row["conflict"] for row in staff.json()["results"])
        rep = api_as(world.partner_rep).get(list_url(), {"flag": "registration_conflict"})
        assert ids(rep) == [alpha.pk]

    def test_unknown_flag_is_a_400_listing_the_valid_ones(self, world, api_as):
        response = api_as(world.partner_rep).get(list_url(), {"flag": "haunted"})
        assert response.status_code == 400
        valid = (
            "registration_conflict, metrics_undefined, economic_buyer_no_access, decision_criteria_unknown, "
            "decision_process_unknown, pain_not_urgent, champion_missing, champion_inactive, close_date_passed"
        )
        assert response.json() == {"flag": [f"Unknown flag haunted. Valid flags: {valid}."]}

    def test_a_risk_flag_filters_the_list(self, world, api_as):
        flagged = register(world, world.partner_rep, phase="proposal")
        register(world, world.partner_rep, phase="problem_definition", customer_name="初期段階の顧客")
        response = api_as(world.partner_rep).get(list_url(), {"flag": "champion_missing"})
        assert [deal["id"] for deal in response.json()["results"]] == [flagged.pk]

    @pytest.mark.parametrize("params", [{"phase": "closing"}, {"registration_status": "pending"}])
    def test_unknown_filter_values_are_a_400_on_that_field(self, world, api_as, params):
        response = api_as(world.partner_rep).get(list_url(), params)
        assert response.status_code == 400
        assert list(response.json()) == list(params)

    def test_filters_combine(self, world, api_as):
        register(world, world.partner_rep, submit=True, phase="proposal")
        wanted = register(world, world.partner_rep, phase="proposal")
        register(world, world.partner_rep, phase="evaluation")
        response = api_as(world.partner_rep).get(
            list_url(), {"phase": "proposal", "registration_status": "draft", "partner": world.alpha.pk}
        )
        assert ids(response) == [wanted.pk]

    def test_pagination(self, world, api_as):
        for number in range(52):
            register(world, world.partner_rep, title=f"Deal {number:02}")
        api = api_as(world.partner_rep)
        first = api.get(list_url()).json()
        assert first["count"] == 52
        assert len(first["results"]) == 50
        assert first["previous"] is None
        assert first["next"].endswith(f"{list_url()}?page=2")
        second = api.get(first["next"]).json()
        assert len(second["results"]) == 2
        assert second["next"] is None

    def test_query_count_does_not_grow_with_the_number_of_deals(
        self, world, api_as, django_assert_max_num_queries
    ):
        api = api_as(world.channel_manager)
        for _number in range(2):
            register(world, world.partner_rep, submit=True)
        with CaptureQueriesContext(connection) as few:
            assert len(api.get(list_url()).json()["results"]) == 2
        for number in range(12):
            register(world, world.beta_rep if number % 2 else world.partner_rep, submit=True)
        register(world, world.beta_rep, submit=True, customer_name="株式会社サンプル商事")
        with django_assert_max_num_queries(len(few)):
            response = api.get(list_url(), {"flag": "registration_conflict"})
        assert response.json()["count"] > 2
        with django_assert_max_num_queries(len(few)):
            assert len(api.get(list_url()).json()["results"]) == 15


class TestRetrieve:
    def test_owner_and_partner_admin_read_the_deal(self, world, api_as):
        deal = register(world, world.partner_rep)
        for user in (world.partner_rep, world.partner_admin):
            response = api_as(user).get(deal_url(deal))
            assert response.status_code == 200
            assert response.json()["id"] == deal.pk
            assert set(response.json()) == DEAL_KEYS

    def test_another_rep_of_the_company_reads_it(self, world, api_as):
        deal = register(world, world.partner_rep)
        assert api_as(second_alpha_rep(world)).get(deal_url(deal)).status_code == 200

    def test_another_company_gets_404(self, world, api_as):
        deal = register(world, world.partner_rep, submit=True)
        assert api_as(world.beta_rep).get(deal_url(deal)).status_code == 404

    def test_vendor_staff_read_submitted_deals_but_not_drafts(self, world, api_as):
        submitted = register(world, world.partner_rep, submit=True)
        draft = register(world, world.partner_rep)
        api = api_as(world.channel_manager)
        assert api.get(deal_url(submitted)).status_code == 200
        assert api.get(deal_url(draft)).status_code == 404

    def test_another_tenants_deal_is_404_for_everyone(self, world, api_as):
        rival = register(world, world.rival_rep, world.rival, submit=True)
        for role in ("vendor_admin", "channel_manager", "partner_admin", "partner_rep"):
            assert api_as(world.user(role)).get(deal_url(rival)).status_code == 404, role
        assert api_as(world.rival_admin).get(deal_url(rival)).status_code == 404
        assert api_as(world.rival_admin).get(deal_url(rival, vendor="rival")).status_code == 200

    def test_unknown_id_is_404(self, world, api_as):
        url = reverse("api_deal_detail", kwargs={"vendor_slug": "acme", "deal_id": 999999})
        assert api_as(world.partner_rep).get(url).status_code == 404

    def test_put_and_delete_are_not_offered(self, world, api_as):
        deal = register(world, world.partner_rep)
        api = api_as(world.partner_rep)
        assert api.put(deal_url(deal), new_deal(version=1), format="json").status_code == 405
        assert api.delete(deal_url(deal)).status_code == 405

    def test_conflict_flag_names_nobody_to_partner_users(self, world, api_as):
        alpha = register(world, world.partner_rep, submit=True)
        register(world, world.beta_rep, submit=True, customer_name="サンプル商事株式会社")
        response = api_as(world.partner_rep).get(deal_url(alpha))
        body = response.json()
        assert body["conflict"] is True
        text = json.dumps(body, ensure_ascii=False)
        assert "Beta" not in text and "beta" not in text
        assert body["partner"] == world.alpha.pk


class TestPatch:
    def test_owner_changes_answers_and_the_version_goes_up(self, world, api_as):
        deal = register(world, world.partner_rep)
        response = api_as(world.partner_rep).patch(
            deal_url(deal), {"version": 1, "title": "新基幹システム", "amount": 15_000_000}, format="json"
        )
        assert response.status_code == 200
        body = response.json()
        assert (body["title"], body["amount"], body["version"]) == ("新基幹システム", 15_000_000, 2)
        assert body["customer_name"] == "株式会社サンプル商事"
        assert fresh(deal).title == "新基幹システム"

    def test_meddic_is_merged_per_element_and_per_field(self, world, api_as):
        deal = register(
            world,
            world.partner_rep,
            meddic={
                "champion": {"status": "coach_only", "power_influence": "yes", "level": 2, "note": "部長"},
                "metrics": {"level": 1, "note": "在庫回転率"},
            },
        )
        before = api_as(world.partner_rep).get(deal_url(deal)).json()
        response = api_as(world.partner_rep).patch(
            deal_url(deal),
            {"version": before["version"], "meddic": {"champion": {"status": "reported"}}},
            format="json",
        )
        assert response.status_code == 200
        after = response.json()
        assert after["meddic"]["champion"] == {
            **before["meddic"]["champion"],
            "status": "reported",
            "last_confirmed_at": after["meddic"]["champion"]["last_confirmed_at"],
        }
        assert after["meddic"]["champion"]["level"] == 2
        assert after["meddic"]["champion"]["power_influence"] == "yes"
        for code in ELEMENT_FIELDS:
            if code != "champion":
                assert after["meddic"][code] == before["meddic"][code], code
        for name in ("title", "amount", "phase", "proposal_reason", "customer_name"):
            assert after[name] == before[name]
        assert after["version"] == before["version"] + 1

    def test_a_change_that_changes_nothing_keeps_the_version(self, world, api_as):
        deal = register(world, world.partner_rep)
        response = api_as(world.partner_rep).patch(
            deal_url(deal),
            {"version": 1, "title": deal.title, "meddic": {"metrics": {"level": 0}}},
            format="json",
        )
        assert response.status_code == 200
        assert response.json()["version"] == 1

    def test_version_is_required(self, world, api_as):
        deal = register(world, world.partner_rep)
        response = api_as(world.partner_rep).patch(deal_url(deal), {"title": "X"}, format="json")
        assert response.status_code == 400
        assert response.json() == {"version": ["This field is required."]}
        assert fresh(deal).title == deal.title

    def test_stale_version_is_409_with_the_current_deal_and_nothing_written(self, world, api_as):
        deal = register(world, world.partner_rep)
        api = api_as(world.partner_rep)
        api.patch(deal_url(deal), {"version": 1, "title": "Second edition"}, format="json")
        entries = audit_count()
        response = api.patch(
            deal_url(deal),
            {"version": 1, "title": "Lost update", "meddic": {"champion": {"status": "reported"}}},
            format="json",
        )
        assert response.status_code == 409
        body = response.json()
        assert set(body) == {"detail", "code", "current"}
        assert body["code"] == "stale_version"
        assert body["detail"] == (
            "This object was changed by someone else; reload it and apply your change again."
        )
        assert set(body["current"]) == DEAL_KEYS
        assert (body["current"]["version"], body["current"]["title"]) == (2, "Second edition")
        assert body["current"]["meddic"]["champion"]["status"] == "unknown"
        current = fresh(deal)
        assert (current.version, current.title) == (2, "Second edition")
        assert element(deal, "champion").status == "unknown"
        assert audit_count() == entries

    def test_two_edits_of_the_same_version_the_second_is_409(self, world, api_as):
        deal = register(world, world.partner_rep)
        first = api_as(world.partner_admin).patch(
            deal_url(deal), {"version": 1, "meddic": {"metrics": {"level": 2}}}, format="json"
        )
        second = api_as(world.partner_rep).patch(
            deal_url(deal), {"version": 1, "meddic": {"metrics": {"level": 1}}}, format="json"
        )
        assert first.status_code == 200
        assert second.status_code == 409
        assert second.json()["current"]["meddic"]["metrics"]["level"] == 2
        assert element(deal, "metrics").level == 2
        # Based on the current version, the same change goes through.
        retry = api_as(world.partner_rep).patch(
            deal_url(deal), {"version": 2, "meddic": {"metrics": {"level": 1}}}, format="json"
        )
        assert retry.status_code == 200
        assert retry.json()["version"] == 3

    def test_partner_admin_edits_a_reps_deal(self, world, api_as):
        deal = register(world, world.partner_rep)
        response = api_as(world.partner_admin).patch(
            deal_url(deal), {"version": 1, "phase": "proposal"}, format="json"
        )
        assert response.status_code == 200
        assert response.json()["phase"] == "proposal"

    @pytest.mark.parametrize(
        "change",
        [{"title": "Mine now"}, {"meddic": {"metrics": {"level": 1}}}, {}],
        ids=["field", "meddic", "nothing"],
    )
    def test_another_rep_of_the_company_gets_403(self, world, api_as, change):
        deal = register(world, world.partner_rep)
        response = api_as(second_alpha_rep(world)).patch(
            deal_url(deal), {"version": 1, **change}, format="json"
        )
        assert response.status_code == 403
        assert (fresh(deal).version, fresh(deal).title) == (1, deal.title)
        assert element(deal, "metrics").level == 0

    def test_partner_setting_verified_gets_403_and_nothing_is_written(self, world, api_as):
        deal = register(world, world.partner_rep)
        response = api_as(world.partner_rep).patch(
            deal_url(deal),
            {"version": 1, "title": "Changed", "meddic": {"metrics": {"level": 2, "evidence": "verified"}}},
            format="json",
        )
        assert response.status_code == 403
        assert response.json()["detail"] == "Only the vendor can mark an element as verified."
        assert fresh(deal).title == deal.title
        assert (element(deal, "metrics").level, element(deal, "metrics").evidence) == (0, "unknown")

    @pytest.mark.parametrize("role", ["vendor_admin", "channel_manager"])
    def test_vendor_staff_answer_and_verify_elements(self, world, api_as, role):
        deal = register(world, world.partner_rep, submit=True)
        response = api_as(world.user(role)).patch(
            deal_url(deal),
            {
                "version": deal.version,
                "meddic": {"economic_buyer": {"evidence": "verified", "access": "vendor_met"}},
            },
            format="json",
        )
        assert response.status_code == 200
        assert response.json()["meddic"]["economic_buyer"]["evidence"] == "verified"
        assert response.json()["meddic"]["economic_buyer"]["access"] == "vendor_met"

    @pytest.mark.parametrize("role", ["vendor_admin", "channel_manager"])
    def test_vendor_staff_cannot_change_deal_fields(self, world, api_as, role):
        deal = register(world, world.partner_rep, submit=True)
        response = api_as(world.user(role)).patch(
            deal_url(deal),
            {"version": deal.version, "amount": 1, "meddic": {"metrics": {"level": 3}}},
            format="json",
        )
        assert response.status_code == 403
        assert fresh(deal).amount == deal.amount
        assert element(deal, "metrics").level == 0

    def test_vendor_staff_get_404_for_a_draft(self, world, api_as):
        deal = register(world, world.partner_rep)
        response = api_as(world.channel_manager).patch(
            deal_url(deal), {"version": 1, "meddic": {"metrics": {"level": 1}}}, format="json"
        )
        assert response.status_code == 404

    def test_another_company_and_another_tenant_get_404(self, world, api_as):
        deal = register(world, world.partner_rep, submit=True)
        for user in (world.beta_rep, world.rival_admin, world.rival_rep):
            response = api_as(user).patch(
                deal_url(deal), {"version": deal.version, "title": "X"}, format="json"
            )
            assert response.status_code == 404
        assert fresh(deal).title == deal.title

    def test_partner_owner_and_workflow_fields_in_the_body_have_no_effect(self, world, api_as):
        deal = register(world, world.partner_rep)
        response = api_as(world.partner_rep).patch(
            deal_url(deal),
            {
                "version": 1,
                "title": "Renamed",
                "partner": world.beta.pk,
                "owner": world.beta_rep.pk,
                "registration_status": "approved",
                "protected_until": "2030-01-01",
                "conflict": True,
            },
            format="json",
        )
        assert response.status_code == 200
        body = response.json()
        assert (body["partner"], body["owner"], body["registration_status"]) == (
            world.alpha.pk,
            "rep@alpha.example",
            "draft",
        )
        assert body["protected_until"] is None
        current = fresh(deal)
        assert (current.partner_id, current.owner_id, current.title) == (
            world.alpha.pk,
            world.partner_rep.pk,
            "Renamed",
        )

    def test_template_rules_answer_400_and_nothing_is_written(self, world, api_as):
        deal = register(world, world.partner_rep)
        response = api_as(world.partner_rep).patch(
            deal_url(deal),
            {"version": 1, "proposal_reason": "一\n" + "長" * 61, "meddic": {"metrics": {"level": 2}}},
            format="json",
        )
        assert response.status_code == 400
        assert list(response.json()) == ["proposal_reason"]
        assert fresh(deal).version == 1
        assert element(deal, "metrics").level == 0

    def test_closing_as_lost_needs_a_loss_type(self, world, api_as):
        deal = register(world, world.partner_rep)
        response = api_as(world.partner_rep).patch(
            deal_url(deal),
            {"version": 1, "phase": "lost", "close_date": vendor_today(world.acme).isoformat()},
            format="json",
        )
        assert response.status_code == 400
        assert list(response.json()) == ["loss_type"]
        ok = api_as(world.partner_rep).patch(
            deal_url(deal),
            {
                "version": 1,
                "phase": "lost",
                "close_date": vendor_today(world.acme).isoformat(),
                "loss_type": "competitor",
            },
            format="json",
        )
        assert ok.status_code == 200
        assert ok.json()["closed_at"] is not None

    def test_element_errors_are_keyed_by_element_and_field(self, world, api_as):
        deal = register(world, world.partner_rep)
        response = api_as(world.partner_rep).patch(
            deal_url(deal),
            {
                "version": 1,
                "meddic": {
                    "decision_process": {"co_reviewers": ["it", "marketing"]},
                    "identify_pain": {"severity": 9},
                    "metrics": {"status": "reported"},
                },
            },
            format="json",
        )
        assert response.status_code == 400
        assert set(response.json()) == {
            "meddic.decision_process.co_reviewers",
            "meddic.identify_pain.severity",
            "meddic.metrics.status",
        }
        assert fresh(deal).version == 1

    def test_messages_follow_the_language(self, world, api_as):
        deal = register(world, world.partner_rep)
        response = api_as(world.partner_rep).patch(
            deal_url(deal), {"title": "X"}, format="json", HTTP_ACCEPT_LANGUAGE="ja"
        )
        assert response.status_code == 400
        assert response.json()["version"] != ["This field is required."]


class TestSchema:
    @pytest.fixture
    def schema(self, db):
        response = APIClient().get(reverse("api_schema"), {"format": "json"})
        assert response.status_code == 200
        return response.json()

    def test_every_deals_endpoint_is_documented_with_its_errors(self, schema):
        deal = "/api/v1/vendors/{vendor_slug}/deals/"
        one = deal + "{deal_id}/"
        expected = {
            (deal, "get"): {"200", "400"},
            (deal, "post"): {"201", "400", "403"},
            (one, "get"): {"200", "404"},
            (one, "patch"): {"200", "400", "403", "404", "409"},
            **{(f"{one}{step}/", "post"): {"200", "400", "403", "404"} for step in WORKFLOW_STEPS},
            (f"{one}champion-activities/", "get"): {"200", "404"},
            (f"{one}champion-activities/", "post"): {"201", "400", "403", "404"},
            (f"{one}elements/{{code}}/verify/", "post"): {"200", "400", "403", "404"},
            (f"{one}info-requests/", "get"): {"200", "404"},
            (f"{one}info-requests/", "post"): {"201", "400", "403", "404"},
            (f"{one}review/", "get"): {"200", "404"},
            (f"{one}review/", "post"): {"200", "400", "403", "404"},
        }
        # Every vendor operation also answers 401 without credentials, 403 and 404 for the vendor (prm.api_schema).
        always = {"401", "403", "404"}
        for (path, method), responses in expected.items():
            assert set(schema["paths"][path][method]["responses"]) == responses | always, (path, method)
        assert {path for path in schema["paths"] if path.startswith(deal)} == {path for path, _m in expected}
        assert set(schema["paths"][deal]) - {"parameters"} == {"get", "post"}
        assert set(schema["paths"][one]) - {"parameters"} == {"get", "patch"}

    def test_shapes(self, schema):
        components = schema["components"]["schemas"]
        assert set(components["Deal"]["properties"]) == DEAL_KEYS
        assert set(components["PaginatedDealList"]["properties"]) == {"count", "next", "previous", "results"}
        assert set(components["Meddic"]["properties"]) == set(ELEMENT_FIELDS)
        for code, fields in ELEMENT_FIELDS.items():
            ref = components["Meddic"]["properties"][code]["$ref"].rsplit("/", 1)[-1]
            assert set(components[ref]["properties"]) == {*COMMON_FIELDS, *fields, "last_confirmed_at"}, code
        assert set(components["StaleVersion"]["properties"]) == {"detail", "code", "current"}
        # Input carries the template's answers and elements; nothing the caller's membership decides.
        create = set(components["DealRequest"]["properties"])
        assert create == {*TEMPLATE_KEYS, "meddic"}
        assert set(components["DealRequest"]["required"]) == {
            "customer_name",
            "title",
            "amount",
            "close_date",
            "phase",
            "proposal_reason",
        }
        assert set(components["PatchedDealUpdateRequest"]["properties"]) == {
            *TEMPLATE_KEYS,
            "meddic",
            "version",
        }
        assert components["WorkflowReasonRequest"]["required"] == ["reason"]

    def test_list_parameters(self, schema):
        listing = schema["paths"]["/api/v1/vendors/{vendor_slug}/deals/"]["get"]
        parameters = {p["name"]: p for p in listing["parameters"]}
        assert set(parameters) >= {"page", "phase", "partner", "flag", "registration_status"}
        from meddic.scoring import FLAGS

        assert set(parameters["flag"]["schema"]["enum"]) == set(FLAGS)
