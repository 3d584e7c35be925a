"""Vendor pages under /v/<vendor_slug>/ and the pages outside any vendor."""

from django_scopes import scopes_disabled

from notifications.preferences import unsubscribe_token
from partners.models import Membership, Role
from tests.conftest import invitation_token
from tests.isolation.cases import LOGIN, Case, acme, expect


def membership_of(user_attr: str):
    def pk(world):
        with scopes_disabled():
            return Membership.objects.get(user=getattr(world, user_attr)).pk

    return pk


def new_partner(world):
    return {
        "name": "Delta Solutions",
        "tier": "silver",
        "status": "invited",
        "channel_manager": "",
        "contact_email": "",
    }


def invite_rep(world):
    return {"email": "newrep@example.com", "role": Role.PARTNER_REP}


def open_invitation_path(world):
    return f"/invitations/{invitation_token(world)}/"


CASES = [
    # Outside any vendor.
    Case("home", expect(LOGIN, 302, 302, 302, 302, 302, 302), kwargs=lambda w: {}),
    Case("healthz", expect(200, 200, 200, 200, 200, 200, 200), kwargs=lambda w: {}),
    Case("favicon", expect(301, 301, 301, 301, 301, 301, 301), kwargs=lambda w: {}),
    Case(
        "set_language",
        expect(302, 302, 302, 302, 302, 302, 302),
        kwargs=lambda w: {},
        method="post",
        data=lambda w: {"language": "en", "next": "/"},
    ),
    Case(
        "invitation_accept",
        expect(200, 200, 200, 200, 200, 200, 200),
        kwargs=lambda w: {},
        path=open_invitation_path,
        label="open",
    ),
    Case(
        "invitation_accept",
        expect(404, 404, 404, 404, 404, 404, 404),
        kwargs=lambda w: {"token": "nope"},
        label="unknown",
    ),
    Case("mail_preferences", expect(LOGIN, 200, 200, 200, 200, 200, 200), kwargs=lambda w: {}),
    Case(
        "mail_preferences",
        expect(LOGIN, 400, 400, 400, 400, 400, 400),
        kwargs=lambda w: {},
        method="post",
        data=lambda w: {"registrations": "sometimes"},
        label="invalid",
    ),
    Case(
        "mail_unsubscribe",
        expect(200, 200, 200, 200, 200, 200, 200),
        kwargs=lambda w: {"token": unsubscribe_token(w.partner_rep, "content")},
    ),
    Case(
        "mail_unsubscribe",
        expect(404, 404, 404, 404, 404, 404, 404),
        kwargs=lambda w: {"token": "forged"},
        label="forged",
    ),
    Case("api_schema", expect(200, 200, 200, 200, 200, 200, 200), kwargs=lambda w: {}),
    Case("api_docs", expect(200, 200, 200, 200, 200, 200, 200), kwargs=lambda w: {}),
    # Every member of the vendor.
    Case("dashboard", expect(LOGIN, 200, 200, 200, 200, 404, 200)),
    Case(
        "dashboard",
        expect(LOGIN, 404, 404, 404, 404, 404, 404),
        kwargs=lambda w: {"vendor_slug": "nope"},
        label="unknown-vendor",
    ),
    Case(
        "dashboard",
        expect(LOGIN, 404, 404, 404, 404, 200, 404),
        kwargs=lambda w: {"vendor_slug": "rival"},
        label="rival",
    ),
    # Partner companies: vendor staff list them; partner users see only their own company.
    Case("partner_list", expect(LOGIN, 403, 403, 200, 200, 404, 403)),
    Case("partner_export", expect(LOGIN, 403, 403, 200, 200, 404, 403)),
    Case("partner_create", expect(LOGIN, 403, 403, 403, 200, 404, 403)),
    Case("partner_create", expect(LOGIN, 403, 403, 403, 302, 404, 403), method="post", data=new_partner),
    Case("partner_import", expect(LOGIN, 403, 403, 403, 200, 404, 403)),
    Case("partner_detail", expect(LOGIN, 200, 200, 200, 200, 404, 404), kwargs=acme(partner_id="alpha")),
    Case(
        "partner_detail",
        expect(LOGIN, 404, 404, 404, 404, 404, 404),
        kwargs=acme(partner_id="gamma"),
        label="rival-object",
    ),
    Case("partner_update", expect(LOGIN, 403, 403, 403, 200, 404, 403), kwargs=acme(partner_id="alpha")),
    Case(
        "partner_update",
        expect(LOGIN, 403, 403, 403, 404, 404, 403),
        kwargs=acme(partner_id="gamma"),
        label="rival-object",
    ),
    Case(
        "partner_update",
        expect(LOGIN, 403, 403, 403, 302, 404, 403),
        kwargs=acme(partner_id="alpha"),
        method="post",
        data=lambda w: {"name": "Alpha Systems", "tier": "platinum", "status": "active"},
    ),
    Case(
        "partner_invite",
        expect(LOGIN, 403, 302, 403, 302, 404, 403),
        kwargs=acme(partner_id="alpha"),
        method="post",
        data=invite_rep,
    ),
    Case(
        "partner_invite",
        expect(LOGIN, 403, 404, 403, 302, 404, 403),
        kwargs=acme(partner_id="beta"),
        method="post",
        data=invite_rep,
        label="other-partner",
    ),
    Case(
        "partner_invite",
        expect(LOGIN, 403, 404, 403, 404, 404, 403),
        kwargs=acme(partner_id="gamma"),
        method="post",
        data=invite_rep,
        label="rival-object",
    ),
    Case(
        "partner_checklist",
        expect(LOGIN, 403, 403, 302, 302, 404, 403),
        kwargs=acme(partner_id="alpha"),
        method="post",
        data=lambda w: {"item": "first_training_on", "done": "1"},
    ),
    Case(
        "partner_checklist",
        expect(LOGIN, 403, 403, 404, 404, 404, 403),
        kwargs=acme(partner_id="gamma"),
        method="post",
        data=lambda w: {"item": "first_training_on", "done": "1"},
        label="rival-object",
    ),
    # Users: vendor admins manage everyone, partner admins their own company.
    Case(
        "member_deactivate",
        expect(LOGIN, 403, 302, 403, 302, 404, 403),
        kwargs=acme(membership_id=membership_of("partner_rep")),
        method="post",
    ),
    Case(
        "member_deactivate",
        expect(LOGIN, 403, 404, 403, 302, 404, 403),
        kwargs=acme(membership_id=membership_of("beta_rep")),
        method="post",
        label="other-partner",
    ),
    Case(
        "member_deactivate",
        expect(LOGIN, 403, 404, 403, 404, 404, 403),
        kwargs=acme(membership_id=membership_of("rival_rep")),
        method="post",
        label="rival-object",
    ),
    Case(
        "member_reactivate",
        expect(LOGIN, 403, 302, 403, 302, 404, 403),
        kwargs=acme(membership_id=membership_of("partner_rep")),
        method="post",
    ),
    Case(
        "member_reactivate",
        expect(LOGIN, 403, 404, 403, 404, 404, 403),
        kwargs=acme(membership_id=membership_of("rival_rep")),
        method="post",
        label="rival-object",
    ),
    Case("staff_list", expect(LOGIN, 403, 403, 403, 200, 404, 403)),
    Case(
        "staff_list",
        expect(LOGIN, 403, 403, 403, 302, 404, 403),
        method="post",
        data=lambda w: {"email": "newcm@acme.example", "role": Role.CHANNEL_MANAGER},
    ),
    Case("vendor_settings", expect(LOGIN, 403, 403, 403, 200, 404, 403)),
    Case(
        "vendor_settings",
        expect(LOGIN, 403, 403, 403, 302, 404, 403),
        method="post",
        data=lambda w: {
            "name": "Acme Software",
            "protection_days": 60,
            "time_zone": "Asia/Tokyo",
            "fiscal_year_start_month": 4,
        },
    ),
]
