"""The audit page: vendor admins read, filter and export their vendor's trail, readably, in constant queries."""

import csv
import io
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import override

from audit.models import AuditEntry
from partners import services
from prm.tenancy import vendor_scope
from tests.conftest import access_of, body

URL = reverse("audit:list", args=["acme"])
EXPORT = reverse("audit:export", args=["acme"])


def add_entries(world, count: int, *, action="partner.update", actor=None, days_ago=0, **fields):
    at = timezone.now() - timedelta(days=days_ago)
    with vendor_scope(world.acme):
        AuditEntry.objects.bulk_create(
            AuditEntry(
                vendor=world.acme,
                at=at,
                actor=actor or world.vendor_admin,
                actor_email=(actor or world.vendor_admin).email,
                action=action,
                subject_type=fields.pop("subject_type", "partnercompany"),
                subject_id=world.beta.pk,
                changes=fields.pop("changes", {"tier": ["silver", "gold"]}),
                **fields,
            )
            for _ in range(count)
        )


def rows(response) -> list:
    return response.context["rows"]


def test_changes_read_as_labels_and_values(world, as_admin):
    with vendor_scope(world.acme):
        services.partner_update(
            access=access_of(world.vendor_admin, world.acme),
            partner=world.beta,
            tier="gold",
            channel_manager=world.channel_manager,
        )
    response = as_admin.get(URL)
    assert response.status_code == 200
    [row] = rows(response)
    assert row.action == "Changed a partner company"
    assert row.actor == "Aiko Admin"
    assert [(c.label, c.before, c.after) for c in row.changes] == [
        ("Tier", "Silver", "Gold"),
        ("Channel manager", "—", "Chika Manager"),
    ]
    assert "Silver" in response.content.decode()


def test_labels_in_japanese(world, client_for):
    add_entries(world, 1)
    client = client_for(world.vendor_admin)
    with override("ja"):
        response = client.get(URL, headers={"accept-language": "ja"})
    page = response.content.decode()
    # Field names and values come from the translated model labels and choices.
    assert "ランク" in page
    assert "シルバー" in page and "ゴールド" in page
    assert "CSVエクスポート" in page


def test_filters(world, as_admin):
    add_entries(world, 2, action="partner.update")
    add_entries(
        world,
        1,
        action="membership.deactivate",
        subject_type="membership",
        changes={"is_active": [True, False]},
    )
    add_entries(world, 1, action="partner.create", actor=world.channel_manager, days_ago=10)
    add_entries(world, 1, action="deal.update", subject_type="deal", deal_id=4242, changes={"amount": [1, 2]})

    def actions(**query):
        response = as_admin.get(URL, query)
        assert response.status_code == 200
        return sorted(row.entry.action for row in rows(response))

    assert actions(action="membership.deactivate") == ["membership.deactivate"]
    assert actions(actor=world.channel_manager.pk) == ["partner.create"]
    today = timezone.localdate()
    assert actions(date_to=(today - timedelta(days=5)).isoformat()) == ["partner.create"]
    assert "partner.create" not in actions(date_from=(today - timedelta(days=5)).isoformat())
    assert actions(subject_type="membership") == ["membership.deactivate"]
    assert actions(q="4242") == ["deal.update"]
    assert actions(q="cm@acme") == ["partner.create"]
    # An impossible period is reported, not applied silently as something else.
    response = as_admin.get(
        URL, {"date_from": today.isoformat(), "date_to": (today - timedelta(days=1)).isoformat()}
    )
    assert "The end date is before the start date." in response.content.decode()


def test_another_vendors_entries_never_show(world, client_for):
    with vendor_scope(world.rival):
        services.partner_update(
            access=access_of(world.rival_admin, world.rival), partner=world.gamma, tier="silver"
        )
    response = client_for(world.vendor_admin).get(URL)
    assert rows(response) == []
    export = client_for(world.vendor_admin).get(EXPORT)
    assert "Gamma" not in body(export)


def test_fifty_a_page(world, as_admin):
    add_entries(world, 51)
    assert len(rows(as_admin.get(URL))) == 50
    assert len(rows(as_admin.get(URL, {"page": 2}))) == 1
    assert len(rows(as_admin.get(URL, {"page": 99}))) == 1  # past the end: the last page


def test_export_is_the_filtered_list_with_formulas_neutralised(world, as_admin):
    add_entries(
        world,
        1,
        action="partner.update",
        changes={"name": ["Beta", '=HYPERLINK("x")']},
        reason="=1+1",
        request_id="req-x1",
    )
    add_entries(
        world,
        1,
        action="membership.deactivate",
        subject_type="membership",
        changes={"is_active": [True, False]},
    )
    response = as_admin.get(EXPORT, {"action": "partner.update"})
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    table = list(csv.reader(io.StringIO(body(response))))
    header, *rows = table
    assert header[:4] == ["When", "Who", "Action", "Action code"]
    assert len(rows) == 1
    [row] = rows
    assert row[1] == "Aiko Admin"
    assert row[3] == "partner.update"
    assert row[7] == 'Company name: Beta → =HYPERLINK("x")'
    assert row[8] == "'=1+1"
    assert row[9] == "req-x1"
    assert not any(cell.startswith("=") for cell in row)


def test_denied_requests_show_with_the_role(world, client_for):
    client_for(world.partner_rep).get(URL)
    response = client_for(world.vendor_admin).get(URL, {"action": "authz.denied"})
    [row] = rows(response)
    assert row.action == "Access refused"
    assert {c.label: c.after for c in row.changes} == {
        "Method": "GET",
        "Address": "/v/acme/audit/",
        "HTTP status": "403",
        "Role": "Partner rep",
        "Further refusals": "only in the security log for the next 10 minutes",
    }


@pytest.mark.parametrize("count", [3, 60])
def test_queries_do_not_grow_with_the_entries(world, as_admin, django_assert_max_num_queries, count):
    add_entries(world, count)
    add_entries(world, count, action="authz.denied", subject_type="", changes={"method": "GET", "role": ""})
    with django_assert_max_num_queries(10):
        response = as_admin.get(URL)
    assert response.status_code == 200
    assert len(rows(response)) == min(2 * count, 50)


def test_deals_are_named_by_their_customer(world, as_admin):
    from tests.deals.conftest import register

    deal = register(world, world.partner_rep, customer_name="株式会社北斗商事", title="基幹刷新")
    add_entries(
        world, 1, action="deal.update", subject_type="deal", deal_id=deal.pk, changes={"amount": [1, 2]}
    )
    add_entries(world, 1, action="deal.update", subject_type="deal", deal_id=4242, changes={"amount": [1, 2]})
    html = as_admin.get(URL, {"action": "deal.update"}).content.decode()
    assert "株式会社北斗商事 · 基幹刷新" in html
    assert "Deal #4242" in html  # a deal that no longer exists keeps its number
    table = list(csv.reader(io.StringIO(body(as_admin.get(EXPORT, {"action": "deal.update"})))))
    assert {row[5] for row in table[1:]} >= {"株式会社北斗商事 · 基幹刷新", "Deal #4242"}
