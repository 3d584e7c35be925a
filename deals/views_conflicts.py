"""Registration conflicts for channel managers and vendor admins: the list, its CSV export, and the page
showing the two deals side by side where one is kept (or both, for different customers)."""

from dataclasses import dataclass

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect
from django.urls import path
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext
from django.views import View
from django.views.generic import ListView, TemplateView

from deals import selectors, workflow
from deals.conflict_filters import filter_conflicts
from deals.models import ConflictMatch, Deal, RegistrationConflict
from prm.csv_export import csv_response
from prm.forms import apply_service_errors
from prm.mixins import VendorStaffMixin
from prm.templatetags.prm_tags import person, yen

KEEP_A, KEEP_B, KEEP_BOTH = "a", "b", "both"


def outcome_of(conflict: RegistrationConflict) -> str:
    """How a resolved conflict ended, in one line ("" while it is open)."""
    if conflict.is_open:
        return ""
    if conflict.kept_id is None:
        return _("Different customers: both registrations kept")
    kept = conflict.deal if conflict.kept_id == conflict.deal_id else conflict.other
    return _("Kept the registration of %(partner)s; the other was rejected") % {"partner": kept.partner.name}


class ConflictListView(VendorStaffMixin, ListView):
    template_name = "deals/conflict_list.html"
    paginate_by = 25
    context_object_name = "conflicts"

    def get_queryset(self):
        self.filter_form, qs = filter_conflicts(self.access, self.request.GET)
        return qs

    def get_context_data(self, **kwargs):
        open_count = selectors.conflicts_visible(self.access).filter(resolved_at=None).count()
        return super().get_context_data(filter_form=self.filter_form, open_count=open_count, **kwargs)


class ConflictExportView(VendorStaffMixin, View):
    def get(self, request, vendor_slug):
        _form, qs = filter_conflicts(self.access, request.GET)
        header = [
            _("Detected"),
            _("Status"),
            _("Match"),
            _("Customer (A)"),
            _("Partner (A)"),
            _("Owner (A)"),
            _("Registration (A)"),
            _("Customer (B)"),
            _("Partner (B)"),
            _("Owner (B)"),
            _("Registration (B)"),
            _("Outcome"),
            _("Resolved"),
            _("Resolved by"),
            _("Note"),
        ]

        def row(conflict):
            a, b = conflict.deals
            return [
                timezone.localtime(conflict.detected_at).strftime("%Y-%m-%d %H:%M"),
                pgettext("conflict status", "Open") if conflict.is_open else _("Resolved"),
                conflict.get_match_display(),
                a.customer_name,
                a.partner.name,
                a.owner.email,
                a.get_registration_status_display(),
                b.customer_name,
                b.partner.name,
                b.owner.email,
                b.get_registration_status_display(),
                outcome_of(conflict),
                timezone.localtime(conflict.resolved_at).strftime("%Y-%m-%d %H:%M")
                if conflict.resolved_at
                else "",
                conflict.resolved_by.email if conflict.resolved_by else "",
                conflict.resolution_note,
            ]

        return csv_response(f"conflicts-{self.vendor.slug}.csv", header, (row(c) for c in qs))


