"""API base: tenant resolution for DRF views, error shapes of DESIGN §7."""

from rest_framework import exceptions, status
from rest_framework.views import exception_handler as drf_exception_handler

from partners.models import ALL_ROLES
from prm import tenancy


class MfaRequired(exceptions.PermissionDenied):
    default_detail = "Two-factor authentication must be set up before using this vendor."
    default_code = "mfa_required"


class Conflict(exceptions.APIException):
    status_code = status.HTTP_409_CONFLICT
    default_detail = "This object was changed by someone else; reload it and apply your change again."
    default_code = "stale_version"


class VendorAPIMixin:
    """DRF views under ``/api/v1/vendors/<vendor_slug>/``: access is resolved after authentication."""

    roles = ALL_ROLES
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


def exception_handler(exc, context):
    """DRF's handler, plus a machine-readable ``code`` on permission and conflict errors."""
    response = drf_exception_handler(exc, context)
    if response is not None and isinstance(exc, exceptions.PermissionDenied | Conflict):
        codes = exc.get_codes()
        response.data = {
            "detail": response.data.get("detail"),
            "code": codes if isinstance(codes, str) else None,
        }
    return response
