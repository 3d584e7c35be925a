"""Sending events to webhooks: one delivery per (event, endpoint), attempted by a task after commit and again with
growing pauses (:data:`RETRY_MINUTES`, about a day over :data:`MAX_ATTEMPTS` attempts) until it answers 2xx within
:data:`TIMEOUT_SECONDS`. After the last failed attempt the endpoint is disabled and the vendor admins get
``webhook.disabled``. Nothing here runs inside a user's request.
"""

import logging
import time
import urllib.error
import urllib.request
from datetime import timedelta

from django.db import transaction
from django.utils import timezone
from django.utils.module_loading import import_string

from prm.events import event_record
from prm.models import Event
from prm.outbox import enqueue
from webhooks.addresses import refused_reason
from webhooks.models import Webhook, WebhookDelivery
from webhooks.payloads import body_of, signature

logger = logging.getLogger(__name__)

TIMEOUT_SECONDS = 10
# Pauses after each failed attempt: 8 attempts over about a day.
RETRY_MINUTES = (1, 5, 30, 60, 180, 360, 720)
MAX_ATTEMPTS = len(RETRY_MINUTES) + 1
USER_AGENT = "PartnerMEDDIC-Webhook/1"


def deliveries_create(event: Event) -> list[WebhookDelivery]:
    """A delivery of ``event`` for each active endpoint of its vendor that wants it, attempted after commit.

    ``webhook.disabled`` goes to the vendor admins only, never to the endpoints."""
    if event.code == "webhook.disabled":
        return []
    hooks = [hook for hook in Webhook.objects.filter(is_active=True) if hook.wants(event.code)]
    now = timezone.now()
    deliveries = [
        WebhookDelivery.objects.create(
            vendor_id=event.vendor_id, webhook=hook, event=event, next_retry_at=now
        )
        for hook in hooks
    ]
    for delivery in deliveries:
        _attempt_later(delivery)
    return deliveries


def redeliver(delivery: WebhookDelivery) -> WebhookDelivery:
    """Send the same event to the same endpoint again, as a new delivery (a new ``X-PRM-Delivery``)."""
    again = WebhookDelivery.objects.create(
        vendor_id=delivery.vendor_id,
        webhook=delivery.webhook,
        event=delivery.event,
        next_retry_at=timezone.now(),
    )
    _attempt_later(again)
    return again


def _attempt_later(delivery: WebhookDelivery) -> None:
    task = import_string("webhooks.tasks.webhook_deliver")
    kwargs = {"vendor_id": delivery.vendor_id, "delivery_id": delivery.pk}
    transaction.on_commit(lambda: enqueue(task, kwargs), robust=True)


def _post(url: str, body: bytes, headers: dict) -> int:
    """POST without following redirects; the status code (an error answer is a status code too)."""

    class NoRedirect(urllib.request.HTTPRedirectHandler):
        def redirect_request(self, *args, **kwargs):
            return None

    opener = urllib.request.build_opener(NoRedirect)
    # The scheme was checked (https, or http where allowed) by refused_reason before this call.
    request = urllib.request.Request(url, data=body, headers=headers, method="POST")  # noqa: S310
    try:
        with opener.open(request, timeout=TIMEOUT_SECONDS) as response:
            return response.status
    except urllib.error.HTTPError as error:
        return error.code


def attempt(delivery_id: int) -> bool:
    """One attempt of a due delivery (inside its vendor's scope); True when the endpoint took it."""
    with transaction.atomic():
        delivery = (
            WebhookDelivery.objects.select_for_update(skip_locked=True, of=("self",))
            .select_related("webhook", "event__vendor", "event__actor")
            .filter(pk=delivery_id, delivered_at=None, next_retry_at__isnull=False)
            .first()
        )
        if delivery is None:
            return False  # delivered, given up, or another worker has it
        hook = delivery.webhook
        delivery.attempt += 1
        status, error = None, refused_reason(hook.url) if hook.is_active else "disabled"
        if not error:
            body = body_of(hook, delivery.event)
            timestamp = int(time.time())
            headers = {
                "Content-Type": "application/json",
                "User-Agent": USER_AGENT,
                "X-PRM-Event": delivery.event.code,
                "X-PRM-Delivery": str(delivery.delivery),
                "X-PRM-Timestamp": str(timestamp),
                "X-PRM-Signature": signature(hook.secret, timestamp, body),
            }
            try:
                status = _post(hook.url, body, headers)
            except Exception as failure:
                error = f"{type(failure).__name__}: {failure}"
        delivery.status_code, delivery.error = status, (error or "")[:500]
        if status is not None and 200 <= status < 300:
            delivery.delivered_at, delivery.next_retry_at, delivery.error = timezone.now(), None, ""
            delivery.save()
            return True
        if not error:
            delivery.error = f"HTTP {status}"
        if delivery.attempt >= MAX_ATTEMPTS or not hook.is_active:
            delivery.next_retry_at = None
            delivery.save()
            if hook.is_active:
                _disable(hook, delivery)
            return False
        pause = RETRY_MINUTES[delivery.attempt - 1]
        delivery.next_retry_at = timezone.now() + timedelta(minutes=pause)
        delivery.save()
        logger.info(
            "Webhook delivery %s failed (attempt %s): %s", delivery.delivery, delivery.attempt, delivery.error
        )
        return False


def _disable(hook: Webhook, delivery: WebhookDelivery) -> None:
    hook.is_active, hook.disabled_at = False, timezone.now()
    hook.save(update_fields=["is_active", "disabled_at"])
    event_record(
        vendor=hook.vendor,
        code="webhook.disabled",
        subject=hook,
        params={"url": hook.url, "detail": delivery.error},
    )


def due_ids(limit: int = 200) -> list[int]:
    """Deliveries of this vendor whose next attempt is due."""
    return list(
        WebhookDelivery.objects.filter(delivered_at=None, next_retry_at__lte=timezone.now())
        .order_by("next_retry_at")
        .values_list("pk", flat=True)[:limit]
    )
