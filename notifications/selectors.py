"""Reads for notifications: always the caller's own, in the vendor of the request."""

from django.db.models import QuerySet
from django.shortcuts import get_object_or_404

from notifications.models import Notification
from prm.tenancy import Access


def notifications_of(access: Access) -> QuerySet[Notification]:
    """The caller's notifications in this vendor, newest first (never anyone else's)."""
    return (
        Notification.objects.filter(vendor=access.vendor, recipient=access.user)
        .select_related("actor", "deal")
        .order_by("-created_at", "-pk")
    )


def notification_get(access: Access, notification_id: int) -> Notification:
    """The caller's notification, or 404 for one that does not exist or belongs to someone else."""
    return get_object_or_404(notifications_of(access), pk=notification_id)


def unread_count(access: Access) -> int:
    return Notification.objects.filter(vendor=access.vendor, recipient=access.user, read_at=None).count()
