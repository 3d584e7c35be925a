"""Deactivation ends a user's sessions at once, everywhere: removed from the session store (cache and database)
and refused on the next request, with every API token revoked. A membership's deactivation does so only when the
user has no access left elsewhere."""

from django.urls import reverse
from django_scopes import scopes_disabled

from partners import services
from partners.models import AuthEvent, AuthEventKind, Membership, Role, User, UserSession
from prm.tenancy import Access, vendor_scope
from tests.accounts.conftest import (
    LOGIN_URL,
    is_logged_in,
    logged_in,
    logged_in_platform_staff,
    session_exists,
    session_key,
    token_for,
    token_works,
)
from tests.conftest import add_member


def dashboard(vendor) -> str:
    return reverse("dashboard", args=[vendor.slug])


def assert_logged_out(client) -> None:
    response = client.get(reverse("account_change_password"))
    assert response.status_code == 302
    assert response["Location"].startswith(LOGIN_URL)
    assert not is_logged_in(client)


def deactivate_membership(world, user) -> None:
    with vendor_scope(world.acme):
        admin = Membership.objects.get(user=world.vendor_admin)
        membership = Membership.objects.get(user=user)
        services.membership_deactivate(
            access=Access(vendor=world.acme, membership=admin), membership=membership
        )


def test_logging_in_records_the_session_and_logging_out_removes_it(world):
    client = logged_in(world.partner_rep, user_agent="Firefox/145")
    record = UserSession.objects.get(session_key=session_key(client))
    assert record.user == world.partner_rep
    assert record.ip == "127.0.0.1"
    assert record.user_agent == "Firefox/145"

    key = session_key(client)
    client.post(reverse("account_logout"))
    assert not UserSession.objects.filter(session_key=key).exists()


def test_deactivating_the_user_ends_every_session_and_token_at_once(world):
    first, second = logged_in(world.partner_rep), logged_in(world.partner_rep)
    keys = [session_key(first), session_key(second)]
    token = token_for(world.partner_rep)
    assert token_works(token)

    user = User.objects.get(pk=world.partner_rep.pk)
    user.is_active = False
    user.save()

    assert not any(session_exists(key) for key in keys)  # gone from the store, not merely refused later
    assert not UserSession.objects.filter(user=user).exists()
    assert_logged_out(second)
    assert not token_works(token)
    event = AuthEvent.objects.get(event=AuthEventKind.SESSIONS_ENDED, user=user)
    assert event.detail == {"reason": "user_deactivated", "sessions_ended": 2, "api_tokens_revoked": 1}


def test_deactivation_in_the_platform_admin_ends_the_sessions(world):
    staff = services.user_create(email="ops@platform.example", password="ops-password-2026")
    staff.is_staff = staff.is_superuser = True
    staff.save()
    admin = logged_in_platform_staff(staff, "ops-password-2026")
    rep = logged_in(world.partner_rep)
    token = token_for(world.partner_rep)
    user = world.partner_rep
    response = admin.post(
        reverse("admin:partners_user_change", args=[user.pk]),
        {
            "email": user.email,
            "name": user.name,
            "is_staff": "",
            "is_superuser": "",
            "date_joined_0": user.date_joined.strftime("%Y-%m-%d"),
            "date_joined_1": user.date_joined.strftime("%H:%M:%S"),
            "last_login_0": "",
            "last_login_1": "",
        },
    )
    assert response.status_code == 302, response.content
    user.refresh_from_db()
    assert not user.is_active

    assert not session_exists(session_key(rep))
    assert_logged_out(rep)
    assert not token_works(token)
    assert is_logged_in(admin)  # the admin's own session is untouched


def test_saving_a_user_without_deactivating_ends_nothing(world):
    client = logged_in(world.partner_rep)
    user = User.objects.get(pk=world.partner_rep.pk)
    user.name = "Riku Renamed"
    user.save()
    assert client.get(dashboard(world.acme)).status_code == 200
    assert not AuthEvent.objects.filter(event=AuthEventKind.SESSIONS_ENDED).exists()


def test_deactivating_the_only_membership_ends_every_session_and_token(world):
    first, second = logged_in(world.partner_rep), logged_in(world.partner_rep)
    token = token_for(world.partner_rep)

    deactivate_membership(world, world.partner_rep)

    assert not session_exists(session_key(first))
    assert not session_exists(session_key(second))
    assert_logged_out(second)
    assert not token_works(token)
    event = AuthEvent.objects.get(event=AuthEventKind.SESSIONS_ENDED, user=world.partner_rep)
    assert event.detail["reason"] == "membership_deactivated"


def test_a_member_of_another_vendor_keeps_their_session_but_loses_this_vendor(world):
    with scopes_disabled():
        add_member(world.partner_rep, world.rival, Role.PARTNER_REP, world.gamma)
    client = logged_in(world.partner_rep)
    token = token_for(world.partner_rep)
    assert client.get(dashboard(world.acme)).status_code == 200

    deactivate_membership(world, world.partner_rep)

    # Another vendor's work goes on; this vendor is closed to them from the very next request.
    assert client.get(dashboard(world.rival)).status_code == 200
    assert client.get(dashboard(world.acme)).status_code == 404
    assert token_works(token)
    assert client.get("/api/v1/vendors/acme/partners/").status_code == 404
    assert not AuthEvent.objects.filter(event=AuthEventKind.SESSIONS_ENDED).exists()


def test_a_membership_in_an_inactive_vendor_is_no_access_elsewhere(world):
    with scopes_disabled():
        add_member(world.partner_rep, world.rival, Role.PARTNER_REP, world.gamma)
    world.rival.is_active = False
    world.rival.save(update_fields=["is_active"])
    client = logged_in(world.partner_rep)

    deactivate_membership(world, world.partner_rep)

    assert_logged_out(client)
