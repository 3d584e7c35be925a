from django.utils.functional import cached_property

from notifications.selectors import unread_count


class UnreadNotifications:
    """The top bar's unread count: one query, made only when a template shows it, at most once per request."""

    def __init__(self, access):
        self.access = access

    @cached_property
    def count(self) -> int:
        return unread_count(self.access)


def notifications(request):
    """The bell of vendor pages. Outside a vendor (no resolved access) it adds nothing and queries nothing."""
    access = getattr(request, "access", None)
    if access is None:
        return {}
    bell = getattr(request, "_notification_bell", None)
    if bell is None or bell.access is not access:
        bell = request._notification_bell = UnreadNotifications(access)
    return {"notification_bell": bell}
