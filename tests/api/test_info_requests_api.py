"""Info requests through the API: vendor staff ask and withdraw, the deal's owner or partner admin answers."""

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django_scopes import scopes_disabled

from deals.models import Deal
from meddic import reviews
from meddic.models import InfoRequest, MeddicElement
from partners.models import Role
from prm.clock import vendor_today
from prm.tenancy import vendor_scope
from tests.conftest import access_of, add_member, make_user
from tests.deals.conftest import register


def deal_requests_url(deal, vendor="acme"):
    return reverse("api_deal_info_requests", kwargs={"vendor_slug": vendor, "deal_id": deal.pk})


def requests_url(vendor="acme"):
    return reverse("api_info_requests", kwargs={"vendor_slug": vendor})


def request_url(request, action="", vendor="acme"):
    name = f"api_info_request_{action}" if action else "api_info_request"
    return reverse(name, kwargs={"vendor_slug": vendor, "request_id": request.pk})


def ask(world, deal, *, user=None, vendor=None, element="metrics", days=7, question="成功基準は？"):
    vendor = vendor or world.acme
    with vendor_scope(vendor):
        return reviews.info_request_send(
            access=access_of(user or world.channel_manager, vendor),
            deal=deal,
            element=element,
            question=question,
            due_date=vendor_today(vendor) + timedelta(days=days),
        )


def fresh(model, pk):
    with scopes_disabled():
        return model.objects.get(pk=pk)


def element_of(deal, code):
    with scopes_disabled():
        return MeddicElement.objects.get(deal=deal, code=code)


def make_overdue(request):
    with scopes_disabled():
        InfoRequest.objects.filter(pk=request.pk).update(due_date=request.due_date - timedelta(days=30))


@pytest.fixture
def deal(world):
    return register(
        world, world.partner_rep, submit=True, meddic={"metrics": {"level": 1, "evidence": "reported"}}
    )


@pytest.fixture
def beta_deal(world):
    return register(world, world.beta_rep, submit=True, customer_name="別会社株式会社")


def answer_body(deal, **overrides):
    body = {
        "answer": "PoCの成功基準を3つ合意しました",
        "version": fresh(Deal, deal.pk).version,
        "element": {"level": 2, "evidence": "evidenced", "note": "議事録あり"},
    }
    body.update(overrides)
    return body


class TestSend:
    @pytest.mark.parametrize("role", ["channel_manager", "vendor_admin"])
    def test_vendor_staff_ask(self, world, api_as, deal, role):
        due = vendor_today(world.acme) + timedelta(days=5)
        response = api_as(world.user(role)).post(
            deal_requests_url(deal),
            {"element": "champion", "question": "推進者は誰ですか？", "due_date": due.isoformat()},
            format="json",
        )
        assert response.status_code == 201, response.content
        body = response.json()
        assert body["element"] == "champion" and body["status"] == "open" and body["deal"] == deal.pk
        assert body["due_date"] == due.isoformat() and body["overdue"] is False
        assert body["requested_by"] == world.user(role).email and body["answer"] == ""
        with scopes_disabled():
            assert InfoRequest.objects.filter(deal=deal).count() == 1

    @pytest.mark.parametrize("role", ["partner_rep", "partner_admin"])
    def test_partners_cannot_ask(self, world, api_as, deal, role):
        response = api_as(world.user(role)).post(
            deal_requests_url(deal),
            {"element": "metrics", "question": "?", "due_date": vendor_today(world.acme).isoformat()},
            format="json",
        )
        assert response.status_code == 403
        with scopes_disabled():
            assert not InfoRequest.objects.exists()

    def test_validation_errors_name_the_field(self, world, api_as, deal):
        api = api_as(world.channel_manager)
        response = api.post(deal_requests_url(deal), {"element": "budget", "question": ""}, format="json")
        assert response.status_code == 400
        assert set(response.json()) == {"element", "question", "due_date"}
        past = (vendor_today(world.acme) - timedelta(days=1)).isoformat()
        response = api.post(
            deal_requests_url(deal),
            {"element": "metrics", "question": "成功基準は？", "due_date": past},
            format="json",
        )
        assert response.status_code == 400
        assert response.json() == {"due_date": ["The due date cannot be in the past."]}

    def test_another_vendors_deal_is_404(self, world, api_as):
        rival = register(world, world.rival_rep, world.rival, submit=True)
        response = api_as(world.channel_manager).post(
            deal_requests_url(rival),
            {"element": "metrics", "question": "?", "due_date": vendor_today(world.acme).isoformat()},
            format="json",
        )
        assert response.status_code == 404


