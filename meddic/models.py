"""The six MEDDIC elements of a deal, each on two axes: how much is known (level) and how sure (evidence).

Codes are contract (DESIGN §4). One row per deal and element; the element-specific answers are columns that
stay blank for the other elements (``ELEMENT_FIELDS`` says which belong to which).
"""

from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from django_scopes import ScopedManager

from deals.models import Deal
from partners.models import Vendor


class ElementCode(models.TextChoices):
    METRICS = "metrics", _("Metrics")
    ECONOMIC_BUYER = "economic_buyer", _("Economic buyer")
    DECISION_CRITERIA = "decision_criteria", _("Decision criteria")
    DECISION_PROCESS = "decision_process", _("Decision process")
    IDENTIFY_PAIN = "identify_pain", _("Identify pain")
    CHAMPION = "champion", _("Champion")


class Level(models.IntegerChoices):
    UNKNOWN = 0, pgettext_lazy("meddic level", "Unknown")
    HYPOTHESIS = 1, pgettext_lazy("meddic level", "Hypothesis")
    CONFIRMED = 2, pgettext_lazy("meddic level", "Confirmed")
    AGREED = 3, pgettext_lazy("meddic level", "Agreed & documented")


class Evidence(models.TextChoices):
    UNKNOWN = "unknown", pgettext_lazy("evidence", "Unknown")
    REPORTED = "reported", pgettext_lazy("evidence", "Reported by partner")
    EVIDENCED = "evidenced", pgettext_lazy("evidence", "Evidenced")
    VERIFIED = "verified", pgettext_lazy("evidence", "Verified by vendor")


EVIDENCE_RANK = {value: rank for rank, value in enumerate(Evidence.values)}


class TitleLevel(models.TextChoices):
    STAFF = "staff", _("Staff")
    SECTION_HEAD = "section_head", _("Section head")
    DEPARTMENT_HEAD = "department_head", _("Department head")
    EXECUTIVE = "executive", _("Division head / executive")
    PRESIDENT = "president", _("President")
    UNKNOWN = "unknown", pgettext_lazy("title level", "Unknown")


class BuyerAccess(models.TextChoices):
    NONE = "none", _("No access")
    VIA_PARTNER = "via_partner", _("Via the partner")
    VENDOR_MET = "vendor_met", _("Vendor has met them")


class Criterion(models.TextChoices):
    PRICE = "price", _("Price")
    FEATURES = "features", _("Features")
    SUPPORT = "support", _("Support")
    SECURITY = "security", _("Security")
    TRACK_RECORD = "track_record", _("Track record")
    INTEGRATION = "integration", _("Integration")


class Position(models.TextChoices):
    LEADING = "leading", _("Leading")
    EVEN = "even", _("Even")
    BEHIND = "behind", _("Behind")
    UNKNOWN = "unknown", pgettext_lazy("position", "Unknown")


class ApproverLevel(models.TextChoices):
    SECTION_HEAD = "section_head", _("Section head")
    DEPARTMENT_HEAD = "department_head", _("Department head")
    EXECUTIVE = "executive", _("Division head / executive")
    PRESIDENT = "president", _("President")
    MANAGEMENT_COMMITTEE = "management_committee", _("Management committee")
    BOARD = "board", _("Board of directors")
    UNKNOWN = "unknown", pgettext_lazy("approver", "Unknown")


class CoReviewer(models.TextChoices):
    IT = "it", _("IT")
    LEGAL = "legal", _("Legal")
    FINANCE = "finance", _("Finance")
    PROCUREMENT = "procurement", _("Procurement")
    SECURITY = "security", _("Security")


class BudgetStatus(models.TextChoices):
    IN_BUDGET = "in_budget", _("In budget")
    OUT_OF_BUDGET = "out_of_budget", _("Out of budget")
    NEXT_FISCAL_YEAR = "next_fiscal_year", _("Next fiscal year")
    UNKNOWN = "unknown", pgettext_lazy("budget", "Unknown")


class RingiState(models.TextChoices):
    NOT_STARTED = "not_started", _("Not started")
    NEMAWASHI = "nemawashi", _("Nemawashi (groundwork)")
    DRAFTED = "drafted", _("Drafted")
    CIRCULATING = "circulating", _("Circulating")
    APPROVED = "approved", pgettext_lazy("ringi", "Approved")
    RETURNED = "returned", pgettext_lazy("ringi", "Returned")
    UNKNOWN = "unknown", pgettext_lazy("ringi", "Unknown")


class Urgency(models.TextChoices):
    THIS_QUARTER = "this_quarter", _("This quarter")
    THIS_HALF = "this_half", _("This half-year")
    THIS_YEAR = "this_year", _("This year")
    UNDECIDED = "undecided", _("Undecided")
    UNKNOWN = "unknown", pgettext_lazy("urgency", "Unknown")


