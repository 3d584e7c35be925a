"""Nightly registration housekeeping: one task per vendor, dispatched by beat."""

from django_scopes import scopes_disabled

from deals.csv_import import deal_import, deal_import_preview
from deals.workflow import protection_expire, protection_warn
from partners.models import Vendor
from prm.celery import VendorTask, app
from prm.import_flow import run_check, run_import
from prm.outbox import enqueue


@app.task(base=VendorTask, acks_late=True)
def expire_protection(*, vendor_id: int) -> int:
    """End this vendor's lapsed registration protections and notify, and warn of those ending in a week
    (idempotent: safe to run twice). Returns how many ended."""
    with scopes_disabled():
        vendor = Vendor.objects.get(pk=vendor_id)
    protection_warn(vendor=vendor)
    return protection_expire(vendor=vendor)


@app.task
def expire_protection_all() -> int:
    with scopes_disabled():
        vendor_ids = list(Vendor.objects.filter(is_active=True).values_list("pk", flat=True))
    for vendor_id in vendor_ids:
        enqueue(expire_protection, {"vendor_id": vendor_id})
    return len(vendor_ids)


@app.task(base=VendorTask, acks_late=True)
def deal_import_check(*, vendor_id: int, pending_id: int) -> None:
    """Check a large deal import file (its preview, with progress) for the import page."""
    run_check(pending_id, deal_import_preview)


@app.task(base=VendorTask, acks_late=True)
def deal_import_run(*, vendor_id: int, pending_id: int) -> None:
    """Import a large deal file, everything or nothing, with progress."""
    run_import(pending_id, deal_import)
