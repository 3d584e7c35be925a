"""Webhook deliveries in the worker: each one after the event's commit, and the retries that are due."""

from django_scopes import scopes_disabled

from partners.models import Vendor
from prm.celery import VendorTask, app
from prm.outbox import enqueue
from webhooks import delivery


@app.task(base=VendorTask, ignore_result=True)
def webhook_deliver(*, vendor_id: int, delivery_id: int) -> bool:
    return delivery.attempt(delivery_id)


@app.task(base=VendorTask, ignore_result=True)
def webhook_retry_due(*, vendor_id: int) -> int:
    return sum(delivery.attempt(pk) for pk in delivery.due_ids())


@app.task(ignore_result=True)  # beat: every minute, one task per vendor with a webhook
def webhook_retry_due_all() -> int:
    from webhooks.models import Webhook

    with scopes_disabled():
        vendor_ids = set(Webhook.objects.values_list("vendor_id", flat=True).distinct())
        vendor_ids &= set(Vendor.objects.filter(is_active=True).values_list("pk", flat=True))
    for vendor_id in sorted(vendor_ids):
        enqueue(webhook_retry_due, {"vendor_id": vendor_id})
    return len(vendor_ids)
