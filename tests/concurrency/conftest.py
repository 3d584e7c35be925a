"""Concurrency on real PostgreSQL: two requests (or jobs) at the same moment, each in its own thread with its
own database connection.

Threads start together at a barrier. Where the window between reading and writing is too small to hit by
chance, a test puts ``Race.meet`` into the service just after the lock it proves: there each thread waits
until the other one has either reached the same point too (the lock is missing: both are inside at once) or is
waiting for a database lock (the lock works: the second waits for the first to commit). So the race happens
on every run, and a test fails if the lock is taken away.

Skipped on SQLite, which serialises writers anyway and has no row locks to prove.
"""

import threading
import time
from collections.abc import Callable
from pathlib import Path

import pytest
from django.db import connection, connections
from rest_framework.test import APIClient

# How long a thread waits at the start barrier or for the other one at ``Race.meet``; never reached when the
# code under test behaves (a blocked thread is seen within milliseconds).
WAIT_SECONDS = 10
HERE = Path(__file__).parent


def pytest_collection_modifyitems(config, items):
    """Skip this directory's tests unless the database is PostgreSQL (before any test database is set up)."""
    if connection.vendor == "postgresql":
        return
    skip = pytest.mark.skip(reason="needs PostgreSQL (DATABASE_URL): row and advisory locks")
    for item in items:
        if HERE in item.path.parents:
            item.add_marker(skip)


class Race:
    """Runs calls in threads started at the same moment and lets them meet inside the code under test."""

    def __init__(self):
        self._local = threading.local()
        self._state = threading.Condition()
        self._arrived = 0
        self._pids: set[int] = set()
        self._departed = 0
        self.racers = 0
        self.lock_waits = 0  # how often a thread at ``meet`` saw the other one waiting for a database lock
        self.overlaps = 0  # how often both threads were at ``meet`` at once (nothing kept them apart)

    def run(self, *calls: Callable[[], object]) -> list:
        """Each call in its own thread, all released together; their results (or the exceptions they raised)
        in the order of the calls. Every thread closes its database connections when it ends."""
        self.racers = len(calls)
        start = threading.Barrier(len(calls), timeout=WAIT_SECONDS)
        results: list = [None] * len(calls)

        def racer(index: int, call: Callable[[], object]) -> None:
            try:
                with connection.cursor() as cursor:
                    cursor.execute("SELECT pg_backend_pid()")
                    self._local.pid = cursor.fetchone()[0]
                with self._state:
                    self._pids.add(self._local.pid)
                self._local.racing = True
                start.wait()
                results[index] = call()
            except BaseException as error:
                results[index] = error
            finally:
                self._local.racing = False
                connections.close_all()

        threads = [threading.Thread(target=racer, args=item) for item in enumerate(calls)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=6 * WAIT_SECONDS)
        assert not any(thread.is_alive() for thread in threads), "a racer never finished"
        return results

    def meet(self) -> None:
        """In a racing thread (once): wait until every racer got here or another one waits for a database lock.

        A thread arriving after another one went on has come after that one's lock was released: it goes on.
        """
        if not getattr(self._local, "racing", False) or getattr(self._local, "met", False):
            return
        self._local.met = True
        with self._state:
            self._arrived += 1
            self._state.notify_all()
            if self._departed:
                return
            others = list(self._pids - {self._local.pid})
        deadline = time.monotonic() + WAIT_SECONDS
        while time.monotonic() < deadline:
            with self._state:
                if self._arrived >= self.racers:
                    self.overlaps += 1
                    self._departed += 1
                    return
            if _waiting_for_a_lock(others):
                with self._state:
                    self.lock_waits += 1
                    self._departed += 1
                return
            with self._state:
                self._state.wait(0.005)
        # The other racer finished or failed before getting here: no race to wait for; the assertions judge.

    @property
    def took_turns(self) -> bool:
        """The first racer at ``meet`` saw the other waiting for its lock, and they were never inside together."""
        return self.lock_waits == 1 and self.overlaps == 0


def _waiting_for_a_lock(pids: list[int]) -> bool:
    """Whether one of these backends waits for a lock (row, tuple, transaction or advisory); ``pg_locks`` is
    read live, unlike ``pg_stat_activity`` which a transaction sees as a snapshot."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT EXISTS (SELECT 1 FROM pg_locks WHERE pid = ANY(%s) AND NOT granted)", [pids])
        return cursor.fetchone()[0]


@pytest.fixture
def race(monkeypatch):
    """A ``Race``; ``race.meet_in(module, name)`` makes ``module.name`` meet before doing its work (``after=True``:
    once its work is done, e.g. right after it took a lock)."""
    race = Race()

    def meet_in(module, name: str, *, after: bool = False) -> None:
        original = getattr(module, name)

        def meeting(*args, **kwargs):
            if not after:
                race.meet()
            result = original(*args, **kwargs)
            if after:
                race.meet()
            return result

        monkeypatch.setattr(module, name, meeting)

    race.meet_in = meet_in
    return race


@pytest.fixture
def api_for():
    """``api_for(user)``: a new API client with its own session for ``user``, answering in English."""

    def make(user) -> APIClient:
        client = APIClient(HTTP_ACCEPT_LANGUAGE="en")
        client.force_login(user, backend="django.contrib.auth.backends.ModelBackend")
        return client

    return make
