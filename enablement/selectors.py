"""Reads for enablement content, always through the caller's access.

Vendor staff see every content of the vendor and every funnel. A partner user sees a content only through
their own delivery of it: no delivery (not in the audience, another company's content, a draft) is 404.
"""

from dataclasses import dataclass

from django.db.models import Case, Count, IntegerField, OuterRef, Prefetch, Q, QuerySet, Subquery, Value, When
from django.db.models.functions import Coalesce
from django.http import Http404
from django.shortcuts import get_object_or_404

from enablement.models import Content, ContentAudience, Delivery, QuizQuestion
from enablement.permissions import can_manage_content
from partners.models import PartnerCompany, Tier
from prm.tenancy import Access

STAGE_FIELDS = {"opened": "opened_at", "read": "read_at", "understood": "understood_at"}


def funnel_counts(prefix: str = "") -> dict:
    """``delivered``/``opened``/``read``/``understood`` counts over deliveries reached through ``prefix``."""
    path = f"{prefix}__" if prefix else ""
    counts = {"delivered": Count(f"{path}pk")}
    for stage, column in STAGE_FIELDS.items():
        counts[stage] = Count(f"{path}pk", filter=Q(**{f"{path}{column}__isnull": False}))
    return counts


@dataclass(frozen=True)
class Funnel:
    delivered: int
    opened: int
    read: int
    understood: int

    @classmethod
    def of(cls, row) -> "Funnel":
        get = row.get if isinstance(row, dict) else lambda key: getattr(row, key)
        return cls(*(get(key) or 0 for key in ("delivered", "opened", "read", "understood")))

    def rate(self, count: int) -> int | None:
        return round(100 * count / self.delivered) if self.delivered else None

    @property
    def steps(self) -> list[tuple[str, int, int | None]]:
        """(stage, count, percent of delivered) in funnel order."""
        return [
            ("delivered", self.delivered, self.rate(self.delivered)),
            ("opened", self.opened, self.rate(self.opened)),
            ("read", self.read, self.rate(self.read)),
            ("understood", self.understood, self.rate(self.understood)),
        ]

    @property
    def not_opened(self) -> int:
        return self.delivered - self.opened


def question_count() -> Coalesce:
    counted = (
        QuizQuestion.objects.filter(content=OuterRef("pk"))
        .order_by()
        .values("content")
        .annotate(n=Count("pk"))
        .values("n")
    )
    return Coalesce(Subquery(counted, output_field=IntegerField()), Value(0))


def audience_prefetch() -> Prefetch:
    """Tiers first, from the top tier down, then named partners by name."""
    tier_rank = Case(
        *(When(tier=tier, then=Value(rank)) for rank, tier in enumerate(Tier.values)),
        default=Value(len(Tier.values)),
        output_field=IntegerField(),
    )
    return Prefetch(
        "audience",
        queryset=ContentAudience.objects.select_related("partner").order_by(tier_rank, "partner__name", "pk"),
    )


def contents_for_staff(access: Access) -> QuerySet[Content]:
    """Every content of the vendor with its funnel counts, its audience and its number of quiz questions."""
    return (
        Content.objects.select_related("created_by")
        .annotate(**funnel_counts("deliveries"), question_total=question_count())
        .prefetch_related(audience_prefetch())
    )


def content_get_for_staff(access: Access, content_id: int) -> Content:
    if not can_manage_content(access):
        raise Http404
    return get_object_or_404(Content.objects.prefetch_related(audience_prefetch()), pk=content_id)


def content_funnel(content: Content) -> Funnel:
    return Funnel.of(Delivery.objects.filter(content=content).aggregate(**funnel_counts()))


def funnel_by_partner(content: Content) -> QuerySet:
    """One row per partner the content reached: its name, tier and funnel counts."""
    return (
        Delivery.objects.filter(content=content)
        .values("partner", "partner__name", "partner__tier")
        .annotate(**funnel_counts())
        .order_by("partner__name", "partner")
    )


def recipients_of(content: Content) -> QuerySet[Delivery]:
    return Delivery.objects.filter(content=content).select_related("recipient", "partner")


def partner_funnels(access: Access) -> QuerySet[PartnerCompany]:
    """Every partner with its funnel over all the content it received."""
    return PartnerCompany.objects.annotate(**funnel_counts("content_deliveries"))


def partner_get_for_staff(access: Access, partner_id: int) -> PartnerCompany:
    return get_object_or_404(PartnerCompany.objects.all(), pk=partner_id)


def partner_content_funnels(access: Access, partner: PartnerCompany) -> QuerySet[Content]:
    """The contents that reached ``partner``, each with the funnel of that partner's recipients only (the
    filter comes before the counts, so they count the partner's deliveries alone)."""
    return Content.objects.filter(deliveries__partner=partner).annotate(**funnel_counts("deliveries"))


# Partner side ------------------------------------------------------------------------------------------------

INBOX_NEW, INBOX_PENDING, INBOX_DONE = "new", "pending", "done"
INBOX_STATES = {
    INBOX_NEW: Q(opened_at=None),
    INBOX_PENDING: Q(opened_at__isnull=False, understood_at=None),
    INBOX_DONE: Q(understood_at__isnull=False),
}


def inbox_of(access: Access) -> QuerySet[Delivery]:
    """The caller's own deliveries of published content; what is not understood yet first, newest first."""
    return (
        Delivery.objects.filter(recipient=access.user, content__published_at__isnull=False)
        .select_related("content")
        .annotate(question_total=question_count_for_delivery())
    )


def question_count_for_delivery() -> Coalesce:
    counted = (
        QuizQuestion.objects.filter(content=OuterRef("content"))
        .order_by()
        .values("content")
        .annotate(n=Count("pk"))
        .values("n")
    )
    return Coalesce(Subquery(counted, output_field=IntegerField()), Value(0))


def inbox_counts(access: Access) -> dict[str, int]:
    qs = Delivery.objects.filter(recipient=access.user, content__published_at__isnull=False)
    return qs.aggregate(
        all=Count("pk"), **{state: Count("pk", filter=condition) for state, condition in INBOX_STATES.items()}
    )


def delivery_get(access: Access, content_id: int) -> Delivery:
    """The caller's delivery of the content, or 404 (not theirs, not published, another vendor's)."""
    return get_object_or_404(
        Delivery.objects.select_related("content", "partner"),
        recipient=access.user,
        content_id=content_id,
        content__published_at__isnull=False,
    )
