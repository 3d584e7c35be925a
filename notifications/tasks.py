"""Fanning events out to every channel, in the worker (``prm.events`` sends them here after commit)."""

from prm.celery import VendorTask, app
from prm.models import Event


@app.task(base=VendorTask, ignore_result=True, autoretry_for=(Exception,), max_retries=5, retry_backoff=True)
def event_fan_out(*, vendor_id: int, event_id: str) -> int:
    from django.db import transaction

    from notifications.fanout import fan_out

    with transaction.atomic():
        event = Event.objects.filter(pk=event_id).first()
        return fan_out(event) if event is not None else 0


@app.task(base=VendorTask, ignore_result=True)
def digests_send(*, vendor_id: int) -> int:
    from notifications.digest import digests_send as send
    from partners.models import Vendor

    return send(Vendor.objects.get(pk=vendor_id))


@app.task(ignore_result=True)  # beat: every half hour; each vendor's digests go out in its 08:00 hour
def digests_due() -> int:
    from django_scopes import scopes_disabled

    from notifications.digest import is_digest_time
    from partners.models import Vendor
    from prm.outbox import enqueue

    with scopes_disabled():
        vendors = [vendor for vendor in Vendor.objects.filter(is_active=True) if is_digest_time(vendor)]
    for vendor in vendors:
        enqueue(digests_send, {"vendor_id": vendor.pk})
    return len(vendors)
