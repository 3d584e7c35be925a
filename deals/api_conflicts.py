"""Registration conflicts through the API (vendor staff): the list with the page's filters, one conflict, and
settling it — keep one registration and reject the other with the note, or keep both."""

from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import exceptions, mixins, serializers
from rest_framework.generics import GenericAPIView
from rest_framework.response import Response

from deals import selectors, workflow
from deals.conflict_filters import filter_conflicts
from deals.models import Deal, RegistrationConflict
from partners.models import VENDOR_ROLES
from prm.api import ID_MAX, VendorAPIMixin, bounded_id, filters_or_400
from prm.api_schema import ERRORS_400, ERRORS_403, ERRORS_404
from prm.parsers import JSONParser


class ConflictDealSerializer(serializers.ModelSerializer):
    partner = serializers.CharField(source="partner.name", read_only=True)

    class Meta:
        model = Deal
        fields = [
            "id",
            "partner",
            "customer_name",
            "customer_corporate_number",
            "title",
            "registration_status",
        ]
        read_only_fields = fields


class ConflictSerializer(serializers.ModelSerializer):
    deal = ConflictDealSerializer(read_only=True, help_text=_("The registration that found the conflict."))
    other = ConflictDealSerializer(read_only=True, help_text=_("The other partner's earlier registration."))
    resolved_by = serializers.EmailField(source="resolved_by.email", read_only=True, allow_null=True)
    kept = serializers.PrimaryKeyRelatedField(
        read_only=True, allow_null=True, help_text=_("The deal kept; null when both were kept or while open.")
    )

    class Meta:
        model = RegistrationConflict
        fields = [
            "id",
            "deal",
            "other",
            "match",
            "detected_at",
            "resolved_at",
            "resolved_by",
            "kept",
            "resolution_note",
        ]
        read_only_fields = fields


class ResolveSerializer(serializers.Serializer):
    keep = serializers.IntegerField(
        allow_null=True,
        min_value=1,
        max_value=ID_MAX,
        help_text=_("The deal to keep (the other is rejected with the note), or null to keep both."),
    )
    note = serializers.CharField(max_length=2000, help_text=_("Why, for both partners to read."))


FILTERS = [
    OpenApiParameter(
        "status", OpenApiTypes.STR, enum=["open", "resolved"], description=_("Open or resolved.")
    ),
    OpenApiParameter("partner", OpenApiTypes.INT, description=_("Either side's partner company (id).")),
    OpenApiParameter("q", OpenApiTypes.STR, description=_("Customer name or corporate number.")),
]


@extend_schema(tags=["conflicts"])
class ConflictListView(VendorAPIMixin, mixins.ListModelMixin, GenericAPIView):
    """Open conflicts first, then newest."""

    roles = VENDOR_ROLES
    serializer_class = ConflictSerializer

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return RegistrationConflict.objects.none()
        form, conflicts = filter_conflicts(self.access, self.request.query_params)
        filters_or_400(form)
        return conflicts

    @extend_schema(
        operation_id="vendors_conflicts_list",
        summary=_("Registration conflicts"),
        parameters=FILTERS,
        responses={200: ConflictSerializer(many=True), 400: ERRORS_400, 403: ERRORS_403},
    )
    def get(self, request, vendor_slug):
        return self.list(request)


@extend_schema(tags=["conflicts"])
class ConflictDetailView(VendorAPIMixin, GenericAPIView):
    roles = VENDOR_ROLES
    serializer_class = ConflictSerializer

    @extend_schema(operation_id="vendors_conflicts_retrieve", summary=_("A registration conflict"))
    def get(self, request, vendor_slug, conflict_id):
        conflict = selectors.conflict_get(self.access, bounded_id(conflict_id))
        return Response(ConflictSerializer(conflict).data)


@extend_schema(tags=["conflicts"])
class ConflictResolveView(VendorAPIMixin, GenericAPIView):
    roles = VENDOR_ROLES
    serializer_class = ResolveSerializer
    parser_classes = (JSONParser,)

    @extend_schema(
        operation_id="vendors_conflicts_resolve",
        summary=_("Settle a registration conflict"),
        request=ResolveSerializer,
        responses={200: ConflictSerializer, 400: ERRORS_400, 403: ERRORS_403, 404: ERRORS_404},
    )
    def post(self, request, vendor_slug, conflict_id):
        conflict = selectors.conflict_get(self.access, bounded_id(conflict_id))
        serializer = ResolveSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        keep_id = serializer.validated_data["keep"]
        keep = None
        if keep_id is not None:
            keep = Deal.objects.filter(pk=keep_id, pk__in=[conflict.deal_id, conflict.other_id]).first()
            if keep is None:
                raise exceptions.ValidationError({"keep": [_("Choose one of the two deals.")]})
        conflict = workflow.conflict_resolve(
            access=self.access, conflict=conflict, keep=keep, note=serializer.validated_data["note"]
        )
        return Response(ConflictSerializer(selectors.conflict_get(self.access, conflict.pk)).data)
