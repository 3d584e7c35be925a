"""Every view under a vendor declares who may open it, and the declaration is checked before the view runs."""

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.http import HttpResponse
from django.test import override_settings
from django.urls import URLPattern, URLResolver, get_resolver, path
from django.views import View

from partners.models import Role
from prm.view_rules import declared_roles


def vendor_patterns():
    found = []

    def walk(patterns, prefix):
        for pattern in patterns:
            route = prefix + str(pattern.pattern)
            if isinstance(pattern, URLResolver):
                walk(pattern.url_patterns, route)
            elif isinstance(pattern, URLPattern) and "vendor_slug" in route:
                found.append((route, pattern.callback))

    walk(get_resolver().url_patterns, "")
    return found


VENDOR_PATTERNS = vendor_patterns()


def test_there_are_vendor_views_to_check():
    assert len(VENDOR_PATTERNS) > 50


@pytest.mark.parametrize(
    ("route", "callback"), VENDOR_PATTERNS, ids=[route for route, _cb in VENDOR_PATTERNS]
)
def test_every_vendor_view_declares_its_roles(route, callback):
    declared = declared_roles(callback)
    for roles in declared.values():
        assert roles and set(roles) <= set(Role.values), route


def test_a_view_without_roles_is_refused():
    class Undeclared(View):
        pass

    with pytest.raises(ImproperlyConfigured, match="declares no roles"):
        declared_roles(Undeclared.as_view())


class Forgotten(View):
    """A vendor view that forgot to say who may open it (and would write if it ran)."""

    ran: list = []

    def get(self, request, vendor_slug):
        self.ran.append(vendor_slug)
        return HttpResponse("answered")


urlpatterns = [path("v/<slug:vendor_slug>/forgotten/", Forgotten.as_view())]


@override_settings(ROOT_URLCONF="tests.isolation.test_view_rules")
def test_the_middleware_refuses_such_a_view_before_it_runs(world, client_for):
    client = client_for(world.vendor_admin)
    with pytest.raises(ImproperlyConfigured, match="declares no roles"):
        client.get("/v/acme/forgotten/")
    assert Forgotten.ran == []
