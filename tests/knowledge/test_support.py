"""The support log: vendor staff log what they did for a partner; the list filters, pages and exports."""

import csv
import io
from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django_scopes import scopes_disabled

from audit.models import AuditEntry
from knowledge.models import SupportActivity
from knowledge.support import support_log
from prm.clock import vendor_today
from prm.tenancy import vendor_scope
from tests.conftest import access_of, body
from tests.deals.conftest import register


def log(world, user=None, **fields):
    values = {
        "partner": world.alpha,
        "support_type": "joint_visit",
        "date": vendor_today(world.acme),
        "hours": Decimal("2"),
    }
    values.update(fields)
    with vendor_scope(world.acme):
        return support_log(access=access_of(user or world.channel_manager, world.acme), **values)


def test_logging_support_for_a_partners_deal_is_audited_on_the_deal(world):
    deal = register(world, world.partner_rep, submit=True)
    activity = log(world, deal=deal, note=" 部長同席 ")
    assert activity.note == "部長同席" and activity.logged_by == world.channel_manager
    with scopes_disabled():
        entry = AuditEntry.objects.get(action="support.log")
    assert entry.deal_id == deal.pk and entry.changes["support_type"] == [None, "joint_visit"]


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"date": "tomorrow"}, "date"),
        ({"hours": Decimal("0")}, "hours"),
        ({"hours": Decimal("100.5")}, "hours"),
        ({"deal": "beta"}, "deal"),
    ],
)
def test_bad_entries_are_refused_and_nothing_is_saved(world, fields, field):
    if fields.get("date") == "tomorrow":
        fields["date"] = vendor_today(world.acme) + timedelta(days=1)
    if fields.get("deal") == "beta":
        fields["deal"] = register(world, world.beta_rep, submit=True, customer_name="ベータの顧客")
    with pytest.raises(ValidationError) as error:
        log(world, **fields)
    assert field in error.value.message_dict
    with scopes_disabled():
        assert not SupportActivity.objects.exists()


@pytest.mark.parametrize("role", ["partner_rep", "partner_admin"])
def test_partners_do_not_log_support(world, role):
    with pytest.raises(PermissionDenied):
        log(world, user=world.user(role))


def test_the_form_keeps_what_was_typed_on_an_error(world, client_for):
    client = client_for(world.channel_manager)
    url = reverse("support_create", kwargs={"vendor_slug": "acme"})
    response = client.post(
        url,
        {
            "partner": world.alpha.pk,
            "support_type": "proposal_review",
            "date": vendor_today(world.acme).isoformat(),
            "hours": "1.5",
            "note": "提案書の構成を一緒に見直した",
            "deal_id": 999_999,
        },
        HTTP_ACCEPT_LANGUAGE="en",
    )
    assert response.status_code == 200
    form = response.context["form"]
    assert form.errors["deal_id"] == ["No deal with this number belongs to the chosen partner."]
    assert form["note"].value() == "提案書の構成を一緒に見直した" and form["hours"].value() == "1.5"
    with scopes_disabled():
        assert not SupportActivity.objects.exists()


def test_the_form_logs_and_returns_to_the_list(world, client_for):
    deal = register(world, world.partner_rep, submit=True)
    client = client_for(world.channel_manager)
    response = client.post(
        reverse("support_create", kwargs={"vendor_slug": "acme"}),
        {
            "partner": world.alpha.pk,
            "support_type": "demo_environment",
            "date": vendor_today(world.acme).isoformat(),
            "hours": "3",
            "deal_id": deal.pk,
        },
    )
    assert response.status_code == 302 and response["Location"] == "/v/acme/support/"
    with scopes_disabled():
        assert SupportActivity.objects.get().deal == deal


def test_the_list_filters_pages_and_exports(world, client_for, django_assert_max_num_queries):
    today = vendor_today(world.acme)
    for day in range(60):
        log(
            world,
            date=today - timedelta(days=day),
            support_type="study_session" if day % 2 else "joint_visit",
        )
    log(world, partner=world.beta, support_type="special_pricing", note="特価申請")
    client = client_for(world.vendor_admin)
    url = reverse("support_list", kwargs={"vendor_slug": "acme"})
    with django_assert_max_num_queries(12):
        page = client.get(url)
    assert page.context["paginator"].count == 61 and len(page.context["activities"]) == 50
    filtered = client.get(url, {"partner": world.beta.pk})
    assert [a.note for a in filtered.context["activities"]] == ["特価申請"]
    kinds = client.get(
        url, {"support_type": "joint_visit", "date_from": (today - timedelta(days=9)).isoformat()}
    )
    assert kinds.context["paginator"].count == 5
    export = client.get(reverse("support_export", kwargs={"vendor_slug": "acme"}), {"q": "特価"})
    rows = list(csv.reader(io.StringIO(body(export))))
    assert len(rows) == 2 and rows[1][1] == world.beta.name and rows[1][6] == "特価申請"


def test_removing_an_entry_is_audited(world, client_for):
    activity = log(world)
    client = client_for(world.channel_manager)
    response = client.post(
        reverse("support_remove", kwargs={"vendor_slug": "acme", "activity_id": activity.pk})
    )
    assert response.status_code == 302
    with scopes_disabled():
        assert not SupportActivity.objects.exists()
        assert AuditEntry.objects.filter(action="support.remove").exists()
