"""A Redis cache that degrades instead of failing when Redis is away.

Everything the cache holds here can be rebuilt or done without: sessions are ``cached_db`` (the database has
them), KPI answers are built again, recompute marks only spare duplicate work, rate limits count attempts. So a
Redis that is down, restarting or unreachable costs a warning in the log, never an error page: reads miss, writes
and deletes are dropped, and ``add`` answers True (the caller proceeds as if it had set the mark or taken the lock:
work that is idempotent is done, perhaps twice, rather than never; rate limits let attempts through meanwhile).

After a failure the cache is not asked again for ``RETRY_AFTER_SECONDS`` in that process, so a Redis that times
out costs one short timeout, not one per call.
"""

import logging
import time

from django.core.cache.backends.base import DEFAULT_TIMEOUT
from django.core.cache.backends.redis import RedisCache
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError

logger = logging.getLogger(__name__)

UNAVAILABLE = (RedisConnectionError, RedisTimeoutError, ConnectionError, TimeoutError)
RETRY_AFTER_SECONDS = 1.0


class DegradingRedisCache(RedisCache):
    """``django.core.cache.backends.redis.RedisCache`` whose operations fall back to a default when Redis is
    unavailable. Set short ``socket_connect_timeout`` and ``socket_timeout`` in ``OPTIONS``."""

    def __init__(self, server, params):
        super().__init__(server, params)
        self._down_until = 0.0

    def _degrade(self, default, method, *args, **kwargs):
        if time.monotonic() < self._down_until:
            return default
        try:
            return method(*args, **kwargs)
        except UNAVAILABLE as error:
            self._down_until = time.monotonic() + RETRY_AFTER_SECONDS
            logger.warning("Cache unavailable (%s): %s; going on without it", method.__name__, error)
            return default

    def add(self, key, value, timeout=DEFAULT_TIMEOUT, version=None):
        return self._degrade(True, super().add, key, value, timeout, version)

    def get(self, key, default=None, version=None):
        return self._degrade(default, super().get, key, default, version)

    def set(self, key, value, timeout=DEFAULT_TIMEOUT, version=None):
        self._degrade(None, super().set, key, value, timeout, version)

    def touch(self, key, timeout=DEFAULT_TIMEOUT, version=None):
        return self._degrade(False, super().touch, key, timeout, version)

    def delete(self, key, version=None):
        return self._degrade(False, super().delete, key, version)

    def get_many(self, keys, version=None):
        return self._degrade({}, super().get_many, keys, version)

    def has_key(self, key, version=None):
        return self._degrade(False, super().has_key, key, version)

    def incr(self, key, delta=1, version=None):
        # Without Redis nothing is known about the key: as for a missing key (ValueError), the caller decides.
        result = self._degrade(None, super().incr, key, delta, version)
        if result is None:
            raise ValueError(f"Key '{key}' not found (cache unavailable).")
        return result

    def set_many(self, data, timeout=DEFAULT_TIMEOUT, version=None):
        return self._degrade(list(data), super().set_many, data, timeout, version)

    def delete_many(self, keys, version=None):
        self._degrade(None, super().delete_many, keys, version)

    def clear(self):
        return self._degrade(False, super().clear)
