"""Tenancy core: the one place that turns a request into (vendor, membership, role).

Every page under ``/v/<vendor_slug>/`` and every API endpoint under ``/api/v1/vendors/<vendor_slug>/`` goes
through :func:`enter`. The middleware activates the django-scopes scope for the vendor in the URL, so scoped
managers only ever return that vendor's rows; a query outside any scope raises.
"""

from contextlib import contextmanager
from dataclasses import dataclass

from django.core.exceptions import ImproperlyConfigured, PermissionDenied
from django.http import Http404
from django.urls import Resolver404, resolve
from django_scopes import scope, scopes_disabled

from partners.models import Membership, PartnerCompany, Role, Vendor


@dataclass(frozen=True)
class Access:
    """What the current user may do in the current vendor."""

    vendor: Vendor
    membership: Membership

    @property
    def user(self):
        return self.membership.user

    @property
    def role(self) -> str:
        return self.membership.role

    @property
    def partner(self) -> PartnerCompany | None:
        return self.membership.partner

    @property
    def is_vendor_staff(self) -> bool:
        return self.membership.is_vendor_staff

    @property
    def is_partner_role(self) -> bool:
        return self.membership.is_partner_role

    @property
    def is_vendor_admin(self) -> bool:
        return self.role == Role.VENDOR_ADMIN

    @property
    def needs_mfa_setup(self) -> bool:
        from allauth.mfa.utils import is_mfa_enabled

        return self.is_vendor_admin and self.vendor.require_mfa_for_admins and not is_mfa_enabled(self.user)

    def require(self, *roles: str) -> None:
        """403 unless the role is one of ``roles``."""
        if self.role not in roles:
            raise PermissionDenied


@contextmanager
def vendor_scope(vendor: Vendor):
    """Enter the scope of exactly one vendor (never the unfiltered ``vendor=None``)."""
    if not isinstance(vendor, Vendor) or vendor.pk is None:
        raise ImproperlyConfigured("vendor_scope needs a saved Vendor.")
    with scope(vendor=vendor.pk):
        yield


# The vendor id under which requests for an unknown vendor name run: no row has it.
NO_VENDOR = 0


def membership_for(user, vendor: Vendor | None) -> Membership | None:
    """The user's active membership of ``vendor``; for None (an unknown vendor) the same query, finding nothing."""
    if not user.is_authenticated or not user.is_active:
        return None
    with scope(vendor=vendor.pk if vendor is not None else NO_VENDOR):
        memberships = Membership.objects.select_related("partner").filter(user=user, is_active=True)
        membership = memberships.first()
    if membership is not None:
        membership.user = user  # the row just matched: no second copy of it from the database
    return membership


def enter(request, vendor_slug: str) -> Access:
    """Resolve the request's access to ``vendor_slug``.

    Unknown vendor and non-member both give 404 so that a vendor's existence does not leak — in what is said and
    in how long it takes: an unknown vendor is looked up like a known one, as vendor :data:`NO_VENDOR` (see
    :class:`TenantScopeMiddleware`). Role checks are declared by the view (``prm.view_rules``).
    """
    vendor = getattr(request, "vendor", None)
    if vendor is not None and vendor.slug != vendor_slug:
        raise Http404
    membership = membership_for(request.user, vendor)
    if membership is None or vendor is None:
        raise Http404
    access = Access(vendor=vendor, membership=membership)
    request.access = access
    return access


def memberships_of(user) -> list[Membership]:
    """All active memberships of a user across vendors (their own rows: the vendor switcher)."""
    if not user.is_authenticated:
        return []
    with scopes_disabled():
        return list(
            Membership.objects.filter(user=user, is_active=True, vendor__is_active=True)
            .select_related("vendor", "partner")
            .order_by("vendor__name")
        )


class TenantScopeMiddleware:
    """Activate the vendor scope named by the URL for the whole request.

    URLs without a vendor run with no scope, so a tenant-owned query there raises ``ScopeError``. The Django
    admin is for platform staff and runs explicitly unscoped for superusers only. A vendor URL whose view did
    not resolve access through :func:`enter` fails loudly instead of answering.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        try:
            match = resolve(request.path_info)
        except Resolver404:
            return self.get_response(request)
        if match.namespace == "admin":
            if request.user.is_active and request.user.is_superuser:
                with scopes_disabled():
                    return self.get_response(request)
            return self.get_response(request)
        slug = match.kwargs.get("vendor_slug")
        if slug is None:
            return self.get_response(request)
        request.vendor = Vendor.objects.filter(slug=slug, is_active=True).first()
        # An unknown vendor runs the view under a vendor id that matches no row, with the same queries (and on
        # PostgreSQL the same row-level-security role switch) as a known one: both answer 404 in the same time.
        with scope(vendor=request.vendor.pk if request.vendor is not None else NO_VENDOR):
            response = self.get_response(request)
        if response.status_code < 400 and request.user.is_authenticated and not hasattr(request, "access"):
            raise ImproperlyConfigured(f"{match.view_name} answered without resolving tenant access.")
        return self._denied_kept(request, response)

    @staticmethod
    def process_view(request, view_func, view_args, view_kwargs):
        """Before a vendor view runs: it must declare who may open it (``prm.view_rules``), or it never runs."""
        if "vendor_slug" in view_kwargs:
            from prm.view_rules import declared_roles

            declared_roles(view_func)

    @staticmethod
    def _denied_kept(request, response):
        """A signed-in user refused (403) or turned away (404) under a vendor URL goes into the audit trail."""
        from audit.services import DENIED_STATUSES, authz_denied_record

        if response.status_code in DENIED_STATUSES and request.user.is_authenticated:
            authz_denied_record(request=request, status=response.status_code, vendor=request.vendor)
        return response
