"""Celery app. Tasks take ids, re-enter the vendor scope and call a service; they are enqueued on commit."""

import os

from celery import Celery
from celery.contrib.django.task import DjangoTask
from celery.schedules import crontab
from kombu.transport import redis as kombu_redis

from prm.env import env_int

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "prm.settings")


def _redis_channel_close_completes_without_redis() -> None:
    """Keep the worker alive when Redis goes away while it holds unacknowledged tasks (kombu/celery 5.7).

    kombu's Redis ``Channel.close`` first reads the reply of the BRPOP it has sent; with Redis gone that read
    raises a connection error and the channel is left half-closed (not marked closed). Celery 5.7's consumer,
    on losing the broker, calls ``Connection.collect()`` (which detaches the transport: ``transport.client =
    None``) and then closes the connection again. That second close of the half-closed channel gives back the
    worker's unacknowledged tasks (those waiting out a countdown, such as the debounced KPI recompute) through a
    new Redis pool built from ``transport.client.hostname``: ``AttributeError: 'NoneType' object has no attribute
    'hostname'``, which is not a connection error, so the worker exits ("Unrecoverable error") instead of
    reconnecting. A failed read is treated here like an empty one (its reply is lost with the connection either
    way), so the first close completes and the second does nothing. Unacknowledged tasks stay in Redis's unacked
    hash and are delivered again after the visibility timeout.
    """
    close = kombu_redis.Channel.close
    if getattr(close, "completes_without_redis", False):
        return

    def close_completing(self):
        if self._in_poll:
            try:
                self._brpop_read()
            except kombu_redis.Empty:
                pass
            except self.connection_errors:
                pass  # Redis is gone; the channel is closed all the same
        close(self)

    close_completing.completes_without_redis = True
    kombu_redis.Channel.close = close_completing


_redis_channel_close_completes_without_redis()

app = Celery("prm")
app.config_from_object("django.conf:settings", namespace="CELERY")

LONGEST_TASK_SECONDS = 60 * 60
# A late-acknowledged task of a lost worker is delivered again after this long unacknowledged: above the longest
# task by default; fault drills shorten it (CELERY_VISIBILITY_TIMEOUT).
VISIBILITY_TIMEOUT = env_int("CELERY_VISIBILITY_TIMEOUT", default=LONGEST_TASK_SECONDS * 2, minimum=1)
# Beat sends the tasks kept in the outbox while the broker was away this often (prm.outbox).
OUTBOX_FLUSH_SECONDS = env_int("OUTBOX_FLUSH_SECONDS", default=60, minimum=1)
# Redis that is away fails a publish or a result read within seconds instead of hanging a request.
REDIS_SOCKET_OPTIONS = {"socket_connect_timeout": 2, "socket_timeout": 10}
# Workers look for such tasks every few seconds (kombu's default sweep is only every ~100 s).
RESTORE_OPTIONS = {
    "unacked_restore_interval": min(10, max(1, VISIBILITY_TIMEOUT // 5)),
    "unacked_restore_throttle": 1,
}

app.conf.update(
    task_serializer="json",
    result_serializer="json",
    accept_content=["json"],
    timezone="Asia/Tokyo",
    enable_utc=True,
    task_time_limit=LONGEST_TASK_SECONDS,
    task_soft_time_limit=LONGEST_TASK_SECONDS - 60,
    # Late acknowledgement is opted into per task, only where running twice is harmless (idempotent upserts).
    task_acks_late=False,
    task_reject_on_worker_lost=False,
    worker_prefetch_multiplier=1,
    broker_transport_options={
        "visibility_timeout": VISIBILITY_TIMEOUT,
        **REDIS_SOCKET_OPTIONS,
        **RESTORE_OPTIONS,
    },
    result_backend_transport_options={"visibility_timeout": VISIBILITY_TIMEOUT, **REDIS_SOCKET_OPTIONS},
    result_expires=60 * 60 * 24,
    broker_connection_retry_on_startup=True,
    task_track_started=True,
    beat_schedule={
        "outbox-flush": {"task": "prm.tasks.outbox_flush", "schedule": OUTBOX_FLUSH_SECONDS},
        "mail-flush": {"task": "prm.tasks.mail_flush", "schedule": 60},
        "webhook-retries": {"task": "webhooks.tasks.webhook_retry_due_all", "schedule": 60},
        # Each vendor's daily digests go out in its own 08:00 hour (notifications.digest).
        "daily-digests": {"task": "notifications.tasks.digests_due", "schedule": crontab(minute="0,30")},
        "mail-prune": {"task": "prm.tasks.mail_prune", "schedule": crontab(hour=3, minute=40)},
        "expire-invitations": {
            "task": "partners.tasks.expire_invitations_all",
            "schedule": crontab(hour=1, minute=30),
        },
        "rescore-deals": {
            "task": "meddic.tasks.rescore_all",
            "schedule": crontab(hour=1, minute=15),
        },
        "recompute-kpis": {
            # Half-hourly; each vendor's run starts at 02:00 in its own time zone (knowledge.tasks).
            "task": "knowledge.tasks.recompute_kpis_due",
            "schedule": crontab(minute="0,30"),
        },
        "expire-registration-protection": {
            "task": "deals.tasks.expire_protection_all",
            "schedule": crontab(hour=1, minute=0),
        },
    },
)


class VendorTask(DjangoTask):
    """A task whose first keyword argument is ``vendor_id``: the body runs inside that vendor's scope.

    Enqueue with ``delay_on_commit``/``apply_async_on_commit`` from services so a rolled-back transaction
    never starts work on rows that do not exist.
    """

    abstract = True

    def __call__(self, *args, **kwargs):
        from django_scopes import scopes_disabled

        from partners.models import Vendor
        from prm.tenancy import vendor_scope

        vendor_id = kwargs.get("vendor_id")
        if vendor_id is None:
            raise TypeError(f"{self.name} must be called with vendor_id=…")
        with scopes_disabled():
            vendor = Vendor.objects.get(pk=vendor_id)
        with vendor_scope(vendor):
            return super().__call__(*args, **kwargs)


app.autodiscover_tasks()
