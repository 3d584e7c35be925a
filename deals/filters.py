"""The filter bar of the deal list and its CSV export (one FilterSet, so both always agree).

Every filter narrows :func:`deals.selectors.deals_visible`, so nobody can filter their way into deals they may
not see. Invalid values are ignored (a hand-edited URL shows the unfiltered list rather than an error).
"""

import re
from datetime import date

import django_filters
from django import forms
from django.db.models import F, Q, QuerySet
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from deals.flags import DEAL_FLAGS
from deals.models import OPEN_PHASES, Deal, Phase, RegistrationStatus, phase_rank
from deals.selectors import deals_visible
from deals.validation import normalize_customer_name
from partners.models import Membership, PartnerCompany, Role, User
from partners.selectors import partners_visible
from prm.tenancy import Access
from prm.validators import FIRST_YEAR, LAST_YEAR, date_out_of_range

# Sort keys of the list → the fields they order by; ``-key`` sorts descending. The primary key always breaks
# ties, so paging never shows a deal twice or skips one.
SORTS = {
    "customer": ("customer_name",),
    "amount": ("amount",),
    "close_date": ("close_date",),
    "phase": ("phase_rank",),
    "updated": ("updated_at",),
    "registered": ("registered_at",),
    "quality": ("score__quality",),
    "visibility": ("score__visibility",),
}
# Sort fields that may be empty (drafts have no registration date).
NULLABLE = {"registered_at"}
# Sort fields of the deal's score. Every deal is scored in the transaction that creates it
# (``deals.services.deal_create``), so these sorts join the scores of the vendor as an inner join: the page is read
# from the score's (vendor, field, deal) index instead of sorting every visible deal.
SCORE_FIELDS = {"score__quality", "score__visibility"}
DEFAULT_SORT = "-updated"
SORT_CHOICES = [
    ("-updated", _("Recently updated")),
    ("updated", _("Least recently updated")),
    ("-registered", _("Recently registered")),
    ("registered", _("Registered longest ago")),
    ("close_date", _("Close date, earliest first")),
    ("-close_date", _("Close date, latest first")),
    ("-amount", _("Amount, largest first")),
    ("amount", _("Amount, smallest first")),
    ("customer", _("Customer, A to Z")),
    ("-customer", _("Customer, Z to A")),
    ("phase", _("Phase, earliest first")),
    ("-phase", _("Phase, latest first")),
    ("-quality", _("Quality, highest first")),
    ("quality", _("Quality, lowest first")),
    ("-visibility", _("Visibility, highest first")),
    ("visibility", _("Visibility, lowest first")),
]
# The direction a column header sorts in when first clicked.
FIRST_DIRECTION = {
    "customer": "",
    "amount": "-",
    "close_date": "",
    "phase": "",
    "updated": "-",
    "registered": "-",
    "quality": "-",
    "visibility": "-",
}


def deals_sorted(qs: QuerySet[Deal], sort: str, *, vendor_id: int) -> QuerySet[Deal]:
    """``qs`` (deals of vendor ``vendor_id``) ordered by a whitelisted sort key (anything else means the default,
    newest change first)."""
    if sort.lstrip("-") not in SORTS:
        sort = DEFAULT_SORT
    descending = sort.startswith("-")
    fields = SORTS[sort.lstrip("-")]
    if "phase_rank" in fields:
        qs = qs.annotate(phase_rank=phase_rank())
    if SCORE_FIELDS.intersection(fields):
        qs = qs.filter(score__vendor_id=vendor_id)
    # Deals never registered (drafts) have no registered date: they go last either way. Columns that are never
    # empty are ordered plainly, so an index serves both directions.
    order = [
        (F(name).desc(nulls_last=True) if descending else F(name).asc(nulls_last=True))
        if name in NULLABLE
        else (F(name).desc() if descending else F(name).asc())
        for name in fields
    ]
    order.append(F("pk").desc() if descending else F("pk").asc())
    return qs.order_by(*order)


