"""Insight API (DESIGN §7): loss factors and ringi patterns of the vendor's closed deals, for vendor staff.

Partner roles get 403: the analyses pool every partner's deals. Filters are the pages' (``period`` key or
``from``/``to`` close dates, ``tier``, ``partner``, ``size``); an invalid one answers 400. An analysis of a large
vendor that was never computed for these filters answers 202 with ``Retry-After`` while it is computed.
"""

from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import exceptions, status
from rest_framework.response import Response
from rest_framework.views import APIView

from knowledge.insights.filters import SIZE_BANDS, InsightFilterForm, InsightFilters
from knowledge.insights.reports import loss_factors_for, ringi_patterns_for
from knowledge.insights.ringi import RULES
from knowledge.serializers_insights import LossFactorsSerializer, RingiPatternsSerializer
from partners.models import VENDOR_ROLES, Tier
from prm.api import VendorAPIMixin
from prm.api_schema import ERRORS_400, ERRORS_403, ERRORS_404

FILTER_PARAMETERS = [
    OpenApiParameter(
        "period",
        str,
        description=_("Close date in this period: FY2026, FY2026-Q1 or 2026-04 (fiscal calendar)."),
    ),
    OpenApiParameter("from", str, description=_("First close date (YYYY-MM-DD), when no period is given.")),
    OpenApiParameter("to", str, description=_("Last close date (YYYY-MM-DD), included.")),
    OpenApiParameter("tier", enum=list(Tier.values), description=_("Partners of this tier.")),
    OpenApiParameter("partner", int, description=_("One partner (id).")),
    OpenApiParameter(
        "size",
        enum=list(SIZE_BANDS),
        description=_(
            "Deal size band in yen: small < 3,000,000 ≤ medium < 10,000,000 ≤ large < 30,000,000 ≤ enterprise."
        ),
    ),
]


COMPUTING = OpenApiResponse(
    description=_("The analysis of these filters is being computed: ask again after Retry-After seconds.")
)
RETRY_AFTER_SECONDS = 30


def computing() -> Response:
    body = {"detail": _("The analysis of these filters is being computed; ask again in a minute.")}
    return Response(body, status=status.HTTP_202_ACCEPTED, headers={"Retry-After": str(RETRY_AFTER_SECONDS)})


class InsightAPIView(VendorAPIMixin, APIView):
    roles = VENDOR_ROLES

    def filters(self, request) -> InsightFilters:
        form = InsightFilterForm(request.query_params, access=self.access)
        if form.errors:
            names = {field: param for param, field in InsightFilterForm.PARAMS.items()}
            raise exceptions.ValidationError(
                {names.get(field, field): messages for field, messages in form.errors.items()}
            )
        return form.filters()


@extend_schema(
    tags=["insights"],
    parameters=FILTER_PARAMETERS,
    responses={
        200: LossFactorsSerializer,
        202: COMPUTING,
        400: ERRORS_400,
        403: ERRORS_403,
        404: ERRORS_404,
    },
)
class LossFactorsView(InsightAPIView):
    """Win rates by champion status, economic-buyer access and each element's evidence as of entering the
    proposal phase: per group n, won, lost, win rate with its Wilson 95% interval; comparisons with the
    reference group (difference with Newcombe's interval, lift, Fisher's exact p); plain-language findings."""

    def get(self, request, vendor_slug):
        report = loss_factors_for(self.access, self.filters(request), wait=False)
        if report.population is None:
            return computing()
        return Response(LossFactorsSerializer(report).data)


@extend_schema(
    tags=["insights"],
    parameters=FILTER_PARAMETERS,
    responses={
        200: RingiPatternsSerializer,
        202: COMPUTING,
        400: ERRORS_400,
        403: ERRORS_403,
        404: ERRORS_404,
    },
)
class RingiPatternsView(InsightAPIView):
    """Ringi patterns R1–R8 derived from the decision-process answers at the close (the rules are in the
    response): per pattern count, win rate with its Wilson 95% interval, days from proposal to close (median
    and quartiles) and the ringi state where lost deals stopped."""

    def get(self, request, vendor_slug):
        report = ringi_patterns_for(self.access, self.filters(request), wait=False)
        if report.population is None:
            return computing()
        data = {"rules": RULES, **vars(report)}
        return Response(RingiPatternsSerializer(data).data)
