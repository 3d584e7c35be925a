"""One id per request (or Celery task), so log lines and audit entries of the same action can be found together.

A proxy or load balancer may send ``X-Request-ID``; it is kept when it is short and made of safe characters
(it ends up in logs and the audit trail), otherwise a fresh uuid4 is used. The id goes back in the response
header. Celery tasks use their task id.
"""

import re
import uuid
from contextvars import ContextVar

from celery.signals import task_postrun, task_prerun

HEADER = "X-Request-ID"
MAX_LENGTH = 64
_SAFE = re.compile(r"[A-Za-z0-9._:-]{8,64}")

_current: ContextVar[str] = ContextVar("request_id", default="")


def current_request_id() -> str:
    """The id of the request or task being handled, or ``""`` outside both (shell, migrations)."""
    return _current.get()


def clean_request_id(value: str | None) -> str:
    """The incoming id if it is sane, else a new uuid4."""
    if value and _SAFE.fullmatch(value):
        return value
    return uuid.uuid4().hex


class RequestIdMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        request_id = clean_request_id(request.headers.get(HEADER))
        request.request_id = request_id
        token = _current.set(request_id)
        try:
            response = self.get_response(request)
        finally:
            _current.reset(token)
        response[HEADER] = request_id
        return response


_task_tokens: dict[str, object] = {}


@task_prerun.connect
def _task_started(task_id=None, **kwargs):
    if task_id:
        _task_tokens[task_id] = _current.set(str(task_id)[:MAX_LENGTH])


@task_postrun.connect
def _task_finished(task_id=None, **kwargs):
    token = _task_tokens.pop(task_id, None)
    if token is not None:
        try:
            _current.reset(token)
        except ValueError:  # finished in another context than it started: just forget the id
            _current.set("")
