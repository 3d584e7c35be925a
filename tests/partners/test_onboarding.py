"""Onboarding in the browser for vendor admins: partner companies, checklist, users, list, export."""

import csv
import io

import pytest
from django.test import Client
from django.urls import reverse
from django_scopes import scopes_disabled

from partners.models import Membership, PartnerCompany, Role
from tests.conftest import add_member, body


def url(name, *args):
    return reverse(name, args=["acme", *args])


def test_vendor_admin_creates_a_partner(world, client_for):
    client = client_for(world.vendor_admin)
    response = client.post(
        url("partner_create"),
        {
            "name": "  Delta 株式会社 ",
            "tier": "gold",
            "status": "invited",
            "channel_manager": world.channel_manager.pk,
            "contact_email": "sales@delta.example",
        },
    )
    with scopes_disabled():
        partner = PartnerCompany.objects.get(name="Delta 株式会社")
    assert response["Location"] == url("partner_detail", partner.pk)
    assert (partner.vendor, partner.tier, partner.channel_manager) == (
        world.acme,
        "gold",
        world.channel_manager,
    )


def test_duplicate_partner_name_is_refused_and_the_form_keeps_the_input(world, client_for):
    response = client_for(world.vendor_admin).post(
        url("partner_create"),
        {
            "name": "Alpha Systems",
            "tier": "gold",
            "status": "invited",
            "contact_email": "typed@keep.example",
        },
    )
    assert response.status_code == 200
    content = response.content.decode()
    assert "typed@keep.example" in content and "already exists" in content


def test_a_partner_user_cannot_be_made_channel_manager(world, client_for):
    response = client_for(world.vendor_admin).post(
        url("partner_update", world.alpha.pk),
        {
            "name": "Alpha Systems",
            "tier": "gold",
            "status": "active",
            "channel_manager": world.partner_admin.pk,
        },
    )
    assert response.status_code == 200
    with scopes_disabled():
        world.alpha.refresh_from_db()
    assert world.alpha.channel_manager == world.channel_manager


def test_same_partner_name_is_fine_in_another_vendor(world, client_for):
    client_for(world.rival_admin).post(
        reverse("partner_create", args=["rival"]),
        {
            "name": "Alpha Systems",
            "tier": "gold",
            "status": "invited",
        },
    )
    with scopes_disabled():
        assert PartnerCompany.objects.filter(name="Alpha Systems").count() == 2


def test_edit_tier_and_channel_manager(world, client_for):
    client_for(world.vendor_admin).post(
        url("partner_update", world.beta.pk),
        {
            "name": "Beta Integration",
            "tier": "platinum",
            "status": "active",
            "channel_manager": world.channel_manager.pk,
        },
    )
    with scopes_disabled():
        world.beta.refresh_from_db()
    assert (world.beta.tier, world.beta.status, world.beta.channel_manager) == (
        "platinum",
        "active",
        world.channel_manager,
    )


@pytest.fixture
def many_partners(world):
    with scopes_disabled():
        PartnerCompany.objects.bulk_create(
            PartnerCompany(
                vendor=world.acme, name=f"Partner {i:02}", tier="silver" if i % 2 else "gold", status="active"
            )
            for i in range(30)
        )


def test_partner_list_searches_filters_and_paginates(world, many_partners, client_for):
    client = client_for(world.channel_manager)
    page1 = client.get(url("partner_list"), {"tier": "silver"}).content.decode()
    assert "Partner 01" in page1 and "Partner 02" not in page1
    assert "Beta Integration" in page1  # silver too
    page2 = client.get(url("partner_list"), {"page": 2}).content.decode()
    assert "Partner 29" in page2 and "Alpha Systems" not in page2
    found = client.get(url("partner_list"), {"q": "alpha"}).content.decode()
    assert "Alpha Systems" in found and "Partner 01" not in found
    mine = client.get(url("partner_list"), {"channel_manager": world.channel_manager.pk}).content.decode()
    assert "Alpha Systems" in mine and "Beta Integration" not in mine


def test_partner_list_never_shows_another_vendor(world, client_for):
    content = client_for(world.vendor_admin).get(url("partner_list")).content.decode()
    assert "Gamma Partners" not in content


def read_csv(response):
    text = body(response, "utf-8")
    assert text.startswith("\ufeff")
    return list(csv.reader(io.StringIO(text.lstrip("\ufeff"))))


def test_csv_export_follows_the_filters(world, many_partners, client_for):
    response = client_for(world.vendor_admin).get(url("partner_export"), {"tier": "gold"})
    rows = read_csv(response)
    names = [row[0] for row in rows[1:]]
    assert "Alpha Systems" in names and "Beta Integration" not in names and len(names) == 16


@pytest.mark.parametrize("dangerous", ['=HYPERLINK("http://x")', "+1+1", "-2", "@SUM(A1)"])
def test_csv_export_neutralises_formulas(world, client_for, dangerous):
    with scopes_disabled():
        PartnerCompany.objects.create(vendor=world.acme, name=dangerous, contact_email="")
    rows = read_csv(client_for(world.vendor_admin).get(url("partner_export")))
    assert f"'{dangerous}" in [row[0] for row in rows]
    assert dangerous not in [row[0] for row in rows]


def test_checklist_progress(world, client_for):
    client = client_for(world.channel_manager)
    response = client.post(
        url("partner_checklist", world.beta.pk),
        {"item": "contract_signed_on", "done": "1"},
        HTTP_HX_REQUEST="true",
    )
    assert response.status_code == 200 and 'id="checklist"' in response.content.decode()
    client.post(url("partner_checklist", world.beta.pk), {"item": "first_training_on", "done": "1"})
    with scopes_disabled():
        world.beta.refresh_from_db()
    assert world.beta.onboarding_done == 2 and world.beta.onboarding_percent == 67
    client.post(url("partner_checklist", world.beta.pk), {"item": "first_training_on", "done": "0"})
    with scopes_disabled():
        world.beta.refresh_from_db()
    assert world.beta.onboarding_done == 1


