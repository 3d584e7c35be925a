"""Re-scoring in the background, one task per vendor.

- :func:`rescore_nightly` (beat, through :func:`rescore_all`): freshness decays and time-based flags
  (``champion_inactive``, ``close_date_passed``, the close date coming near) move with the calendar, not with
  edits; only the open deals whose time-based inputs crossed a threshold since the vendor's previous run are
  re-scored (``meddic.rescore``).
- :func:`rescore`: every deal of the vendor, after its element weights changed.
"""

from django_scopes import scopes_disabled

from meddic.rescore import nightly_rescore
from meddic.services import scores_refresh
from partners.models import Vendor
from prm.celery import VendorTask, app
from prm.outbox import enqueue


def _vendor(vendor_id: int) -> Vendor:
    with scopes_disabled():
        return Vendor.objects.get(pk=vendor_id)


@app.task(base=VendorTask, acks_late=True)
def rescore(*, vendor_id: int) -> int:
    """Recompute every deal's score of this vendor (idempotent: unchanged scores are not written)."""
    return scores_refresh(vendor=_vendor(vendor_id))


@app.task(base=VendorTask, acks_late=True)
def rescore_nightly(*, vendor_id: int) -> int:
    """Recompute the scores the calendar moved since this vendor's previous nightly run (idempotent)."""
    return nightly_rescore(vendor=_vendor(vendor_id))


@app.task
def rescore_all() -> int:
    """Beat's nightly tick: one :func:`rescore_nightly` per active vendor."""
    with scopes_disabled():
        vendor_ids = list(Vendor.objects.filter(is_active=True).values_list("pk", flat=True))
    for vendor_id in vendor_ids:
        enqueue(rescore_nightly, {"vendor_id": vendor_id})
    return len(vendor_ids)
