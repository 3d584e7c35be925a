"""Who may do what to a deal: one named function per rule, used by the pages, the API and the services alike.

Which roles may open a page or an endpoint at all is declared on the view (``prm.view_rules``); these rules
decide for one deal.
"""

from deals.models import Deal
from partners.models import Role
from prm.tenancy import Access


def can_edit_deal(access: Access, deal: Deal) -> bool:
    """Reps change their own deals, partner admins their company's; vendor staff only answer MEDDIC elements."""
    if access.role == Role.PARTNER_REP:
        return deal.owner_id == access.user.pk
    if access.role == Role.PARTNER_ADMIN:
        return deal.partner_id == access.partner.pk
    return False


def can_edit_elements(access: Access, deal: Deal) -> bool:
    """MEDDIC answers and the champion log: whoever may change the deal, and vendor staff."""
    return access.is_vendor_staff or can_edit_deal(access, deal)


def can_decide_registration(access: Access) -> bool:
    """Approving, rejecting or returning a registration, and settling a conflict, is the vendor's."""
    return access.is_vendor_staff


def can_import_deals(access: Access) -> bool:
    """Registering many deals from a CSV file: partner admins, for their own company."""
    return access.role == Role.PARTNER_ADMIN


def sees_conflicts(access: Access) -> bool:
    """Registration conflicts name another partner's deal: only the vendor's staff see them."""
    return access.is_vendor_staff
