"""API of the vendor's review of deals (DESIGN §5, shapes of §7): review state, bulk review and info requests.

Thin views over ``meddic.reviews``: who may act and what is valid is decided there. Deals and info requests are
reached only through ``deals.selectors.deals_visible``, so another tenant's or another partner company's deal or
request is 404. An answer based on a stale deal ``version`` answers 409 with the deal as it is, like deal PATCH.
"""

import django_filters
from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext_lazy
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, status
from rest_framework.generics import GenericAPIView
from rest_framework.response import Response
from rest_framework.settings import api_settings
from rest_framework.views import set_rollback

from audit.models import AuditEntry
from deals import selectors as deal_selectors
from deals.models import Deal
from deals.rest import ERRORS_409, DealRenderMixin
from deals.services import StaleVersion
from meddic import reviews
from meddic.models import DealReview, ElementCode, InfoRequest, InfoRequestStatus, ReviewState
from meddic.serializers_review import (
    BulkReviewResultSerializer,
    BulkReviewSerializer,
    InfoRequestAnsweredSerializer,
    InfoRequestAnswerSerializer,
    InfoRequestSerializer,
    ReviewSerializer,
    ReviewWithHistorySerializer,
)
from partners.models import ALL_ROLES, PARTNER_ROLES, VENDOR_ROLES
from prm.api import Conflict, VendorAPIMixin
from prm.api_filters import IdFilter, TrueFalseFilter
from prm.api_schema import ERRORS_400, ERRORS_403, ERRORS_404
from prm.clock import vendor_today
from prm.parsers import JSONParser


def info_requests_visible(access) -> QuerySet[InfoRequest]:
    """Requests on the deals the caller may see, newest first."""
    return (
        InfoRequest.objects.filter(deal__in=deal_selectors.deals_visible(access).values("pk"))
        .select_related("deal", "requested_by", "answered_by")
        .order_by("-requested_at", "-pk")
    )


def info_request_get(access, request_id: int) -> InfoRequest:
    return get_object_or_404(info_requests_visible(access), pk=request_id)


# --- Serializers ---------------------------------------------------------------------------------------------


# --- Filters -------------------------------------------------------------------------------------------------


class InfoRequestFilter(django_filters.FilterSet):
    status = django_filters.ChoiceFilter(choices=InfoRequestStatus.choices, label=gettext_lazy("Status"))
    element = django_filters.ChoiceFilter(choices=ElementCode.choices, label=gettext_lazy("Element"))
    deal = IdFilter(field_name="deal_id", label=gettext_lazy("Deal (id)"))
    overdue = TrueFalseFilter(
        method="filter_overdue",
        label=gettext_lazy("Open and past its due date (true), or not (false)"),
    )

    class Meta:
        model = InfoRequest
        fields = ["status", "element", "deal", "overdue"]

    def filter_overdue(self, queryset, name, value):
        late = {"status": InfoRequestStatus.OPEN, "due_date__lt": vendor_today(self.request.access.vendor)}
        return queryset.filter(**late) if value else queryset.exclude(**late)


# --- Info requests -------------------------------------------------------------------------------------------


class InfoRequestContextMixin:
    def get_serializer_context(self):
        context = super().get_serializer_context()
        if hasattr(self, "access"):
            context["today"] = vendor_today(self.access.vendor)
        return context


class DealInfoRequestsView(InfoRequestContextMixin, VendorAPIMixin, mixins.ListModelMixin, GenericAPIView):
    """The info requests of one deal; vendor staff ask a new one."""

    roles = ALL_ROLES

    parser_classes = (JSONParser,)
    serializer_class = InfoRequestSerializer
    action_roles = {"create": VENDOR_ROLES}

    def initialize_request(self, request, *args, **kwargs):
        request = super().initialize_request(request, *args, **kwargs)
        self.action = "create" if request.method == "POST" else "list"
        return request

    def get_deal(self) -> Deal:
        if not hasattr(self, "_deal"):
            self._deal = deal_selectors.deal_get(self.access, self.kwargs["deal_id"])
        return self._deal

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return InfoRequest.objects.none()
        return info_requests_visible(self.access).filter(deal=self.get_deal())

    @extend_schema(
        operation_id="vendors_deals_info_requests_list",
        tags=["reviews"],
        summary=gettext_lazy("Info requests of a deal"),
        description=gettext_lazy("Newest first."),
        responses={200: InfoRequestSerializer(many=True), 404: ERRORS_404},
    )
    def get(self, request, vendor_slug, deal_id):
        return self.list(request)

    @extend_schema(
        operation_id="vendors_deals_info_requests_create",
        tags=["reviews"],
        summary=gettext_lazy("Ask the partner about an element (vendor staff)"),
        description=gettext_lazy(
            "The deal's owner and partner admins are notified; an unreviewed deal moves to `needs_info`."
        ),
        request=InfoRequestSerializer,
        responses={201: InfoRequestSerializer, 400: ERRORS_400, 403: ERRORS_403, 404: ERRORS_404},
    )
    def post(self, request, vendor_slug, deal_id):
        deal = self.get_deal()
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        created = reviews.info_request_send(access=self.access, deal=deal, **serializer.validated_data)
        created = info_request_get(self.access, created.pk)
        return Response(self.get_serializer(created).data, status=status.HTTP_201_CREATED)


