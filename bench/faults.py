"""Fault drills on the private stack (``bench.services``) while simulated reps work (``bench.traffic``).

1. ``kpi_sigkill``: SIGKILL the Celery worker (its whole process group) in the middle of a KPI recompute, start a
   new one; the task, acknowledged late, is delivered again and the KPIs equal those of an uninterrupted run.
2. ``redis_outage``: stop Redis during traffic and start it again (from its append-only file, as in
   docker-compose); pages and API keep answering (the cache degrades), a recompute asked for meanwhile waits in the
   outbox and runs once Redis is back, and the same worker process (nothing restarts it) reconnects and runs tasks.
3. ``postgres_restart``: stop PostgreSQL during traffic and start it again; meanwhile pages and the API answer 503
   with ``Retry-After`` (never 500); the same gunicorn and worker processes answer and run tasks afterwards.
"""

import json
import time
import urllib.error
import urllib.request

from bench.services import Stack
from bench.traffic import Rep, login, reconcile, run_traffic, summary

GRACE_SECONDS = 2.0  # after a service is back, before answers are expected to be normal again


def _db():
    """Django's connections are dropped first: the database may have restarted since the last query."""
    from django.db import connections

    connections.close_all()


def api(port: int, method: str, path: str, token: str) -> tuple[int, dict]:
    request = urllib.request.Request(
        f"http://127.0.0.1:{port}{path}", method=method, headers={"Authorization": f"Token {token}"}
    )
    try:
        with urllib.request.urlopen(request, timeout=30) as response:  # noqa: S310
            return response.status, json.load(response)
    except urllib.error.HTTPError as error:
        return error.code, {}


def probe(port: int, path: str, headers: dict) -> dict:
    """One GET: its status, ``Retry-After``, content type and, for JSON, ``detail``."""
    request = urllib.request.Request(f"http://127.0.0.1:{port}{path}", headers=headers)
    try:
        with urllib.request.urlopen(request, timeout=30) as response:  # noqa: S310
            status, fields, body = response.status, response.headers, response.read()
    except urllib.error.HTTPError as error:
        status, fields, body = error.code, error.headers, error.read()
    except OSError as error:
        return {"status": 0, "error": repr(error)}
    answer = {
        "status": status,
        "retry_after": fields.get("Retry-After"),
        "content_type": fields.get_content_type(),
    }
    if answer["content_type"] == "application/json":
        answer["detail"] = json.loads(body).get("detail")
    return answer


def staff_token(vendor_slug: str) -> str:
    """A new API token of a channel manager of the vendor."""
    from django_scopes import scopes_disabled

    from partners.models import Membership, Role
    from partners.services import api_token_issue

    _db()
    with scopes_disabled():
        membership = (
            Membership.objects.filter(vendor__slug=vendor_slug, role=Role.CHANNEL_MANAGER, is_active=True)
            .select_related("user")
            .order_by("user__email")
            .first()
        )
        return api_token_issue(user=membership.user)


def run_state(task_id: str) -> tuple[str, int]:
    from django_scopes import scopes_disabled

    from knowledge.models import RecomputeRun

    _db()
    with scopes_disabled():
        run = RecomputeRun.objects.get(task_id=task_id)
    return run.state, run.progress


def kpi_rows(vendor_slug: str) -> list[tuple]:
    """The vendor's KPI snapshot rows without their id and computation time, in a stable order."""
    from django_scopes import scopes_disabled

    from knowledge.models import KpiSnapshot

    _db()
    names = [
        f.name for f in KpiSnapshot._meta.concrete_fields if f.name not in ("id", "computed_at", "vendor")
    ]
    with scopes_disabled():
        rows = KpiSnapshot.objects.filter(vendor__slug=vendor_slug).values_list(*names)
        return sorted(tuple(json.dumps(v, sort_keys=True, default=str) for v in row) for row in rows)


def kpi_clear(vendor_slug: str) -> None:
    from django_scopes import scopes_disabled

    from knowledge.models import KpiSnapshot

    _db()
    with scopes_disabled():
        KpiSnapshot.objects.filter(vendor__slug=vendor_slug).delete()


def outbox_count() -> int:
    from prm.models import OutboxTask

    _db()
    return OutboxTask.objects.count()


def broker_backlog(port: int) -> tuple[int, int]:
    """Tasks the broker still holds: delivered but unacknowledged (kombu's ``unacked`` hash), and queued."""
    import redis

    client = redis.Redis(host="127.0.0.1", port=port, socket_connect_timeout=2)
    try:
        return client.hlen("unacked"), client.llen("celery")
    except redis.exceptions.ConnectionError:
        return (-1, -1)
    finally:
        client.close()


def wait_for(predicate, seconds: float, step: float = 0.25):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(step)
    return predicate()


