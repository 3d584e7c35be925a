"""Deals registered by partners through the Partner-MEDDIC template (DESIGN §4).

Codes (phases, loss types, registration states, champion activity vocabulary) are contract; labels are
translated. Rules live in ``deals.validation`` and ``deals.services``; models only describe the data.
"""

from django.conf import settings
from django.db import models
from django.db.models import F
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from django_scopes import ScopedManager

from partners.models import PartnerCompany, Vendor
from prm.validators import validate_date_in_range, validate_single_line


class Phase(models.TextChoices):
    INFORMATION_GATHERING = "information_gathering", _("Information gathering")
    PROBLEM_DEFINITION = "problem_definition", _("Problem definition")
    EVALUATION = "evaluation", _("Evaluation / PoC")
    PROPOSAL = "proposal", _("Proposal & quote")
    PRE_APPROVAL = "pre_approval", _("Pre-approval groundwork")
    APPROVAL = "approval", _("In approval (ringi)")
    INFORMAL_AWARD = "informal_award", _("Informal award")
    WON = "won", _("Won")
    LOST = "lost", _("Lost")
    ON_HOLD = "on_hold", _("On hold")


OPEN_PHASES = (
    Phase.INFORMATION_GATHERING,
    Phase.PROBLEM_DEFINITION,
    Phase.EVALUATION,
    Phase.PROPOSAL,
    Phase.PRE_APPROVAL,
    Phase.APPROVAL,
    Phase.INFORMAL_AWARD,
)
CLOSED_PHASES = (Phase.WON, Phase.LOST)
# Position of an open phase in the sales process ("phase ≥ proposal" in DESIGN §5 compares these).
PHASE_RANK = {phase: rank for rank, phase in enumerate(OPEN_PHASES)}


class LossType(models.TextChoices):
    COMPETITOR = "competitor", _("Lost to a competitor")
    NO_DECISION = "no_decision", _("No decision")
    BUDGET_FROZEN = "budget_frozen", _("Budget frozen")
    RINGI_REJECTED = "ringi_rejected", _("Ringi rejected")
    UNKNOWN = "unknown", pgettext_lazy("loss type", "Unknown")


class RegistrationStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    SUBMITTED = "submitted", _("Submitted")
    APPROVED = "approved", _("Approved")
    REJECTED = "rejected", _("Rejected")
    RETURNED = "returned", _("Returned for facts")


class Industry(models.TextChoices):
    MANUFACTURING = "manufacturing", _("Manufacturing")
    FINANCE = "finance", _("Finance & insurance")
    RETAIL = "retail", _("Retail & wholesale")
    IT_TELECOM = "it_telecom", _("IT & telecom")
    HEALTHCARE = "healthcare", _("Healthcare")
    CONSTRUCTION = "construction", _("Construction & real estate")
    LOGISTICS = "logistics", _("Transport & logistics")
    PUBLIC = "public", _("Public sector")
    EDUCATION = "education", _("Education")
    SERVICES = "services", _("Services")
    OTHER = "other", _("Other")


class CustomerSize(models.TextChoices):
    UNDER_100 = "under_100", _("Under 100 employees")
    FROM_100 = "100_299", _("100–299 employees")
    FROM_300 = "300_999", _("300–999 employees")
    FROM_1000 = "1000_4999", _("1,000–4,999 employees")
    FROM_5000 = "5000_plus", _("5,000 employees or more")
    UNKNOWN = "unknown", pgettext_lazy("customer size", "Unknown")


def phase_rank():
    """Phases in the order of the sales process (open phases first, then won, lost, on hold), as a number: the
    deal list's phase sort, and the index that serves it."""
    return models.Case(
        *(models.When(phase=phase, then=models.Value(rank)) for rank, phase in enumerate(Phase.values)),
        output_field=models.IntegerField(),
    )


