"""Refused requests of signed-in users under a vendor URL are kept in that vendor's trail and logged; an unknown
vendor only in the log. Recording never changes the answer."""

import logging
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from tests.audit.conftest import entries
from tests.deals.conftest import register


def test_a_partner_refused_a_page_is_recorded(world, client_for, caplog):
    client = client_for(world.partner_rep)
    with caplog.at_level(logging.WARNING, logger="prm.security"):
        response = client.get(
            reverse("audit:list", args=["acme"]), headers={"x-request-id": "req-denied-0001"}
        )
    assert response.status_code == 403
    [entry] = entries(world.acme, "authz.denied")
    assert entry.actor == world.partner_rep
    assert entry.request_id == "req-denied-0001"
    assert entry.changes == {
        "method": "GET",
        "path": "/v/acme/audit/",
        "status": 403,
        "role": "partner_rep",
        "window_minutes": 10,
    }
    [record] = [r for r in caplog.records if r.name == "prm.security" and "denied" in r.getMessage()]
    assert "/v/acme/audit/" in record.getMessage()
    assert "req-denied-0001" in record.getMessage()


def test_a_refused_api_call_is_recorded(world, client_for):
    client = client_for(world.partner_rep)
    response = client.post("/api/v1/vendors/acme/partners/", {"name": "X"}, content_type="application/json")
    assert response.status_code == 403
    [entry] = entries(world.acme, "authz.denied")
    assert entry.changes["method"] == "POST"
    assert entry.changes["status"] == 403


def test_another_partners_deal_is_recorded_as_a_404(world, client_for):
    deal = register(world, world.beta_rep)
    response = client_for(world.partner_rep).get(reverse("deal_detail", args=["acme", deal.pk]))
    assert response.status_code == 404
    [entry] = entries(world.acme, "authz.denied")
    assert entry.changes["status"] == 404
    assert entry.changes["role"] == "partner_rep"


def test_a_non_member_is_only_logged_never_written_to_the_vendors_trail(world, client_for, caplog):
    with caplog.at_level(logging.WARNING, logger="prm.security"):
        response = client_for(world.rival_admin).get(reverse("deal_list", args=["acme"]))
    assert response.status_code == 404
    assert entries(world.acme, "authz.denied") == []
    assert entries(world.rival, "authz.denied") == []
    assert [r for r in caplog.records if r.name == "prm.security" and "/v/acme/deals/" in r.getMessage()]


def test_a_members_repeated_refusals_are_one_entry_per_window(world, client_for, caplog):
    client = client_for(world.partner_rep)
    with caplog.at_level(logging.WARNING, logger="prm.security"):
        for _ in range(5):
            assert client.get(reverse("audit:list", args=["acme"])).status_code == 403
    [entry] = entries(world.acme, "authz.denied")
    assert entry.changes["window_minutes"] == 10
    logged = [
        r.getMessage() for r in caplog.records if r.name == "prm.security" and "denied" in r.getMessage()
    ]
    assert len(logged) == 5
    assert "refusal 5 of this member in the window" in logged[-1]
    # Another member of the same vendor has a window of their own.
    client_for(world.beta_rep).get(reverse("audit:list", args=["acme"]))
    assert len(entries(world.acme, "authz.denied")) == 2


def test_a_refused_request_writes_nothing_else_when_the_window_is_open(world, client_for):
    client = client_for(world.partner_rep)
    client.get(reverse("audit:list", args=["acme"]))
    # Warm: the session and the membership are read, nothing is written for the second refusal.
    with CaptureQueriesContext(connection) as queries:
        assert client.get(reverse("audit:list", args=["acme"])).status_code == 403
    writes = [
        q["sql"] for q in queries if q["sql"].lstrip().upper().startswith(("INSERT", "UPDATE", "DELETE"))
    ]
    assert writes == []


def test_an_unknown_vendor_is_only_logged(world, client_for, caplog):
    with caplog.at_level(logging.WARNING, logger="prm.security"):
        response = client_for(world.vendor_admin).get("/v/nosuch/audit/")
    assert response.status_code == 404
    assert [r for r in caplog.records if r.name == "prm.security" and "/v/nosuch/audit/" in r.getMessage()]
    assert entries(world.acme, "authz.denied") == []


def test_anonymous_visitors_and_allowed_requests_are_not_recorded(world, client_for):
    client_for(None).get(reverse("audit:list", args=["acme"]))
    client_for(world.vendor_admin).get(reverse("audit:list", args=["acme"]))
    assert entries(world.acme, "authz.denied") == []


def test_the_entry_survives_the_rollback_of_the_refused_request(world, client_for):
    # The view's transaction (ATOMIC_REQUESTS) is rolled back on PermissionDenied; the entry is written after it.
    client_for(world.channel_manager).post(reverse("vendor_settings", args=["acme"]), {"name": "Hijacked"})
    [entry] = entries(world.acme, "authz.denied")
    assert entry.changes["role"] == "channel_manager"


def test_a_failure_to_record_keeps_the_403(world, client_for, monkeypatch, caplog):
    def broken(**kwargs):
        raise RuntimeError("database away")

    monkeypatch.setattr("audit.services.audit_record", broken)
    with caplog.at_level(logging.WARNING, logger="prm.security"):
        response = client_for(world.partner_rep).get(reverse("audit:list", args=["acme"]))
    assert response.status_code == 403
    assert any(r.levelno == logging.ERROR and r.name == "prm.security" for r in caplog.records)


@pytest.mark.parametrize("role", ["channel_manager", "partner_admin", "partner_rep"])
def test_only_vendor_admins_see_the_trail(world, client_for, role):
    client = client_for(getattr(world, role))
    assert client.get(reverse("audit:list", args=["acme"])).status_code == 403
    assert client.get(reverse("audit:export", args=["acme"])).status_code == 403


def test_a_refused_call_with_an_api_token_is_recorded(world, client):
    from partners.services import api_token_issue

    key = api_token_issue(user=world.partner_rep)
    response = client.post(
        "/api/v1/vendors/acme/partners/",
        {"name": "Sneaky"},
        content_type="application/json",
        headers={"authorization": f"Token {key}"},
    )
    assert response.status_code == 403
    [entry] = entries(world.acme, "authz.denied")
    assert entry.actor == world.partner_rep
    assert entry.changes["role"] == "partner_rep"


@pytest.mark.parametrize(
    "path", ["/v/{vendor}/deals/", "/v/{vendor}/deals/1/", "/api/v1/vendors/{vendor}/deals/"]
)
def test_a_foreign_vendor_costs_the_same_queries_as_an_unknown_one(world, client_for, path):
    # Same answer, same work: a stranger cannot tell by the response time that a vendor name exists.
    client = client_for(world.rival_rep)
    client.get(path.format(vendor="nosuch"))  # warm the session
    runs = {}
    for vendor in ("acme", "nosuch"):
        with CaptureQueriesContext(connection) as queries:
            response = client.get(path.format(vendor=vendor))
        assert response.status_code == 404
        runs[vendor] = [re.sub(r"\d+", "N", re.sub(r"'[^']*'", "S", q["sql"])) for q in queries]
    assert runs["acme"] == runs["nosuch"]
