"""API shapes of DESIGN §7 for deals, their MEDDIC elements, workflow steps and the champion log.

Serializers only parse and render; the template's rules live in ``deals.services`` and ``meddic.services``.
``meddic`` answers are passed on to the services as sent, so every element error comes from one place and is
keyed ``meddic.<element>.<field>`` (flat, as ``meddic.services.meddic_clean`` names it).
"""

from django.db.models import prefetch_related_objects
from django.db.models.manager import BaseManager
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from deals import selectors
from deals.models import ChampionActivity, Deal
from meddic import scoring
from meddic.models import (
    COMMON_FIELDS,
    ELEMENT_FIELDS,
    MULTI_FIELDS,
    DealReview,
    ElementCode,
    ForecastCategory,
    MeddicElement,
    ReviewState,
)

# --- MEDDIC elements -----------------------------------------------------------------------------------------


def _element_serializer(code: str) -> type[serializers.ModelSerializer]:
    """One serializer per element, carrying exactly its fields (``meddic.models.ELEMENT_FIELDS``).

    Every answer is optional on input: a PATCH names only what changes. ``last_confirmed_at`` is set by the
    service whenever an element changes.
    """
    names = (*COMMON_FIELDS, *ELEMENT_FIELDS[code])
    declared = {
        name: serializers.ListField(
            child=serializers.ChoiceField(choices=MULTI_FIELDS[name].choices), required=False
        )
        for name in names
        if name in MULTI_FIELDS
    }
    if "severity" in names:
        declared["severity"] = serializers.IntegerField(
            min_value=1, max_value=5, allow_null=True, required=False, help_text=_("1 (mild) to 5 (severe).")
        )
    meta = type(
        "Meta",
        (),
        {
            "model": MeddicElement,
            "fields": [*names, "last_confirmed_at"],
            "read_only_fields": ["last_confirmed_at"],
            "extra_kwargs": {name: {"required": False} for name in names if name not in declared},
        },
    )
    class_name = "".join(part.title() for part in code.split("_")) + "ElementSerializer"
    return type(class_name, (serializers.ModelSerializer,), {**declared, "Meta": meta})


ELEMENT_SERIALIZERS = {code: _element_serializer(code) for code in ElementCode.values}


class MeddicSerializer(serializers.Serializer):
    """`{element: {level, evidence, note, last_confirmed_at, …element fields}}` for all six elements."""

    metrics = ELEMENT_SERIALIZERS[ElementCode.METRICS](required=False)
    economic_buyer = ELEMENT_SERIALIZERS[ElementCode.ECONOMIC_BUYER](required=False)
    decision_criteria = ELEMENT_SERIALIZERS[ElementCode.DECISION_CRITERIA](required=False)
    decision_process = ELEMENT_SERIALIZERS[ElementCode.DECISION_PROCESS](required=False)
    identify_pain = ELEMENT_SERIALIZERS[ElementCode.IDENTIFY_PAIN](required=False)
    champion = ELEMENT_SERIALIZERS[ElementCode.CHAMPION](required=False)


@extend_schema_field(MeddicSerializer)
class MeddicField(serializers.Field):
    """Renders the deal's six elements; takes the sent answers as they are and leaves checking them to
    ``meddic.services.meddic_clean`` (merged per element and per field by the service)."""

    def __init__(self, **kwargs):
        kwargs.setdefault("required", False)
        kwargs.setdefault(
            "help_text",
            _(
                "Element answers. On input name only what changes: other elements and fields stay as they "
                "are. Errors are keyed `meddic.<element>.<field>`."
            ),
        )
        super().__init__(source="*", **kwargs)

    def to_representation(self, deal):
        return MeddicSerializer(selectors.deal_elements(deal)).data

    def to_internal_value(self, data):
        return {"meddic": data}


# --- Deals ---------------------------------------------------------------------------------------------------

# Answers of the template (``deals.services.DEAL_FIELDS``): the only deal fields input can set.
TEMPLATE_FIELDS = [
    "customer_name",
    "customer_corporate_number",
    "customer_industry",
    "customer_size",
    "title",
    "amount",
    "close_date",
    "phase",
    "loss_type",
    "proposal_reason",
]
# Set from the caller's membership, by the workflow or by the services; never from input.
WORKFLOW_FIELDS = ["registration_status", "protected_until", "conflict"]
RECORD_FIELDS = ["version", "registered_at", "closed_at", "created_at", "updated_at"]
# Derived answers rendered with the deal; views load a deal through ``deals.api.deals_for_api``.
DERIVED_FIELDS = ["meddic", "score", "review"]
TEXT_HELP = {
    "proposal_reason": _("At most 3 non-empty lines of at most 60 characters each."),
    "customer_corporate_number": _(
        "Optional 13-digit corporate number (法人番号); its check digit is verified."
    ),
    "close_date": _("Expected while open; the actual date (not in the future) when won or lost."),
    "loss_type": _("Required when the phase is lost; cleared otherwise."),
}


class ScoreFlagSerializer(serializers.Serializer):
    code = serializers.ChoiceField(choices=list(scoring.FLAGS), help_text=_("Risk flag code."))
    element = serializers.CharField(
        allow_null=True, help_text=_("The MEDDIC element the flag is about, if any.")
    )
    message = serializers.CharField(
        help_text=_("What is missing and what to do next, in the caller's language.")
    )


