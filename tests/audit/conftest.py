"""Helpers for the audit tests: read the trail of a vendor, post with a known request id."""

import pytest
from django_scopes import scopes_disabled

from audit.models import AuditEntry


def entries(vendor, action: str | None = None) -> list[AuditEntry]:
    with scopes_disabled():
        qs = AuditEntry.objects.filter(vendor=vendor).select_related("actor").order_by("pk")
        if action:
            qs = qs.filter(action=action)
        return list(qs)


@pytest.fixture
def as_admin(world, client_for):
    return client_for(world.vendor_admin)
