"""A request body over its limit is refused with 413 before any of it is read.

Django checks ``DATA_UPLOAD_MAX_MEMORY_SIZE`` only for form fields it keeps in memory: a multipart upload is
streamed to a temporary file whatever its size, even to a page that takes no file (the login page). Here the
declared ``Content-Length`` is compared with the limit of the view the URL resolves to before the body is
touched: ``DATA_UPLOAD_MAX_MEMORY_SIZE`` for every view, or, for a view that takes a file, the setting it names
in ``upload_max_bytes_setting`` plus room for the multipart envelope. Nothing is read, so nothing is written.
"""

from django.conf import settings
from django.http import HttpResponse, JsonResponse
from django.urls import Resolver404, resolve
from django.utils.translation import gettext as _

# What a multipart body adds around the file: boundaries, headers and the form's other fields.
MULTIPART_ROOM = 64 * 1024


def body_limit_for(path: str) -> int:
    """How many bytes a request body to ``path`` may have."""
    try:
        match = resolve(path)
    except Resolver404:
        return settings.DATA_UPLOAD_MAX_MEMORY_SIZE
    view = getattr(match.func, "view_class", None) or getattr(match.func, "cls", None)
    setting = getattr(view, "upload_max_bytes_setting", None)
    if setting:
        return getattr(settings, setting) + MULTIPART_ROOM
    return settings.DATA_UPLOAD_MAX_MEMORY_SIZE


class BodyLimitMiddleware:
    """Place before anything that reads ``request.POST`` or the body (after the locale, for the message)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        try:
            length = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            length = 0
        if length > 0 and length > body_limit_for(request.path_info):
            return self.refuse(request)
        return self.get_response(request)

    @staticmethod
    def refuse(request) -> HttpResponse:
        message = _("The request is too large.")
        if request.path.startswith("/api/"):
            return JsonResponse({"detail": message}, status=413)
        return HttpResponse(message, status=413, content_type="text/plain; charset=utf-8")
