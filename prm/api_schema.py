"""OpenAPI generation: the error answers every operation may give (DESIGN §7), documented once.

An operation that needs a login answers 401 without valid credentials; one under ``/vendors/{vendor_slug}/``
answers 404 for an unknown vendor or one the caller is no member of, and 403 when the caller's role lacks
permission or must set up two-factor authentication first (``"code": "mfa_required"``). Views document their
own answers; these are added where a view does not. Views take it as their ``schema`` (``VendorAPIMixin`` for
every vendor's API).
"""

from django.utils.translation import gettext_lazy as _
from drf_spectacular.openapi import AutoSchema as SpectacularAutoSchema
from drf_spectacular.utils import OpenApiResponse

UNAUTHENTICATED = _("No valid credentials: log in, or send `Authorization: Token <key>`.")
FORBIDDEN = _("The role lacks permission, or must set up two-factor authentication first (`mfa_required`).")
NOT_FOUND = _("Unknown, or another tenant's or company's object.")

# What views name in their own ``responses``.
ERRORS_400 = OpenApiResponse(description=_('Invalid input: `{"field": ["message"]}`.'))
ERRORS_403 = OpenApiResponse(description=_("The role lacks permission."))
ERRORS_404 = OpenApiResponse(description=NOT_FOUND)


class AutoSchema(SpectacularAutoSchema):
    def get_operation(self, path, *args, **kwargs):
        operation = super().get_operation(path, *args, **kwargs)
        if operation is None:
            return None
        responses = operation["responses"]
        security = operation.get("security", [])
        if security and {} not in security:
            responses.setdefault("401", {"description": UNAUTHENTICATED})
        if "{vendor_slug}" in path:
            responses.setdefault("403", {"description": FORBIDDEN})
            responses.setdefault("404", {"description": NOT_FOUND})
        operation["responses"] = dict(sorted(responses.items()))
        return operation
