"""Outbound webhooks (DESIGN §10): a vendor's endpoints, and every delivery of an event to one of them."""

import secrets
import uuid

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_scopes import ScopedManager

from partners.models import Vendor


class WebhookFormat(models.TextChoices):
    JSON = "json", _("JSON (for your own systems)")
    SLACK = "slack", _("Slack")
    TEAMS = "teams", _("Microsoft Teams (Workflows)")


def new_secret() -> str:
    return secrets.token_urlsafe(32)


class Webhook(models.Model):
    vendor = models.ForeignKey(Vendor, on_delete=models.CASCADE, related_name="+")
    url = models.URLField(_("URL"), max_length=500)
    # Event codes (prm.events.EVENT_CODES), or ["*"] for every event.
    events = models.JSONField(_("events"), default=list)
    description = models.CharField(_("description"), max_length=200, blank=True)
    is_active = models.BooleanField(_("active"), default=True)
    format = models.CharField(
        _("format"), max_length=8, choices=WebhookFormat.choices, default=WebhookFormat.JSON
    )
    language = models.CharField(_("language"), max_length=8, choices=settings.LANGUAGES, default="ja")
    secret = models.CharField(max_length=64, default=new_secret, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    # Set when the endpoint was turned off after its deliveries kept failing.
    disabled_at = models.DateTimeField(_("disabled at"), null=True, blank=True)

    objects = ScopedManager(vendor="vendor")

    class Meta:
        verbose_name = _("webhook")
        verbose_name_plural = _("webhooks")
        ordering = ["pk"]

    def __str__(self) -> str:
        return self.url

    def wants(self, code: str) -> bool:
        return "*" in self.events or code in self.events


class WebhookDelivery(models.Model):
    """One event sent to one endpoint: the same ``delivery`` id on every attempt (``X-PRM-Delivery``)."""

    vendor = models.ForeignKey(Vendor, on_delete=models.CASCADE, related_name="+")
    webhook = models.ForeignKey(Webhook, on_delete=models.CASCADE, related_name="deliveries")
    event = models.ForeignKey("prm.Event", on_delete=models.CASCADE, related_name="+")
    delivery = models.UUIDField(default=uuid.uuid4, editable=False)
    attempt = models.PositiveSmallIntegerField(_("attempt"), default=0)
    status_code = models.PositiveSmallIntegerField(_("status code"), null=True, blank=True)
    error = models.CharField(_("error"), max_length=500, blank=True)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    delivered_at = models.DateTimeField(_("delivered at"), null=True, blank=True)
    # When the next attempt is due; None once delivered or given up.
    next_retry_at = models.DateTimeField(_("next attempt"), null=True, blank=True)

    objects = ScopedManager(vendor="vendor")

    class Meta:
        verbose_name = _("webhook delivery")
        verbose_name_plural = _("webhook deliveries")
        ordering = ["-created_at", "-pk"]
        indexes = [
            models.Index(
                fields=["next_retry_at"],
                name="webhook_delivery_due",
                condition=models.Q(next_retry_at__isnull=False),
            )
        ]

    def __str__(self) -> str:
        return f"{self.webhook_id}:{self.delivery}"
