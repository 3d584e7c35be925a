"""Who hears of each event (DESIGN §10): one rule per event code, used by every channel.

Decisions about a partner's deal reach the partner side (the deal's owner and the company's partner admins);
the partner's actions reach the vendor side (the partner's channel manager, or every channel manager when it
has none, or the vendor admins when the vendor has no channel manager). Whoever caused the event never hears
of it.
"""

from deals.models import Deal
from meddic.models import InfoRequest
from partners.models import Membership, Role

PARTNER_SIDE = frozenset(
    {
        "deal.approved",
        "deal.rejected",
        "deal.returned",
        "info_request.sent",
        "info_request.withdrawn",
        "review.changed",
        "element.verified",
    }
)
VENDOR_SIDE = frozenset(
    {"deal.submitted", "info_request.answered", "element.verification_lost", "deal.won", "deal.lost"}
)
BOTH_SIDES = frozenset(
    {"deal.conflict_flagged", "deal.conflict_resolved", "deal.protection_expiring", "deal.protection_expired"}
)
VENDOR_ADMINS = frozenset({"webhook.disabled"})
# Content goes to the people it was just delivered to.
CONTENT_RECIPIENTS = frozenset({"content.published"})


def _members(**filters) -> list:
    rows = Membership.objects.filter(is_active=True, user__is_active=True, **filters).select_related("user")
    return [membership.user for membership in rows.order_by("pk")]


def vendor_side(partner) -> list:
    """The partner's channel manager; every channel manager when it has none; the vendor admins when the vendor
    has no channel manager."""
    manager = partner.channel_manager
    if manager is not None and manager.is_active and _members(user=manager, role=Role.CHANNEL_MANAGER):
        return [manager]
    return _members(role=Role.CHANNEL_MANAGER) or _members(role=Role.VENDOR_ADMIN)


def partner_side(deal: Deal) -> list:
    """The deal's owner and their company's partner admins."""
    return [deal.owner, *_members(partner=deal.partner_id, role=Role.PARTNER_ADMIN)]


def audience(event, deal: Deal | None) -> list:
    """The users ``event`` reaches, without duplicates, never its actor."""
    code = event.code
    people = []
    if code in VENDOR_ADMINS:
        people = _members(role=Role.VENDOR_ADMIN)
    elif code in CONTENT_RECIPIENTS:
        from enablement.models import Delivery

        ids = [pk for pk in (event.params or {}).get("deliveries", []) if isinstance(pk, int)]
        deliveries = Delivery.objects.filter(pk__in=ids).select_related("recipient").order_by("pk")
        people = [delivery.recipient for delivery in deliveries]
    elif deal is not None and code in PARTNER_SIDE:
        people = partner_side(deal)
    elif deal is not None and code in VENDOR_SIDE:
        people = vendor_side(deal.partner)
        if code == "info_request.answered" and event.subject_type == "inforequest":
            request = InfoRequest.objects.filter(pk=event.subject_id).select_related("requested_by").first()
            people = [request.requested_by, *people] if request is not None else people
    elif deal is not None and code in BOTH_SIDES:
        people = [*partner_side(deal), *vendor_side(deal.partner)]
    seen, unique = set(), []
    for user in people:
        if user is None or not user.is_active or user.pk in seen or user.pk == event.actor_id:
            continue
        seen.add(user.pk)
        unique.append(user)
    return unique
