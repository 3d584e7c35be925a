"""The Django admin serves platform staff across vendors, explicitly unscoped, and nobody else."""

from io import StringIO

import pytest
from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret
from django.core.management import call_command
from django.test import Client
from django.urls import reverse
from django_scopes import scopes_disabled

from partners.models import Invitation, Membership, PartnerCompany
from tests.conftest import PASSWORD, make_user


@pytest.fixture
def superuser(world):
    with scopes_disabled():
        user = make_user("ops@platform.example", "Platform Ops")
        user.is_superuser = user.is_staff = True
        user.save()
        TOTP.activate(user, generate_totp_secret())  # platform staff need a second factor
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


# --- signing in -----------------------------------------------------------------------------------------------


def test_the_admin_login_is_the_products_login(db, client):
    response = client.get(reverse("admin:login") + "?next=/admin/deals/deal/")
    assert response.status_code == 302
    assert response["Location"] == reverse("account_login") + "?next=/admin/deals/deal/"
    # Posting credentials to the admin's own form signs nobody in.
    client.post(reverse("admin:login"), {"username": "ops@platform.example", "password": PASSWORD})
    assert "_auth_user_id" not in client.session


def test_a_superuser_without_a_second_factor_is_sent_to_set_one_up(world, client_for):
    with scopes_disabled():
        user = make_user("new-ops@platform.example", "New Ops")
        user.is_superuser = user.is_staff = True
        user.save()
    client = client_for(user)
    response = client.get(reverse("admin:index"), follow=True)
    assert any(url.startswith(reverse("mfa_activate_totp")) for url, _status in response.redirect_chain)


def test_createsuperuser_makes_an_account_that_signs_in_through_the_login(db, monkeypatch):
    monkeypatch.setenv("DJANGO_SUPERUSER_PASSWORD", "a-long-platform-password-2026")
    call_command("createsuperuser", "--noinput", "--email", "root@platform.example", stdout=StringIO())
    client = Client()
    response = client.post(
        reverse("account_login"),
        {"login": "root@platform.example", "password": "a-long-platform-password-2026"},
    )
    assert response.status_code == 302
    assert "_auth_user_id" in client.session  # not held at email verification
    chain = client.get(reverse("admin:index"), follow=True).redirect_chain
    assert any(url.startswith(reverse("mfa_activate_totp")) for url, _status in chain)


def test_a_superuser_with_a_second_factor_signs_in_and_opens_the_admin(db):
    from tests.accounts.totp import current_code

    with scopes_disabled():
        user = make_user("ops2@platform.example", "Ops Two")
        user.is_superuser = user.is_staff = True
        user.save()
    secret = generate_totp_secret()
    TOTP.activate(user, secret)
    client = Client()
    client.post(reverse("account_login") + "?next=/admin/", {"login": user.email, "password": PASSWORD})
    response = client.post(reverse("mfa_authenticate"), {"code": current_code(secret)})
    assert response.status_code == 302 and response["Location"] == "/admin/"
    assert client.get("/admin/").status_code == 200
