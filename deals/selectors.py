"""Reads for deals, always through the caller's access.

Partner users see their own company's deals (drafts included); vendor staff see every partner's registered
deals but not partners' unsubmitted drafts. Anything else is 404.
"""

from django.db.models import Exists, OuterRef, Q, QuerySet
from django.shortcuts import get_object_or_404

from deals.models import ChampionActivity, Deal, PhaseChange, RegistrationConflict, RegistrationStatus
from prm.tenancy import Access


def open_conflict_exists() -> Exists:
    """Annotation: the deal is in an unresolved registration conflict."""
    return Exists(
        RegistrationConflict.objects.filter(
            Q(deal=OuterRef("pk")) | Q(other=OuterRef("pk")), resolved_at=None
        )
    )


def deals_visible(access: Access) -> QuerySet[Deal]:
    qs = Deal.objects.select_related("partner", "owner", "score").annotate(
        has_conflict=open_conflict_exists()
    )
    if access.is_partner_role:
        return qs.filter(partner=access.partner)
    return qs.exclude(registration_status=RegistrationStatus.DRAFT)


def deal_get(access: Access, deal_id: int) -> Deal:
    """The deal, or 404 when it does not exist or the caller cannot see it."""
    return get_object_or_404(deals_visible(access), pk=deal_id)


def deal_elements(deal: Deal) -> dict:
    """The deal's six elements keyed by code, in the template's order."""
    from meddic.models import ElementCode

    elements = {element.code: element for element in deal.elements.all()}
    return {code: elements[code] for code in ElementCode.values if code in elements}


def champion_log(deal: Deal) -> QuerySet[ChampionActivity]:
    """Newest first."""
    return deal.champion_activities.select_related("logged_by").order_by("-date", "-pk")


def phase_history(deal: Deal) -> QuerySet[PhaseChange]:
    return deal.phase_changes.select_related("changed_by").order_by("changed_at", "pk")


def conflicts_visible(access: Access) -> QuerySet[RegistrationConflict]:
    """Vendor staff work on conflicts; partners only see the flag on their own deals."""
    qs = RegistrationConflict.objects.select_related(
        "deal__partner", "deal__owner", "other__partner", "other__owner", "resolved_by", "kept"
    )
    if access.is_partner_role:
        return qs.none()
    return qs


def conflict_get(access: Access, conflict_id: int) -> RegistrationConflict:
    return get_object_or_404(conflicts_visible(access), pk=conflict_id)


def conflicts_of(deal: Deal) -> QuerySet[RegistrationConflict]:
    return RegistrationConflict.objects.filter(Q(deal=deal) | Q(other=deal)).select_related(
        "deal__partner", "other__partner", "resolved_by"
    )
