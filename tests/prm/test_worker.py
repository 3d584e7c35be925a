"""Tasks on a real Celery worker through the Redis broker (the PostgreSQL + Redis run).

The worker runs in a thread of the test process with the solo pool, so it uses the test database; the test
data is committed (``transaction=True``) for the worker's own connection to see it.
"""

import time

import pytest
from celery.contrib.testing.worker import start_worker
from celery.signals import task_postrun
from django.conf import settings
from django.db import connections

from partners.tasks import expire_invitations, expire_invitations_all
from prm.celery import app
from tests.prm.conftest import revoked_names

pytestmark = [
    pytest.mark.worker,
    pytest.mark.skipif(
        not settings.REDIS_URL,
        reason="not applicable without REDIS_URL: this run executes tasks eagerly, in-process",
    ),
    pytest.mark.django_db(transaction=True),
]

WAIT_SECONDS = 30


def _close_worker_connections(**kwargs):
    # The worker thread's connections must not outlive it, or the test database cannot be dropped; its
    # result-backend sockets would otherwise be garbage-collected later, unclosed (a ResourceWarning).
    connections.close_all()
    client = getattr(app.backend, "client", None)
    if client is not None:
        client.connection_pool.disconnect()


@pytest.fixture
def worker():
    app.loader.import_default_modules()
    eager = app.conf.task_always_eager
    app.conf.task_always_eager = False
    app.control.purge()  # messages left behind by an interrupted earlier run
    task_postrun.connect(_close_worker_connections, weak=False)
    try:
        with start_worker(
            app, pool="solo", perform_ping_check=False, shutdown_timeout=WAIT_SECONDS
        ) as worker:
            yield worker
    finally:
        task_postrun.disconnect(_close_worker_connections)
        app.conf.task_always_eager = eager


def wait_until(predicate, seconds: float = WAIT_SECONDS) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.1)
    return predicate()


def test_broker_is_redis():
    assert app.conf.broker_url.startswith(("redis://", "rediss://"))


def test_expire_invitations_on_a_worker(worker, world, invitations):
    result = expire_invitations.delay(vendor_id=world.acme.pk)
    assert result.get(timeout=WAIT_SECONDS) == 2
    assert result.successful()
    assert revoked_names(invitations) == {"acme_expired", "acme_expired_partner"}


def test_expire_invitations_all_fans_out_on_a_worker(worker, world, invitations):
    assert expire_invitations_all.delay().get(timeout=WAIT_SECONDS) == 2
    expected = {"acme_expired", "acme_expired_partner", "rival_expired"}
    # The per-vendor tasks run after the fan-out task returns.
    assert wait_until(lambda: revoked_names(invitations) == expected), revoked_names(invitations)


def test_vendor_task_without_vendor_id_fails_on_the_worker(worker):
    result = app.send_task(expire_invitations.name, kwargs={})  # by name: skips the client-side check
    with pytest.raises(TypeError, match="vendor_id"):
        result.get(timeout=WAIT_SECONDS)


def test_registration_protection_expires_on_a_worker(worker, world):
    from datetime import timedelta

    from django_scopes import scopes_disabled

    from deals.models import Deal
    from deals.tasks import expire_protection_all
    from deals.workflow import deal_transition
    from prm.clock import vendor_today
    from prm.tenancy import vendor_scope
    from tests.conftest import access_of
    from tests.deals.conftest import register

    lapsed = register(world, world.partner_rep, submit=True)
    current = register(world, world.beta_rep, submit=True, customer_name="別の顧客")
    with vendor_scope(world.acme):
        for deal in (lapsed, current):
            deal_transition(access=access_of(world.channel_manager, world.acme), deal=deal, action="approve")
    with scopes_disabled():
        Deal.objects.filter(pk=lapsed.pk).update(protected_until=vendor_today(world.acme) - timedelta(days=1))

    def expired_ids():
        with scopes_disabled():
            return set(Deal.objects.filter(protection_expired=True).values_list("pk", flat=True))

    assert expire_protection_all.delay().get(timeout=WAIT_SECONDS) == 2
    assert wait_until(lambda: expired_ids() == {lapsed.pk}), expired_ids()


