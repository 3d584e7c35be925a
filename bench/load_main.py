"""``make load``: 16 simulated reps against a private production stack for 60 s, then a reconciliation.

A private PostgreSQL, Redis, gunicorn (DEBUG off), Celery worker and beat start on 127.0.0.1 (never the shared
5432/6379; see ``bench.services``), the demo data is seeded, each rep gets an API token and signs in. For
``--seconds`` every rep creates and updates its own deals, reads the deal list and the KPI API, and opens the
dashboard and KPI pages, one request after another. Then: requests/s and p50/p95/p99 per endpoint, errors, and
whether every write the reps saw acknowledged is in the database. Figures go to ``bench/results/load.json``.
"""

import argparse
import json
import logging
import os
import platform
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

from bench.services import Stack, StackFailed
from bench.traffic import Rep, reconcile, run_traffic, sign_in, summary

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "bench" / "results" / "load.json"


def save_results(results: dict, path: Path, started: float) -> None:
    """Stamp ``results`` with the run's length and time, and write them as JSON to ``path``."""
    results["total_s"] = round(time.monotonic() - started, 1)
    results["measured_at"] = datetime.now(UTC).isoformat(timespec="seconds")
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(results, indent=2, ensure_ascii=False) + "\n")


DEMO_PASSWORD = "demo-pass-2026"  # noqa: S105  (seed_demo's printed password)


def arguments(argv, description: str, *, pg_port: int, redis_port: int, web_port: int) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=description)
    parser.add_argument("--reps", type=int, default=16, help="simulated reps working at once")
    parser.add_argument("--seconds", type=float, default=60.0, help="length of the traffic")
    parser.add_argument(
        "--web-workers", type=int, default=3, help="gunicorn sync workers (compose's default)"
    )
    parser.add_argument("--pg-port", type=int, default=pg_port, help="private PostgreSQL's port on 127.0.0.1")
    parser.add_argument(
        "--redis-port", type=int, default=redis_port, help="private Redis's port on 127.0.0.1"
    )
    parser.add_argument("--web-port", type=int, default=web_port, help="gunicorn's port on 127.0.0.1")
    return parser.parse_args(argv)


def reps_for(stack: Stack, count: int) -> list[Rep]:
    """The first ``count`` partner reps of the demo data, each with a new API token."""
    stack.django()
    logging.disable(logging.INFO)  # this process's own records; the services log to their files
    from django_scopes import scopes_disabled

    from partners.models import Membership, Role
    from partners.services import api_token_issue

    with scopes_disabled():
        memberships = list(
            Membership.objects.filter(role=Role.PARTNER_REP, is_active=True)
            .exclude(vendor__slug__startswith="bulk-")  # the fault drills' large vendor has no demo logins
            .select_related("user", "vendor")
            .order_by("vendor__slug", "user__email")[:count]
        )
        if len(memberships) < count:
            raise StackFailed(f"the demo data has {len(memberships)} partner reps, fewer than {count}")
        return [
            Rep(number=n, email=m.user.email, vendor=m.vendor.slug, token=api_token_issue(user=m.user))
            for n, m in enumerate(memberships, start=1)
        ]


def main(argv: list[str] | None = None) -> int:
    args = arguments(argv, __doc__.splitlines()[0], pg_port=5433, redis_port=6390, web_port=8078)
    started = time.monotonic()
    extra = {"KPI_RECOMPUTE_DELAY_SECONDS": "5", "OUTBOX_FLUSH_SECONDS": "10"}
    try:
        with Stack(
            pg_port=args.pg_port,
            redis_port=args.redis_port,
            web_port=args.web_port,
            web_workers=args.web_workers,
            extra_env=extra,
        ) as stack:
            reps = reps_for(stack, args.reps)
            print(f"== {len(reps)} reps of {len({r.vendor for r in reps})} vendors sign in", flush=True)
            sign_in(stack.web_port, reps, DEMO_PASSWORD)
            print(f"== traffic: {len(reps)} reps for {args.seconds:.0f} s", flush=True)
            traffic = run_traffic(stack.web_port, reps, args.seconds)
            figures = summary(traffic.samples, traffic.seconds)
            print("== reconciliation of acknowledged writes with the database", flush=True)
            checked = reconcile(traffic.ledger)
            server_errors = stack.log_errors(stack.web)
            worker_errors = stack.log_errors(stack.worker)
            results = {
                "reps": len(reps),
                "seconds": round(traffic.seconds, 1),
                "stack": (
                    f"gunicorn {args.web_workers} sync workers, Celery worker (prefork, 1) and beat, PostgreSQL "
                    f"{server_version()}, Redis, all private on 127.0.0.1; DEBUG off"
                ),
                **figures,
                "reconciliation": checked,
                "server_log_errors": len(server_errors),
                "worker_log_errors": len(worker_errors),
                "failures": traffic.failures,
                "log_error_examples": (server_errors + worker_errors)[:10],
                "machine": {"cpus": os.cpu_count(), "python": platform.python_version()},
                "load_average_after": [round(x, 2) for x in os.getloadavg()],
            }
    except StackFailed as failed:
        print(f"\nmake load: FAILED - {failed}", file=sys.stderr)
        return 1
    save_results(results, RESULTS, started)
    print_table(results)
    print(f"\nWritten to {RESULTS.relative_to(ROOT)} ({results['total_s']:.0f} s in all).")
    ok = results["total"]["errors"] == 0 and not _unreconciled(checked)
    print("make load: " + ("all goals met" if ok else "FAILED: errors or writes missing"))
    return 0 if ok else 1


def server_version() -> str:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SHOW server_version")
        return cursor.fetchone()[0]


def _unreconciled(checked: dict) -> int:
    return checked["missing"] + checked["older_version"] + checked["different_fields"]


def print_table(results: dict) -> None:
    print(f"\n{results['reps']} reps, {results['seconds']:.0f} s; {results['stack']}\n")
    header = f"{'endpoint':42} {'requests':>8} {'req/s':>7} {'p50 ms':>8} {'p95 ms':>8} {'p99 ms':>8} {'errors':>6}"
    print(header)
    print("-" * len(header))
    rows = [*results["endpoints"].items(), ("all", results["total"])]
    for name, row in rows:
        print(
            f"{name:42} {row['requests']:>8} {row['rps']:>7.1f} {row['p50_ms']:>8.1f} {row['p95_ms']:>8.1f} "
            f"{row['p99_ms']:>8.1f} {row['errors']:>6}"
        )
    checked = results["reconciliation"]
    print(
        f"\nReconciliation: {checked['acknowledged_creates']} creates and {checked['acknowledged_updates']} updates "
        f"acknowledged on {checked['deals_checked']} deals; missing {checked['missing']}, older version "
        f"{checked['older_version']}, different fields {checked['different_fields']} (goal 0 each)"
    )
    print(f"Errors: {results['total']['errors']} (goal 0); server log errors {results['server_log_errors']}")


if __name__ == "__main__":
    sys.exit(main())
