"""Reading notifications (they are written by ``notifications.fanout`` from events)."""

from django.utils import timezone

from notifications.models import Notification


def mark_read(*, user, vendor, ids=None) -> int:
    """Mark the user's notifications in ``vendor`` (all, or those of ``ids``) as read; returns how many
    changed."""
    qs = Notification.objects.filter(vendor=vendor, recipient=user, read_at=None)
    if ids is not None:
        qs = qs.filter(pk__in=ids)
    return qs.update(read_at=timezone.now())
