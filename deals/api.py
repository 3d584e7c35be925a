"""API of DESIGN §7 for deals: the template with its MEDDIC elements, the registration workflow, the champion log.

Thin views: parse with a serializer, resolve access (``prm.api.VendorAPIMixin``), call ``deals.services`` or
``deals.workflow``, render. Deals are fetched only through ``deals.selectors``, so another tenant's deal, another
partner company's deal and (for vendor staff) a partner's unsubmitted draft are all 404. Service errors map to
the shapes of DESIGN §7 in ``prm.api.exception_handler``; a stale ``version`` answers 409 with the deal as it is.
"""

import django_filters
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import mixins, status, viewsets
from rest_framework.generics import GenericAPIView
from rest_framework.response import Response
from rest_framework.views import set_rollback

from deals import permissions, selectors, services, workflow
from deals.flags import DEAL_FLAGS
from deals.models import ChampionActivity, Deal, Phase, RegistrationStatus
from deals.rest import ERRORS_409, DealRenderMixin
from deals.serializers import (
    ChampionActivitySerializer,
    DealSerializer,
    DealUpdateSerializer,
    WorkflowReasonSerializer,
    WorkflowStepSerializer,
)
from partners import selectors as partner_selectors
from partners.models import ALL_ROLES, PARTNER_ROLES, PartnerCompany
from prm.api import Conflict, VendorAPIMixin
from prm.api_schema import ERRORS_400, ERRORS_403, ERRORS_404
from prm.parsers import JSONParser


def deals_for_api(deals: QuerySet[Deal]) -> QuerySet[Deal]:
    """What rendering deals needs, loaded with a fixed number of queries however many deals there are."""
    return deals.select_related("score").prefetch_related("elements")


# --- Filters -------------------------------------------------------------------------------------------------


class FlagChoiceField(django_filters.fields.ChoiceField):
    def validate(self, value):
        if value and value not in DEAL_FLAGS:
            raise ValidationError(
                _("Unknown flag %(value)s. Valid flags: %(choices)s."),
                code="invalid_choice",
                params={"value": value, "choices": ", ".join(DEAL_FLAGS)},
            )


class FlagFilter(django_filters.ChoiceFilter):
    field_class = FlagChoiceField


def partner_choices(request) -> QuerySet[PartnerCompany]:
    # Partner users may only name their own company; any other id is "not a valid choice", existing or not.
    if request is None or not hasattr(request, "access"):
        return PartnerCompany.objects.none()
    return partner_selectors.partners_visible(request.access)


class DealFilter(django_filters.FilterSet):
    phase = django_filters.ChoiceFilter(choices=Phase.choices, label=_("Phase"))
    registration_status = django_filters.ChoiceFilter(
        choices=RegistrationStatus.choices, label=_("Registration status")
    )
    partner = django_filters.ModelChoiceFilter(queryset=partner_choices, label=_("Partner company (id)"))
    flag = FlagFilter(
        choices=[(code, flag.label) for code, flag in DEAL_FLAGS.items()],
        method="filter_flag",
        label=_("Flag"),
    )

    class Meta:
        model = Deal
        fields = ["phase", "partner", "flag", "registration_status"]

    def filter_flag(self, queryset, name, value):
        return DEAL_FLAGS[value].narrow(queryset)


# --- Deals ---------------------------------------------------------------------------------------------------


@extend_schema(tags=["deals"])
@extend_schema_view(
    list=extend_schema(
        summary=_("Deals"),
        description=_(
            "Partner users see their own company's deals, drafts included; vendor staff see every partner's "
            "submitted deals. Newest change first."
        ),
        responses={200: DealSerializer(many=True), 400: ERRORS_400},
    ),
    create=extend_schema(
        summary=_("Register a deal (partner users)"),
        description=_(
            "The deal is created in draft for the caller's partner company, with the caller as owner; "
            "`partner` and `owner` in the body are ignored."
        ),
        request=DealSerializer,
        responses={201: DealSerializer, 400: ERRORS_400, 403: ERRORS_403},
    ),
    retrieve=extend_schema(summary=_("A deal"), responses={200: DealSerializer, 404: ERRORS_404}),
    partial_update=extend_schema(
        summary=_("Change a deal"),
        description=_(
            "Send `version` (required) and only what changes; `meddic` is merged per element and per field. "
            "Reps change their own deals, partner admins their company's; vendor staff change only `meddic` "
            "and alone may set `evidence` to `verified`."
        ),
        request=DealUpdateSerializer,
        responses={
            200: DealSerializer,
            400: ERRORS_400,
            403: ERRORS_403,
            404: ERRORS_404,
            409: ERRORS_409,
        },
    ),
)
class DealViewSet(DealRenderMixin, VendorAPIMixin, mixins.ListModelMixin, viewsets.GenericViewSet):
    """Deals of the vendor through the Partner-MEDDIC template; only partner users register them."""

    roles = ALL_ROLES

    parser_classes = (JSONParser,)
    serializer_class = DealSerializer
    filterset_class = DealFilter
    action_roles = {"create": PARTNER_ROLES}

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):  # schema generation: no request, no tenant
            return Deal.objects.none()
        return deals_for_api(selectors.deals_visible(self.access))

    def retrieve(self, request, vendor_slug, deal_id):
        return Response(self.render_deal(deal_id))

    def create(self, request, vendor_slug):
        serializer = DealSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        fields = dict(serializer.validated_data)
        meddic = fields.pop("meddic", None)
        deal = services.deal_create(access=self.access, fields=fields, meddic=meddic)
        return Response(self.render_deal(deal.pk), status=status.HTTP_201_CREATED)

    def partial_update(self, request, vendor_slug, deal_id):
        deal = selectors.deal_get(self.access, deal_id)
        if not permissions.can_edit_elements(self.access, deal):
            raise PermissionDenied
        serializer = DealUpdateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        fields = dict(serializer.validated_data)
        version = fields.pop("version")
        meddic = fields.pop("meddic", None)
        try:
            services.deal_update(access=self.access, deal=deal, version=version, fields=fields, meddic=meddic)
        except services.StaleVersion as stale:
            body = {
                "detail": str(Conflict.default_detail),
                "code": Conflict.default_code,
                "current": self.render_deal(stale.current.pk),
            }
            set_rollback()  # nothing was written; the request's transaction ends as a refusal
            return Response(body, status=Conflict.status_code)
        return Response(self.render_deal(deal.pk))


