"""Base classes for vendor pages: resolve tenant access, enforce MFA for vendor admins, check the role."""

from urllib.parse import urlencode

from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.paginator import Paginator
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.functional import cached_property

from partners.models import VENDOR_ROLES, Role
from prm import tenancy
from prm.chunks import by_keys


class VendorPageMixin(LoginRequiredMixin):
    """Every page under ``/v/<vendor_slug>/``. Set ``roles`` to the roles that may open it (others get 403);
    there is no default (``prm.view_rules``)."""

    roles: tuple[str, ...] = ()

    def dispatch(self, request, *args, **kwargs):
        if not request.user.is_authenticated:
            return self.handle_no_permission()
        self.access = tenancy.enter(request, kwargs["vendor_slug"])
        if self.access.needs_mfa_setup:
            return redirect(f"{reverse('mfa_activate_totp')}?{urlencode({'next': request.get_full_path()})}")
        self.access.require(*self.roles)
        self.vendor = self.access.vendor
        return super().dispatch(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.update(access=self.access, vendor=self.vendor)
        return context


class VendorStaffMixin(VendorPageMixin):
    roles = VENDOR_ROLES


class VendorAdminMixin(VendorPageMixin):
    roles = (Role.VENDOR_ADMIN,)


class LastPageMixin:
    """List views: a page past the end shows the last page instead of a 404 (e.g. after a filter or a bulk
    change narrowed the list)."""

    def paginate_queryset(self, queryset, page_size):
        paginator = self.get_paginator(queryset, page_size)
        page = paginator.get_page(self.request.GET.get("page"))
        return paginator, page, page.object_list, page.has_other_pages()


class CountedPaginator(Paginator):
    """A paginator that counts another queryset than the one it pages (the same rows without what only the
    order needs)."""

    def __init__(self, object_list, per_page, *, count_of=None, **kwargs):
        super().__init__(object_list, per_page, **kwargs)
        self.count_of = count_of

    @cached_property
    def count(self) -> int:
        return self.count_of.count() if self.count_of is not None else super().count


class KeysFirstMixin:
    """List views over large tables: the page is chosen on the keys alone (the filters and the order, no joined
    or computed columns), then its rows are read whole by key. However many rows match, the joins and
    annotations of the list (scores, conflicts) are computed for one page, not for every match.

    ``count_queryset()`` may name the same rows without what only the order joins, for the count."""

    paginator_class = CountedPaginator

    def count_queryset(self):
        return None

    def get_paginator(self, queryset, per_page, **kwargs):
        return super().get_paginator(queryset, per_page, count_of=self.count_queryset(), **kwargs)

    def paginate_queryset(self, queryset, page_size):
        paginator, page, keys, is_paginated = super().paginate_queryset(
            queryset.values_list("pk", flat=True), page_size
        )
        page.object_list = by_keys(queryset, list(keys))
        return paginator, page, page.object_list, is_paginated
