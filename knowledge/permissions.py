"""Who may see and drive the KPIs: one named function per rule, for pages, API and services alike."""

from partners.models import Role
from prm.tenancy import Access

RECOMPUTE_ROLES = (Role.VENDOR_ADMIN, Role.CHANNEL_MANAGER)


def compares_partners(access: Access) -> bool:
    """Vendor staff compare partners; partner users see their own company's scorecard against benchmarks."""
    return access.is_vendor_staff


def can_recompute_kpis(access) -> bool:
    """Asking for a recompute and following its progress: vendor staff (``access`` or a membership)."""
    return access.role in RECOMPUTE_ROLES


def can_log_support(access: Access) -> bool:
    """Keeping the support log of what the vendor did for each partner: vendor staff."""
    return access.is_vendor_staff
