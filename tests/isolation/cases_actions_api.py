"""What the pages offer, through the API, with the same rules: members and settings (vendor admins everyone,
partner admins their own company; another company's member is 404), the audit trail (vendor admins),
registration conflicts and the support log (vendor staff). Another vendor's objects are 404."""

from django_scopes import scopes_disabled

from partners.models import Role
from tests.conftest import add_member, make_user
from tests.isolation.cases import Case, acme, expect
from tests.isolation.conflict_world import acme_conflict, conflict_pk, rival_conflict

MANAGERS = expect(401, 403, 200, 403, 200, 404, 403)


def _member(world, key: str, partner_attr: str, *, active: bool = True) -> int:
    cache = world.__dict__.setdefault("_api_members", {})
    if key not in cache:
        with scopes_disabled():
            user = make_user(f"{key}@members.example", key)
            membership = add_member(user, world.acme, Role.PARTNER_REP, getattr(world, partner_attr))
            if not active:
                membership.is_active = False
                membership.save(update_fields=["is_active"])
        cache[key] = membership.pk
    return cache[key]


CASES = [
    Case("api_members", MANAGERS, json=True),
    Case(
        "api_member_deactivate",
        MANAGERS,
        kwargs=acme(member_id=lambda w: _member(w, "leaving", "alpha")),
        method="post",
        json=True,
    ),
    Case(
        "api_member_deactivate",
        expect(401, 403, 404, 403, 200, 404, 403),
        kwargs=acme(member_id=lambda w: _member(w, "beta-leaving", "beta")),
        method="post",
        json=True,
        label="other-company",
    ),
    Case(
        "api_member_reactivate",
        MANAGERS,
        kwargs=acme(member_id=lambda w: _member(w, "returning", "alpha", active=False)),
        method="post",
        json=True,
    ),
    Case("api_vendor_settings", expect(401, 403, 403, 403, 200, 404, 403), json=True),
    Case(
        "api_vendor_settings",
        expect(401, 403, 403, 403, 200, 404, 403),
        method="patch",
        data=lambda w: {"protection_days": 90},
        json=True,
    ),
]

CASES += [
    Case("api_audit", expect(401, 403, 403, 403, 200, 404, 403), json=True),
    Case(
        "api_audit",
        expect(401, 403, 403, 403, 400, 404, 403),
        kwargs=lambda w: {"vendor_slug": "acme"},
        path=lambda w: "/api/v1/vendors/acme/audit/?date_from=2026-12-31&date_to=2026-01-01",
        json=True,
        label="invalid-filter",
    ),
]


def _resolvable_conflict(world) -> int:
    from deals.models import RegistrationConflict
    from tests.deals.conftest import register
    from tests.isolation.deal_world import _once

    def build():
        register(world, world.partner_rep, submit=True, customer_name="株式会社解決商事")
        later = register(world, world.beta_rep, submit=True, customer_name="株式会社解決商事")
        with scopes_disabled():
            return RegistrationConflict.objects.get(deal=later)

    return _once(world, "api_resolvable_conflict", build).pk


CASES += [
    Case("api_conflicts", expect(401, 403, 403, 200, 200, 404, 403), json=True),
    Case(
        "api_conflict",
        expect(401, 403, 403, 200, 200, 404, 403),
        kwargs=acme(conflict_id=conflict_pk(acme_conflict)),
        json=True,
    ),
    Case(
        "api_conflict",
        expect(401, 403, 403, 404, 404, 404, 403),
        kwargs=acme(conflict_id=conflict_pk(rival_conflict)),
        json=True,
        label="rival-object",
    ),
    Case(
        # Without a note: vendor staff get the form error (settling one is in tests/api/test_conflicts_api.py).
        "api_conflict_resolve",
        expect(401, 403, 403, 400, 400, 404, 403),
        kwargs=acme(conflict_id=_resolvable_conflict),
        method="post",
        data=lambda w: {"keep": None, "note": ""},
        json=True,
    ),
    Case(
        "api_conflict_resolve",
        expect(401, 403, 403, 404, 404, 404, 403),
        kwargs=acme(conflict_id=conflict_pk(rival_conflict)),
        method="post",
        data=lambda w: {"keep": None, "note": "x"},
        json=True,
        label="rival-object",
    ),
]


def _support_entry(world, vendor, user, partner_attr: str) -> int:
    from datetime import date
    from decimal import Decimal

    from knowledge.support import support_log
    from prm.tenancy import vendor_scope
    from tests.conftest import access_of

    # A fresh entry for every request: each role that may remove one removes its own.
    with vendor_scope(vendor):
        return support_log(
            access=access_of(user, vendor),
            partner=getattr(world, partner_attr),
            support_type="study_session",
            date=date(2026, 1, 15),
            hours=Decimal("1"),
        ).pk


STAFF = expect(401, 403, 403, 200, 200, 404, 403)

CASES += [
    Case("api_support", STAFF, json=True),
    Case(
        "api_support",
        expect(401, 403, 403, 201, 201, 404, 403),
        method="post",
        data=lambda w: {
            "partner": w.alpha.pk,
            "support_type": "study_session",
            "date": "2026-02-01",
            "hours": "1.5",
        },
        json=True,
    ),
    Case(
        "api_support_activity",
        expect(401, 403, 403, 204, 204, 404, 403),
        kwargs=acme(activity_id=lambda w: _support_entry(w, w.acme, w.channel_manager, "alpha")),
        method="delete",
        json=True,
    ),
    Case(
        "api_support_activity",
        expect(401, 403, 403, 404, 404, 404, 403),
        kwargs=acme(activity_id=lambda w: _support_entry(w, w.rival, w.rival_admin, "gamma")),
        method="delete",
        json=True,
        label="rival-object",
    ),
]
