"""The deal page: template answers, MEDDIC elements, champion log, registration workflow and history.

The registration steps (submit, approve, reject, return) post to one URL per action. Reject and return need a
reason: their form is a panel on the deal page, opened by GET on the action's URL and shown again with the
typed reason when it is refused. Conflict pages for vendor staff are in ``deals.views_conflicts``.
"""

from dataclasses import dataclass, field
from datetime import timedelta
from zoneinfo import ZoneInfo

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import redirect
from django.urls import path
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from django.views.generic import TemplateView

from audit.services import deal_history
from deals import selectors, views_conflicts, workflow
from deals.history import display_value, field_label, history_rows, registration_events
from deals.models import Deal, RegistrationStatus
from deals.permissions import can_decide_registration, can_edit_deal, can_edit_elements, sees_conflicts
from deals.views_form import champion_log_context
from knowledge.insights.ringi import deal_ringi_pattern
from meddic.forms_review import verify_forms
from meddic.models import ELEMENT_FIELDS, ElementCode, MeddicElement
from meddic.presentation import review_context, score_context
from partners.models import ALL_ROLES
from prm.clock import vendor_today
from prm.forms import apply_service_errors
from prm.mixins import VendorPageMixin
from prm.tenancy import Access

HISTORY_LIMIT = 100


