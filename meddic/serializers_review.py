"""Request and response shapes of the review API (``meddic.api_reviews``)."""

from django.utils.translation import gettext_lazy
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from deals.serializers import DealSerializer
from meddic import reviews
from meddic.models import ElementCode, InfoRequest, ReviewState
from prm.api import ID_MAX

BULK_MAX = 500


class InfoRequestSerializer(serializers.ModelSerializer):
    deal = serializers.PrimaryKeyRelatedField(
        read_only=True, help_text=gettext_lazy("The deal asked about (id).")
    )
    element = serializers.ChoiceField(
        choices=ElementCode.choices, help_text=gettext_lazy("The MEDDIC element the question is about.")
    )
    question = serializers.CharField(
        max_length=reviews.QUESTION_MAX,
        help_text=gettext_lazy("What the partner is asked, at most 500 characters."),
    )
    due_date = serializers.DateField(
        help_text=gettext_lazy("Answer by this day (the vendor's calendar): not in the past, within a year.")
    )
    status = serializers.SerializerMethodField(
        help_text=gettext_lazy("open, answered or cancelled (withdrawn).")
    )
    overdue = serializers.SerializerMethodField(
        help_text=gettext_lazy("Still open after its due date (the vendor's today).")
    )
    requested_by = serializers.EmailField(
        source="requested_by.email",
        read_only=True,
        allow_null=True,
        help_text=gettext_lazy("Email address of the vendor user who asked."),
    )
    answered_by = serializers.EmailField(
        source="answered_by.email",
        read_only=True,
        allow_null=True,
        help_text=gettext_lazy("Email address of the partner user who answered, once answered."),
    )

    class Meta:
        model = InfoRequest
        fields = [
            "id",
            "deal",
            "element",
            "question",
            "due_date",
            "status",
            "overdue",
            "requested_by",
            "requested_at",
            "answer",
            "answered_by",
            "answered_at",
        ]
        read_only_fields = ["id", "requested_at", "answer", "answered_at"]

    # Plain strings in the schema: the choice set is documented in the help text, so the enum component name
    # `StatusEnum` stays the partner's.
    @extend_schema_field(serializers.CharField())
    def get_status(self, request: InfoRequest) -> str:
        return request.status

    def get_overdue(self, request: InfoRequest) -> bool:
        today = self.context.get("today")
        return bool(request.is_open and today is not None and request.due_date < today)


class InfoRequestAnswerSerializer(serializers.Serializer):
    answer = serializers.CharField(
        max_length=reviews.ANSWER_MAX,
        help_text=gettext_lazy("The answer for the vendor to read, at most 1000 characters."),
    )
    version = serializers.IntegerField(
        min_value=1, help_text=gettext_lazy("Required: the deal's version the answer is based on.")
    )
    element = serializers.DictField(
        required=False,
        allow_null=True,
        help_text=gettext_lazy(
            "The element's changed answers (`level`, `evidence`, `note`, …its fields), the shape of the deal's "
            "`meddic.<element>`; only what changes. Errors are keyed `element.<field>`."
        ),
    )


class InfoRequestAnsweredSerializer(InfoRequestSerializer):
    deal = DealSerializer(read_only=True, help_text=gettext_lazy("The deal with the answer saved."))


class ReviewSerializer(serializers.Serializer):
    state = serializers.ChoiceField(
        choices=ReviewState.choices,
        help_text=gettext_lazy("unreviewed, needs_info, qualified or disqualified."),
    )
    note = serializers.CharField(
        max_length=reviews.NOTE_MAX,
        required=False,
        allow_blank=True,
        help_text=gettext_lazy("Why, for the partner to read; at most 500 characters."),
    )
    changed_by = serializers.EmailField(
        read_only=True, allow_null=True, help_text=gettext_lazy("Email address of who set the state last.")
    )
    changed_at = serializers.DateTimeField(
        read_only=True,
        allow_null=True,
        help_text=gettext_lazy("When the state was set (null: never reviewed)."),
    )


# `from` is a Python keyword, so this one is built from a dict of its fields.
ReviewChangeSerializer = type(
    "ReviewChangeSerializer",
    (serializers.Serializer,),
    {
        "__doc__": "One change of a deal's review state, from the deal's audit history.",
        "at": serializers.DateTimeField(help_text=gettext_lazy("When it changed.")),
        "actor": serializers.EmailField(allow_null=True, help_text=gettext_lazy("Who changed it (email).")),
        # Plain strings: the same choice set as `state`, which already names the enum component.
        "from": serializers.CharField(help_text=gettext_lazy("The review state before.")),
        "to": serializers.CharField(help_text=gettext_lazy("The review state after.")),
        "note": serializers.CharField(
            allow_blank=True, help_text=gettext_lazy("The note given with the change.")
        ),
    },
)


class ReviewWithHistorySerializer(ReviewSerializer):
    history = ReviewChangeSerializer(
        many=True,
        read_only=True,
        help_text=gettext_lazy('Every review change, newest first; each `{at, actor, "from", to, note}`.'),
    )


class BulkReviewSerializer(serializers.Serializer):
    deals = serializers.ListField(
        child=serializers.IntegerField(min_value=1, max_value=ID_MAX),
        allow_empty=False,
        max_length=BULK_MAX,
        help_text=gettext_lazy("Ids of the deals to review, at most 500."),
    )
    state = serializers.ChoiceField(
        choices=ReviewState.choices, help_text=gettext_lazy("The new review state.")
    )
    note = serializers.CharField(
        max_length=reviews.NOTE_MAX,
        required=False,
        allow_blank=True,
        help_text=gettext_lazy("Why, for the partners to read; at most 500 characters."),
    )


class BulkReviewResultSerializer(serializers.Serializer):
    changed = serializers.IntegerField(help_text=gettext_lazy("How many deals changed."))
    ignored = serializers.ListField(
        child=serializers.IntegerField(),
        help_text=gettext_lazy("Ids that name no deal the caller can see; nothing was done to them."),
    )
