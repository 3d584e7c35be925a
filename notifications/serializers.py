"""API shapes of notifications: the sentence is rendered in the caller's language, never stored."""

from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from notifications import kinds
from notifications.models import Notification
from prm.api import ID_MAX


class NotificationSerializer(serializers.ModelSerializer):
    kind = serializers.CharField(
        read_only=True,
        help_text=_("What happened: the event's code, e.g. deal.approved or info_request.sent."),
    )
    text = serializers.SerializerMethodField(
        help_text=_("The notification's sentence in the caller's language.")
    )
    detail = serializers.SerializerMethodField(
        help_text=_("The question, answer or note that came with it (may be empty).")
    )
    deal = serializers.PrimaryKeyRelatedField(
        read_only=True, allow_null=True, help_text=_("The deal it is about (id), or null.")
    )
    read = serializers.SerializerMethodField(help_text=_("Whether the caller has marked it read."))

    class Meta:
        model = Notification
        fields = ["id", "kind", "text", "detail", "deal", "created_at", "read"]
        read_only_fields = fields

    def get_text(self, notification: Notification) -> str:
        return kinds.render(notification)

    def get_detail(self, notification: Notification) -> str:
        return kinds.detail(notification)

    def get_read(self, notification: Notification) -> bool:
        return not notification.is_unread


class MarkReadSerializer(serializers.Serializer):
    ids = serializers.ListField(
        child=serializers.IntegerField(min_value=1, max_value=ID_MAX),
        required=False,
        max_length=1000,
        help_text=_("Ids of the caller's notifications to mark read; all of them when left out."),
    )


class MarkedSerializer(serializers.Serializer):
    marked = serializers.IntegerField(help_text=_("How many notifications were unread and are now read."))
