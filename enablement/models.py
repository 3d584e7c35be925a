"""Enablement material a vendor publishes to partner users, and each recipient's funnel (DESIGN §6).

A :class:`Content` is a file, a link or a text, optionally with a short quiz. Its audience is a set of tiers
and/or named partners (:class:`ContentAudience`). Publishing creates one :class:`Delivery` per partner user of
the audience; the delivery records how far that person got: delivered → opened → read → understood. The stages
only move forward and each implies the ones before it (``enablement.services``).
"""

import secrets

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from django_scopes import ScopedManager

from partners.models import PartnerCompany, Tier, Vendor
from prm.validators import validate_single_line


class ContentKind(models.TextChoices):
    FILE = "file", _("File")
    LINK = "link", _("Link")
    TEXT = "text", _("Text")


class FileType(models.TextChoices):
    PDF = "pdf", "PDF"
    PPTX = "pptx", _("PowerPoint (PPTX)")
    DOCX = "docx", _("Word (DOCX)")
    XLSX = "xlsx", _("Excel (XLSX)")
    PNG = "png", _("PNG image")
    JPEG = "jpeg", _("JPEG image")
    MP4 = "mp4", _("MP4 video")


IMAGE_TYPES = (FileType.PNG, FileType.JPEG)


class Stage(models.TextChoices):
    """How far a recipient got with a content, in funnel order."""

    DELIVERED = "delivered", pgettext_lazy("funnel", "Delivered")
    OPENED = "opened", pgettext_lazy("funnel", "Opened")
    READ = "read", pgettext_lazy("funnel", "Read")
    UNDERSTOOD = "understood", pgettext_lazy("funnel", "Understood")


def content_upload_to(content: "Content", filename: str) -> str:
    """``enablement/<vendor id>/<random>.<type>``: the uploader's file name is kept in ``file_name`` only."""
    return f"enablement/{content.vendor_id}/{secrets.token_hex(16)}.{content.file_type or 'bin'}"


class Content(models.Model):
    vendor = models.ForeignKey(Vendor, on_delete=models.CASCADE, related_name="+")
    title = models.CharField(_("title"), max_length=200, validators=[validate_single_line])
    summary = models.CharField(_("summary"), max_length=500, blank=True)
    kind = models.CharField(_("kind"), max_length=8, choices=ContentKind.choices, default=ContentKind.TEXT)
    file = models.FileField(_("file"), upload_to=content_upload_to, max_length=200, blank=True)
    file_name = models.CharField(_("file name"), max_length=255, blank=True)
    file_type = models.CharField(_("file type"), max_length=8, choices=FileType.choices, blank=True)
    file_size = models.PositiveBigIntegerField(_("file size"), null=True, blank=True)
    url = models.URLField(_("link"), max_length=500, blank=True)
    body = models.TextField(_("text"), blank=True)
    read_seconds = models.PositiveSmallIntegerField(_("seconds on the page that count as read"), default=60)
    pass_mark = models.PositiveSmallIntegerField(_("pass mark (%)"), default=80)
    published_at = models.DateTimeField(_("published"), null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("created by"),
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
    )
    created_at = models.DateTimeField(_("created"), default=timezone.now)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    objects = ScopedManager(vendor="vendor")

    class Meta:
        verbose_name = _("content")
        verbose_name_plural = _("contents")
        ordering = ["-published_at", "-created_at", "-pk"]
        indexes = [models.Index(fields=["vendor", "published_at"])]

    def __str__(self):
        return self.title

    @property
    def is_published(self) -> bool:
        return self.published_at is not None

    @property
    def is_image(self) -> bool:
        return self.kind == ContentKind.FILE and self.file_type in IMAGE_TYPES

    @property
    def is_video(self) -> bool:
        return self.kind == ContentKind.FILE and self.file_type == FileType.MP4


