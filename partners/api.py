"""API of DESIGN §7 for accounts, partner companies and invitations.

Thin views: parse with a serializer, resolve access (``prm.api.VendorAPIMixin``), call ``partners.services``,
render. Objects are fetched only through ``partners.selectors``, so another tenant's or company's object is 404.
"""

import django_filters
from allauth.account.adapter import get_adapter as get_account_adapter
from allauth.account.utils import has_verified_email
from allauth.mfa.base.forms import BaseAuthenticateForm
from allauth.mfa.utils import is_mfa_enabled
from django.core.exceptions import PermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import exceptions, mixins, status, viewsets
from rest_framework.generics import GenericAPIView
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.settings import api_settings
from rest_framework.views import APIView

from partners import selectors, services
from partners.models import ALL_ROLES, PartnerCompany, PartnerStatus, Role, Tier
from partners.permissions import can_manage_company_users, can_onboard_partners
from partners.serializers import (
    AcceptedMembershipSerializer,
    InvitationAcceptSerializer,
    InvitationSerializer,
    MeSerializer,
    PartnerInvitationSerializer,
    PartnerSerializer,
    StaffInvitationSerializer,
    TokenCredentialsSerializer,
    TokenSerializer,
)
from prm.api import MfaRequired, VendorAPIMixin
from prm.api_schema import ERRORS_400, ERRORS_403, ERRORS_404, AutoSchema
from prm.parsers import JSONParser
from prm.tenancy import Access, memberships_of

RATE_LIMITED = "too_many_login_attempts"


class TooManyAttempts(exceptions.Throttled):
    default_detail = _("Too many failed attempts. Try again later.")


# --- Token -------------------------------------------------------------------------------------------------


def _authenticate(request, *, email: str, password: str):
    """Email and password through allauth, so failed attempts share the login page's rate limit."""
    try:
        user = get_account_adapter(request).authenticate(request, email=email, password=password)
    except DjangoValidationError as error:
        if error.code == RATE_LIMITED:
            raise TooManyAttempts from error
        raise
    # allauth also hands back inactive accounts (for its "account inactive" page); they get no token.
    if user is None or not user.is_active:
        raise exceptions.ValidationError(
            {
                api_settings.NON_FIELD_ERRORS_KEY: [
                    _("The email address and/or password you specified are not correct.")
                ]
            }
        )
    if not has_verified_email(user):
        raise exceptions.ValidationError({"email": [_("Confirm your email address before using the API.")]})
    return user


def _verify_second_factor(user, otp: str) -> None:
    """A TOTP or recovery code, checked (and rate limited, and used up) by allauth.mfa itself."""
    if not otp:
        raise exceptions.ValidationError(
            {"otp": [_("Enter a code from your authenticator app or one of your recovery codes.")]}
        )
    form = BaseAuthenticateForm(data={"code": otp}, user=user)
    if not form.is_valid():
        codes = {error.code for error in form.errors.as_data().get("code", [])}
        if RATE_LIMITED in codes:
            raise TooManyAttempts
        raise exceptions.ValidationError({"otp": [_("This code is not valid.")]})
    form.authenticator.record_usage()


def _must_set_up_mfa(user) -> bool:
    """A role of the user requires two-factor authentication that is not set up (same rule as the pages)."""
    return any(
        Access(vendor=membership.vendor, membership=membership).needs_mfa_setup
        for membership in memberships_of(user)
    )


class TokenView(APIView):
    """Exchange email, password and (with two-factor authentication) a code for a personal API token."""

    # Credentials come only in the body; an existing session or token plays no part.
    authentication_classes = ()
    permission_classes = (AllowAny,)
    parser_classes = (JSONParser,)

    @extend_schema(
        operation_id="auth_token_create",
        tags=["auth"],
        request=TokenCredentialsSerializer,
        responses={
            201: TokenSerializer,
            400: ERRORS_400,
            403: OpenApiResponse(
                description=_('Two-factor authentication must be set up first: `"code": "mfa_required"`.')
            ),
            429: OpenApiResponse(description=_("Too many failed attempts.")),
        },
    )
    def post(self, request):
        serializer = TokenCredentialsSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        user = _authenticate(request._request, email=data["email"], password=data["password"])
        if is_mfa_enabled(user):
            _verify_second_factor(user, data.get("otp", ""))
        elif _must_set_up_mfa(user):
            raise MfaRequired
        token, key = services.api_token_create(user=user)
        return Response(
            TokenSerializer({"token": key, "expires_at": token.expires_at}).data,
            status=status.HTTP_201_CREATED,
        )


# --- Me ------------------------------------------------------------------------------------------------------


class MeView(APIView):
    """The caller's email address and memberships (vendor, role, partner company)."""

    schema = AutoSchema()

    @extend_schema(operation_id="me_retrieve", tags=["auth"], responses=MeSerializer)
    def get(self, request):
        me = {"email": request.user.email, "memberships": memberships_of(request.user)}
        return Response(MeSerializer(me).data)


# --- Partner companies ---------------------------------------------------------------------------------------


class PartnerFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(method="search", label=_("Search name or contact email"))
    tier = django_filters.ChoiceFilter(choices=Tier.choices, label=_("Tier"))
    status = django_filters.ChoiceFilter(choices=PartnerStatus.choices, label=_("Status"))

    class Meta:
        model = PartnerCompany
        fields = ["q", "tier", "status"]

    def search(self, queryset, name, value):
        return queryset.filter(Q(name__icontains=value) | Q(contact_email__icontains=value))


