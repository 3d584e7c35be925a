"""Helpers for sessions and accounts: clients that log in through the login page, time travel, session checks."""

from contextlib import contextmanager
from datetime import timedelta
from importlib import import_module
from unittest import mock

import pytest
from django.conf import settings
from django.core.cache import cache
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from tests.conftest import PASSWORD

LOGIN_URL = reverse("account_login")
ME_URL = "/api/v1/me/"
TOKEN_URL = "/api/v1/auth/token/"


@pytest.fixture(autouse=True)
def _clear_cache():
    # Rate limits and sessions live in the cache; each test starts from nothing.
    cache.clear()
    yield
    cache.clear()


def browser() -> Client:
    return Client(headers={"accept-language": "en"})


def logged_in(user, password: str = PASSWORD, user_agent: str = "") -> Client:
    """A new browser, logged in through the login page (as a person would)."""
    client = browser()
    headers = {"user-agent": user_agent} if user_agent else {}
    response = client.post(LOGIN_URL, {"login": user.email, "password": password}, headers=headers)
    assert response.status_code == 302, response.content
    return client


def logged_in_platform_staff(user, password: str) -> Client:
    """Platform staff set up a second factor and log in with it, as the platform admin requires."""
    from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret

    from tests.accounts.totp import current_code

    secret = generate_totp_secret()
    TOTP.activate(user, secret)
    client = browser()
    client.post(LOGIN_URL, {"login": user.email, "password": password})
    response = client.post(reverse("mfa_authenticate"), {"code": current_code(secret)})
    assert response.status_code == 302, response.content
    return client


def session_key(client: Client) -> str:
    return client.cookies[settings.SESSION_COOKIE_NAME].value


def session_exists(key: str) -> bool:
    """Whether the session is still in the store (cached_db: the cache, then the database)."""
    store = import_module(settings.SESSION_ENGINE).SessionStore
    cached = cache.get(store.cache_key_prefix + key) is not None
    in_db = store.get_model_class().objects.filter(session_key=key).exists()
    return cached or in_db


def is_logged_in(client: Client) -> bool:
    return "_auth_user_id" in client.session


def token_for(user, password: str = PASSWORD) -> str:
    response = APIClient().post(TOKEN_URL, {"email": user.email, "password": password}, format="json")
    assert response.status_code == 201, response.content
    return response.json()["token"]


def token_works(token: str) -> bool:
    api = APIClient(HTTP_ACCEPT_LANGUAGE="en")
    api.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    return api.get(ME_URL).status_code == 200


@contextmanager
def later(**delta):
    """Every clock that asks ``django.utils.timezone.now`` is moved forward by ``delta``."""
    moved = timezone.now() + timedelta(**delta)
    with mock.patch("django.utils.timezone.now", return_value=moved):
        yield moved
