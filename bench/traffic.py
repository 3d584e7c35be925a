"""Simulated partner reps for ``make load`` and ``make faults``: each creates and updates its own deals through the
API, reads the deal list and the KPI API, and opens the dashboard and KPI pages with a signed-in session.

Every rep works one request after another (no pause) on 127.0.0.1. Each answer is kept as a sample (when it was
sent, endpoint, status, milliseconds); every write the server acknowledged goes into the :class:`Ledger`
(deal id, version and the fields sent), so that afterwards :func:`reconcile` can check the database holds each one.
"""

import asyncio
import json
import random
import re
import statistics
import time
from dataclasses import dataclass, field
from datetime import date, timedelta
from urllib.parse import urlencode

TIMEOUT_SECONDS = 30
OPEN_PHASES = ["information_gathering", "problem_definition", "evaluation", "proposal", "pre_approval"]
# What a rep does, with weights: writes through the API, reads of lists, KPIs and pages.
ACTIONS = {
    "create": 15,
    "update": 25,
    "list": 25,
    "dashboard": 15,
    "kpi_page": 10,
    "kpi_api": 10,
}
ENDPOINTS = {
    "create": "POST /api/v1/vendors/{v}/deals/",
    "update": "PATCH /api/v1/vendors/{v}/deals/{id}/",
    "list": "GET /api/v1/vendors/{v}/deals/",
    "kpi_api": "GET /api/v1/vendors/{v}/kpis/",
    "dashboard": "GET /v/{v}/",
    "kpi_page": "GET /v/{v}/kpis/",
    "login": "POST /accounts/login/",
}
EXPECTED = {"create": 201, "update": 200}


@dataclass
class Rep:
    number: int
    email: str
    vendor: str
    token: str
    session: str = ""
    deals: dict[int, int] = field(default_factory=dict)  # deal id → version acknowledged last
    created: int = 0


@dataclass
class Sample:
    at: float  # seconds since the traffic started, when the request was sent
    action: str
    status: int  # 0: no answer (connection refused or reset, timeout)
    ms: float


@dataclass
class Ledger:
    acknowledged: dict[int, dict] = field(
        default_factory=dict
    )  # deal id → fields and version of the last ack
    unacknowledged: set[int] = field(default_factory=set)  # deals with a write that got no answer
    creates_unanswered: int = 0
    creates: int = 0  # acknowledged
    updates: int = 0  # acknowledged


@dataclass
class Traffic:
    samples: list[Sample] = field(default_factory=list)
    ledger: Ledger = field(default_factory=Ledger)
    failures: list[str] = field(default_factory=list)  # a few examples of failed requests
    seconds: float = 0.0

    def fail(self, text: str) -> None:
        if len(self.failures) < 30:
            self.failures.append(text)


# -- HTTP/1.1 over asyncio ------------------------------------------------------------------------------------
async def http(port: int, method: str, path: str, headers: dict[str, str], body: bytes = b""):
    """One request on a new connection: (status, lower-cased headers with every Set-Cookie, body)."""

    async def exchange():
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
        try:
            lines = [f"{method} {path} HTTP/1.1", "Host: 127.0.0.1", "Connection: close"]
            lines += [f"{name}: {value}" for name, value in headers.items()]
            if body or method in ("POST", "PATCH"):
                lines.append(f"Content-Length: {len(body)}")
            writer.write(("\r\n".join(lines) + "\r\n\r\n").encode() + body)
            head = await reader.readuntil(b"\r\n\r\n")
            status_line, *header_lines = head.decode("latin-1").split("\r\n")
            status = int(status_line.split()[1])
            fields: dict[str, str] = {}
            cookies = []
            for line in header_lines:
                name, _sep, value = line.partition(":")
                if name.lower() == "set-cookie":
                    cookies.append(value.strip())
                elif name:
                    fields[name.strip().lower()] = value.strip()
            fields["set-cookie"] = cookies
            if "content-length" in fields:
                data = await reader.readexactly(int(fields["content-length"]))
            elif fields.get("transfer-encoding", "").lower() == "chunked":
                data = b""
                while size := int((await reader.readuntil(b"\r\n")).strip(), 16):
                    data += (await reader.readexactly(size + 2))[:-2]
                await reader.readuntil(b"\r\n")
            else:
                data = await reader.read()
            return status, fields, data
        finally:
            writer.close()

    return await asyncio.wait_for(exchange(), TIMEOUT_SECONDS)


def _cookie(fields: dict, name: str) -> str | None:
    for line in fields.get("set-cookie", []):
        key, _sep, rest = line.partition("=")
        if key.strip() == name:
            return rest.split(";", 1)[0]
    return None


