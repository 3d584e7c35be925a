"""Writing and reading the audit history."""

from datetime import date, datetime
from decimal import Decimal

from django.db.models import QuerySet

from audit.models import AuditEntry


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
    """Append one entry. ``subject`` is the changed object; ``deal_id`` ties it to a deal's history."""
    return AuditEntry.objects.create(
        vendor=vendor,
        actor=actor,
        action=action,
        subject_type=subject._meta.model_name,
        subject_id=subject.pk,
        deal_id=deal_id,
        changes=changes or {},
        reason=reason,
    )


def deal_history(deal) -> QuerySet[AuditEntry]:
    """Everything that happened to a deal and its elements, newest first."""
    return AuditEntry.objects.filter(deal_id=deal.pk).select_related("actor").order_by("-at", "-pk")
