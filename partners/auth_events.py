"""Authentication events: every login, failure, logout, password and two-factor change, API token and ended
session is kept in :class:`~partners.models.AuthEvent` (append-only) and written to the ``prm.security`` log.

Inside a request, events wait until the response is ready and are then written outside the request's
transaction (``prm.session_timeouts.SessionTimeoutMiddleware``): a failed login answers with an error, and the
API rolls the request's transaction back on errors, which would otherwise take the record of the failure with it.
Outside a request (commands, tasks) they are written at once.

Receivers listen to Django's and allauth's signals; they are connected in ``PartnersConfig.ready``.
"""

import ipaddress
import logging
from contextvars import ContextVar
from dataclasses import dataclass, field

from allauth.account import signals as account_signals
from allauth.account.adapter import get_adapter
from allauth.mfa import signals as mfa_signals
from django.contrib.auth import signals as auth_signals
from django.core.exceptions import PermissionDenied

from partners import user_sessions
from partners.models import AuthEvent, AuthEventKind, User
from partners.remember import remember_apply

logger = logging.getLogger("prm.security")

try:  # one id per request, when the deployment has it (prm.request_id)
    from prm.request_id import current_request_id
except ImportError:  # pragma: no cover - depends on the deployment's middleware

    def current_request_id() -> str:
        return ""


USER_AGENT_MAX = 255
FAILURES = frozenset({AuthEventKind.LOGIN_FAILED, AuthEventKind.MFA_FAILED, AuthEventKind.API_TOKEN_FAILED})


@dataclass
class _RequestContext:
    ip: str | None
    user_agent: str
    pending: list = field(default_factory=list)


_request: ContextVar[_RequestContext | None] = ContextVar("prm_auth_event_request", default=None)


def client_ip(request) -> str | None:
    """The client's address as allauth's rate limits see it (ALLAUTH_TRUSTED_PROXY_COUNT), if it is one."""
    try:
        value = get_adapter(request).get_client_ip(request)
        return str(ipaddress.ip_address(value))
    except (PermissionDenied, ValueError, TypeError):
        return None


def request_meta(request) -> tuple[str | None, str]:
    """(IP address, user agent cut to the column's length) of a request."""
    if request is None or not hasattr(request, "META"):
        context = _request.get()
        return (context.ip, context.user_agent) if context else (None, "")
    return client_ip(request), request.META.get("HTTP_USER_AGENT", "")[:USER_AGENT_MAX]


def request_started(request):
    """Collect the request's events until :func:`request_finished`; returns the token to hand back."""
    ip, user_agent = request_meta(request)
    return _request.set(_RequestContext(ip=ip, user_agent=user_agent))


def request_finished(token) -> None:
    """Write the request's events (after its transaction ended) and stop collecting."""
    context = _request.get()
    _request.reset(token)
    if context is None or not context.pending:
        return
    try:
        AuthEvent.objects.bulk_create(context.pending)
    except Exception:  # the response is ready; the log line of each event was written already
        logger.exception("Could not store %d authentication events.", len(context.pending))


def auth_event_record(event: str, *, user=None, email: str = "", request=None, **detail) -> AuthEvent:
    """Record one authentication event. ``detail`` holds event-specific facts, never a password."""
    ip, user_agent = request_meta(request)
    user_id = user.pk if user is not None and user.pk else None
    email = (email or getattr(user, "email", "") or "")[:254]
    entry = AuthEvent(
        event=event,
        user_id=user_id,
        email=email,
        ip=ip,
        user_agent=user_agent,
        request_id=current_request_id(),
        detail=detail,
    )
    logger.log(
        logging.WARNING if event in FAILURES else logging.INFO,
        "auth event=%s user_id=%s email=%s ip=%s request_id=%s detail=%s",
        event,
        user_id,
        email,
        ip,
        entry.request_id,
        detail,
    )
    context = _request.get()
    if context is not None:
        context.pending.append(entry)
    else:
        entry.save()
    return entry


def _is_api(request) -> bool:
    return request is not None and getattr(request, "path", "").startswith("/api/")


# --- receivers -------------------------------------------------------------------------------------------


def on_logged_in(sender, request, user, **kwargs):
    remember_apply(request, user)
    user_sessions.session_register(request, user)
    auth_event_record(AuthEventKind.LOGIN, user=user, request=request)


def on_logged_out(sender, request, user, **kwargs):
    user_sessions.session_forget(request)
    # An expired session was recorded as such by the middleware that ended it.
    if user is not None and not getattr(request, "prm_session_expired", False):
        auth_event_record(AuthEventKind.LOGOUT, user=user, request=request)


def on_login_failed(sender, credentials, request=None, **kwargs):
    # Django masks the password in ``credentials`` already; only the typed address is kept, never the rest.
    email = str(credentials.get("email") or credentials.get("login") or credentials.get("username") or "")
    user = User.objects.filter(email__iexact=email).first() if email else None
    event = AuthEventKind.API_TOKEN_FAILED if _is_api(request) else AuthEventKind.LOGIN_FAILED
    auth_event_record(event, user=user, email=email, request=request)


def on_password_changed(sender, request, user, **kwargs):
    ended = user_sessions.sessions_end_others(request, user)
    auth_event_record(AuthEventKind.PASSWORD_CHANGED, user=user, request=request, **ended)


def on_password_reset(sender, request, user, **kwargs):
    ended = user_sessions.sessions_end_others(request, user)
    auth_event_record(AuthEventKind.PASSWORD_RESET, user=user, request=request, **ended)


def on_authenticator_added(sender, request, user, authenticator, **kwargs):
    """A new second factor: what was handed out before it (API tokens, other sessions) ends (DESIGN §11)."""
    ended = user_sessions.sessions_end_others(request, user)
    auth_event_record(AuthEventKind.MFA_ENABLED, user=user, request=request, type=authenticator.type, **ended)


def on_authenticator_removed(sender, request, user, authenticator, **kwargs):
    auth_event_record(AuthEventKind.MFA_DISABLED, user=user, request=request, type=authenticator.type)


def on_mfa_failed(sender, request, user, authenticator, reauthentication=False, **kwargs):
    detail = {"type": authenticator.type, "reauthentication": bool(reauthentication)}
    if _is_api(request):
        detail["via"] = "api"
    auth_event_record(AuthEventKind.MFA_FAILED, user=user, request=request, **detail)


def connect() -> None:
    auth_signals.user_logged_in.connect(on_logged_in, dispatch_uid="prm.auth_events.logged_in")
    auth_signals.user_logged_out.connect(on_logged_out, dispatch_uid="prm.auth_events.logged_out")
    auth_signals.user_login_failed.connect(on_login_failed, dispatch_uid="prm.auth_events.login_failed")
    account_signals.password_changed.connect(
        on_password_changed, dispatch_uid="prm.auth_events.password_changed"
    )
    account_signals.password_set.connect(on_password_changed, dispatch_uid="prm.auth_events.password_set")
    account_signals.password_reset.connect(on_password_reset, dispatch_uid="prm.auth_events.password_reset")
    mfa_signals.authenticator_added.connect(
        on_authenticator_added, dispatch_uid="prm.auth_events.authenticator_added"
    )
    mfa_signals.authenticator_removed.connect(
        on_authenticator_removed, dispatch_uid="prm.auth_events.authenticator_removed"
    )
    mfa_signals.authentication_failed.connect(on_mfa_failed, dispatch_uid="prm.auth_events.mfa_failed")
    user_sessions.connect()
