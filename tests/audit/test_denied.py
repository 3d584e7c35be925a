"""Refused requests of signed-in users under a vendor URL are kept in that vendor's trail and logged; an unknown
vendor only in the log. Recording never changes the answer."""

import logging

import pytest
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
    assert entry.changes == {"method": "GET", "path": "/v/acme/audit/", "status": 403, "role": "partner_rep"}
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


def test_a_non_member_is_recorded_in_the_vendor_it_tried(world, client_for):
    response = client_for(world.rival_admin).get(reverse("deal_list", args=["acme"]))
    assert response.status_code == 404
    [entry] = entries(world.acme, "authz.denied")
    assert entry.actor == world.rival_admin
    assert entry.changes["role"] == ""
    assert entries(world.rival, "authz.denied") == []


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
