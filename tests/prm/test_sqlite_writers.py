"""The embedded default takes concurrent writers: 8 reps register and submit deals at the same moment against the
demo as ``make run`` serves it (a SQLite file, ``runserver``, in-process tasks), and nobody gets an error.

The server runs in a subprocess with the production settings module and ``DEBUG=true``, exactly as ``make run``
starts it, on its own database file; the test reads that file afterwards to find every acknowledged write.
"""

import os
import socket
import sqlite3
import subprocess
import sys
import threading
import time
from collections import Counter
from datetime import date, timedelta

import pytest
import requests

from tests.prm.conftest import BASE_DIR, PASSED_THROUGH

WRITERS = 8
DEALS_EACH = 4
DEMO_PASSWORD = "demo-pass-2026"
# Shorter than the default 20 s, so that the lock-timeout test waits less; the 8 writers still queue well within it.
BUSY_TIMEOUT_SECONDS = 5
REPS = [f"rep{n}@{company}.example" for company in ("tss", "oitp", "ndk", "fci") for n in (1, 2)]

pytestmark = pytest.mark.skipif(
    bool(os.environ.get("DATABASE_URL")),
    reason="the embedded default is SQLite; this is the SQLite run's test",
)


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture(scope="module")
def demo_server(tmp_path_factory):
    """``make run`` on a database file of its own: migrate, seed the demo, serve with runserver."""
    directory = tmp_path_factory.mktemp("demo")
    port = _free_port()
    env = {key: os.environ[key] for key in PASSED_THROUGH if key in os.environ}
    env.update(
        DJANGO_SETTINGS_MODULE="prm.settings",
        DEBUG="true",
        DATABASE_URL=f"sqlite:///{directory / 'db.sqlite3'}",
        SITE_URL=f"http://127.0.0.1:{port}",
        MEDIA_ROOT=str(directory / "media"),
        SQLITE_BUSY_TIMEOUT=str(BUSY_TIMEOUT_SECONDS),
    )
    manage = [sys.executable, str(BASE_DIR / "manage.py")]
    for command in (["migrate", "--no-input"], ["seed_demo"]):
        subprocess.run([*manage, *command], env=env, cwd=BASE_DIR, check=True, capture_output=True)  # noqa: S603
    log = (directory / "server.log").open("w")
    server = subprocess.Popen(  # noqa: S603
        [*manage, "runserver", "--noreload", f"127.0.0.1:{port}"],
        env=env,
        cwd=BASE_DIR,
        stdout=log,
        stderr=log,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(100):
            try:
                if requests.get(f"{base}/healthz", timeout=2).status_code == 200:
                    break
            except requests.ConnectionError:
                time.sleep(0.2)
        else:
            pytest.fail(f"runserver did not answer: {(directory / 'server.log').read_text()[-2000:]}")
        yield base, directory / "db.sqlite3"
    finally:
        server.terminate()
        server.wait(timeout=10)
        log.close()


def _token(base: str, email: str) -> str:
    response = requests.post(
        f"{base}/api/v1/auth/token/", json={"email": email, "password": DEMO_PASSWORD}, timeout=30
    )
    assert response.status_code in (200, 201), response.text
    return response.json()["token"]


def _deal_body(number: int, index: int) -> dict:
    return {
        "customer_name": f"同時書き込み 株式会社 {number:02d}-{index}",
        "title": f"writer {number} deal {index}",
        "amount": 1_000_000 * (index + 1),
        "close_date": (date.today() + timedelta(days=60)).isoformat(),
        "phase": "information_gathering",
        "proposal_reason": "同時に登録する",
    }


def _register_and_submit(base: str, token: str, number: int, start: threading.Barrier, outcome: dict) -> None:
    session = requests.Session()
    session.headers.update({"Authorization": f"Token {token}", "Accept-Language": "ja"})
    deals = f"{base}/api/v1/vendors/kumo/deals/"
    start.wait()
    for index in range(DEALS_EACH):
        created = session.post(deals, json=_deal_body(number, index), timeout=60)
        outcome["statuses"].append(created.status_code)
        if created.status_code != 201:
            outcome["errors"].append(created.text[:300])
            continue
        deal = created.json()["id"]
        outcome["created"].append(deal)
        submitted = session.post(f"{deals}{deal}/submit/", json={}, timeout=60)
        outcome["statuses"].append(submitted.status_code)
        if submitted.status_code == 200:
            outcome["submitted"].append(deal)
        else:
            outcome["errors"].append(submitted.text[:300])


def test_eight_reps_register_and_submit_at_once_without_an_error(demo_server):
    base, database = demo_server
    tokens = [_token(base, email) for email in REPS]
    start = threading.Barrier(WRITERS)
    outcome = {"statuses": [], "errors": [], "created": [], "submitted": []}
    threads = [
        threading.Thread(target=_register_and_submit, args=(base, token, number, start, outcome))
        for number, token in enumerate(tokens)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=300)

    assert outcome["errors"] == [], Counter(outcome["statuses"])
    assert len(outcome["created"]) == len(outcome["submitted"]) == WRITERS * DEALS_EACH
    with sqlite3.connect(database) as db:
        assert db.execute("PRAGMA journal_mode").fetchone() == ("wal",)
        placeholders = ",".join("?" * len(outcome["created"]))
        stored = dict(
            db.execute(
                f"SELECT id, registration_status FROM deals_deal WHERE id IN ({placeholders})",  # noqa: S608 - placeholders only
                outcome["created"],
            ).fetchall()
        )
    assert stored == dict.fromkeys(outcome["created"], "submitted")


def test_a_write_that_waits_longer_than_the_busy_timeout_is_a_translated_503(demo_server):
    base, database = demo_server
    token = _token(base, REPS[0])
    holder = sqlite3.connect(database, isolation_level=None)
    holder.execute("BEGIN IMMEDIATE")  # someone else holds the write lock for longer than the busy timeout
    try:
        response = requests.post(
            f"{base}/api/v1/vendors/kumo/deals/",
            json=_deal_body(99, 0),
            headers={"Authorization": f"Token {token}", "Accept-Language": "ja"},
            timeout=60,
        )
    finally:
        holder.execute("ROLLBACK")
        holder.close()
    assert response.status_code == 503
    assert response.headers["Retry-After"] == "5"
    assert response.json() == {
        "detail": "サービスが一時的に利用できません。しばらくしてからもう一度お試しください。"
    }
