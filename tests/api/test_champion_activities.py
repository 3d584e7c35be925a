"""``GET|POST …/deals/{id}/champion-activities/``: the champion log in its fixed format (DESIGN §4, §7)."""

from datetime import date, timedelta

import pytest
from django.urls import reverse
from django_scopes import scopes_disabled

from deals.models import ChampionActivity
from prm.clock import vendor_today
from tests.api.test_deals import second_alpha_rep
from tests.deals.conftest import register


def log_url(deal, vendor="acme"):
    return reverse("api_deal_champion_activities", kwargs={"vendor_slug": vendor, "deal_id": deal.pk})


def entry(days_ago=1, **overrides) -> dict:
    body = {
        "date": (date.today() - timedelta(days=days_ago)).isoformat(),
        "actor": "champion",
        "activity_type": "drafted_ringi",
        "target": "economic_buyer",
        "outcome": "advanced",
        "next_step": "来週、部長と稟議内容を確認",
    }
    body.update(overrides)
    return body


def logged(deal) -> int:
    with scopes_disabled():
        return ChampionActivity.objects.filter(deal_id=deal.pk).count()


class TestAdd:
    def test_owner_logs_an_activity(self, world, api_as):
        deal = register(world, world.partner_rep)
        response = api_as(world.partner_rep).post(log_url(deal), entry(), format="json")
        assert response.status_code == 201
        body = response.json()
        assert set(body) == {
            "id",
            "date",
            "actor",
            "activity_type",
            "target",
            "outcome",
            "next_step",
            "logged_by",
            "created_at",
        }
        assert {key: body[key] for key in entry()} == entry()
        assert body["logged_by"] == "rep@alpha.example"
        with scopes_disabled():
            activity = ChampionActivity.objects.get(pk=body["id"])
        assert (activity.deal_id, activity.vendor_id, activity.logged_by_id) == (
            deal.pk,
            world.acme.pk,
            world.partner_rep.pk,
        )

    def test_logged_by_and_the_deal_come_from_the_request(self, world, api_as):
        deal = register(world, world.partner_rep)
        other = register(world, world.partner_rep, customer_name="別件")
        response = api_as(world.partner_admin).post(
            log_url(deal), entry(logged_by=world.partner_rep.email, deal=other.pk, id=999), format="json"
        )
        assert response.status_code == 201
        assert response.json()["logged_by"] == "padmin@alpha.example"
        assert (logged(deal), logged(other)) == (1, 0)

    def test_next_step_is_optional(self, world, api_as):
        deal = register(world, world.partner_rep)
        body = entry()
        del body["next_step"]
        response = api_as(world.partner_rep).post(log_url(deal), body, format="json")
        assert response.status_code == 201
        assert response.json()["next_step"] == ""

    def test_today_is_fine_and_the_future_is_refused(self, world, api_as):
        deal = register(world, world.partner_rep)
        api = api_as(world.partner_rep)
        today = vendor_today(world.acme)
        assert api.post(log_url(deal), entry(date=today.isoformat()), format="json").status_code == 201
        response = api.post(log_url(deal), entry(date=(today + timedelta(days=1)).isoformat()), format="json")
        assert response.status_code == 400
        assert response.json() == {
            "date": ["Log activities that have happened; the date cannot be in the future."]
        }
        assert logged(deal) == 1

    def test_fields_are_required_and_checked_against_their_picklists(self, world, api_as):
        deal = register(world, world.partner_rep)
        response = api_as(world.partner_rep).post(
            log_url(deal), {"actor": "ceo", "activity_type": "lunch", "target": "everyone"}, format="json"
        )
        assert response.status_code == 400
        assert set(response.json()) == {"date", "actor", "activity_type", "target", "outcome"}
        assert logged(deal) == 0

    @pytest.mark.parametrize("role", ["vendor_admin", "channel_manager"])
    def test_vendor_staff_log_on_submitted_deals(self, world, api_as, role):
        deal = register(world, world.partner_rep, submit=True)
        response = api_as(world.user(role)).post(log_url(deal), entry(actor="vendor"), format="json")
        assert response.status_code == 201

    def test_another_rep_of_the_company_gets_403_before_any_400(self, world, api_as):
        deal = register(world, world.partner_rep)
        api = api_as(second_alpha_rep(world))
        assert api.post(log_url(deal), entry(), format="json").status_code == 403
        assert api.post(log_url(deal), {}, format="json").status_code == 403
        assert logged(deal) == 0

    def test_another_company_and_tenant_get_404(self, world, api_as):
        deal = register(world, world.partner_rep, submit=True)
        for user in (world.beta_rep, world.rival_admin):
            assert api_as(user).post(log_url(deal), entry(), format="json").status_code == 404
        assert logged(deal) == 0

    def test_vendor_staff_get_404_for_a_draft(self, world, api_as):
        deal = register(world, world.partner_rep)
        assert api_as(world.channel_manager).post(log_url(deal), entry(), format="json").status_code == 404


