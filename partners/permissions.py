"""Who may invite, deactivate and reactivate whom: one named function per rule, for pages, API and services."""

from partners.models import PARTNER_ROLES, VENDOR_ROLES, Membership, PartnerCompany, Role
from prm.tenancy import Access, memberships_of


def invitable_roles(access: Access, partner: PartnerCompany | None) -> set[str]:
    """The roles ``access`` may invite someone with, into ``partner`` (None: the vendor's own staff)."""
    if access.is_vendor_admin:
        return set(PARTNER_ROLES) if partner else set(VENDOR_ROLES)
    if access.role == Role.PARTNER_ADMIN and partner is not None and partner.pk == access.partner.pk:
        return {Role.PARTNER_REP, Role.PARTNER_ADMIN}
    return set()


def can_manage_member(access: Access, membership: Membership) -> bool:
    """Vendor admins manage anyone's membership; partner admins their own company's."""
    own_company = access.role == Role.PARTNER_ADMIN and membership.partner_id == access.partner.pk
    return access.is_vendor_admin or own_company


def can_reactivate_member(access: Access, membership: Membership) -> bool:
    """A vendor admin's deactivation stands until a vendor admin reverses it."""
    return can_manage_member(access, membership) and (
        access.is_vendor_admin or not membership.deactivated_by_vendor
    )


def can_onboard_partners(access: Access) -> bool:
    """Creating partner companies and changing their name, tier, status and channel manager: vendor admins."""
    return access.is_vendor_admin


def can_track_onboarding(access: Access) -> bool:
    """Ticking a partner's onboarding checklist: vendor staff."""
    return access.is_vendor_staff


def can_change_vendor_settings(access: Access) -> bool:
    return access.is_vendor_admin


def can_manage_company_users(access: Access, partner: PartnerCompany) -> bool:
    """Inviting and managing a partner company's users: vendor admins, and that company's partner admins."""
    return access.is_vendor_admin or (access.role == Role.PARTNER_ADMIN and access.partner.pk == partner.pk)


def can_stay_signed_in(user) -> bool:
    """ "Remember this device" keeps a long session on a partner user's own phone; vendor staff (who hold every
    partner's numbers) sign in again each day, with their second factor where they have one."""
    return not any(membership.role in VENDOR_ROLES for membership in memberships_of(user))