class ResolveForm(forms.Form):
    keep = forms.ChoiceField(
        label=gettext_lazy("Decision"),
        widget=forms.RadioSelect,
        error_messages={"required": gettext_lazy("Choose which registration stands.")},
    )
    # Required by the workflow (it names the rule); the form only carries it.
    note = forms.CharField(
        label=gettext_lazy("Note for both partners"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    def __init__(self, *args, conflict: RegistrationConflict, **kwargs):
        super().__init__(*args, **kwargs)
        a, b = conflict.deals
        self.fields["keep"].choices = [
            (KEEP_A, _("Keep A (%(partner)s), reject B") % {"partner": a.partner.name}),
            (KEEP_B, _("Keep B (%(partner)s), reject A") % {"partner": b.partner.name}),
            (KEEP_BOTH, _("Different customers: keep both")),
        ]


@dataclass
class CompareRow:
    label: str
    a: str
    b: str
    match: bool = False
    multiline: bool = False


def compare_rows(conflict: RegistrationConflict, a: Deal, b: Deal) -> list[CompareRow]:
    """The facts a channel manager weighs, A beside B; the row that matched is marked."""

    def when(moment):
        return date_format(timezone.localtime(moment), "DATETIME_FORMAT") if moment else "—"

    def day(value):
        return date_format(value, "DATE_FORMAT") if value else "—"

    by_name = conflict.match == ConflictMatch.NAME
    return [
        CompareRow(_("Partner"), a.partner.name, b.partner.name),
        CompareRow(_("Owner"), person(a.owner), person(b.owner)),
        CompareRow(pgettext("registered on", "Registered"), when(a.registered_at), when(b.registered_at)),
        CompareRow(
            _("Registration status"), a.get_registration_status_display(), b.get_registration_status_display()
        ),
        CompareRow(_("Customer name"), a.customer_name, b.customer_name, match=by_name),
        CompareRow(
            _("Corporate number"),
            a.customer_corporate_number or "—",
            b.customer_corporate_number or "—",
            match=not by_name,
        ),
        CompareRow(_("Deal title"), a.title, b.title),
        CompareRow(_("Amount"), yen(a.amount), yen(b.amount)),
        CompareRow(_("Phase"), a.get_phase_display(), b.get_phase_display()),
        CompareRow(_("Close date"), day(a.close_date), day(b.close_date)),
        CompareRow(_("Proposal reason"), a.proposal_reason, b.proposal_reason, multiline=True),
    ]


def meddic_rows(a: Deal, b: Deal) -> list[tuple[str, object, object]]:
    elements_a, elements_b = selectors.deal_elements(a), selectors.deal_elements(b)
    return [
        (element.get_code_display(), element, elements_b.get(code)) for code, element in elements_a.items()
    ]


class ConflictDetailView(VendorStaffMixin, TemplateView):
    template_name = "deals/conflict_detail.html"

    def get_conflict(self) -> RegistrationConflict:
        return selectors.conflict_get(self.access, self.kwargs["conflict_id"])

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        conflict = kwargs.get("conflict") or self.get_conflict()
        a, b = conflict.deals
        context.update(
            conflict=conflict,
            deal_a=a,
            deal_b=b,
            sides=[(a, "A"), (b, "B")],
            rows=compare_rows(conflict, a, b),
            meddic=meddic_rows(a, b),
            outcome=outcome_of(conflict),
            form=kwargs.get("form") or ResolveForm(conflict=conflict),
        )
        return context

    def post(self, request, *args, **kwargs):
        conflict = self.get_conflict()
        form = ResolveForm(request.POST, conflict=conflict)
        if form.is_valid():
            a, b = conflict.deals
            keep = {KEEP_A: a, KEEP_B: b, KEEP_BOTH: None}[form.cleaned_data["keep"]]
            try:
                conflict = workflow.conflict_resolve(
                    access=self.access, conflict=conflict, keep=keep, note=form.cleaned_data["note"]
                )
            except ValidationError as error:
                apply_service_errors(form, error)
            else:
                messages.success(
                    request, _("Conflict resolved: %(outcome)s.") % {"outcome": outcome_of(conflict)}
                )
                return redirect("conflict_detail", self.vendor.slug, conflict.pk)
        return self.render_to_response(self.get_context_data(conflict=conflict, form=form))


urlpatterns = [
    path("conflicts/", ConflictListView.as_view(), name="conflict_list"),
    path("conflicts/export.csv", ConflictExportView.as_view(), name="conflict_export"),
    path("conflicts/<int:conflict_id>/", ConflictDetailView.as_view(), name="conflict_detail"),
]