class ChampionStatus(models.TextChoices):
    VERIFIED = "verified", pgettext_lazy("champion", "Verified")
    REPORTED = "reported", pgettext_lazy("champion", "Reported")
    COACH_ONLY = "coach_only", _("Coach only")
    NONE = "none", _("None")
    UNKNOWN = "unknown", pgettext_lazy("champion", "Unknown")


class TriState(models.TextChoices):
    YES = "yes", _("Yes")
    NO = "no", _("No")
    UNKNOWN = "unknown", pgettext_lazy("yes/no", "Unknown")


class VerificationMethod(models.TextChoices):
    JOINT_VISIT = "joint_visit", _("Joint visit with the partner")
    ECONOMIC_BUYER_CALL = "economic_buyer_call", _("Call or meeting with the economic buyer")
    CUSTOMER_MEETING = "customer_meeting", _("Meeting with the customer")
    DOCUMENT = "document", _("Customer document reviewed")
    OTHER = "other", _("Other")


# Which answer fields belong to which element (API ``meddic`` objects carry exactly these plus the axes).
ELEMENT_FIELDS: dict[str, tuple[str, ...]] = {
    ElementCode.METRICS: (),
    ElementCode.ECONOMIC_BUYER: ("title_level", "access"),
    ElementCode.DECISION_CRITERIA: ("criteria", "position", "competitors"),
    ElementCode.DECISION_PROCESS: ("final_approver_level", "co_reviewers", "budget_status", "ringi_state"),
    ElementCode.IDENTIFY_PAIN: ("severity", "urgency"),
    ElementCode.CHAMPION: ("status", "power_influence", "sells_internally", "vested_interest"),
}
COMMON_FIELDS = ("level", "evidence", "note")
MULTI_FIELDS = {"criteria": Criterion, "co_reviewers": CoReviewer}