class Deal(models.Model):
    vendor = models.ForeignKey(Vendor, on_delete=models.CASCADE, related_name="deals")
    partner = models.ForeignKey(
        PartnerCompany, verbose_name=_("partner company"), on_delete=models.PROTECT, related_name="deals"
    )
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("owner"), on_delete=models.PROTECT, related_name="deals"
    )
    customer_name = models.CharField(_("customer name"), max_length=200, validators=[validate_single_line])
    # The normalised customer name (deals.normalize): the key of registration-conflict detection.
    customer_key = models.CharField(max_length=200, editable=False)
    customer_corporate_number = models.CharField(_("corporate number"), max_length=13, blank=True)
    customer_industry = models.CharField(_("industry"), max_length=32, choices=Industry.choices, blank=True)
    customer_size = models.CharField(
        _("company size"), max_length=16, choices=CustomerSize.choices, default=CustomerSize.UNKNOWN
    )
    title = models.CharField(_("deal title"), max_length=200, validators=[validate_single_line])
    amount = models.PositiveBigIntegerField(_("amount"))
    close_date = models.DateField(_("close date"), validators=[validate_date_in_range])
    phase = models.CharField(_("phase"), max_length=32, choices=Phase.choices)
    loss_type = models.CharField(_("loss type"), max_length=32, choices=LossType.choices, blank=True)
    proposal_reason = models.TextField(_("proposal reason"))
    registration_status = models.CharField(
        _("registration status"),
        max_length=16,
        choices=RegistrationStatus.choices,
        default=RegistrationStatus.DRAFT,
    )
    protected_until = models.DateField(_("protected until"), null=True, blank=True)
    # Set by the nightly expiry once protected_until has passed (and the owner was told).
    protection_expired = models.BooleanField(default=False)
    version = models.PositiveIntegerField(default=1)
    registered_at = models.DateTimeField(_("registered"), null=True, blank=True)
    closed_at = models.DateTimeField(_("closed"), null=True, blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    objects = ScopedManager(vendor="vendor")

    class Meta:
        verbose_name = _("deal")
        verbose_name_plural = _("deals")
        ordering = ["-updated_at", "-pk"]
        indexes = [
            models.Index(fields=["vendor", "partner", "phase"]),
            models.Index(fields=["vendor", "customer_key"]),
            models.Index(fields=["vendor", "customer_corporate_number"]),
            models.Index(fields=["vendor", "registration_status"]),
            # The KPI aggregates (knowledge.kpis) read deals by registration time and by close date; every
            # column they read is in the index, so PostgreSQL answers from the index alone.
            models.Index(
                fields=["vendor", "close_date", "phase", "partner", "registration_status", "amount"],
                name="deals_vendor_closed_kpi",
            ),
            models.Index(
                fields=["vendor", "registered_at", "partner", "phase", "registration_status", "amount", "id"],
                name="deals_vendor_registered_kpi",
            ),
            models.Index(fields=["vendor", "owner"]),
            # The list's sorts (``deals.filters.SORTS``): a page is read along an index, in either direction.
            models.Index(fields=["vendor", "updated_at", "id"], name="deals_vendor_updated"),
            models.Index(fields=["vendor", "amount", "id"], name="deals_vendor_amount"),
            models.Index(fields=["vendor", "close_date", "id"], name="deals_vendor_close_date"),
            # The customer sort, and the customer search read from the index alone (PostgreSQL: the columns the
            # search and the default order need are included), whatever share of the deals the text matches.
            models.Index(
                fields=["vendor", "customer_name", "id"],
                include=["customer_key", "registration_status", "updated_at"],
                name="deals_vendor_customer",
            ),
            models.Index(F("vendor"), phase_rank().desc(), F("id").desc(), name="deals_vendor_phase_rank"),
            # How many deals closed and when one last changed: the version of stored insights, from the index alone.
            models.Index(
                fields=["vendor", "phase", "registration_status", "updated_at"],
                name="deals_vendor_phase_changes",
            ),
            # Newest registration first with drafts last: ``deals_vendor_registered_desc``, made by migration 0004
            # on PostgreSQL only (SQLite has no NULLS LAST in indexes); oldest first reads the KPI index above.
        ]

    def __str__(self):
        return f"{self.customer_name} — {self.title}"

    @property
    def is_open(self) -> bool:
        return self.phase in OPEN_PHASES

    @property
    def is_closed(self) -> bool:
        return self.phase in CLOSED_PHASES

    @property
    def is_editable_registration(self) -> bool:
        return self.registration_status in (RegistrationStatus.DRAFT, RegistrationStatus.RETURNED)

    @property
    def reason_lines(self) -> list[str]:
        return [line for line in self.proposal_reason.splitlines() if line.strip()]


class PhaseChange(models.Model):
    """Every phase a deal went through, with when and by whom (the first row is the phase at creation)."""

    vendor = models.ForeignKey(Vendor, on_delete=models.CASCADE, related_name="+")
    deal = models.ForeignKey(Deal, on_delete=models.CASCADE, related_name="phase_changes")
    from_phase = models.CharField(max_length=32, choices=Phase.choices, blank=True)
    to_phase = models.CharField(max_length=32, choices=Phase.choices)
    changed_at = models.DateTimeField()
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )

    objects = ScopedManager(vendor="vendor")

    class Meta:
        ordering = ["changed_at", "pk"]
        indexes = [models.Index(fields=["vendor", "deal", "changed_at"])]

    def __str__(self):
        return f"{self.deal_id}: {self.from_phase or '-'} → {self.to_phase}"