def test_unknown_checklist_item_changes_nothing(world, client_for):
    client_for(world.channel_manager).post(
        url("partner_checklist", world.beta.pk), {"item": "name", "done": "1"}
    )
    with scopes_disabled():
        world.beta.refresh_from_db()
    assert world.beta.name == "Beta Integration" and world.beta.onboarding_done == 0


def test_partner_admin_deactivates_a_rep_who_is_signed_out_at_once(world, client_for):
    rep_client = Client()
    rep_client.force_login(world.partner_rep, backend="django.contrib.auth.backends.ModelBackend")
    assert rep_client.get(url("dashboard")).status_code == 200
    with scopes_disabled():
        membership = Membership.objects.get(user=world.partner_rep)
    response = client_for(world.partner_admin).post(url("member_deactivate", membership.pk))
    assert response.status_code == 302
    after = rep_client.get(url("dashboard"))
    assert after.status_code == 302 and after["Location"].startswith(reverse("account_login"))


def test_partner_admin_cannot_deactivate_themselves(world, client_for):
    with scopes_disabled():
        membership = Membership.objects.get(user=world.partner_admin)
    client_for(world.partner_admin).post(url("member_deactivate", membership.pk))
    with scopes_disabled():
        assert Membership.objects.get(pk=membership.pk).is_active


def test_reactivated_rep_can_sign_in_again(world, client_for):
    with scopes_disabled():
        membership = Membership.objects.get(user=world.partner_rep)
    admin = client_for(world.partner_admin)
    admin.post(url("member_deactivate", membership.pk))
    admin.post(url("member_reactivate", membership.pk))
    world.partner_rep.refresh_from_db()
    rep = Client()
    rep.force_login(world.partner_rep, backend="django.contrib.auth.backends.ModelBackend")
    assert rep.get(url("dashboard")).status_code == 200


def test_partner_users_see_their_own_company_on_the_dashboard(world, client_for):
    content = client_for(world.partner_rep).get(url("dashboard")).content.decode()
    assert "Alpha Systems" in content and "Beta Integration" not in content


def test_vendor_switcher_lists_every_membership(world, client_for):
    with scopes_disabled():
        add_member(world.channel_manager, world.rival, Role.CHANNEL_MANAGER)
    client = client_for(world.channel_manager)
    content = client.get(url("dashboard")).content.decode()
    assert "Rival Systems" in content and reverse("dashboard", args=["rival"]) in content
    picker = client.get(reverse("home"))
    assert picker.status_code == 200 and "Acme Software" in picker.content.decode()


def test_single_membership_goes_straight_to_the_vendor(world, client_for):
    response = client_for(world.partner_rep).get(reverse("home"))
    assert response["Location"] == url("dashboard")


def test_settings_refuse_an_unknown_time_zone(world, client_for):
    response = client_for(world.vendor_admin).post(
        url("vendor_settings"),
        {
            "name": "Acme Software",
            "protection_days": 90,
            "time_zone": "Mars/Olympus",
            "fiscal_year_start_month": 4,
        },
    )
    assert response.status_code == 200 and "Unknown time zone" in response.content.decode()


def test_settings_offer_months_and_time_zones_to_choose_from(world, client_for):
    client = client_for(world.vendor_admin)
    page = client.get(url("vendor_settings")).content.decode()
    assert "Company name" in page
    assert '<option value="4" selected>April</option>' in page
    assert '<option value="Asia/Tokyo" selected>Asia/Tokyo (UTC+09:00)</option>' in page
    assert '<option value="Europe/London"' in page
    client.post(reverse("set_language"), {"language": "ja"})
    assert '<option value="4" selected>4月</option>' in client.get(url("vendor_settings")).content.decode()


def test_staff_dashboard_counts_partners_by_status_tier_and_manager(
    world, client_for, django_assert_max_num_queries
):
    client = client_for(world.channel_manager)
    response = client.get(url("dashboard"))
    context = response.context
    assert dict(context["tier_counts"])["Gold"] == 1
    assert {value: n for value, _label, n in context["status_counts"]} == {
        "invited": 0,
        "onboarding": 1,
        "active": 1,
        "suspended": 0,
    }
    assert context["mine"] == 1


def test_the_partner_form_offers_channel_managers_only(world, client_for):
    client = client_for(world.vendor_admin)
    page = client.get(url("partner_create")).content.decode()
    assert "— No channel manager yet —" in page
    assert "cm@acme.example" in page and "admin@acme.example&gt;" not in page


def test_a_partner_kept_by_a_vendor_admin_can_still_be_edited(world, client_for):
    from django_scopes import scopes_disabled

    with scopes_disabled():
        world.beta.channel_manager = world.vendor_admin  # assigned before the rule
        world.beta.save(update_fields=["channel_manager"])
    client = client_for(world.vendor_admin)
    assert "admin@acme.example&gt;" in client.get(url("partner_update", world.beta.pk)).content.decode()
    response = client.post(
        url("partner_update", world.beta.pk),
        {
            "name": "Beta Integration",
            "tier": "gold",
            "status": "onboarding",
            "channel_manager": world.vendor_admin.pk,
        },
    )
    assert response.status_code == 302
    with scopes_disabled():
        world.beta.refresh_from_db()
    assert world.beta.tier == "gold" and world.beta.channel_manager == world.vendor_admin
