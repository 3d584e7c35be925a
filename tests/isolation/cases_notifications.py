"""Notifications (the top bar's bell and the notifications page), every role.

Every member of a vendor has the page and sees only their own notifications. Opening someone else's
notification, of the same vendor or another, is 404 like any object the caller cannot see.
"""

from django_scopes import scopes_disabled

from notifications.models import Notification
from partners.models import Role
from prm.tenancy import vendor_scope
from tests.conftest import add_member, make_user, notification_add
from tests.isolation.cases import LOGIN, OK, Case, acme, expect
from tests.isolation.deal_world import alpha_deal, rival_deal


def _notification_for(world, key: str, recipient, vendor, deal) -> int:
    cache = world.__dict__.setdefault("_notifications", {})
    if key not in cache:
        with vendor_scope(vendor):
            notification_add(
                vendor=vendor,
                recipient=recipient,
                kind="info_request.sent",
                deal=deal,
                params={"element": "metrics", "due": "2026-12-01", "detail": "?"},
            )
            cache[key] = Notification.objects.filter(recipient=recipient).latest("pk").pk
    return cache[key]


def colleague_notification(world) -> int:
    """A notification of another rep of Alpha (none of the roles of the table)."""
    with scopes_disabled():
        colleague = make_user("colleague@alpha.example", "Colin Colleague")
        add_member(colleague, world.acme, Role.PARTNER_REP, world.alpha)
        return _notification_for(world, "colleague", colleague, world.acme, alpha_deal(world))


def manager_notification(world) -> int:
    """A notification of acme's channel manager."""
    with scopes_disabled():
        return _notification_for(world, "manager", world.channel_manager, world.acme, alpha_deal(world))


def rival_notification(world) -> int:
    """A notification of the rival vendor's admin."""
    with scopes_disabled():
        return _notification_for(world, "rival", world.rival_admin, world.rival, rival_deal(world))


def rival(**extra):
    build = acme(**extra)

    def kwargs(world):
        return {**build(world), "vendor_slug": "rival"}

    return kwargs


MEMBERS = expect(LOGIN, 200, 200, 200, 200, 404, 200)

CASES = [
    Case("notification_list", MEMBERS),
    Case("notification_export", MEMBERS),
    Case("notification_read_all", expect(LOGIN, OK, OK, OK, OK, 404, OK), method="post"),
    Case(
        "notification_open",
        expect(LOGIN, 404, 404, 404, 404, 404, 404),
        kwargs=acme(notification_id=colleague_notification),
        method="post",
        label="colleague",
    ),
    Case(
        "notification_open",
        expect(LOGIN, 404, 404, OK, 404, 404, 404),
        kwargs=acme(notification_id=manager_notification),
        method="post",
        label="manager",
    ),
    Case(
        "notification_open",
        expect(LOGIN, 404, 404, 404, 404, 404, 404),
        kwargs=acme(notification_id=rival_notification),
        method="post",
        label="rival-under-acme",
    ),
    Case(
        "notification_open",
        expect(LOGIN, 404, 404, 404, 404, OK, 404),
        kwargs=rival(notification_id=rival_notification),
        method="post",
        label="rival",
    ),
]
