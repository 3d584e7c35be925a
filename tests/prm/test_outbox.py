"""Tasks are never silently lost when the broker is away: they wait in the outbox and are sent later."""

import pytest
from django.db import transaction
from django_scopes import scopes_disabled
from kombu.exceptions import OperationalError

from knowledge.jobs import recompute_request
from knowledge.models import RecomputeRun, RunState
from knowledge.tasks import recompute_kpis
from meddic.tasks import rescore
from prm.celery import app
from prm.models import OutboxTask
from prm.outbox import enqueue, enqueue_on_commit, outbox_flush
from tests.conftest import access_of

pytestmark = pytest.mark.django_db


class Broker:
    """Stands in for ``apply_async`` of every task: records what was sent, or refuses while ``away``."""

    def __init__(self):
        self.away = False
        self.sent = []

    def apply_async(self, task, kwargs=None, ignore_result=False, **options):
        if self.away:
            raise OperationalError("Error 111 connecting to 127.0.0.1:6390. Connection refused.")
        # Nobody reads these results; a sender that asked for them would subscribe to each one on Redis.
        assert ignore_result is True
        self.sent.append((task.name, kwargs, options))


@pytest.fixture
def broker(monkeypatch):
    fake = Broker()
    for task in (rescore, recompute_kpis):
        monkeypatch.setattr(
            task, "apply_async", lambda kwargs=None, _t=task, **o: fake.apply_async(_t, kwargs, **o)
        )
    eager = app.conf.task_always_eager
    app.conf.task_always_eager = False
    try:
        yield fake
    finally:
        app.conf.task_always_eager = eager


def kept() -> list[tuple[str, dict, dict]]:
    with scopes_disabled():
        return [(row.task_name, row.kwargs, row.options) for row in OutboxTask.objects.order_by("pk")]


def test_a_task_the_broker_takes_is_sent_and_not_kept(broker):
    assert enqueue(rescore, {"vendor_id": 1}) is True
    assert broker.sent == [("meddic.tasks.rescore", {"vendor_id": 1}, {})]
    assert kept() == []


def test_a_task_the_broker_refuses_is_kept_then_sent_by_the_flush(broker):
    broker.away = True
    assert enqueue(rescore, {"vendor_id": 1}) is False
    assert enqueue(recompute_kpis, {"vendor_id": 2}, task_id="run-1") is False
    assert kept() == [
        ("meddic.tasks.rescore", {"vendor_id": 1}, {}),
        ("knowledge.tasks.recompute_kpis", {"vendor_id": 2}, {"task_id": "run-1"}),
    ]

    assert outbox_flush() == 0  # still away: kept, one more attempt counted
    with scopes_disabled():
        assert OutboxTask.objects.order_by("pk").first().attempts == 2
    assert len(kept()) == 2

    broker.away = False
    assert outbox_flush() == 2
    assert broker.sent == [
        ("meddic.tasks.rescore", {"vendor_id": 1}, {}),
        ("knowledge.tasks.recompute_kpis", {"vendor_id": 2}, {"task_id": "run-1"}),
    ]
    assert kept() == []


@pytest.mark.django_db(transaction=True)
def test_nothing_is_sent_or_kept_for_a_transaction_that_rolled_back(broker):
    broker.away = True
    with pytest.raises(RuntimeError), transaction.atomic():
        enqueue_on_commit(rescore, {"vendor_id": 1})
        raise RuntimeError
    assert kept() == []
    with transaction.atomic():
        enqueue_on_commit(rescore, {"vendor_id": 1})
    assert kept() == [("meddic.tasks.rescore", {"vendor_id": 1}, {})]


def test_a_recompute_asked_for_while_the_broker_is_away_waits_and_then_runs(
    world, broker, django_capture_on_commit_callbacks
):
    broker.away = True
    with django_capture_on_commit_callbacks(execute=True):
        run = recompute_request(access=access_of(world.vendor_admin, world.acme))
    with scopes_disabled():
        assert RecomputeRun.objects.get(pk=run.pk).state == RunState.PENDING  # not failed: it will start
    assert kept() == [
        ("knowledge.tasks.recompute_kpis", {"vendor_id": world.acme.pk}, {"task_id": run.task_id})
    ]

    broker.away = False
    outbox_flush()
    assert broker.sent == [
        ("knowledge.tasks.recompute_kpis", {"vendor_id": world.acme.pk}, {"task_id": run.task_id})
    ]


def test_in_process_tasks_run_as_before(world, monkeypatch):
    ran = []
    monkeypatch.setattr("meddic.tasks.scores_refresh", lambda *, vendor: ran.append(vendor) or 0)
    assert enqueue(rescore, {"vendor_id": world.acme.pk}) is True
    assert ran == [world.acme]
    assert kept() == []
