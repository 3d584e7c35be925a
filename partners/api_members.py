"""API of what the member and settings pages offer: the vendor's members (deactivate, reactivate) and the
vendor's settings. The same rules as the pages (``partners.permissions``), through the same services."""

import django_filters
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import mixins, serializers
from rest_framework.generics import GenericAPIView
from rest_framework.response import Response

from partners import selectors, services
from partners.models import Membership, Role, Vendor
from prm.api import VendorAPIMixin, bounded_id
from prm.api_filters import IdFilter, TrueFalseFilter
from prm.api_schema import ERRORS_400, ERRORS_403, ERRORS_404
from prm.parsers import JSONParser
from prm.validators import validate_time_zone

MANAGERS = (Role.VENDOR_ADMIN, Role.PARTNER_ADMIN)


class MemberSerializer(serializers.ModelSerializer):
    email = serializers.EmailField(source="user.email", read_only=True)
    name = serializers.CharField(source="user.name", read_only=True)
    partner = serializers.PrimaryKeyRelatedField(
        read_only=True, allow_null=True, help_text=_("The partner company for partner roles, else null.")
    )
    deactivated_by_vendor = serializers.BooleanField(
        read_only=True, help_text=_("Deactivated by a vendor admin: only a vendor admin can reactivate.")
    )

    class Meta:
        model = Membership
        fields = [
            "id",
            "email",
            "name",
            "role",
            "partner",
            "is_active",
            "deactivated_at",
            "deactivated_by_vendor",
        ]
        read_only_fields = fields


class MemberFilter(django_filters.FilterSet):
    partner = IdFilter(field_name="partner_id", label=_("Partner company (id)"))
    role = django_filters.ChoiceFilter(choices=Role.choices, label=_("Role"))
    active = TrueFalseFilter(
        field_name="is_active", label=_("Only active (true) or only deactivated (false)")
    )

    class Meta:
        model = Membership
        fields = ["partner", "role", "active"]


@extend_schema(tags=["members"])
class MemberListView(VendorAPIMixin, mixins.ListModelMixin, GenericAPIView):
    """The vendor's members for vendor admins; a partner admin's own company for partner admins."""

    roles = MANAGERS
    serializer_class = MemberSerializer
    filterset_class = MemberFilter

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return Membership.objects.none()
        qs = Membership.objects.select_related("user", "partner").order_by("-is_active", "user__email")
        if self.access.is_partner_role:
            qs = qs.filter(partner=self.access.partner)
        return qs

    @extend_schema(
        operation_id="vendors_members_list",
        summary=_("Members"),
        responses={200: MemberSerializer(many=True), 400: ERRORS_400, 403: ERRORS_403},
    )
    def get(self, request, vendor_slug):
        return self.list(request)


class _MemberStepView(VendorAPIMixin, GenericAPIView):
    roles = MANAGERS
    serializer_class = MemberSerializer
    parser_classes = (JSONParser,)
    step = None

    def post(self, request, vendor_slug, member_id):
        membership = selectors.member_get(self.access, bounded_id(member_id))
        membership = self.step(access=self.access, membership=membership)
        return Response(MemberSerializer(membership).data)


@extend_schema_view(
    post=extend_schema(
        tags=["members"],
        operation_id="vendors_members_deactivate",
        summary=_("Deactivate a member"),
        description=_(
            "Access to this vendor ends at once. Vendor admins deactivate anyone but themselves; partner "
            "admins the users of their own company."
        ),
        request=None,
        responses={200: MemberSerializer, 400: ERRORS_400, 403: ERRORS_403, 404: ERRORS_404},
    )
)
class MemberDeactivateView(_MemberStepView):
    step = staticmethod(services.membership_deactivate)


@extend_schema_view(
    post=extend_schema(
        tags=["members"],
        operation_id="vendors_members_reactivate",
        summary=_("Reactivate a member"),
        description=_("Someone a vendor admin deactivated can be reactivated by a vendor admin only."),
        request=None,
        responses={200: MemberSerializer, 400: ERRORS_400, 403: ERRORS_403, 404: ERRORS_404},
    )
)
class MemberReactivateView(_MemberStepView):
    step = staticmethod(services.membership_reactivate)


class VendorSettingsSerializer(serializers.ModelSerializer):
    time_zone = serializers.CharField(max_length=64, validators=[validate_time_zone])

    class Meta:
        model = Vendor
        fields = ["name", "require_mfa_for_admins", "protection_days", "time_zone", "fiscal_year_start_month"]


@extend_schema(tags=["settings"])
class VendorSettingsView(VendorAPIMixin, GenericAPIView):
    """The vendor's settings, as on the settings page (vendor admins)."""

    roles = (Role.VENDOR_ADMIN,)
    serializer_class = VendorSettingsSerializer
    parser_classes = (JSONParser,)

    @extend_schema(operation_id="vendors_settings_retrieve", summary=_("Vendor settings"))
    def get(self, request, vendor_slug):
        return Response(VendorSettingsSerializer(self.access.vendor).data)

    @extend_schema(
        operation_id="vendors_settings_partial_update",
        summary=_("Change vendor settings"),
        responses={200: VendorSettingsSerializer, 400: ERRORS_400, 403: ERRORS_403},
    )
    def patch(self, request, vendor_slug):
        vendor = Vendor.objects.get(pk=self.access.vendor.pk)
        serializer = VendorSettingsSerializer(vendor, data=request.data, partial=True)
        serializer.is_valid(raise_exception=True)
        for key, value in serializer.validated_data.items():
            setattr(vendor, key, value)
        vendor = services.vendor_settings_save(access=self.access, vendor=vendor)
        return Response(VendorSettingsSerializer(vendor).data)
