"""Idle and absolute session timeouts, and the request frame for authentication events.

A logged-in session ends after ``SESSION_IDLE_TIMEOUT`` seconds without a request, and in any case
``SESSION_ABSOLUTE_TIMEOUT`` seconds after the login. The request then goes on as anonymous: pages send the user
to the login page, which says why; the API answers 401 as for any request without credentials.

The last-activity time is written at most once a minute, so a busy session is not saved on every request.
"""

from django.contrib import messages
from django.contrib.auth import logout
from django.utils import timezone
from django.utils.translation import gettext as _

from partners import auth_events, user_sessions
from partners.models import AuthEventKind
from partners.remember import session_limits

# Last activity is written when older than this: the idle clock is exact to a minute, and sessions are saved
# at most once a minute for it.
SEEN_RESOLUTION_SECONDS = 60


def _expired_message(event: str) -> str:
    if event == AuthEventKind.SESSION_EXPIRED_IDLE:
        return _("Your session expired after a period of inactivity. Please log in again.")
    return _("Your session expired because it reached its maximum length. Please log in again.")


class SessionTimeoutMiddleware:
    """Place after the authentication and message middleware."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        token = auth_events.request_started(request)
        try:
            self.enforce(request)
            response = self.get_response(request)
            user_sessions.session_follow(request)
        finally:
            auth_events.request_finished(token)
        return response

    def enforce(self, request) -> None:
        user = getattr(request, "user", None)
        if user is None or not user.is_authenticated:
            return
        session = request.session
        now = timezone.now()
        login_at, seen_at = session.get(user_sessions.LOGIN_AT), session.get(user_sessions.SEEN_AT)
        if login_at is None or seen_at is None:
            user_sessions.session_adopt(request, user)
            return
        seconds = now.timestamp()
        idle, absolute = session_limits(session)
        if seconds - login_at > absolute:
            self.expire(request, AuthEventKind.SESSION_EXPIRED_ABSOLUTE, seconds - login_at)
        elif seconds - seen_at > idle:
            self.expire(request, AuthEventKind.SESSION_EXPIRED_IDLE, seconds - seen_at)
        elif seconds - seen_at >= SEEN_RESOLUTION_SECONDS:
            user_sessions.session_seen(request, now)

    def expire(self, request, event: str, seconds: float) -> None:
        auth_events.auth_event_record(event, user=request.user, request=request, seconds=int(seconds))
        request.prm_session_expired = True
        logout(request)
        if not request.path.startswith("/api/"):
            messages.warning(request, _expired_message(event))
