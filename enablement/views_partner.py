"""Partner users: the content inbox, the content page (open → read → quiz or "I understood") and its file.

Vendor staff may open the content page and the file too, as a preview that records nothing.
"""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, JsonResponse
from django.shortcuts import redirect
from django.urls import path
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views import View
from django.views.generic import ListView, TemplateView

from enablement import richtext, selectors, services
from enablement.files import file_response
from enablement.filters import inbox_filtered
from enablement.models import ContentKind, Stage
from enablement.permissions import can_manage_content
from enablement.tables import export, inbox_header, inbox_row
from enablement.views_staff import PAGE_SIZE
from partners.models import ALL_ROLES, PARTNER_ROLES
from prm.mixins import LastPageMixin, VendorPageMixin


def _note_reader(request, access) -> None:
    """Catch up on content published before the reader joined, and remember the language they read in."""
    services.deliveries_catch_up(access)
    services.language_note(access, get_language())


class InboxView(VendorPageMixin, LastPageMixin, ListView):
    """A partner user's content: what is new (not opened), pending (not understood yet) and done."""

    roles = ALL_ROLES

    template_name = "enablement/inbox.html"
    paginate_by = PAGE_SIZE
    context_object_name = "deliveries"

    def get(self, request, *args, **kwargs):
        if can_manage_content(self.access):
            return redirect("content_list", vendor_slug=self.vendor.slug)
        _note_reader(request, self.access)
        return super().get(request, *args, **kwargs)

    def get_queryset(self):
        self.form, qs = inbox_filtered(self.access, self.request.GET)
        return qs

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        cleaned = getattr(self.form, "cleaned_data", {})
        context.update(
            form=self.form,
            counts=selectors.inbox_counts(self.access),
            show=cleaned.get("show") or "",
            filtered=any(cleaned.values()) or bool(self.form.errors),
        )
        return context


class InboxExportView(VendorPageMixin, View):
    roles = PARTNER_ROLES

    def get(self, request, vendor_slug):
        _form, qs = inbox_filtered(self.access, request.GET)
        zone = self.vendor.time_zone
        rows = (inbox_row(delivery, zone) for delivery in qs.iterator(chunk_size=500))
        return export(self.vendor, "my-content", inbox_header(), rows)


STEPS = [Stage.DELIVERED, Stage.OPENED, Stage.READ, Stage.UNDERSTOOD]


def content_page(view, content, delivery, *, answers=None, result=None, quiz_error=None, status=200):
    """Render the content page; ``answers``/``result`` show a graded (failed) or refused quiz attempt."""
    questions = list(content.questions.all())
    answers = answers or {}
    for question in questions:
        question.options = [
            (index, text, answers.get(question.pk) == index) for index, text in enumerate(question.choices)
        ]
        question.is_wrong = result is not None and question.pk in result.wrong
    reached = STEPS.index(delivery.stage) if delivery else -1
    context = view.get_context_data(
        content=content,
        delivery=delivery,
        preview=delivery is None,
        body=richtext.body_html(content.body) if content.kind == ContentKind.TEXT else "",
        questions=questions,
        result=result,
        quiz_error=quiz_error,
        steps=[(stage.value, stage.label, index <= reached) for index, stage in enumerate(STEPS)],
        # For downloads and links, reaching the end of our page says nothing: the end counts once the material
        # was opened (content_read.js arms it on the material's link); time on the page counts in any case.
        end_counts_at_once=content.kind == ContentKind.TEXT or content.is_image or content.is_video,
    )
    return view.response_class(
        request=view.request, template=[view.template_name], context=context, status=status, using=None
    )


class ContentPageView(VendorPageMixin, TemplateView):
    """GET: the content. The first visit marks it opened; ``content_read.js`` posts "read" later."""

    roles = ALL_ROLES

    template_name = "enablement/content_view.html"

    def get(self, request, vendor_slug, content_id):
        if can_manage_content(self.access):
            return content_page(self, selectors.content_get_for_staff(self.access, content_id), None)
        _note_reader(request, self.access)
        delivery = selectors.delivery_get(self.access, content_id)
        services.delivery_open(delivery=delivery)
        return content_page(self, delivery.content, delivery)


class ContentFileView(VendorPageMixin, View):
    """The content's file, for vendor staff and for partner users who received it (never a public URL).

    Images open in the page; everything else downloads. Downloading counts as opening."""

    roles = ALL_ROLES

    def get(self, request, vendor_slug, content_id):
        if can_manage_content(self.access):
            content = selectors.content_get_for_staff(self.access, content_id)
        else:
            services.deliveries_catch_up(self.access)
            delivery = selectors.delivery_get(self.access, content_id)
            services.delivery_open(delivery=delivery)
            content = delivery.content
        return file_response(content)


class ContentReadView(VendorPageMixin, View):
    """POST from ``content_read.js``: the reader reached the end or stayed long enough. Idempotent."""

    roles = PARTNER_ROLES
    http_method_names = ["post"]

    def post(self, request, vendor_slug, content_id):
        delivery = selectors.delivery_get(self.access, content_id)
        changed = services.delivery_read(delivery=delivery)
        return JsonResponse({"stage": delivery.stage, "changed": changed})


class ContentQuizView(VendorPageMixin, TemplateView):
    """POST: one quiz attempt. Passing redirects to the page; failing shows the score and keeps the answers."""

    roles = PARTNER_ROLES
    http_method_names = ["post"]
    template_name = ContentPageView.template_name

    def post(self, request, vendor_slug, content_id):
        delivery = selectors.delivery_get(self.access, content_id)
        content = delivery.content
        questions = list(content.questions.all())
        if not questions:
            raise Http404
        answers = {}
        for question in questions:
            value = request.POST.get(f"q{question.pk}", "")
            if value.isdigit() and int(value) < len(question.choices):
                answers[question.pk] = int(value)
        if len(answers) < len(questions):
            error = _("Answer every question before you submit the quiz.")
            return content_page(self, content, delivery, answers=answers, quiz_error=error)
        was_understood = delivery.understood_at is not None
        result = services.quiz_submit(delivery=delivery, answers=answers)
        if result.passed:
            if not was_understood:
                messages.success(
                    request,
                    _("Passed: %(correct)d of %(total)d correct (%(score)d%%). Thank you!")
                    % {"correct": result.correct, "total": result.total, "score": result.score},
                )
            return redirect("content_view", vendor_slug=vendor_slug, content_id=content.pk)
        return content_page(self, content, delivery, answers=answers, result=result)


class ContentUnderstoodView(VendorPageMixin, View):
    """POST: "I understood" for content without a quiz."""

    roles = PARTNER_ROLES
    http_method_names = ["post"]

    def post(self, request, vendor_slug, content_id):
        delivery = selectors.delivery_get(self.access, content_id)
        try:
            if services.understood_confirm(delivery=delivery):
                messages.success(request, _("Thank you for confirming that you understood this content."))
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        return redirect("content_view", vendor_slug=vendor_slug, content_id=content_id)


urlpatterns = [
    path("content/inbox/", InboxView.as_view(), name="content_inbox"),
    path("content/inbox/export.csv", InboxExportView.as_view(), name="content_inbox_export"),
    path("content/<int:content_id>/view/", ContentPageView.as_view(), name="content_view"),
    path("content/<int:content_id>/file/", ContentFileView.as_view(), name="content_file"),
    path("content/<int:content_id>/read/", ContentReadView.as_view(), name="content_read"),
    path("content/<int:content_id>/quiz/", ContentQuizView.as_view(), name="content_quiz"),
    path("content/<int:content_id>/understood/", ContentUnderstoodView.as_view(), name="content_understood"),
]
