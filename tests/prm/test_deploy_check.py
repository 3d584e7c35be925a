"""Production settings pass Django's deployment checks; pages carry the security headers and cookie flags."""

import secrets

import pytest
from django.urls import reverse

from tests.prm.conftest import load_settings, manage, run_python


def production_env(**overrides: str) -> dict[str, str]:
    env = {
        "DEBUG": "false",
        "SECRET_KEY": secrets.token_urlsafe(48),  # 64 random characters
        "ALLOWED_HOSTS": "prm.example.com",
    }
    env.update(overrides)
    return env


def test_check_deploy_passes_with_production_env():
    result = manage("check", "--deploy", "--fail-level", "WARNING", **production_env())
    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues" in result.stdout


def test_check_deploy_fails_without_https():
    """The check above is meaningful: switching HTTPS off (local compose only) is reported."""
    result = manage("check", "--deploy", "--fail-level", "WARNING", **production_env(HTTPS="false"))
    assert result.returncode != 0
    assert "security.W008" in result.stderr  # SECURE_SSL_REDIRECT


COLLECTSTATIC = """
import sys
from django.conf import settings
settings.STATIC_ROOT = sys.argv[1]
import django
django.setup()
from django.core.management import call_command
call_command("collectstatic", interactive=False, verbosity=0)
print(settings.STORAGES["staticfiles"]["BACKEND"])
"""


def test_collectstatic_with_production_storage(tmp_path):
    """The image build collects static files with hashed names; every file they reference must exist."""
    root = tmp_path / "static"
    result = run_python(["-c", COLLECTSTATIC, str(root)], **production_env())
    assert result.returncode == 0, result.stderr[-3000:]
    assert result.stdout.strip() == "whitenoise.storage.CompressedManifestStaticFilesStorage"
    assert (root / "staticfiles.json").is_file()


def test_production_cookies_and_transport():
    values = load_settings(**production_env())
    for cookie in ("SESSION", "CSRF", "LANGUAGE"):
        assert values[f"{cookie}_COOKIE_SECURE"] is True, cookie
        assert values[f"{cookie}_COOKIE_HTTPONLY"] is True, cookie
        assert values[f"{cookie}_COOKIE_SAMESITE"] == "Lax", cookie
    assert values["SECURE_SSL_REDIRECT"] is True
    assert values["SECURE_HSTS_SECONDS"] >= 31536000
    assert values["SECURE_HSTS_INCLUDE_SUBDOMAINS"] is True
    assert values["DEBUG"] is False
    assert values["ALLOWED_HOSTS"] == ["prm.example.com"]


def test_production_requires_allowed_hosts_to_be_explicit():
    assert load_settings(DEBUG="false", SECRET_KEY=secrets.token_urlsafe(48))["ALLOWED_HOSTS"] == []


def csp_directives(header: str) -> dict[str, list[str]]:
    directives = {}
    for part in header.split(";"):
        name, *values = part.split()
        directives[name] = values
    return directives


@pytest.fixture(params=["login", "vendor_dashboard"])
def page(request, world, client_for):
    if request.param == "login":
        return client_for(None).get(reverse("account_login"))
    return client_for(world.vendor_admin).get(reverse("dashboard", kwargs={"vendor_slug": world.acme.slug}))


def test_page_security_headers(page):
    assert page.status_code == 200
    csp = csp_directives(page.headers["Content-Security-Policy"])
    assert csp["script-src"] == ["'self'"]
    assert "'unsafe-inline'" not in page.headers["Content-Security-Policy"]
    assert "'unsafe-eval'" not in page.headers["Content-Security-Policy"]
    assert csp["object-src"] == ["'none'"]
    assert csp["frame-ancestors"] == ["'none'"]
    assert page.headers["X-Content-Type-Options"] == "nosniff"
    assert page.headers["Referrer-Policy"] == "same-origin"
    assert page.headers["Cross-Origin-Opener-Policy"] == "same-origin"
    assert page.headers["X-Frame-Options"] == "DENY"


@pytest.mark.django_db
def test_csrf_cookie_flags_on_a_real_response(client):
    """Tests run without HTTPS (``Secure`` is covered by the production settings above)."""
    cookie = client.get(reverse("account_login")).cookies["csrftoken"]
    assert cookie["httponly"] is True
    assert cookie["samesite"] == "Lax"


@pytest.mark.django_db
def test_session_cookie_flags_on_login(client, world, settings):
    from tests.conftest import PASSWORD

    settings.SESSION_COOKIE_SECURE = True
    response = client.post(
        reverse("account_login"), {"login": world.vendor_admin.email, "password": PASSWORD}, secure=True
    )
    assert response.status_code == 302
    cookie = response.cookies[settings.SESSION_COOKIE_NAME]
    assert cookie["secure"] is True
    assert cookie["httponly"] is True
    assert cookie["samesite"] == "Lax"
