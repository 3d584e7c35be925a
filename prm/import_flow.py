"""The page of every CSV import: upload, preview (stored, computed once), then everything or nothing.

Step 1 (GET): the upload form. Step 2 (GET ``?upload=<key>``): the stored preview — or, while a task checks a
large file or imports it, its progress, refreshed every few seconds. Step 3 (POST ``upload_id``): the import,
at once for a small file and as a task for a large one (``prm.pending_imports``).

A view sets :attr:`kind`, :attr:`url_name`, the upload form, the import's functions and its two tasks, and
``done_message(count)`` and ``done_url()``: what to say and where to go when the import is done.
"""

from collections.abc import Callable

from django.contrib import messages
from django.core.paginator import Paginator
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.module_loading import import_string
from django.utils.translation import gettext as _
from django.views.generic import TemplateView

from prm import pending_imports
from prm.csv_import import ImportRejected
from prm.models import PendingImport
from prm.models import PendingImportState as State
from prm.tenancy import Access

# Seconds between two looks at a running check or import.
REFRESH_SECONDS = 2
# Rows of the preview table per page (the whole file is checked; the page shows it in parts).
PREVIEW_PAGE_SIZE = 100


class CsvImportView(TemplateView):
    kind = ""
    url_name = ""
    upload_form_class = None
    # preview(access=, data=, progress=) -> ImportPreview; run(access=, data=, progress=) -> list of created rows,
    # raising ImportRejected with the preview when a row fails.
    preview_function: Callable = None
    import_function: Callable = None
    # Dotted paths of the two tasks (imported when needed: the tasks import the views' app).
    check_task = ""
    import_task = ""

    def done(self, count: int):
        """Say what was imported and go where it can be seen."""
        messages.success(self.request, self.done_message(count))
        return redirect(self.done_url())

    def get(self, request, vendor_slug):
        key = request.GET.get("upload")
        if not key:
            return self.render_to_response(self.get_context_data(step=1, form=self.upload_form_class()))
        pending = pending_imports.pending_get(access=self.access, kind=self.kind, key=key)
        if pending is None:
            return self.start_over()
        if pending.state in (State.CHECKING, State.IMPORTING):
            return self.render_progress(pending)
        if pending.state == State.DONE:
            pending_imports.pending_discard(pending)
            return self.done(pending.created or 0)
        if pending.state == State.FAILED:
            pending_imports.pending_discard(pending)
            messages.error(request, _("The file could not be processed. Please upload it again."))
            return redirect(self.url_name, vendor_slug)
        if pending.state == State.REJECTED:
            messages.error(request, _("Nothing was imported. Fix the lines below and upload the file again."))
        return self.render_preview(pending, pending_imports.pending_preview(pending))

    def post(self, request, vendor_slug):
        if "upload_id" in request.POST:
            return self.confirm(request.POST["upload_id"])
        form = self.upload_form_class(request.POST, request.FILES)
        if not form.is_valid():
            return self.render_to_response(self.get_context_data(step=1, form=form), status=400)
        pending = pending_imports.pending_create(
            access=self.access, kind=self.kind, filename=form.cleaned_data["file"].name, data=form.data_bytes
        )
        if pending_imports.is_large(pending):
            pending_imports.start(pending, import_string(self.check_task), State.CHECKING)
        else:
            preview = self.preview_function(access=self.access, data=form.data_bytes)
            pending_imports.preview_store(pending, preview)
        return redirect(self.preview_url(pending))

    def confirm(self, key: str):
        pending = pending_imports.pending_get(access=self.access, kind=self.kind, key=key)
        if pending is None or pending.state != State.READY:
            return self.start_over()
        if pending_imports.is_large(pending):
            pending_imports.start(pending, import_string(self.import_task), State.IMPORTING)
            return redirect(self.preview_url(pending))
        try:
            created = self.import_function(access=self.access, data=pending_imports.pending_data(pending))
        except ImportRejected as rejected:
            pending_imports.preview_store(pending, rejected.preview)
            messages.error(
                self.request, _("Nothing was imported. Fix the lines below and upload the file again.")
            )
            return self.render_preview(pending, rejected.preview, status=400)
        pending_imports.pending_discard(pending)
        return self.done(len(created))

    def preview_url(self, pending: PendingImport) -> str:
        return f"{reverse(self.url_name, args=[self.vendor.slug])}?upload={pending.key}"

    def start_over(self):
        messages.warning(self.request, _("This upload is no longer available. Please upload the file again."))
        return redirect(self.url_name, self.vendor.slug)

    def render_progress(self, pending: PendingImport):
        context = self.get_context_data(step="progress", pending=pending, refresh_seconds=REFRESH_SECONDS)
        return self.render_to_response(context)

    def render_preview(self, pending: PendingImport, preview, status=200):
        only_problems = self.request.GET.get("show") == "problems" and bool(preview.rows_with_errors)
        rows = preview.rows_with_errors if only_problems else preview.rows
        page = Paginator(rows, PREVIEW_PAGE_SIZE).get_page(self.request.GET.get("page"))
        context = self.get_context_data(
            step=2,
            pending=pending,
            preview=preview,
            rows=page.object_list,
            page_obj=page,
            only_problems=only_problems,
            form=self.upload_form_class(),
        )
        return self.render_to_response(context, status=status)


def _task_start(pending_id: int) -> tuple[PendingImport, Access] | None:
    """The upload and its uploader's access as it is now; None (and the upload failed) when they lost it."""
    pending = PendingImport.objects.select_related("created_by", "vendor").get(pk=pending_id)
    access = pending_imports.task_access(pending)
    if access is None:
        pending_imports.task_finish(pending, state=State.FAILED)
        return None
    return pending, access


def run_check(pending_id: int, preview_function: Callable) -> None:
    """The body of a check task: compute the preview of a large upload with progress, and store it."""
    started = _task_start(pending_id)
    if started is None:
        return
    pending, access = started
    try:
        preview = preview_function(
            access=access,
            data=pending_imports.pending_data(pending),
            progress=pending_imports.progress_reporter(pending.pk),
        )
    except Exception:
        pending_imports.task_finish(pending, state=State.FAILED)
        raise
    pending_imports.preview_store(pending, preview)


def run_import(pending_id: int, import_function: Callable) -> None:
    """The body of an import task: import a large upload with progress; a refused file keeps its new preview."""
    started = _task_start(pending_id)
    if started is None:
        return
    pending, access = started
    try:
        created = import_function(
            access=access,
            data=pending_imports.pending_data(pending),
            progress=pending_imports.progress_reporter(pending.pk),
        )
    except ImportRejected as rejected:
        pending_imports.preview_store(pending, rejected.preview, state=State.REJECTED)
        return
    except Exception:
        pending_imports.task_finish(pending, state=State.FAILED)
        raise
    pending_imports.task_finish(pending, state=State.DONE, created=len(created))
