"""Row-level security on PostgreSQL (prm.rls): the database keeps vendors apart even for raw SQL.

These run only on PostgreSQL; SQLite has no row-level security and relies on the ORM scoping alone.
"""

import pytest
from django.db import DataError, connection, transaction
from django.db.utils import ProgrammingError
from django_scopes import scope, scopes_disabled

from partners.models import PartnerCompany
from prm import rls
from prm.celery import VendorTask, app
from prm.tenancy import vendor_scope
from tests.deals.conftest import register

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.skipif(connection.vendor != "postgresql", reason="row-level security is PostgreSQL only"),
    pytest.mark.django_db,
]


def raw_count(table: str) -> int:
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT count(*) FROM {connection.ops.quote_name(table)}")  # noqa: S608
        return cursor.fetchone()[0]


def partner_counts(world) -> dict[str, int]:
    with scopes_disabled():
        return {v.slug: PartnerCompany.objects.filter(vendor=v).count() for v in (world.acme, world.rival)}


def test_every_tenant_table_has_the_policy(world):
    tables = rls.tenant_tables()
    assert {"deals_deal", "meddic_meddicelement", "audit_auditentry", "partners_membership"} <= set(tables)
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT c.relname FROM pg_class c JOIN pg_policy p ON p.polrelid = c.oid "
            "WHERE p.polname = %s AND c.relrowsecurity",
            [rls.POLICY],
        )
        protected = {row[0] for row in cursor.fetchall()}
    assert set(tables) <= protected


def test_tenant_role_without_the_setting_sees_no_rows(world):
    assert partner_counts(world)["acme"] > 0
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL ROLE prm_tenant")
        cursor.execute("SELECT count(*) FROM partners_partnercompany")
        assert cursor.fetchone()[0] == 0
        cursor.execute("SELECT set_config('prm.vendor_id', %s, true)", [str(world.rival.pk)])
        cursor.execute("SELECT count(*) FROM partners_partnercompany")
        assert cursor.fetchone()[0] == partner_counts(world)["rival"]


def test_raw_sql_in_a_vendor_scope_sees_only_that_vendor(world):
    counts = partner_counts(world)
    assert counts["acme"] and counts["rival"]
    with vendor_scope(world.acme):
        assert raw_count("partners_partnercompany") == counts["acme"]
    with vendor_scope(world.rival):
        assert raw_count("partners_partnercompany") == counts["rival"]
    with scopes_disabled():
        assert raw_count("partners_partnercompany") == sum(counts.values())


def test_a_scope_without_a_vendor_sees_nothing(world):
    with scope():
        assert raw_count("partners_partnercompany") == 0


def test_writing_another_vendors_row_from_a_vendor_scope_is_refused(world):
    with (
        vendor_scope(world.acme),
        pytest.raises(ProgrammingError, match="row-level security"),
        transaction.atomic(),
    ):
        PartnerCompany.objects.create(vendor=world.rival, name="Smuggled")
    # The failed statement rolled back to its savepoint; the connection keeps working in the right scope.
    with vendor_scope(world.acme):
        assert raw_count("partners_partnercompany") == partner_counts(world)["acme"]


def test_the_state_is_set_again_after_a_rolled_back_savepoint(world):
    with vendor_scope(world.acme):
        with pytest.raises(DataError), transaction.atomic(), connection.cursor() as cursor:
            cursor.execute("SELECT 1 / 0")
        assert raw_count("partners_partnercompany") == partner_counts(world)["acme"]


def test_requests_run_in_their_vendors_row_level_scope(world, client):
    seen = []

    def spy(execute, sql, params, many, context):
        if "deals_deal" in sql and not seen:
            with connection.connection.cursor() as cursor:
                cursor.execute("SELECT current_user, current_setting('prm.vendor_id', true)")
                seen.append(cursor.fetchone())
        return execute(sql, params, many, context)

    client.force_login(world.channel_manager)
    with connection.execute_wrapper(spy):
        response = client.get("/v/acme/deals/")
    assert response.status_code == 200
    assert seen == [("prm_tenant", str(world.acme.pk))]


@app.task(base=VendorTask, name="tests.rls_count_deals")
def count_deals_raw(*, vendor_id):
    return raw_count("deals_deal")


def test_tasks_run_in_their_vendors_row_level_scope(world):
    register(world, world.partner_rep)
    register(world, world.rival_rep, world.rival)
    register(world, world.rival_rep, world.rival, customer_name="株式会社ライバル二号")
    assert count_deals_raw.delay(vendor_id=world.acme.pk).get() == 1
    assert count_deals_raw.delay(vendor_id=world.rival.pk).get() == 2
