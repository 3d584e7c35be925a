"""Links that carry a secret are cut in the log, whoever logs them."""

import io
import logging
import logging.config

import pytest
from django.conf import settings
from django.test import Client

from prm.log_filters import RedactSecrets, redact


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "Bad Request: /api/v1/invitations/qfMRZBPe54AB88njbRbCZ33X4eVXjSXvGJcjfoh15VY/accept/",
            "Bad Request: /api/v1/invitations/[redacted]/accept/",
        ),
        ("GET /invitations/abc-DEF_123/?proof=0123abcd", "GET /invitations/[redacted]/?proof=[redacted]"),
        (
            "Not Found: /accounts/password/reset/key/2-c4l1xq-1a2b3c/",
            "Not Found: /accounts/password/reset/key/[redacted]/",
        ),
        ("Authorization: Token 5ghfykeA5igP7Aj4iq853coE2iLenGeQ", "Authorization: Token [redacted]"),
        ("GET /v/acme/deals/12/", "GET /v/acme/deals/12/"),
    ],
)
def test_secrets_in_messages_are_cut(text, expected):
    assert redact(text) == expected


def test_a_record_keeps_its_level_and_loses_the_secret():
    record = logging.LogRecord(
        "django.request", logging.WARNING, __file__, 1, "Bad Request: %s", ("/invitations/s3cret/",), None
    )
    assert RedactSecrets().filter(record) is True
    assert (
        record.getMessage() == "Bad Request: /invitations/[redacted]/" and record.levelno == logging.WARNING
    )


def test_a_refused_invitation_link_is_logged_without_its_token(world):
    # The project's logging as Django sets it up (another test in this process may have reconfigured the root
    # logger, e.g. a Celery worker).
    logging.config.dictConfig(settings.LOGGING)
    [console] = [
        handler
        for handler in logging.getLogger().handlers
        if any(isinstance(f, RedactSecrets) for f in handler.filters)
    ]
    stream = io.StringIO()
    previous = console.setStream(stream)
    try:
        Client().post(
            "/api/v1/invitations/the-secret-token-value/accept/", {}, content_type="application/json"
        )
    finally:
        console.setStream(previous)
    logged = stream.getvalue()
    assert "the-secret-token-value" not in logged
    assert "/api/v1/invitations/[redacted]/accept/" in logged
