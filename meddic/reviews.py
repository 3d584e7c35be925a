"""The vendor's review of deals (DESIGN §5): review state with its history, and info requests.

A channel manager (or vendor admin) sets a deal's review state — one deal or many at once — and asks the partner
for a missing fact of one element with an info request. The partner (the deal's owner or their partner admin)
answers on the deal, which updates the element. Both sides are notified in the app and by email. Every change is
in the deal's audit history.
"""

from datetime import date, timedelta

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from audit.services import audit_record
from deals.models import Deal
from deals.permissions import can_edit_deal
from deals.services import deal_update
from meddic.models import DealReview, ElementCode, InfoRequest, InfoRequestStatus, ReviewState
from meddic.permissions import can_review_deals
from meddic.services import score_refresh, text_clean
from prm.clock import vendor_today
from prm.events import event_record
from prm.tenancy import Access

NOTE_MAX = 500
QUESTION_MAX = 500
ANSWER_MAX = 1000
DUE_MAX_DAYS = 365
DEFAULT_DUE_DAYS = 7


def _require_vendor_staff(access: Access) -> None:
    if not can_review_deals(access):
        raise PermissionDenied(_("Only the vendor reviews deals."))


def review_state_of(deal: Deal) -> str:
    try:
        return deal.review.state
    except DealReview.DoesNotExist:
        return ReviewState.UNREVIEWED


# --- Review state ------------------------------------------------------------------------------------------------


def _review_set(access: Access, deal: Deal, state: str, note: str, now) -> bool:
    Deal.objects.select_for_update().filter(pk=deal.pk).first()  # one review change of a deal at a time
    review = DealReview.objects.filter(deal=deal).first()
    before = review.state if review is not None else ReviewState.UNREVIEWED
    if before == state and not note:
        return False
    if review is None:
        review = DealReview(vendor=access.vendor, deal=deal)
    review.state, review.note, review.changed_by, review.changed_at = state, note, access.user, now
    review.save()
    audit_record(
        vendor=access.vendor,
        actor=access.user,
        action="deal.review",
        subject=review,
        changes={"state": [before, state]} if before != state else {},
        deal_id=deal.pk,
        reason=note,
    )
    if before != state:
        event_record(
            vendor=access.vendor,
            code="review.changed",
            actor=access.user,
            deal=deal,
            params={"state": state, "detail": note},
        )
    return True


def _clean_review(state: str, note: str) -> str:
    errors = {}
    if state not in ReviewState.values:
        errors["state"] = [_("Choose a review state.")]
    note = text_clean(note, field="note", limit=NOTE_MAX, required=False, errors=errors)
    if errors:
        raise ValidationError(errors)
    return note


@transaction.atomic
def review_set(*, access: Access, deal: Deal, state: str, note: str = "") -> bool:
    """Set one deal's review state (with an optional note the partner reads). Returns whether it changed."""
    _require_vendor_staff(access)
    note = _clean_review(state, note)
    return _review_set(access, deal, state, note, timezone.now())


@transaction.atomic
def reviews_set(*, access: Access, deals, state: str, note: str = "") -> int:
    """Set the review state of several deals at once (the queue's bulk action). Returns how many changed."""
    _require_vendor_staff(access)
    note = _clean_review(state, note)
    now = timezone.now()
    return sum(_review_set(access, deal, state, note, now) for deal in deals)


# --- Info requests -------------------------------------------------------------------------------------------------


def default_due_date(vendor) -> date:
    return vendor_today(vendor) + timedelta(days=DEFAULT_DUE_DAYS)


