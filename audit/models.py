"""Append-only history of changes: who did what, when, and each changed field's value before and after.

Services write entries explicitly (they know the actor and both states); nothing updates or deletes them.
One table for every kind of subject keeps the trail in one place for the deal page, exports and audits.
"""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_scopes import ScopedManager

from partners.models import Vendor
from prm.request_id import current_request_id


class AppendOnlyError(Exception):
    """Audit entries are never changed or removed."""


class AuditQuerySet(models.QuerySet):
    def update(self, **kwargs):
        raise AppendOnlyError("Audit entries cannot be updated.")

    def delete(self):
        raise AppendOnlyError("Audit entries cannot be deleted.")


class AuditEntry(models.Model):
    # Nothing may remove or rewrite an entry (on PostgreSQL a trigger refuses it), so neither a vendor with
    # a history nor a user may take entries with them: a vendor with entries cannot be deleted (deactivate
    # it instead), and a deleted user leaves the entry as it was, with the email kept in ``actor_email``.
    vendor = models.ForeignKey(Vendor, on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField(_("when"), default=timezone.now)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("who"),
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        null=True,
        related_name="+",
    )
    actor_email = models.CharField(_("who (email)"), max_length=254, blank=True)
    # The request (``X-Request-ID``) or Celery task the entry was written in: entries of one action share it.
    request_id = models.CharField(_("request id"), max_length=64, blank=True)
    # A dotted code such as ``deal.update``; its label is in ``audit.actions``.
    action = models.CharField(_("action"), max_length=64)
    subject_type = models.CharField(_("subject type"), max_length=32, blank=True)
    # Empty for entries about no single object (a refused request).
    subject_id = models.BigIntegerField(null=True, blank=True)
    # The deal the change belongs to (deal, element, champion log…), so a deal's page shows its whole history.
    # Not a foreign key: history outlives what it describes.
    deal_id = models.BigIntegerField(null=True, blank=True)
    # {"field": [before, after]}; creations have before = null, and workflow steps may carry a reason.
    changes = models.JSONField(default=dict, blank=True)
    reason = models.TextField(_("reason"), blank=True)

    objects = ScopedManager(vendor="vendor", _manager_class=models.Manager.from_queryset(AuditQuerySet))

    class Meta:
        verbose_name = _("audit entry")
        verbose_name_plural = _("audit entries")
        ordering = ["-at", "-pk"]
        indexes = [
            models.Index(fields=["vendor", "deal_id", "at"]),
            models.Index(fields=["vendor", "subject_type", "subject_id"]),
            models.Index(fields=["vendor", "at"]),
            models.Index(fields=["vendor", "action", "at"]),
        ]

    def __str__(self):
        return f"{self.at:%Y-%m-%d %H:%M} {self.action} {self.subject_type}#{self.subject_id}"

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise AppendOnlyError("Audit entries cannot be updated.")
        if self.actor is not None and not self.actor_email:
            self.actor_email = self.actor.email
        if not self.request_id:
            self.request_id = current_request_id()
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise AppendOnlyError("Audit entries cannot be deleted.")
