"""What the dashboard shows about deals: the work waiting for the caller, in a few constant queries."""

from django.db.models import Case, Count, IntegerField, Q, Sum, Value, When

from deals.models import OPEN_PHASES, RegistrationConflict, RegistrationStatus
from deals.selectors import deals_visible
from partners.models import PartnerCompany, Role
from prm.tenancy import Access

SHOWN = 8
# Number and total amount of open deals, as aggregate arguments.
OPEN_PIPELINE = {
    "open_count": Count("pk", filter=Q(phase__in=OPEN_PHASES)),
    "open_amount": Sum("amount", filter=Q(phase__in=OPEN_PHASES)),
}


def vendor_work(access: Access) -> dict:
    """Registrations waiting for approval (the caller's own partners first, oldest first), open conflicts and
    the open pipeline of every partner."""
    # The caller's partners by key, and partner and owner fetched for the rows shown: a join to the partners would
    # lead the planner to misjudge a big vendor's waiting registrations.
    mine = PartnerCompany.objects.filter(channel_manager=access.user).values("pk")
    waiting = (
        deals_visible(access)
        .filter(registration_status=RegistrationStatus.SUBMITTED)
        .select_related(None)
        .prefetch_related("partner", "owner")
        .annotate(
            mine=Case(When(partner_id__in=mine, then=Value(0)), default=Value(1), output_field=IntegerField())
        )
        .order_by("mine", "registered_at", "pk")
    )
    return {
        "waiting": list(waiting[:SHOWN]),
        "waiting_count": waiting.count(),
        "conflict_count": RegistrationConflict.objects.filter(resolved_at=None).count(),
        **deals_visible(access).aggregate(**OPEN_PIPELINE),
    }


def partner_work(access: Access) -> dict:
    """The caller's (a rep's own, a partner admin's company's) deals that need them, and pipeline totals."""
    deals = deals_visible(access)
    if access.role == Role.PARTNER_REP:
        deals = deals.filter(owner=access.user)
    attention = deals.filter(
        registration_status__in=[RegistrationStatus.RETURNED, RegistrationStatus.DRAFT]
    ).order_by("-registration_status", "-updated_at")
    totals = deals.aggregate(**OPEN_PIPELINE, conflict_count=Count("pk", filter=Q(has_conflict=True)))
    return {"attention": list(attention[:SHOWN]), "attention_count": attention.count(), **totals}