class TestList:
    def test_deal_requests_newest_first_paginated(self, world, api_as, deal):
        first, second = ask(world, deal), ask(world, deal, element="champion")
        body = api_as(world.partner_rep).get(deal_requests_url(deal)).json()
        assert set(body) == {"count", "next", "previous", "results"}
        assert [row["id"] for row in body["results"]] == [second.pk, first.pk]

    def test_partner_sees_only_its_company_requests(self, world, api_as, deal, beta_deal):
        mine, theirs = ask(world, deal), ask(world, beta_deal)
        ask(
            world,
            register(world, world.rival_rep, world.rival, submit=True),
            user=world.rival_admin,
            vendor=world.rival,
        )
        ids = [row["id"] for row in api_as(world.partner_admin).get(requests_url()).json()["results"]]
        assert ids == [mine.pk]
        ids = [row["id"] for row in api_as(world.beta_rep).get(requests_url()).json()["results"]]
        assert ids == [theirs.pk]
        assert api_as(world.beta_rep).get(request_url(mine)).status_code == 404
        assert api_as(world.beta_rep).get(deal_requests_url(deal)).status_code == 404
        staff = {row["id"] for row in api_as(world.channel_manager).get(requests_url()).json()["results"]}
        assert staff == {mine.pk, theirs.pk}

    def test_filters(self, world, api_as, deal, beta_deal):
        late = ask(world, deal)
        make_overdue(late)
        champion = ask(world, beta_deal, element="champion")
        withdrawn = ask(world, beta_deal)
        with vendor_scope(world.acme):
            reviews.info_request_withdraw(
                access=access_of(world.channel_manager, world.acme), request=withdrawn
            )
        api = api_as(world.channel_manager)

        def ids(**query):
            response = api.get(requests_url(), query)
            assert response.status_code == 200, response.content
            return {row["id"] for row in response.json()["results"]}

        assert ids(overdue="true") == {late.pk}
        assert ids(overdue="false") == {champion.pk, withdrawn.pk}
        assert ids(status="cancelled") == {withdrawn.pk}
        assert ids(element="champion") == {champion.pk}
        assert ids(deal=deal.pk) == {late.pk}
        assert api.get(requests_url(), {"overdue": "true"}).json()["results"][0]["overdue"] is True

    def test_bad_filter_is_400(self, world, api_as):
        response = api_as(world.channel_manager).get(requests_url(), {"status": "lost", "overdue": "maybe"})
        assert response.status_code == 400
        assert set(response.json()) == {"status", "overdue"}

    def test_another_vendors_request_is_404(self, world, api_as):
        rival = register(world, world.rival_rep, world.rival, submit=True)
        request = ask(world, rival, user=world.rival_admin, vendor=world.rival)
        assert api_as(world.channel_manager).get(request_url(request)).status_code == 404
        assert api_as(world.rival_admin).get(request_url(request)).status_code == 404
        assert api_as(world.rival_admin).get(request_url(request, vendor="rival")).status_code == 200