def test_kpi_recompute_on_a_worker_reports_progress_to_done(worker, world):
    from django.db import transaction
    from django_scopes import scopes_disabled

    from knowledge.jobs import recompute_request
    from knowledge.models import KpiSnapshot, RecomputeRun
    from prm.tenancy import vendor_scope
    from tests.conftest import access_of
    from tests.deals.conftest import register

    register(world, world.partner_rep, submit=True)
    with transaction.atomic(), vendor_scope(world.acme):
        task_id = recompute_request(access=access_of(world.channel_manager, world.acme)).task_id
    # The task was sent on commit; the worker runs it and records the outcome where the page polls it.

    def run():
        with scopes_disabled():
            return RecomputeRun.objects.get(task_id=task_id)

    assert wait_until(lambda: run().state == "SUCCESS"), (run().state, run().progress)
    with scopes_disabled():
        written = KpiSnapshot.objects.filter(vendor=world.acme).count()
        assert not KpiSnapshot.objects.filter(vendor=world.rival).exists()
    # Results are not kept (prm.outbox sends with ignore_result): the run's row is the record the page reads.
    assert run().progress == 100 and run().rows == written > 0


def test_nightly_kpi_dispatch_on_a_worker(worker, world):
    from django_scopes import scopes_disabled

    from knowledge.models import KpiSnapshot
    from knowledge.tasks import recompute_kpis_due

    two_in_tokyo = "2026-11-23T17:10:00+00:00"
    assert recompute_kpis_due.delay(two_in_tokyo).get(timeout=WAIT_SECONDS) == [world.acme.pk, world.rival.pk]

    def vendors_with_rows():
        with scopes_disabled():
            return set(KpiSnapshot.objects.values_list("vendor_id", flat=True).distinct())

    assert wait_until(lambda: vendors_with_rows() == {world.acme.pk, world.rival.pk}), vendors_with_rows()


def test_an_approval_reaches_the_bell_and_the_mailbox_through_the_worker(worker, world):
    from django.core import mail
    from django_scopes import scopes_disabled

    from deals import workflow
    from notifications.models import Notification
    from prm.models import OutgoingMail
    from prm.tenancy import vendor_scope
    from tests.conftest import access_of
    from tests.deals.conftest import register

    deal = register(world, world.partner_rep, submit=True)
    with vendor_scope(world.acme):
        workflow.deal_transition(
            access=access_of(world.channel_manager, world.acme), deal=deal, action="approve"
        )

    def told() -> set:
        with scopes_disabled():
            return set(
                Notification.objects.filter(kind="deal.approved").values_list("recipient__email", flat=True)
            )

    assert wait_until(lambda: told() == {"rep@alpha.example", "padmin@alpha.example"})
    with scopes_disabled():
        assert wait_until(lambda: OutgoingMail.objects.filter(sent_at=None).count() == 0)
    assert {m.to[0] for m in mail.outbox} >= {"rep@alpha.example", "padmin@alpha.example", "cm@acme.example"}


def test_a_webhook_is_delivered_by_the_worker(worker, world, settings):
    from django_scopes import scopes_disabled

    from tests.deals.conftest import register
    from tests.webhooks.test_deliveries import Receiver, add_hook
    from webhooks.models import WebhookDelivery

    settings.WEBHOOK_ALLOW_PRIVATE = True
    receiver = Receiver()
    try:
        add_hook(world, receiver.url, events=["deal.submitted"])
        deal = register(world, world.partner_rep, submit=True)
        assert wait_until(lambda: len(receiver.requests) == 1)
        assert receiver.bodies()[0]["data"]["deal"]["id"] == deal.pk
        with scopes_disabled():
            assert wait_until(lambda: WebhookDelivery.objects.filter(delivered_at__isnull=False).count() == 1)
    finally:
        receiver.server.shutdown()
        receiver.server.server_close()
