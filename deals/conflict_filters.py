"""The conflicts list's filters (status, partner, customer), shared by its page, CSV export and API."""

from django import forms
from django.db.models import F, Q
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext_lazy

from deals import selectors
from partners.selectors import partners_visible


class ConflictFilterForm(forms.Form):
    q = forms.CharField(label=gettext_lazy("Customer"), required=False)
    status = forms.ChoiceField(
        label=gettext_lazy("Status"),
        required=False,
        choices=[
            ("", gettext_lazy("All conflicts")),
            ("open", pgettext_lazy("conflict status", "Open")),
            ("resolved", gettext_lazy("Resolved")),
        ],
    )
    partner = forms.TypedChoiceField(
        label=gettext_lazy("Partner"), required=False, coerce=int, empty_value=None
    )

    def __init__(self, *args, access, **kwargs):
        super().__init__(*args, **kwargs)
        partners = partners_visible(access).order_by("name").values_list("pk", "name")
        self.fields["partner"].choices = [("", _("All partners")), *partners]


def filter_conflicts(access, params):
    """Open conflicts first, then newest; the same filters for the page and its export."""
    form = ConflictFilterForm(params or None, access=access)
    qs = selectors.conflicts_visible(access)
    if form.is_valid():
        data = form.cleaned_data
        if data["status"] == "open":
            qs = qs.filter(resolved_at=None)
        elif data["status"] == "resolved":
            qs = qs.exclude(resolved_at=None)
        if data["partner"]:
            qs = qs.filter(Q(deal__partner_id=data["partner"]) | Q(other__partner_id=data["partner"]))
        if data["q"]:
            term = data["q"].strip()
            qs = qs.filter(
                Q(deal__customer_name__icontains=term)
                | Q(other__customer_name__icontains=term)
                | Q(deal__customer_corporate_number=term)
                | Q(other__customer_corporate_number=term)
            )
    return form, qs.order_by(F("resolved_at").asc(nulls_first=True), "-detected_at", "-pk")
