"""API of DESIGN §5 review settings and actions: the per-vendor MEDDIC weights and verifying an element.

Validation and permissions are in ``meddic.services.weights_set``; errors name the body's field
(``weights.<element>``) as DESIGN §7 shapes them.
"""

from django.core.exceptions import ValidationError
from django.http import Http404
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.generics import GenericAPIView
from rest_framework.response import Response

from deals import selectors as deal_selectors
from deals.rest import DealRenderMixin
from deals.serializers import DealSerializer
from meddic import services
from meddic.models import ElementCode, VerificationMethod
from partners.models import VENDOR_ROLES
from prm.api import VendorAPIMixin
from prm.api_schema import ERRORS_400, ERRORS_403, ERRORS_404
from prm.parsers import JSONParser


class WeightsSerializer(serializers.Serializer):
    weights = serializers.DictField(
        child=serializers.IntegerField(min_value=0, max_value=services.WEIGHT_MAX),
        help_text=gettext_lazy(
            "Each element's weight in Q and V, an integer 0–10 keyed by element code (metrics, economic_buyer, "
            "decision_criteria, decision_process, identify_pain, champion); at least one above 0. Equal weights "
            "(all 1) are the default."
        ),
    )


class WeightsView(VendorAPIMixin, GenericAPIView):
    """The vendor's MEDDIC weights: any vendor staff reads them, vendor admins replace them."""

    parser_classes = (JSONParser,)
    serializer_class = WeightsSerializer
    roles = VENDOR_ROLES

    @extend_schema(
        tags=["meddic"],
        summary=gettext_lazy("MEDDIC weights (vendor staff)"),
        responses={200: WeightsSerializer, 403: ERRORS_403, 404: ERRORS_404},
    )
    def get(self, request, vendor_slug):
        return Response({"weights": services.vendor_weights(self.access.vendor)})

    @extend_schema(
        tags=["meddic"],
        summary=gettext_lazy("Set the MEDDIC weights (vendor admins)"),
        description=gettext_lazy(
            "Send all six elements. Changed weights are recorded in the audit history and every deal's score "
            'is recalculated (in the background for large vendors). Errors: `{"weights.<element>": ["message"]}`.'
        ),
        request=WeightsSerializer,
        responses={200: WeightsSerializer, 400: ERRORS_400, 403: ERRORS_403, 404: ERRORS_404},
    )
    def put(self, request, vendor_slug):
        weights = request.data.get("weights") if isinstance(request.data, dict) else None
        if not isinstance(weights, dict):
            raise ValidationError({"weights": _("Send an object keyed by element.")})
        try:
            saved = services.weights_set(access=self.access, weights=weights)
        except ValidationError as error:
            raise ValidationError(
                {f"weights.{code}": messages for code, messages in error.message_dict.items()}
            ) from error
        return Response({"weights": saved})


class VerificationSerializer(serializers.Serializer):
    method = serializers.ChoiceField(
        choices=VerificationMethod.choices, help_text=gettext_lazy("How the vendor verified the element.")
    )
    note = serializers.CharField(
        max_length=500,
        default="",
        allow_blank=True,
        help_text=gettext_lazy("What was verified, and with whom."),
    )


class ElementVerifyView(DealRenderMixin, VendorAPIMixin, GenericAPIView):
    """Vendor staff mark one element of a deal verified, saying how; answers with the deal."""

    parser_classes = (JSONParser,)
    serializer_class = VerificationSerializer
    roles = VENDOR_ROLES

    @extend_schema(
        operation_id="deal_element_verify",
        tags=["deals"],
        summary=gettext_lazy("Verify a MEDDIC element (vendor staff)"),
        request=VerificationSerializer,
        responses={200: DealSerializer, 400: ERRORS_400, 403: ERRORS_403, 404: ERRORS_404},
    )
    def post(self, request, vendor_slug, deal_id, code):
        deal = deal_selectors.deal_get(self.access, deal_id)
        if code not in ElementCode.values:
            raise Http404
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        services.element_verify(access=self.access, deal=deal, code=code, **serializer.validated_data)
        return Response(self.render_deal(deal.pk))
