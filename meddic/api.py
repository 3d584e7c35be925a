"""API of the per-vendor MEDDIC weights (DESIGN §5, §7): vendor staff read them, vendor admins set them.

Validation and permissions are in ``meddic.services.weights_set``; errors name the body's field
(``weights.<element>``) as DESIGN §7 shapes them.
"""

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.generics import GenericAPIView
from rest_framework.parsers import JSONParser
from rest_framework.response import Response

from meddic import services
from partners.api import ERRORS_400, ERRORS_403, ERRORS_404
from partners.models import VENDOR_ROLES
from prm.api import VendorAPIMixin


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
