"""Helpers for the API tests: a DRF client logged in by session or by token, MFA set up for a user."""

import time

import pytest
from allauth.mfa.recovery_codes.internal.auth import RecoveryCodes
from allauth.mfa.totp.internal.auth import TOTP, format_hotp_value, generate_totp_secret, hotp_value
from django.core.cache import cache
from rest_framework.test import APIClient

from partners import services


@pytest.fixture(autouse=True)
def _fresh_rate_limits():
    # allauth keeps failed-login counters in the cache; each test starts from none.
    cache.clear()
    yield
    cache.clear()


@pytest.fixture(autouse=True)
def _media_in_tmp(settings, tmp_path):
    # Uploads through the API land in the test's own folder.
    settings.MEDIA_ROOT = str(tmp_path / "media")


@pytest.fixture
def api():
    # Messages are compared in English; the site's default language is Japanese.
    return APIClient(HTTP_ACCEPT_LANGUAGE="en")


@pytest.fixture
def api_as(api):
    """``api_as(user)``: the client with a session for ``user`` (anonymous for None)."""

    def login(user):
        api.logout()
        if user is not None:
            api.force_login(user, backend="django.contrib.auth.backends.ModelBackend")
        return api

    return login


@pytest.fixture
def api_with_token(api):
    """``api_with_token(user)``: the client sending ``Authorization: Token …`` of a new token for ``user``."""

    def login(user):
        api.credentials(HTTP_AUTHORIZATION=f"Token {services.api_token_issue(user=user)}")
        return api

    return login


class Mfa:
    """TOTP and recovery codes for a user, set up through allauth.mfa's own classes."""

    def __init__(self, user):
        self.secret = generate_totp_secret()
        TOTP.activate(user, self.secret)
        self.recovery_codes = RecoveryCodes.activate(user).generate_codes()

    def code(self, offset: int = 0) -> str:
        return format_hotp_value(hotp_value(self.secret, int(time.time()) // 30 + offset))
