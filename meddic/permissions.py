"""Who may vouch for MEDDIC facts: one named function per rule, for pages, API and services alike."""

from prm.tenancy import Access


def can_verify_elements(access: Access) -> bool:
    """Marking an element verified, and the vendor's own assertions (DESIGN §17), are the vendor staff's; a change
    by anyone else to a verified element ends its verification."""
    return access.is_vendor_staff


def can_change_weights(access: Access) -> bool:
    return access.is_vendor_admin


def can_review_deals(access: Access) -> bool:
    """Reviewing a deal's qualification and asking its partner for missing facts: vendor staff."""
    return access.is_vendor_staff
