"""Personal API tokens (DESIGN §11): they expire, their owner lists, names, creates and revokes them, their last
use is recorded, and a new second factor revokes them like a new password does."""

from datetime import timedelta

import pytest
from allauth.mfa import signals as mfa_signals
from allauth.mfa.models import Authenticator
from django.contrib.sessions.backends.cached_db import SessionStore
from django.test import RequestFactory
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django_scopes import scopes_disabled
from rest_framework.test import APIClient

from partners.models import ApiToken
from partners.services import api_token_create
from tests.conftest import PASSWORD

LIST = "/api/v1/me/tokens/"


def with_key(key: str) -> APIClient:
    client = APIClient(HTTP_ACCEPT_LANGUAGE="en")
    client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    return client


def close_to(value: str, expected) -> bool:
    return abs(parse_datetime(value) - expected) < timedelta(minutes=1)


def test_the_login_endpoint_answers_the_token_with_its_expiry(world, api):
    response = api.post(
        "/api/v1/auth/token/", {"email": world.partner_rep.email, "password": PASSWORD}, format="json"
    )
    assert response.status_code == 201
    body = response.json()
    assert set(body) == {"token", "expires_at"}
    assert close_to(body["expires_at"], timezone.now() + timedelta(days=90))


def test_a_user_lists_only_their_own_tokens_without_keys(world, api_as):
    api_token_create(user=world.partner_rep, name="CRM sync")
    api_token_create(user=world.partner_admin, name="not yours")
    response = api_as(world.partner_rep).get(LIST)
    assert response.status_code == 200
    [token] = response.json()
    assert set(token) == {"id", "name", "created_at", "last_used_at", "expires_at"}
    assert token["name"] == "CRM sync"


def test_a_named_token_with_its_own_lifetime_is_shown_once_and_works(world, api_as):
    response = api_as(world.partner_rep).post(
        LIST, {"name": "Salesforce", "expires_in_days": 7}, format="json"
    )
    assert response.status_code == 201
    body = response.json()
    assert body["name"] == "Salesforce"
    assert close_to(body["expires_at"], timezone.now() + timedelta(days=7))
    assert with_key(body["token"]).get("/api/v1/me/").status_code == 200
    listed = api_as(world.partner_rep).get(LIST).json()
    assert "token" not in listed[0]
    assert listed[0]["last_used_at"] is not None


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"name": "x", "expires_in_days": 0}, "expires_in_days"),
        ({"name": "x", "expires_in_days": 366}, "expires_in_days"),
        ({"name": "CRM\nsync"}, "name"),
        ({}, "name"),
    ],
)
def test_bad_token_requests_name_the_field(world, api_as, body, field):
    response = api_as(world.partner_rep).post(LIST, body, format="json")
    assert response.status_code == 400
    assert field in response.json()
    with scopes_disabled():
        assert not ApiToken.objects.filter(user=world.partner_rep).exists()


def test_revoking_stops_the_token_at_once_and_only_the_owner_can(world, api_as):
    token, key = api_token_create(user=world.partner_rep, name="old laptop")
    assert api_as(world.partner_admin).delete(f"{LIST}{token.pk}/").status_code == 404
    assert with_key(key).get("/api/v1/me/").status_code == 200
    assert api_as(world.partner_rep).delete(f"{LIST}{token.pk}/").status_code == 204
    assert with_key(key).get("/api/v1/me/").status_code == 401


def test_an_expired_token_answers_401(world):
    token, key = api_token_create(user=world.partner_rep, name="short")
    with scopes_disabled():
        ApiToken.objects.filter(pk=token.pk).update(expires_at=timezone.now() - timedelta(seconds=1))
    response = with_key(key).get("/api/v1/me/")
    assert response.status_code == 401
    assert response.json()["detail"] == "This token has expired. Create a new one."


def test_a_new_second_factor_revokes_every_token(world):
    _token, key = api_token_create(user=world.partner_rep, name="before 2FA")
    request = RequestFactory().post("/accounts/2fa/totp/activate/")
    request.user = world.partner_rep
    request.session = SessionStore()
    authenticator = Authenticator(user=world.partner_rep, type=Authenticator.Type.TOTP)
    mfa_signals.authenticator_added.send(
        sender=Authenticator, request=request, user=world.partner_rep, authenticator=authenticator
    )
    assert with_key(key).get("/api/v1/me/").status_code == 401
