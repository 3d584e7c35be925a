"""What the dashboard shows of the vendor's review: for partners, the questions to answer and what to do next on
their deals; for vendor staff, the review work waiting for them. A few constant queries each."""

from django.db.models import Count, F, Q

from deals.models import OPEN_PHASES
from deals.selectors import deals_visible
from meddic import scoring
from meddic.models import InfoRequest, InfoRequestStatus, ReviewState
from partners.models import Role
from prm.clock import vendor_today
from prm.tenancy import Access

SHOWN = 6


def _partner_deals(access: Access):
    deals = deals_visible(access)
    if access.role == Role.PARTNER_REP:
        deals = deals.filter(owner=access.user)
    return deals


def partner_review(access: Access) -> dict:
    """Open questions from the vendor (overdue and soonest due first) and the open deals with the most risk
    flags, each with its first flag's next action."""
    today = vendor_today(access.vendor)
    deals = _partner_deals(access)
    questions = (
        InfoRequest.objects.filter(deal__in=deals.values("pk"), status=InfoRequestStatus.OPEN)
        .select_related("deal", "requested_by")
        .order_by("due_date", "pk")
    )
    flagged = deals.filter(phase__in=OPEN_PHASES, score__flag_count__gt=0).order_by(
        "-score__flag_count", "close_date", "pk"
    )
    next_steps = []
    for deal in flagged[:SHOWN]:
        codes = [code for code in deal.score.flags if code in scoring.FLAGS]
        first = scoring.FLAGS[codes[0]] if codes else None
        next_steps.append({"deal": deal, "flag_count": deal.score.flag_count, "next": first})
    shown = list(questions[:SHOWN])
    return {
        "questions": [{"request": r, "overdue": r.due_date < today} for r in shown],
        "question_count": questions.count(),
        "next_steps": next_steps,
        "flagged_count": flagged.count(),
    }


def vendor_review(access: Access) -> dict:
    """The caller's review work: for channel managers their own partners, for vendor admins every partner."""
    today = vendor_today(access.vendor)
    deals = deals_visible(access).filter(phase__in=OPEN_PHASES)
    if access.role == Role.CHANNEL_MANAGER:
        deals = deals.filter(partner__channel_manager=access.user)
    counts = deals.aggregate(
        unreviewed=Count("pk", filter=Q(review__isnull=True) | Q(review__state=ReviewState.UNREVIEWED)),
        needs_info=Count("pk", filter=Q(review__state=ReviewState.NEEDS_INFO)),
    )
    requests = InfoRequest.objects.filter(deal__in=deals.values("pk")).aggregate(
        open=Count("pk", filter=Q(status=InfoRequestStatus.OPEN)),
        overdue=Count("pk", filter=Q(status=InfoRequestStatus.OPEN, due_date__lt=today)),
        answered=Count(
            "pk",
            filter=Q(status=InfoRequestStatus.ANSWERED)
            & (Q(deal__review__isnull=True) | Q(answered_at__gt=F("deal__review__changed_at"))),
        ),
    )
    return {**counts, **{f"requests_{key}": value for key, value in requests.items()}}
