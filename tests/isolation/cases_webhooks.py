"""Webhooks (DESIGN §10): vendor admins only; everyone else in the vendor 403; another vendor's webhook 404."""

from django_scopes import scopes_disabled

from prm.models import Event
from tests.isolation.cases import LOGIN, Case, acme, expect
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


PAGES = expect(LOGIN, 403, 403, 403, 200, 404, 403)

CASES += [
    Case("webhook_list", PAGES),
    Case("webhook_create", PAGES),
    Case(
        "webhook_create",
        expect(LOGIN, 403, 403, 403, 400, 404, 403),
        method="post",
        data=lambda w: {"url": "ftp://nowhere", "all_events": "on"},
        label="invalid",
    ),
    Case("webhook_detail", PAGES, kwargs=acme(webhook_id=acme_hook)),
    Case(
        "webhook_detail",
        expect(LOGIN, 403, 403, 403, 404, 404, 403),
        kwargs=acme(webhook_id=rival_hook),
        label="rival-object",
    ),
    Case(
        "webhook_detail",
        expect(LOGIN, 403, 403, 403, 302, 404, 403),
        kwargs=acme(webhook_id=acme_hook),
        method="post",
        data=lambda w: {
            "url": "https://hooks.example.com/prm",
            "all_events": "on",
            "format": "json",
            "language": "en",
            "is_active": "on",
        },
        label="save",
    ),
    Case("webhook_deliveries_export", PAGES, kwargs=acme(webhook_id=acme_hook)),
    Case(
        "webhook_deliveries_export",
        expect(LOGIN, 403, 403, 403, 404, 404, 403),
        kwargs=acme(webhook_id=rival_hook),
        label="rival-object",
    ),
    Case(
        "webhook_redeliver",
        expect(LOGIN, 403, 403, 403, 302, 404, 403),
        kwargs=acme(webhook_id=acme_hook, delivery_id=acme_delivery),
        method="post",
    ),
    Case(
        "webhook_redeliver",
        expect(LOGIN, 403, 403, 403, 404, 404, 403),
        kwargs=acme(webhook_id=rival_hook, delivery_id=rival_delivery),
        method="post",
        label="rival-object",
    ),
    Case(
        "webhook_delete",
        expect(LOGIN, 403, 403, 403, 302, 404, 403),
        kwargs=acme(webhook_id=lambda w: _hook(w, "acme-page-removed", w.acme)[0].pk),
        method="post",
    ),
    Case(
        "webhook_delete",
        expect(LOGIN, 403, 403, 403, 404, 404, 403),
        kwargs=acme(webhook_id=rival_hook),
        method="post",
        label="rival-object",
    ),
]
