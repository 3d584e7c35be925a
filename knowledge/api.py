"""KPI API (DESIGN §7): snapshot rows per period and group, a recompute on request, and its progress."""

from django.http import Http404, HttpResponse
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django_scopes import scopes_disabled
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import exceptions, status
from rest_framework.generics import GenericAPIView
from rest_framework.renderers import JSONRenderer
from rest_framework.response import Response
from rest_framework.views import APIView

from knowledge.jobs import recompute_request
from knowledge.kpi_cache import kpi_cached
from knowledge.models import GroupType, RecomputeRun
from knowledge.periods import QUARTER, granularity_of
from knowledge.permissions import RECOMPUTE_ROLES, can_recompute_kpis
from knowledge.selectors import latest_snapshots, period_choice, period_invalid
from knowledge.serializers import (
    KpiQuerySerializer,
    KpiRowSerializer,
    TaskStartedSerializer,
    TaskStateSerializer,
)
from partners.models import ALL_ROLES
from prm.api import VendorAPIMixin
from prm.api_schema import ERRORS_400, ERRORS_404, AutoSchema
from prm.tenancy import Access, membership_for

# What partner users may group by, and which of those groups is theirs. Not the tier: its totals less their own
# row would be another partner's figures (DESIGN §17); their scorecard page shows a safe benchmark instead.
PARTNER_GROUPS = {
    GroupType.PARTNER: lambda access: access.partner.pk,
}


@extend_schema(
    tags=["kpis"],
    parameters=[
        OpenApiParameter(
            "granularity",
            enum=["month", "quarter", "fiscal_year"],
            description=_("Default: quarter, or the period's own."),
        ),
        OpenApiParameter("period", str, description=_("Period key; default the current period.")),
        OpenApiParameter("group_by", enum=list(GroupType.values), description=_("Default: vendor.")),
    ],
    responses={200: KpiRowSerializer(many=True), 400: ERRORS_400},
)
class KpiListView(VendorAPIMixin, GenericAPIView):
    """KPI rows of one period, one row per group, from the newest snapshot of that period.

    Partner users see their own company's row only (``group_by=partner``).
    """

    roles = ALL_ROLES
    serializer_class = KpiRowSerializer
    filter_backends = ()

    def get(self, request, vendor_slug):
        query = KpiQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        selection = self.selection(self.access, **query.validated_data)  # checks the caller's rights first
        # The selection names the rows (with the caller's own restriction); the path the page links; the
        # language the group names.
        parts = (*selection, request.get_full_path(), get_language())
        body = kpi_cached(self.access.vendor, parts, lambda: JSONRenderer().render(self.answer(selection)))
        return HttpResponse(body, content_type="application/json")

    def answer(self, selection: tuple) -> dict:
        granularity, period, group_by, group_keys = selection
        rows = latest_snapshots(
            vendor=self.access.vendor,
            granularity=granularity,
            periods=[period],
            group_type=group_by,
            group_keys=group_keys,
        )
        # One query: the groups of a period are few (one per partner at most), so they are paginated as a list.
        page = self.paginate_queryset(list(rows))
        return self.get_paginated_response(self.get_serializer(page, many=True).data).data

    def get_serializer_context(self):
        return {**super().get_serializer_context(), "vendor": self.access.vendor}

    def selection(
        self, access: Access, *, group_by: str, granularity: str | None = None, period: str | None = None
    ) -> tuple:
        """(granularity, period key, group type, group keys or None) of the rows the caller asked for."""
        vendor = access.vendor
        if period:
            problem = period_invalid(vendor, granularity, period)
            if problem:
                raise exceptions.ValidationError({"period": [problem]})
            granularity = granularity or granularity_of(period)
        else:
            granularity = granularity or QUARTER
            period = period_choice(vendor, granularity, None).key
        group_keys = None
        if access.is_partner_role:
            if group_by not in PARTNER_GROUPS:
                raise exceptions.PermissionDenied(
                    _("Partner users see their own company's KPIs; the tier benchmark is on the KPI page.")
                )
            group_keys = (str(PARTNER_GROUPS[group_by](access)),)
        return granularity, period, group_by, group_keys


@extend_schema(tags=["kpis"], request=None, responses={202: TaskStartedSerializer})
class KpiRecomputeView(VendorAPIMixin, APIView):
    """Recompute every KPI of this vendor now; follow it with ``GET /api/v1/tasks/{task_id}/``."""

    roles = RECOMPUTE_ROLES

    def post(self, request, vendor_slug):
        run = recompute_request(access=self.access)
        return Response({"task_id": run.task_id}, status=status.HTTP_202_ACCEPTED)


@extend_schema(tags=["kpis"], responses={200: TaskStateSerializer, 404: ERRORS_404})
class TaskStateView(APIView):
    """State and percent done of a KPI recompute, for vendor staff of the vendor it belongs to."""

    schema = AutoSchema()

    def get(self, request, task_id):
        with scopes_disabled():
            run = RecomputeRun.objects.select_related("vendor").filter(task_id=task_id).first()
        membership = membership_for(request.user, run.vendor) if run and run.vendor.is_active else None
        if membership is None or not can_recompute_kpis(membership):
            raise Http404
        return Response(TaskStateSerializer({"state": run.state, "progress": run.progress}).data)
