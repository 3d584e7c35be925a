"""Review actions on the deal page (DESIGN §5): vendor staff verify elements, set the review state and ask the
partner about an element; the partner answers in place, which updates the element.

Each action posts to its own URL and returns to the deal; a refused form is shown again on the deal page with
what was typed (status 400).
"""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path, reverse
from django.utils.translation import gettext as _
from django.views import View

from deals import selectors
from deals.page import deal_page_context
from deals.permissions import can_edit_deal
from deals.services import StaleVersion
from meddic import reviews, services
from meddic.forms_review import AnswerForm, AskForm, ReviewForm, VerifyForm
from meddic.models import ElementCode, InfoRequest, ReviewState
from partners.models import PARTNER_ROLES, VENDOR_ROLES
from prm.forms import apply_service_errors
from prm.mixins import VendorPageMixin


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
                apply_service_errors(form, error)
            else:
                messages.success(
                    request,
                    _("%(element)s marked as verified by the vendor.") % {"element": ElementCode(code).label},
                )
                return back_to_deal(vendor_slug, deal_id, f"element-{code}")
        return render_deal_page(request, self, deal_id, verify=(code, form))


def render_deal_page(request, view, deal_id: int, **bound):
    """The deal page again with a refused form (``verify``, ``review``, ``ask`` or ``answer``) kept."""
    deal = selectors.deal_get(view.access, deal_id)
    context = deal_page_context(view.access, deal, bound=bound)
    context.update(access=view.access, vendor=view.vendor)
    return render(request, "deals/deal_detail.html", context, status=400)


def back_to_deal(vendor_slug: str, deal_id: int, anchor: str = ""):
    url = reverse("deal_detail", kwargs={"vendor_slug": vendor_slug, "deal_id": deal_id})
    return redirect(f"{url}#{anchor}" if anchor else url)


class DealReviewView(VendorPageMixin, View):
    """POST: set the deal's review state, with an optional note the partner reads."""

    roles = VENDOR_ROLES
    http_method_names = ["post"]

    def post(self, request, vendor_slug, deal_id):
        deal = selectors.deal_get(self.access, deal_id)
        form = ReviewForm(request.POST)
        if form.is_valid():
            try:
                changed = reviews.review_set(access=self.access, deal=deal, **form.cleaned_data)
            except ValidationError as error:
                apply_service_errors(form, error)
            else:
                if changed:
                    messages.success(
                        request,
                        _("Review state: %(state)s.")
                        % {"state": ReviewState(form.cleaned_data["state"]).label},
                    )
                return back_to_deal(vendor_slug, deal_id, "review")
        return render_deal_page(request, self, deal_id, review=form)


class InfoRequestSendView(VendorPageMixin, View):
    """POST: ask the partner about one element by a due date."""

    roles = VENDOR_ROLES
    http_method_names = ["post"]

    def post(self, request, vendor_slug, deal_id, code):
        deal = selectors.deal_get(self.access, deal_id)
        if code not in ElementCode.values:
            raise Http404
        form = AskForm(request.POST, code=code, vendor=self.vendor)
        if form.is_valid():
            try:
                reviews.info_request_send(access=self.access, deal=deal, element=code, **form.cleaned_data)
            except ValidationError as error:
                apply_service_errors(form, error)
            else:
                messages.success(
                    request,
                    _("Question about %(element)s sent to %(partner)s.")
                    % {"element": ElementCode(code).label, "partner": deal.partner.name},
                )
                return back_to_deal(vendor_slug, deal_id, f"element-{code}")
        return render_deal_page(request, self, deal_id, ask=(code, form))


def request_get(access, request_id: int) -> InfoRequest:
    """An info request on a deal the caller can see, or 404."""
    return get_object_or_404(
        InfoRequest.objects.select_related("deal").filter(deal__in=selectors.deals_visible(access)),
        pk=request_id,
    )


class InfoRequestAnswerView(VendorPageMixin, View):
    """POST: the partner answers; the element's answers in the form are saved with the deal."""

    roles = PARTNER_ROLES
    http_method_names = ["post"]

    def post(self, request, vendor_slug, request_id):
        info_request = request_get(self.access, request_id)
        deal = info_request.deal
        if not can_edit_deal(self.access, deal):
            raise PermissionDenied
        element = deal.elements.get(code=info_request.element)
        form = AnswerForm(request.POST, access=self.access, deal=deal, element=element, request=info_request)
        if form.is_valid():
            try:
                reviews.info_request_answer(
                    access=self.access,
                    request=info_request,
                    answer=form.cleaned_data["answer"],
                    version=form.cleaned_data["version"],
                    element=form.element_changes(),
                )
            except StaleVersion as stale:
                # Keep everything typed; the next send is based on the current version.
                data = request.POST.copy()
                data[form.add_prefix("version")] = stale.current.version
                form = AnswerForm(data, access=self.access, deal=deal, element=element, request=info_request)
                form.is_valid()
                form.add_error(
                    None,
                    _(
                        "Someone changed this deal while you were answering. Your answer is kept below: "
                        "check the element against the deal page and send it again."
                    ),
                )
            except ValidationError as error:
                form.apply_service_errors(error)
            else:
                messages.success(
                    request,
                    _("Answer sent. %(element)s is updated and the vendor has been told.")
                    % {"element": ElementCode(info_request.element).label},
                )
                return back_to_deal(vendor_slug, deal.pk, f"element-{info_request.element}")
        return render_deal_page(request, self, deal.pk, answer=(info_request.pk, form))


class InfoRequestWithdrawView(VendorPageMixin, View):
    """POST: vendor staff take back a question that is no longer needed."""

    roles = VENDOR_ROLES
    http_method_names = ["post"]

    def post(self, request, vendor_slug, request_id):
        info_request = request_get(self.access, request_id)
        try:
            reviews.info_request_withdraw(access=self.access, request=info_request)
        except ValidationError as error:
            for message in error.messages:
                messages.error(request, message)
        else:
            messages.success(request, _("Question withdrawn; the partner has been told."))
        return back_to_deal(vendor_slug, info_request.deal_id, "info-requests")


urlpatterns = [
    path(
        "deals/<int:deal_id>/elements/<str:code>/verify/",
        ElementVerifyView.as_view(),
        name="element_verify",
    ),
    path("deals/<int:deal_id>/review/", DealReviewView.as_view(), name="deal_review"),
    path(
        "deals/<int:deal_id>/elements/<str:code>/ask/",
        InfoRequestSendView.as_view(),
        name="info_request_send",
    ),
    path(
        "info-requests/<int:request_id>/answer/",
        InfoRequestAnswerView.as_view(),
        name="info_request_answer",
    ),
    path(
        "info-requests/<int:request_id>/withdraw/",
        InfoRequestWithdrawView.as_view(),
        name="info_request_withdraw",
    ),
]
