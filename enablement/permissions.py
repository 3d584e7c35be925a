"""Who manages enablement content: one named function per rule, for pages, API and services alike."""

from prm.tenancy import Access


def can_manage_content(access: Access) -> bool:
    """Vendor staff publish content and see its funnel; partner users receive it in their inbox."""
    return access.is_vendor_staff
