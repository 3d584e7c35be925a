"""Vendor pages of the scoring settings: the per-element weights of DESIGN §5."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect
from django.urls import path
from django.utils.translation import gettext as _
from django.views.generic import FormView

from meddic import services
from meddic.forms import WeightsForm
from meddic.models import ElementCode
from prm.forms import apply_service_errors
from prm.mixins import VendorAdminMixin


class WeightsView(VendorAdminMixin, FormView):
    """Vendor admins weigh the six elements in Q and V; "reset" makes them equal again."""

    template_name = "meddic/weights.html"
    form_class = WeightsForm

    def get_initial(self):
        return services.vendor_weights(self.vendor)

    def post(self, request, *args, **kwargs):
        if "reset" in request.POST:
            services.weights_set(access=self.access, weights=dict.fromkeys(ElementCode.values, 1))
            messages.success(request, _("All elements weigh the same again."))
            return redirect("meddic_weights", self.vendor.slug)
        return super().post(request, *args, **kwargs)

    def form_valid(self, form):
        try:
            services.weights_set(access=self.access, weights=form.cleaned_data)
        except ValidationError as error:
            apply_service_errors(form, error)
            return self.form_invalid(form)
        messages.success(
            self.request, _("MEDDIC weights saved; every deal's score is recalculated with them.")
        )
        return redirect("meddic_weights", self.vendor.slug)


urlpatterns = [
    path("settings/weights/", WeightsView.as_view(), name="meddic_weights"),
]
