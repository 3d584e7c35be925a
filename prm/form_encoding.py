"""Refuse form posts whose text is not valid in the request's encoding.

Django decodes a urlencoded body leniently: an invalid byte becomes U+FFFD and the damaged text would be saved
as if the user had typed it. Browsers never send such bodies from our UTF-8 pages, so one is a broken or hostile
client: it gets a 400 with a translated message (JSON for the API), and nothing is saved. Multipart bodies are
streamed to the upload handlers and are not read twice here.
"""

from urllib.parse import unquote_to_bytes

from django.core.exceptions import RequestDataTooBig
from django.http import HttpResponseBadRequest, JsonResponse
from django.template.loader import render_to_string
from django.utils.translation import gettext as _

FORM_TYPE = "application/x-www-form-urlencoded"
WRITE_METHODS = {"POST", "PUT", "PATCH", "DELETE"}


def _is_valid(body: bytes, encoding: str) -> bool:
    for pair in body.split(b"&"):
        for part in pair.split(b"=", 1):
            try:
                unquote_to_bytes(part.replace(b"+", b" ")).decode(encoding)
            except (UnicodeDecodeError, LookupError):
                return False
    return True


class FormEncodingMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if (
            request.method in WRITE_METHODS
            and request.content_type == FORM_TYPE
            and not self._readable(request)
        ):
            message = _("The form contained characters that could not be read. Please type the text again.")
            if request.path.startswith("/api/"):
                return JsonResponse({"detail": message}, status=400)
            return HttpResponseBadRequest(render_to_string("400.html", {"message": message}, request))
        return self.get_response(request)

    @staticmethod
    def _readable(request) -> bool:
        try:
            body = request.body
        except RequestDataTooBig:
            return True  # the view answers "too large" in its own way
        return _is_valid(body, request.encoding or "utf-8")
