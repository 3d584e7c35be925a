"""KPI snapshots (DESIGN §6): the figures of a vendor's group and period, as computed on a day.

Rows are derived data, written only by ``knowledge.kpis.kpis_recompute``, and only when the figures changed: the
row of a group and period marked ``is_latest`` holds its current figures, older rows the figures it had from their
day on (daily for recent weeks, month-end rows after that: ``knowledge.retention``). ``KpiCheck`` says when a
period was last recomputed, changed or not. A ``RecomputeRun`` follows one recompute a user asked for.
``SupportActivity`` is the vendor's support log.
"""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_scopes import ScopedManager

from partners.models import Vendor


class GroupType(models.TextChoices):
    VENDOR = "vendor", _("Vendor")
    PARTNER = "partner", _("Partner")
    TIER = "tier", _("Tier")
    CHANNEL_MANAGER = "channel_manager", _("Channel manager")


class Granularity(models.TextChoices):
    MONTH = "month", _("Month")
    QUARTER = "quarter", _("Fiscal quarter")
    FISCAL_YEAR = "fiscal_year", _("Fiscal year")


class KpiSnapshot(models.Model):
    """The KPI row (contract, DESIGN §6) of one group in one period, as computed on ``snapshot_date``; its figures
    held from that day until the next row of the same group and period (if any: ``is_latest`` marks the last).

    ``group_key`` is the partner id, the tier code or the channel manager's user id as text, and "" for the vendor
    row and for partners without a channel manager. ``group_name`` is the name when computed (source language for
    tiers and "Unassigned"; translate those by key when showing them).
    """

    vendor = models.ForeignKey(Vendor, on_delete=models.CASCADE, related_name="+")
    group_type = models.CharField(_("group"), max_length=16, choices=GroupType.choices)
    group_key = models.CharField(max_length=64, blank=True)
    group_name = models.CharField(_("name"), max_length=200, blank=True)
    granularity = models.CharField(_("granularity"), max_length=16, choices=Granularity.choices)
    period = models.CharField(_("period"), max_length=16)
    # The vendor-local day the row was computed for.
    snapshot_date = models.DateField(_("snapshot date"))
    proposals = models.PositiveIntegerField(_("proposals"), default=0)
    won = models.PositiveIntegerField(_("won"), default=0)
    lost = models.PositiveIntegerField(_("lost"), default=0)
    win_rate = models.DecimalField(_("win rate"), max_digits=7, decimal_places=6, null=True)
    avg_unit_price = models.DecimalField(_("average unit price"), max_digits=24, decimal_places=2, null=True)
    expected_value = models.DecimalField(_("expected value"), max_digits=28, decimal_places=2, null=True)
    won_amount = models.BigIntegerField(_("won amount"), default=0)
    status_distribution = models.JSONField(_("status distribution"), default=dict)
    open_pipeline_amount = models.BigIntegerField(_("open pipeline amount"), default=0)
    avg_quality = models.DecimalField(_("average quality"), max_digits=5, decimal_places=2, null=True)
    avg_visibility = models.DecimalField(_("average visibility"), max_digits=5, decimal_places=2, null=True)
    computed_at = models.DateTimeField(_("computed"))
    is_latest = models.BooleanField(default=True)

    objects = ScopedManager(vendor="vendor")

    class Meta:
        verbose_name = _("KPI snapshot")
        verbose_name_plural = _("KPI snapshots")
        constraints = [
            models.UniqueConstraint(
                fields=["vendor", "group_type", "group_key", "granularity", "period", "snapshot_date"],
                name="knowledge_kpisnapshot_unique_row",
            ),
            # One current row per group and period; also what reads the current rows of periods and a group type.
            models.UniqueConstraint(
                fields=["vendor", "granularity", "group_type", "period", "group_key"],
                condition=models.Q(is_latest=True),
                name="knowledge_kpisnapshot_one_latest",
            ),
        ]
        indexes = [
            # When the vendor's snapshots last changed: the version of cached KPI answers.
            models.Index(fields=["vendor", "-computed_at"], name="knowledge_kpi_computed"),
        ]

    def __str__(self):
        return f"{self.group_type}:{self.group_key} {self.period} @ {self.snapshot_date}"


class KpiCheck(models.Model):
    """When a vendor's period was last recomputed, whether or not its figures changed (what a page's "computed"
    says: the nightly job confirms unchanged rows here instead of writing them again)."""

    vendor = models.ForeignKey(Vendor, on_delete=models.CASCADE, related_name="+")
    granularity = models.CharField(max_length=16, choices=Granularity.choices)
    period = models.CharField(max_length=16)
    checked_at = models.DateTimeField()

    objects = ScopedManager(vendor="vendor")

    class Meta:
        verbose_name = _("KPI check")
        verbose_name_plural = _("KPI checks")
        constraints = [
            models.UniqueConstraint(
                fields=["vendor", "granularity", "period"], name="knowledge_kpicheck_unique"
            )
        ]

    def __str__(self):
        return f"{self.period} @ {self.checked_at}"