class TestAnswer:
    @pytest.mark.parametrize("role", ["partner_rep", "partner_admin"])
    def test_owner_or_partner_admin_answers_and_the_element_is_saved(self, world, api_as, deal, role):
        request = ask(world, deal)
        version = fresh(Deal, deal.pk).version
        response = api_as(world.user(role)).post(
            request_url(request, "answer"), answer_body(deal), format="json"
        )
        assert response.status_code == 200, response.content
        body = response.json()
        assert body["status"] == "answered" and body["answered_by"] == world.user(role).email
        assert body["answer"] == "PoCの成功基準を3つ合意しました"
        assert body["deal"]["id"] == deal.pk and body["deal"]["version"] == version + 1
        assert body["deal"]["meddic"]["metrics"]["level"] == 2
        element = element_of(deal, "metrics")
        assert (element.level, element.evidence, element.note) == (2, "evidenced", "議事録あり")

    @pytest.mark.parametrize("role", ["channel_manager", "vendor_admin"])
    def test_vendor_staff_cannot_answer(self, world, api_as, deal, role):
        request = ask(world, deal)
        response = api_as(world.user(role)).post(
            request_url(request, "answer"), answer_body(deal), format="json"
        )
        assert response.status_code == 403
        assert fresh(InfoRequest, request.pk).is_open

    def test_another_rep_of_the_company_cannot_answer(self, world, api_as):
        colleague = make_user("rep2@alpha.example")
        with scopes_disabled():
            add_member(colleague, world.acme, Role.PARTNER_REP, world.alpha)
        deal = register(world, world.partner_rep, submit=True)
        request = ask(world, deal)
        response = api_as(colleague).post(request_url(request, "answer"), answer_body(deal), format="json")
        assert response.status_code == 403
        assert fresh(InfoRequest, request.pk).is_open

    def test_another_partner_gets_404(self, world, api_as, deal):
        request = ask(world, deal)
        response = api_as(world.beta_rep).post(
            request_url(request, "answer"), answer_body(deal), format="json"
        )
        assert response.status_code == 404

    def test_stale_version_is_409_with_the_current_deal_and_nothing_saved(self, world, api_as, deal):
        request = ask(world, deal)
        stale = fresh(Deal, deal.pk).version
        api = api_as(world.partner_rep)
        moved = api.patch(
            reverse("api_deal_detail", kwargs={"vendor_slug": "acme", "deal_id": deal.pk}),
            {"version": stale, "title": "新しい件名"},
            format="json",
        )
        assert moved.status_code == 200
        response = api.post(request_url(request, "answer"), answer_body(deal, version=stale), format="json")
        assert response.status_code == 409
        body = response.json()
        assert body["code"] == "stale_version"
        assert body["current"]["version"] == stale + 1 and body["current"]["title"] == "新しい件名"
        assert fresh(InfoRequest, request.pk).is_open
        assert fresh(InfoRequest, request.pk).answer == ""
        assert element_of(deal, "metrics").level == 1

    def test_element_errors_are_keyed_element_field(self, world, api_as, deal):
        request = ask(world, deal)
        body = answer_body(deal, element={"level": 7, "budget": 1})
        response = api_as(world.partner_rep).post(request_url(request, "answer"), body, format="json")
        assert response.status_code == 400
        errors = response.json()
        assert set(errors) == {"element.level", "element.budget"}
        assert all(isinstance(messages, list) for messages in errors.values())
        assert fresh(InfoRequest, request.pk).is_open

    def test_body_errors(self, world, api_as, deal):
        request = ask(world, deal)
        response = api_as(world.partner_rep).post(
            request_url(request, "answer"), {"answer": ""}, format="json"
        )
        assert response.status_code == 400
        assert set(response.json()) == {"answer", "version"}

    def test_a_closed_request_is_400(self, world, api_as, deal):
        request = ask(world, deal)
        api = api_as(world.partner_rep)
        assert api.post(request_url(request, "answer"), answer_body(deal), format="json").status_code == 200
        response = api.post(request_url(request, "answer"), answer_body(deal), format="json")
        assert response.status_code == 400
        assert list(response.json()) == ["answer"]


class TestWithdraw:
    @pytest.mark.parametrize("role", ["channel_manager", "vendor_admin"])
    def test_vendor_staff_withdraw(self, world, api_as, deal, role):
        request = ask(world, deal)
        response = api_as(world.user(role)).post(request_url(request, "withdraw"), format="json")
        assert response.status_code == 200
        assert response.json()["status"] == "cancelled"
        assert fresh(InfoRequest, request.pk).status == "cancelled"

    @pytest.mark.parametrize("role", ["partner_rep", "partner_admin"])
    def test_partners_cannot_withdraw(self, world, api_as, deal, role):
        request = ask(world, deal)
        assert (
            api_as(world.user(role)).post(request_url(request, "withdraw"), format="json").status_code == 403
        )
        assert fresh(InfoRequest, request.pk).is_open

    def test_withdrawing_twice_is_400(self, world, api_as, deal):
        request = ask(world, deal)
        api = api_as(world.channel_manager)
        api.post(request_url(request, "withdraw"), format="json")
        response = api.post(request_url(request, "withdraw"), format="json")
        assert response.status_code == 400
        assert list(response.json()) == ["non_field_errors"]


def test_answer_without_element_changes(world, api_as, deal):
    request = ask(world, deal)
    body = answer_body(deal)
    del body["element"]
    response = api_as(world.partner_rep).post(request_url(request, "answer"), body, format="json")
    assert response.status_code == 200, response.content
    assert response.json()["status"] == "answered"
    assert element_of(deal, "metrics").level == 1


def test_list_queries_do_not_grow_with_requests(
    world, api_as, deal, beta_deal, django_assert_max_num_queries
):
    api = api_as(world.channel_manager)
    ask(world, deal)
    with CaptureQueriesContext(connection) as few:
        assert api.get(requests_url()).json()["count"] == 1
    budget = len(few)
    for number in range(6):
        ask(world, beta_deal if number % 2 else deal, element="champion")
    with django_assert_max_num_queries(budget):
        assert api.get(requests_url()).json()["count"] == 7
    with django_assert_max_num_queries(budget + 2):  # the deal itself, looked up once
        assert api.get(deal_requests_url(deal)).json()["count"] == 4
