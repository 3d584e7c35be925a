"""Webhooks (DESIGN §10): vendor admins only; everyone else in the vendor 403; another vendor's webhook 404."""

from django_scopes import scopes_disabled

from prm.models import Event
from tests.isolation.cases import Case, acme, expect
from webhooks.models import Webhook, WebhookDelivery

ADMINS = expect(401, 403, 403, 403, 200, 404, 403)


def _hook(world, key: str, vendor) -> Webhook:
    cache = world.__dict__.setdefault("_webhooks", {})
    if key not in cache:
        with scopes_disabled():
            hook = Webhook.objects.create(vendor=vendor, url="https://hooks.example.com/prm", events=["*"])
            event = Event.objects.create(vendor=vendor, code="deal.approved", params={"customer": "Sample"})
            delivery = WebhookDelivery.objects.create(vendor=vendor, webhook=hook, event=event, attempt=1)
        cache[key] = (hook, delivery)
    return cache[key]


def acme_hook(world) -> int:
    return _hook(world, "acme", world.acme)[0].pk


def acme_delivery(world) -> int:
    return _hook(world, "acme", world.acme)[1].pk


def acme_hook_to_remove(world) -> int:
    return _hook(world, "acme-removed", world.acme)[0].pk


def rival_hook(world) -> int:
    return _hook(world, "rival", world.rival)[0].pk


def rival_delivery(world) -> int:
    return _hook(world, "rival", world.rival)[1].pk


NEW_HOOK = {"url": "https://hooks.example.com/new", "events": ["deal.approved", "deal.submitted"]}

CASES = [
    Case("api_webhooks", ADMINS, json=True),
    Case(
        "api_webhooks",
        expect(401, 403, 403, 403, 201, 404, 403),
        method="post",
        data=lambda w: NEW_HOOK,
        json=True,
    ),
    Case("api_webhook", ADMINS, kwargs=acme(webhook_id=acme_hook), json=True),
    Case(
        "api_webhook",
        expect(401, 403, 403, 403, 200, 404, 403),
        kwargs=acme(webhook_id=acme_hook),
        method="patch",
        data=lambda w: {"description": "CRM"},
        json=True,
    ),
    Case(
        "api_webhook",
        expect(401, 403, 403, 403, 204, 404, 403),
        kwargs=acme(webhook_id=acme_hook_to_remove),
        method="delete",
        json=True,
        label="remove",
    ),
    Case(
        "api_webhook",
        expect(401, 403, 403, 403, 404, 404, 403),
        kwargs=acme(webhook_id=rival_hook),
        json=True,
        label="rival-object",
    ),
    Case("api_webhook_deliveries", ADMINS, kwargs=acme(webhook_id=acme_hook), json=True),
    Case(
        "api_webhook_deliveries",
        expect(401, 403, 403, 403, 404, 404, 403),
        kwargs=acme(webhook_id=rival_hook),
        json=True,
        label="rival-object",
    ),
    Case(
        "api_webhook_redeliver",
        expect(401, 403, 403, 403, 202, 404, 403),
        kwargs=acme(webhook_id=acme_hook, delivery_id=acme_delivery),
        method="post",
        json=True,
    ),
    Case(
        "api_webhook_redeliver",
        expect(401, 403, 403, 403, 404, 404, 403),
        kwargs=acme(webhook_id=rival_hook, delivery_id=rival_delivery),
        method="post",
        json=True,
        label="rival-object",
    ),
]
