"""The API under /api/v1/ (DESIGN §7), every URL × role.

Anonymous callers get 401 (``Authorization: Token`` is the first authentication scheme). Another tenant's
vendor or object is 404 whatever the role; inside the vendor, an object the caller cannot see (another partner
company) is 404 and an action the role may not take on a visible object is 403. The schema and docs pages are in
``cases_pages.py``.
"""

from partners.models import Role
from partners.services import invitation_mail_proof
from tests.conftest import PASSWORD, invitation_token
from tests.isolation.cases import Case, acme, expect

NEW_PARTNER = {"name": "Delta Solutions", "tier": "silver", "status": "invited"}


def credentials(world):
    return {"email": world.vendor_admin.email, "password": PASSWORD}


def new_partner(world):
    return dict(NEW_PARTNER)


def tier_change(world):
    return {"tier": "platinum"}


def invite_rep(world):
    return {"email": "newrep@example.com", "role": Role.PARTNER_REP}


def invite_staff(world):
    return {"email": "newcm@example.com", "role": Role.CHANNEL_MANAGER}


_opened = {}


def open_invitation(world):
    """kwargs with the token of a fresh invitation of acme's admin for a new rep of Alpha."""
    _opened["token"] = invitation_token(world)
    return {"token": _opened["token"]}


def new_account(world):
    """A new person's answer to the invitation just opened, with the proof from its mail."""
    return {"name": "Guest", "password": PASSWORD, "proof": invitation_mail_proof(_opened.get("token", ""))}


def rival(**extra):
    def build(world):
        kwargs = acme(**extra)(world)
        kwargs["vendor_slug"] = "rival"
        return kwargs

    return build


def _rival_token(world) -> int:
    """A token of the other vendor's rep: no one in the table is its owner."""
    from partners.services import api_token_create

    return api_token_create(user=world.rival_rep, name="rival")[0].pk


CASES = [
    # Outside any vendor. The token endpoint ignores who is calling: only the body's credentials count.
    Case(
        "api_token",
        expect(201, 201, 201, 201, 201, 201, 201),
        kwargs=lambda w: {},
        method="post",
        data=credentials,
        json=True,
    ),
    Case("api_token", expect(405, 405, 405, 405, 405, 405, 405), kwargs=lambda w: {}, json=True),
    Case("api_me", expect(401, 200, 200, 200, 200, 200, 200), kwargs=lambda w: {}, json=True),
    # A user's own tokens: nobody else's is ever found (another user's token id is 404 for everyone).
    Case("api_me_tokens", expect(401, 200, 200, 200, 200, 200, 200), kwargs=lambda w: {}, json=True),
    Case(
        "api_me_tokens",
        expect(401, 201, 201, 201, 201, 201, 201),
        kwargs=lambda w: {},
        method="post",
        data=lambda w: {"name": "CRM sync"},
        json=True,
    ),
    Case(
        "api_me_token",
        expect(401, 404, 404, 404, 404, 404, 404),
        kwargs=lambda w: {"token_id": _rival_token(w)},
        method="delete",
        json=True,
    ),
    Case(
        "api_invitation_accept",
        expect(201, 201, 201, 201, 201, 201, 201),
        kwargs=open_invitation,
        method="post",
        data=new_account,
        json=True,
        label="open",
    ),
    Case(
        "api_invitation_accept",
        expect(400, 400, 400, 400, 400, 400, 400),
        kwargs=lambda w: {"token": "nope"},
        method="post",
        data=new_account,
        json=True,
        label="unknown",
    ),
    # Partner companies: everyone in the vendor lists (partner users only their own company).
    Case("api_partner_list", expect(401, 200, 200, 200, 200, 404, 200), json=True),
    Case(
        "api_partner_list",
        expect(401, 404, 404, 404, 404, 404, 404),
        kwargs=lambda w: {"vendor_slug": "nope"},
        json=True,
        label="unknown-vendor",
    ),
    Case(
        "api_partner_list",
        expect(401, 404, 404, 404, 404, 200, 404),
        kwargs=lambda w: {"vendor_slug": "rival"},
        json=True,
        label="rival",
    ),
    Case(
        "api_partner_list",
        expect(401, 403, 403, 403, 201, 404, 403),
        method="post",
        data=new_partner,
        json=True,
    ),
    Case(
        "api_partner_list",
        expect(401, 404, 404, 404, 404, 201, 404),
        kwargs=lambda w: {"vendor_slug": "rival"},
        method="post",
        data=new_partner,
        json=True,
        label="rival",
    ),
    Case(
        "api_partner_detail",
        expect(401, 200, 200, 200, 200, 404, 404),
        kwargs=acme(partner_id="alpha"),
        json=True,
    ),
    Case(
        "api_partner_detail",
        expect(401, 404, 404, 200, 200, 404, 200),
        kwargs=acme(partner_id="beta"),
        json=True,
        label="other-partner",
    ),
    Case(
        "api_partner_detail",
        expect(401, 404, 404, 404, 404, 404, 404),
        kwargs=acme(partner_id="gamma"),
        json=True,
        label="rival-object",
    ),
    Case(
        "api_partner_detail",
        expect(401, 404, 404, 404, 404, 200, 404),
        kwargs=rival(partner_id="gamma"),
        json=True,
        label="rival",
    ),
    Case(
        "api_partner_detail",
        expect(401, 403, 403, 403, 200, 404, 404),
        kwargs=acme(partner_id="alpha"),
        method="patch",
        data=tier_change,
        json=True,
    ),
    Case(
        "api_partner_detail",
        expect(401, 404, 404, 403, 200, 404, 403),
        kwargs=acme(partner_id="beta"),
        method="patch",
        data=tier_change,
        json=True,
        label="other-partner",
    ),
    Case(
        "api_partner_detail",
        expect(401, 404, 404, 404, 404, 404, 404),
        kwargs=acme(partner_id="gamma"),
        method="patch",
        data=tier_change,
        json=True,
        label="rival-object",
    ),
    Case(
        "api_partner_detail",
        expect(401, 404, 404, 404, 404, 200, 404),
        kwargs=rival(partner_id="gamma"),
        method="patch",
        data=tier_change,
        json=True,
        label="rival",
    ),
    # Invitations: vendor admins for any partner, partner admins for their own company; staff by vendor admins.
    Case(
        "api_partner_invitations",
        expect(401, 403, 201, 403, 201, 404, 404),
        kwargs=acme(partner_id="alpha"),
        method="post",
        data=invite_rep,
        json=True,
    ),
    Case(
        "api_partner_invitations",
        expect(401, 404, 404, 403, 201, 404, 403),
        kwargs=acme(partner_id="beta"),
        method="post",
        data=invite_rep,
        json=True,
        label="other-partner",
    ),
    Case(
        "api_partner_invitations",
        expect(401, 404, 404, 404, 404, 404, 404),
        kwargs=acme(partner_id="gamma"),
        method="post",
        data=invite_rep,
        json=True,
        label="rival-object",
    ),
    Case(
        "api_partner_invitations",
        expect(401, 405, 405, 405, 405, 404, 405),
        kwargs=acme(partner_id="alpha"),
        json=True,
        label="not-allowed",
    ),
    Case(
        "api_staff_invitations",
        expect(401, 403, 403, 403, 201, 404, 403),
        method="post",
        data=invite_staff,
        json=True,
    ),
    Case(
        "api_staff_invitations",
        expect(401, 404, 404, 404, 404, 201, 404),
        kwargs=lambda w: {"vendor_slug": "rival"},
        method="post",
        data=invite_staff,
        json=True,
        label="rival",
    ),
]
