"""Helpers for the platform tests: start-up settings in a clean subprocess, invitations in a given state.

Celery runs eagerly in every test (``prm/test_settings.py``), also when ``REDIS_URL`` names a real broker;
only tests marked ``worker`` switch a real worker on (``test_worker.py``).
"""

import json
import os
import subprocess
import sys
from datetime import timedelta
from pathlib import Path

import pytest
from django.utils import timezone

from partners.models import Invitation, PartnerCompany, Role, User, Vendor
from partners.services import invitation_create
from prm.tenancy import vendor_scope
from tests.conftest import access_of

BASE_DIR = Path(__file__).resolve().parents[2]

# A subprocess sees only these from the test run (not DATABASE_URL, REDIS_URL, DJANGO_ALLOW_ASYNC_UNSAFE, …).
PASSED_THROUGH = ("PATH", "HOME", "LANG", "LC_ALL", "LC_CTYPE", "TMPDIR", "TZ")

# Prints the settings that the tests look at, as JSON, after loading prm.settings from the environment.
SETTINGS_PROBE = """
import json
from django.conf import settings
from prm.celery import app

names = [
    "DEBUG", "ALLOWED_HOSTS", "DATABASES", "CACHES", "CELERY_BROKER_URL", "CELERY_RESULT_BACKEND",
    "SECURE_SSL_REDIRECT", "SECURE_HSTS_SECONDS", "SECURE_HSTS_INCLUDE_SUBDOMAINS", "SECURE_CONTENT_TYPE_NOSNIFF",
    "SECURE_REFERRER_POLICY", "SECURE_CROSS_ORIGIN_OPENER_POLICY", "X_FRAME_OPTIONS",
    "SESSION_COOKIE_SECURE", "SESSION_COOKIE_HTTPONLY", "SESSION_COOKIE_SAMESITE",
    "CSRF_COOKIE_SECURE", "CSRF_COOKIE_HTTPONLY", "CSRF_COOKIE_SAMESITE",
    "LANGUAGE_COOKIE_SECURE", "LANGUAGE_COOKIE_HTTPONLY", "LANGUAGE_COOKIE_SAMESITE",
    "CONTENT_SECURITY_POLICY", "DATABASE_TENANT_ROLE",
]
values = {name: getattr(settings, name) for name in names}
values["celery"] = {
    "broker_url": app.conf.broker_url,
    "task_always_eager": app.conf.task_always_eager,
}
print(json.dumps(values, default=str))
"""


def clean_env(**values: str) -> dict[str, str]:
    """A minimal environment plus ``values``, loading the production settings module."""
    env = {key: os.environ[key] for key in PASSED_THROUGH if key in os.environ}
    env["DJANGO_SETTINGS_MODULE"] = "prm.settings"
    env.update(values)
    return env


def run_python(args: list[str], **env: str) -> subprocess.CompletedProcess:
    return subprocess.run(  # noqa: S603  (our own interpreter and manage.py)
        [sys.executable, *args],
        cwd=BASE_DIR,
        env=clean_env(**env),
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def manage(*args: str, **env: str) -> subprocess.CompletedProcess:
    return run_python(["manage.py", *args], **env)


def load_settings(**env: str) -> dict:
    """Start the production settings in a subprocess with ``env`` and return what they resolved to."""
    result = run_python(["-c", SETTINGS_PROBE], **env)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


access_for = access_of


def invite(
    vendor: Vendor,
    admin: User,
    email: str,
    *,
    partner: PartnerCompany | None = None,
    expired: bool = False,
    accepted: bool = False,
) -> Invitation:
    """An invitation made through the service, then moved to the wanted state."""
    with vendor_scope(vendor):
        role = Role.PARTNER_REP if partner else Role.CHANNEL_MANAGER
        invitation, _token = invitation_create(
            access=access_for(admin, vendor), email=email, role=role, partner=partner
        )
        changes = {}
        if expired:
            changes["expires_at"] = timezone.now() - timedelta(minutes=1)
        if accepted:
            changes["accepted_at"] = timezone.now() - timedelta(days=1)
        if changes:
            Invitation.objects.filter(pk=invitation.pk).update(**changes)
        invitation.refresh_from_db()
    return invitation


def revoked(invitation: Invitation) -> bool:
    with vendor_scope(invitation.vendor):
        invitation.refresh_from_db()
    return invitation.revoked_at is not None


def revoked_names(invitations: dict[str, Invitation]) -> set[str]:
    return {name for name, invitation in invitations.items() if revoked(invitation)}


@pytest.fixture
def invitations(world):
    """Invitations of acme and rival in every state that matters for expiry."""
    return {
        "acme_expired": invite(world.acme, world.vendor_admin, "late@acme.example", expired=True),
        "acme_expired_partner": invite(
            world.acme, world.vendor_admin, "late@alpha.example", partner=world.alpha, expired=True
        ),
        "acme_open": invite(world.acme, world.vendor_admin, "soon@acme.example"),
        "acme_accepted": invite(
            world.acme, world.vendor_admin, "joined@acme.example", expired=True, accepted=True
        ),
        "rival_expired": invite(world.rival, world.rival_admin, "late@rival.example", expired=True),
    }
