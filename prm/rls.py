"""Row-level security on PostgreSQL: the database itself keeps each vendor's rows apart.

The ORM scoping (django-scopes) is the first line; this is the second. Every tenant table (every model with a
foreign key to :class:`~partners.models.Vendor`) gets a policy for the role ``DATABASE_TENANT_ROLE`` that
shows and accepts only rows whose ``vendor_id`` equals the session setting ``prm.vendor_id``. Without the
setting the role sees no rows at all.

The connection follows the django-scopes state before each query (see :mod:`prm.pg.base`):

- inside ``vendor_scope(v)`` (every vendor request, every vendor task): the tenant role with ``prm.vendor_id = v``;
- inside a scope without a vendor: the tenant role with no vendor, so tenant tables are empty;
- with scopes disabled, or no scope entered (migrations, commands, platform admin): the connecting role, which
  owns the tables and is not subject to the policies.

Policies are (re)applied after every ``migrate``, so a table added later is covered without a migration of its own.
SQLite has no row-level security and keeps the ORM scoping alone.
"""

import logging

from django.apps import apps
from django.conf import settings
from django.db.models import ForeignKey
from django_scopes import get_scope

logger = logging.getLogger("prm.security")

SETTING = "prm.vendor_id"
POLICY = "prm_tenant_isolation"
OWN_ROLE = "none"  # ``SET ROLE NONE``: back to the role the connection logged in with


def tenant_role() -> str:
    return getattr(settings, "DATABASE_TENANT_ROLE", "")


def tenant_tables() -> list[str]:
    """Tables of every model that belongs to one vendor, in a stable order."""
    from partners.models import Vendor

    tables = set()
    for model in apps.get_models(include_auto_created=True):
        if model._meta.proxy or not model._meta.managed:
            continue
        for field in model._meta.concrete_fields:
            if isinstance(field, ForeignKey) and field.related_model is Vendor:
                tables.add(model._meta.db_table)
    return sorted(tables)


def wanted_state() -> tuple[str, str]:
    """(role, vendor id) the connection must have for the current django-scopes state."""
    state = get_scope()
    if not state or not state.get("_enabled", True):
        return OWN_ROLE, ""
    vendor = state.get("vendor")
    vendor = getattr(vendor, "pk", vendor)
    # Anything but one vendor id (several, or none) shows no tenant rows: fail closed.
    return tenant_role(), str(vendor) if isinstance(vendor, int) else ""


def _quote(connection, name: str) -> str:
    return connection.ops.quote_name(name)


def policy_sql(connection, table: str, role: str) -> list[str]:
    t, r = _quote(connection, table), _quote(connection, role)
    condition = f"vendor_id = NULLIF(current_setting('{SETTING}', true), '')::bigint"
    return [
        f"ALTER TABLE {t} ENABLE ROW LEVEL SECURITY",
        f"DROP POLICY IF EXISTS {POLICY} ON {t}",
        f"CREATE POLICY {POLICY} ON {t} TO {r} USING ({condition}) WITH CHECK ({condition})",
    ]


def apply_policies(using: str = "default", **_kwargs) -> None:
    """Create the tenant role if needed, grant it the tables, and put the policy on every tenant table."""
    from django.db import connections

    connection = connections[using]
    role = tenant_role()
    if connection.vendor != "postgresql" or not role:
        return
    r = _quote(connection, role)
    with connection.cursor() as cursor:
        cursor.execute(
            f"DO $$ BEGIN CREATE ROLE {r} NOLOGIN; "
            "EXCEPTION WHEN duplicate_object OR unique_violation THEN NULL; END $$"
        )
        cursor.execute("SELECT rolsuper FROM pg_roles WHERE rolname = current_user")
        if not cursor.fetchone()[0]:
            cursor.execute("SELECT pg_has_role(current_user, %s, 'MEMBER')", [role])
            if not cursor.fetchone()[0]:
                cursor.execute(f"GRANT {r} TO CURRENT_USER")
        cursor.execute(f"GRANT USAGE ON SCHEMA {_quote(connection, 'public')} TO {r}")
        cursor.execute(f"GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO {r}")
        cursor.execute(f"GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO {r}")
        for table in tenant_tables():
            for statement in policy_sql(connection, table, role):
                cursor.execute(statement)
    connection._rls_ready = None  # the role may only now exist: look again before the next scoped query
    logger.info("Row-level security applied to %d tenant tables for role %s.", len(tenant_tables()), role)
