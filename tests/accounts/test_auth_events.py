"""Every authentication event is recorded (append-only AuthEvent rows and the ``prm.security`` log) with the
user, the address, the client's IP and browser and the request id; never a password."""

import io
import logging

import pytest
from allauth.mfa.models import Authenticator
from allauth.mfa.totp.internal.auth import SECRET_SESSION_KEY, TOTP, generate_totp_secret
from django.core.management import call_command
from django.db import DatabaseError, connection, transaction
from django.forms.models import model_to_dict
from django.urls import reverse
from rest_framework.test import APIClient

from partners import services
from partners.models import AppendOnlyError, AuthEvent, AuthEventKind
from tests.accounts.conftest import LOGIN_URL, TOKEN_URL, browser, logged_in, logged_in_platform_staff
from tests.accounts.totp import current_code, wrong_code
from tests.api.conftest import Mfa
from tests.conftest import PASSWORD

WRONG_PASSWORD = "Wr0ng-but-secret-Password!"


def only(event: str) -> AuthEvent:
    return AuthEvent.objects.get(event=event)


def shows_no_password(event: AuthEvent, password: str) -> bool:
    return password not in repr(model_to_dict(event)) and password not in repr(event.detail)


def test_a_login_is_recorded_with_who_where_and_which_request(world, caplog):
    caplog.set_level(logging.INFO, logger="prm.security")
    client = browser()
    response = client.post(
        LOGIN_URL,
        {"login": world.partner_rep.email, "password": PASSWORD},
        headers={"user-agent": "X" * 400, "x-request-id": "req-login-0001"},
    )
    assert response.status_code == 302
    event = only(AuthEventKind.LOGIN)
    assert event.user == world.partner_rep
    assert event.email == world.partner_rep.email
    assert event.ip == "127.0.0.1"
    assert event.user_agent == "X" * 255  # cut to the column, not refused
    assert event.request_id == response.headers.get("X-Request-ID", "")
    assert any("event=login" in message for message in caplog.messages)


def test_a_failed_login_keeps_the_typed_address_and_never_the_password(world, caplog):
    caplog.set_level(logging.INFO, logger="prm.security")
    response = browser().post(LOGIN_URL, {"login": world.partner_rep.email, "password": WRONG_PASSWORD})
    assert response.status_code == 200
    event = only(AuthEventKind.LOGIN_FAILED)
    assert event.user == world.partner_rep
    assert event.email == world.partner_rep.email
    assert shows_no_password(event, WRONG_PASSWORD)
    assert not any(WRONG_PASSWORD in message for message in caplog.messages)
    assert any(
        r.levelno == logging.WARNING and "event=login_failed" in r.getMessage() for r in caplog.records
    )


def test_a_failed_login_for_an_unknown_address_has_no_user(world):
    browser().post(LOGIN_URL, {"login": "Nobody@Example.com", "password": WRONG_PASSWORD})
    event = only(AuthEventKind.LOGIN_FAILED)
    assert event.user is None
    assert event.email.lower() == "nobody@example.com"
    assert shows_no_password(event, WRONG_PASSWORD)


def test_a_logout_is_recorded(world):
    client = logged_in(world.partner_rep)
    client.post(reverse("account_logout"))
    assert only(AuthEventKind.LOGOUT).user == world.partner_rep


def test_a_password_change_is_recorded(world):
    client = logged_in(world.partner_rep)
    new = "another-long-secret-2026"
    client.post(
        reverse("account_change_password"), {"oldpassword": PASSWORD, "password1": new, "password2": new}
    )
    event = only(AuthEventKind.PASSWORD_CHANGED)
    assert event.user == world.partner_rep
    assert shows_no_password(event, new) and shows_no_password(event, PASSWORD)


def test_enabling_two_factor_authentication_is_recorded(world, django_capture_on_commit_callbacks):
    client = logged_in(world.partner_rep)
    client.post(reverse("account_reauthenticate"), {"password": PASSWORD})
    client.get(reverse("mfa_activate_totp"))
    secret = client.session[SECRET_SESSION_KEY]
    # allauth announces the new authenticator once its transaction commits.
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("mfa_activate_totp"), {"code": current_code(secret)})
    assert response.status_code == 302
    types = {e.detail["type"] for e in AuthEvent.objects.filter(event=AuthEventKind.MFA_ENABLED)}
    assert Authenticator.Type.TOTP in types
    assert all(
        event.user == world.partner_rep for event in AuthEvent.objects.filter(event=AuthEventKind.MFA_ENABLED)
    )


