"""The deal page: template answers, MEDDIC elements, champion log, registration workflow and history.

The registration steps (submit, approve, reject, return) post to one URL per action. Reject and return need a
reason: their form is a panel on the deal page, opened by GET on the action's URL and shown again with the
typed reason when it is refused. Conflict pages for vendor staff are in ``deals.views_conflicts``.
"""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import redirect
from django.urls import path
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.views.generic import TemplateView

from deals import selectors, views_conflicts, workflow
from deals.models import Deal
from deals.page import ReasonForm, deal_page_context
from deals.permissions import can_decide_registration, can_edit_deal
from meddic.queue import queue_navigation
from partners.models import ALL_ROLES
from prm.forms import apply_service_errors
from prm.mixins import VendorPageMixin
from prm.tenancy import Access


class DealDetailView(VendorPageMixin, TemplateView):
    roles = ALL_ROLES
    template_name = "deals/deal_detail.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        deal = selectors.deal_get(self.access, self.kwargs["deal_id"])
        context.update(deal_page_context(self.access, deal))
        context["queue_nav"] = queue_navigation(self.request, self.access, deal.pk)
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
