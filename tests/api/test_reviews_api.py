"""A deal's review state and its history through the API, and the bulk review of the queue."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django_scopes import scopes_disabled

from meddic.models import DealReview
from tests.deals.conftest import register


def review_url(deal, vendor="acme"):
    return reverse("api_deal_review", kwargs={"vendor_slug": vendor, "deal_id": deal.pk})


def bulk_url(vendor="acme"):
    return reverse("api_reviews_bulk", kwargs={"vendor_slug": vendor})


def state_of(deal):
    with scopes_disabled():
        review = DealReview.objects.filter(deal=deal).first()
    return review.state if review else "unreviewed"


@pytest.fixture
def deal(world):
    return register(world, world.partner_rep, submit=True)


class TestReview:
    @pytest.mark.parametrize("role", ["channel_manager", "vendor_admin"])
    def test_vendor_staff_set_the_state(self, world, api_as, deal, role):
        response = api_as(world.user(role)).post(
            review_url(deal), {"state": "qualified", "note": "要件確認済み"}, format="json"
        )
        assert response.status_code == 200, response.content
        body = response.json()
        assert set(body) == {"state", "note", "changed_by", "changed_at"}
        assert body["state"] == "qualified" and body["note"] == "要件確認済み"
        assert body["changed_by"] == world.user(role).email and body["changed_at"]
        assert state_of(deal) == "qualified"

    @pytest.mark.parametrize("role", ["partner_rep", "partner_admin"])
    def test_partners_cannot_review(self, world, api_as, deal, role):
        response = api_as(world.user(role)).post(review_url(deal), {"state": "qualified"}, format="json")
        assert response.status_code == 403
        assert state_of(deal) == "unreviewed"

    def test_validation_errors(self, world, api_as, deal):
        api = api_as(world.channel_manager)
        response = api.post(review_url(deal), {"state": "maybe", "note": "x" * 501}, format="json")
        assert response.status_code == 400
        assert set(response.json()) == {"state", "note"}
        assert api.post(review_url(deal), {}, format="json").json() == {"state": ["This field is required."]}

    def test_history_newest_first(self, world, api_as, deal):
        api = api_as(world.channel_manager)
        api.post(review_url(deal), {"state": "needs_info", "note": "予算の裏付けが必要"}, format="json")
        api.post(review_url(deal), {"state": "needs_info", "note": "再確認"}, format="json")
        api_as(world.vendor_admin).post(review_url(deal), {"state": "qualified"}, format="json")
        body = api_as(world.partner_rep).get(review_url(deal)).json()
        assert body["state"] == "qualified" and body["changed_by"] == world.vendor_admin.email
        assert [(h["from"], h["to"], h["note"], h["actor"]) for h in body["history"]] == [
            ("needs_info", "qualified", "", world.vendor_admin.email),
            ("needs_info", "needs_info", "再確認", world.channel_manager.email),
            ("unreviewed", "needs_info", "予算の裏付けが必要", world.channel_manager.email),
        ]

    def test_an_unreviewed_deal(self, world, api_as, deal):
        body = api_as(world.channel_manager).get(review_url(deal)).json()
        assert body == {
            "state": "unreviewed",
            "note": "",
            "changed_by": None,
            "changed_at": None,
            "history": [],
        }

    def test_another_vendor_or_partner_is_404(self, world, api_as, deal):
        rival = register(world, world.rival_rep, world.rival, submit=True)
        assert (
            api_as(world.channel_manager)
            .post(review_url(rival), {"state": "qualified"}, format="json")
            .status_code
            == 404
        )
        assert api_as(world.channel_manager).get(review_url(rival)).status_code == 404
        assert api_as(world.beta_rep).get(review_url(deal)).status_code == 404
        assert api_as(world.rival_admin).get(review_url(deal)).status_code == 404

    def test_a_partners_draft_is_404_for_vendor_staff(self, world, api_as):
        draft = register(world, world.partner_rep)
        response = api_as(world.channel_manager).post(
            review_url(draft), {"state": "qualified"}, format="json"
        )
        assert response.status_code == 404


class TestBulk:
    def test_changes_visible_deals_and_ignores_the_rest(self, world, api_as, deal):
        beta = register(world, world.beta_rep, submit=True, customer_name="別会社株式会社")
        draft = register(world, world.partner_rep, customer_name="下書き株式会社")
        rival = register(world, world.rival_rep, world.rival, submit=True)
        missing = rival.pk + 1000
        response = api_as(world.channel_manager).post(
            bulk_url(),
            {
                "deals": [deal.pk, beta.pk, draft.pk, rival.pk, missing, deal.pk],
                "state": "disqualified",
                "note": "対象外",
            },
            format="json",
        )
        assert response.status_code == 200, response.content
        assert response.json() == {"changed": 2, "ignored": [draft.pk, rival.pk, missing]}
        assert [state_of(d) for d in (deal, beta, draft, rival)] == [
            "disqualified",
            "disqualified",
            "unreviewed",
            "unreviewed",
        ]

    def test_unchanged_deals_are_not_counted(self, world, api_as, deal):
        api = api_as(world.vendor_admin)
        api.post(bulk_url(), {"deals": [deal.pk], "state": "qualified"}, format="json")
        assert api.post(bulk_url(), {"deals": [deal.pk], "state": "qualified"}, format="json").json() == {
            "changed": 0,
            "ignored": [],
        }

    @pytest.mark.parametrize("role", ["partner_rep", "partner_admin"])
    def test_partners_cannot_bulk_review(self, world, api_as, deal, role):
        response = api_as(world.user(role)).post(
            bulk_url(), {"deals": [deal.pk], "state": "qualified"}, format="json"
        )
        assert response.status_code == 403
        assert state_of(deal) == "unreviewed"

    def test_validation_errors(self, world, api_as):
        api = api_as(world.channel_manager)
        response = api.post(bulk_url(), {"deals": [], "state": "maybe"}, format="json")
        assert response.status_code == 400
        assert set(response.json()) == {"deals", "state"}
        response = api.post(bulk_url(), {"deals": ["x"], "state": "qualified"}, format="json")
        assert response.status_code == 400 and "deals" in response.json()

    def test_another_vendors_url_is_404(self, world, api_as, deal):
        response = api_as(world.channel_manager).post(
            bulk_url("rival"), {"deals": [deal.pk], "state": "qualified"}, format="json"
        )
        assert response.status_code == 404


class TestDealOutput:
    def test_the_deal_carries_its_review(self, world, api_as, deal):
        url = reverse("api_deal_detail", kwargs={"vendor_slug": "acme", "deal_id": deal.pk})
        assert api_as(world.partner_rep).get(url).json()["review"] == {
            "state": "unreviewed",
            "note": "",
            "changed_at": None,
        }
        api_as(world.channel_manager).post(
            review_url(deal), {"state": "needs_info", "note": "予算は？"}, format="json"
        )
        review = api_as(world.partner_rep).get(url).json()["review"]
        assert review["state"] == "needs_info" and review["note"] == "予算は？" and review["changed_at"]

    def test_the_deal_list_loads_reviews_in_constant_queries(
        self, world, api_as, django_assert_max_num_queries
    ):
        api = api_as(world.channel_manager)
        url = reverse("api_deal_list", kwargs={"vendor_slug": "acme"})
        first = register(world, world.partner_rep, submit=True)
        api.post(review_url(first), {"state": "qualified"}, format="json")
        register(world, world.beta_rep, submit=True, customer_name="別会社株式会社")
        with CaptureQueriesContext(connection) as few:
            rows = api.get(url).json()["results"]
        budget = len(few)  # read now: later requests reset the query log the context slices
        assert {row["review"]["state"] for row in rows} == {"qualified", "unreviewed"}
        for number in range(8):
            deal = register(world, world.partner_rep, submit=True, customer_name=f"顧客{number}株式会社")
            if number % 2:
                api.post(review_url(deal), {"state": "disqualified"}, format="json")
        with django_assert_max_num_queries(budget):
            rows = api.get(url).json()["results"]
        assert len(rows) == 10
        assert sum(row["review"]["state"] == "disqualified" for row in rows) == 4