class ContentAudience(models.Model):
    """One audience entry of a content: a whole tier, or one named partner."""

    vendor = models.ForeignKey(Vendor, on_delete=models.CASCADE, related_name="+")
    content = models.ForeignKey(Content, on_delete=models.CASCADE, related_name="audience")
    tier = models.CharField(_("tier"), max_length=16, choices=Tier.choices, blank=True)
    partner = models.ForeignKey(
        PartnerCompany,
        verbose_name=_("partner"),
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
    )

    objects = ScopedManager(vendor="vendor")

    class Meta:
        verbose_name = _("audience")
        verbose_name_plural = _("audiences")
        constraints = [
            models.CheckConstraint(
                condition=(Q(tier="") & Q(partner__isnull=False)) | (~Q(tier="") & Q(partner__isnull=True)),
                name="content_audience_tier_or_partner",
            ),
            models.UniqueConstraint(
                fields=["content", "tier"], condition=~Q(tier=""), name="content_audience_tier_once"
            ),
            models.UniqueConstraint(
                fields=["content", "partner"],
                condition=Q(partner__isnull=False),
                name="content_audience_partner_once",
            ),
        ]
        indexes = [models.Index(fields=["vendor", "tier"]), models.Index(fields=["vendor", "partner"])]

    def __str__(self):
        return self.tier or str(self.partner_id)


class QuizQuestion(models.Model):
    vendor = models.ForeignKey(Vendor, on_delete=models.CASCADE, related_name="+")
    content = models.ForeignKey(Content, on_delete=models.CASCADE, related_name="questions")
    position = models.PositiveSmallIntegerField(_("position"), default=1)
    text = models.CharField(_("question"), max_length=300)
    # The answer choices in order; ``correct`` is the index of the right one.
    choices = models.JSONField(_("choices"), default=list)
    correct = models.PositiveSmallIntegerField(_("correct choice"), default=0)

    objects = ScopedManager(vendor="vendor")

    class Meta:
        verbose_name = _("quiz question")
        verbose_name_plural = _("quiz questions")
        ordering = ["position", "pk"]
        indexes = [models.Index(fields=["vendor", "content"])]

    def __str__(self):
        return self.text


class Delivery(models.Model):
    """One content for one partner user, and how far they got with it."""

    vendor = models.ForeignKey(Vendor, on_delete=models.CASCADE, related_name="+")
    content = models.ForeignKey(Content, on_delete=models.CASCADE, related_name="deliveries")
    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("recipient"),
        on_delete=models.CASCADE,
        related_name="content_deliveries",
    )
    # The recipient's company when the content reached them (the funnel per partner groups by it).
    partner = models.ForeignKey(
        PartnerCompany, verbose_name=_("partner"), on_delete=models.CASCADE, related_name="content_deliveries"
    )
    delivered_at = models.DateTimeField(_("delivered"), default=timezone.now)
    opened_at = models.DateTimeField(_("opened"), null=True, blank=True)
    read_at = models.DateTimeField(pgettext_lazy("funnel", "read"), null=True, blank=True)
    understood_at = models.DateTimeField(_("understood"), null=True, blank=True)
    quiz_attempts = models.PositiveSmallIntegerField(_("quiz attempts"), default=0)
    last_score = models.PositiveSmallIntegerField(_("last score (%)"), null=True, blank=True)
    reminded_at = models.DateTimeField(_("last reminded"), null=True, blank=True)
    reminder_count = models.PositiveSmallIntegerField(_("reminders"), default=0)
    # The language the recipient last used on these pages: their emails are written in it.
    language = models.CharField(_("language"), max_length=8, blank=True)

    objects = ScopedManager(vendor="vendor")

    class Meta:
        verbose_name = _("delivery")
        verbose_name_plural = _("deliveries")
        ordering = ["-delivered_at", "-pk"]
        constraints = [
            models.UniqueConstraint(fields=["content", "recipient"], name="delivery_once_per_recipient"),
        ]
        indexes = [
            models.Index(fields=["vendor", "recipient", "understood_at"]),
            models.Index(fields=["vendor", "partner"]),
        ]

    def __str__(self):
        return f"{self.content_id} → {self.recipient_id}"

    @property
    def stage(self) -> str:
        if self.understood_at:
            return Stage.UNDERSTOOD
        if self.read_at:
            return Stage.READ
        if self.opened_at:
            return Stage.OPENED
        return Stage.DELIVERED

    @property
    def stage_label(self) -> str:
        return Stage(self.stage).label
