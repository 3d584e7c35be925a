"""What the deal page shows of a score: the flags with their next actions and a small trend line."""

from dataclasses import dataclass

from django.core.exceptions import ObjectDoesNotExist

from meddic import scoring
from meddic.models import ElementCode, Level, MeddicElement, ScoreHistory
from meddic.permissions import can_review_deals

TREND_POINTS = 24
TREND_WIDTH, TREND_HEIGHT = 240, 48


@dataclass(frozen=True)
class ShownFlag:
    code: str
    element_label: str
    message: str


@dataclass(frozen=True)
class Trend:
    quality: str  # SVG polyline points
    visibility: str
    count: int
    first: object
    last: object


def _points(values: list[int]) -> str:
    if len(values) == 1:
        values = values * 2
    step = TREND_WIDTH / (len(values) - 1)
    return " ".join(
        f"{round(i * step, 1)},{round(TREND_HEIGHT - value * TREND_HEIGHT / 100, 1)}"
        for i, value in enumerate(values)
    )


def score_context(deal) -> dict:
    """``score`` (or None before the first scoring), ``score_flags`` and ``score_trend`` for the deal page."""
    try:
        score = deal.score
    except ObjectDoesNotExist:
        return {"score": None, "score_flags": [], "score_trend": None, "score_unknown": 0}
    labels = dict(ElementCode.choices)
    flags = [
        ShownFlag(code, str(labels.get(scoring.FLAGS[code].element, "")), str(scoring.FLAGS[code].message))
        for code in score.flags
        if code in scoring.FLAGS
    ]
    rows = list(ScoreHistory.objects.filter(deal=deal).order_by("-at", "-pk")[:TREND_POINTS])[::-1]
    trend = None
    if rows:
        trend = Trend(
            quality=_points([row.quality for row in rows]),
            visibility=_points([row.visibility for row in rows]),
            count=len(rows),
            first=rows[0].at,
            last=rows[-1].at,
        )
    known = MeddicElement.objects.filter(deal=deal).exclude(level=Level.UNKNOWN).count()
    return {
        "score": score,
        "score_flags": flags,
        "score_trend": trend,
        # Elements nobody knows anything about yet: no flag is not the same as no risk.
        "score_unknown": len(ElementCode.values) - known,
    }


# --- The vendor's review on the deal page ------------------------------------------------------------------------

REVIEW_HISTORY_SHOWN = 10


@dataclass
class ShownRequest:
    request: object  # InfoRequest
    overdue: bool
    answer_form: object = None  # AnswerForm for whoever may answer it
    # The answer form shown open: the refused one, else the oldest open request of each element.
    expanded: bool = False


def review_context(access, deal, today, elements: dict, *, bound: dict | None = None) -> dict:
    """The review panel, the deal's info requests and the per-element ask / answer forms.

    ``bound`` carries refused forms to show again with what was typed: ``{"review": form}``,
    ``{"ask": (code, form)}`` or ``{"answer": (request_id, form)}``. ``elements``: the deal's elements by code.
    """
    from audit.models import AuditEntry
    from deals.permissions import can_edit_deal
    from meddic.forms_review import AnswerForm, AskForm, ReviewForm
    from meddic.models import DealReview, InfoRequest, InfoRequestStatus, ReviewState

    bound = bound or {}
    review = DealReview.objects.filter(deal=deal).select_related("changed_by").first()
    requests = list(
        InfoRequest.objects.filter(deal=deal)
        .select_related("requested_by", "answered_by")
        .order_by("-requested_at", "-pk")
    )
    may_answer = access.is_partner_role and can_edit_deal(access, deal)
    shown = []
    for request in requests:
        item = ShownRequest(request, overdue=request.is_open and request.due_date < today)
        if may_answer and request.is_open and request.element in elements:
            if bound.get("answer", (None,))[0] == request.pk:
                item.answer_form = bound["answer"][1]
            else:
                item.answer_form = AnswerForm(
                    access=access, deal=deal, element=elements[request.element], request=request
                )
        shown.append(item)
    answerable = [item for item in reversed(shown) if item.answer_form is not None]
    if "answer" in bound:
        for item in answerable:
            item.expanded = item.request.pk == bound["answer"][0]
    else:
        first = {}
        for item in answerable:
            first.setdefault(item.request.element, item)
        for item in first.values():
            item.expanded = True
    ask_forms = {}
    if can_review_deals(access) and deal.is_open:
        ask_forms = {code: AskForm(code=code, vendor=access.vendor) for code in ElementCode.values}
        if "ask" in bound:
            ask_forms[bound["ask"][0]] = bound["ask"][1]
    review_form = None
    if can_review_deals(access):
        review_form = bound.get("review") or ReviewForm(
            initial={"state": review.state if review else "unreviewed", "note": ""}
        )
    labels = dict(ReviewState.choices)
    history = [
        {
            "at": entry.at,
            "actor": entry.actor,
            "state": labels.get((entry.changes.get("state") or [None, ""])[1], ""),
            "note": entry.reason,
        }
        for entry in AuditEntry.objects.filter(deal_id=deal.pk, action="deal.review")
        .select_related("actor")
        .order_by("-at", "-pk")[:REVIEW_HISTORY_SHOWN]
    ]
    return {
        "review": review,
        "review_form": review_form,
        "review_history": history,
        "info_requests": shown,
        "open_requests": [item for item in shown if item.request.status == InfoRequestStatus.OPEN],
        "ask_forms": ask_forms,
        "ask_open": bound.get("ask", (None,))[0],
    }
