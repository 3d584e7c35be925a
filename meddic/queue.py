"""Reads for the vendor's review queue and its Q × V matrix (DESIGN §5, "Review").

The queue holds the vendor's open deals as ``deals_visible`` shows them, annotated in the same query with what a
channel manager sorts and filters on: quality, visibility, flag count, forecast category, review state and the
number of open info requests. A deal not scored yet counts as Q 0, V 0 and no flags (the page shows "—").
"""

from dataclasses import dataclass
from datetime import date, timedelta

from django import forms
from django.db.models import (
    BooleanField,
    Case,
    Count,
    DateTimeField,
    F,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Sum,
    Value,
    When,
    Window,
)
from django.db.models.functions import Coalesce, RowNumber
from django.http import QueryDict
from django.urls import reverse
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from deals.flags import DEAL_FLAGS
from deals.models import OPEN_PHASES, Deal
from deals.selectors import deals_visible
from deals.validation import normalize_customer_name
from meddic.models import ForecastCategory, InfoRequest, InfoRequestStatus, ReviewState
from meddic.permissions import can_review_deals
from partners.selectors import partners_visible
from prm.tenancy import Access

# The best_case gate of DESIGN §5: a deal is well qualified from Q 60 and well known from V 50.
QUALITY_THRESHOLD = 60
VISIBILITY_THRESHOLD = 50

PAGE_SIZE = 50
TOP_PER_QUADRANT = 5

SCOPE_MINE, SCOPE_ALL = "mine", "all"


@dataclass(frozen=True)
class Quadrant:
    code: str
    label: str | Promise
    advice: str | Promise
    high_q: bool
    high_v: bool

    @property
    def condition(self) -> Q:
        """Filter on the queue's ``q``/``v`` annotations."""
        q = Q(q__gte=QUALITY_THRESHOLD) if self.high_q else Q(q__lt=QUALITY_THRESHOLD)
        v = Q(v__gte=VISIBILITY_THRESHOLD) if self.high_v else Q(v__lt=VISIBILITY_THRESHOLD)
        return q & v


QUADRANTS: dict[str, Quadrant] = {
    quadrant.code: quadrant
    for quadrant in (
        Quadrant(
            "high_q_high_v",
            _("Qualified and known"),
            _("The partner's picture is strong and the vendor can see why. Help close it."),
            high_q=True,
            high_v=True,
        ),
        Quadrant(
            "high_q_low_v",
            _("Unverified optimism — verify it"),
            _("The partner reports a strong deal with little evidence. Verify the key elements yourself."),
            high_q=True,
            high_v=False,
        ),
        Quadrant(
            "low_q_high_v",
            _("Known weak"),
            _("We know the deal well and it is weak. Decide whether to invest or disqualify."),
            high_q=False,
            high_v=True,
        ),
        Quadrant(
            "low_q_low_v",
            _("Unknown — ask the partner"),
            _("Little is known and little is confirmed. Send the partner info requests."),
            high_q=False,
            high_v=False,
        ),
    )
}


def quadrant_for(quality: int, visibility: int) -> Quadrant:
    high_q, high_v = quality >= QUALITY_THRESHOLD, visibility >= VISIBILITY_THRESHOLD
    return next(quad for quad in QUADRANTS.values() if (quad.high_q, quad.high_v) == (high_q, high_v))