class ScoreSerializer(serializers.Serializer):
    quality = serializers.IntegerField(min_value=0, max_value=100)
    visibility = serializers.IntegerField(min_value=0, max_value=100)
    forecast_category = serializers.ChoiceField(choices=ForecastCategory.choices)
    flags = ScoreFlagSerializer(many=True)

    def to_representation(self, instance):
        flags = [scoring.FLAGS[code] for code in instance.flags if code in scoring.FLAGS]
        return {
            "quality": instance.quality,
            "visibility": instance.visibility,
            "forecast_category": instance.forecast_category,
            "flags": [{"code": f.code, "element": f.element, "message": str(f.message)} for f in flags],
        }


class DealReviewSerializer(serializers.Serializer):
    state = serializers.ChoiceField(
        choices=ReviewState.choices,
        help_text=_("The vendor's review: unreviewed, needs_info, qualified or disqualified."),
    )
    note = serializers.CharField(
        allow_blank=True, help_text=_("The vendor's note with the review, for the partner.")
    )
    changed_at = serializers.DateTimeField(
        allow_null=True, help_text=_("When it was reviewed (null: never).")
    )


@extend_schema_field(DealReviewSerializer)
class DealReviewField(serializers.Field):
    """The vendor's review of the deal; a deal without a review row is unreviewed."""

    def __init__(self, **kwargs):
        kwargs.setdefault("help_text", _("Where the vendor's review of the deal stands."))
        super().__init__(source="*", read_only=True, **kwargs)

    def to_representation(self, deal):
        try:
            review = deal.review
        except DealReview.DoesNotExist:
            return {"state": ReviewState.UNREVIEWED, "note": "", "changed_at": None}
        return {
            "state": review.state,
            "note": review.note,
            "changed_at": serializers.DateTimeField().to_representation(review.changed_at),
        }


class DealListSerializer(serializers.ListSerializer):
    """Loads the reviews of all listed deals in one query, so a list costs the same however long it is."""

    def to_representation(self, data):
        deals = list(data.all() if isinstance(data, BaseManager) else data)
        prefetch_related_objects([deal for deal in deals if isinstance(deal, Deal)], "review")
        return super().to_representation(deals)


class DealSerializer(serializers.ModelSerializer):
    partner = serializers.PrimaryKeyRelatedField(
        read_only=True, help_text=_("The partner company (id): always the registering user's company.")
    )
    owner = serializers.EmailField(
        source="owner.email",
        read_only=True,
        help_text=_("Email address of the rep who owns the deal: always the user who registered it."),
    )
    conflict = serializers.BooleanField(
        source="has_conflict",
        read_only=True,
        help_text=_("Another partner registered the same customer and the conflict is not resolved yet."),
    )
    meddic = MeddicField()
    score = ScoreSerializer(
        read_only=True,
        allow_null=True,
        help_text=_(
            "Quality and visibility (0–100), forecast category and risk flags, derived from the deal."
        ),
    )
    review = DealReviewField()

    class Meta:
        model = Deal
        list_serializer_class = DealListSerializer
        fields = [
            "id",
            "partner",
            "owner",
            *TEMPLATE_FIELDS,
            *WORKFLOW_FIELDS,
            *RECORD_FIELDS,
            *DERIVED_FIELDS,
        ]
        read_only_fields = ["registration_status", "protected_until", *RECORD_FIELDS]
        extra_kwargs = {
            **{name: {"help_text": text} for name, text in TEXT_HELP.items()},
            # Typed with hyphens or full-width digits is fine: the service normalises it to 13 digits.
            "customer_corporate_number": {
                "help_text": TEXT_HELP["customer_corporate_number"],
                "max_length": 32,
            },
            "version": {
                "help_text": _("Send it back with every change; it goes up by one per saved change.")
            },
        }


class DealUpdateSerializer(DealSerializer):
    """A change: `version` plus only the answers that change."""

    version = serializers.IntegerField(
        min_value=1, help_text=_("Required: the version the change is based on (from the last read).")
    )

    class Meta(DealSerializer.Meta):
        read_only_fields = [name for name in DealSerializer.Meta.read_only_fields if name != "version"]
        extra_kwargs = {
            name: {**DealSerializer.Meta.extra_kwargs.get(name, {}), "required": False}
            for name in TEMPLATE_FIELDS
        }


class StaleVersionSerializer(serializers.Serializer):
    detail = serializers.CharField(read_only=True)
    code = serializers.CharField(read_only=True, help_text=_("`stale_version`"))
    current = DealSerializer(read_only=True, help_text=_("The deal as it is now."))


# --- Workflow ------------------------------------------------------------------------------------------------

# As on the deal page's reason form (``deals.page.ReasonForm``).
REASON_MAX_LENGTH = 2000


class WorkflowStepSerializer(serializers.Serializer):
    reason = serializers.CharField(
        label=_("Reason"),
        required=False,
        allow_blank=True,
        max_length=REASON_MAX_LENGTH,
        help_text=_("Why, for the partner to read and for the history."),
    )


# How steps that need a reason (reject, return) are documented; ``deals.workflow`` enforces it.
class WorkflowReasonSerializer(WorkflowStepSerializer):
    reason = serializers.CharField(
        label=_("Reason"),
        max_length=REASON_MAX_LENGTH,
        help_text=_("Required: why, for the partner to read."),
    )


# --- Champion log --------------------------------------------------------------------------------------------


class ChampionActivitySerializer(serializers.ModelSerializer):
    logged_by = serializers.EmailField(
        source="logged_by.email", read_only=True, help_text=_("Email address of the user who logged it.")
    )

    class Meta:
        model = ChampionActivity
        fields = [
            "id",
            "date",
            "actor",
            "activity_type",
            "target",
            "outcome",
            "next_step",
            "logged_by",
            "created_at",
        ]
        read_only_fields = ["id", "logged_by", "created_at"]
