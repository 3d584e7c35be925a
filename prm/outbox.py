"""Sending Celery tasks without losing them when the broker is away.

Every service and task enqueues through :func:`enqueue` (or :func:`enqueue_on_commit`). A publish that fails
because the broker cannot be reached (after Celery's short publish retries, see ``prm.settings``) is logged and
kept as an :class:`~prm.models.OutboxTask` row; :func:`outbox_flush` sends the kept tasks again, oldest first. Beat
runs it every ``OUTBOX_FLUSH_SECONDS`` and every worker asks for it when it starts. The caller's request or task
carries on: a task is sent late, never silently dropped. Every task sent this way is idempotent (they recompute
from facts or act on rows still due), so a task sent twice — a publish that failed after all reached the broker —
does no harm.

With in-process (eager) tasks there is no broker: tasks run, and their errors propagate, as before.
"""

import logging
from functools import partial

from django.db import transaction
from django_scopes import scopes_disabled
from kombu.exceptions import OperationalError
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError

from prm.models import OutboxTask

logger = logging.getLogger(__name__)

BROKER_UNAVAILABLE = (
    OperationalError,
    RedisConnectionError,
    RedisTimeoutError,
    ConnectionError,
    TimeoutError,
)
FLUSH_BATCH = 500


def enqueue(task, kwargs: dict, **options) -> bool:
    """Send ``task`` with ``kwargs`` (and ``apply_async`` options such as ``task_id`` or ``countdown``) now.

    True when the broker took it; False when it was kept in the outbox to be sent later."""
    if task.app.conf.task_always_eager:
        task.apply_async(kwargs=kwargs, **options)
        return True
    try:
        _send(task, kwargs, options)
    except BROKER_UNAVAILABLE as error:
        logger.warning("Broker unavailable, task %s kept in the outbox: %s", task.name, error)
        with scopes_disabled():  # a platform table, written as the connecting role
            OutboxTask.objects.create(
                task_name=task.name, kwargs=kwargs, options=options, last_error=str(error)
            )
        return False
    return True


def _send(task, kwargs: dict, options: dict) -> None:
    # Nobody waits for these results (a followed run's state is in the database). Ignoring them also keeps the
    # sending process from subscribing to each result on Redis, which retries for many seconds, then fails the
    # send, while Redis is away.
    task.apply_async(kwargs=kwargs, ignore_result=True, **options)


def enqueue_on_commit(task, kwargs: dict, **options) -> None:
    """:func:`enqueue` once the current transaction commits (never for work a rollback undid)."""
    transaction.on_commit(partial(enqueue, task, kwargs, **options))


def outbox_flush(limit: int = FLUSH_BATCH) -> int:
    """Send kept tasks, oldest first; stop at the first that the broker still refuses. Returns how many went.

    Rows are locked while sent (``skip_locked``), so two flushes at once do not send a task twice."""
    from prm.celery import app

    app.loader.import_default_modules()
    sent = 0
    with scopes_disabled(), transaction.atomic():
        rows = list(OutboxTask.objects.select_for_update(skip_locked=True).order_by("pk")[:limit])
        for row in rows:
            task = app.tasks.get(row.task_name)
            if task is None:
                logger.error("Outbox task %s is not a known task; kept", row.task_name)
                continue
            try:
                _send(task, row.kwargs, row.options)
            except BROKER_UNAVAILABLE as error:
                OutboxTask.objects.filter(pk=row.pk).update(attempts=row.attempts + 1, last_error=str(error))
                logger.warning("Broker still unavailable; %d outbox tasks wait", len(rows) - sent)
                break
            row.delete()
            sent += 1
    if sent:
        logger.info("Outbox: %d kept tasks sent", sent)
    return sent
