"""The KPI API (DESIGN §7): rows per period and group, recompute on request, and the task's progress.

Vendor staff read every grouping and start recomputes; partner users read only their own company's and tier's
rows (grouping by vendor or channel manager is 403). A task is visible only to vendor staff of its vendor.
"""

from django.urls import reverse

from knowledge.jobs import recompute_request
from prm.tenancy import vendor_scope
from tests.conftest import access_of
from tests.isolation.cases import Case, expect

API = {"json": True}


def _run(world, key, user, vendor) -> str:
    cache = world.__dict__.setdefault("_recompute_runs", {})
    if key not in cache:
        with vendor_scope(vendor):
            cache[key] = recompute_request(access=access_of(user, vendor)).task_id
    return cache[key]


def task(key, user, vendor):
    return lambda world: {"task_id": _run(world, key, getattr(world, user), getattr(world, vendor))}


def kpis_of(vendor: str, group_by: str):
    return lambda world: reverse("api_kpis", kwargs={"vendor_slug": vendor}) + f"?group_by={group_by}"


CASES = [
    Case("api_kpis", expect(401, 403, 403, 200, 200, 404, 403), **API),
    Case(
        "api_kpis",
        expect(401, 200, 200, 200, 200, 404, 200),
        path=kpis_of("acme", "partner"),
        label="partner",
        **API,
    ),
    Case(
        "api_kpis",
        expect(401, 404, 404, 404, 404, 200, 404),
        path=kpis_of("rival", "partner"),
        label="rival",
        **API,
    ),
    Case("api_kpis_recompute", expect(401, 403, 403, 202, 202, 404, 403), method="post", **API),
    Case(
        "api_task",
        expect(401, 404, 404, 200, 200, 404, 404),
        kwargs=task("acme", "channel_manager", "acme"),
        label="acme",
        **API,
    ),
    Case(
        "api_task",
        expect(401, 404, 404, 404, 404, 200, 404),
        kwargs=task("rival", "rival_admin", "rival"),
        label="rival",
        **API,
    ),
]
