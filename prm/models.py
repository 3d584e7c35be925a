"""Platform models: the task outbox (no vendor), and uploads waiting for a decision (per vendor)."""

import uuid

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


class Event(models.Model):
    """Something a person cares about happened (DESIGN §10): recorded by the service in its transaction and fanned
    out to every channel after it commits (``prm.events``). ``code`` is one of :data:`prm.events.EVENT_CODES`."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    vendor = models.ForeignKey("partners.Vendor", on_delete=models.CASCADE, related_name="+")
    code = models.CharField(_("event"), max_length=40)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    # What it is about: the deal (most events), and the object itself when it is something else.
    deal_id = models.BigIntegerField(null=True, blank=True)
    subject_type = models.CharField(max_length=40, blank=True)
    subject_id = models.BigIntegerField(null=True, blank=True)
    params = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(_("when"), default=timezone.now)
    fanned_out_at = models.DateTimeField(null=True, blank=True)

    objects = ScopedManager(vendor="vendor")

    class Meta:
        verbose_name = _("event")
        verbose_name_plural = _("events")
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["vendor", "-created_at"], name="prm_event_recent")]

    def __str__(self) -> str:
        return f"{self.code} {self.pk}"


class OutgoingMail(models.Model):
    """A mail waiting to be sent, or sent: written in the transaction that decided it, sent by a task after it
    commits, and tried again with backoff while the mail server is away (``prm.mailer``). A platform table, like
    the task outbox: written and read as the connecting role."""

    to = models.EmailField(_("to"))
    subject = models.CharField(_("subject"), max_length=255)
    body = models.TextField(_("text"))
    html = models.TextField(_("HTML"), blank=True)
    headers = models.JSONField(default=dict, blank=True)
    # A mail that carries a secret (an invitation or password-reset link) loses its text once sent.
    sensitive = models.BooleanField(default=False)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    next_attempt_at = models.DateTimeField(_("next attempt"), default=timezone.now)
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True)
    last_error = models.TextField(_("last error"), blank=True)

    class Meta:
        verbose_name = _("outgoing mail")
        verbose_name_plural = _("outgoing mail")
        ordering = ["pk"]
        indexes = [
            models.Index(
                fields=["next_attempt_at"], name="prm_mail_due", condition=models.Q(sent_at__isnull=True)
            )
        ]

    def __str__(self) -> str:
        return f"{self.to}: {self.subject}"
