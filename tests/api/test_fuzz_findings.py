"""What fuzzing the API (tests/api/test_fuzz.py) found, each pinned by a focused test."""

import pytest
from django.urls import reverse
from django_scopes import scopes_disabled
from rest_framework.test import APIClient

from meddic.models import Evidence, MeddicElement
from tests.deals.conftest import register


@pytest.fixture
def schema(db):
    response = APIClient().get(reverse("api_schema"), {"format": "json"})
    assert response.status_code == 200
    return response.json()


def test_verifying_an_element_without_a_note(world, api_as):
    # The note is optional; leaving it out was a server error.
    deal = register(world, world.partner_rep, submit=True)
    response = api_as(world.channel_manager).post(
        f"/api/v1/vendors/acme/deals/{deal.pk}/elements/champion/verify/",
        {"method": "joint_visit"},
        format="json",
    )
    assert response.status_code == 200, response.content
    assert response.json()["meddic"]["champion"]["evidence"] == "verified"
    with scopes_disabled():
        element = MeddicElement.objects.get(deal=deal, code="champion")
    assert (element.evidence, element.verification_note) == (Evidence.VERIFIED, "")


@pytest.mark.parametrize("value", ["1e200", "-1.5", "99999999999999999999999", "0"])
def test_info_requests_filtered_by_a_deal_id_out_of_range_is_400(world, api_as, value):
    # A number past the database's integer range was a server error on SQLite.
    response = api_as(world.channel_manager).get("/api/v1/vendors/acme/info-requests/", {"deal": value})
    assert response.status_code == 400
    assert set(response.json()) == {"deal"}


def test_info_request_deal_filter_is_documented_as_an_id(schema):
    parameters = schema["paths"]["/api/v1/vendors/{vendor_slug}/info-requests/"]["get"]["parameters"]
    deal = next(parameter for parameter in parameters if parameter["name"] == "deal")
    assert deal["schema"] == {"type": "integer", "minimum": 1, "maximum": 2**63 - 1}


def test_kpi_list_is_documented_as_a_page_of_rows(schema):
    # It was documented as one row, while the API answers with a page of rows.
    ok = schema["paths"]["/api/v1/vendors/{vendor_slug}/kpis/"]["get"]["responses"]["200"]
    assert ok["content"]["application/json"]["schema"] == {"$ref": "#/components/schemas/PaginatedKpiRowList"}
    page = schema["components"]["schemas"]["PaginatedKpiRowList"]
    assert page["properties"]["results"]["items"] == {"$ref": "#/components/schemas/KpiRow"}


def test_every_operation_documents_its_error_answers(schema, world, api_as):
    # An unknown vendor (404), a role without permission (403) and no credentials (401) are answers of every
    # vendor operation; they were documented on some operations only.
    for path, operations in schema["paths"].items():
        for method, operation in operations.items():
            if method == "parameters":
                continue
            codes = set(operation["responses"])
            if {} not in operation.get("security", [{}]):
                assert "401" in codes, (method, path)
            if "{vendor_slug}" in path:
                assert {"403", "404"} <= codes, (method, path)
    assert "404" in schema["paths"]["/api/v1/tasks/{task_id}/"]["get"]["responses"]
    assert api_as(None).get("/api/v1/me/").status_code == 401
    assert api_as(world.partner_rep).get("/api/v1/vendors/acme/insights/playbook/").status_code == 403
    assert api_as(world.partner_rep).get("/api/v1/vendors/nowhere/kpis/").status_code == 404
    assert api_as(world.vendor_admin).get("/api/v1/tasks/no-such-task/").status_code == 404


@pytest.mark.parametrize(
    ("path", "body", "field"),
    [
        ("notifications/read/", {"ids": [10**25]}, "ids"),
        ("reviews/", {"deals": [10**25], "state": "qualified"}, "deals"),
    ],
)
def test_ids_past_the_id_range_in_a_body_are_400(world, api_as, path, body, field):
    # They were a server error on SQLite.
    response = api_as(world.vendor_admin).post(f"/api/v1/vendors/acme/{path}", body, format="json")
    assert response.status_code == 400
    assert set(response.json()) == {field}


@pytest.mark.parametrize(
    ("path", "query"),
    [
        ("/api/v1/vendors/{vendor_slug}/kpis/", {"period": "no-such"}),
        ("/api/v1/vendors/{vendor_slug}/partners/", {"tier": "x"}),
    ],
)
def test_list_filters_document_their_400(schema, world, api_as, path, query):
    response = api_as(world.vendor_admin).get(path.format(vendor_slug="acme"), query)
    assert response.status_code == 400
    assert "400" in schema["paths"][path]["get"]["responses"]
