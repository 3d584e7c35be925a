"""A database that cannot be reached answers 503 with ``Retry-After``, not a bare 500.

While PostgreSQL restarts (or the connection to it is lost), a request fails with Django's ``OperationalError`` or
``InterfaceError``. Pages then get a short page that touches no database (templates/503.html, rendered without
context processors) and the API gets ``{"detail": "..."}``, both with ``Retry-After``. Every other exception,
``ProgrammingError`` and ``IntegrityError`` included, stays a 500. SQLite reports mistakes in the SQL itself
(``no such table``) as ``OperationalError`` too: of its errors only a locked database counts as unavailable.

Two entry points, because Django turns an exception into a response at every middleware layer:
:class:`DatabaseUnavailableMiddleware` handles a view's exception (after the request's ``ATOMIC_REQUESTS``
transaction was rolled back), and :func:`server_error` (``handler500``) one raised in a middleware, such as the
session, user or vendor lookup that comes before the view.
"""

import logging
import sqlite3
import sys

from django.db import InterfaceError, OperationalError
from django.http import HttpResponse, JsonResponse
from django.template.loader import render_to_string
from django.utils.translation import gettext as _
from django.views import defaults

logger = logging.getLogger(__name__)

RETRY_AFTER_SECONDS = 5  # a PostgreSQL restart or fail-over takes seconds


def database_unavailable(error: BaseException) -> bool:
    """True when ``error`` says the database cannot be reached or used for now, not that a query is wrong."""
    if isinstance(error, InterfaceError):
        return True
    if not isinstance(error, OperationalError):
        return False
    cause = error.__cause__
    if isinstance(cause, sqlite3.Error):
        return "locked" in str(cause)
    return True


def unavailable_response(request) -> HttpResponse:
    message = _("The service is briefly unavailable; please try again in a moment.")
    if request.path.startswith("/api/"):
        response = JsonResponse({"detail": message}, status=503)
    else:
        # No request: no context processors, which would read the user, vendor and notifications from the database.
        response = HttpResponse(render_to_string("503.html", {"message": message}), status=503)
    response["Retry-After"] = str(RETRY_AFTER_SECONDS)
    return response


class DatabaseUnavailableMiddleware:
    """A view that fails because the database is away answers 503; any other exception goes on to be a 500."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        if not database_unavailable(exception):
            return None
        logger.error(
            "Database unavailable, answered 503 to %s %s: %s", request.method, request.path, exception
        )
        return unavailable_response(request)


def server_error(request, template_name=defaults.ERROR_500_TEMPLATE_NAME):
    """``handler500``: a database that is away while a middleware ran (Django logs the error) is a 503 as well."""
    error = sys.exc_info()[1]
    if error is not None and database_unavailable(error):
        return unavailable_response(request)
    return defaults.server_error(request, template_name)