class TestList:
    def test_newest_first(self, world, api_as):
        deal = register(world, world.partner_rep, submit=True)
        api = api_as(world.partner_rep)
        older = api.post(log_url(deal), entry(days_ago=5, activity_type="set_meeting"), format="json").json()
        newest = api.post(log_url(deal), entry(days_ago=1), format="json").json()
        same_day = api.post(log_url(deal), entry(days_ago=1, outcome="stalled"), format="json").json()
        for user in (world.partner_rep, world.partner_admin, world.channel_manager):
            body = api_as(user).get(log_url(deal)).json()
            assert set(body) == {"count", "next", "previous", "results"}
            assert [row["id"] for row in body["results"]] == [same_day["id"], newest["id"], older["id"]]

    def test_only_this_deals_activities(self, world, api_as):
        deal = register(world, world.partner_rep)
        other = register(world, world.partner_rep, customer_name="別件")
        api = api_as(world.partner_rep)
        api.post(log_url(other), entry(), format="json")
        assert api.get(log_url(deal)).json()["count"] == 0

    def test_pagination(self, world, api_as):
        deal = register(world, world.partner_rep)
        with scopes_disabled():
            ChampionActivity.objects.bulk_create(
                ChampionActivity(
                    vendor=world.acme,
                    deal=deal,
                    date=date.today() - timedelta(days=number),
                    actor="partner",
                    activity_type="internal_briefing",
                    target="users",
                    outcome="advanced",
                    logged_by=world.partner_rep,
                )
                for number in range(53)
            )
        api = api_as(world.partner_rep)
        first = api.get(log_url(deal)).json()
        assert (first["count"], len(first["results"])) == (53, 50)
        assert first["next"].endswith(f"{log_url(deal)}?page=2")
        second = api.get(first["next"]).json()
        assert len(second["results"]) == 3
        dates = [row["date"] for row in first["results"] + second["results"]]
        assert dates == sorted(dates, reverse=True)

    def test_query_count_does_not_grow_with_the_log(self, world, api_as, django_assert_max_num_queries):
        deal = register(world, world.partner_rep)
        api = api_as(world.partner_rep)
        api.post(log_url(deal), entry(), format="json")
        api.post(log_url(deal), entry(), format="json")
        with django_assert_max_num_queries(8):
            assert api.get(log_url(deal)).json()["count"] == 2
        for _number in range(10):
            api_as(world.partner_admin).post(log_url(deal), entry(), format="json")
        api = api_as(world.partner_rep)
        with django_assert_max_num_queries(8):
            assert api.get(log_url(deal)).json()["count"] == 12

    def test_another_company_gets_404(self, world, api_as):
        deal = register(world, world.partner_rep, submit=True)
        assert api_as(world.beta_rep).get(log_url(deal)).status_code == 404

    def test_another_tenants_deal_is_404(self, world, api_as):
        deal = register(world, world.rival_rep, world.rival, submit=True)
        assert api_as(world.vendor_admin).get(log_url(deal)).status_code == 404
        assert api_as(world.rival_admin).get(log_url(deal, vendor="rival")).status_code == 200

    def test_vendor_staff_get_404_for_a_draft(self, world, api_as):
        deal = register(world, world.partner_rep)
        assert api_as(world.vendor_admin).get(log_url(deal)).status_code == 404

    def test_put_is_not_allowed(self, world, api_as):
        deal = register(world, world.partner_rep)
        assert api_as(world.partner_rep).put(log_url(deal), entry(), format="json").status_code == 405
