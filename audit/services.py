"""Writing and reading the audit history."""

import logging
import time
from datetime import date, datetime
from decimal import Decimal

from django.core.cache import cache
from django.db import transaction
from django.db.models import QuerySet

from audit.models import AuditEntry
from prm.request_id import current_request_id
from prm.tenancy import vendor_scope


def _jsonable(value):
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, list | tuple):
        return [_jsonable(item) for item in value]
    return value


def changes_between(before: dict, after: dict) -> dict:
    """``{field: [before, after]}`` for every field whose value differs (values made JSON-safe)."""
    return {
        field: [_jsonable(before.get(field)), _jsonable(after.get(field))]
        for field in after
        if _jsonable(before.get(field)) != _jsonable(after.get(field))
    }


def audit_record(
    *,
    vendor,
    actor,
    action: str,
    subject,
    changes: dict | None = None,
    deal_id: int | None = None,
    reason: str = "",
) -> AuditEntry:
    """Append one entry. ``subject`` is the changed object (or None); ``deal_id`` ties it to a deal's history.

    The entry carries the id of the current request or Celery task (``prm.request_id``) and the actor's email.
    """
    return AuditEntry.objects.create(
        vendor=vendor,
        actor=actor if actor is not None and actor.is_authenticated else None,
        action=action,
        subject_type=subject._meta.model_name if subject is not None else "",
        subject_id=subject.pk if subject is not None else None,
        deal_id=deal_id,
        changes=changes or {},
        reason=reason,
    )


def snapshot(obj, fields) -> dict:
    """The values of ``fields`` on ``obj`` for :func:`changes_between`.

    A foreign key is kept as the name of what it pointed to, so the entry stays readable after that is gone.
    """
    values = {}
    for name in fields:
        field = obj._meta.get_field(name)
        if field.is_relation:
            related = getattr(obj, name)
            values[name] = str(related) if related is not None else None
        else:
            values[name] = getattr(obj, name)
    return values


def deal_history(deal) -> QuerySet[AuditEntry]:
    """Everything that happened to a deal and its elements, newest first."""
    return AuditEntry.objects.filter(deal_id=deal.pk).select_related("actor").order_by("-at", "-pk")


security_log = logging.getLogger("prm.security")

DENIED_STATUSES = (403, 404)
# A member's refusals are kept in the vendor's trail once per window: the first one is written, the rest of the
# window only counted in the security log, so a burst of refused requests is not a burst of writes.
DENIED_WINDOW_SECONDS = 600


def _denied_window_key(vendor, user) -> str:
    window = int(time.time()) // DENIED_WINDOW_SECONDS
    return f"authz-denied:{vendor.pk}:{user.pk}:{window}"


def authz_denied_record(*, request, status: int, vendor) -> None:
    """Keep a refused request of a signed-in user: always in the security log; in ``vendor``'s trail only when the
    user is a member of that vendor, and then once per :data:`DENIED_WINDOW_SECONDS`.

    Someone outside the vendor (or under an unknown vendor name, ``vendor`` None) never writes to its trail:
    a vendor's history is its members' history, and a stranger's requests cost no write. Called after the
    response is made, outside the request's transaction, so the entry survives the rollback of the refused
    request. Writing it never changes the answer: a failure is logged and the 403/404 stands.
    """
    access = getattr(request, "access", None)
    role = access.role if access is not None else ""
    details = {
        "method": request.method,
        "path": request.path[:500],
        "status": status,
        "role": role,
    }
    member = vendor is not None and access is not None
    repeat = _denied_count(vendor, request.user) if member else 0
    security_log.warning(
        "authorization denied: user=%s vendor=%s role=%s %s %s -> %s request_id=%s%s",
        request.user.pk,
        vendor.slug if vendor is not None else "-",
        role or "-",
        request.method,
        details["path"],
        status,
        current_request_id() or "-",
        f" (refusal {repeat} of this member in the window)" if repeat > 1 else "",
    )
    if repeat != 1:
        return
    details["window_minutes"] = DENIED_WINDOW_SECONDS // 60
    try:
        with transaction.atomic(), vendor_scope(vendor):
            audit_record(
                vendor=vendor, actor=request.user, action="authz.denied", subject=None, changes=details
            )
    except Exception:
        security_log.exception("could not record a denied request in the audit trail")


def _denied_count(vendor, user) -> int:
    """How many refusals of ``user`` in ``vendor`` this window has seen, this one included (1: the first).

    A cache that is away counts every refusal as the first: the trail then keeps each one, as before windows.
    """
    key = _denied_window_key(vendor, user)
    if cache.add(key, 1, timeout=DENIED_WINDOW_SECONDS):
        return 1
    try:
        return cache.incr(key)
    except ValueError:  # expired between add and incr
        return 1 if cache.add(key, 1, timeout=DENIED_WINDOW_SECONDS) else 2
