"""Operator commands of DESIGN §8 for this part: create_vendor, issue_api_token, seed_demo."""

from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django_scopes import scopes_disabled

from partners.api_auth import ApiTokenAuthentication
from partners.models import Membership, PartnerCompany, Role, Tier, User, Vendor


def run(*args) -> str:
    out = StringIO()
    call_command(*args, stdout=out)
    return out.getvalue()


@pytest.mark.django_db
def test_create_vendor_makes_the_tenant_and_its_admin():
    run(
        "create_vendor",
        "sakura",
        "--name",
        "さくら株式会社",
        "--admin-email",
        "Boss@Sakura.example",
        "--admin-password",
        "a-long-enough-passphrase",
    )
    vendor = Vendor.objects.get(slug="sakura")
    user = User.objects.get(email="boss@sakura.example")
    assert user.check_password("a-long-enough-passphrase")
    with scopes_disabled():
        assert Membership.objects.get(user=user).role == Role.VENDOR_ADMIN
    assert (
        vendor.require_mfa_for_admins
        and vendor.time_zone == "Asia/Tokyo"
        and vendor.fiscal_year_start_month == 4
    )


@pytest.mark.django_db
def test_create_vendor_refuses_a_taken_slug_and_a_weak_password():
    run(
        "create_vendor",
        "sakura",
        "--name",
        "A",
        "--admin-email",
        "a@x.example",
        "--admin-password",
        "long-pass-phrase",
    )
    with pytest.raises(CommandError, match="already exists"):
        run(
            "create_vendor",
            "sakura",
            "--name",
            "B",
            "--admin-email",
            "b@x.example",
            "--admin-password",
            "x" * 12,
        )
    with pytest.raises(CommandError):
        run(
            "create_vendor", "other", "--name", "C", "--admin-email", "c@x.example", "--admin-password", "123"
        )
    assert not Vendor.objects.filter(slug="other").exists()


def test_issue_api_token_prints_a_working_token(world):
    token = run("issue_api_token", world.partner_rep.email).strip()
    user, _auth = ApiTokenAuthentication().authenticate_credentials(token)
    assert user == world.partner_rep
    assert token not in {t.key_digest for t in world.partner_rep.api_tokens.all()}


def test_issue_api_token_for_an_unknown_user_fails(world):
    with pytest.raises(CommandError):
        run("issue_api_token", "nobody@example.com")


@pytest.mark.django_db
def test_seed_demo_is_idempotent_and_covers_every_tier_and_role():
    first = run("seed_demo")
    counts = (User.objects.count(), Vendor.objects.count())
    run("seed_demo")
    assert (User.objects.count(), Vendor.objects.count()) == counts == (counts[0], 2)
    with scopes_disabled():
        assert set(PartnerCompany.objects.values_list("tier", flat=True)) == set(Tier.values)
        assert set(Membership.objects.values_list("role", flat=True)) == set(Role.values)
        assert Membership.objects.filter(user__email="cm2@kumo.example").count() == 2
    assert not Vendor.objects.filter(require_mfa_for_admins=True).exists()
    assert "admin@kumo.example" in first and "demo-pass-2026" in first
