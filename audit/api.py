"""The audit trail through the API (vendor admins), with the filters of its page. Read only: entries cannot be
changed or deleted."""

from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import mixins, serializers
from rest_framework.generics import GenericAPIView

from audit import display
from audit.forms import AuditFilterForm
from audit.models import AuditEntry
from partners.models import Role
from prm.api import VendorAPIMixin, filters_or_400
from prm.api_schema import ERRORS_400, ERRORS_403


class AuditEntrySerializer(serializers.ModelSerializer):
    actor = serializers.CharField(
        source="actor_email", read_only=True, help_text=_("Who did it (email); empty for the product itself.")
    )
    action_label = serializers.SerializerMethodField(help_text=_("The action in the caller's language."))

    class Meta:
        model = AuditEntry
        fields = [
            "id",
            "at",
            "actor",
            "action",
            "action_label",
            "subject_type",
            "subject_id",
            "deal_id",
            "changes",
            "reason",
            "request_id",
        ]
        read_only_fields = fields

    def get_action_label(self, entry) -> str:
        return str(display.action_label(entry.action))


FILTERS = [
    OpenApiParameter("date_from", OpenApiTypes.DATE, description=_("From this day (the vendor's calendar).")),
    OpenApiParameter("date_to", OpenApiTypes.DATE, description=_("Up to and including this day.")),
    OpenApiParameter("actor", OpenApiTypes.INT, description=_("Who (user id).")),
    OpenApiParameter("action", OpenApiTypes.STR, description=_("Action code, e.g. deal.approve.")),
    OpenApiParameter("subject_type", OpenApiTypes.STR, description=_("Kind of subject, e.g. deal.")),
    OpenApiParameter(
        "q", OpenApiTypes.STR, description=_("A deal number, request id, email or word of the changes.")
    ),
]


@extend_schema(tags=["audit"])
class AuditListView(VendorAPIMixin, mixins.ListModelMixin, GenericAPIView):
    """The vendor's audit trail, newest first."""

    roles = (Role.VENDOR_ADMIN,)
    serializer_class = AuditEntrySerializer

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return AuditEntry.objects.none()
        form = AuditFilterForm(self.request.query_params, access=self.access)
        filters_or_400(form)
        entries = AuditEntry.objects.filter(vendor=self.access.vendor).order_by("-at", "-pk")
        return form.filter(entries)

    @extend_schema(
        operation_id="vendors_audit_list",
        summary=_("Audit trail"),
        parameters=FILTERS,
        responses={200: AuditEntrySerializer(many=True), 400: ERRORS_400, 403: ERRORS_403},
    )
    def get(self, request, vendor_slug):
        return self.list(request)
