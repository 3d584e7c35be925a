"""Forms of the support log: logging one activity and filtering the list."""

from decimal import Decimal

from django import forms
from django.utils.translation import gettext_lazy as _

from deals.models import Deal
from knowledge.models import SupportType
from knowledge.support import HOURS_MAX
from partners.models import PartnerCompany, PartnerStatus
from prm.form_fields import BoundedDateField


class SupportForm(forms.Form):
    partner = forms.ModelChoiceField(queryset=None, label=_("Partner"), empty_label=_("— Choose a partner —"))
    support_type = forms.ChoiceField(choices=SupportType.choices, label=_("Support"))
    date = BoundedDateField(label=_("Date"), widget=forms.DateInput(attrs={"type": "date"}))
    hours = forms.DecimalField(
        label=_("Hours"),
        max_digits=4,
        decimal_places=1,
        widget=forms.NumberInput(attrs={"step": "0.5", "min": "0.5"}),
    )
    note = forms.CharField(
        label=_("Note"),
        required=False,
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 3, "maxlength": 500}),
    )
    deal_id = forms.IntegerField(
        label=_("Deal number"),
        required=False,
        min_value=1,
        help_text=_("Optional: the number of the partner's deal this support was for."),
    )

    def __init__(self, *args, vendor, **kwargs):
        super().__init__(*args, **kwargs)
        self.vendor = vendor
        self.fields["partner"].queryset = (
            PartnerCompany.objects.filter(vendor=vendor)
            .exclude(status=PartnerStatus.INVITED)
            .order_by("name")
        )
        self.fields["hours"].max_value = HOURS_MAX
        self.fields["hours"].min_value = Decimal("0.1")

    def clean(self):
        cleaned = super().clean()
        deal_id, partner = cleaned.get("deal_id"), cleaned.get("partner")
        cleaned["deal"] = None
        if deal_id and partner:
            deal = Deal.objects.filter(vendor=self.vendor, pk=deal_id).first()
            if deal is None or deal.partner_id != partner.pk:
                self.add_error("deal_id", _("No deal with this number belongs to the chosen partner."))
            else:
                cleaned["deal"] = deal
        return cleaned


class SupportFilterForm(forms.Form):
    partner = forms.ModelChoiceField(
        queryset=PartnerCompany.objects.none(), required=False, label=_("Partner")
    )
    support_type = forms.ChoiceField(
        choices=[("", _("Every kind")), *SupportType.choices], required=False, label=_("Support")
    )
    date_from = BoundedDateField(
        required=False, label=_("From"), widget=forms.DateInput(attrs={"type": "date"})
    )
    date_to = BoundedDateField(required=False, label=_("To"), widget=forms.DateInput(attrs={"type": "date"}))
    q = forms.CharField(required=False, max_length=100, label=_("Search notes"))

    def __init__(self, *args, vendor, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["partner"].queryset = PartnerCompany.objects.filter(vendor=vendor).order_by("name")

    def filter(self, activities):
        if not self.is_valid():
            return activities
        data = self.cleaned_data
        if data["partner"]:
            activities = activities.filter(partner=data["partner"])
        if data["support_type"]:
            activities = activities.filter(support_type=data["support_type"])
        if data["date_from"]:
            activities = activities.filter(date__gte=data["date_from"])
        if data["date_to"]:
            activities = activities.filter(date__lte=data["date_to"])
        if data["q"]:
            activities = activities.filter(note__icontains=data["q"])
        return activities

    @property
    def active_count(self) -> int:
        if not self.is_valid():
            return 0
        return sum(1 for value in self.cleaned_data.values() if value)
