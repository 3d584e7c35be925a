"""Housekeeping for invitations: one task per vendor, dispatched by beat."""

from django.utils import timezone
from django_scopes import scopes_disabled

from partners.models import Invitation, Vendor
from prm.celery import VendorTask, app


@app.task(base=VendorTask, acks_late=True)
def expire_invitations(*, vendor_id: int) -> int:
    """Revoke this vendor's expired, unaccepted invitations (idempotent: safe to run twice)."""
    return Invitation.objects.filter(
        accepted_at=None, revoked_at=None, expires_at__lte=timezone.now()
    ).update(revoked_at=timezone.now())


@app.task
def expire_invitations_all() -> int:
    """Fan out one task per active vendor so that each runs inside its own scope."""
    with scopes_disabled():
        vendor_ids = list(Vendor.objects.filter(is_active=True).values_list("pk", flat=True))
    for vendor_id in vendor_ids:
        expire_invitations.delay(vendor_id=vendor_id)
    return len(vendor_ids)
