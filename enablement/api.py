"""Enablement content through the API (vendor staff): the list, writing content with its audience, quiz and file,
publishing, reminders, and the file itself (for partner users, downloading opens the content).

A write goes through the page's form and quiz formset, so the API keeps exactly the page's rules; their errors
answer 400 with the API's field names (``file``, ``quiz``).
"""

from django.shortcuts import get_object_or_404
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import exceptions, mixins, status
from rest_framework.generics import GenericAPIView
from rest_framework.negotiation import DefaultContentNegotiation
from rest_framework.parsers import MultiPartParser
from rest_framework.response import Response
from rest_framework.settings import api_settings
from rest_framework.views import APIView

from enablement import selectors, services
from enablement.files import MIME_TYPES, file_response
from enablement.filters import contents_filtered
from enablement.forms import MAX_QUESTIONS, ContentForm, quiz_formset
from enablement.models import Content, ContentKind
from enablement.permissions import can_manage_content
from enablement.serializers import (
    ContentDetailSerializer,
    ContentSavedSerializer,
    ContentSerializer,
    ContentWriteSerializer,
    PublishResultSerializer,
    RemindResultSerializer,
    RemindSerializer,
)
from partners.models import ALL_ROLES, Tier
from prm.api import VendorAPIMixin, bounded_id, filters_or_400
from prm.api_schema import ERRORS_400, ERRORS_403, ERRORS_404
from prm.parsers import JSONParser

FORM_FIELDS = ("title", "summary", "kind", "url", "body", "read_seconds", "pass_mark", "tiers", "partners")
# The quiz editor's field names, as the API calls them.
QUESTION_FIELDS = {"text": "text", "choice_1": "choices", "correct": "correct"}


class ContentStaffMixin(VendorAPIMixin):
    """Vendor staff only (``can_manage_content``); partner users receive content through their inbox."""

    roles = ALL_ROLES

    def initial(self, request, *args, **kwargs):
        super().initial(request, *args, **kwargs)
        if not can_manage_content(self.access):
            raise exceptions.PermissionDenied

    def content_get(self, content_id) -> Content:
        return get_object_or_404(
            selectors.contents_for_staff(self.access).prefetch_related("questions"), pk=bounded_id(content_id)
        )


def _form_data(content: Content, values: dict) -> dict:
    """The content's current values (a change keeps what it does not send), with what was sent on top."""
    audience = list(content.audience.all()) if content.pk else []
    data = {
        "title": content.title,
        "summary": content.summary,
        "kind": content.kind,
        "url": content.url,
        "body": content.body,
        "read_seconds": content.read_seconds,
        "pass_mark": content.pass_mark,
        "tiers": [row.tier for row in audience if row.tier],
        "partners": [row.partner_id for row in audience if row.partner_id],
    }
    data.update({name: values[name] for name in FORM_FIELDS if name in values})
    return data


def _quiz_data(questions: list[dict]) -> dict:
    """A quiz as the page's quiz formset receives it."""
    data = {
        "quiz-TOTAL_FORMS": str(len(questions)),
        "quiz-INITIAL_FORMS": "0",
        "quiz-MIN_NUM_FORMS": "0",
        "quiz-MAX_NUM_FORMS": str(MAX_QUESTIONS),
    }
    for index, question in enumerate(questions):
        data[f"quiz-{index}-text"] = question["text"]
        for number, choice in enumerate(question["choices"], 1):
            data[f"quiz-{index}-choice_{number}"] = choice
        data[f"quiz-{index}-correct"] = str(question["correct"] + 1)
    return data


def _errors(form, quiz) -> dict:
    errors = {}
    for name, messages in form.errors.items():
        key = {"upload": "file", "__all__": api_settings.NON_FIELD_ERRORS_KEY}.get(name, name)
        errors[key] = list(messages)
    if quiz.non_form_errors():
        errors["quiz"] = list(quiz.non_form_errors())
    elif any(quiz.errors):
        errors["quiz"] = [
            {QUESTION_FIELDS.get(name, name): list(messages) for name, messages in question.items()}
            for question in quiz.errors
        ]
    return errors


def content_write(view, content: Content, request) -> Response:
    """Create or change ``content`` from the request, by the page's rules; 201 for a new one, else 200."""
    serializer = ContentWriteSerializer(data=request.data, partial=content.pk is not None)
    serializer.is_valid(raise_exception=True)
    values = serializer.validated_data
    files = {"upload": values["file"]} if "file" in values else {}
    form = ContentForm(_form_data(content, values), files, instance=content)
    if "quiz" in values or content.pk is None:
        questions = values.get("quiz", [])
    else:
        questions = [
            {"text": q.text, "choices": q.choices, "correct": q.correct} for q in content.questions.all()
        ]
    quiz = quiz_formset(_quiz_data(questions))
    if not (form.is_valid() and quiz.is_valid()):
        raise exceptions.ValidationError(_errors(form, quiz))
    created = content.pk is None
    delivered = form.save_content(
        access=view.access, questions=quiz.questions, publish=values.get("publish", False)
    )
    saved = view.content_get(form.instance.pk)
    saved.delivered = delivered
    return Response(
        ContentSavedSerializer(saved, context={"request": request}).data,
        status=status.HTTP_201_CREATED if created else status.HTTP_200_OK,
    )


