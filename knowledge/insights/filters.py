"""Which closed deals an analysis covers: close period, partner tier, partner, deal size band.

One form serves the pages (GET filter bar; an invalid field shows its error and does not narrow) and the API
(an invalid field is a 400). The period is a period key of DESIGN §6 (``FY2026``, ``FY2026-Q1``, ``2026-04``)
in the vendor's fiscal calendar, or a ``from``/``to`` range of close dates (both inclusive) when no key is given.
"""

from dataclasses import dataclass
from datetime import date, timedelta

from django import forms
from django.db.models import QuerySet
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext_lazy

from deals.models import CLOSED_PHASES, Deal
from deals.selectors import deals_visible
from knowledge.display import period_label
from knowledge.periods import FISCAL_YEAR, QUARTER, last_periods, period_from_key
from partners.models import Tier
from partners.selectors import partners_visible
from prm.clock import vendor_today
from prm.form_fields import BoundedDateField
from prm.tenancy import Access


@dataclass(frozen=True)
class SizeBand:
    code: str
    label: str
    low: int  # yen, inclusive
    high: int | None  # yen, exclusive; None = no upper bound


# Deal size bands in yen (amount as registered, in the vendor's currency).
SIZE_BANDS = {
    band.code: band
    for band in (
        SizeBand("small", gettext_lazy("Under ¥3,000,000"), 0, 3_000_000),
        SizeBand("medium", gettext_lazy("¥3,000,000 – under ¥10,000,000"), 3_000_000, 10_000_000),
        SizeBand("large", gettext_lazy("¥10,000,000 – under ¥30,000,000"), 10_000_000, 30_000_000),
        SizeBand("enterprise", gettext_lazy("¥30,000,000 or more"), 30_000_000, None),
    )
}
# Periods offered in the filter bar (any valid key is accepted).
FISCAL_YEARS_OFFERED = 3
QUARTERS_OFFERED = 6


@dataclass(frozen=True)
class InsightFilters:
    """Close dates in ``[start, end)`` (either open), and the partner, tier and size band to keep (or all)."""

    start: date | None = None
    end: date | None = None
    period: str = ""
    tier: str = ""
    partner_id: int | None = None
    size: str = ""

    @property
    def active(self) -> bool:
        return any((self.start, self.end, self.tier, self.partner_id, self.size))

    def as_dict(self) -> dict:
        """The filters as the API echoes them (``to`` inclusive, like the query parameter)."""
        return {
            "period": self.period or None,
            "from": self.start,
            "to": self.end - timedelta(days=1) if self.end else None,
            "tier": self.tier or None,
            "partner": self.partner_id,
            "size": self.size or None,
        }


class InsightFilterForm(forms.Form):
    period = forms.CharField(label=gettext_lazy("Closed in"), required=False, max_length=16)
    date_from = BoundedDateField(label=gettext_lazy("Closed from"), required=False)
    date_to = BoundedDateField(label=gettext_lazy("Closed until"), required=False)
    tier = forms.ChoiceField(label=gettext_lazy("Tier"), required=False)
    partner = forms.TypedChoiceField(
        label=pgettext_lazy("deal filter", "Partner"), required=False, coerce=int, empty_value=None
    )
    size = forms.ChoiceField(label=gettext_lazy("Deal size"), required=False)

    # Query parameter names: ``from`` and ``to`` are Python keywords, so the fields carry a prefix.
    PARAMS = {"from": "date_from", "to": "date_to"}

    def __init__(self, data, *, access: Access):
        data = {self.PARAMS.get(key, key): value for key, value in data.items()}
        super().__init__(data)
        self.access = access
        self.fields["tier"].choices = [("", _("All tiers")), *Tier.choices]
        partners = partners_visible(access).order_by("name").values_list("pk", "name")
        self.fields["partner"].choices = [("", _("All partners")), *partners]
        self.fields["size"].choices = [
            ("", _("All sizes")),
            *((b.code, b.label) for b in SIZE_BANDS.values()),
        ]
        self.is_valid()

    def clean_period(self) -> str:
        key = self.cleaned_data.get("period", "").strip()
        if key:
            try:
                period_from_key(key, self.access.vendor.fiscal_year_start_month)
            except ValueError:
                raise forms.ValidationError(
                    _("Not a period key: use FY2026, FY2026-Q1 or 2026-04.")
                ) from None
        return key

    def clean(self):
        data = super().clean()
        start, end = data.get("date_from"), data.get("date_to")
        if start and end and start > end:
            self.add_error("date_to", _("The end date is before the start date."))
        return data

    def period_choices(self) -> list[tuple[str, str]]:
        """All time, the last fiscal years and quarters, and the key asked for if it is another one."""
        vendor = self.access.vendor
        today, start_month = vendor_today(vendor), vendor.fiscal_year_start_month
        keys = [p.key for p in reversed(last_periods(today, FISCAL_YEAR, FISCAL_YEARS_OFFERED, start_month))]
        keys += [p.key for p in reversed(last_periods(today, QUARTER, QUARTERS_OFFERED, start_month))]
        asked = self.cleaned_data.get("period")
        if asked and asked not in keys:
            keys.append(asked)
        start_month = vendor.fiscal_year_start_month
        return [
            ("", _("All time")),
            *((key, period_label(period_from_key(key, start_month))) for key in keys),
        ]

    def filters(self) -> InsightFilters:
        """The valid filters (invalid fields are left out)."""
        data = self.cleaned_data
        start = end = None
        period = data.get("period") or ""
        if period:
            found = period_from_key(period, self.access.vendor.fiscal_year_start_month)
            start, end = found.start, found.end
        else:
            start = data.get("date_from")
            end = data["date_to"] + timedelta(days=1) if data.get("date_to") else None
            if "date_to" in self.errors:
                start = end = None
        return InsightFilters(
            start=start,
            end=end,
            period=period,
            tier=data.get("tier") or "",
            partner_id=data.get("partner"),
            size=data.get("size") or "",
        )

    @property
    def active_count(self) -> int:
        data = self.cleaned_data
        dates = bool(data.get("period") or data.get("date_from") or data.get("date_to"))
        return dates + sum(bool(data.get(name)) for name in ("tier", "partner", "size"))


def closed_deals(access: Access, filters: InsightFilters) -> QuerySet[Deal]:
    """Won and lost deals the caller sees, narrowed by the filters (close date = the actual close)."""
    deals = deals_visible(access).filter(phase__in=CLOSED_PHASES)
    if filters.start:
        deals = deals.filter(close_date__gte=filters.start)
    if filters.end:
        deals = deals.filter(close_date__lt=filters.end)
    if filters.tier:
        deals = deals.filter(partner__tier=filters.tier)
    if filters.partner_id:
        deals = deals.filter(partner_id=filters.partner_id)
    if filters.size:
        band = SIZE_BANDS[filters.size]
        deals = deals.filter(amount__gte=band.low)
        if band.high is not None:
            deals = deals.filter(amount__lt=band.high)
    return deals
