"""``make bench``: KPI and API figures at 100k and 1M deals, measured in one run on this machine.

Steps (each prints its progress): reset the benchmark database, migrate, seed 100,000 deals, run the nightly KPI
job in a child process (peak memory), seed up to 1,000,000 deals, run the nightly job again (time and peak memory),
time one fiscal quarter by partner for every vendor against one hand-written query, then serve the app with
gunicorn on 127.0.0.1 and compare the KPI API's throughput with a trivial view's. The figures go to
``bench/results/latest.json`` and are printed with their goals.
"""

import argparse
import json
import os
import platform
import resource
import statistics
import subprocess
import sys
import time
import urllib.error
import urllib.request
from datetime import UTC, datetime, timedelta
from pathlib import Path
from urllib.parse import urlsplit

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "bench" / "results" / "latest.json"
DEFAULT_DATABASE_URL = "postgres://postgres@127.0.0.1:5432/prm_bench"
PYTHON = sys.executable
GUNICORN = str(Path(sys.executable).with_name("gunicorn"))

GOALS = {
    "kpi_quarter_ratio": ("≤ 1.5", lambda r: r["kpi_quarter_ratio"] <= 1.5),
    "kpi_nightly_s": ("≤ 30 s", lambda r: r["kpi_nightly_s"] <= 30),
    "kpi_peak_rss_mb_1m": (
        "≤ 200 MB, within 20% of 100k",
        lambda r: (
            max(r["kpi_peak_rss_mb_100k"], r["kpi_peak_rss_mb_1m"]) <= 200
            and abs(r["kpi_peak_rss_mb_1m"] - r["kpi_peak_rss_mb_100k"]) <= 0.2 * r["kpi_peak_rss_mb_100k"]
        ),
    ),
    "api_kpis_ratio": ("≥ 0.20", lambda r: r["api_kpis_ratio"] >= 0.20),
}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__.splitlines()[0])
    parser.add_argument("--vendors", type=int, default=50)
    parser.add_argument("--partners-per-vendor", type=int, default=40)
    parser.add_argument("--deals", type=int, default=1_000_000, help="deals of the full measurement")
    parser.add_argument(
        "--small-deals", type=int, default=100_000, help="deals of the first memory measurement"
    )
    parser.add_argument("--port", type=int, default=8077, help="gunicorn's port on 127.0.0.1 (8077–8079)")
    parser.add_argument(
        "--workers", type=int, default=3, help="gunicorn sync workers (docker-compose's default)"
    )
    parser.add_argument("--connections", type=int, default=16, help="concurrent client connections")
    parser.add_argument(
        "--seconds", type=float, default=5.0, help="length of each load round (two per endpoint)"
    )
    parser.add_argument("--repeat", type=int, default=5, help="timed rounds of the quarter comparison")
    args = parser.parse_args(argv)

    started = time.monotonic()
    env = _environment()
    bench = Bench(args, env)
    try:
        results = bench.run()
    except BenchFailed as failed:
        print(f"\nmake bench: FAILED - {failed}", file=sys.stderr)
        return 1
    results["bench_total_s"] = round(time.monotonic() - started, 1)
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(results, indent=2, ensure_ascii=False) + "\n")
    _print_table(results)
    print(f"\nWritten to {RESULTS.relative_to(ROOT)} ({results['bench_total_s']:.0f} s in all).")
    return 0


class BenchFailed(Exception):
    pass


def _environment() -> dict[str, str]:
    """The environment of every process of the run: the benchmark database, production settings, no Redis."""
    url = os.environ.get("BENCH_DATABASE_URL", DEFAULT_DATABASE_URL)
    name = urlsplit(url).path.lstrip("/")
    if not url.startswith(("postgres://", "postgresql://")) or "bench" not in name:
        raise SystemExit(
            f"BENCH_DATABASE_URL must name a PostgreSQL database with 'bench' in its name (it is dropped and "
            f"created again), not {url!r}."
        )
    env = {key: value for key, value in os.environ.items() if key not in ("REDIS_URL", "DEBUG")}
    env.update(
        DATABASE_URL=url,
        DJANGO_SETTINGS_MODULE="prm.settings",
        SECRET_KEY="bench-only-not-a-secret-0123456789abcdefghijklmnopqrstuvwxyz",  # noqa: S106
        DEBUG="false",
        HTTPS="false",
        ALLOWED_HOSTS="127.0.0.1",
        LOG_LEVEL="WARNING",
        PYTHONPATH=str(ROOT),
        PYTHONUNBUFFERED="1",
        # gunicorn serves no static files here, so whitenoise's note about the missing directory is noise.
        PYTHONWARNINGS="ignore:No directory at",
    )
    return env