def owners_visible(access: Access, partner: PartnerCompany | None = None) -> QuerySet[User]:
    """People whose deals the caller can filter on: their company's members for partner users, the owners of
    visible deals (of one partner, if given) for vendor staff."""
    if access.is_partner_role:
        members = Membership.objects.filter(partner=access.partner).values("user")
        return User.objects.filter(pk__in=members).order_by("name", "email")
    deals = deals_visible(access)
    if partner is not None:
        deals = deals.filter(partner=partner)
    return User.objects.filter(pk__in=deals.values("owner")).order_by("name", "email")


class MonthField(forms.CharField):
    """``YYYY-MM`` (what ``<input type="month">`` sends) → the first day of that month."""

    widget = forms.TextInput(attrs={"type": "month", "placeholder": "YYYY-MM", "pattern": r"\d{4}-\d{2}"})

    def to_python(self, value):
        value = super().to_python(value).strip()
        if not value:
            return None
        match = re.fullmatch(r"(\d{4})-(\d{1,2})", value)
        if not match or not 1 <= int(match[2]) <= 12:
            raise forms.ValidationError(_("Enter a month as YYYY-MM."), code="invalid")
        if not FIRST_YEAR <= int(match[1]) <= LAST_YEAR:
            raise date_out_of_range()
        return date(int(match[1]), int(match[2]), 1)