async def login(port: int, email: str, password: str) -> str:
    """Sign in through the login form (CSRF cookie and token, then the POST); returns the session id."""
    status, fields, body = await http(port, "GET", "/accounts/login/", {})
    csrf_cookie = _cookie(fields, "csrftoken")
    match = re.search(rb'name="csrfmiddlewaretoken" value="([^"]+)"', body)
    if status != 200 or not csrf_cookie or not match:
        raise RuntimeError(f"login page answered {status} without a CSRF token")
    form = urlencode({"csrfmiddlewaretoken": match.group(1).decode(), "login": email, "password": password})
    status, fields, _body = await http(
        port,
        "POST",
        "/accounts/login/",
        {"Cookie": f"csrftoken={csrf_cookie}", "Content-Type": "application/x-www-form-urlencoded"},
        form.encode(),
    )
    session = _cookie(fields, "sessionid")
    if status != 302 or not session:
        raise RuntimeError(f"login of {email} answered {status} without a session")
    return session


# -- the reps -------------------------------------------------------------------------------------------------
def deal_body(rep: Rep, rng: random.Random) -> dict:
    rep.created += 1
    return {
        "customer_name": f"負荷試験 株式会社 {rep.number:02d}-{rep.created:04d}",
        "title": f"load rep{rep.number:02d} deal {rep.created}",
        "amount": rng.randrange(1_000_000, 90_000_000, 1000),
        "close_date": (date.today() + timedelta(days=rng.randrange(10, 150))).isoformat(),
        "phase": rng.choice(OPEN_PHASES[:3]),
        "proposal_reason": "負荷試験のための案件",
    }


async def act(port: int, rep: Rep, action: str, rng: random.Random, traffic: Traffic, started: float) -> None:
    api = {"Authorization": f"Token {rep.token}", "Accept": "application/json"}
    page = {"Cookie": f"sessionid={rep.session}", "Accept-Language": "ja"}
    sent = None
    deal_id = None
    if action == "create":
        sent = deal_body(rep, rng)
        request = (
            "POST",
            f"/api/v1/vendors/{rep.vendor}/deals/",
            {**api, "Content-Type": "application/json"},
        )
    elif action == "update":
        deal_id = rng.choice(list(rep.deals))
        sent = {
            "version": rep.deals[deal_id],
            "amount": rng.randrange(1_000_000, 90_000_000, 1000),
            "phase": rng.choice(OPEN_PHASES),
            "close_date": (date.today() + timedelta(days=rng.randrange(10, 150))).isoformat(),
        }
        request = (
            "PATCH",
            f"/api/v1/vendors/{rep.vendor}/deals/{deal_id}/",
            {**api, "Content-Type": "application/json"},
        )
    elif action == "list":
        request = ("GET", f"/api/v1/vendors/{rep.vendor}/deals/", api)
    elif action == "kpi_api":
        request = ("GET", f"/api/v1/vendors/{rep.vendor}/kpis/?group_by=partner", api)
    elif action == "dashboard":
        request = ("GET", f"/v/{rep.vendor}/", page)
    else:
        request = ("GET", f"/v/{rep.vendor}/kpis/", page)
    method, path, headers = request
    body = json.dumps(sent).encode() if sent is not None else b""
    began = time.monotonic()
    try:
        status, _fields, answer = await http(port, method, path, headers, body)
    except (TimeoutError, OSError, asyncio.IncompleteReadError, ValueError) as error:
        status, answer = 0, repr(error).encode()
    ms = (time.monotonic() - began) * 1000
    traffic.samples.append(Sample(round(began - started, 3), action, status, round(ms, 1)))
    expected = EXPECTED.get(action, 200)
    if status != expected:
        traffic.fail(f"{method} {path} → {status}: {answer[:200].decode(errors='replace')}")
    if action not in EXPECTED:
        return
    ledger = traffic.ledger
    if status != expected:
        if action == "create":
            ledger.creates_unanswered += 1 if status == 0 or status >= 500 else 0
        elif status == 0 or status >= 500:
            ledger.unacknowledged.add(deal_id)
        return
    data = json.loads(answer)
    deal_id = data["id"]
    if action == "create":
        ledger.creates += 1
    else:
        ledger.updates += 1
    rep.deals[deal_id] = data["version"]
    state = dict(ledger.acknowledged.get(deal_id, {}))
    state.update({key: value for key, value in sent.items() if key != "version"})
    state["version"] = data["version"]
    ledger.acknowledged[deal_id] = state


async def rep_loop(port: int, rep: Rep, deadline: float, traffic: Traffic, started: float, seed: int) -> None:
    rng = random.Random(seed)
    names, weights = list(ACTIONS), list(ACTIONS.values())
    while time.monotonic() < deadline:
        action = rng.choices(names, weights)[0]
        if action == "update" and not rep.deals:
            action = "create"
        await act(port, rep, action, rng, traffic, started)


