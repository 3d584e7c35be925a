"""Partner users sign in with a one-time code by mail and may keep a long session on their own phone; vendor
staff are never remembered, and a user with a second factor still has to give it."""

import re

from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret
from django.conf import settings
from django.urls import reverse

from partners.remember import REMEMBERED
from tests.accounts.conftest import LOGIN_URL, browser, is_logged_in, later
from tests.accounts.totp import current_code
from tests.conftest import PASSWORD

REQUEST_URL = reverse("account_request_login_code")
CONFIRM_URL = reverse("account_confirm_login_code")


def mailed_code(mailoutbox, email: str) -> str:
    message = next(m for m in reversed(mailoutbox) if email in m.to)
    return re.search(r"^\s*([A-Z0-9]{4}-[A-Z0-9]{4})\s*$", message.body, re.MULTILINE).group(1)


def ask_for_code(client, user, mailoutbox, capture, **extra) -> str:
    with capture(execute=True):
        response = client.post(REQUEST_URL, {"email": user.email, **extra})
    assert response.status_code == 302 and response["Location"].startswith(CONFIRM_URL)
    return mailed_code(mailoutbox, user.email)


def test_a_rep_signs_in_with_a_mailed_code(world, mailoutbox, django_capture_on_commit_callbacks):
    client = browser()
    login_page = client.get(LOGIN_URL).content.decode()
    assert REQUEST_URL in login_page and "Email me a sign-in code instead" in login_page
    code = ask_for_code(client, world.partner_rep, mailoutbox, django_capture_on_commit_callbacks)
    response = client.post(CONFIRM_URL, {"code": code})
    assert response.status_code == 302
    assert is_logged_in(client)
    assert client.get(reverse("dashboard", args=["acme"])).status_code == 200
    # Not remembered unless asked: the normal idle timeout applies.
    assert not client.session.get(REMEMBERED)
    with later(hours=2, minutes=1):
        assert client.get(reverse("dashboard", args=["acme"])).status_code == 302


def test_a_wrong_code_signs_nobody_in(world, mailoutbox, django_capture_on_commit_callbacks):
    client = browser()
    ask_for_code(client, world.partner_rep, mailoutbox, django_capture_on_commit_callbacks)
    response = client.post(CONFIRM_URL, {"code": "AAAA-AAAA"})
    assert response.status_code == 200 and not is_logged_in(client)


def test_remember_this_device_keeps_a_partner_signed_in_for_weeks(
    world, mailoutbox, django_capture_on_commit_callbacks
):
    client = browser()
    form = client.get(REQUEST_URL).content.decode()
    assert "Remember this device" in form
    code = ask_for_code(
        client, world.partner_rep, mailoutbox, django_capture_on_commit_callbacks, remember="on"
    )
    client.post(CONFIRM_URL, {"code": code})
    assert client.session.get(REMEMBERED) is True
    assert client.session.get_expiry_age() == settings.SESSION_REMEMBER_DAYS * 24 * 60 * 60
    dashboard = reverse("dashboard", args=["acme"])
    with later(days=10):
        assert client.get(dashboard).status_code == 200  # 10 days idle: still signed in
    with later(days=10 + settings.SESSION_REMEMBER_DAYS, minutes=1):
        assert client.get(dashboard).status_code == 302


def test_the_password_login_offers_it_too(world):
    client = browser()
    response = client.post(
        LOGIN_URL, {"login": world.partner_admin.email, "password": PASSWORD, "remember": "on"}
    )
    assert response.status_code == 302
    assert client.session.get(REMEMBERED) is True
    assert client.session.get_expiry_age() == settings.SESSION_REMEMBER_DAYS * 24 * 60 * 60


def test_vendor_staff_are_not_remembered(world, mailoutbox, django_capture_on_commit_callbacks):
    client = browser()
    client.post(LOGIN_URL, {"login": world.channel_manager.email, "password": PASSWORD, "remember": "on"})
    assert is_logged_in(client) and not client.session.get(REMEMBERED)
    with later(hours=2, minutes=1):
        assert client.get(reverse("dashboard", args=["acme"])).status_code == 302


def test_a_code_does_not_skip_the_second_factor(world, mailoutbox, django_capture_on_commit_callbacks):
    secret = generate_totp_secret()
    TOTP.activate(world.vendor_admin, secret)
    client = browser()
    code = ask_for_code(client, world.vendor_admin, mailoutbox, django_capture_on_commit_callbacks)
    response = client.post(CONFIRM_URL, {"code": code})
    assert response["Location"].startswith(reverse("mfa_authenticate"))
    assert not is_logged_in(client)
    client.post(reverse("mfa_authenticate"), {"code": current_code(secret)})
    assert is_logged_in(client)
