"""Secrets never reach the log: links that carry one (invitations, password resets) are cut where the secret
begins, whoever logs them (Django's request log names the path of every 4xx and 5xx)."""

import logging
import re

REDACTED = "[redacted]"
SECRET_PATTERNS = (
    re.compile(r"(/invitations/)[^/\s?'\"]+"),
    re.compile(r"(/password/reset/key/)[^/\s?'\"]+"),
    re.compile(r"([?&]proof=)[^&\s'\"]+"),
    re.compile(r"(Token )[\w-]{20,}"),
)


def redact(text: str) -> str:
    for pattern in SECRET_PATTERNS:
        text = pattern.sub(rf"\g<1>{REDACTED}", text)
    return text


class RedactSecrets(logging.Filter):
    """Rewrites each record's message with :func:`redact` (the record is kept, only the secret goes)."""

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        cleaned = redact(message)
        if cleaned != message:
            record.msg, record.args = cleaned, None
        return True
