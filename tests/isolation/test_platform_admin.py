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


def test_superuser_opens_deals_and_their_history_of_both_vendors(world, superuser, client_for):
    from tests.deals.conftest import register

    acme_deal = register(world, world.partner_rep, submit=True, customer_name="アクメ顧客")
    rival_deal = register(world, world.rival_rep, world.rival, submit=True, customer_name="ライバル顧客")
    client = client_for(superuser)
    content = client.get(reverse("admin:deals_deal_changelist")).content.decode()
    assert "アクメ顧客" in content and "ライバル顧客" in content
    for deal in (acme_deal, rival_deal):
        assert client.get(reverse("admin:deals_deal_change", args=[deal.pk])).status_code == 200
    assert client.get(reverse("admin:audit_auditentry_changelist")).status_code == 200


def test_the_audit_history_is_read_only_in_the_admin(world, superuser, client_for):
    from audit.models import AuditEntry
    from tests.deals.conftest import register

    register(world, world.partner_rep)
    with scopes_disabled():
        entry = AuditEntry.objects.first()
    client = client_for(superuser)
    assert client.get(reverse("admin:audit_auditentry_add")).status_code == 403
    assert (
        client.post(reverse("admin:audit_auditentry_delete", args=[entry.pk]), {"post": "yes"}).status_code
        == 403
    )
    with scopes_disabled():
        assert AuditEntry.objects.filter(pk=entry.pk).exists()
