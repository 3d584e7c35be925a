"""Platform models: the task outbox (no vendor), and uploads waiting for a decision (per vendor)."""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_scopes import ScopedManager


class OutboxTask(models.Model):
    """A task whose publish failed (the broker was away), kept until ``prm.outbox.outbox_flush`` sends it."""

    task_name = models.CharField(_("task"), max_length=200)
    kwargs = models.JSONField(_("arguments"), default=dict)
    options = models.JSONField(_("options"), default=dict)  # e.g. the task id a followed run waits for
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    attempts = models.PositiveIntegerField(_("attempts"), default=1)
    last_error = models.TextField(_("last error"), blank=True)

    class Meta:
        verbose_name = _("task waiting for the broker")
        verbose_name_plural = _("tasks waiting for the broker")
        ordering = ["pk"]

    def __str__(self) -> str:
        return f"{self.task_name} {self.kwargs}"


class PendingImportState(models.TextChoices):
    CHECKING = "checking", _("Checking the file")
    READY = "ready", _("Ready to import")
    IMPORTING = "importing", _("Importing")
    REJECTED = "rejected", _("Nothing was imported")
    DONE = "done", _("Imported")
    FAILED = "failed", _("Failed")


class PendingImport(models.Model):
    """An uploaded CSV file waiting for its owner's decision (like pretix's ``CachedFile``): the file, its preview
    computed once, and for a large file the state and progress of the task checking or importing it.

    Kept in the database, not the session, so a worker can read it; it expires after ``prm.pending_imports.TTL``.
    """

    vendor = models.ForeignKey("partners.Vendor", on_delete=models.CASCADE, related_name="+")
    key = models.CharField(max_length=32, unique=True)
    kind = models.CharField(_("import"), max_length=16)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    filename = models.CharField(_("file name"), max_length=255)
    rows = models.PositiveIntegerField(_("lines"), default=0)
    data = models.BinaryField()  # the upload, compressed
    preview = models.BinaryField(null=True)  # the preview object, pickled by prm.pending_imports only
    state = models.CharField(
        max_length=16, choices=PendingImportState.choices, default=PendingImportState.CHECKING
    )
    progress = models.PositiveSmallIntegerField(default=0)
    created = models.PositiveIntegerField(null=True)  # how many rows an import created
    created_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField()

    objects = ScopedManager(vendor="vendor")

    class Meta:
        verbose_name = _("pending import")
        verbose_name_plural = _("pending imports")
        indexes = [models.Index(fields=["vendor", "created_by", "kind"], name="prm_pending_owner")]

    def __str__(self) -> str:
        return f"{self.kind} {self.filename} ({self.state})"