class RegistrationEvent(models.Model):
    """A step of the registration workflow (submit, approve, reject, return) with its reason."""

    vendor = models.ForeignKey(Vendor, on_delete=models.CASCADE, related_name="+")
    deal = models.ForeignKey(Deal, on_delete=models.CASCADE, related_name="registration_events")
    from_status = models.CharField(max_length=16, choices=RegistrationStatus.choices)
    to_status = models.CharField(max_length=16, choices=RegistrationStatus.choices)
    reason = models.TextField(_("reason"), blank=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    at = models.DateTimeField()

    objects = ScopedManager(vendor="vendor")

    class Meta:
        ordering = ["at", "pk"]

    def __str__(self):
        return f"{self.deal_id}: {self.from_status} → {self.to_status}"


class ConflictMatch(models.TextChoices):
    NAME = "name", _("Same customer name")
    CORPORATE_NUMBER = "corporate_number", _("Same corporate number")


class RegistrationConflict(models.Model):
    """Two partners registered the same customer (DESIGN §4); open until a channel manager resolves it."""

    vendor = models.ForeignKey(Vendor, on_delete=models.CASCADE, related_name="+")
    # ``deal`` is the one whose submission found the conflict, ``other`` the one already registered.
    deal = models.ForeignKey(Deal, on_delete=models.CASCADE, related_name="conflicts_found")
    other = models.ForeignKey(Deal, on_delete=models.CASCADE, related_name="conflicts_suffered")
    match = models.CharField(_("match"), max_length=16, choices=ConflictMatch.choices)
    detected_at = models.DateTimeField(_("detected"))
    resolved_at = models.DateTimeField(_("resolved"), null=True, blank=True)
    resolved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    # The deal kept when resolving; null with ``resolved_at`` set means "not a conflict, both kept".
    kept = models.ForeignKey(Deal, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    resolution_note = models.TextField(_("resolution note"), blank=True)

    objects = ScopedManager(vendor="vendor")

    class Meta:
        verbose_name = _("registration conflict")
        verbose_name_plural = _("registration conflicts")
        ordering = ["-detected_at", "-pk"]
        constraints = [
            models.UniqueConstraint(fields=["vendor", "deal", "other"], name="one_conflict_per_pair"),
        ]

    def __str__(self):
        return f"{self.deal_id} × {self.other_id}"

    @property
    def is_open(self) -> bool:
        return self.resolved_at is None

    @property
    def deals(self) -> tuple[Deal, Deal]:
        return (self.other, self.deal)


class ActivityActor(models.TextChoices):
    CHAMPION = "champion", _("Champion")
    PARTNER = "partner", _("Partner")
    VENDOR = "vendor", _("Vendor")


class ActivityType(models.TextChoices):
    INTERNAL_BRIEFING = "internal_briefing", _("Internal briefing")
    DRAFTED_RINGI = "drafted_ringi", _("Drafted ringi")
    BRIEFED_ECONOMIC_BUYER = "briefed_economic_buyer", _("Briefed the economic buyer")
    BUDGET_REQUEST = "budget_request", _("Budget request")
    SHARED_CRITERIA = "shared_criteria", _("Shared decision criteria")
    SHARED_COMPETITOR_INFO = "shared_competitor_info", _("Shared competitor information")
    SET_MEETING = "set_meeting", _("Set up a meeting")


class ActivityTarget(models.TextChoices):
    ECONOMIC_BUYER = "economic_buyer", pgettext_lazy("champion target", "Economic buyer")
    CO_REVIEWERS = "co_reviewers", pgettext_lazy("champion target", "Co-reviewers")
    USERS = "users", pgettext_lazy("champion target", "Users")


class ActivityOutcome(models.TextChoices):
    ADVANCED = "advanced", _("Advanced")
    STALLED = "stalled", _("Stalled")
    REGRESSED = "regressed", _("Regressed")


class ChampionActivity(models.Model):
    """One line of the champion log, in the fixed format of DESIGN §4."""

    vendor = models.ForeignKey(Vendor, on_delete=models.CASCADE, related_name="+")
    deal = models.ForeignKey(Deal, on_delete=models.CASCADE, related_name="champion_activities")
    date = models.DateField(_("date"))
    actor = models.CharField(_("who acted"), max_length=16, choices=ActivityActor.choices)
    activity_type = models.CharField(_("activity"), max_length=32, choices=ActivityType.choices)
    target = models.CharField(_("towards"), max_length=16, choices=ActivityTarget.choices)
    outcome = models.CharField(_("outcome"), max_length=16, choices=ActivityOutcome.choices)
    next_step = models.CharField(_("next step"), max_length=200, blank=True)
    logged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("logged by"), on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    objects = ScopedManager(vendor="vendor")

    class Meta:
        verbose_name = _("champion activity")
        verbose_name_plural = _("champion activities")
        ordering = ["-date", "-pk"]
        indexes = [models.Index(fields=["vendor", "deal", "date"])]

    def __str__(self):
        return f"{self.date} {self.get_activity_type_display()}"