@transaction.atomic
def info_request_send(
    *, access: Access, deal: Deal, element: str, question: str, due_date: date | None
) -> InfoRequest:
    """Ask the partner about one element by a due date. An unreviewed deal moves to "needs info"."""
    _require_vendor_staff(access)
    errors = {}
    if element not in ElementCode.values:
        errors["element"] = [_("Choose the element you are asking about.")]
    question = text_clean(question, field="question", limit=QUESTION_MAX, required=True, errors=errors)
    today = vendor_today(access.vendor)
    if due_date is None:
        errors["due_date"] = [_("Set a due date.")]
    elif due_date < today:
        errors["due_date"] = [_("The due date cannot be in the past.")]
    elif due_date > today + timedelta(days=DUE_MAX_DAYS):
        errors["due_date"] = [_("Set a due date within a year.")]
    if not deal.is_open:
        errors.setdefault("element", []).append(_("This deal is closed; there is nothing left to ask."))
    if errors:
        raise ValidationError(errors)
    now = timezone.now()
    request = InfoRequest.objects.create(
        vendor=access.vendor,
        deal=deal,
        element=element,
        question=question,
        due_date=due_date,
        requested_by=access.user,
        requested_at=now,
    )
    audit_record(
        vendor=access.vendor,
        actor=access.user,
        action="info_request.create",
        subject=request,
        changes={"question": [None, question], "due_date": [None, due_date.isoformat()]},
        deal_id=deal.pk,
    )
    if review_state_of(deal) == ReviewState.UNREVIEWED:
        _review_set(access, deal, ReviewState.NEEDS_INFO, "", now)
    event_record(
        vendor=access.vendor,
        code="info_request.sent",
        actor=access.user,
        deal=deal,
        subject=request,
        params={"element": element, "due": due_date.isoformat(), "detail": question},
    )
    return request


def _open_request(request: InfoRequest) -> InfoRequest:
    current = InfoRequest.objects.select_for_update().get(pk=request.pk)
    if not current.is_open:
        raise ValidationError(
            {"answer": [_("This request is no longer open (it was answered or withdrawn).")]}
        )
    return current


@transaction.atomic
def info_request_answer(
    *, access: Access, request: InfoRequest, answer: str, version: int, element: dict | None = None
) -> InfoRequest:
    """The partner answers: the element's changed answers are saved with the deal (based on ``version``, so a
    stale answer is refused like any edit), the element counts as confirmed now and the asker is told."""
    deal = request.deal
    if not access.is_partner_role or not can_edit_deal(access, deal):
        raise PermissionDenied(_("Only the deal's owner or their partner admin can answer."))
    errors = {}
    answer = text_clean(answer, field="answer", limit=ANSWER_MAX, required=True, errors=errors)
    if errors:
        raise ValidationError(errors)
    current = _open_request(request)
    deal = deal_update(access=access, deal=deal, version=version, meddic={current.element: element or {}})
    now = timezone.now()
    element_row = deal.elements.get(code=current.element)
    element_row.last_confirmed_at = now
    element_row.save(update_fields=["last_confirmed_at", "updated_at"])
    current.status, current.answer = InfoRequestStatus.ANSWERED, answer
    current.answered_by, current.answered_at = access.user, now
    current.save()
    audit_record(
        vendor=access.vendor,
        actor=access.user,
        action="info_request.answer",
        subject=current,
        changes={"answer": [None, answer]},
        deal_id=deal.pk,
    )
    score_refresh(deal=deal)
    event_record(
        vendor=access.vendor,
        code="info_request.answered",
        actor=access.user,
        deal=deal,
        subject=current,
        params={"element": current.element, "detail": answer},
    )
    return current


@transaction.atomic
def info_request_withdraw(*, access: Access, request: InfoRequest) -> InfoRequest:
    """Vendor staff take back a question that is no longer needed."""
    _require_vendor_staff(access)
    current = _open_request(request)
    current.status = InfoRequestStatus.CANCELLED
    current.save(update_fields=["status"])
    audit_record(
        vendor=access.vendor,
        actor=access.user,
        action="info_request.withdraw",
        subject=current,
        changes={"status": [InfoRequestStatus.OPEN, InfoRequestStatus.CANCELLED]},
        deal_id=current.deal_id,
    )
    event_record(
        vendor=access.vendor,
        code="info_request.withdrawn",
        actor=access.user,
        deal=current.deal,
        subject=current,
        params={"element": current.element, "detail": current.question},
    )
    return current
