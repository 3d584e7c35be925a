"""Who manages a vendor's webhooks: one named rule, for pages, API and services alike."""

from prm.tenancy import Access


def can_manage_webhooks(access: Access) -> bool:
    """Webhooks send every event of the vendor out of the product: vendor admins only."""
    return access.is_vendor_admin