# --- Workflow ------------------------------------------------------------------------------------------------


class DealWorkflowView(DealRenderMixin, VendorAPIMixin, GenericAPIView):
    """One step of the registration workflow (``deals.workflow.TRANSITIONS``), named by ``step``.

    The body is only parsed here; who may take the step, from which state, and whether it needs a reason is
    decided by ``deals.workflow.deal_transition`` (so a role without the step gets 403 before any 400).
    """

    roles = ALL_ROLES

    parser_classes = (JSONParser,)
    serializer_class = WorkflowStepSerializer
    step = ""

    def post(self, request, vendor_slug, deal_id):
        deal = selectors.deal_get(self.access, deal_id)
        serializer = WorkflowStepSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        workflow.deal_transition(
            access=self.access,
            deal=deal,
            action=self.step,
            reason=serializer.validated_data.get("reason", ""),
        )
        return Response(self.render_deal(deal.pk))


WORKFLOW_HELP = {
    "submit": _("The owner or their partner admin submits a draft or returned deal; conflicts are checked."),
    "approve": _(
        "Vendor staff approve a submitted deal; the registration is protected for the vendor's protection "
        "period. A deal in an open registration conflict cannot be approved."
    ),
    "reject": _("Vendor staff reject a submitted or approved deal, with a reason for the partner."),
    "return": _("Vendor staff send a submitted deal back to the partner for facts, with a reason."),
}


def workflow_view(step: str) -> type[DealWorkflowView]:
    transition = workflow.TRANSITIONS[step]
    view = type(f"Deal{step.title()}View", (DealWorkflowView,), {"step": step})
    schema = extend_schema(
        operation_id=f"vendors_deals_{step}_create",
        tags=["deals"],
        summary=transition.label,
        description=WORKFLOW_HELP[step],
        # Steps that need a reason document it as required (the workflow refuses them without one).
        request=WorkflowReasonSerializer if transition.needs_reason else WorkflowStepSerializer,
        responses={
            200: DealSerializer,
            400: OpenApiResponse(
                description=_(
                    "The deal is not in a state this step starts from, or a reason is missing: "
                    '`{"non_field_errors": ["message"]}` or `{"reason": ["message"]}`.'
                )
            ),
            403: ERRORS_403,
            404: ERRORS_404,
        },
    )
    return extend_schema_view(post=schema)(view)


# --- Champion log --------------------------------------------------------------------------------------------


class ChampionActivityView(VendorAPIMixin, mixins.ListModelMixin, GenericAPIView):
    """The deal's champion log, newest first; whoever may answer the deal's elements may add to it."""

    roles = ALL_ROLES

    parser_classes = (JSONParser,)
    serializer_class = ChampionActivitySerializer

    def get_deal(self) -> Deal:
        if not hasattr(self, "_deal"):
            self._deal = selectors.deal_get(self.access, self.kwargs["deal_id"])
        return self._deal

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return ChampionActivity.objects.none()
        return selectors.champion_log(self.get_deal())

    @extend_schema(
        operation_id="vendors_deals_champion_activities_list",
        tags=["deals"],
        summary=_("Champion activities of a deal"),
        responses={200: ChampionActivitySerializer(many=True), 404: ERRORS_404},
    )
    def get(self, request, vendor_slug, deal_id):
        return self.list(request)

    @extend_schema(
        operation_id="vendors_deals_champion_activities_create",
        tags=["deals"],
        summary=_("Log a champion activity"),
        description=_("`logged_by` is the caller. The date cannot be in the future."),
        request=ChampionActivitySerializer,
        responses={201: ChampionActivitySerializer, 400: ERRORS_400, 403: ERRORS_403, 404: ERRORS_404},
    )
    def post(self, request, vendor_slug, deal_id):
        deal = self.get_deal()
        if not permissions.can_edit_elements(self.access, deal):
            raise PermissionDenied
        serializer = ChampionActivitySerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        activity = services.champion_activity_add(access=self.access, deal=deal, **serializer.validated_data)
        return Response(ChampionActivitySerializer(activity).data, status=status.HTTP_201_CREATED)
