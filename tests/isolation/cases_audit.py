"""The audit trail: vendor admins only. Channel managers and partners get 403, another vendor's admin 404."""

from tests.isolation.cases import LOGIN, Case, expect

ADMINS_ONLY = expect(LOGIN, 403, 403, 403, 200, 404, 403)

CASES = [
    Case("audit:list", ADMINS_ONLY),
    Case("audit:export", ADMINS_ONLY),
]
