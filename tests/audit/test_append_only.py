"""Entries cannot be changed or removed: the ORM refuses on every database, a trigger refuses on PostgreSQL, and
deleting a user or a vendor cannot take its history with it."""

import pytest
from django.db import DatabaseError, connection, transaction
from django.db.models import ProtectedError
from django_scopes import scopes_disabled

from audit.models import AppendOnlyError, AuditEntry
from partners import services
from partners.models import User
from prm.tenancy import vendor_scope
from tests.audit.conftest import entries
from tests.conftest import access_of


@pytest.fixture
def entry(world):
    with vendor_scope(world.acme):
        services.partner_update(
            access=access_of(world.vendor_admin, world.acme), partner=world.beta, tier="gold"
        )
    return entries(world.acme, "partner.update")[0]


def test_the_orm_refuses_to_change_or_delete(world, entry):
    with scopes_disabled():
        with pytest.raises(AppendOnlyError):
            AuditEntry.objects.filter(pk=entry.pk).update(action="forged")
        with pytest.raises(AppendOnlyError):
            AuditEntry.objects.filter(pk=entry.pk).delete()
        with pytest.raises(AppendOnlyError):
            entry.save()
        with pytest.raises(AppendOnlyError):
            entry.delete()
        with pytest.raises(AppendOnlyError), transaction.atomic():
            AuditEntry.objects.bulk_update([entry], ["action"])
        assert AuditEntry.objects.get(pk=entry.pk).action == "partner.update"


def test_a_deleted_user_leaves_the_entry_as_it_was(world, entry):
    with scopes_disabled():
        User.objects.filter(pk=world.vendor_admin.pk).delete()
        kept = AuditEntry.objects.select_related("actor").get(pk=entry.pk)
    assert kept.actor is None
    assert kept.actor_id == world.vendor_admin.pk
    assert kept.actor_email == "admin@acme.example"


def test_a_vendor_with_a_history_cannot_be_deleted(world, entry):
    with scopes_disabled(), pytest.raises(ProtectedError):
        world.acme.delete()
    assert entries(world.acme, "partner.update") == [entry]


@pytest.mark.postgres
def test_postgresql_refuses_raw_update_and_delete(world, entry):
    if connection.vendor != "postgresql":
        pytest.skip("the trigger exists on PostgreSQL only")
    for statement in (
        "UPDATE audit_auditentry SET action = 'forged' WHERE id = %s",
        "DELETE FROM audit_auditentry WHERE id = %s",
    ):
        with (
            pytest.raises(DatabaseError, match="append-only"),
            transaction.atomic(),
            connection.cursor() as cursor,
        ):
            cursor.execute(statement, [entry.pk])
    with scopes_disabled():
        assert AuditEntry.objects.get(pk=entry.pk).action == "partner.update"