def test_a_wrong_code_and_disabling_two_factor_authentication_are_recorded(world):
    secret = generate_totp_secret()
    TOTP.activate(world.partner_rep, secret)
    client = browser()
    client.post(LOGIN_URL, {"login": world.partner_rep.email, "password": PASSWORD})
    client.post(reverse("mfa_authenticate"), {"code": wrong_code(secret)})
    failed = only(AuthEventKind.MFA_FAILED)
    assert failed.user == world.partner_rep
    assert failed.detail == {"type": Authenticator.Type.TOTP, "reauthentication": False}
    assert not AuthEvent.objects.filter(event=AuthEventKind.LOGIN).exists()  # not in yet

    client.post(reverse("mfa_authenticate"), {"code": current_code(secret)})
    assert only(AuthEventKind.LOGIN).user == world.partner_rep
    client.post(reverse("account_reauthenticate"), {"password": PASSWORD})
    assert client.post(reverse("mfa_deactivate_totp")).status_code == 302
    assert only(AuthEventKind.MFA_DISABLED).detail == {"type": Authenticator.Type.TOTP}


def test_an_issued_api_token_is_recorded(world):
    response = APIClient().post(
        TOKEN_URL, {"email": world.partner_rep.email, "password": PASSWORD}, format="json"
    )
    assert response.status_code == 201
    event = only(AuthEventKind.API_TOKEN_ISSUED)
    assert event.user == world.partner_rep
    assert event.ip == "127.0.0.1"
    assert response.json()["token"] not in repr(model_to_dict(event))


def test_a_token_issued_by_the_operator_command_is_recorded(world):
    call_command("issue_api_token", world.partner_rep.email, stdout=io.StringIO())
    assert only(AuthEventKind.API_TOKEN_ISSUED).user == world.partner_rep


def test_a_refused_api_token_request_is_recorded_although_the_request_is_rolled_back(world):
    response = APIClient().post(
        TOKEN_URL, {"email": world.partner_rep.email, "password": WRONG_PASSWORD}, format="json"
    )
    assert response.status_code == 400
    event = only(AuthEventKind.API_TOKEN_FAILED)
    assert event.user == world.partner_rep
    assert shows_no_password(event, WRONG_PASSWORD)


def test_a_wrong_code_for_an_api_token_is_recorded(world):
    Mfa(world.partner_rep)
    response = APIClient().post(
        TOKEN_URL, {"email": world.partner_rep.email, "password": PASSWORD, "otp": "000000"}, format="json"
    )
    assert response.status_code in (400, 429)
    event = only(AuthEventKind.MFA_FAILED)
    assert event.detail["via"] == "api"
    assert not AuthEvent.objects.filter(event=AuthEventKind.API_TOKEN_ISSUED).exists()


def test_events_cannot_be_changed_or_removed(world):
    logged_in(world.partner_rep)
    event = only(AuthEventKind.LOGIN)
    with pytest.raises(AppendOnlyError):
        AuthEvent.objects.filter(pk=event.pk).update(email="someone@else.example")
    with pytest.raises(AppendOnlyError):
        AuthEvent.objects.all().delete()
    event.email = "someone@else.example"
    with pytest.raises(AppendOnlyError):
        event.save()
    with pytest.raises(AppendOnlyError):
        event.delete()
    with pytest.raises(AppendOnlyError):
        AuthEvent.objects.bulk_update([event], ["email"])
    assert only(AuthEventKind.LOGIN).email == world.partner_rep.email


@pytest.mark.postgres
def test_postgresql_refuses_raw_update_and_delete(world):
    if connection.vendor != "postgresql":
        pytest.skip("the trigger exists on PostgreSQL only")
    logged_in(world.partner_rep)
    event = only(AuthEventKind.LOGIN)
    for statement in (
        "UPDATE partners_authevent SET email = 'forged@example.com' WHERE id = %s",
        "DELETE FROM partners_authevent WHERE id = %s",
    ):
        with (
            pytest.raises(DatabaseError, match="append-only"),
            transaction.atomic(),
            connection.cursor() as cur,
        ):
            cur.execute(statement, [event.pk])
    assert only(AuthEventKind.LOGIN).email == world.partner_rep.email


def test_events_outlive_the_account(world):
    logged_in(world.beta_rep)
    world.beta_rep.delete()
    assert only(AuthEventKind.LOGIN).email == "rep@beta.example"


def test_platform_admin_lists_events_read_only(world):
    staff = services.user_create(email="ops@platform.example", password="ops-password-2026")
    staff.is_staff = staff.is_superuser = True
    staff.save()
    admin = logged_in_platform_staff(staff, "ops-password-2026")
    listing = admin.get(reverse("admin:partners_authevent_changelist"))
    assert listing.status_code == 200
    assert "ops@platform.example" in listing.content.decode()
    assert admin.get(reverse("admin:partners_authevent_add")).status_code == 403
    event = AuthEvent.objects.filter(email="ops@platform.example").first()
    assert admin.get(reverse("admin:partners_authevent_change", args=[event.pk])).status_code == 200
    assert (
        admin.post(reverse("admin:partners_authevent_delete", args=[event.pk]), {"post": "yes"}).status_code
        == 403
    )
    assert admin.get(reverse("admin:partners_usersession_changelist")).status_code == 200