def _step(text: str) -> None:
    print(f"\n== {text}", flush=True)


def _note(text: str) -> None:
    print(f"   {text}", flush=True)


class Bench:
    def __init__(self, args, env: dict[str, str]):
        self.args, self.env = args, env
        self.results: dict = {}

    def run(self) -> dict:
        args, results = self.args, self.results
        results["load_average_before"] = [round(x, 2) for x in os.getloadavg()]
        self.reset_database()
        _step("migrate")
        self.manage("migrate", "--no-input", "-v", "0")
        self.django()
        results["seed_small_s"] = self.seed(args.small_deals)
        small = self.nightly()
        results["kpi_nightly_s_100k"] = small["seconds"]
        results["kpi_peak_rss_mb_100k"] = small["rss_mb"]
        results["seed_full_s"] = self.seed(args.deals)
        results["deals"] = self.deal_count()
        full = self.nightly()
        results["kpi_nightly_s"] = full["seconds"]
        results["kpi_peak_rss_mb_1m"] = full["rss_mb"]
        results["kpi_snapshot_rows"] = full["rows"]
        results.update(self.quarter())
        results.update(self.api())
        results["load_average_after"] = [round(x, 2) for x in os.getloadavg()]
        results["machine"] = {
            "cpus": os.cpu_count(),
            "python": platform.python_version(),
            "postgresql": self.server_version(),
        }
        results["measured_at"] = datetime.now(UTC).isoformat(timespec="seconds")
        return results

    # -- database --------------------------------------------------------------------------------------------
    def reset_database(self) -> None:
        import psycopg2

        url = urlsplit(self.env["DATABASE_URL"])
        name = url.path.lstrip("/")
        _step(f"reset database {name} on {url.hostname}:{url.port or 5432}")
        connection = psycopg2.connect(
            host=url.hostname,
            port=url.port or 5432,
            user=url.username,
            password=url.password,
            dbname="postgres",
        )
        connection.autocommit = True
        with connection.cursor() as cursor:
            cursor.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
            cursor.execute(f'CREATE DATABASE "{name}"')
        connection.close()

    def django(self) -> None:
        """Set this process up as a Django process on the benchmark database (after it exists)."""
        os.environ.update(self.env)
        os.environ.pop("REDIS_URL", None)
        sys.path.insert(0, str(ROOT))
        import django

        django.setup()

    def vacuum(self) -> None:
        """What autovacuum does after a bulk load: visibility map and statistics (index-only scans need both)."""
        from django.db import connection

        with connection.cursor() as cursor:
            cursor.execute("VACUUM (ANALYZE) deals_deal, meddic_dealscore")

    def server_version(self) -> str:
        from django.db import connection

        with connection.cursor() as cursor:
            cursor.execute("SHOW server_version")
            return cursor.fetchone()[0]

    def deal_count(self) -> int:
        from django.db import connection

        with connection.cursor() as cursor:
            cursor.execute("SELECT COUNT(*) FROM deals_deal")
            return cursor.fetchone()[0]

    def manage(self, *command: str, echo: bool = False) -> str:
        process = subprocess.Popen(  # noqa: S603
            [PYTHON, str(ROOT / "manage.py"), *command, "--skip-checks"],
            cwd=ROOT,
            env=self.env,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
        )
        lines = []
        for line in process.stdout:
            lines.append(line)
            if echo:
                print(f"   {line.rstrip()}", flush=True)
        if process.wait():
            raise BenchFailed(f"manage.py {' '.join(command)} failed:\n{''.join(lines[-30:])}")
        return "".join(lines)

    # -- steps -----------------------------------------------------------------------------------------------
    def seed(self, deals: int) -> float:
        args = self.args
        _step(f"seed_bulk: {args.vendors} vendors × {args.partners_per_vendor} partners, {deals:,} deals")
        started = time.monotonic()
        self.manage(
            "seed_bulk",
            "--vendors",
            str(args.vendors),
            "--partners-per-vendor",
            str(args.partners_per_vendor),
            "--deals",
            str(deals),
            echo=True,
        )
        seconds = time.monotonic() - started
        _note("VACUUM (ANALYZE) of deals and scores")
        self.vacuum()
        return round(seconds, 1)

    def nightly(self) -> dict:
        """``manage.py recompute_kpis`` (every vendor, 18 months, every granularity and group) in a child
        process: its wall time and its own peak resident memory (from ``wait4``)."""
        _step(f"nightly KPI job (manage.py recompute_kpis) at {self.deal_count():,} deals")
        started = time.monotonic()
        process = subprocess.Popen(  # noqa: S603
            [PYTHON, str(ROOT / "manage.py"), "recompute_kpis", "--skip-checks"],
            cwd=ROOT,
            env=self.env,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
        )
        output = process.stdout.read()
        _pid, status, usage = os.wait4(process.pid, 0)
        seconds = time.monotonic() - started
        process.returncode = os.waitstatus_to_exitcode(status)
        if process.returncode:
            raise BenchFailed(f"recompute_kpis failed:\n{output[-3000:]}")
        lines = [line for line in output.splitlines() if "KPI rows" in line]
        rows = sum(int(line.split(": ")[1].split()[0]) for line in lines)
        rss_mb = round(usage.ru_maxrss / 1024, 1)  # kilobytes on Linux
        _note(f"{len(lines)} vendors, {rows:,} snapshot rows in {seconds:.1f} s; peak RSS {rss_mb} MB")
        return {"seconds": round(seconds, 2), "rss_mb": rss_mb, "rows": rows}

    def quarter(self) -> dict:
        from django.utils import timezone

        from bench import quarter
        from knowledge.periods import QUARTER, period_of

        vendors = quarter.bulk_vendors()
        zone_today = timezone.localdate(timezone=_zone(vendors[0].time_zone))
        this = period_of(zone_today, QUARTER, vendors[0].fiscal_year_start_month)
        last = period_of(this.start - timedelta(days=1), QUARTER, vendors[0].fiscal_year_start_month)
        _step(
            f"one fiscal quarter ({last.key}) by partner for {len(vendors)} vendors: ours and one raw query"
        )
        ours_rows, raw_rows = quarter.ours(vendors, last), quarter.raw(vendors, last)  # warm both up
        problems = quarter.compare(ours_rows, raw_rows)
        if problems:
            raise BenchFailed("our KPI rows and the raw query disagree:\n" + "\n".join(problems[:20]))
        _note(f"{len(raw_rows)} partner rows agree")
        ours_times, raw_times = [], []
        for round_ in range(self.args.repeat):
            started = time.perf_counter()
            quarter.ours(vendors, last)
            ours_times.append(time.perf_counter() - started)
            started = time.perf_counter()
            quarter.raw(vendors, last)
            raw_times.append(time.perf_counter() - started)
            _note(f"round {round_ + 1}: ours {ours_times[-1]:.3f} s, raw {raw_times[-1]:.3f} s")
        ours_s, raw_s = statistics.median(ours_times), statistics.median(raw_times)
        return {
            "kpi_quarter_s": round(ours_s, 3),
            "raw_sql_s": round(raw_s, 3),
            "kpi_quarter_ratio": round(ours_s / raw_s, 2),
            "kpi_quarter_period": last.key,
            "kpi_quarter_runs_s": [round(x, 3) for x in ours_times],
            "raw_sql_runs_s": [round(x, 3) for x in raw_times],
        }

    def api(self) -> dict:
        from django_scopes import scopes_disabled

        from bench.load import run_load
        from partners.models import User
        from partners.services import api_token_issue

        args = self.args
        with scopes_disabled():
            user = User.objects.get(email="cm1@bulk-001.example")
            token = api_token_issue(user=user)
        kpis_path = "/api/v1/vendors/bulk-001/kpis/?group_by=partner"
        _step(f"gunicorn on 127.0.0.1:{args.port} ({args.workers} workers), {args.connections} connections")
        server = subprocess.Popen(  # noqa: S603
            [
                GUNICORN,
                "prm.wsgi",
                "--bind",
                f"127.0.0.1:{args.port}",
                "--workers",
                str(args.workers),
                "--log-level",
                "warning",
            ],
            cwd=ROOT,
            env=self.env,
        )
        try:
            self.wait_for(args.port, server)
            headers = {"Authorization": f"Token {token}"}
            page = self.get_json(args.port, kpis_path, headers)
            if page.get("count") != args.partners_per_vendor:
                raise BenchFailed(
                    f"{kpis_path} answered {page.get('count')} rows, not {args.partners_per_vendor}"
                )
            _note(f"{kpis_path} answers {page['count']} rows")
            rounds = {"/healthz": [], kpis_path: []}
            for path in rounds:  # warm-up: every worker has opened its database connection
                run_load(args.port, path, headers=headers, connections=args.connections, seconds=1.5)
            for _round in range(2):  # interleaved, so that drift on a shared machine touches both alike
                for path in rounds:
                    result = run_load(
                        args.port, path, headers=headers, connections=args.connections, seconds=args.seconds
                    )
                    if result.errors:
                        raise BenchFailed(f"{path}: {result.errors} failed requests ({result.statuses})")
                    rounds[path].append(result)
                    _note(f"{path}: {result.rps:,.0f} requests/s")
        finally:
            server.terminate()
            try:
                server.wait(timeout=30)
            except subprocess.TimeoutExpired:
                server.kill()
                server.wait()

        def rps(path):
            return sum(r.ok for r in rounds[path]) / sum(r.seconds for r in rounds[path])

        kpis, trivial = rps(kpis_path), rps("/healthz")
        return {
            "api_kpis_rps": round(kpis, 1),
            "api_trivial_rps": round(trivial, 1),
            "api_kpis_ratio": round(kpis / trivial, 3),
            "api_server": f"gunicorn, {args.workers} sync workers, {args.connections} connections",
        }

    def wait_for(self, port: int, server: subprocess.Popen) -> None:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if server.poll() is not None:
                raise BenchFailed("gunicorn stopped while starting")
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=2) as response:
                    if response.status == 200:
                        return
            except (urllib.error.URLError, OSError):
                time.sleep(0.3)
        raise BenchFailed("gunicorn did not answer /healthz within 60 s")

    def get_json(self, port: int, path: str, headers: dict) -> dict:
        request = urllib.request.Request(f"http://127.0.0.1:{port}{path}", headers=headers)
        with urllib.request.urlopen(request, timeout=30) as response:  # noqa: S310
            return json.load(response)