# Sort keys → the annotation they order by. ``age`` orders by the registration moment, reversed (oldest = largest
# age). The primary key breaks ties so paging never repeats or skips a deal.
SORTS = {
    "flags": ("flags", False),
    "amount": ("amount", False),
    "quality": ("q", False),
    "visibility": ("v", False),
    "age": ("since", True),
    "close_date": ("close_date", False),
}
# New submissions (registered in the last NEW_DAYS and not reviewed yet) first, newest first, then most flags.
NEW_FIRST = "new"
NEW_DAYS = 7
DEFAULT_SORT = NEW_FIRST
# The direction a column header sorts in when first clicked.
FIRST_DIRECTION = {
    "flags": "-",
    "amount": "-",
    "quality": "",
    "visibility": "",
    "age": "-",
    "close_date": "",
}
SORT_CHOICES = [
    (NEW_FIRST, _("New submissions first, then most flags")),
    ("-flags", _("Most flags first")),
    ("flags", _("Fewest flags first")),
    ("-amount", _("Amount, largest first")),
    ("amount", _("Amount, smallest first")),
    ("quality", _("Quality, lowest first")),
    ("-quality", _("Quality, highest first")),
    ("visibility", _("Visibility, lowest first")),
    ("-visibility", _("Visibility, highest first")),
    ("-age", _("Oldest registration first")),
    ("age", _("Newest registration first")),
    ("close_date", _("Close date, earliest first")),
    ("-close_date", _("Close date, latest first")),
]
# Open deals are never closed or omitted.
OPEN_FORECASTS = [
    (value, label)
    for value, label in ForecastCategory.choices
    if value not in (ForecastCategory.CLOSED, ForecastCategory.OMITTED)
]


def open_requests_count() -> Coalesce:
    """Annotation: how many info requests of the deal wait for the partner's answer."""
    counted = (
        InfoRequest.objects.filter(deal=OuterRef("pk"), status=InfoRequestStatus.OPEN)
        .order_by()
        .values("deal")
        .annotate(n=Count("pk"))
        .values("n")
    )
    return Coalesce(Subquery(counted, output_field=IntegerField()), Value(0))


def queue_base(access: Access) -> QuerySet[Deal]:
    """The vendor's open deals the caller sees, with the review columns annotated (no order, no filter)."""
    return (
        deals_visible(access)
        .filter(phase__in=OPEN_PHASES)
        .select_related("review")
        .annotate(
            q=Coalesce("score__quality", Value(0)),
            v=Coalesce("score__visibility", Value(0)),
            flags=Coalesce("score__flag_count", Value(0)),
            forecast=Coalesce("score__forecast_category", Value(ForecastCategory.PIPELINE)),
            review_state=Coalesce("review__state", Value(ReviewState.UNREVIEWED)),
            open_requests=open_requests_count(),
            since=Coalesce("registered_at", "created_at"),
        )
        .annotate(
            is_new=Case(
                When(
                    review_state=ReviewState.UNREVIEWED,
                    since__gte=timezone.now() - timedelta(days=NEW_DAYS),
                    then=Value(True),
                ),
                default=Value(False),
                output_field=BooleanField(),
            )
        )
    )


def default_scope(access: Access) -> str:
    """Channel managers start on their own partners; vendor admins on all of them."""
    return SCOPE_ALL if access.is_vendor_admin else SCOPE_MINE


class QueueFilterForm(forms.Form):
    """The queue's filter bar (GET). The matrix uses it without the quadrant and the sort."""

    q = forms.CharField(label=_("Customer or title"), required=False, max_length=200)
    scope = forms.ChoiceField(
        label=_("Whose partners"),
        required=False,
        choices=[(SCOPE_MINE, _("My partners")), (SCOPE_ALL, _("All partners"))],
    )
    partner = forms.TypedChoiceField(
        label=pgettext_lazy("deal filter", "Partner"), required=False, coerce=int, empty_value=None
    )
    state = forms.ChoiceField(
        label=_("Review state"),
        required=False,
        choices=[("", _("All review states")), *ReviewState.choices],
    )
    flag = forms.ChoiceField(
        label=_("Flag"),
        required=False,
        choices=[("", _("Any or none")), *((flag.code, flag.label) for flag in DEAL_FLAGS.values())],
    )
    forecast = forms.ChoiceField(
        label=_("Forecast category"),
        required=False,
        choices=[("", _("All categories")), *OPEN_FORECASTS],
    )
    quadrant = forms.ChoiceField(
        label=_("Quadrant"),
        required=False,
        choices=[("", _("All quadrants")), *((code, quad.label) for code, quad in QUADRANTS.items())],
    )
    sort = forms.ChoiceField(label=_("Sort by"), required=False, choices=SORT_CHOICES)

    def __init__(self, data, *, access: Access, matrix: bool = False):
        data = data.copy()
        if not data.get("scope"):
            data["scope"] = default_scope(access)
        super().__init__(data)
        self.access = access
        partners = partners_visible(access).order_by("name").values_list("pk", "name")
        self.fields["partner"].choices = [("", _("All partners")), *partners]
        if matrix:
            del self.fields["quadrant"]
            del self.fields["sort"]
        self.is_valid()  # fills ``cleaned_data`` with the valid fields; the others show their error

    def value(self, name: str):
        """The cleaned value of a field, or None when it was left out or invalid (so it does not narrow)."""
        return self.cleaned_data.get(name) or None

    @property
    def current_scope(self) -> str:
        return self.value("scope") or default_scope(self.access)

    @property
    def current_sort(self) -> str:
        return self.value("sort") or DEFAULT_SORT

    @property
    def active_count(self) -> int:
        """Filters narrowing the queue beyond the defaults (the search, scope and sort do not count)."""
        return sum(1 for name in ("partner", "state", "flag", "forecast", "quadrant") if self.value(name))

    def sort_link(self, key: str) -> dict:
        """For a column header: the sort a click applies and the direction it is sorted in now (or None)."""
        current = self.current_sort
        if current.lstrip("-") == key:
            descending = current.startswith("-")
            return {
                "sort": key if descending else f"-{key}",
                "direction": "descending" if descending else "ascending",
            }
        return {"sort": f"{FIRST_DIRECTION[key]}{key}", "direction": None}


