"""The enablement funnels through the API (vendor staff): per partner of one content, the content's recipients,
every partner's funnel, and one partner's funnel per content — with the pages' filters."""

from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework.generics import GenericAPIView

from enablement import selectors
from enablement.api import ContentStaffMixin
from enablement.filters import RECIPIENT_STAGE_FILTERS, partners_filtered, recipients_filtered
from enablement.models import Content, Delivery
from enablement.serializers import (
    ContentFunnelRowSerializer,
    PartnerFunnelSerializer,
    RecipientSerializer,
    funnel_data,
)
from partners.models import PartnerCompany, Tier
from prm.api import bounded_id, filters_or_400
from prm.api_schema import ERRORS_400, ERRORS_403, ERRORS_404


def _partner_row(partner_id, name, tier, row) -> dict:
    return {"partner": {"id": partner_id, "name": name, "tier": tier}, "funnel": funnel_data(row)}


@extend_schema(tags=["content"])
class ContentPartnersView(ContentStaffMixin, GenericAPIView):
    serializer_class = PartnerFunnelSerializer
    queryset = Content.objects.none()  # the path's model, for the schema

    @extend_schema(
        operation_id="vendors_content_partners",
        summary=_("A content's funnel per partner"),
        responses={200: PartnerFunnelSerializer(many=True), 403: ERRORS_403, 404: ERRORS_404},
    )
    def get(self, request, vendor_slug, content_id):
        content = self.content_get(content_id)
        page = self.paginate_queryset(selectors.funnel_by_partner(content))
        rows = [_partner_row(r["partner"], r["partner__name"], r["partner__tier"], r) for r in page]
        return self.get_paginated_response(rows)


@extend_schema(tags=["content"])
class ContentRecipientsView(ContentStaffMixin, GenericAPIView):
    serializer_class = RecipientSerializer

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return Delivery.objects.none()
        content = self.content_get(self.kwargs["content_id"])
        form, qs = recipients_filtered(self.access, content, self.request.query_params)
        filters_or_400(form)
        return qs

    @extend_schema(
        operation_id="vendors_content_recipients",
        summary=_("Who received a content, and how far they are"),
        parameters=[
            OpenApiParameter("q", OpenApiTypes.STR, description=_("Words of the name or email.")),
            OpenApiParameter("stage", OpenApiTypes.STR, enum=list(RECIPIENT_STAGE_FILTERS)),
            OpenApiParameter("partner", OpenApiTypes.INT, description=_("Partner company (id).")),
        ],
        responses={200: RecipientSerializer(many=True), 400: ERRORS_400, 403: ERRORS_403, 404: ERRORS_404},
    )
    def get(self, request, vendor_slug, content_id):
        page = self.paginate_queryset(self.get_queryset())
        return self.get_paginated_response(self.get_serializer(page, many=True).data)


@extend_schema(tags=["content"])
class PartnerFunnelListView(ContentStaffMixin, GenericAPIView):
    serializer_class = PartnerFunnelSerializer

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return PartnerCompany.objects.none()
        form, qs = partners_filtered(self.access, self.request.query_params)
        filters_or_400(form)
        return qs

    @extend_schema(
        operation_id="vendors_content_partner_funnels",
        summary=_("Each partner's funnel over all the content it received"),
        parameters=[
            OpenApiParameter("q", OpenApiTypes.STR, description=_("Words of the partner's name.")),
            OpenApiParameter("tier", OpenApiTypes.STR, enum=Tier.values),
            OpenApiParameter("sort", OpenApiTypes.STR, enum=["understood", "not_opened"]),
        ],
        responses={200: PartnerFunnelSerializer(many=True), 400: ERRORS_400, 403: ERRORS_403},
    )
    def get(self, request, vendor_slug):
        page = self.paginate_queryset(self.get_queryset())
        return self.get_paginated_response([_partner_row(p.pk, p.name, p.tier, p) for p in page])


@extend_schema(tags=["content"])
class PartnerFunnelDetailView(ContentStaffMixin, GenericAPIView):
    serializer_class = ContentFunnelRowSerializer

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return Content.objects.none()
        partner = selectors.partner_get_for_staff(self.access, bounded_id(self.kwargs["partner_id"]))
        return selectors.partner_content_funnels(self.access, partner).order_by("-published_at", "-pk")

    @extend_schema(
        operation_id="vendors_content_partner_funnel",
        summary=_("One partner's funnel per content"),
        responses={200: ContentFunnelRowSerializer(many=True), 403: ERRORS_403, 404: ERRORS_404},
    )
    def get(self, request, vendor_slug, partner_id):
        page = self.paginate_queryset(self.get_queryset())
        return self.get_paginated_response(self.get_serializer(page, many=True).data)
