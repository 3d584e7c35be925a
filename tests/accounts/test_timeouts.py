"""Idle and absolute session timeouts (prm.session_timeouts), by moving the clock rather than waiting."""

from django.test import override_settings
from django.urls import reverse
from rest_framework.test import APIClient

from partners.models import AuthEvent, AuthEventKind, UserSession
from tests.accounts.conftest import (
    LOGIN_URL,
    ME_URL,
    is_logged_in,
    later,
    logged_in,
    session_exists,
    session_key,
)
from tests.conftest import PASSWORD

IDLE_MESSAGE = "Your session expired after a period of inactivity. Please log in again."
ABSOLUTE_MESSAGE = "Your session expired because it reached its maximum length. Please log in again."


def dashboard(world) -> str:
    return reverse("dashboard", args=[world.acme.slug])


def test_a_session_idle_for_longer_than_the_idle_timeout_ends(world):
    client = logged_in(world.partner_rep)
    key = session_key(client)

    with later(hours=2, seconds=1):
        response = client.get(dashboard(world))
        assert response.status_code == 302
        assert response["Location"].startswith(LOGIN_URL)
        page = client.get(response["Location"])
    assert IDLE_MESSAGE in page.content.decode()
    assert not is_logged_in(client)
    assert not session_exists(key)
    assert not UserSession.objects.filter(session_key=key).exists()
    event = AuthEvent.objects.get(event=AuthEventKind.SESSION_EXPIRED_IDLE)
    assert event.user == world.partner_rep
    assert event.detail["seconds"] >= 2 * 60 * 60
    # The expiry is what is recorded, not a logout the user did themselves.
    assert not AuthEvent.objects.filter(event=AuthEventKind.LOGOUT).exists()


def test_activity_keeps_the_session_alive(world):
    client = logged_in(world.partner_rep)
    with later(hours=1, minutes=50):
        assert client.get(dashboard(world)).status_code == 200
    with later(hours=3, minutes=40):  # 1 h 50 min after the last request
        assert client.get(dashboard(world)).status_code == 200
    assert is_logged_in(client)
    record = UserSession.objects.get(session_key=session_key(client))
    assert (record.last_seen_at - record.created_at).total_seconds() >= 3 * 60 * 60 + 40 * 60


def test_the_idle_timeout_follows_the_setting(world):
    client = logged_in(world.partner_rep)
    with override_settings(SESSION_IDLE_TIMEOUT=15 * 60), later(minutes=16):
        assert client.get(dashboard(world)).status_code == 302
    assert not is_logged_in(client)


@override_settings(SESSION_ABSOLUTE_TIMEOUT=5 * 60 * 60)
def test_a_session_ends_at_the_absolute_timeout_even_when_active(world):
    client = logged_in(world.partner_rep)
    for minutes in (60, 120, 180, 240, 299):
        with later(minutes=minutes):
            assert client.get(dashboard(world)).status_code == 200
    with later(hours=5, minutes=1):
        response = client.get(dashboard(world), follow=True)
    assert response.redirect_chain[-1][0].startswith(LOGIN_URL)
    assert ABSOLUTE_MESSAGE in response.content.decode()
    assert not is_logged_in(client)
    assert AuthEvent.objects.filter(
        event=AuthEventKind.SESSION_EXPIRED_ABSOLUTE, user=world.partner_rep
    ).exists()


def test_an_api_session_past_the_idle_timeout_answers_401(world):
    api = APIClient(HTTP_ACCEPT_LANGUAGE="en")
    assert api.login(email=world.partner_rep.email, password=PASSWORD)
    assert api.get(ME_URL).status_code == 200
    with later(hours=2, minutes=1):
        assert api.get(ME_URL).status_code == 401
        assert api.get(ME_URL).status_code == 401
    assert AuthEvent.objects.filter(event=AuthEventKind.SESSION_EXPIRED_IDLE).count() == 1


def test_a_new_login_starts_new_clocks(world):
    client = logged_in(world.partner_rep)
    with later(hours=3):
        client.get(dashboard(world))
        assert (
            client.post(LOGIN_URL, {"login": world.partner_rep.email, "password": PASSWORD}).status_code
            == 302
        )
        assert client.get(dashboard(world)).status_code == 200


def test_last_activity_is_written_at_most_once_a_minute(world):
    client = logged_in(world.partner_rep)
    record = UserSession.objects.get(session_key=session_key(client))
    with later(seconds=30):
        client.get(dashboard(world))
    record.refresh_from_db()
    assert record.last_seen_at == record.created_at
    with later(seconds=90) as moment:
        client.get(dashboard(world))
    record.refresh_from_db()
    assert record.last_seen_at == moment


def test_the_session_cookie_outlives_the_absolute_timeout_so_the_login_page_can_say_why():
    # Were the cookie to expire with the timeout, the browser would drop it first and the user would land on
    # the login page with no word of why.
    from django.conf import settings

    assert settings.SESSION_COOKIE_AGE > settings.SESSION_ABSOLUTE_TIMEOUT
