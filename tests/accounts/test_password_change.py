"""A new password (changed on the account page, or reset by email) ends every other session of the user and
revokes their API tokens; the session in which it was changed goes on."""

import re

from django.core import mail
from django.urls import reverse

from partners.models import ApiToken, AuthEvent, AuthEventKind, UserSession
from tests.accounts.conftest import (
    LOGIN_URL,
    browser,
    is_logged_in,
    logged_in,
    session_exists,
    session_key,
    token_for,
    token_works,
)
from tests.conftest import PASSWORD

NEW_PASSWORD = "another-long-secret-2026"


def dashboard(world) -> str:
    return reverse("dashboard", args=[world.acme.slug])


def change_password(client):
    return client.post(
        reverse("account_change_password"),
        {"oldpassword": PASSWORD, "password1": NEW_PASSWORD, "password2": NEW_PASSWORD},
    )


def test_changing_the_password_ends_the_other_sessions_and_keeps_this_one(world):
    here, elsewhere = logged_in(world.partner_rep), logged_in(world.partner_rep)
    other_key = session_key(elsewhere)
    token = token_for(world.partner_rep)

    assert change_password(here).status_code == 302

    assert here.get(dashboard(world)).status_code == 200
    assert is_logged_in(here)
    # Django rotates the key of the current session; the record follows it.
    assert UserSession.objects.filter(user=world.partner_rep).get().session_key == session_key(here)

    assert not session_exists(other_key)
    response = elsewhere.get(dashboard(world))
    assert response.status_code == 302 and response["Location"].startswith(LOGIN_URL)
    assert not token_works(token)
    assert not ApiToken.objects.filter(user=world.partner_rep).exists()

    event = AuthEvent.objects.get(event=AuthEventKind.PASSWORD_CHANGED)
    assert event.user == world.partner_rep
    assert event.detail == {"sessions_ended": 1, "api_tokens_revoked": 1}


def test_other_users_sessions_are_untouched(world):
    rep = logged_in(world.partner_rep)
    colleague = logged_in(world.partner_admin)
    change_password(rep)
    assert colleague.get(dashboard(world)).status_code == 200


def test_a_password_reset_ends_every_session(world, django_capture_on_commit_callbacks):
    elsewhere = logged_in(world.partner_rep)
    token = token_for(world.partner_rep)

    anonymous = browser()
    with django_capture_on_commit_callbacks(execute=True):
        anonymous.post(reverse("account_reset_password"), {"email": world.partner_rep.email})
    link = re.search(r"(/accounts/password/reset/key/\S+/)", mail.outbox[0].body).group(1)
    response = anonymous.get(link)
    target = response["Location"] if response.status_code == 302 else link
    response = anonymous.post(target, {"password1": NEW_PASSWORD, "password2": NEW_PASSWORD})
    assert response["Location"] == reverse("account_reset_password_from_key_done")

    assert not session_exists(session_key(elsewhere))
    assert elsewhere.get(dashboard(world)).status_code == 302
    assert not token_works(token)
    requested = AuthEvent.objects.get(event=AuthEventKind.PASSWORD_RESET_REQUESTED)
    assert requested.user == world.partner_rep and requested.email == world.partner_rep.email
    done = AuthEvent.objects.get(event=AuthEventKind.PASSWORD_RESET)
    assert done.user == world.partner_rep
    assert done.detail == {"sessions_ended": 1, "api_tokens_revoked": 1}


def test_a_reset_asked_for_an_unknown_address_is_recorded_without_a_user(world):
    browser().post(reverse("account_reset_password"), {"email": "nobody@example.com"})
    event = AuthEvent.objects.get(event=AuthEventKind.PASSWORD_RESET_REQUESTED)
    assert event.user is None
    assert event.email == "nobody@example.com"
    assert event.detail == {"account": False}