class MeddicElement(models.Model):
    vendor = models.ForeignKey(Vendor, on_delete=models.CASCADE, related_name="+")
    deal = models.ForeignKey(Deal, on_delete=models.CASCADE, related_name="elements")
    code = models.CharField(_("element"), max_length=32, choices=ElementCode.choices)
    level = models.PositiveSmallIntegerField(_("level"), choices=Level.choices, default=Level.UNKNOWN)
    evidence = models.CharField(
        _("evidence"), max_length=16, choices=Evidence.choices, default=Evidence.UNKNOWN
    )
    note = models.CharField(_("note"), max_length=500, blank=True)
    last_confirmed_at = models.DateTimeField(_("last confirmed"), null=True, blank=True)

    # economic_buyer
    title_level = models.CharField(
        _("Their title"), max_length=32, choices=TitleLevel.choices, default=TitleLevel.UNKNOWN
    )
    access = models.CharField(
        _("Access to them"), max_length=16, choices=BuyerAccess.choices, default=BuyerAccess.NONE
    )
    # decision_criteria
    criteria = models.JSONField(_("Criteria that matter"), default=list, blank=True)
    position = models.CharField(
        _("Our position"), max_length=16, choices=Position.choices, default=Position.UNKNOWN
    )
    competitors = models.CharField(_("competitors"), max_length=200, blank=True)
    # decision_process
    final_approver_level = models.CharField(
        _("final approver"), max_length=32, choices=ApproverLevel.choices, default=ApproverLevel.UNKNOWN
    )
    co_reviewers = models.JSONField(_("co-reviewers"), default=list, blank=True)
    budget_status = models.CharField(
        _("budget"), max_length=32, choices=BudgetStatus.choices, default=BudgetStatus.UNKNOWN
    )
    ringi_state = models.CharField(
        _("ringi state"), max_length=16, choices=RingiState.choices, default=RingiState.UNKNOWN
    )
    # identify_pain
    severity = models.PositiveSmallIntegerField(_("Severity"), null=True, blank=True)
    urgency = models.CharField(_("urgency"), max_length=16, choices=Urgency.choices, default=Urgency.UNKNOWN)
    # champion
    status = models.CharField(
        pgettext_lazy("champion", "Status"),
        max_length=16,
        choices=ChampionStatus.choices,
        default=ChampionStatus.UNKNOWN,
    )
    power_influence = models.CharField(
        _("has power and influence"), max_length=8, choices=TriState.choices, default=TriState.UNKNOWN
    )
    sells_internally = models.CharField(
        _("sells for us internally"), max_length=8, choices=TriState.choices, default=TriState.UNKNOWN
    )
    vested_interest = models.CharField(
        _("has a vested interest"), max_length=8, choices=TriState.choices, default=TriState.UNKNOWN
    )
    # How the vendor verified the element (set with evidence "verified" by vendor staff).
    verified_by = models.ForeignKey(
        "partners.User",
        verbose_name=_("verified by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    verified_at = models.DateTimeField(_("verified"), null=True, blank=True)
    verification_method = models.CharField(
        _("verified through"), max_length=32, choices=VerificationMethod.choices, blank=True
    )
    verification_note = models.CharField(_("how it was verified"), max_length=500, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = ScopedManager(vendor="vendor")

    class Meta:
        verbose_name = _("MEDDIC element")
        verbose_name_plural = _("MEDDIC elements")
        constraints = [
            models.UniqueConstraint(fields=["vendor", "deal", "code"], name="one_element_per_deal_and_code"),
            models.CheckConstraint(condition=models.Q(level__lte=3), name="element_level_0_to_3"),
            models.CheckConstraint(
                condition=models.Q(severity__isnull=True) | models.Q(severity__gte=1, severity__lte=5),
                name="pain_severity_1_to_5",
            ),
        ]
        indexes = [
            models.Index(fields=["vendor", "code", "evidence"]),
            # The nightly re-score finds the elements whose freshness crossed a threshold (meddic.rescore).
            models.Index(fields=["vendor", "last_confirmed_at", "deal"], name="meddic_element_confirmed"),
        ]

    def __str__(self):
        return f"{self.deal_id}:{self.code}"

    @property
    def fields(self) -> tuple[str, ...]:
        return ELEMENT_FIELDS[self.code]

    def as_dict(self) -> dict:
        """The element's answers as the API and the audit history see them."""
        return {name: getattr(self, name) for name in (*COMMON_FIELDS, *self.fields)}


class ForecastCategory(models.TextChoices):
    PIPELINE = "pipeline", _("Pipeline")
    BEST_CASE = "best_case", _("Best case")
    COMMIT = "commit", _("Commit")
    CLOSED = "closed", pgettext_lazy("forecast", "Closed")
    OMITTED = "omitted", _("Omitted")


class ElementWeight(models.Model):
    """A vendor's weight of one element in Q and V (DESIGN §5); an element without a row weighs 1."""

    vendor = models.ForeignKey(Vendor, on_delete=models.CASCADE, related_name="+")
    code = models.CharField(_("element"), max_length=32, choices=ElementCode.choices)
    weight = models.PositiveSmallIntegerField(_("weight"), default=1)

    objects = ScopedManager(vendor="vendor")

    class Meta:
        verbose_name = _("element weight")
        verbose_name_plural = _("element weights")
        constraints = [models.UniqueConstraint(fields=["vendor", "code"], name="one_weight_per_element")]

    def __str__(self):
        return f"{self.code}={self.weight}"


class DealScore(models.Model):
    """The derived qualification of a deal (DESIGN §5), recomputed from its facts by ``meddic.scoring``.

    ``flag_codes`` holds the raised flags as ``,code,code,`` so that one ``contains`` filter finds a flag on
    every database.
    """

    vendor = models.ForeignKey(Vendor, on_delete=models.CASCADE, related_name="+")
    deal = models.OneToOneField(Deal, on_delete=models.CASCADE, primary_key=True, related_name="score")
    quality = models.PositiveSmallIntegerField(_("quality"))
    visibility = models.PositiveSmallIntegerField(_("visibility"))
    forecast_category = models.CharField(
        _("forecast category"), max_length=16, choices=ForecastCategory.choices
    )
    flag_codes = models.CharField(max_length=400, blank=True)
    flag_count = models.PositiveSmallIntegerField(default=0)
    computed_at = models.DateTimeField()

    objects = ScopedManager(vendor="vendor")

    class Meta:
        indexes = [
            models.Index(fields=["vendor", "forecast_category"]),
            # Scores changed since a moment: the periods the nightly KPI job recomputes.
            models.Index(fields=["vendor", "computed_at"], name="meddic_score_computed"),
            # The deal list sorted by quality or visibility reads its page from these (``deals.filters``).
            models.Index(fields=["vendor", "quality", "deal"], name="meddic_score_quality"),
            models.Index(fields=["vendor", "visibility", "deal"], name="meddic_score_visibility"),
        ]

    def __str__(self):
        return f"{self.deal_id}: Q{self.quality} V{self.visibility}"

    @property
    def flags(self) -> list[str]:
        return [code for code in self.flag_codes.split(",") if code]


class RescoreDay(models.Model):
    """The last day (in the vendor's calendar) the nightly re-score ran for a vendor: the next run covers the days
    after it, so a missed night is caught up (``meddic.rescore``)."""

    vendor = models.OneToOneField(Vendor, on_delete=models.CASCADE, related_name="+")
    last_day = models.DateField()

    objects = ScopedManager(vendor="vendor")

    def __str__(self):
        return f"{self.vendor_id}: {self.last_day}"


class ScoreHistory(models.Model):
    """Each time a deal's score changed: the trend behind the sparkline on the deal page."""

    vendor = models.ForeignKey(Vendor, on_delete=models.CASCADE, related_name="+")
    deal = models.ForeignKey(Deal, on_delete=models.CASCADE, related_name="score_history")
    quality = models.PositiveSmallIntegerField()
    visibility = models.PositiveSmallIntegerField()
    forecast_category = models.CharField(max_length=16, choices=ForecastCategory.choices)
    flag_codes = models.CharField(max_length=400, blank=True)
    at = models.DateTimeField()

    objects = ScopedManager(vendor="vendor")

    class Meta:
        ordering = ["at", "pk"]
        indexes = [models.Index(fields=["vendor", "deal", "at"])]

    def __str__(self):
        return f"{self.deal_id}@{self.at:%Y-%m-%d}: Q{self.quality} V{self.visibility}"


# --- Review by the vendor (DESIGN §5) ----------------------------------------------------------------------------


class ReviewState(models.TextChoices):
    UNREVIEWED = "unreviewed", _("Unreviewed")
    NEEDS_INFO = "needs_info", _("Needs info")
    QUALIFIED = "qualified", _("Qualified")
    DISQUALIFIED = "disqualified", _("Disqualified")


class DealReview(models.Model):
    """Where the vendor's review of a deal stands. A deal without a row is unreviewed; every change is in the
    audit history (action ``deal.review``) with its note."""

    vendor = models.ForeignKey(Vendor, on_delete=models.CASCADE, related_name="+")
    deal = models.OneToOneField(Deal, on_delete=models.CASCADE, primary_key=True, related_name="review")
    state = models.CharField(
        _("review state"), max_length=16, choices=ReviewState.choices, default=ReviewState.UNREVIEWED
    )
    note = models.CharField(_("review note"), max_length=500, blank=True)
    changed_by = models.ForeignKey(
        "partners.User", verbose_name=_("reviewed by"), on_delete=models.SET_NULL, null=True, related_name="+"
    )
    changed_at = models.DateTimeField(_("reviewed"))

    objects = ScopedManager(vendor="vendor")

    class Meta:
        verbose_name = _("deal review")
        verbose_name_plural = _("deal reviews")
        indexes = [models.Index(fields=["vendor", "state"])]

    def __str__(self):
        return f"{self.deal_id}: {self.state}"


class InfoRequestStatus(models.TextChoices):
    OPEN = "open", pgettext_lazy("info request", "Open")
    ANSWERED = "answered", pgettext_lazy("info request", "Answered")
    CANCELLED = "cancelled", pgettext_lazy("info request", "Withdrawn")


class InfoRequest(models.Model):
    """The vendor asks the partner for a missing fact of one element, by a due date; the partner answers on the
    deal, which updates the element."""

    vendor = models.ForeignKey(Vendor, on_delete=models.CASCADE, related_name="+")
    deal = models.ForeignKey(Deal, on_delete=models.CASCADE, related_name="info_requests")
    element = models.CharField(_("element"), max_length=32, choices=ElementCode.choices)
    question = models.CharField(_("question"), max_length=500)
    due_date = models.DateField(_("due date"))
    status = models.CharField(
        pgettext_lazy("info request", "status"),
        max_length=16,
        choices=InfoRequestStatus.choices,
        default=InfoRequestStatus.OPEN,
    )
    requested_by = models.ForeignKey(
        "partners.User", verbose_name=_("asked by"), on_delete=models.SET_NULL, null=True, related_name="+"
    )
    requested_at = models.DateTimeField(_("asked"))
    answer = models.CharField(_("answer"), max_length=1000, blank=True)
    answered_by = models.ForeignKey(
        "partners.User", verbose_name=_("answered by"), on_delete=models.SET_NULL, null=True, related_name="+"
    )
    answered_at = models.DateTimeField(_("answered"), null=True, blank=True)

    objects = ScopedManager(vendor="vendor")

    class Meta:
        verbose_name = _("info request")
        verbose_name_plural = _("info requests")
        indexes = [
            models.Index(fields=["vendor", "status", "due_date"]),
            models.Index(fields=["deal", "status"]),
        ]

    def __str__(self):
        return f"{self.deal_id}:{self.element}:{self.status}"

    @property
    def is_open(self) -> bool:
        return self.status == InfoRequestStatus.OPEN
