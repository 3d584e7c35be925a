"""Response shapes of the insight API (``knowledge.api_insights``, DESIGN §7).

Rates and interval bounds are fractions 0–1 (null where undefined: no deals, or a ratio over zero); labels are
translated to the caller's language, codes are not.
"""

from django.utils.translation import gettext_lazy as _
from rest_framework import serializers


def rate_field(help_text):
    return serializers.FloatField(allow_null=True, help_text=help_text)


# ``from`` and ``to`` are Python keywords: the class is built from a dict of its fields.
InsightFiltersSerializer = type(
    "InsightFiltersSerializer",
    (serializers.Serializer,),
    {
        "__doc__": "The filters the analysis used.",
        "period": serializers.CharField(
            allow_null=True, help_text=_("Period key of the close date, if given.")
        ),
        "from": serializers.DateField(allow_null=True, help_text=_("First close date included.")),
        "to": serializers.DateField(allow_null=True, help_text=_("Last close date included.")),
        "tier": serializers.CharField(allow_null=True),
        "partner": serializers.IntegerField(allow_null=True, help_text=_("Partner id.")),
        "size": serializers.CharField(
            allow_null=True, help_text=_("Deal size band: small, medium, large, enterprise.")
        ),
    },
)


class InsightPopulationSerializer(serializers.Serializer):
    closed = serializers.IntegerField(help_text=_("Won and lost deals that pass the filters."))
    analysed = serializers.IntegerField(help_text=_("Of those, the deals that reached the proposal phase."))
    won = serializers.IntegerField()
    lost = serializers.IntegerField()
    never_in_proposal = serializers.IntegerField(help_text=_("Closed before any proposal; left out."))


class LossFactorGroupSerializer(serializers.Serializer):
    value = serializers.CharField(help_text=_("The factor's value as of entering proposal (a code)."))
    label = serializers.CharField()
    n = serializers.IntegerField()
    won = serializers.IntegerField()
    lost = serializers.IntegerField()
    win_rate = rate_field(_("won / n; null without deals."))
    ci_low = rate_field(_("Lower bound of the Wilson interval (95%)."))
    ci_high = rate_field(_("Upper bound of the Wilson interval (95%)."))
    enough_data = serializers.BooleanField(help_text=_("At least 10 deals."))


class LossFactorComparisonSerializer(serializers.Serializer):
    a = serializers.CharField(source="a.value", help_text=_("The reference group."))
    b = serializers.CharField(
        source="b.value",
        help_text=_("The group compared with it; below_<a> = every weaker group pooled."),
    )
    a_n = serializers.IntegerField(source="a.n")
    a_won = serializers.IntegerField(source="a.won")
    b_n = serializers.IntegerField(source="b.n")
    b_won = serializers.IntegerField(source="b.won")
    difference = rate_field(_("Win rate of a − win rate of b."))
    ci_low = rate_field(_("Lower bound of Newcombe's hybrid score interval (95%) of the difference."))
    ci_high = rate_field(_("Upper bound of Newcombe's hybrid score interval (95%) of the difference."))
    lift = rate_field(_("Win rate of a ÷ win rate of b; null when b won none."))
    fisher_p = rate_field(_("Fisher's exact test, two-sided."))
    enough_data = serializers.BooleanField(help_text=_("Both groups have at least 10 deals."))


class LossFactorSerializer(serializers.Serializer):
    factor = serializers.CharField(
        source="code", help_text=_("champion_status, economic_buyer_access or <element>_evidence.")
    )
    label = serializers.CharField()
    reference = serializers.CharField(
        source="reference.value",
        allow_null=True,
        help_text=_("The group every comparison is made against: the strongest with enough deals."),
    )
    groups = LossFactorGroupSerializer(many=True)
    comparisons = LossFactorComparisonSerializer(many=True)


class InsightFindingSerializer(serializers.Serializer):
    kind = serializers.CharField(
        help_text=_("clear, hint, no_difference, not_enough (and days, stall for ringi patterns).")
    )
    headline = serializers.CharField()
    detail = serializers.CharField()


class LossFactorsSerializer(serializers.Serializer):
    filters = InsightFiltersSerializer(source="filters.as_dict")
    population = InsightPopulationSerializer()
    factors = LossFactorSerializer(many=True)
    findings = InsightFindingSerializer(many=True)


class RingiRuleSerializer(serializers.Serializer):
    pattern = serializers.CharField(source="code")
    name = serializers.CharField()
    rule = serializers.CharField()


class RingiDaysSerializer(serializers.Serializer):
    n = serializers.IntegerField()
    median = serializers.FloatField(allow_null=True)
    q1 = serializers.FloatField(allow_null=True, help_text=_("First quartile."))
    q3 = serializers.FloatField(allow_null=True, help_text=_("Third quartile."))


class RingiStopSerializer(serializers.Serializer):
    state = serializers.CharField(help_text=_("Ringi state when the deal was lost."))
    label = serializers.CharField()
    count = serializers.IntegerField()

    def to_representation(self, instance):
        state, label, count = instance
        return {"state": state, "label": str(label), "count": count}


class RingiPatternSerializer(serializers.Serializer):
    pattern = serializers.CharField(
        source="code", allow_null=True, help_text=_("R1–R8; null: not classified.")
    )
    name = serializers.CharField()
    n = serializers.IntegerField()
    won = serializers.IntegerField()
    lost = serializers.IntegerField()
    win_rate = rate_field(_("won / n; null without deals."))
    ci_low = rate_field(_("Lower bound of the Wilson interval (95%)."))
    ci_high = rate_field(_("Upper bound of the Wilson interval (95%)."))
    enough_data = serializers.BooleanField(help_text=_("At least 10 deals."))
    days = RingiDaysSerializer(help_text=_("Days from entering proposal to the close date, all deals."))
    days_won = RingiDaysSerializer(help_text=_("The same, won deals only."))
    lost_at = RingiStopSerializer(
        many=True, help_text=_("Where the lost deals stopped, most frequent first.")
    )


class RingiPatternsSerializer(serializers.Serializer):
    filters = InsightFiltersSerializer(source="filters.as_dict")
    population = InsightPopulationSerializer()
    rules = RingiRuleSerializer(many=True, help_text=_("The derivation rules, tried in this order."))
    patterns = RingiPatternSerializer(many=True)
    findings = InsightFindingSerializer(many=True)
