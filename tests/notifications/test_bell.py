"""The top bar's bell: the caller's unread count in this vendor on vendor pages, one query, nothing elsewhere."""

from types import SimpleNamespace

from django.db import connection
from django.test import RequestFactory
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django_scopes import scopes_disabled

from notifications.context_processors import notifications
from notifications.models import Notification
from partners.models import Role
from prm.tenancy import vendor_scope
from tests.conftest import access_of, add_member
from tests.notifications.test_notification_pages import send


def dashboard(client, vendor_slug="acme"):
    return client.get(reverse("dashboard", kwargs={"vendor_slug": vendor_slug})).content.decode()


def test_bell_counts_the_callers_unread_in_this_vendor(world, client_for):
    with scopes_disabled():
        add_member(world.partner_rep, world.rival, Role.PARTNER_REP, world.gamma)
    send(world, world.partner_rep)
    read = send(world, world.partner_rep)
    send(world, world.partner_rep)
    send(world, world.partner_admin)
    send(world, world.partner_rep, vendor=world.rival, customer="Rival KK")
    with scopes_disabled():
        Notification.objects.filter(pk=read.pk).update(read_at=read.created_at)
    client = client_for(world.partner_rep)

    page = dashboard(client)

    assert "2 unread notifications" in page
    assert f'href="{reverse("notification_list", kwargs={"vendor_slug": "acme"})}"' in page
    assert "1 unread notification<" in dashboard(client, "rival")


def test_bell_without_unread_has_no_badge(world, client_for):
    page = dashboard(client_for(world.channel_manager))
    assert "bi-bell" in page
    assert "unread notification" not in page


def test_no_bell_outside_vendor_pages(world, client_for):
    send(world, world.partner_rep)
    page = client_for(world.partner_rep).get(reverse("account_change_password")).content.decode()
    assert "bi-bell" not in page


def test_context_processor_queries_nothing_without_access(db):
    request = RequestFactory().get("/accounts/password/change/")
    with CaptureQueriesContext(connection) as queries:
        assert notifications(request) == {}
    assert len(queries) == 0


def test_context_processor_counts_once_per_request(world):
    send(world, world.partner_rep)
    request = SimpleNamespace(access=access_of(world.partner_rep, world.acme))
    with vendor_scope(world.acme), CaptureQueriesContext(connection) as queries:
        first = notifications(request)["notification_bell"]
        second = notifications(request)["notification_bell"]
        counts = [first.count, first.count, second.count]
    assert counts == [1, 1, 1]
    assert len(queries) == 1
