"""Scoping fails closed: every tenant-owned model uses the scoped manager and raises outside a scope."""

import pytest
from django.apps import apps
from django.core.exceptions import ImproperlyConfigured
from django.http import HttpResponse
from django.test import override_settings
from django.urls import path
from django_scopes import ScopeError, scope

from partners.models import PartnerCompany, Vendor
from prm.tenancy import vendor_scope

PROJECT_APPS = {"partners", "deals", "meddic", "knowledge"}


def tenant_models():
    return [
        model
        for model in apps.get_models()
        if any(f.is_relation and f.related_model is Vendor and f.name == "vendor" for f in model._meta.fields)
    ]


def test_there_are_tenant_models():
    assert {"PartnerCompany", "Membership", "Invitation"} <= {m.__name__ for m in tenant_models()}


@pytest.mark.parametrize("model", tenant_models(), ids=lambda m: m.__name__)
def test_unscoped_query_raises(model, world):
    with pytest.raises(ScopeError):
        list(model.objects.all())
    with pytest.raises(ScopeError):
        model.objects.filter(pk=1).exists()


@pytest.mark.parametrize("model", tenant_models(), ids=lambda m: m.__name__)
def test_scoped_query_sees_only_its_vendor(model, world):
    with vendor_scope(world.acme):
        assert all(row.vendor_id == world.acme.pk for row in model.objects.all())


def test_models_that_point_at_tenant_rows_carry_vendor_themselves():
    """Children carry ``vendor_id`` too (DESIGN §2, §9): no tenant row is reachable only through a join."""
    owned = set(tenant_models())
    offenders = []
    for model in apps.get_models():
        if model._meta.app_label not in PROJECT_APPS or model in owned:
            continue
        if any(f.is_relation and f.many_to_one and f.related_model in owned for f in model._meta.fields):
            offenders.append(model.__name__)
    assert not offenders


def test_none_scope_is_refused():
    with pytest.raises(ImproperlyConfigured), vendor_scope(None):
        pass


def test_partner_rows_of_another_vendor_are_invisible(world):
    with vendor_scope(world.acme):
        assert not PartnerCompany.objects.filter(pk=world.gamma.pk).exists()
        assert PartnerCompany.objects.filter(pk=world.alpha.pk).exists()
    with scope(vendor=world.rival.pk):
        assert PartnerCompany.objects.get(pk=world.gamma.pk).name == "Gamma Partners"


def forgetful_view(request, vendor_slug):
    """A vendor page that forgot to resolve access through prm.tenancy.enter()."""
    return HttpResponse("partners: " + ", ".join(p.name for p in PartnerCompany.objects.all()))


urlpatterns = [path("v/<slug:vendor_slug>/leak/", forgetful_view)]


@override_settings(ROOT_URLCONF=__name__)
def test_vendor_view_without_access_check_fails_loudly(world, client_for):
    client = client_for(world.rival_admin)
    client.raise_request_exception = True
    with pytest.raises(ImproperlyConfigured):
        client.get("/v/acme/leak/")