FILTERS = [
    OpenApiParameter("q", OpenApiTypes.STR, description=_("Words of the title or summary.")),
    OpenApiParameter("kind", OpenApiTypes.STR, enum=ContentKind.values),
    OpenApiParameter("state", OpenApiTypes.STR, enum=["published", "draft"]),
    OpenApiParameter("tier", OpenApiTypes.STR, enum=Tier.values, description=_("Content for this tier.")),
]
WRITE_REQUEST = {"application/json": ContentWriteSerializer, "multipart/form-data": ContentWriteSerializer}


@extend_schema(tags=["content"])
class ContentListView(ContentStaffMixin, mixins.ListModelMixin, GenericAPIView):
    """Enablement content: drafts first, then the newest published."""

    serializer_class = ContentSerializer
    parser_classes = (JSONParser, MultiPartParser)
    upload_max_bytes_setting = "CONTENT_MAX_BYTES"  # the body may be this big (prm.body_limit)

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return Content.objects.none()
        form, qs = contents_filtered(self.access, self.request.query_params)
        filters_or_400(form)
        return qs

    @extend_schema(
        operation_id="vendors_content_list",
        summary=_("Enablement content"),
        parameters=FILTERS,
        responses={200: ContentSerializer(many=True), 400: ERRORS_400, 403: ERRORS_403},
    )
    def get(self, request, vendor_slug):
        return self.list(request)

    @extend_schema(
        operation_id="vendors_content_create",
        summary=_("Add content"),
        description=_(
            "A draft, or published at once with publish. A file is sent as a multipart body (the quiz then as "
            "JSON text in its field)."
        ),
        request=WRITE_REQUEST,
        responses={201: ContentSavedSerializer, 400: ERRORS_400, 403: ERRORS_403},
    )
    def post(self, request, vendor_slug):
        return content_write(self, Content(vendor=self.access.vendor, kind=ContentKind.TEXT), request)


@extend_schema(tags=["content"])
class ContentDetailView(ContentStaffMixin, GenericAPIView):
    serializer_class = ContentDetailSerializer
    parser_classes = (JSONParser, MultiPartParser)
    upload_max_bytes_setting = "CONTENT_MAX_BYTES"

    @extend_schema(
        operation_id="vendors_content_retrieve",
        summary=_("A content, with its quiz and funnel"),
        responses={200: ContentDetailSerializer, 403: ERRORS_403, 404: ERRORS_404},
    )
    def get(self, request, vendor_slug, content_id):
        return Response(
            ContentDetailSerializer(self.content_get(content_id), context={"request": request}).data
        )

    @extend_schema(
        operation_id="vendors_content_partial_update",
        summary=_("Change a content"),
        description=_(
            "What is not sent stays. Saving published content delivers it to anyone newly in its audience."
        ),
        request=WRITE_REQUEST,
        responses={200: ContentSavedSerializer, 400: ERRORS_400, 403: ERRORS_403, 404: ERRORS_404},
    )
    def patch(self, request, vendor_slug, content_id):
        return content_write(self, self.content_get(content_id), request)


@extend_schema(tags=["content"])
class ContentPublishView(ContentStaffMixin, APIView):
    @extend_schema(
        operation_id="vendors_content_publish",
        summary=_("Publish a content"),
        description=_("Delivers it to its audience. Publishing published content changes nothing."),
        request=None,
        responses={200: PublishResultSerializer, 400: ERRORS_400, 403: ERRORS_403, 404: ERRORS_404},
    )
    def post(self, request, vendor_slug, content_id):
        content = self.content_get(content_id)
        delivered = services.content_publish(access=self.access, content=content)
        return Response({"delivered": delivered, "published_at": content.published_at})


@extend_schema(tags=["content"])
class ContentRemindView(ContentStaffMixin, APIView):
    parser_classes = (JSONParser,)

    @extend_schema(
        operation_id="vendors_content_remind",
        summary=_("Remind who has not opened it"),
        description=_("By email, at most once a day per person."),
        request=RemindSerializer,
        responses={200: RemindResultSerializer, 400: ERRORS_400, 403: ERRORS_403, 404: ERRORS_404},
    )
    def post(self, request, vendor_slug, content_id):
        content = self.content_get(content_id)
        serializer = RemindSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        result = services.reminders_send(
            access=self.access, content=content, delivery_ids=serializer.validated_data.get("deliveries")
        )
        return Response({"sent": result.sent, "recent": result.recent})


class AnyAccept(DefaultContentNegotiation):
    """A file answers in its own type whatever the client accepts; errors stay JSON."""

    def select_renderer(self, request, renderers, format_suffix=None):
        try:
            return super().select_renderer(request, renderers, format_suffix)
        except exceptions.NotAcceptable:
            return renderers[0], renderers[0].media_type


@extend_schema(tags=["content"])
class ContentFileView(VendorAPIMixin, APIView):
    roles = ALL_ROLES
    content_negotiation_class = AnyAccept

    @extend_schema(
        operation_id="vendors_content_file",
        summary=_("A content's file"),
        description=_("For partner users, downloading counts as opening the content."),
        responses={
            **{(200, mime): OpenApiTypes.BINARY for mime in dict.fromkeys(MIME_TYPES.values())},
            403: ERRORS_403,
            404: ERRORS_404,
        },
    )
    def get(self, request, vendor_slug, content_id):
        content_id = bounded_id(content_id)
        if can_manage_content(self.access):
            content = selectors.content_get_for_staff(self.access, content_id)
        else:
            services.deliveries_catch_up(self.access)
            delivery = selectors.delivery_get(self.access, content_id)
            services.delivery_open(delivery=delivery)
            content = delivery.content
        return file_response(content)
