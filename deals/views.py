"""The deal page: template answers, MEDDIC elements, champion log, registration workflow and history."""

from django.urls import path
from django.views.generic import TemplateView

from audit.services import deal_history
from deals import selectors, workflow
from deals.services import can_edit, can_edit_elements
from prm.mixins import VendorPageMixin


class DealDetailView(VendorPageMixin, TemplateView):
    template_name = "deals/deal_detail.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        deal = selectors.deal_get(self.access, self.kwargs["deal_id"])
        context.update(
            deal=deal,
            elements=selectors.deal_elements(deal),
            activities=selectors.champion_log(deal),
            phases=selectors.phase_history(deal),
            history=deal_history(deal)[:100],
            actions=workflow.actions_for(self.access, deal),
            can_edit=can_edit(self.access, deal),
            can_edit_elements=can_edit_elements(self.access, deal),
        )
        return context


urlpatterns = [
    path("deals/<int:deal_id>/", DealDetailView.as_view(), name="deal_detail"),
]