class ReasonForm(forms.Form):
    # Required-ness is the workflow's rule (``needs_reason``); the service says so when it is missing.
    reason = forms.CharField(
        label=gettext_lazy("Reason (the partner reads this)"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


@dataclass
class ElementCard:
    element: MeddicElement
    label: str
    answers: list[tuple[str, str]] = field(default_factory=list)
    freshness: str = ""
    # fresh (≤30 days), ageing (≤90), stale (older) or never: the visibility score's freshness bands.
    freshness_band: str = "never"


def freshness_of(element: MeddicElement, today, zone: ZoneInfo) -> tuple[str, str]:
    """("12 days ago", "fresh") — days since the element was last confirmed, in the vendor's calendar."""
    if element.last_confirmed_at is None:
        return _("never"), "never"
    confirmed = timezone.localtime(element.last_confirmed_at, zone).date()
    days = max((today - confirmed).days, 0)
    band = "fresh" if days <= 30 else "ageing" if days <= 90 else "stale"
    if days == 0:
        return _("today"), band
    return ngettext("%(days)d day ago", "%(days)d days ago", days) % {"days": days}, band


def element_cards(elements: dict, today, zone: ZoneInfo) -> list[ElementCard]:
    cards = []
    for code, element in elements.items():
        text, band = freshness_of(element, today, zone)
        cards.append(
            ElementCard(
                element=element,
                label=element.get_code_display(),
                answers=[
                    (
                        field_label(MeddicElement, name),
                        display_value(MeddicElement, name, getattr(element, name)),
                    )
                    for name in ELEMENT_FIELDS[code]
                ],
                freshness=text,
                freshness_band=band,
            )
        )
    return cards


def protection_state(deal: Deal, today) -> str:
    """protected / ended / "" — whether an approved registration still holds the customer."""
    if deal.protected_until is None:
        return ""
    if deal.protection_expired or deal.protected_until < today:
        return "ended"
    return "protected"


def deal_page_context(
    access: Access, deal: Deal, *, open_action: str = "", reason_form=None, bound: dict | None = None
) -> dict:
    """Everything the deal page shows. ``bound`` keeps refused review forms (see ``meddic.views_review``)."""
    bound = bound or {}
    today = vendor_today(access.vendor)
    elements = selectors.deal_elements(deal)
    events = registration_events(deal)
    # A rejection or return the deal still stands under: its reason goes to the top of the page.
    decision = events[0] if events and events[0].to_status == deal.registration_status else None
    if decision is not None and decision.to_status not in (
        RegistrationStatus.REJECTED,
        RegistrationStatus.RETURNED,
    ):
        decision = None
    actions = workflow.actions_for(access, deal)
    reason_actions = [t for t in actions if t.needs_reason]
    refused = workflow.TRANSITIONS.get(open_action)
    if refused is not None and refused.needs_reason and refused not in reason_actions:
        # The step is no longer possible (the deal moved on), but the typed reason is shown with the error.
        reason_actions.append(refused)
    conflicts = []
    if sees_conflicts(access):
        for conflict in selectors.conflicts_of(deal).order_by("resolved_at", "-detected_at"):
            other = conflict.other if conflict.deal_id == deal.pk else conflict.deal
            conflicts.append((conflict, other))
    return {
        **score_context(deal),
        **review_context(access, deal, today, elements, bound=bound),
        "verify_forms": verify_forms(access, ElementCode.values, bound=bound.get("verify")),
        "verify_open": bound["verify"][0] if "verify" in bound else None,
        "deal": deal,
        "today": today,
        "protection": protection_state(deal, today),
        "element_cards": element_cards(elements, today, ZoneInfo(access.vendor.time_zone)),
        "ringi_pattern": (
            deal_ringi_pattern(deal, elements[ElementCode.DECISION_PROCESS])
            if ElementCode.DECISION_PROCESS in elements
            else None
        ),
        "phases": selectors.phase_history(deal),
        "events": events,
        "decision": decision,
        "history": history_rows(deal_history(deal)[:HISTORY_LIMIT], deal),
        "history_limit": HISTORY_LIMIT,
        "actions": actions,
        "reason_actions": reason_actions,
        # What approving would give, shown before the click (the workflow computes the same date).
        "approve_protects_until": (
            today + timedelta(days=access.vendor.protection_days)
            if any(t.action == "approve" for t in actions)
            else None
        ),
        "open_action": open_action,
        "reason_form": reason_form or ReasonForm(),
        "conflicts": conflicts,
        "open_conflicts": [c for c in conflicts if c[0].is_open],
        "can_edit": can_edit_deal(access, deal),
        "can_edit_elements": can_edit_elements(access, deal),
        **champion_log_context(access, deal),
    }


class DealDetailView(VendorPageMixin, TemplateView):
    roles = ALL_ROLES
    template_name = "deals/deal_detail.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        deal = selectors.deal_get(self.access, self.kwargs["deal_id"])
        context.update(deal_page_context(self.access, deal))
        return context


def may_take(access: Access, deal: Deal, transition: workflow.Transition) -> bool:
    """Vendor steps are for vendor staff; submitting is for whoever may edit the deal (the same rule the
    workflow enforces, asked before showing a form)."""
    if transition.by_vendor:
        return can_decide_registration(access)
    return can_edit_deal(access, deal)


class DealTransitionView(VendorPageMixin, TemplateView):
    """One registration step. GET opens the reason form of reject/return on the deal page."""

    roles = ALL_ROLES

    template_name = "deals/deal_detail.html"

    def setup_step(self):
        deal = selectors.deal_get(self.access, self.kwargs["deal_id"])
        transition = workflow.TRANSITIONS.get(self.kwargs["action"])
        if transition is None:
            raise Http404
        if not may_take(self.access, deal, transition):
            raise PermissionDenied
        return deal, transition

    def render_page(self, deal, transition, form):
        context = self.get_context_data(
            **deal_page_context(self.access, deal, open_action=transition.action, reason_form=form)
        )
        return self.render_to_response(context)

    def get(self, request, *args, **kwargs):
        deal, transition = self.setup_step()
        if not transition.needs_reason or transition not in workflow.actions_for(self.access, deal):
            return redirect("deal_detail", self.vendor.slug, deal.pk)
        return self.render_page(deal, transition, ReasonForm())

    def post(self, request, *args, **kwargs):
        deal, transition = self.setup_step()
        form = ReasonForm(request.POST)
        if not form.is_valid():
            return self.render_page(deal, transition, form)
        try:
            deal = workflow.deal_transition(
                access=self.access, deal=deal, action=transition.action, reason=form.cleaned_data["reason"]
            )
        except ValidationError as error:
            if transition.needs_reason:
                # Whatever refused it, the typed reason stays in the form next to the message.
                apply_service_errors(form, error)
                return self.render_page(deal, transition, form)
            for message in error.messages:
                messages.error(request, message)
            return redirect("deal_detail", self.vendor.slug, deal.pk)
        messages.success(request, self.done_message(deal, transition))
        return redirect("deal_detail", self.vendor.slug, deal.pk)

    def done_message(self, deal: Deal, transition: workflow.Transition) -> str:
        if transition.action == "approve":
            return _("Registration approved. %(customer)s is protected for %(partner)s until %(date)s.") % {
                "customer": deal.customer_name,
                "partner": deal.partner.name,
                "date": date_format(deal.protected_until, "DATE_FORMAT"),
            }
        if transition.action == "submit":
            if workflow.open_conflicts(deal).exists():
                return _(
                    "Registration submitted. Another partner has registered the same customer; "
                    "your channel manager will decide which registration stands."
                )
            return _("Registration submitted. Your channel manager will review it.")
        if transition.action == "reject":
            return _("Registration rejected. The partner sees your reason on the deal.")
        return _("Registration returned to the partner for facts.")


urlpatterns = [
    path("deals/<int:deal_id>/", DealDetailView.as_view(), name="deal_detail"),
    path(
        "deals/<int:deal_id>/registration/<str:action>/",
        DealTransitionView.as_view(),
        name="deal_transition",
    ),
    *views_conflicts.urlpatterns,
]
