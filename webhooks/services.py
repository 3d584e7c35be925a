"""Writes for webhooks: vendor admins add, change and remove endpoints, and send a delivery again."""

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from audit.services import audit_record, changes_between, snapshot
from prm.events import EVENT_CODES
from prm.tenancy import Access
from webhooks import delivery as deliveries
from webhooks.addresses import validate_webhook_url
from webhooks.models import Webhook, WebhookDelivery
from webhooks.permissions import can_manage_webhooks

AUDITED = ["url", "events", "description", "is_active", "format", "language"]
EDITABLE = frozenset(AUDITED)


def _clean(fields: dict) -> dict:
    errors = {}
    if "url" in fields:
        try:
            validate_webhook_url(fields["url"])
        except ValidationError as error:
            errors["url"] = error.messages
    if "events" in fields:
        events = list(dict.fromkeys(fields["events"] or []))
        unknown = [code for code in events if code != "*" and code not in EVENT_CODES]
        if not events:
            errors["events"] = [_("Choose at least one event, or * for every event.")]
        elif unknown:
            errors["events"] = [_("Unknown events: %(codes)s") % {"codes": ", ".join(unknown)}]
        fields["events"] = ["*"] if "*" in events else events
    if errors:
        raise ValidationError(errors)
    return fields


@transaction.atomic
def webhook_create(*, access: Access, **fields) -> Webhook:
    if not can_manage_webhooks(access):
        raise PermissionDenied
    fields = _clean({key: value for key, value in fields.items() if key in EDITABLE})
    hook = Webhook.objects.create(vendor=access.vendor, created_by=access.user, **fields)
    audit_record(
        vendor=access.vendor,
        actor=access.user,
        action="webhook.create",
        subject=hook,
        changes=changes_between({}, snapshot(hook, AUDITED)),
    )
    return hook


@transaction.atomic
def webhook_update(*, access: Access, webhook: Webhook, **fields) -> Webhook:
    """Change an endpoint; turning a disabled one on again clears its disabling."""
    if not can_manage_webhooks(access):
        raise PermissionDenied
    fields = _clean({key: value for key, value in fields.items() if key in EDITABLE})
    webhook = Webhook.objects.select_for_update().get(pk=webhook.pk)
    before = snapshot(webhook, AUDITED)
    for key, value in fields.items():
        setattr(webhook, key, value)
    if fields.get("is_active"):
        webhook.disabled_at = None
    webhook.save()
    audit_record(
        vendor=access.vendor,
        actor=access.user,
        action="webhook.update",
        subject=webhook,
        changes=changes_between(before, snapshot(webhook, AUDITED)),
    )
    return webhook


@transaction.atomic
def webhook_delete(*, access: Access, webhook: Webhook) -> None:
    if not can_manage_webhooks(access):
        raise PermissionDenied
    audit_record(
        vendor=access.vendor,
        actor=access.user,
        action="webhook.delete",
        subject=webhook,
        changes={"url": [webhook.url, None]},
    )
    webhook.delete()


@transaction.atomic
def delivery_redeliver(*, access: Access, delivery: WebhookDelivery) -> WebhookDelivery:
    if not can_manage_webhooks(access):
        raise PermissionDenied
    if not delivery.webhook.is_active:
        raise ValidationError(_("This webhook is turned off. Turn it on first."))
    return deliveries.redeliver(delivery)
