"""“Remember this device”: a partner user may keep a session on their own phone for SESSION_REMEMBER_DAYS.

The choice is made on the login page or when asking for a sign-in code, and applied once the login completes
(after a second factor, if the user has one). A remembered session ends after that many days without a request,
and that many days after the login in any case; every other session keeps the normal idle and absolute timeouts
(``prm.session_timeouts``). Logging out, a password change or "sign out everywhere" ends it like any other.
"""

from django.conf import settings

from partners.permissions import can_stay_signed_in

# Kept in the session: the choice while the login is under way, then whether this session is remembered.
PENDING = "_prm_remember_pending"
REMEMBERED = "_prm_remembered"


def remember_seconds() -> int:
    return settings.SESSION_REMEMBER_DAYS * 24 * 60 * 60


def remember_choose(request, wanted: bool) -> None:
    """Note the login form's choice; it takes effect when the login completes (:func:`remember_apply`)."""
    request.session[PENDING] = bool(wanted)


def remember_apply(request, user) -> None:
    """At login: remember the session if the user chose it and may stay signed in."""
    session = getattr(request, "session", None)
    if session is None:
        return
    wanted = session.pop(PENDING, False)
    if wanted and can_stay_signed_in(user):
        session[REMEMBERED] = True
        session.set_expiry(remember_seconds())
    else:
        session.pop(REMEMBERED, None)


def remember_keep(request) -> None:
    """allauth sets the session's expiry after the login; a remembered session keeps its own."""
    session = getattr(request, "session", None)
    if session is not None and session.get(REMEMBERED):
        session.set_expiry(remember_seconds())


def session_limits(session) -> tuple[int, int]:
    """(idle, absolute) timeout in seconds for this session."""
    if session.get(REMEMBERED):
        return remember_seconds(), remember_seconds()
    return settings.SESSION_IDLE_TIMEOUT, settings.SESSION_ABSOLUTE_TIMEOUT


def longest_session_seconds() -> int:
    return max(settings.SESSION_ABSOLUTE_TIMEOUT, remember_seconds())
