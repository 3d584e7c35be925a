"""Who is logged in where: a record of each user's sessions, so that all of them can be ended at once.

Sessions live in the cache and the database (``cached_db``); ending one removes it from both, so it is gone at
once and not merely refused on its next request. The record (:class:`~partners.models.UserSession`) is written
at login, follows the session key when it changes (login, password change) and is removed at logout.

Ending everything also changes the user's security stamp (part of the session hash): a session that the record
does not know (one older than the record) fails its next request too.
"""

from datetime import timedelta
from importlib import import_module

from django.conf import settings
from django.db.models.signals import post_save, pre_save
from django.utils import timezone

from partners import auth_events
from partners.models import ApiToken, AuthEventKind, User, UserSession
from partners.remember import longest_session_seconds

# Kept in the session itself: when the user logged in and when the session was last used (Unix seconds).
LOGIN_AT = "_prm_login_at"
SEEN_AT = "_prm_seen_at"


def _session_store():
    return import_module(settings.SESSION_ENGINE).SessionStore


def _cookie_key(request) -> str | None:
    return getattr(request, "COOKIES", {}).get(settings.SESSION_COOKIE_NAME)


def session_register(request, user: User) -> None:
    """At login: start the session's clocks and record it under the user."""
    session = getattr(request, "session", None)
    if session is None:
        return
    now = timezone.now()
    session[LOGIN_AT] = session[SEEN_AT] = now.timestamp()
    if session.session_key is None:
        session.save()
    key = session.session_key
    previous = _cookie_key(request)
    if previous and previous != key:
        UserSession.objects.filter(session_key=previous).delete()
    ip, user_agent = auth_events.request_meta(request)
    UserSession.objects.update_or_create(
        session_key=key,
        defaults={"user": user, "created_at": now, "last_seen_at": now, "ip": ip, "user_agent": user_agent},
    )
    request.prm_session_registered = True
    # Sessions past the longest timeout cannot be used any more: forget them.
    too_old = now - timedelta(seconds=longest_session_seconds())
    UserSession.objects.filter(user=user, created_at__lt=too_old).delete()


def session_adopt(request, user: User) -> None:
    """A logged-in session without clocks (from before they existed) starts them now and gets recorded."""
    now = timezone.now()
    request.session[LOGIN_AT] = request.session[SEEN_AT] = now.timestamp()
    if request.session.session_key:
        ip, user_agent = auth_events.request_meta(request)
        UserSession.objects.get_or_create(
            session_key=request.session.session_key,
            defaults={
                "user": user,
                "created_at": now,
                "last_seen_at": now,
                "ip": ip,
                "user_agent": user_agent,
            },
        )


def session_seen(request, now) -> None:
    request.session[SEEN_AT] = now.timestamp()
    UserSession.objects.filter(session_key=request.session.session_key).update(last_seen_at=now)


def session_follow(request) -> None:
    """The session got a new key in this request (Django rotates it on a password change): follow it."""
    session = getattr(request, "session", None)
    previous, current = _cookie_key(request), session.session_key if session is not None else None
    if (
        not previous
        or not current
        or previous == current
        or getattr(request, "prm_session_registered", False)
    ):
        return
    if not UserSession.objects.filter(session_key=current).exists():
        UserSession.objects.filter(session_key=previous).update(session_key=current)


def session_forget(request) -> None:
    """At logout (the session is flushed right after)."""
    session = getattr(request, "session", None)
    keys = {key for key in (_cookie_key(request), getattr(session, "session_key", None)) if key}
    if keys:
        UserSession.objects.filter(session_key__in=keys).delete()


def _end(user: User, *, keep: str | None = None) -> int:
    records = UserSession.objects.filter(user=user)
    if keep:
        records = records.exclude(session_key=keep)
    keys = list(records.values_list("session_key", flat=True))
    store = _session_store()
    for key in keys:
        store().delete(key)  # cached_db: from the cache and from the database
    UserSession.objects.filter(session_key__in=keys).delete()
    return len(keys)


def sessions_end_others(request, user: User) -> dict:
    """After a new password: every other session of the user ends, and their API tokens are revoked (a token
    was handed out against the old password). The session in which the password was changed goes on."""
    session_follow(request)
    keep = None
    if getattr(request, "user", None) is not None and request.user.pk == user.pk:
        keep = getattr(getattr(request, "session", None), "session_key", None)
    sessions = _end(user, keep=keep)
    tokens, _by_model = ApiToken.objects.filter(user=user).delete()
    return {"sessions_ended": sessions, "api_tokens_revoked": tokens}


def user_sessions_end_all(*, user: User, reason: str) -> dict:
    """Every session of the user ends now, everywhere, and every API token is revoked."""
    sessions = _end(user)
    tokens = ApiToken.objects.filter(user=user).count()
    user.end_all_sessions()  # new security stamp (sessions the record misses), tokens deleted
    detail = {"reason": reason, "sessions_ended": sessions, "api_tokens_revoked": tokens}
    auth_events.auth_event_record(AuthEventKind.SESSIONS_ENDED, user=user, **detail)
    return detail


# --- deactivation of the account, by the platform admin or any code that saves User.is_active = False ------


def _note_deactivation(sender, instance: User, raw=False, update_fields=None, **kwargs):
    if raw or instance.pk is None or instance.is_active:
        return
    if update_fields is not None and "is_active" not in update_fields:
        return
    instance._prm_deactivated = User.objects.filter(pk=instance.pk, is_active=True).exists()


def _end_sessions_of_deactivated(sender, instance: User, raw=False, **kwargs):
    if raw or not getattr(instance, "_prm_deactivated", False):
        return
    instance._prm_deactivated = False
    user_sessions_end_all(user=instance, reason="user_deactivated")


def connect() -> None:
    pre_save.connect(_note_deactivation, sender=User, dispatch_uid="prm.user_sessions.note_deactivation")
    post_save.connect(
        _end_sessions_of_deactivated, sender=User, dispatch_uid="prm.user_sessions.end_deactivated"
    )
