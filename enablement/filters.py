"""The filters of the enablement lists, shared by the pages and the API: each takes the query's data and
returns the bound filter form and the filtered, ordered queryset (the pages show the form's errors; the API
answers them with 400)."""

from django.db.models import Case, F, IntegerField, Q, Value, When

from enablement import selectors
from enablement.forms import ContentFilterForm, InboxFilterForm, PartnerFunnelFilterForm, RecipientFilterForm
from enablement.models import Content

RECIPIENT_STAGE_FILTERS = {
    "not_opened": Q(opened_at=None),
    "opened": Q(opened_at__isnull=False, read_at=None),
    "read": Q(read_at__isnull=False, understood_at=None),
    "understood": Q(understood_at__isnull=False),
}


def contents_filtered(access, data):
    form = ContentFilterForm(data)
    form.is_valid()
    cleaned = getattr(form, "cleaned_data", {})
    qs = selectors.contents_for_staff(access)
    if cleaned.get("q"):
        qs = qs.filter(Q(title__icontains=cleaned["q"]) | Q(summary__icontains=cleaned["q"]))
    if cleaned.get("kind"):
        qs = qs.filter(kind=cleaned["kind"])
    if cleaned.get("state") == "published":
        qs = qs.filter(published_at__isnull=False)
    elif cleaned.get("state") == "draft":
        qs = qs.filter(published_at=None)
    if cleaned.get("tier"):
        qs = qs.filter(pk__in=Content.objects.filter(audience__tier=cleaned["tier"]).values("pk"))
    order = (F("published_at").desc(nulls_first=True), "-created_at", "-pk")
    return form, qs.order_by(*order)


def recipients_filtered(access, content, data):
    partners = [(row["partner"], row["partner__name"]) for row in selectors.funnel_by_partner(content)]
    form = RecipientFilterForm(data, partners=partners)
    form.is_valid()
    cleaned = getattr(form, "cleaned_data", {})
    qs = selectors.recipients_of(content)
    if cleaned.get("q"):
        qs = qs.filter(
            Q(recipient__name__icontains=cleaned["q"]) | Q(recipient__email__icontains=cleaned["q"])
        )
    if cleaned.get("stage"):
        qs = qs.filter(RECIPIENT_STAGE_FILTERS[cleaned["stage"]])
    if cleaned.get("partner"):
        qs = qs.filter(partner_id=cleaned["partner"])
    return form, qs.order_by("partner__name", "recipient__email", "pk")


def partners_filtered(access, data):
    form = PartnerFunnelFilterForm(data)
    form.is_valid()
    cleaned = getattr(form, "cleaned_data", {})
    qs = selectors.partner_funnels(access)
    if cleaned.get("q"):
        qs = qs.filter(name__icontains=cleaned["q"])
    if cleaned.get("tier"):
        qs = qs.filter(tier=cleaned["tier"])
    if cleaned.get("sort") == "understood":
        # Partners that received nothing have no rate: they come last.
        rate = Case(
            When(delivered=0, then=Value(None)),
            default=F("understood") * 1000 / F("delivered"),
            output_field=IntegerField(),
        )
        return form, qs.annotate(rate=rate).order_by(F("rate").asc(nulls_last=True), "name", "pk")
    if cleaned.get("sort") == "not_opened":
        return form, qs.annotate(waiting=F("delivered") - F("opened")).order_by("-waiting", "name", "pk")
    return form, qs.order_by("name", "pk")


def inbox_filtered(access, data):
    form = InboxFilterForm(data)
    form.is_valid()
    cleaned = getattr(form, "cleaned_data", {})
    qs = selectors.inbox_of(access)
    if cleaned.get("show"):
        qs = qs.filter(selectors.INBOX_STATES[cleaned["show"]])
    if cleaned.get("q"):
        qs = qs.filter(
            Q(content__title__icontains=cleaned["q"]) | Q(content__summary__icontains=cleaned["q"])
        )
    if cleaned.get("kind"):
        qs = qs.filter(content__kind=cleaned["kind"])
    # New first, then pending, then done; newest first within each.
    rank = Case(
        When(opened_at=None, then=Value(0)),
        When(understood_at=None, then=Value(1)),
        default=Value(2),
        output_field=IntegerField(),
    )
    return form, qs.annotate(rank=rank).order_by("rank", "-delivered_at", "-pk")