@extend_schema(tags=["partners"])
@extend_schema_view(
    list=extend_schema(
        summary=_("Partner companies"),
        description=_("Vendor staff see every partner company; partner users see only their own."),
        responses={200: PartnerSerializer(many=True), 400: ERRORS_400},
    ),
    create=extend_schema(
        summary=_("Onboard a partner company (vendor admins)"),
        responses={201: PartnerSerializer, 400: ERRORS_400, 403: ERRORS_403},
    ),
    retrieve=extend_schema(
        summary=_("A partner company"), responses={200: PartnerSerializer, 404: ERRORS_404}
    ),
    partial_update=extend_schema(
        summary=_("Change a partner company (vendor admins)"),
        responses={200: PartnerSerializer, 400: ERRORS_400, 403: ERRORS_403, 404: ERRORS_404},
    ),
)
class PartnerViewSet(VendorAPIMixin, mixins.ListModelMixin, viewsets.GenericViewSet):
    """Partner companies of the vendor; only vendor admins create and change them."""

    roles = ALL_ROLES

    parser_classes = (JSONParser,)
    serializer_class = PartnerSerializer
    filterset_class = PartnerFilter
    action_roles = {"create": (Role.VENDOR_ADMIN,)}

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):  # schema generation: no request, no tenant
            return PartnerCompany.objects.none()
        return selectors.partners_visible(self.access).order_by("name", "pk")

    def get_object(self):
        return selectors.partner_get(self.access, self.kwargs["partner_id"])

    def get_serializer_context(self):
        return {**super().get_serializer_context(), "access": getattr(self, "access", None)}

    def retrieve(self, request, vendor_slug, partner_id):
        return Response(self.get_serializer(self.get_object()).data)

    def create(self, request, vendor_slug):
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        partner = services.partner_create(access=self.access, **serializer.validated_data)
        return Response(self.get_serializer(partner).data, status=status.HTTP_201_CREATED)

    def partial_update(self, request, vendor_slug, partner_id):
        partner = self.get_object()
        if not can_onboard_partners(self.access):
            raise PermissionDenied
        serializer = self.get_serializer(partner, data=request.data, partial=True)
        serializer.is_valid(raise_exception=True)
        partner = services.partner_update(access=self.access, partner=partner, **serializer.validated_data)
        return Response(self.get_serializer(partner).data)


# --- Invitations ---------------------------------------------------------------------------------------------


def _invitation_response(invitation, token: str) -> Response:
    data = {
        "id": invitation.pk,
        "token": token,
        "accept_url": services.invitation_accept_url(token),
        "expires_at": invitation.expires_at,
    }
    return Response(InvitationSerializer(data).data, status=status.HTTP_201_CREATED)


class PartnerInvitationView(VendorAPIMixin, GenericAPIView):
    """Vendor admins invite users of any partner company; partner admins invite users of their own."""

    roles = ALL_ROLES

    parser_classes = (JSONParser,)
    serializer_class = PartnerInvitationSerializer

    @extend_schema(
        operation_id="vendors_partners_invitations_create",
        tags=["invitations"],
        request=PartnerInvitationSerializer,
        responses={201: InvitationSerializer, 400: ERRORS_400, 403: ERRORS_403, 404: ERRORS_404},
    )
    def post(self, request, vendor_slug, partner_id):
        partner = selectors.partner_get(self.access, partner_id)
        if not can_manage_company_users(self.access, partner):
            raise PermissionDenied
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        invitation, token = services.invitation_create(
            access=self.access, partner=partner, **serializer.validated_data
        )
        return _invitation_response(invitation, token)


class StaffInvitationView(VendorAPIMixin, GenericAPIView):
    """Vendor admins invite vendor staff (vendor admins and channel managers)."""

    parser_classes = (JSONParser,)
    serializer_class = StaffInvitationSerializer
    roles = (Role.VENDOR_ADMIN,)

    @extend_schema(
        operation_id="vendors_invitations_create",
        tags=["invitations"],
        request=StaffInvitationSerializer,
        responses={201: InvitationSerializer, 400: ERRORS_400, 403: ERRORS_403},
    )
    def post(self, request, vendor_slug):
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        invitation, token = services.invitation_create(access=self.access, **serializer.validated_data)
        return _invitation_response(invitation, token)


class InvitationAcceptView(APIView):
    """Accept an invitation with its one-time token: single use, before it expires."""

    permission_classes = (AllowAny,)
    parser_classes = (JSONParser,)

    @extend_schema(
        operation_id="invitations_accept_create",
        tags=["invitations"],
        request=InvitationAcceptSerializer,
        responses={201: AcceptedMembershipSerializer, 400: ERRORS_400},
    )
    def post(self, request, token):
        serializer = InvitationAcceptSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        user = request.user if request.user.is_authenticated else None
        membership = services.invitation_accept(
            token=token,
            name=data.get("name", ""),
            password=data.get("password"),
            user=user,
            proof=data.get("proof"),
        )
        return Response(AcceptedMembershipSerializer(membership).data, status=status.HTTP_201_CREATED)