def run_traffic(port: int, reps: list[Rep], seconds: float, *, events=None, seed: int = 7) -> Traffic:
    """All ``reps`` at once for ``seconds``. ``events`` is a list of ``(at_seconds, callable)`` run in a thread
    at those moments (the fault drills stop and start services while the reps work)."""

    async def main() -> Traffic:
        traffic = Traffic()
        started = time.monotonic()
        deadline = started + seconds
        jobs = [rep_loop(port, rep, deadline, traffic, started, seed + rep.number) for rep in reps]
        jobs += [_event(started + at, call) for at, call in events or []]
        await asyncio.gather(*jobs)
        traffic.seconds = time.monotonic() - started
        return traffic

    return asyncio.run(main())


async def _event(at: float, call) -> None:
    await asyncio.sleep(max(0.0, at - time.monotonic()))
    await asyncio.to_thread(call)


def sign_in(port: int, reps: list[Rep], password: str) -> None:
    from bench.services import StackFailed

    async def main():
        sessions = await asyncio.gather(*(login(port, rep.email, password) for rep in reps))
        for rep, session in zip(reps, sessions, strict=True):
            rep.session = session

    try:
        asyncio.run(main())
    except (RuntimeError, OSError) as error:
        raise StackFailed(f"signing the reps in failed: {error}") from error


# -- figures --------------------------------------------------------------------------------------------------
def percentile(values: list[float], fraction: float) -> float:
    if not values:
        return 0.0
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(fraction * len(ordered)) - 1))]


def summary(samples: list[Sample], seconds: float) -> dict:
    """Requests/s, latency percentiles and statuses per endpoint and in all."""
    by_action: dict[str, list[Sample]] = {}
    for sample in samples:
        by_action.setdefault(sample.action, []).append(sample)

    def figures(group: list[Sample], action: str | None) -> dict:
        ms = [s.ms for s in group if s.status]
        statuses: dict[str, int] = {}
        for s in group:
            statuses[str(s.status)] = statuses.get(str(s.status), 0) + 1
        errors = sum(1 for s in group if s.status != (EXPECTED.get(action, 200) if action else s.status))
        return {
            "requests": len(group),
            "rps": round(len(group) / seconds, 1) if seconds else 0.0,
            "p50_ms": round(percentile(ms, 0.50), 1),
            "p95_ms": round(percentile(ms, 0.95), 1),
            "p99_ms": round(percentile(ms, 0.99), 1),
            "mean_ms": round(statistics.fmean(ms), 1) if ms else 0.0,
            "statuses": statuses,
            "errors": errors,
        }

    endpoints = {ENDPOINTS[action]: figures(group, action) for action, group in sorted(by_action.items())}
    total = figures(samples, None)
    total["errors"] = sum(item["errors"] for item in endpoints.values())
    return {"endpoints": endpoints, "total": total}


def reconcile(ledger: Ledger) -> dict:
    """Every acknowledged create and update is in the database: the deal exists, with the acknowledged version
    and fields, or a later version only where a write got no answer (it may have been applied)."""
    from django.db import connections
    from django_scopes import scopes_disabled

    from deals.models import Deal

    connections.close_all()
    ids = list(ledger.acknowledged)
    with scopes_disabled():
        rows = {
            row["pk"]: row
            for row in Deal.objects.filter(pk__in=ids).values(
                "pk", "version", "amount", "phase", "close_date", "title"
            )
        }
    missing, stale, different, later = [], [], [], []
    for deal_id, acked in ledger.acknowledged.items():
        row = rows.get(deal_id)
        if row is None:
            missing.append(deal_id)
            continue
        if row["version"] < acked["version"]:
            stale.append(deal_id)
            continue
        if row["version"] > acked["version"]:
            (later if deal_id in ledger.unacknowledged else different).append(deal_id)
            continue
        stored = {
            "amount": int(row["amount"]),
            "phase": row["phase"],
            "close_date": row["close_date"].isoformat() if row["close_date"] else None,
        }
        if "title" in acked:
            stored["title"] = row["title"]
        wanted = {key: acked[key] for key in stored}
        if stored != wanted:
            different.append(deal_id)
    return {
        "acknowledged_creates": ledger.creates,
        "acknowledged_updates": ledger.updates,
        "deals_checked": len(ids),
        "missing": len(missing),
        "older_version": len(stale),
        "different_fields": len(different),
        "later_version_after_unanswered_write": len(later),
        "creates_without_answer": ledger.creates_unanswered,
        "examples": {
            "missing": missing[:10],
            "older_version": stale[:10],
            "different_fields": different[:10],
        },
    }