class Drills:
    def __init__(self, stack: Stack, reps: list[Rep], password: str, say=print):
        self.stack, self.reps, self.password, self.say = stack, reps, password, say
        self.port = stack.web_port

    # -- 1 ---------------------------------------------------------------------------------------------------
    def kpi_sigkill(self, vendor_slug: str = "bulk-001") -> dict:
        stack, say = self.stack, self.say
        token = staff_token(vendor_slug)
        path = f"/api/v1/vendors/{vendor_slug}/kpis/recompute/"

        say(f"== 1. KPI recompute of {vendor_slug}: an uninterrupted run first")
        kpi_clear(vendor_slug)
        status, body = api(self.port, "POST", path, token)
        if status != 202:
            return {"ok": False, "problem": f"recompute request answered {status}"}
        started = time.monotonic()
        done = wait_for(lambda: run_state(body["task_id"])[0] in ("SUCCESS", "FAILURE"), 180)
        uninterrupted_s = time.monotonic() - started
        baseline = kpi_rows(vendor_slug)
        say(f"   {run_state(body['task_id'])[0]} in {uninterrupted_s:.1f} s, {len(baseline)} snapshot rows")
        if not done or not baseline:
            return {"ok": False, "problem": "the uninterrupted run did not finish with rows"}

        say("   the same recompute again; SIGKILL of the worker's process group while it runs")
        kpi_clear(vendor_slug)
        status, body = api(self.port, "POST", path, token)
        task_id = body.get("task_id")
        asked = time.monotonic()
        running = wait_for(lambda: run_state(task_id)[0] == "STARTED", 60, step=0.05)
        if not running:
            return {"ok": False, "problem": f"the run did not start ({run_state(task_id)})"}
        running_since = time.monotonic()
        wait_for(
            lambda: run_state(task_id)[1] >= 30 or time.monotonic() - running_since > 0.4 * uninterrupted_s,
            60,
            step=0.05,
        )
        killed_pid = stack.worker.pid
        stack.worker.kill()
        killed_at = time.monotonic()
        state_at_kill, progress_at_kill = run_state(task_id)
        rows_at_kill = len(kpi_rows(vendor_slug))
        say(
            f"   killed worker {killed_pid} at {state_at_kill} {progress_at_kill}%, {rows_at_kill} rows written"
        )

        offset = stack.log_size(stack.worker)
        stack.worker.start()
        stack.wait_for_worker(offset=offset)
        say(f"   new worker {stack.worker.pid} ready; waiting for the task to be delivered again")
        finished = wait_for(lambda: run_state(task_id)[0] in ("SUCCESS", "FAILURE"), 120)
        final_state = run_state(task_id)[0]
        again_after = time.monotonic() - killed_at
        rows = kpi_rows(vendor_slug)
        differences = len(set(rows) ^ set(baseline))
        ok = bool(
            finished
            and final_state == "SUCCESS"
            and state_at_kill == "STARTED"
            and rows_at_kill == 0
            and rows == baseline
        )
        say(
            f"   run {final_state} {again_after:.1f} s after the kill; {len(rows)} rows, {differences} differ from "
            "the uninterrupted run"
        )
        return {
            "ok": ok,
            "vendor": vendor_slug,
            "uninterrupted_run_s": round(uninterrupted_s, 1),
            "snapshot_rows_uninterrupted": len(baseline),
            "killed_after_s": round(killed_at - asked, 2),
            "state_at_kill": state_at_kill,
            "progress_at_kill": progress_at_kill,
            "rows_committed_at_kill": rows_at_kill,
            "final_state": final_state,
            "finished_after_kill_s": round(again_after, 1),
            "snapshot_rows_final": len(rows),
            "rows_differing_from_uninterrupted": differences,
            "visibility_timeout_s": int(stack.env.get("CELERY_VISIBILITY_TIMEOUT", "0")),
        }

    # -- 2 ---------------------------------------------------------------------------------------------------
    def redis_outage(self, seconds: float, down_at: float, up_at: float, vendor_slug: str) -> dict:
        stack, say = self.stack, self.say
        token = staff_token(vendor_slug)
        seen: dict = {}
        parts = {"web": stack.web, "worker": stack.worker, "beat": stack.beat}
        exits_before = {name: len(part.exits) for name, part in parts.items()}
        offsets = {name: stack.log_size(part) for name, part in parts.items()}
        worker_pid = stack.worker.pid

        def stop():
            # Tasks the worker has received and not acknowledged (recomputes waiting out their countdown): what
            # ended the worker before (prm.celery), and what the append-only file keeps for after the restart.
            seen["held_at_stop"] = broker_backlog(stack.redis_port)
            stack.redis.stop()
            seen["down"] = time.monotonic()

        def during():
            status, body = api(self.port, "POST", f"/api/v1/vendors/{vendor_slug}/kpis/recompute/", token)
            seen["recompute"] = (status, body.get("task_id"))
            seen["recompute_state_during"] = run_state(body["task_id"]) if body.get("task_id") else None
            rep = self.reps[0]
            try:
                import asyncio

                asyncio.run(login(self.port, rep.email, self.password))
                seen["login_during"] = "signed in"
            except (RuntimeError, OSError) as error:
                seen["login_during"] = f"failed: {error}"

        def start():
            stack.start_redis()
            seen["held_after_start"] = broker_backlog(stack.redis_port)

        say(
            f"== 2. Redis stopped at {down_at:.0f} s and started again (append-only file kept) at {up_at:.0f} s of "
            f"{seconds:.0f} s; the worker is not restarted"
        )
        traffic = run_traffic(
            self.port,
            self.reps,
            seconds,
            events=[(down_at, stop), (down_at + 2, during), (up_at, start)],
            seed=11,
        )
        windows = self._windows(traffic, down_at, up_at)
        say("   waiting for the outbox to empty and the recompute asked for during the outage to finish")
        drained = wait_for(lambda: outbox_count() == 0, 60, step=0.5)
        status, task_id = seen.get("recompute", (0, None))
        final = wait_for(lambda: task_id and run_state(task_id)[0] in ("SUCCESS", "FAILURE"), 60, step=0.5)
        final_state = run_state(task_id)[0] if task_id else None
        logs = {name: stack.log_since(part, offsets[name]) for name, part in parts.items()}
        kept = sum(text.count("kept in the outbox") for text in logs.values())
        left = outbox_count()
        sent = kept - left  # a kept task leaves the table only once the broker took it
        say("   waiting for the broker to hold no unacknowledged or queued task")
        wait_for(lambda: broker_backlog(stack.redis_port) == (0, 0), 60, step=0.5)
        broker_left = broker_backlog(stack.redis_port)
        server_errors = sum(text.count("Traceback") for text in (logs["web"],))
        exits = {name: part.exits[exits_before[name] :] for name, part in parts.items() if name != "web"}
        same_worker = stack.worker.pid == worker_pid and stack.worker.running()
        # The same worker process lost the broker, connected again and took tasks after that (among them the
        # recompute asked for during the outage, which can only have run after Redis was back).
        worker_log = logs["worker"]
        lost_at = worker_log.find("Connection to broker lost")
        reconnected_at = worker_log.find("Connected to redis", lost_at) if lost_at >= 0 else -1
        tasks_after_reconnect = worker_log.count("] received", reconnected_at) if reconnected_at >= 0 else 0
        checked = reconcile(traffic.ledger)
        all_5xx = sum(
            n for w in windows.values() for code, n in w["statuses"].items() if code.startswith("5")
        )
        no_answer = sum(w["statuses"].get("0", 0) for w in windows.values())
        ok = bool(
            all_5xx == 0
            and no_answer == 0
            and status == 202
            and final_state == "SUCCESS"
            and drained
            and kept > 0
            and left == 0
            and broker_left == (0, 0)
            and seen.get("login_during") == "signed in"
            and not _unreconciled(checked)
            and same_worker
            and not any(exits.values())
            and reconnected_at >= 0
            and tasks_after_reconnect > 0
        )
        say(
            f"   5xx {all_5xx}, no answer {no_answer}; recompute asked during the outage: {status}, then "
            f"{final_state}; tasks kept in the outbox {kept}, sent later {sent}, left {left}; "
            f"broker backlog {broker_left}"
        )
        say(
            f"   worker {worker_pid}: held (unacknowledged, queued) {seen.get('held_at_stop')} at the stop; "
            f"{'same process' if same_worker else 'NOT the same process'}, "
            f"{'reconnected' if reconnected_at >= 0 else 'did not reconnect'}, {tasks_after_reconnect} tasks "
            f"received after reconnecting; exits {exits}"
        )
        return {
            "ok": ok,
            "windows": windows,
            "responses_5xx": all_5xx,
            "no_answer": no_answer,
            "recompute_requested_during_outage": {
                "status": status,
                "state_during_outage": seen.get("recompute_state_during"),
                "final_state": final_state,
            },
            "login_during_outage": seen.get("login_during"),
            "tasks_kept_in_outbox": kept,
            "tasks_sent_from_outbox": sent,
            "outbox_left": left,
            "broker_unacknowledged_and_queued_left": list(broker_left),
            "outbox_drained": bool(drained),
            "server_tracebacks": server_errors,
            "worker": {
                "pid": worker_pid,
                "same_process_after": same_worker,
                "held_at_stop_unacknowledged_queued": list(seen.get("held_at_stop", ())),
                "kept_over_restart_unacknowledged_queued": list(seen.get("held_after_start", ())),
                "reconnected": reconnected_at >= 0,
                "tasks_received_after_reconnecting": tasks_after_reconnect,
            },
            "exited_on_their_own": exits,
            "reconciliation": checked,
            "failures": traffic.failures[:10],
            "recompute_finished": bool(final),
        }

    # -- 3 ---------------------------------------------------------------------------------------------------
    def postgres_restart(self, seconds: float, down_at: float, up_at: float, vendor_slug: str) -> dict:
        stack, say = self.stack, self.say
        token = staff_token(vendor_slug)
        pids = {"gunicorn": stack.web.pid, "worker": stack.worker.pid}
        probes: dict = {}

        def during():  # a page and the API while the database is away: 503 with Retry-After
            probes["page"] = probe(self.port, "/accounts/login/", {"Accept-Language": "en"})
            probes["api"] = probe(self.port, "/api/v1/me/", {"Authorization": f"Token {token}"})

        say(f"== 3. PostgreSQL stopped at {down_at:.0f} s and started at {up_at:.0f} s of {seconds:.0f} s")
        traffic = run_traffic(
            self.port,
            self.reps,
            seconds,
            events=[
                (down_at, lambda: stack.pg.stop("fast")),
                (down_at + 1.5, during),
                (up_at, stack.pg.start),
            ],
            seed=13,
        )
        windows = self._windows(traffic, down_at, up_at)
        # Every answer is the expected one, or a 503 while the database is away; a 500 is an error anywhere.
        responses_500 = sum(w["statuses"].get("500", 0) for w in windows.values())
        answered_503 = windows["outage"]["statuses"].get("503", 0)
        unexpected = {
            name: {
                code: n
                for code, n in w["statuses"].items()
                if code not in ("200", "201") and not (name == "outage" and code == "503")
            }
            for name, w in windows.items()
        }
        unexpected_count = sum(n for codes in unexpected.values() for n in codes.values())
        probes_ok = (
            all(answer.get("status") == 503 and answer.get("retry_after") for answer in probes.values())
            and probes.get("api", {}).get("detail")
            and probes.get("page", {}).get("content_type") == "text/html"
        )
        status, body = api(self.port, "POST", f"/api/v1/vendors/{vendor_slug}/kpis/recompute/", token)
        task_id = body.get("task_id")
        done = wait_for(lambda: task_id and run_state(task_id)[0] in ("SUCCESS", "FAILURE"), 60, step=0.5)
        final_state = run_state(task_id)[0] if task_id else None
        checked = reconcile(traffic.ledger)
        same = {"gunicorn": stack.web.pid, "worker": stack.worker.pid} == pids
        alive = stack.web.running() and stack.worker.running()
        after = windows["after"]
        ok = bool(after["errors"] == 0 and same and alive and final_state == "SUCCESS" and done)
        ok = ok and not _unreconciled(checked)
        ok = ok and responses_500 == 0 and unexpected_count == 0 and answered_503 > 0 and bool(probes_ok)
        say(
            f"   during the outage {answered_503} of {windows['outage']['requests']} requests answered 503; 500s "
            f"{responses_500}, other unexpected answers {unexpected_count}; after it {after['errors']} of "
            f"{after['requests']} failed; same processes {same}; recompute afterwards {final_state}"
        )
        return {
            "ok": ok,
            "windows": windows,
            "responses_500": responses_500,
            "responses_503_during_outage": answered_503,
            "unexpected_responses": unexpected,
            "probes_during_outage": probes,
            "same_processes": same,
            "processes_alive": alive,
            "recompute_after_restart": {"status": status, "final_state": final_state},
            "reconciliation": checked,
            "failures": traffic.failures[:10],
        }

    def _windows(self, traffic, down_at: float, up_at: float) -> dict:
        def done(sample) -> float:  # when the answer came: a request in flight at the stop is in the outage
            return sample.at + sample.ms / 1000

        parts = {
            "before": [s for s in traffic.samples if done(s) < down_at],
            "outage": [s for s in traffic.samples if down_at <= done(s) < up_at + GRACE_SECONDS],
            "after": [s for s in traffic.samples if done(s) >= up_at + GRACE_SECONDS],
        }
        lengths = {
            "before": down_at,
            "outage": up_at + GRACE_SECONDS - down_at,
            "after": max(0.1, traffic.seconds - up_at - GRACE_SECONDS),
        }
        return {name: summary(samples, lengths[name])["total"] for name, samples in parts.items()}


def _unreconciled(checked: dict) -> int:
    return checked["missing"] + checked["older_version"] + checked["different_fields"]
