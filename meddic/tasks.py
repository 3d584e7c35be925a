"""Nightly re-scoring: freshness decays and time-based flags (champion_inactive, close_date_passed) move with
the calendar, not with edits. One task per vendor, dispatched by beat."""

from django_scopes import scopes_disabled

from meddic.services import scores_refresh
from partners.models import Vendor
from prm.celery import VendorTask, app
from prm.outbox import enqueue


@app.task(base=VendorTask, acks_late=True)
def rescore(*, vendor_id: int) -> int:
    """Recompute every deal's score of this vendor (idempotent: unchanged scores are not written)."""
    with scopes_disabled():
        vendor = Vendor.objects.get(pk=vendor_id)
    return scores_refresh(vendor=vendor)


@app.task
def rescore_all() -> int:
    with scopes_disabled():
        vendor_ids = list(Vendor.objects.filter(is_active=True).values_list("pk", flat=True))
    for vendor_id in vendor_ids:
        enqueue(rescore, {"vendor_id": vendor_id})
    return len(vendor_ids)
