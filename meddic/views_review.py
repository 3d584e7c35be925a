"""Vendor staff's review actions on a deal: verifying an element (DESIGN §5)."""

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import View

from deals import selectors
from meddic import services
from meddic.models import ElementCode, VerificationMethod
from partners.models import VENDOR_ROLES
from partners.views import apply_form_errors
from prm.mixins import VendorPageMixin


class VerifyForm(forms.Form):
    method = forms.ChoiceField(
        label=gettext_lazy("Verified through"),
        choices=[("", "—"), *VerificationMethod.choices],
        widget=forms.Select(attrs={"class": "form-select form-select-sm"}),
    )
    note = forms.CharField(
        label=gettext_lazy("How it was verified"),
        max_length=500,
        required=False,
        widget=forms.TextInput(attrs={"class": "form-control form-control-sm"}),
    )


def verify_forms(access, element_codes, bound: tuple[str, VerifyForm] | None = None) -> dict:
    """One verification form per element for vendor staff (none for partners); ``bound`` keeps a refused one."""
    if not access.is_vendor_staff:
        return {}
    forms_by_code = {code: VerifyForm(prefix=f"verify-{code}") for code in element_codes}
    if bound is not None:
        forms_by_code[bound[0]] = bound[1]
    return forms_by_code


class ElementVerifyView(VendorPageMixin, View):
    """POST: mark one element of the deal verified, with how; a refusal shows the deal page with the form kept."""

    roles = VENDOR_ROLES
    http_method_names = ["post"]

    def post(self, request, vendor_slug, deal_id, code):
        deal = selectors.deal_get(self.access, deal_id)
        if code not in ElementCode.values:
            raise Http404
        form = VerifyForm(request.POST, prefix=f"verify-{code}")
        if form.is_valid():
            try:
                services.element_verify(
                    access=self.access,
                    deal=deal,
                    code=code,
                    method=form.cleaned_data["method"],
                    note=form.cleaned_data["note"],
                )
            except ValidationError as error:
                apply_form_errors(form, error)
            else:
                messages.success(
                    request,
                    _("%(element)s marked as verified by the vendor.") % {"element": ElementCode(code).label},
                )
                url = reverse("deal_detail", kwargs={"vendor_slug": vendor_slug, "deal_id": deal_id})
                return redirect(f"{url}#element-{code}")
        from deals.views import deal_page_context

        context = deal_page_context(self.access, selectors.deal_get(self.access, deal_id))
        context.update(
            access=self.access,
            vendor=self.vendor,
            verify_forms=verify_forms(self.access, ElementCode.values, bound=(code, form)),
            verify_open=code,
        )
        return render(request, "deals/deal_detail.html", context, status=400)


urlpatterns = [
    path(
        "deals/<int:deal_id>/elements/<str:code>/verify/",
        ElementVerifyView.as_view(),
        name="element_verify",
    ),
]
