"""Names and titles are one line: line breaks and control characters are refused in the form, the API and the CSV
import with a clear message, and no mail subject is ever built with a line break from what users typed."""

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.urls import reverse
from django_scopes import scopes_disabled
from rest_framework.test import APIClient

from deals.models import Deal
from partners.models import PartnerCompany
from prm.validators import one_line, validate_single_line
from tests.deals.conftest import register
from tests.deals.test_csv_import import csv_text, line, preview, row_errors
from tests.deals.test_form_pages import CREATE, deals_of, field_errors, form_data

MESSAGE = "Write this on one line: line breaks, tabs and control characters are not allowed."
BROKEN = [
    "株式会社\nサンプル",
    "株式会社\r\nサンプル",
    "株式会社\tサンプル",
    "株式会社\u2028サンプル",
    "株式会社\x0bサンプル",
]


@pytest.mark.parametrize("value", BROKEN)
def test_line_breaks_and_control_characters_are_refused(value):
    with pytest.raises(ValidationError) as error:
        validate_single_line(value)
    assert error.value.messages == [MESSAGE]
    assert "\n" not in one_line(value) and "\t" not in one_line(value)


@pytest.mark.parametrize("value", ["株式会社サンプル", "ＡＢＣ　商事", "Acme, Inc. (Tokyo)"])
def test_ordinary_names_pass(value):
    validate_single_line(value)


def api(user) -> APIClient:
    client = APIClient(HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(user, backend="django.contrib.auth.backends.ModelBackend")
    return client


def test_the_deal_form_refuses_a_two_line_customer_and_keeps_what_was_typed(world, client_for):
    response = client_for(world.partner_rep).post(CREATE, form_data(customer_name="株式会社\nサンプル"))
    assert response.status_code == 200
    assert MESSAGE in field_errors(response.content.decode())
    assert "生産管理システム刷新" in response.content.decode()
    assert deals_of(world) == []


@pytest.mark.parametrize("field", ["customer_name", "title"])
def test_the_deal_api_names_the_field(world, field):
    body = {
        "customer_name": "株式会社サンプル",
        "title": "基幹刷新",
        "amount": 1_000_000,
        "close_date": "2099-01-31",
        "phase": "proposal",
        "proposal_reason": "理由",
        field: "一行目\r\n二行目",
    }
    response = api(world.partner_rep).post(reverse("api_deal_list", args=["acme"]), body, format="json")
    assert response.status_code == 400
    assert response.json()[field] == [MESSAGE]
    assert deals_of(world) == []


def test_a_deal_update_is_refused_too(world):
    deal = register(world, world.partner_rep)
    response = api(world.partner_rep).patch(
        reverse("api_deal_detail", kwargs={"vendor_slug": "acme", "deal_id": deal.pk}),
        {"version": deal.version, "title": "件名\n改行"},
        format="json",
    )
    assert response.status_code == 400
    assert response.json()["title"] == [MESSAGE]


def test_the_partner_api_refuses_a_two_line_company_name(world):
    response = api(world.vendor_admin).post(
        reverse("api_partner_list", args=["acme"]),
        {"name": "Delta\nSystems", "tier": "silver"},
        format="json",
    )
    assert response.status_code == 400
    assert response.json()["name"] == [MESSAGE]
    with scopes_disabled():
        assert not PartnerCompany.objects.filter(name__startswith="Delta").exists()


def test_the_csv_import_refuses_the_row(world):
    result = preview(world, csv_text(line(), line(customer="株式会社\nテスト")))
    assert not result.can_import
    [(number, errors)] = row_errors(result).items()
    assert number == 3
    assert any("must be on one line" in error for error in errors)


def test_a_stored_name_with_a_line_break_still_makes_a_one_line_mail_subject(
    world, mailoutbox, django_capture_on_commit_callbacks
):
    deal = register(world, world.partner_rep)
    with scopes_disabled():
        Deal.objects.filter(pk=deal.pk).update(customer_name="株式会社\r\nBcc: victim@example.com")
    with django_capture_on_commit_callbacks(execute=True):
        api(world.partner_rep).post(
            reverse("api_deal_submit", kwargs={"vendor_slug": "acme", "deal_id": deal.pk}), {}, format="json"
        )
    assert mail.outbox
    for message in mail.outbox:
        assert "\n" not in message.subject and "\r" not in message.subject
        assert "victim@example.com" not in message.recipients()
