"""Input that used to be a 500: JSON nested too deeply (before anyone is signed in), dates at the edge of the
calendar on lists, insights and the audit page, and a fiscal year starting in a thirteenth month."""

import pytest
from django.urls import reverse
from django_scopes import scopes_disabled
from rest_framework.test import APIClient

from partners.models import Vendor
from prm.parsers import MAX_DEPTH, depth_of

OUT_OF_RANGE = "Enter a date between 1900 and 2999."


def api(user=None) -> APIClient:
    client = APIClient(HTTP_ACCEPT_LANGUAGE="en")
    if user is not None:
        client.force_login(user, backend="django.contrib.auth.backends.ModelBackend")
    return client


def nested(depth: int) -> str:
    return "[" * depth + "]" * depth


def test_depth_counts_arrays_and_objects():
    assert depth_of(1) == 0
    assert depth_of({"a": [1, {"b": 2}]}) == 3
    assert depth_of([[[]]]) == 3


@pytest.mark.parametrize("depth", [MAX_DEPTH + 1, 100_000])
def test_deeply_nested_json_is_a_400_even_before_signing_in(db, depth):
    response = api().post("/api/v1/auth/token/", nested(depth), content_type="application/json")
    assert response.status_code == 400
    assert response.json() == {"detail": "The JSON body is nested too deeply."}


def test_deeply_nested_json_is_a_400_on_a_vendor_endpoint(world):
    response = api(world.partner_rep).post(
        reverse("api_deal_list", args=["acme"]), nested(5_000), content_type="application/json"
    )
    assert response.status_code == 400


def test_ordinary_nesting_still_parses(world):
    body = '{"email": "rep@alpha.example", "password": "x", "otp": ""}'
    response = api().post("/api/v1/auth/token/", body, content_type="application/json")
    assert response.status_code in (400, 401)
    assert "nested" not in response.content.decode()


@pytest.mark.parametrize("month", ["9999-12", "0000-01", "2999-12"])
def test_a_close_month_at_the_edge_of_the_calendar_is_not_a_500(world, client_for, month):
    page = client_for(world.vendor_admin).get(reverse("deal_list", args=["acme"]), {"close_month": month})
    assert page.status_code == 200
    response = api(world.vendor_admin).get(reverse("api_deal_list", args=["acme"]), {"close_month": month})
    assert response.status_code in (200, 400)
    if month != "2999-12":
        assert OUT_OF_RANGE in page.content.decode()


@pytest.mark.parametrize("name", ["insights_loss_factors", "insights_ringi_patterns"])
@pytest.mark.parametrize("params", [{"to": "9999-12-31"}, {"from": "0001-01-01"}, {"to": "2999-12-31"}])
def test_insights_take_any_date(world, client_for, name, params):
    page = client_for(world.vendor_admin).get(reverse(name, args=["acme"]), params)
    assert page.status_code == 200
    response = api(world.vendor_admin).get(reverse(f"api_{name}", args=["acme"]), params)
    assert response.status_code in (200, 400)
    if response.status_code == 400:
        assert OUT_OF_RANGE in str(response.json())


def test_the_audit_page_takes_any_date(world, client_for):
    response = client_for(world.vendor_admin).get(
        reverse("audit:list", args=["acme"]), {"date_to": "9999-12-31"}
    )
    assert response.status_code == 200


def test_a_deal_closing_in_the_year_9999_is_refused(world):
    body = {
        "customer_name": "株式会社サンプル",
        "title": "基幹刷新",
        "amount": 1_000_000,
        "close_date": "9999-12-31",
        "phase": "proposal",
        "proposal_reason": "理由",
    }
    response = api(world.partner_rep).post(reverse("api_deal_list", args=["acme"]), body, format="json")
    assert response.status_code == 400
    assert response.json()["close_date"] == [OUT_OF_RANGE]


def test_the_fiscal_year_starts_in_a_real_month(world, client_for):
    client = client_for(world.vendor_admin)
    url = reverse("vendor_settings", args=["acme"])
    data = {
        "name": "Acme Software",
        "protection_days": 90,
        "time_zone": "Asia/Tokyo",
        "fiscal_year_start_month": 13,
    }
    response = client.post(url, data)
    assert response.status_code == 200
    with scopes_disabled():
        assert Vendor.objects.get(slug="acme").fiscal_year_start_month == 4
    assert client.get(reverse("kpi_dashboard", args=["acme"])).status_code == 200