def _search(qs: QuerySet[Deal], text: str) -> QuerySet[Deal]:
    """Customer name or deal title contains the text; the normalised customer name also matches, so "(株)サンプル"
    finds "株式会社サンプル"."""
    text = text.strip()
    if not text:
        return qs
    condition = Q(customer_name__icontains=text) | Q(title__icontains=text)
    key = normalize_customer_name(text)
    if key:
        condition |= Q(customer_key__contains=key)
    return qs.filter(condition)


def queue_filtered(access: Access, form: QueueFilterForm) -> QuerySet[Deal]:
    """The queue narrowed by the form's valid values (the matrix's form has no quadrant)."""
    qs = queue_base(access)
    if form.current_scope == SCOPE_MINE:
        qs = qs.filter(partner__channel_manager=access.user)
    if text := form.value("q"):
        qs = _search(qs, text)
    if partner := form.value("partner"):
        qs = qs.filter(partner_id=partner)
    if state := form.value("state"):
        qs = qs.filter(review_state=state)
    if flag := form.value("flag"):
        qs = DEAL_FLAGS[flag].narrow(qs)
    if forecast := form.value("forecast"):
        qs = qs.filter(forecast=forecast)
    if quadrant := form.value("quadrant") if "quadrant" in form.fields else None:
        qs = qs.filter(QUADRANTS[quadrant].condition)
    return qs


def queue_sorted(qs: QuerySet[Deal], sort: str) -> QuerySet[Deal]:
    """``qs`` ordered by a whitelisted sort key (anything else: new submissions first)."""
    if sort == NEW_FIRST or sort.lstrip("-") not in SORTS:
        newest = Case(When(is_new=True, then=F("since")), default=Value(None), output_field=DateTimeField())
        return qs.order_by(
            F("is_new").desc(), newest.desc(nulls_last=True), F("flags").desc(), F("pk").desc()
        )
    field, reverse = SORTS[sort.lstrip("-")]
    descending = sort.startswith("-") != reverse
    order = F(field).desc(nulls_last=True) if descending else F(field).asc(nulls_last=True)
    return qs.order_by(order, F("pk").desc() if descending else F("pk").asc())


def review_queue(access: Access, form: QueueFilterForm) -> QuerySet[Deal]:
    """The queue as the page and the CSV export show it: filtered and sorted. Partner and owner come by key for
    the rows shown (joined, they lead the planner to misjudge a big vendor's queue by a factor of fifty)."""
    qs = queue_filtered(access, form).select_related(None).select_related("score", "review")
    return queue_sorted(qs.prefetch_related("partner", "owner"), form.current_sort)


def deals_for_review(access: Access, ids) -> QuerySet[Deal]:
    """The open deals among ``ids`` that the caller sees; any other id is silently left out."""
    pks = set()
    for value in ids:
        try:
            pks.add(int(value))
        except (TypeError, ValueError):
            continue
    return deals_visible(access).filter(phase__in=OPEN_PHASES, pk__in=pks).order_by("pk")


