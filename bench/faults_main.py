"""``make faults``: a private production stack, 16 simulated reps, and three faults while they work.

SIGKILL of the Celery worker in the middle of a KPI recompute; Redis stopped and started again during traffic;
PostgreSQL stopped and started again during traffic (see ``bench.faults``). Everything runs on 127.0.0.1 on
private services (never the shared 5432/6379) that are removed at the end. What was seen goes to
``bench/results/faults.json`` and is printed as a short report.
"""

import sys
import time
from pathlib import Path

from bench.faults import Drills
from bench.load_main import DEMO_PASSWORD, arguments, reps_for, save_results
from bench.services import Stack, StackFailed
from bench.traffic import sign_in

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "bench" / "results" / "faults.json"
BULK_DEALS = 40_000  # one vendor large enough for its KPI recompute to take a few seconds


def main(argv: list[str] | None = None) -> int:
    args = arguments(argv, __doc__.splitlines()[0], pg_port=5434, redis_port=6391, web_port=8079)
    seconds = min(args.seconds, 24.0)  # each traffic drill; the three together stay well under five minutes
    started = time.monotonic()
    extra = {
        "CELERY_VISIBILITY_TIMEOUT": "10",  # a lost worker's task comes back after 10 s, not 2 h
        "OUTBOX_FLUSH_SECONDS": "3",
        "KPI_RECOMPUTE_DELAY_SECONDS": "2",
        "LOG_LEVEL": "INFO",
    }
    try:
        with Stack(
            pg_port=args.pg_port,
            redis_port=args.redis_port,
            web_port=args.web_port,
            web_workers=args.web_workers,
            bulk_deals=BULK_DEALS,
            # An append-only file, as docker-compose's Redis keeps. What the broker held at the stop survives the
            # restart: queued tasks, and those the worker had received but not acknowledged (KPI recomputes waiting
            # out their countdown). They are delivered again after the visibility timeout, and the Redis drill
            # checks that the broker ends with none left. Without it they would be lost with the restart.
            redis_appendonly=True,
            extra_env=extra,
        ) as stack:
            reps = reps_for(stack, args.reps)
            sign_in(stack.web_port, reps, DEMO_PASSWORD)
            drills = Drills(stack, reps, DEMO_PASSWORD)
            vendor = reps[0].vendor
            results = {
                "kpi_sigkill": drills.kpi_sigkill(),
                "redis_outage": drills.redis_outage(seconds, down_at=6, up_at=14, vendor_slug=vendor),
                "postgres_restart": drills.postgres_restart(seconds, down_at=6, up_at=11, vendor_slug=vendor),
            }
            results["setup"] = {
                "reps": len(reps),
                "traffic_seconds_per_drill": seconds,
                "bulk_vendor_deals": BULK_DEALS,
                "env": extra,
            }
    except StackFailed as failed:
        print(f"\nmake faults: FAILED - {failed}", file=sys.stderr)
        return 1
    save_results(results, RESULTS, started)
    report(results)
    print(f"\nWritten to {RESULTS.relative_to(ROOT)} ({results['total_s']:.0f} s in all).")
    ok = all(results[name]["ok"] for name in ("kpi_sigkill", "redis_outage", "postgres_restart"))
    print("make faults: " + ("every drill passed" if ok else "FAILED: see above"))
    return 0 if ok else 1


def report(results: dict) -> None:
    print("\nFault drills")
    kill = results["kpi_sigkill"]
    print(f"\n1. SIGKILL of the worker during a KPI recompute: {'PASS' if kill['ok'] else 'FAIL'}")
    if "final_state" in kill:
        print(
            f"   uninterrupted run {kill['uninterrupted_run_s']} s, {kill['snapshot_rows_uninterrupted']} rows; "
            f"killed at {kill['state_at_kill']} {kill['progress_at_kill']}% with {kill['rows_committed_at_kill']} "
            f"rows committed; delivered again and {kill['final_state']} {kill['finished_after_kill_s']} s after "
            f"the kill; {kill['rows_differing_from_uninterrupted']} rows differ"
        )
    else:
        print(f"   {kill.get('problem')}")
    for key, title in (
        ("redis_outage", "2. Redis stopped during traffic"),
        ("postgres_restart", "3. PostgreSQL restarted during traffic"),
    ):
        drill = results[key]
        print(f"\n{title}: {'PASS' if drill['ok'] else 'FAIL'}")
        print(
            f"   {'window':8} {'requests':>8} {'req/s':>7} {'p50 ms':>8} {'p99 ms':>8} {'errors':>6}  statuses"
        )
        for name, row in drill["windows"].items():
            print(
                f"   {name:8} {row['requests']:>8} {row['rps']:>7.1f} {row['p50_ms']:>8.1f} {row['p99_ms']:>8.1f} "
                f"{row['errors']:>6}  {row['statuses']}"
            )
        checked = drill["reconciliation"]
        print(
            f"   acknowledged writes: {checked['acknowledged_creates']} creates, {checked['acknowledged_updates']} "
            f"updates; missing {checked['missing'] + checked['older_version'] + checked['different_fields']}"
        )
        if key == "redis_outage":
            asked = drill["recompute_requested_during_outage"]
            print(
                f"   5xx {drill['responses_5xx']}, unanswered {drill['no_answer']}; login during the outage: "
                f"{drill['login_during_outage']}; recompute asked during the outage: {asked['status']}, "
                f"{asked['state_during_outage']} then {asked['final_state']}; tasks kept in the outbox "
                f"{drill['tasks_kept_in_outbox']}, sent after {drill['tasks_sent_from_outbox']}, "
                f"left {drill['outbox_left']}; broker holds (unacknowledged, queued) "
                f"{tuple(drill['broker_unacknowledged_and_queued_left'])} at the end"
            )
            worker = drill["worker"]
            print(
                f"   worker {worker['pid']} held (unacknowledged, queued) "
                f"{tuple(worker['held_at_stop_unacknowledged_queued'])} at the stop, "
                f"{tuple(worker['kept_over_restart_unacknowledged_queued'])} kept over the restart; same process "
                f"after: {worker['same_process_after']}; reconnected: {worker['reconnected']}; "
                f"{worker['tasks_received_after_reconnecting']} tasks received after reconnecting"
            )
            for name, events in drill["exited_on_their_own"].items():
                for event in events:
                    print(
                        f"   {name} {event['pid']} exited ({event['exit_code']}): {event['last_error'][:160]}"
                    )
        else:
            after = drill["recompute_after_restart"]
            print(
                f"   during the outage {drill['responses_503_during_outage']} answers were 503; 500s in all: "
                f"{drill['responses_500']}; other unexpected answers: "
                f"{ {name: codes for name, codes in drill['unexpected_responses'].items() if codes} }"
            )
            for name, answer in drill["probes_during_outage"].items():
                print(
                    f"   {name} during the outage: {answer.get('status')}, Retry-After {answer.get('retry_after')}, "
                    f"{answer.get('content_type')}{', ' + repr(answer['detail']) if answer.get('detail') else ''}"
                )
            print(
                f"   same gunicorn and worker processes: {drill['same_processes']}; recompute after the restart: "
                f"{after['status']}, {after['final_state']}"
            )


if __name__ == "__main__":
    sys.exit(main())
