"""API shapes of webhooks and their deliveries (DESIGN §10)."""

from django.conf import settings
from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from prm.events import EVENT_CODES
from webhooks.models import Webhook, WebhookDelivery, WebhookFormat


class WebhookSerializer(serializers.ModelSerializer):
    url = serializers.URLField(
        max_length=500,
        help_text=_(
            "Where deliveries are POSTed: https to a public address (http and private addresses only when "
            "the installation allows them)."
        ),
    )
    events = serializers.ListField(
        child=serializers.ChoiceField(choices=["*", *EVENT_CODES]),
        allow_empty=False,
        max_length=len(EVENT_CODES) + 1,
        help_text=_('Event codes to send, or ["*"] for every event.'),
    )
    format = serializers.ChoiceField(choices=WebhookFormat.choices, default=WebhookFormat.JSON)
    language = serializers.ChoiceField(
        choices=settings.LANGUAGES, default="ja", help_text=_("The language of Slack and Teams messages.")
    )
    disabled_at = serializers.DateTimeField(
        read_only=True,
        allow_null=True,
        help_text=_("When the webhook was turned off after its deliveries kept failing, or null."),
    )

    class Meta:
        model = Webhook
        fields = [
            "id",
            "url",
            "events",
            "description",
            "is_active",
            "format",
            "language",
            "created_at",
            "disabled_at",
        ]
        read_only_fields = ["id", "created_at", "disabled_at"]


class WebhookCreatedSerializer(WebhookSerializer):
    secret = serializers.CharField(
        read_only=True,
        help_text=_(
            'Verifies X-PRM-Signature: HMAC-SHA256 of "<timestamp>.<raw body>". Shown only in this answer.'
        ),
    )

    class Meta(WebhookSerializer.Meta):
        fields = [*WebhookSerializer.Meta.fields, "secret"]
        read_only_fields = [*WebhookSerializer.Meta.read_only_fields, "secret"]


class WebhookDeliverySerializer(serializers.ModelSerializer):
    event = serializers.CharField(source="event.code", read_only=True, help_text=_("The event's code."))
    delivery = serializers.UUIDField(
        read_only=True, help_text=_("X-PRM-Delivery: the same on every attempt.")
    )

    class Meta:
        model = WebhookDelivery
        fields = [
            "id",
            "event",
            "delivery",
            "attempt",
            "status_code",
            "error",
            "created_at",
            "delivered_at",
            "next_retry_at",
        ]
        read_only_fields = fields