def _zone(name: str):
    from zoneinfo import ZoneInfo

    return ZoneInfo(name)


def _print_table(results: dict) -> None:
    rows = [
        ("deals", f"{results['deals']:,}", "", None),
        ("kpi_quarter_s", f"{results['kpi_quarter_s']:.3f} s", "", None),
        ("raw_sql_s", f"{results['raw_sql_s']:.3f} s", "", None),
        ("kpi_quarter_ratio", f"{results['kpi_quarter_ratio']:.2f}", *_goal("kpi_quarter_ratio", results)),
        ("kpi_nightly_s", f"{results['kpi_nightly_s']:.1f} s", *_goal("kpi_nightly_s", results)),
        ("kpi_peak_rss_mb_100k", f"{results['kpi_peak_rss_mb_100k']:.0f} MB", "", None),
        (
            "kpi_peak_rss_mb_1m",
            f"{results['kpi_peak_rss_mb_1m']:.0f} MB",
            *_goal("kpi_peak_rss_mb_1m", results),
        ),
        ("api_kpis_rps", f"{results['api_kpis_rps']:,.0f} /s", "", None),
        ("api_trivial_rps", f"{results['api_trivial_rps']:,.0f} /s", "", None),
        ("api_kpis_ratio", f"{results['api_kpis_ratio']:.3f}", *_goal("api_kpis_ratio", results)),
    ]
    print("\n" + f"{'figure':<22} {'value':>14}  {'goal':<30} met")
    print("-" * 72)
    for name, value, goal, met in rows:
        mark = "" if met is None else ("yes" if met else "NO")
        print(f"{name:<22} {value:>14}  {goal:<30} {mark}")
    resource_usage = resource.getrusage(resource.RUSAGE_SELF)
    print(
        f"(measured at {results['measured_at']}; this process peaked at {resource_usage.ru_maxrss / 1024:.0f} MB)"
    )


def _goal(name: str, results: dict) -> tuple[str, bool]:
    text, check = GOALS[name]
    return text, check(results)