class InsightResult(models.Model):
    """One insight analysis of a vendor's closed deals for one set of filters, as computed from the data of
    ``version`` (``knowledge.insights.store``): what the pages, the API and the CSV read instead of rebuilding
    every closed deal's history on each request."""

    vendor = models.ForeignKey(Vendor, on_delete=models.CASCADE, related_name="+")
    report = models.CharField(max_length=32)
    filter_key = models.CharField(max_length=64)
    filters = models.JSONField(default=dict)
    version = models.CharField(max_length=64)
    payload = models.BinaryField()
    computed_at = models.DateTimeField()
    used_on = models.DateField()

    objects = ScopedManager(vendor="vendor")

    class Meta:
        verbose_name = _("insight result")
        verbose_name_plural = _("insight results")
        constraints = [
            models.UniqueConstraint(
                fields=["vendor", "report", "filter_key"], name="knowledge_insightresult_unique"
            )
        ]

    def __str__(self):
        return f"{self.report} {self.filter_key[:8]} @ {self.computed_at}"


class RunState(models.TextChoices):
    PENDING = "PENDING", _("Waiting")
    STARTED = "STARTED", _("Running")
    SUCCESS = "SUCCESS", _("Done")
    FAILURE = "FAILURE", _("Failed")


class RecomputeRun(models.Model):
    """One KPI recompute asked for by a user: whose it is, and how far it got (``GET /api/v1/tasks/{id}/``).

    Kept in the database, not only in the result backend, so progress reads the same with eager tasks and on a
    worker, and the poller can be checked against the vendor the task belongs to.
    """

    vendor = models.ForeignKey(Vendor, on_delete=models.CASCADE, related_name="+")
    task_id = models.CharField(max_length=64, unique=True)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    state = models.CharField(max_length=16, choices=RunState.choices, default=RunState.PENDING)
    progress = models.PositiveSmallIntegerField(default=0)
    rows = models.PositiveIntegerField(null=True)
    requested_at = models.DateTimeField(default=timezone.now)
    finished_at = models.DateTimeField(null=True)

    objects = ScopedManager(vendor="vendor")

    class Meta:
        verbose_name = _("KPI recompute")
        verbose_name_plural = _("KPI recomputes")
        indexes = [models.Index(fields=["vendor", "-requested_at"], name="knowledge_run_recent")]

    def __str__(self):
        return f"{self.task_id} {self.state} {self.progress}%"


class SupportType(models.TextChoices):
    """What the vendor did for a partner (DESIGN §6); the playbook compares these between partners."""

    STUDY_SESSION = "study_session", _("Study session")
    JOINT_VISIT = "joint_visit", _("Joint customer visit")
    PROPOSAL_REVIEW = "proposal_review", _("Proposal review")
    DEMO_ENVIRONMENT = "demo_environment", _("Demo environment")
    QUOTE_SUPPORT = "quote_support", _("Quote support")
    RINGI_TEMPLATE = "ringi_template", _("Ringi template")
    TECHNICAL_QA = "technical_qa", _("Technical Q&A")
    SPECIAL_PRICING = "special_pricing", _("Special pricing")


class SupportActivity(models.Model):
    """One thing vendor staff did for a partner, optionally for one of its deals, logged by a channel manager."""

    vendor = models.ForeignKey(Vendor, on_delete=models.CASCADE, related_name="+")
    partner = models.ForeignKey(
        "partners.PartnerCompany", on_delete=models.CASCADE, related_name="support_activities"
    )
    deal = models.ForeignKey(
        "deals.Deal", on_delete=models.SET_NULL, null=True, blank=True, related_name="support_activities"
    )
    support_type = models.CharField(_("support"), max_length=32, choices=SupportType.choices)
    date = models.DateField(_("date"))
    hours = models.DecimalField(_("hours"), max_digits=4, decimal_places=1)
    note = models.CharField(_("note"), max_length=500, blank=True)
    logged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    objects = ScopedManager(vendor="vendor")

    class Meta:
        verbose_name = _("support activity")
        verbose_name_plural = _("support activities")
        ordering = ["-date", "-pk"]
        indexes = [
            models.Index(fields=["vendor", "partner", "date"], name="knowledge_support_partner"),
            models.Index(fields=["vendor", "-date"], name="knowledge_support_recent"),
        ]

    def __str__(self):
        return f"{self.get_support_type_display()} {self.date}"
