"""Housekeeping for invitations: one task per vendor, dispatched by beat."""

from django.db import transaction
from django.utils import timezone
from django_scopes import scopes_disabled

from audit.services import audit_record
from partners.csv_import import partner_import, partner_import_preview
from partners.models import Invitation, Vendor
from prm.celery import VendorTask, app
from prm.import_flow import run_check, run_import
from prm.outbox import enqueue


@app.task(base=VendorTask, acks_late=True)
def expire_invitations(*, vendor_id: int) -> int:
    """Revoke this vendor's expired, unaccepted invitations (idempotent: safe to run twice); each is audited."""
    now = timezone.now()
    vendor = Vendor.objects.get(pk=vendor_id)
    with transaction.atomic():
        expired = list(
            Invitation.objects.select_for_update()
            .filter(accepted_at=None, revoked_at=None, expires_at__lte=now)
            .order_by("pk")
        )
        for invitation in expired:
            audit_record(
                vendor=vendor,
                actor=None,
                action="invitation.expire",
                subject=invitation,
                changes={"revoked_at": [None, now.isoformat()]},
            )
        return Invitation.objects.filter(pk__in=[invitation.pk for invitation in expired]).update(
            revoked_at=now
        )


@app.task
def expire_invitations_all() -> int:
    """Fan out one task per active vendor so that each runs inside its own scope."""
    with scopes_disabled():
        vendor_ids = list(Vendor.objects.filter(is_active=True).values_list("pk", flat=True))
    for vendor_id in vendor_ids:
        enqueue(expire_invitations, {"vendor_id": vendor_id})
    return len(vendor_ids)


@app.task(base=VendorTask, acks_late=True)
def partner_import_check(*, vendor_id: int, pending_id: int) -> None:
    """Check a large partner import file (its preview, with progress) for the import page."""
    run_check(pending_id, partner_import_preview)


@app.task(base=VendorTask, acks_late=True)
def partner_import_run(*, vendor_id: int, pending_id: int) -> None:
    """Import a large partner file, everything or nothing, with progress."""
    run_import(pending_id, partner_import)