class InfoRequestListView(InfoRequestContextMixin, VendorAPIMixin, mixins.ListModelMixin, GenericAPIView):
    """Every info request the caller can see: the vendor's for vendor staff, the company's for partner users."""

    roles = ALL_ROLES

    serializer_class = InfoRequestSerializer
    filterset_class = InfoRequestFilter

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return InfoRequest.objects.none()
        return info_requests_visible(self.access)

    @extend_schema(
        operation_id="vendors_info_requests_list",
        tags=["reviews"],
        summary=gettext_lazy("Info requests"),
        description=gettext_lazy(
            "Newest first. `overdue=true`: still open after the due date (the vendor's today)."
        ),
        responses={200: InfoRequestSerializer(many=True), 400: ERRORS_400},
    )
    def get(self, request, vendor_slug):
        return self.list(request)


class InfoRequestDetailView(InfoRequestContextMixin, VendorAPIMixin, GenericAPIView):
    roles = ALL_ROLES
    serializer_class = InfoRequestSerializer

    @extend_schema(
        operation_id="vendors_info_requests_retrieve",
        tags=["reviews"],
        summary=gettext_lazy("An info request"),
        responses={200: InfoRequestSerializer, 404: ERRORS_404},
    )
    def get(self, request, vendor_slug, request_id):
        return Response(self.get_serializer(info_request_get(self.access, request_id)).data)


def _element_errors(error: ValidationError) -> ValidationError:
    """The service's ``meddic.<element>.<field>`` keys as this body names them: ``element.<field>``."""
    renamed = {}
    for key, messages in error.message_dict.items():
        parts = key.split(".")
        if parts[0] == "meddic":
            key = ".".join(["element", *parts[2:]])
        renamed[key] = messages
    return ValidationError(renamed)


class InfoRequestAnswerView(DealRenderMixin, InfoRequestContextMixin, VendorAPIMixin, GenericAPIView):
    """The deal's owner or their partner admin answers; the element's answers are saved with the deal."""

    parser_classes = (JSONParser,)
    serializer_class = InfoRequestAnswerSerializer
    roles = PARTNER_ROLES

    @extend_schema(
        operation_id="vendors_info_requests_answer",
        tags=["reviews"],
        summary=gettext_lazy("Answer an info request (the deal's owner or partner admin)"),
        description=gettext_lazy(
            "Send the answer, the deal's `version` and the element's changed answers. The element counts as "
            "confirmed now and the asker is notified. A request that is no longer open answers 400."
        ),
        request=InfoRequestAnswerSerializer,
        responses={
            200: InfoRequestAnsweredSerializer,
            400: ERRORS_400,
            403: ERRORS_403,
            404: ERRORS_404,
            409: ERRORS_409,
        },
    )
    def post(self, request, vendor_slug, request_id):
        info_request = info_request_get(self.access, request_id)
        serializer = InfoRequestAnswerSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        try:
            reviews.info_request_answer(
                access=self.access,
                request=info_request,
                answer=data["answer"],
                version=data["version"],
                element=data.get("element"),
            )
        except StaleVersion as stale:
            body = {
                "detail": str(Conflict.default_detail),
                "code": Conflict.default_code,
                "current": self.render_deal(stale.current.pk),
            }
            set_rollback()  # nothing was written; the request's transaction ends as a refusal
            return Response(body, status=Conflict.status_code)
        except ValidationError as error:
            raise _element_errors(error) from error
        answered = InfoRequestSerializer(
            info_request_get(self.access, request_id), context=self.get_serializer_context()
        )
        return Response({**answered.data, "deal": self.render_deal(info_request.deal_id)})


