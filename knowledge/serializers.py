"""KPI rows and task progress as the API gives them (DESIGN §7)."""

from django.utils.functional import cached_property
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from knowledge.models import GroupType, RunState
from knowledge.periods import GRANULARITIES
from knowledge.selectors import group_label

MONEY = {"max_digits": 28, "decimal_places": 2, "coerce_to_string": False, "allow_null": True}


class KpiGroupSerializer(serializers.Serializer):
    type = serializers.ChoiceField(choices=GroupType.choices)
    id = serializers.JSONField(
        allow_null=True,
        help_text=_(
            "Partner or channel manager id, tier code, vendor slug; null for partners without a channel manager."
        ),
    )
    name = serializers.CharField()


class KpiRowSerializer(serializers.Serializer):
    group = serializers.SerializerMethodField()
    period = serializers.CharField(help_text=_("Period key: 2026-04, FY2026-Q1 or FY2026."))
    proposals = serializers.IntegerField(help_text=_("Deals registered in the period."))
    won = serializers.IntegerField(help_text=_("Deals won with a close date in the period."))
    lost = serializers.IntegerField(help_text=_("Deals lost with a close date in the period."))
    win_rate = serializers.FloatField(
        allow_null=True, help_text=_("won / (won + lost), 0–1; null when none closed.")
    )
    avg_unit_price = serializers.DecimalField(**MONEY, help_text=_("Mean amount of the won deals, in yen."))
    expected_value = serializers.DecimalField(
        **MONEY, help_text=_("proposals × win rate × average unit price; null if a factor is null.")
    )
    won_amount = serializers.IntegerField(help_text=_("Sum of the won amounts, in yen."))
    status_distribution = serializers.DictField(
        child=serializers.IntegerField(), help_text=_("Deals registered in the period by current phase.")
    )
    open_pipeline_amount = serializers.IntegerField(
        help_text=_("Amount of the open deals registered in the period.")
    )
    avg_quality = serializers.FloatField(allow_null=True)
    avg_visibility = serializers.FloatField(allow_null=True)
    computed_at = serializers.DateTimeField()

    def to_representation(self, row) -> dict:
        """The declared fields' output, built directly: this list is read often and every row is flat."""
        return {
            "group": self.get_group(row),
            "period": row.period,
            "proposals": row.proposals,
            "won": row.won,
            "lost": row.lost,
            "win_rate": None if row.win_rate is None else float(row.win_rate),
            "avg_unit_price": row.avg_unit_price,
            "expected_value": row.expected_value,
            "won_amount": row.won_amount,
            "status_distribution": row.status_distribution,
            "open_pipeline_amount": row.open_pipeline_amount,
            "avg_quality": None if row.avg_quality is None else float(row.avg_quality),
            "avg_visibility": None if row.avg_visibility is None else float(row.avg_visibility),
            "computed_at": self.computed_at_field.to_representation(row.computed_at),
        }

    @cached_property
    def computed_at_field(self) -> serializers.DateTimeField:
        return self.fields["computed_at"]

    @extend_schema_field(KpiGroupSerializer)
    def get_group(self, row) -> dict:
        # A plain dict in KpiGroupSerializer's shape: a serializer per row would cost more than the row itself.
        return {"type": row.group_type, "id": self._group_id(row), "name": group_label(row)}

    def _group_id(self, row):
        if row.group_type == GroupType.VENDOR:
            return self.context["vendor"].slug
        if row.group_type in (GroupType.PARTNER, GroupType.CHANNEL_MANAGER):
            return int(row.group_key) if row.group_key else None
        return row.group_key


class KpiQuerySerializer(serializers.Serializer):
    granularity = serializers.ChoiceField(choices=GRANULARITIES, required=False)
    period = serializers.CharField(required=False, max_length=16)
    group_by = serializers.ChoiceField(choices=GroupType.choices, default=GroupType.VENDOR)


class TaskStartedSerializer(serializers.Serializer):
    task_id = serializers.CharField()


class TaskStateSerializer(serializers.Serializer):
    state = serializers.ChoiceField(choices=RunState.choices)
    progress = serializers.IntegerField(min_value=0, max_value=100, help_text=_("Percent done."))
