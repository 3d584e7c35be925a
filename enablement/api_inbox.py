"""A partner user's enablement content through the API: the inbox, one content (without the quiz's answers),
and the steps the content page takes — open, read, the quiz, "I understood". Content another company received, a
draft, or another vendor's content is 404, as on the pages."""

from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import exceptions, mixins
from rest_framework.generics import GenericAPIView
from rest_framework.response import Response

from enablement import selectors, services
from enablement.filters import inbox_filtered
from enablement.models import ContentKind, Delivery
from enablement.serializers import (
    InboxDetailSerializer,
    InboxItemSerializer,
    QuizAnswersSerializer,
    QuizResultSerializer,
    StageSerializer,
)
from partners.models import PARTNER_ROLES
from prm.api import VendorAPIMixin, bounded_id, filters_or_400
from prm.api_schema import ERRORS_400, ERRORS_403, ERRORS_404
from prm.parsers import JSONParser


class InboxMixin(VendorAPIMixin):
    roles = PARTNER_ROLES

    def delivery_get(self, content_id) -> Delivery:
        return get_object_or_404(
            selectors.inbox_of(self.access).prefetch_related("content__questions"),
            content_id=bounded_id(content_id),
        )


@extend_schema(tags=["content"])
class InboxListView(InboxMixin, mixins.ListModelMixin, GenericAPIView):
    """The caller's content: new (not opened) first, then pending (not understood yet), then done."""

    serializer_class = InboxItemSerializer

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return Delivery.objects.none()
        form, qs = inbox_filtered(self.access, self.request.query_params)
        filters_or_400(form)
        return qs

    @extend_schema(
        operation_id="vendors_content_inbox",
        summary=gettext_lazy("My content"),
        parameters=[
            OpenApiParameter("show", OpenApiTypes.STR, enum=list(selectors.INBOX_STATES)),
            OpenApiParameter(
                "q", OpenApiTypes.STR, description=gettext_lazy("Words of the title or summary.")
            ),
            OpenApiParameter("kind", OpenApiTypes.STR, enum=ContentKind.values),
        ],
        responses={200: InboxItemSerializer(many=True), 400: ERRORS_400, 403: ERRORS_403},
    )
    def get(self, request, vendor_slug):
        services.deliveries_catch_up(self.access)
        return self.list(request)


@extend_schema(tags=["content"])
class InboxDetailView(InboxMixin, GenericAPIView):
    serializer_class = InboxDetailSerializer

    @extend_schema(
        operation_id="vendors_content_inbox_retrieve",
        summary=gettext_lazy("One of my contents"),
        description=gettext_lazy("Reading it here records nothing: open and read say how far you got."),
        responses={200: InboxDetailSerializer, 403: ERRORS_403, 404: ERRORS_404},
    )
    def get(self, request, vendor_slug, content_id):
        services.deliveries_catch_up(self.access)
        return Response(self.get_serializer(self.delivery_get(content_id)).data)


def stage_view(step: str):
    """``open``, ``read`` or ``understood``: one forward step of the funnel, idempotent."""
    descriptions = {
        "open": gettext_lazy("The content was opened."),
        "read": gettext_lazy("The content was read to the end, or long enough."),
        "understood": gettext_lazy('"I understood", for content without a quiz (with one, pass the quiz).'),
    }

    @extend_schema(tags=["content"])
    class StageView(InboxMixin, GenericAPIView):
        serializer_class = StageSerializer

        @extend_schema(
            operation_id=f"vendors_content_inbox_{step}",
            summary=descriptions[step],
            request=None,
            responses={200: StageSerializer, 400: ERRORS_400, 403: ERRORS_403, 404: ERRORS_404},
        )
        def post(self, request, vendor_slug, content_id):
            delivery = self.delivery_get(content_id)
            if step == "open":
                changed = services.delivery_open(delivery=delivery)
            elif step == "read":
                changed = services.delivery_read(delivery=delivery)
            else:
                changed = services.understood_confirm(delivery=delivery)
            return Response({"stage": delivery.stage, "changed": changed})

    StageView.__name__ = f"Inbox{step.title()}View"
    return StageView


@extend_schema(tags=["content"])
class InboxQuizView(InboxMixin, GenericAPIView):
    serializer_class = QuizResultSerializer
    parser_classes = (JSONParser,)

    @extend_schema(
        operation_id="vendors_content_inbox_quiz",
        summary=gettext_lazy("Submit the quiz"),
        description=gettext_lazy("Every question needs an answer. Passing marks the content understood."),
        request=QuizAnswersSerializer,
        responses={200: QuizResultSerializer, 400: ERRORS_400, 403: ERRORS_403, 404: ERRORS_404},
    )
    def post(self, request, vendor_slug, content_id):
        delivery = self.delivery_get(content_id)
        serializer = QuizAnswersSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        questions = {question.pk: question for question in delivery.content.questions.all()}
        answers = {
            answer["question"]: answer["choice"]
            for answer in serializer.validated_data["answers"]
            if answer["question"] in questions
            and answer["choice"] < len(questions[answer["question"]].choices)
        }
        if questions and len(answers) < len(questions):
            raise exceptions.ValidationError(
                {"answers": [_("Answer every question before you submit the quiz.")]}
            )
        result = services.quiz_submit(delivery=delivery, answers=answers)
        delivery.refresh_from_db(fields=["opened_at", "read_at", "understood_at"])
        return Response(
            {
                "correct": result.correct,
                "total": result.total,
                "score": result.score,
                "passed": result.passed,
                "wrong": sorted(result.wrong),
                "stage": delivery.stage,
            }
        )
