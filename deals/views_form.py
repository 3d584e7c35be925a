"""The deal form (register and edit through the Partner-MEDDIC template) and the champion log."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import redirect, render
from django.urls import path
from django.utils.translation import gettext as _
from django.views import View

from deals import selectors, services
from deals.forms import ChampionActivityForm, apply_service_errors
from deals.models import ActivityActor
from prm.clock import vendor_today
from prm.mixins import VendorPageMixin
from prm.tenancy import Access

CHAMPION_LOG_TEMPLATE = "deals/includes/champion_log.html"


def champion_log_context(access: Access, deal, form: ChampionActivityForm | None = None, **extra) -> dict:
    """Context of ``deals/includes/champion_log.html`` (the deal page includes it with this context)."""
    can_log = services.can_edit_elements(access, deal)
    if form is None and can_log:
        form = ChampionActivityForm(
            initial={"date": vendor_today(access.vendor), "actor": ActivityActor.CHAMPION}
        )
    return {
        "deal": deal,
        "vendor": access.vendor,
        "activities": selectors.champion_log(deal),
        "activity_form": form,
        "can_log": can_log,
        **extra,
    }


class ChampionActivitiesView(VendorPageMixin, View):
    """GET: the log partial. POST: add one entry; htmx gets the updated partial, others the deal page."""

    def get(self, request, vendor_slug, deal_id):
        deal = selectors.deal_get(self.access, deal_id)
        return render(request, CHAMPION_LOG_TEMPLATE, champion_log_context(self.access, deal))

    def post(self, request, vendor_slug, deal_id):
        deal = selectors.deal_get(self.access, deal_id)
        if not services.can_edit_elements(self.access, deal):
            raise PermissionDenied
        form = ChampionActivityForm(request.POST)
        activity = None
        if form.is_valid():
            try:
                activity = services.champion_activity_add(access=self.access, deal=deal, **form.cleaned_data)
            except ValidationError as error:
                apply_service_errors(form, error)
        if activity is None:
            context = champion_log_context(self.access, deal, form)
            if request.htmx:
                return render(request, CHAMPION_LOG_TEMPLATE, context)
            return render(request, "deals/champion_log.html", context, status=400)
        if request.htmx:
            return render(
                request, CHAMPION_LOG_TEMPLATE, champion_log_context(self.access, deal, added=activity.pk)
            )
        messages.success(request, _("Champion activity logged."))
        return redirect("deal_detail", vendor_slug, deal.pk)


urlpatterns = [
    path(
        "deals/<int:deal_id>/champion-activities/",
        ChampionActivitiesView.as_view(),
        name="champion_activities",
    ),
]
