"""Production never prints mail: without EMAIL_URL it is dropped with a warning that carries no link."""

import logging

from django.core.mail import EmailMessage

from prm.mail import DroppingEmailBackend
from tests.prm.conftest import run_python

PROBE = "from django.conf import settings; print(settings.EMAIL_BACKEND)"
PRODUCTION = {"SECRET_KEY": "x" * 60, "ALLOWED_HOSTS": "prm.example.com"}


def backend(**env: str) -> str:
    result = run_python(["-c", f"import django; django.setup(); {PROBE}"], **env)
    assert result.returncode == 0, result.stderr
    return result.stdout.strip()


def test_production_without_a_mail_server_drops_mail():
    assert backend(**PRODUCTION) == "prm.mail.DroppingEmailBackend"


def test_development_prints_mail_and_a_configured_server_is_used():
    assert backend(DEBUG="true") == "django.core.mail.backends.console.EmailBackend"
    assert backend(**PRODUCTION, EMAIL_URL="smtp://mail.example.com:25") == (
        "django.core.mail.backends.smtp.EmailBackend"
    )


def test_a_dropped_mail_is_logged_without_its_body(caplog):
    message = EmailMessage(
        "Invitation", "Accept: https://prm.example.com/invitations/SECRET/", None, ["a@b.example"]
    )
    with caplog.at_level(logging.WARNING, logger="prm.mail"):
        sent = DroppingEmailBackend().send_messages([message])
    assert sent == 0
    assert "Invitation" in caplog.text and "EMAIL_URL" in caplog.text
    assert "SECRET" not in caplog.text
