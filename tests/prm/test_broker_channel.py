"""A worker's broker connection that Redis drops while the worker holds unacknowledged tasks closes cleanly.

Celery 5.7's consumer, on losing Redis, collects the connection and then closes it once more. With kombu's own
``Channel.close`` the first close stopped at the failed read of the pending BRPOP reply, and the second one
crashed the worker (``'NoneType' object has no attribute 'hostname'``) while giving back its unacknowledged
tasks (prm.celery). The fault drill (``make faults``) shows the same with a real worker and a stopped Redis.
"""

from unittest import mock

import pytest
from django.conf import settings
from kombu import Connection
from redis.exceptions import ConnectionError as RedisConnectionError

from prm.celery import app

pytestmark = pytest.mark.skipif(
    not settings.REDIS_URL, reason="not applicable without REDIS_URL: there is no Redis broker"
)


def test_a_connection_lost_during_brpop_with_tasks_held_closes_after_collect():
    connection = Connection(settings.REDIS_URL, transport_options=app.conf.broker_transport_options)
    consuming = connection.default_channel
    consuming.qos._delivered["held-countdown-task"] = mock.Mock()  # received, not acknowledged
    consuming._in_poll = mock.Mock(name="connection")  # a BRPOP was sent on it and its reply is pending
    # The remote-control channel deletes its auto-delete fanout queue when it closes.
    control = connection.channel()
    control.client  # noqa: B018  (a client in use, as after a broadcast)
    control._fanout_queues["pidbox"] = ("celery.pidbox", "")
    control.auto_delete_queues.add("pidbox")
    lost = RedisConnectionError("Connection closed by server.")

    def brpop_read_of_a_lost_connection(self, **options):
        self._in_poll = None
        raise lost

    try:
        with (
            mock.patch.object(type(consuming), "_brpop_read", brpop_read_of_a_lost_connection),
            mock.patch.object(control, "queue_delete", side_effect=lost),
        ):
            connection.collect()  # what the worker does first on losing the broker
            connection.close()  # and then (Celery 5.7)
    finally:
        control.client.connection_pool.disconnect()  # its close stopped at the queue it could not delete

    assert consuming.closed
    assert not consuming.qos._delivered
