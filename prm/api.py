"""API base: tenant resolution for DRF views, error shapes of DESIGN §7."""

from django.core.exceptions import NON_FIELD_ERRORS, RequestDataTooBig, TooManyFieldsSent, TooManyFilesSent
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404
from django.utils.translation import gettext_lazy as _
from rest_framework import exceptions, status
from rest_framework.settings import api_settings
from rest_framework.views import exception_handler as drf_exception_handler

from prm import tenancy
from prm.api_schema import AutoSchema

# Ids are 64-bit: a larger number would overflow the database's integer instead of matching nothing.
ID_MAX = 2**63 - 1


def bounded_id(value) -> int:
    """A path's object id, or 404 when no row can have it (past the largest id a database holds)."""
    number = int(value)
    if not 1 <= number <= ID_MAX:
        raise Http404
    return number


class MfaRequired(exceptions.PermissionDenied):
    default_detail = _("Two-factor authentication must be set up before using this vendor.")
    default_code = "mfa_required"


class Conflict(exceptions.APIException):
    status_code = status.HTTP_409_CONFLICT
    default_detail = _("This object was changed by someone else; reload it and apply your change again.")
    default_code = "stale_version"


class VendorAPIMixin:
    """DRF views under ``/api/v1/vendors/<vendor_slug>/``: access is resolved after authentication. Set
    ``roles`` (no default, ``prm.view_rules``) and, for a viewset, per-action narrowing in ``action_roles``."""

    roles: tuple[str, ...] = ()
    schema = AutoSchema()
    # Per-action role overrides, e.g. {"create": (Role.VENDOR_ADMIN,)}.
    action_roles: dict = {}

    def initial(self, request, *args, **kwargs):
        super().initial(request, *args, **kwargs)
        self.access = tenancy.enter(request._request, kwargs["vendor_slug"])
        if self.access.needs_mfa_setup:
            raise MfaRequired
        roles = self.action_roles.get(getattr(self, "action", None), self.roles)
        if self.access.role not in roles:
            raise exceptions.PermissionDenied
        request.access = self.access


def filters_or_400(form) -> None:
    """A page's filter form reused by the API: an invalid filter is a 400 naming it (the page ignores it and
    shows the error on the form instead)."""
    if form.is_bound and not form.is_valid():
        raise exceptions.ValidationError({field: list(errors) for field, errors in form.errors.items()})


def as_api_validation_error(error: DjangoValidationError) -> exceptions.ValidationError:
    """A service's ``ValidationError`` as the 400 of DESIGN §7: ``{"field": ["message"]}``.

    Errors that name no field go under DRF's ``non_field_errors`` key.
    """
    if hasattr(error, "error_dict"):
        detail = {
            api_settings.NON_FIELD_ERRORS_KEY if field == NON_FIELD_ERRORS else field: messages
            for field, messages in error.message_dict.items()
        }
    else:
        detail = {api_settings.NON_FIELD_ERRORS_KEY: error.messages}
    return exceptions.ValidationError(detail)


def exception_handler(exc, context):
    """DRF's handler, plus a machine-readable ``code`` on permission and conflict errors.

    Services raise Django's ``ValidationError`` and ``PermissionDenied``; they answer 400 and 403 here.
    """
    if isinstance(exc, DjangoValidationError):
        exc = as_api_validation_error(exc)
    elif isinstance(exc, DjangoPermissionDenied):
        exc = exceptions.PermissionDenied(*exc.args)
    elif isinstance(exc, RequestDataTooBig):
        # Past DATA_UPLOAD_MAX_MEMORY_SIZE: a JSON 400 like every other refusal, not Django's HTML error page.
        exc = exceptions.ParseError(_("The request body is too large."))
    elif isinstance(exc, TooManyFieldsSent | TooManyFilesSent):
        exc = exceptions.ParseError(_("The request has too many fields."))
    response = drf_exception_handler(exc, context)
    if response is not None and isinstance(exc, exceptions.PermissionDenied | Conflict):
        codes = exc.get_codes()
        response.data = {
            "detail": response.data.get("detail"),
            "code": codes if isinstance(codes, str) else None,
        }
    return response