def age_in_days(deal: Deal, today: date, zone) -> int:
    """Days since the deal was registered (created, if it never was)."""
    moment = deal.registered_at or deal.created_at
    return max((today - timezone.localtime(moment, zone).date()).days, 0)


def flag_labels(deal: Deal) -> list:
    """The stored risk flags of the deal (those the flag count counts), as table entries."""
    codes = deal.score.flags if getattr(deal, "score", None) is not None else []
    return [DEAL_FLAGS[code] for code in codes if code in DEAL_FLAGS]


# --- Matrix -------------------------------------------------------------------------------------------------------


def quadrant_totals(qs: QuerySet[Deal]) -> dict[str, dict]:
    """Count and total amount of each quadrant, in one aggregate query."""
    aggregates = {}
    for code, quadrant in QUADRANTS.items():
        aggregates[f"{code}__count"] = Count("pk", filter=quadrant.condition)
        aggregates[f"{code}__amount"] = Sum("amount", filter=quadrant.condition)
    row = qs.order_by().aggregate(**aggregates)
    return {
        code: {"count": row[f"{code}__count"] or 0, "amount": row[f"{code}__amount"] or 0}
        for code in QUADRANTS
    }


def quadrant_of() -> Case:
    return Case(
        *(When(quadrant.condition, then=Value(code)) for code, quadrant in QUADRANTS.items()),
        default=Value("low_q_low_v"),
    )


def quadrant_top(qs: QuerySet[Deal], per_quadrant: int = TOP_PER_QUADRANT) -> dict[str, list[Deal]]:
    """The largest deals of each quadrant (by amount): ranked per quadrant in one query that carries only keys
    (sorting whole rows of a big vendor's queue spilled to disk), then those deals in a second."""
    ranked = list(
        qs.select_related(None)
        .order_by()
        .annotate(quadrant=quadrant_of())
        .annotate(
            rank=Window(
                RowNumber(),
                partition_by=[F("quadrant")],
                order_by=[F("amount").desc(), F("pk").asc()],
            )
        )
        .filter(rank__lte=per_quadrant)
        .values_list("pk", "quadrant", "rank")
    )
    found = qs.select_related(None).select_related("score", "review").prefetch_related("partner", "owner")
    deals = {deal.pk: deal for deal in found.filter(pk__in=[pk for pk, _quadrant, _rank in ranked])}
    top: dict[str, list[Deal]] = {code: [] for code in QUADRANTS}
    for pk, quadrant, _rank in sorted(ranked, key=lambda item: (item[1], item[2])):
        if pk in deals:
            deals[pk].quadrant = quadrant
            top[quadrant].append(deals[pk])
    return top


# The query string of the review queue page a person last looked at, so the deal pages they open from it (and
# come back to after an action) lead back to it and on to the next deal.
QUEUE_SESSION_KEY = "review_queue_query"


@dataclass(frozen=True)
class QueueNavigation:
    back_url: str
    next_id: int | None
    position: int | None
    total: int


def queue_remember(request) -> None:
    request.session[QUEUE_SESSION_KEY] = request.GET.urlencode()


def queue_navigation(request, access: Access, deal_id: int) -> QueueNavigation | None:
    """Back to the queue as it was, and the next deal in its order (the first one when this deal has left the
    queue, e.g. after its review). None for someone who has not opened the queue."""
    query = request.session.get(QUEUE_SESSION_KEY)
    if query is None or not can_review_deals(access):
        return None
    form = QueueFilterForm(QueryDict(query), access=access)
    ids = list(review_queue(access, form).values_list("pk", flat=True))
    position = ids.index(deal_id) if deal_id in ids else None
    # The deal that follows this one; the queue's first when this one has left it (reviewed, say).
    following = ids[position + 1 :] if position is not None else ids
    next_id = following[0] if following else None
    back = reverse("review_queue", kwargs={"vendor_slug": access.vendor.slug})
    return QueueNavigation(
        back_url=f"{back}?{query}" if query else back,
        next_id=next_id,
        position=None if position is None else position + 1,
        total=len(ids),
    )
