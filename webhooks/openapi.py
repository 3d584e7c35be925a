"""The webhooks of the API schema (OpenAPI 3.1 ``webhooks``): one entry per event code, with what a delivery
carries. Listed in ``SPECTACULAR_SETTINGS["WEBHOOKS"]`` by the names :func:`attribute` gives."""

from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import OpenApiResponse, OpenApiWebhook, extend_schema
from rest_framework import serializers

from deals.serializers import DealSerializer
from prm.event_codes import EVENT_CODES


def attribute(code: str) -> str:
    return code.replace(".", "_")


class DealEventDataSerializer(serializers.Serializer):
    deal = DealSerializer(help_text=_("The deal as the API shows it to vendor staff, after the change."))
    detail = serializers.CharField(
        required=False,
        help_text=_("The reason, question, answer or note that came with it, when there is one."),
    )
    until = serializers.DateField(required=False, help_text=_("The end of the registration's protection."))
    element = serializers.CharField(required=False, help_text=_("The MEDDIC element it is about."))


class EventDeliverySerializer(serializers.Serializer):
    id = serializers.UUIDField(help_text=_("The event's id: the same on every attempt and on a redelivery."))
    event = serializers.CharField(help_text=_("The event's code."))
    created_at = serializers.DateTimeField()
    vendor = serializers.CharField(help_text=_("The vendor's URL name."))
    data = DealEventDataSerializer(
        help_text=_("For deal events, the deal; for other events, the facts of the event.")
    )


def _webhook(code: str) -> OpenApiWebhook:
    return OpenApiWebhook(
        name=code,
        decorator=extend_schema(
            summary=code,
            description=_(
                "POSTed to every active webhook that lists this event (or *), after the change is saved. A 2xx "
                "answer within 10 s is delivered; anything else is retried with growing pauses for about a day "
                "(8 attempts), then the webhook is turned off. Slack and Teams webhooks get a readable message "
                "instead of this body. Headers: X-PRM-Event (the code), X-PRM-Delivery (the same on every retry), "
                "X-PRM-Timestamp (unix seconds) and X-PRM-Signature: sha256=<hex HMAC-SHA256 of "
                '"<timestamp>.<raw body>" keyed with the webhook\'s secret>.'
            ),
            request=EventDeliverySerializer,
            responses={200: OpenApiResponse(description=_("Any 2xx: received."))},
        ),
    )


for _code in EVENT_CODES:
    globals()[attribute(_code)] = _webhook(_code)
