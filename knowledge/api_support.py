"""The support log through the API (vendor staff): list with the page's filters, log an activity, remove one."""

from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import exceptions, mixins, serializers, status
from rest_framework.generics import GenericAPIView, get_object_or_404
from rest_framework.response import Response

from deals.models import Deal
from knowledge import support
from knowledge.forms_support import SupportFilterForm
from knowledge.models import SupportActivity, SupportType
from partners.models import VENDOR_ROLES, PartnerCompany, PartnerStatus
from prm.api import ID_MAX, VendorAPIMixin, bounded_id, filters_or_400
from prm.api_schema import ERRORS_400, ERRORS_403, ERRORS_404
from prm.parsers import JSONParser


class SupportActivitySerializer(serializers.ModelSerializer):
    partner = serializers.PrimaryKeyRelatedField(
        queryset=PartnerCompany.objects.none(), help_text=_("The partner company supported (id).")
    )
    support_type = serializers.ChoiceField(choices=SupportType.choices)
    hours = serializers.DecimalField(
        max_digits=4, decimal_places=1, min_value=support.HOURS_MIN, max_value=support.HOURS_MAX
    )
    deal = serializers.IntegerField(
        required=False,
        allow_null=True,
        min_value=1,
        max_value=ID_MAX,
        source="deal_id",
        help_text=_("Optional: the partner's deal this support was for."),
    )
    logged_by = serializers.EmailField(source="logged_by.email", read_only=True, allow_null=True)

    class Meta:
        model = SupportActivity
        fields = ["id", "partner", "support_type", "date", "hours", "note", "deal", "logged_by", "created_at"]
        read_only_fields = ["id", "logged_by", "created_at"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["partner"].queryset = PartnerCompany.objects.exclude(status=PartnerStatus.INVITED)


FILTERS = [
    OpenApiParameter("partner", OpenApiTypes.INT, description=_("Partner company (id).")),
    OpenApiParameter("support_type", OpenApiTypes.STR, enum=SupportType.values),
    OpenApiParameter("date_from", OpenApiTypes.DATE),
    OpenApiParameter("date_to", OpenApiTypes.DATE),
    OpenApiParameter("q", OpenApiTypes.STR, description=_("Words of the note.")),
]


@extend_schema(tags=["support"])
class SupportListView(VendorAPIMixin, mixins.ListModelMixin, GenericAPIView):
    """The vendor's support log, newest first."""

    roles = VENDOR_ROLES
    serializer_class = SupportActivitySerializer
    parser_classes = (JSONParser,)

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return SupportActivity.objects.none()
        form = SupportFilterForm(self.request.query_params, vendor=self.access.vendor)
        filters_or_400(form)
        return form.filter(support.support_activities(self.access)).order_by("-date", "-pk")

    @extend_schema(
        operation_id="vendors_support_list",
        summary=_("Support log"),
        parameters=FILTERS,
        responses={200: SupportActivitySerializer(many=True), 400: ERRORS_400, 403: ERRORS_403},
    )
    def get(self, request, vendor_slug):
        return self.list(request)

    @extend_schema(
        operation_id="vendors_support_create",
        summary=_("Log support"),
        request=SupportActivitySerializer,
        responses={201: SupportActivitySerializer, 400: ERRORS_400, 403: ERRORS_403},
    )
    def post(self, request, vendor_slug):
        serializer = SupportActivitySerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        deal_id = data.pop("deal_id", None)
        deal = None
        if deal_id is not None:
            deal = Deal.objects.filter(pk=deal_id).first()
            if deal is None:
                raise exceptions.ValidationError(
                    {"deal": [_("No deal with this number belongs to the chosen partner.")]}
                )
        activity = support.support_log(access=self.access, deal=deal, **data)
        return Response(SupportActivitySerializer(activity).data, status=status.HTTP_201_CREATED)


@extend_schema(tags=["support"])
class SupportDetailView(VendorAPIMixin, GenericAPIView):
    roles = VENDOR_ROLES
    serializer_class = SupportActivitySerializer

    @extend_schema(
        operation_id="vendors_support_destroy",
        summary=_("Remove a support activity"),
        responses={204: None, 403: ERRORS_403, 404: ERRORS_404},
    )
    def delete(self, request, vendor_slug, activity_id):
        activity = get_object_or_404(support.support_activities(self.access), pk=bounded_id(activity_id))
        support.support_remove(access=self.access, activity=activity)
        return Response(status=status.HTTP_204_NO_CONTENT)
