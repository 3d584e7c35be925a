"""The Django admin serves platform staff across vendors, explicitly unscoped, and nobody else."""

import pytest
from django.urls import reverse
from django_scopes import scopes_disabled

from partners.models import Invitation, Membership, PartnerCompany
from tests.conftest import make_user


@pytest.fixture
def superuser(world):
    with scopes_disabled():
        user = make_user("ops@platform.example", "Platform Ops")
        user.is_superuser = user.is_staff = True
        user.save()
    return user


@pytest.mark.parametrize("model", [PartnerCompany, Membership, Invitation])
def test_superuser_sees_every_vendor_in_the_admin(model, world, superuser, client_for):
    url = reverse(f"admin:partners_{model._meta.model_name}_changelist")
    response = client_for(superuser).get(url)
    assert response.status_code == 200


def test_superuser_changelist_lists_partners_of_both_vendors(world, superuser, client_for):
    response = client_for(superuser).get(reverse("admin:partners_partnercompany_changelist"))
    content = response.content.decode()
    assert "Alpha Systems" in content and "Gamma Partners" in content


def test_superuser_can_open_a_partner_of_any_vendor(world, superuser, client_for):
    url = reverse("admin:partners_partnercompany_change", args=[world.gamma.pk])
    assert client_for(superuser).get(url).status_code == 200


def test_staff_flag_without_superuser_is_not_enough(world, client_for):
    with scopes_disabled():
        world.vendor_admin.is_staff = True
        world.vendor_admin.save()
    response = client_for(world.vendor_admin).get(reverse("admin:partners_partnercompany_changelist"))
    assert response.status_code == 302 and response["Location"].startswith(reverse("admin:login"))
