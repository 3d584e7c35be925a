"""Reads for partner companies, memberships and invitations, always through the caller's access."""

from django.db.models import Count, Q, QuerySet
from django.shortcuts import get_object_or_404

from partners.models import VENDOR_ROLES, Invitation, Membership, PartnerCompany, PartnerStatus, Tier
from prm.tenancy import Access


def partners_visible(access: Access) -> QuerySet[PartnerCompany]:
    """Vendor staff see every partner of the vendor; partner roles see only their own company."""
    qs = PartnerCompany.objects.select_related("channel_manager").annotate(
        active_users=Count("memberships", filter=Q(memberships__is_active=True))
    )
    if access.is_partner_role:
        qs = qs.filter(pk=access.partner.pk)
    return qs


def partner_counts(access: Access) -> dict[str, int]:
    """Partners per tier (``tier_<code>``), per status (``status_<code>``) and assigned to the caller (``mine``),
    in one aggregate query over the partners the caller can see."""
    qs = PartnerCompany.objects.all()
    if access.is_partner_role:
        qs = qs.filter(pk=access.partner.pk)
    return qs.aggregate(
        **{f"tier_{tier}": Count("pk", filter=Q(tier=tier)) for tier in Tier.values},
        **{f"status_{status}": Count("pk", filter=Q(status=status)) for status in PartnerStatus.values},
        mine=Count("pk", filter=Q(channel_manager=access.user)),
    )


def partner_get(access: Access, partner_id: int) -> PartnerCompany:
    """The partner, or 404 when it does not exist or is not visible to the caller."""
    return get_object_or_404(partners_visible(access), pk=partner_id)


def partner_members(access: Access, partner: PartnerCompany) -> QuerySet[Membership]:
    return (
        Membership.objects.filter(partner=partner)
        .select_related("user")
        .order_by("-is_active", "user__email")
    )


def member_get(access: Access, membership_id: int) -> Membership:
    """A membership the caller may manage: the whole vendor for vendor admins, their company for partner admins."""
    qs = Membership.objects.select_related("user", "partner")
    if access.is_partner_role:
        qs = qs.filter(partner=access.partner)
    return get_object_or_404(qs, pk=membership_id)


def vendor_staff(access: Access) -> QuerySet[Membership]:
    return (
        Membership.objects.filter(role__in=VENDOR_ROLES)
        .select_related("user")
        .order_by("-is_active", "user__email")
    )


def channel_manager_choices(access: Access, keep=None):
    """Who may be a partner's channel manager: the vendor's active channel managers (vendor admins manage the
    vendor, not partners). ``keep``: a current choice that stays valid while it is not changed."""
    from partners.models import Role, User

    chosen = Q(
        memberships__vendor=access.vendor,
        memberships__role=Role.CHANNEL_MANAGER,
        memberships__is_active=True,
    )
    if keep is not None:
        chosen |= Q(pk=keep.pk)
    return User.objects.filter(chosen).distinct().order_by("name", "email")


def invitations_for(access: Access, partner: PartnerCompany | None = None) -> QuerySet[Invitation]:
    qs = Invitation.objects.select_related("partner", "invited_by")
    if partner is not None:
        return qs.filter(partner=partner)
    return qs.filter(partner__isnull=True)