class InfoRequestWithdrawView(InfoRequestContextMixin, VendorAPIMixin, GenericAPIView):
    """Vendor staff take back an open question."""

    parser_classes = (JSONParser,)
    serializer_class = InfoRequestSerializer
    roles = VENDOR_ROLES

    @extend_schema(
        operation_id="vendors_info_requests_withdraw",
        tags=["reviews"],
        summary=gettext_lazy("Withdraw an info request (vendor staff)"),
        description=gettext_lazy("The partner is notified. A request that is no longer open answers 400."),
        request=None,
        responses={200: InfoRequestSerializer, 400: ERRORS_400, 403: ERRORS_403, 404: ERRORS_404},
    )
    def post(self, request, vendor_slug, request_id):
        info_request = info_request_get(self.access, request_id)
        try:
            reviews.info_request_withdraw(access=self.access, request=info_request)
        except ValidationError as error:
            raise ValidationError({api_settings.NON_FIELD_ERRORS_KEY: error.messages}) from error
        return Response(self.get_serializer(info_request_get(self.access, request_id)).data)


# --- Review state --------------------------------------------------------------------------------------------


def review_of(deal: Deal) -> dict:
    review = DealReview.objects.filter(deal=deal).select_related("changed_by").first()
    if review is None:
        return {"state": ReviewState.UNREVIEWED, "note": "", "changed_by": None, "changed_at": None}
    return {
        "state": review.state,
        "note": review.note,
        "changed_by": review.changed_by.email if review.changed_by else None,
        "changed_at": review.changed_at,
    }


def review_history(deal: Deal) -> list[dict]:
    """The deal's review changes, newest first. A change of the note alone keeps the state it had then."""
    entries = (
        AuditEntry.objects.filter(deal_id=deal.pk, action="deal.review")
        .select_related("actor")
        .order_by("at", "pk")
    )
    history, state = [], ReviewState.UNREVIEWED
    for entry in entries:
        before, after = (entry.changes or {}).get("state", [state, state])
        history.append(
            {
                "at": entry.at,
                "actor": entry.actor.email if entry.actor else None,
                "from": before,
                "to": after,
                "note": entry.reason,
            }
        )
        state = after
    return history[::-1]


class DealReviewView(VendorAPIMixin, GenericAPIView):
    """A deal's review state: anyone who sees the deal reads it and its history; vendor staff set it."""

    roles = ALL_ROLES

    parser_classes = (JSONParser,)
    serializer_class = ReviewSerializer
    action_roles = {"create": VENDOR_ROLES}

    def initialize_request(self, request, *args, **kwargs):
        request = super().initialize_request(request, *args, **kwargs)
        self.action = "create" if request.method == "POST" else "retrieve"
        return request

    @extend_schema(
        operation_id="vendors_deals_review_retrieve",
        tags=["reviews"],
        summary=gettext_lazy("A deal's review state and its history"),
        responses={200: ReviewWithHistorySerializer, 404: ERRORS_404},
    )
    def get(self, request, vendor_slug, deal_id):
        deal = deal_selectors.deal_get(self.access, deal_id)
        data = {**review_of(deal), "history": review_history(deal)}
        return Response(ReviewWithHistorySerializer(data).data)

    @extend_schema(
        operation_id="vendors_deals_review_create",
        tags=["reviews"],
        summary=gettext_lazy("Set a deal's review state (vendor staff)"),
        description=gettext_lazy(
            "The change and its note are in the deal's history; the partner is notified when the state changes."
        ),
        request=ReviewSerializer,
        responses={200: ReviewSerializer, 400: ERRORS_400, 403: ERRORS_403, 404: ERRORS_404},
    )
    def post(self, request, vendor_slug, deal_id):
        deal = deal_selectors.deal_get(self.access, deal_id)
        serializer = ReviewSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        reviews.review_set(access=self.access, deal=deal, **serializer.validated_data)
        return Response(ReviewSerializer(review_of(deal)).data)


class BulkReviewView(VendorAPIMixin, GenericAPIView):
    """The review queue's bulk action: one state (and note) for many deals."""

    parser_classes = (JSONParser,)
    serializer_class = BulkReviewSerializer
    roles = VENDOR_ROLES

    @extend_schema(
        operation_id="vendors_reviews_create",
        tags=["reviews"],
        summary=gettext_lazy("Set the review state of several deals (vendor staff)"),
        description=gettext_lazy(
            "Ids the caller cannot see (unknown, another tenant's, or a partner's draft) are listed in "
            "`ignored`; `changed` counts the deals whose review changed."
        ),
        request=BulkReviewSerializer,
        responses={200: BulkReviewResultSerializer, 400: ERRORS_400, 403: ERRORS_403, 404: ERRORS_404},
    )
    def post(self, request, vendor_slug):
        serializer = BulkReviewSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        ids = list(dict.fromkeys(data["deals"]))
        deals = list(deal_selectors.deals_visible(self.access).filter(pk__in=ids).order_by("pk"))
        found = {deal.pk for deal in deals}
        changed = reviews.reviews_set(
            access=self.access, deals=deals, state=data["state"], note=data.get("note", "")
        )
        return Response({"changed": changed, "ignored": [pk for pk in ids if pk not in found]})
