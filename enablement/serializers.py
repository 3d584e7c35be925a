"""API shapes of enablement content: what staff write and read, the funnels, and a partner user's inbox."""

import json

from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers
from rest_framework.utils import html

from enablement.forms import CHOICES_PER_QUESTION, MAX_QUESTIONS
from enablement.models import Content, ContentKind, Delivery, FileType, Stage
from enablement.selectors import Funnel
from partners.models import Tier
from prm.api import ID_MAX


class FunnelSerializer(serializers.Serializer):
    delivered = serializers.IntegerField()
    opened = serializers.IntegerField()
    read = serializers.IntegerField()
    understood = serializers.IntegerField()
    not_opened = serializers.IntegerField()


def funnel_data(row) -> dict:
    funnel = Funnel.of(row)
    return FunnelSerializer(funnel).data


# Writing -----------------------------------------------------------------------------------------------------


class QuestionSerializer(serializers.Serializer):
    text = serializers.CharField(max_length=300)
    choices = serializers.ListField(
        child=serializers.CharField(max_length=200), min_length=2, max_length=CHOICES_PER_QUESTION
    )
    correct = serializers.IntegerField(
        min_value=0,
        max_value=CHOICES_PER_QUESTION - 1,
        help_text=_("The index of the right choice (from 0)."),
    )


class QuizField(serializers.ListField):
    """The quiz: a JSON array, or in a multipart body one form field holding that array as JSON text."""

    def __init__(self, **kwargs):
        super().__init__(child=QuestionSerializer(), max_length=MAX_QUESTIONS, **kwargs)

    def get_value(self, dictionary):
        if html.is_html_input(dictionary) and self.field_name in dictionary:
            try:
                return json.loads(dictionary[self.field_name])
            except ValueError:
                return "?"  # not a list: "Expected a list of items"
        return super().get_value(dictionary)


class ContentWriteSerializer(serializers.Serializer):
    """What a create or a change may send; a change keeps what it does not send. The page's rules apply."""

    title = serializers.CharField(max_length=200, required=False, allow_blank=True)
    summary = serializers.CharField(max_length=500, required=False, allow_blank=True)
    kind = serializers.ChoiceField(choices=ContentKind.choices, required=False)
    url = serializers.CharField(
        max_length=500, required=False, allow_blank=True, help_text=_("The link (kind link).")
    )
    body = serializers.CharField(
        required=False,
        allow_blank=True,
        trim_whitespace=False,
        help_text=_("The text (kind text): plain text, or simple HTML."),
    )
    file = serializers.FileField(
        required=False,
        write_only=True,
        help_text=_("The material (kind file; multipart body): PDF, PPTX, DOCX, XLSX, PNG, JPEG or MP4."),
    )
    read_seconds = serializers.IntegerField(required=False, min_value=0, max_value=32767)
    pass_mark = serializers.IntegerField(required=False, min_value=0, max_value=32767)
    tiers = serializers.ListField(
        child=serializers.ChoiceField(choices=Tier.choices), required=False, max_length=len(Tier.values)
    )
    partners = serializers.ListField(
        child=serializers.IntegerField(min_value=1, max_value=ID_MAX),
        required=False,
        max_length=1000,
        help_text=_("Named partner companies (ids)."),
    )
    quiz = QuizField(required=False, help_text=_("2 to 5 questions, or an empty list for no quiz."))
    publish = serializers.BooleanField(
        required=False,
        default=False,
        help_text=_("Publish on saving: the audience receives it. A published content stays published."),
    )


# Reading -----------------------------------------------------------------------------------------------------


class PartnerRefSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    tier = serializers.ChoiceField(choices=Tier.choices)


def file_url(serializer, content: Content) -> str | None:
    """The API address of the content's file (the caller's vendor: serializers get the request in context)."""
    if content.kind != ContentKind.FILE or not content.file:
        return None
    slug = serializer.context["request"].access.vendor.slug
    return reverse("api_content_file", kwargs={"vendor_slug": slug, "content_id": content.pk})


class ContentMaterialSerializer(serializers.ModelSerializer):
    """What a content is: its title, its material (file, link or text) and its reading rules."""

    url = serializers.CharField(help_text=_("The link (kind link), else empty."))
    file_type = serializers.ChoiceField(choices=FileType.choices, allow_blank=True)
    file_url = serializers.SerializerMethodField(help_text=_("Where the file downloads (kind file)."))

    class Meta:
        model = Content
        fields = [
            "id",
            "title",
            "summary",
            "kind",
            "url",
            "file_name",
            "file_type",
            "file_size",
            "file_url",
            "read_seconds",
            "pass_mark",
            "published_at",
        ]
        read_only_fields = fields

    def get_file_url(self, content) -> str | None:
        return file_url(self, content)


class ContentSerializer(ContentMaterialSerializer):
    created_by = serializers.EmailField(source="created_by.email", allow_null=True, default=None)
    tiers = serializers.SerializerMethodField()
    partners = serializers.SerializerMethodField()
    question_count = serializers.IntegerField(source="question_total")
    funnel = serializers.SerializerMethodField()

    class Meta(ContentMaterialSerializer.Meta):
        fields = [
            *ContentMaterialSerializer.Meta.fields,
            "created_by",
            "created_at",
            "updated_at",
            "tiers",
            "partners",
            "question_count",
            "funnel",
        ]
        read_only_fields = fields

    def get_tiers(self, content) -> list[str]:
        return [row.tier for row in content.audience.all() if row.tier]

    @extend_schema_field(PartnerRefSerializer(many=True))
    def get_partners(self, content):
        return [
            {"id": row.partner.pk, "name": row.partner.name, "tier": row.partner.tier}
            for row in content.audience.all()
            if row.partner_id
        ]

    @extend_schema_field(FunnelSerializer)
    def get_funnel(self, content):
        return funnel_data(content)


class StaffQuestionSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    text = serializers.CharField()
    choices = serializers.ListField(child=serializers.CharField())
    correct = serializers.IntegerField()


class ContentDetailSerializer(ContentSerializer):
    quiz = StaffQuestionSerializer(source="questions.all", many=True)

    class Meta(ContentSerializer.Meta):
        fields = [*ContentSerializer.Meta.fields, "body", "quiz"]
        read_only_fields = fields


class ContentSavedSerializer(ContentDetailSerializer):
    delivered = serializers.IntegerField(help_text=_("How many people this save delivered the content to."))

    class Meta(ContentDetailSerializer.Meta):
        fields = [*ContentDetailSerializer.Meta.fields, "delivered"]
        read_only_fields = fields


class PartnerFunnelSerializer(serializers.Serializer):
    partner = PartnerRefSerializer()
    funnel = FunnelSerializer()


class RecipientSerializer(serializers.ModelSerializer):
    email = serializers.EmailField(source="recipient.email")
    name = serializers.CharField(source="recipient.name")
    partner = PartnerRefSerializer()
    stage = serializers.ChoiceField(choices=Stage.choices)

    class Meta:
        model = Delivery
        fields = [
            "id",
            "email",
            "name",
            "partner",
            "stage",
            "delivered_at",
            "opened_at",
            "read_at",
            "understood_at",
            "quiz_attempts",
            "last_score",
            "reminded_at",
            "reminder_count",
        ]
        read_only_fields = fields


class RemindSerializer(serializers.Serializer):
    deliveries = serializers.ListField(
        child=serializers.IntegerField(min_value=1, max_value=ID_MAX),
        required=False,
        allow_empty=False,
        max_length=1000,
        help_text=_("The recipients to remind (their ids in the recipient list); leave out for everyone."),
    )


class RemindResultSerializer(serializers.Serializer):
    sent = serializers.IntegerField(help_text=_("Reminders on their way."))
    recent = serializers.IntegerField(help_text=_("Left out: reminded in the last 24 hours."))


class PublishResultSerializer(serializers.Serializer):
    delivered = serializers.IntegerField()
    published_at = serializers.DateTimeField()


class ContentFunnelRowSerializer(serializers.Serializer):
    """One content that reached a partner, with the funnel of that partner's recipients."""

    id = serializers.IntegerField()
    title = serializers.CharField()
    kind = serializers.ChoiceField(choices=ContentKind.choices)
    published_at = serializers.DateTimeField(allow_null=True)
    funnel = serializers.SerializerMethodField()

    @extend_schema_field(FunnelSerializer)
    def get_funnel(self, content):
        return funnel_data(content)


# A partner user's inbox ----------------------------------------------------------------------------------------


class InboxContentSerializer(ContentMaterialSerializer):
    file_url = serializers.SerializerMethodField(
        help_text=_("Where the file downloads; downloading opens it.")
    )


class InboxItemSerializer(serializers.ModelSerializer):
    content = InboxContentSerializer()
    stage = serializers.ChoiceField(choices=Stage.choices)
    question_count = serializers.IntegerField(source="question_total")

    class Meta:
        model = Delivery
        fields = [
            "content",
            "stage",
            "delivered_at",
            "opened_at",
            "read_at",
            "understood_at",
            "question_count",
            "quiz_attempts",
            "last_score",
        ]
        read_only_fields = fields


class QuizQuestionSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    text = serializers.CharField()
    choices = serializers.ListField(child=serializers.CharField())


class InboxDetailSerializer(InboxItemSerializer):
    body = serializers.CharField(source="content.body", help_text=_("The text (kind text)."))
    quiz = QuizQuestionSerializer(
        source="content.questions.all", many=True, help_text=_("The questions, without their answers.")
    )

    class Meta(InboxItemSerializer.Meta):
        fields = [*InboxItemSerializer.Meta.fields, "body", "quiz"]
        read_only_fields = fields


class StageSerializer(serializers.Serializer):
    stage = serializers.ChoiceField(choices=Stage.choices)
    changed = serializers.BooleanField(help_text=_("Whether this call moved the content forward."))


class AnswerSerializer(serializers.Serializer):
    question = serializers.IntegerField(min_value=1, max_value=ID_MAX)
    choice = serializers.IntegerField(min_value=0, max_value=CHOICES_PER_QUESTION - 1)


class QuizAnswersSerializer(serializers.Serializer):
    answers = serializers.ListField(child=AnswerSerializer(), max_length=MAX_QUESTIONS)


class QuizResultSerializer(serializers.Serializer):
    correct = serializers.IntegerField()
    total = serializers.IntegerField()
    score = serializers.IntegerField(help_text=_("Percent correct."))
    passed = serializers.BooleanField()
    wrong = serializers.ListField(
        child=serializers.IntegerField(), help_text=_("Questions answered wrongly.")
    )
    stage = serializers.ChoiceField(choices=Stage.choices)
