"""The Redis cache degrades when Redis is away: misses and dropped writes, never an error (``prm.cache``)."""

import socket
import time

import pytest
from django.conf import settings
from django.core.cache import caches
from django.test import override_settings
from django.urls import reverse

from prm.cache import DegradingRedisCache


def _closed_port() -> int:
    """A loopback port nothing listens on (connections are refused at once)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _away_cache_settings() -> dict:
    return {
        "default": {
            "BACKEND": "prm.cache.DegradingRedisCache",
            "LOCATION": f"redis://127.0.0.1:{_closed_port()}/0",
            "OPTIONS": {"socket_connect_timeout": 1, "socket_timeout": 1},
        }
    }


@pytest.fixture
def away():
    params = _away_cache_settings()["default"]
    return DegradingRedisCache(params["LOCATION"], params)


def test_reads_miss_and_writes_are_dropped_when_redis_is_away(away):
    started = time.monotonic()
    away.set("k", 1)
    assert away.get("k") is None
    assert away.get("k", "fallback") == "fallback"
    assert away.get_many(["k", "j"]) == {}
    assert away.has_key("k") is False
    assert away.delete("k") is False
    away.delete_many(["k", "j"])
    assert away.set_many({"k": 1, "j": 2}) == ["k", "j"]  # keys that were not stored
    assert away.touch("k") is False
    assert away.get_or_set("k", lambda: 7) == 7
    with pytest.raises(ValueError):
        away.incr("k")
    assert time.monotonic() - started < 3


def test_add_lets_the_caller_proceed_when_redis_is_away(away):
    # Marks and locks taken with add (KPI recompute marks, allauth's rate-limit lock) must not block work.
    assert away.add("mark", 1) is True


def test_after_a_failure_the_process_does_not_ask_redis_again_at_once(away, monkeypatch):
    away.get("k")
    calls = []
    monkeypatch.setattr(type(away).__mro__[1], "get", lambda *args, **kwargs: calls.append(args))
    assert away.get("k", "fallback") == "fallback"
    assert calls == []


@pytest.mark.skipif(not settings.REDIS_URL, reason="needs a real Redis (REDIS_URL)")
def test_works_as_a_cache_when_redis_is_there():
    cache = DegradingRedisCache(settings.REDIS_URL, {"KEY_PREFIX": f"test-degrading-cache-{time.time()}"})
    cache.set("k", {"a": 1}, 30)
    assert cache.get("k") == {"a": 1}
    assert cache.add("k", 2) is False
    assert cache.add("n", 1, 30) is True
    assert cache.incr("n") == 2
    cache.delete_many(["k", "n"])
    assert cache.get_many(["k", "n"]) == {}


@pytest.mark.django_db
def test_signed_in_pages_work_with_sessions_from_the_database_when_redis_is_away(world, client):
    with override_settings(CACHES=_away_cache_settings()):
        client.force_login(world.partner_rep, backend="django.contrib.auth.backends.ModelBackend")
        response = client.get(reverse("home"), follow=True)
        assert response.status_code == 200
        assert response.wsgi_request.user == world.partner_rep
    caches["default"].clear()


@pytest.mark.django_db
def test_failed_logins_are_answered_when_rate_limits_cannot_be_counted(world, client):
    with override_settings(CACHES=_away_cache_settings()):
        response = client.post(
            reverse("account_login"), {"login": world.partner_rep.email, "password": "wrong-password-1"}
        )
    assert response.status_code == 200
    assert not response.wsgi_request.user.is_authenticated
