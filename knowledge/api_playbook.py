"""``GET /api/v1/vendors/{v}/insights/playbook/``: the high-performer playbook (vendor staff)."""

from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from knowledge.insights.reports import playbook_for
from knowledge.models import SupportType
from partners.models import VENDOR_ROLES
from prm.api import VendorAPIMixin


class WindowSerializer(serializers.Serializer):
    start = serializers.DateField()
    end = serializers.DateField(help_text=_("The day after the window's last day."))
    quarters = serializers.ListField(child=serializers.CharField())


class PerformerSerializer(serializers.Serializer):
    id = serializers.IntegerField(source="partner_id")
    name = serializers.CharField()
    won_amount = serializers.IntegerField()
    closed = serializers.IntegerField()
    high = serializers.BooleanField()


class ShareSerializer(serializers.Serializer):
    n = serializers.IntegerField(help_text=_("Deals won or lost in the window."))
    received = serializers.IntegerField(
        help_text=_("Of those, deals that received the support before the cut-off.")
    )
    share = serializers.FloatField(allow_null=True)
    ci_low = serializers.FloatField(allow_null=True)
    ci_high = serializers.FloatField(allow_null=True)


class ComparisonSerializer(serializers.Serializer):
    support_type = serializers.ChoiceField(choices=SupportType.choices)
    high = ShareSerializer()
    rest = ShareSerializer()
    difference = serializers.FloatField(allow_null=True)
    ci_low = serializers.FloatField(allow_null=True)
    ci_high = serializers.FloatField(allow_null=True)
    lift = serializers.FloatField(allow_null=True)
    fisher_p = serializers.FloatField(allow_null=True)
    enough_data = serializers.BooleanField()


class NextSupportSerializer(serializers.Serializer):
    support_type = serializers.ChoiceField(choices=SupportType.choices)
    gap = serializers.FloatField(help_text=_("High performers' share minus this partner's."))


class RecommendationSerializer(serializers.Serializer):
    partner = serializers.SerializerMethodField()
    deals = serializers.IntegerField()
    next = serializers.SerializerMethodField()

    def get_partner(self, row) -> dict:
        return {"id": row.partner_id, "name": row.name}

    @extend_schema(responses=NextSupportSerializer(many=True))
    def get_next(self, row) -> list[dict]:
        return [{"support_type": kind, "gap": gap} for kind, gap in row.next]


class PlaybookSerializer(serializers.Serializer):
    window = WindowSerializer()
    performers = PerformerSerializer(many=True)
    comparisons = ComparisonSerializer(many=True)
    recommendations = RecommendationSerializer(many=True)


@extend_schema(tags=["insights"], responses=PlaybookSerializer)
class PlaybookView(VendorAPIMixin, APIView):
    """High performers, the support their deals received before pre-approval against the rest, and each other
    partner's recommended next support."""

    roles = VENDOR_ROLES

    def get(self, request, vendor_slug):
        return Response(PlaybookSerializer(playbook_for(self.access)).data)
