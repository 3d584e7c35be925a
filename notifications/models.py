"""In-app notifications: one row per recipient, read on the notifications page and counted in the top bar.

The text is not stored: ``kind`` and ``params`` are rendered in the reader's language when shown
(``notifications.kinds``), so a Japanese and an English user read the same notification in their own language.
"""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_scopes import ScopedManager

from partners.models import Vendor


class Notification(models.Model):
    vendor = models.ForeignKey(Vendor, on_delete=models.CASCADE, related_name="+")
    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications"
    )
    kind = models.CharField(_("kind"), max_length=40)
    deal = models.ForeignKey("deals.Deal", on_delete=models.CASCADE, null=True, blank=True, related_name="+")
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("from"),
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
    )
    params = models.JSONField(default=dict, blank=True)
    # The event it tells of (prm.events); at most one notification per event and person.
    event = models.ForeignKey("prm.Event", on_delete=models.CASCADE, null=True, blank=True, related_name="+")
    created_at = models.DateTimeField(_("when"), default=timezone.now)
    # The mail about it: "" none, "sent", "digest" (waiting for the daily digest), "off" (not wanted).
    mail_state = models.CharField(max_length=8, blank=True)
    read_at = models.DateTimeField(_("read"), null=True, blank=True)

    objects = ScopedManager(vendor="vendor")

    class Meta:
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["vendor", "recipient", "read_at"])]
        constraints = [
            models.UniqueConstraint(fields=["event", "recipient"], name="notification_once_per_event")
        ]

    def __str__(self):
        return f"{self.recipient_id}:{self.kind}"

    @property
    def is_unread(self) -> bool:
        return self.read_at is None


class DigestSent(models.Model):
    """A person's daily digest of one vendor went out on ``day`` (the vendor's date): never a second one."""

    vendor = models.ForeignKey(Vendor, on_delete=models.CASCADE, related_name="+")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    day = models.DateField()
    sent_at = models.DateTimeField(default=timezone.now)

    objects = ScopedManager(vendor="vendor")

    class Meta:
        constraints = [models.UniqueConstraint(fields=["vendor", "user", "day"], name="digest_once_a_day")]

    def __str__(self):
        return f"{self.user_id}@{self.day}"