class MonthFilter(django_filters.Filter):
    field_class = MonthField

    def filter(self, qs, value):
        if value is None:
            return qs
        following = date(value.year + value.month // 12, value.month % 12 + 1, 1)
        return qs.filter(**{f"{self.field_name}__gte": value, f"{self.field_name}__lt": following})


class PersonChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return obj.name or obj.email


class PersonFilter(django_filters.ModelChoiceFilter):
    field_class = PersonChoiceField


def _chosen(qs: QuerySet, value) -> object | None:
    """The object of ``qs`` whose pk is ``value``, or None for a missing or malformed value."""
    try:
        return qs.filter(pk=int(value)).first() if value else None
    except (TypeError, ValueError):
        return None


class DealFilter(django_filters.FilterSet):
    """Filters of the deal list. Built with the caller's access: partner users get no partner filter, and
    reps start on their own deals (``scope=mine``) until they choose the whole company."""

    q = django_filters.CharFilter(label=_("Customer"), method="filter_customer")
    scope = django_filters.ChoiceFilter(label=_("Whose deals"), method="filter_scope", empty_label=None)
    phase = django_filters.MultipleChoiceFilter(
        label=_("Phase"), choices=Phase.choices, widget=forms.CheckboxSelectMultiple
    )
    state = django_filters.ChoiceFilter(
        label=_("Open or closed"),
        choices=[("open", pgettext_lazy("deal state", "Open")), ("closed", _("Won, lost or on hold"))],
        empty_label=_("Open and closed"),
        method="filter_state",
    )
    registration_status = django_filters.ChoiceFilter(
        label=_("Registration"),
        choices=RegistrationStatus.choices,
        empty_label=_("All registration statuses"),
    )
    close_month = MonthFilter(label=_("Close month"), field_name="close_date")
    owner = PersonFilter(label=_("Owner"), queryset=User.objects.none(), empty_label=_("Everyone"))
    partner = django_filters.ModelChoiceFilter(
        label=pgettext_lazy("deal filter", "Partner"), queryset=None, empty_label=_("All partners")
    )
    flag = django_filters.ChoiceFilter(
        label=_("Flag"),
        choices=[(flag.code, flag.label) for flag in DEAL_FLAGS.values()],
        empty_label=_("Any or none"),
        method="filter_flag",
    )
    sort = django_filters.ChoiceFilter(
        label=_("Sort by"), choices=SORT_CHOICES, empty_label=None, method="filter_nothing"
    )

    def __init__(self, data, *, access: Access, **kwargs):
        self.access = access
        data = data.copy()
        if not data.get("scope"):
            data["scope"] = "mine" if access.role == Role.PARTNER_REP else "all"
        super().__init__(data, queryset=deals_visible(access), **kwargs)
        if access.is_partner_role:
            del self.filters["partner"]
            self.filters["scope"].extra["choices"] = [
                ("mine", _("My deals")),
                ("all", _("Whole company")),
            ]
            partner = None
        else:
            self.filters["partner"].queryset = partners_visible(access).order_by("name")
            self.filters["scope"].extra["choices"] = [
                ("mine", _("My partners")),
                ("all", _("All partners")),
            ]
            partner = _chosen(self.filters["partner"].queryset, data.get("partner"))
        # Before the form is built: its owner field takes the queryset as it is then.
        self.filters["owner"].queryset = owners_visible(access, partner=partner)

    @property
    def is_mine(self) -> bool:
        return self.form.is_valid() and self.form.cleaned_data.get("scope") == "mine"

    @property
    def current_sort(self) -> str:
        """The sort key in use (for the column headers)."""
        value = self.form.cleaned_data.get("sort") if self.form.is_valid() else None
        return value or DEFAULT_SORT

    def sort_link(self, key: str) -> dict:
        """For a column header: the sort it links to and the direction it is sorted in now (or None)."""
        current = self.current_sort
        if current.lstrip("-") == key:
            direction = "descending" if current.startswith("-") else "ascending"
            return {"sort": key if current.startswith("-") else f"-{key}", "direction": direction}
        return {"sort": f"{FIRST_DIRECTION[key]}{key}", "direction": None}

    @property
    def sort_links(self) -> dict[str, dict]:
        return {key: self.sort_link(key) for key in SORTS}

    @property
    def active_count(self) -> int:
        """How many filters narrow the list beyond the defaults (shown on the collapsed filter bar)."""
        if not self.form.is_valid():
            return 0
        ignored = {"sort", "scope", "q"}
        return sum(1 for name, value in self.form.cleaned_data.items() if name not in ignored and value)

    def filter_queryset(self, queryset):
        # Unlike filters, the sort applies after everything else and has a default.
        qs = super().filter_queryset(queryset)
        # Partner and owner come by key for the rows shown (two small queries): joined into the list's query, the
        # planner takes a vendor's partners for a fraction of its deals and sorts all of them before paging.
        qs = qs.select_related(None).select_related("score").prefetch_related("partner", "owner")
        self.unsorted = qs  # the same deals, for counting them without what only a sort joins
        return deals_sorted(
            qs, self.form.cleaned_data.get("sort") or DEFAULT_SORT, vendor_id=self.access.vendor.pk
        )

    def filter_customer(self, qs, name, value):
        """Name contains the text, or the normalised name contains the normalised text, so "(株)サンプル",
        "ｻﾝﾌﾟﾙ" and "sample inc" find "株式会社サンプル" and "Sample, Inc."."""
        value = value.strip()
        if not value:
            return qs
        condition = Q(customer_name__icontains=value)
        key = normalize_customer_name(value)
        if key:
            condition |= Q(customer_key__contains=key)
        return qs.filter(condition)

    def filter_scope(self, qs, name, value):
        if value != "mine":
            return qs
        if self.access.is_partner_role:
            return qs.filter(owner=self.access.user)
        return qs.filter(partner__channel_manager=self.access.user)

    def filter_state(self, qs, name, value):
        if value == "open":
            return qs.filter(phase__in=OPEN_PHASES)
        if value == "closed":
            return qs.exclude(phase__in=OPEN_PHASES)
        return qs

    def filter_flag(self, qs, name, value):
        flag = DEAL_FLAGS.get(value)
        return flag.narrow(qs) if flag else qs

    def filter_nothing(self, qs, name, value):
        return qs
