"""``make bench``: what users get at 1M deals, one vendor of 200,000 with a year of history, on this machine.

Steps (each prints its progress): reset the benchmark database, migrate, seed 100,000 deals (with every deal's
elements, phase history, champion log, audit trail and the partners' support log), run the nightly KPI job in a
child process (peak memory), seed up to 1,000,000 deals, give every vendor a year of nightly KPI snapshots, run
the nightly jobs (KPI with pruning, rescore, insights) and time a night like any other against one sequential
scan of the deals table, time one fiscal quarter by partner for every vendor against one hand-written query,
then serve the app with gunicorn on 127.0.0.1 with Redis as the cache: the big vendor's pages as its vendor admin
and a channel manager, its whole deal export, a web worker's memory, and the KPI API's throughput over varied
periods and groupings against a trivial view's. Finally the slowest queries of every page are explained
(``bench/results/plans.txt``). The figures go to ``bench/results/latest.json`` and are printed with their goals.
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
PLANS = ROOT / "bench" / "results" / "plans.txt"
DEFAULT_DATABASE_URL = "postgres://postgres@127.0.0.1:5432/prm_bench"
DEFAULT_REDIS_URL = "redis://127.0.0.1:6379/9"
BIG_VENDOR = "bulk-001"
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
    "page_ms_max": ("≤ 300 ms", lambda r: r["page_ms_max"] <= 300),
    "kpi_nightly_scan_ratio": ("≤ 10", lambda r: r["kpi_nightly_scan_ratio"] <= 10),
    "deal_export_s_200k": ("≤ 15 s", lambda r: r["deal_export_s_200k"] <= 15),
    "rescore_nightly_s": ("≤ 10 s", lambda r: r["rescore_nightly_s"] <= 10),
    "web_rss_mb": ("≤ 200 MB", lambda r: r["web_rss_mb"] <= 200),
}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__.splitlines()[0])
    parser.add_argument("--vendors", type=int, default=50)
    parser.add_argument("--partners-per-vendor", type=int, default=40)
    parser.add_argument("--deals", type=int, default=1_000_000, help="deals of the full measurement")
    parser.add_argument(
        "--small-deals", type=int, default=100_000, help="deals of the first memory measurement"
    )
    parser.add_argument(
        "--big-vendor-deals", type=int, default=200_000, help="deals of the first vendor (of --deals)"
    )
    parser.add_argument("--history-days", type=int, default=365, help="days of KPI snapshot history")
    parser.add_argument(
        "--reuse-data",
        action="store_true",
        help="keep the database a previous run seeded (migrate it, skip the loads) and measure again",
    )
    parser.add_argument("--port", type=int, default=8077, help="gunicorn's port on 127.0.0.1 (8077–8079)")
    parser.add_argument(
        "--workers", type=int, default=3, help="gunicorn sync workers (docker-compose's default)"
    )
    parser.add_argument("--connections", type=int, default=16, help="concurrent client connections")
    parser.add_argument(
        "--seconds", type=float, default=5.0, help="length of each load round (two per endpoint)"
    )
    parser.add_argument(
        "--repeat", type=int, default=5, help="timed rounds of the quarter comparison and of every page"
    )
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
    """The environment of every process of the run: the benchmark database, production settings, no Redis (the
    web server alone gets it, as its cache: ``web_environment``)."""
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


def web_environment(env: dict[str, str]) -> dict[str, str]:
    """The web server's: Redis as the cache, as in production (``BENCH_REDIS_URL``, emptied first)."""
    return {**env, "REDIS_URL": os.environ.get("BENCH_REDIS_URL", DEFAULT_REDIS_URL)}


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
        previous = json.loads(RESULTS.read_text()) if args.reuse_data and RESULTS.exists() else {}
        if not args.reuse_data:
            self.reset_database()
        _step("migrate")
        self.manage("migrate", "--no-input", "-v", "0")
        self.django()
        if args.reuse_data:
            _note("reusing the data of the previous run: its seeding and 100k figures are kept")
            for key in ("seed_small_s", "kpi_nightly_s_100k", "kpi_peak_rss_mb_100k", "seed_full_s"):
                results[key] = previous.get(key)
        else:
            share = args.big_vendor_deals / args.deals if args.deals else 0
            results["seed_small_s"] = self.seed(args.small_deals, round(args.small_deals * share))
            small = self.nightly()
            results["kpi_nightly_s_100k"] = small["seconds"]
            results["kpi_peak_rss_mb_100k"] = small["rss_mb"]
            results["seed_full_s"] = self.seed(args.deals, args.big_vendor_deals)
        results["deals"] = self.deal_count()
        results["big_vendor_deals"] = self.deal_count(BIG_VENDOR)
        self.nightly()  # today's rows of the full data
        results["kpi_history_rows"] = self.kpi_history()
        pruning = self.nightly()  # a full run after a year of history prunes it
        results["kpi_full_recompute_s"] = pruning["seconds"]
        # A night like any other: the rescore at 01:15, then the KPI job at 02:00, then the insights.
        results["rescore_nightly_s"] = self.in_child("rescore", RESCORE)
        full = self.nightly(nightly=True)
        results["kpi_nightly_s"] = full["seconds"]
        results["kpi_nightly_job_s"] = full["job_s"]
        results["kpi_peak_rss_mb_1m"] = full["rss_mb"]
        results["kpi_snapshot_rows"] = self.snapshot_rows()
        results["deals_seq_scan_s"] = self.seq_scan()
        results["kpi_nightly_scan_ratio"] = round(full["job_s"] / results["deals_seq_scan_s"], 1)
        results["insights_nightly_s"] = self.in_child("insights", INSIGHTS)
        self.vacuum()
        results.update(self.quarter())
        results.update(self.serve())
        results["plans"] = self.plans()
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

        _note("VACUUM (ANALYZE)")
        with connection.cursor() as cursor:
            cursor.execute("VACUUM (ANALYZE)")

    def snapshot_rows(self) -> int:
        from django.db import connection

        with connection.cursor() as cursor:
            cursor.execute("SELECT COUNT(*) FROM knowledge_kpisnapshot")
            return cursor.fetchone()[0]

    def seq_scan(self) -> float:
        """Seconds of one sequential scan of the whole deals table (the median of three, warm)."""
        from django.db import connection, transaction

        times = []
        with transaction.atomic(), connection.cursor() as cursor:
            for setting in ("enable_indexscan", "enable_indexonlyscan", "enable_bitmapscan"):
                cursor.execute(f"SET LOCAL {setting} = off")
            for _ in range(4):
                started = time.perf_counter()
                cursor.execute("SELECT COUNT(*) FROM deals_deal WHERE amount >= 0")
                cursor.fetchone()
                times.append(time.perf_counter() - started)
        seconds = statistics.median(times[1:])
        _note(f"one sequential scan of deals_deal: {seconds:.3f} s")
        return round(seconds, 3)

    def kpi_history(self) -> int:
        from django_scopes import scopes_disabled

        from bench.kpi_history import seed_kpi_history
        from partners.models import Vendor

        _step(f"{self.args.history_days} days of KPI snapshot history for every vendor")
        with scopes_disabled():
            vendors = list(Vendor.objects.filter(slug__startswith="bulk-").order_by("slug"))
        started = time.monotonic()
        rows = seed_kpi_history(vendors, self.args.history_days)
        _note(f"{rows:,} rows in {time.monotonic() - started:.1f} s")
        return rows

    def in_child(self, name: str, code: str) -> float:
        """Run ``code`` (a nightly job over every vendor) in a Django child process; the seconds it reports."""
        _step(f"nightly {name} job, every vendor")
        process = subprocess.run(  # noqa: S603
            [PYTHON, "-c", code], cwd=ROOT, env=self.env, capture_output=True, text=True, check=False
        )
        if process.returncode:
            raise BenchFailed(f"nightly {name} failed:\n{(process.stdout + process.stderr)[-3000:]}")
        seconds = float(process.stdout.strip().splitlines()[-1])
        _note(f"{seconds:.2f} s")
        return round(seconds, 2)

    def server_version(self) -> str:
        from django.db import connection

        with connection.cursor() as cursor:
            cursor.execute("SHOW server_version")
            return cursor.fetchone()[0]

    def deal_count(self, vendor_slug: str | None = None) -> int:
        from django.db import connection

        with connection.cursor() as cursor:
            if vendor_slug:
                cursor.execute(
                    "SELECT COUNT(*) FROM deals_deal d JOIN partners_vendor v ON v.id = d.vendor_id"
                    " WHERE v.slug = %s",
                    [vendor_slug],
                )
            else:
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
    def seed(self, deals: int, big: int) -> float:
        args = self.args
        _step(
            f"seed_bulk: {args.vendors} vendors × {args.partners_per_vendor} partners, {deals:,} deals "
            f"({big:,} of them {BIG_VENDOR}'s)"
        )
        started = time.monotonic()
        self.manage(
            "seed_bulk",
            "--vendors",
            str(args.vendors),
            "--partners-per-vendor",
            str(args.partners_per_vendor),
            "--deals",
            str(deals),
            "--big-vendor-deals",
            str(big),
            echo=True,
        )
        seconds = time.monotonic() - started
        self.vacuum()
        return round(seconds, 1)

    def nightly(self, nightly: bool = False) -> dict:
        """``manage.py recompute_kpis`` (every vendor, 18 months, every granularity and group; with ``nightly``,
        as the nightly job, only what can have changed) in a child process: its wall time and its own peak
        resident memory (from ``wait4``)."""
        kind = "nightly KPI job (manage.py recompute_kpis --nightly)" if nightly else "full KPI recompute"
        _step(f"{kind} at {self.deal_count():,} deals")
        started = time.monotonic()
        process = subprocess.Popen(  # noqa: S603
            [PYTHON, str(ROOT / "manage.py"), "recompute_kpis", *(["--nightly"] if nightly else [])],
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
        job_s = sum(float(line.rsplit(" in ", 1)[1].split()[0]) for line in lines)
        rss_mb = round(usage.ru_maxrss / 1024, 1)  # kilobytes on Linux
        _note(
            f"{len(lines)} vendors, {rows:,} rows computed in {seconds:.1f} s ({job_s:.1f} s of work); "
            f"peak RSS {rss_mb} MB"
        )
        return {"seconds": round(seconds, 2), "job_s": round(job_s, 2), "rss_mb": rss_mb, "rows": rows}

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

    def serve(self) -> dict:
        """gunicorn with Redis as the cache: pages, the export, a worker's memory, then the KPI API's load."""
        from django_scopes import scopes_disabled

        from bench import pages
        from partners.models import User
        from partners.services import api_token_issue

        args = self.args
        env = web_environment(self.env)
        self.flush_redis(env["REDIS_URL"])
        admin, manager = f"admin@{BIG_VENDOR}.example", f"cm1@{BIG_VENDOR}.example"
        pages.prepare_users(BIG_VENDOR, [admin, manager])
        with scopes_disabled():
            token = api_token_issue(user=User.objects.get(email="cm1@bulk-002.example"))
        paths = pages.pages(BIG_VENDOR)
        _note("collectstatic (as the image does; into the ignored staticfiles/)")
        self.manage("collectstatic", "--no-input", "-v", "0")
        _step(f"gunicorn on 127.0.0.1:{args.port} ({args.workers} workers), Redis as the cache")
        server = subprocess.Popen(  # noqa: S603
            [
                GUNICORN,
                "prm.wsgi",
                "--bind",
                f"127.0.0.1:{args.port}",
                "--workers",
                str(args.workers),
                "--timeout",
                "120",
                "--log-level",
                "warning",
            ],
            cwd=ROOT,
            env=env,
        )
        results = {}
        try:
            self.wait_for(args.port, server)
            sessions = pages.sign_in(args.port, [admin, manager])
            results.update(self.export(server, sessions[admin]))
            _step(f"{BIG_VENDOR}'s pages: median of {args.repeat} warm requests, the slower of two users")
            timings = pages.time_pages(args.port, sessions, paths, args.repeat, _note)
            if timings.failures:
                raise BenchFailed("pages failed: " + "; ".join(timings.failures))
            results["page_ms"] = timings.ms
            results["page_ms_max"] = max(timings.ms.values())
            results["page_slowest"] = max(timings.ms, key=timings.ms.get)
            rss = [pages.memory_mb(pid, "VmRSS") for pid in pages.workers(server.pid)]
            results["web_rss_mb"] = max(rss)
            _note(f"web workers' resident memory after every page: {', '.join(f'{m:.0f}' for m in rss)} MB")
            results.update(self.api(token))
        finally:
            server.terminate()
            try:
                server.wait(timeout=30)
            except subprocess.TimeoutExpired:
                server.kill()
                server.wait()
        return results

    def flush_redis(self, url: str) -> None:
        import redis

        try:
            redis.Redis.from_url(url).flushdb()
        except redis.RedisError as error:
            raise BenchFailed(f"Redis at {url} is needed as the web server's cache: {error}") from error

    def export(self, server: subprocess.Popen, session: str) -> dict:
        from django.urls import reverse

        from bench import pages

        path = reverse("deal_export", kwargs={"vendor_slug": BIG_VENDOR})
        _step(f"{BIG_VENDOR}'s whole deal export ({path})")
        before = max(pages.memory_mb(pid, "VmHWM") for pid in pages.workers(server.pid))
        status, size, seconds = pages.get(self.args.port, path, session, timeout=600)
        if status != 200:
            raise BenchFailed(f"{path} answered {status}")
        peak = max(pages.memory_mb(pid, "VmHWM") for pid in pages.workers(server.pid))
        lines = self.deal_count(BIG_VENDOR)
        _note(f"{size / 1e6:.1f} MB in {seconds:.1f} s; worker peak {peak:.0f} MB (before: {before:.0f} MB)")
        return {
            "deal_export_s_200k": round(seconds, 1),
            "deal_export_mb": round(size / 1e6, 1),
            "deal_export_peak_rss_mb": peak,
            "deal_export_vendor_deals": lines,
        }

    def api(self, token: str) -> dict:
        from bench.load import run_load

        args = self.args
        headers = {"Authorization": f"Token {token}"}
        base = "/api/v1/vendors/bulk-002/kpis/"
        kpi_paths = [
            f"{base}?group_by={group}&granularity={granularity}"
            for group in ("vendor", "partner", "tier", "channel_manager")
            for granularity in ("month", "quarter", "fiscal_year")
        ]
        page = self.get_json(args.port, f"{base}?group_by=partner", headers)
        if page.get("count") != args.partners_per_vendor:
            raise BenchFailed(
                f"{base} answered {page.get('count')} partner rows, not {args.partners_per_vendor}"
            )
        _step(
            f"KPI API over {len(kpi_paths)} periods and groupings against /healthz, {args.connections} connections"
        )
        rounds = {"/healthz": [], "kpis": []}
        targets = {"/healthz": "/healthz", "kpis": kpi_paths}
        for name in rounds:  # warm-up: every worker has opened its database connection
            run_load(args.port, targets[name], headers=headers, connections=args.connections, seconds=1.5)
        for _round in range(2):  # interleaved, so that drift on a shared machine touches both alike
            for name in rounds:
                result = run_load(
                    args.port,
                    targets[name],
                    headers=headers,
                    connections=args.connections,
                    seconds=args.seconds,
                )
                if result.errors:
                    raise BenchFailed(f"{name}: {result.errors} failed requests ({result.statuses})")
                rounds[name].append(result)
                _note(f"{name}: {result.rps:,.0f} requests/s")

        def rps(name):
            return sum(r.ok for r in rounds[name]) / sum(r.seconds for r in rounds[name])

        kpis, trivial = rps("kpis"), rps("/healthz")
        return {
            "api_kpis_rps": round(kpis, 1),
            "api_trivial_rps": round(trivial, 1),
            "api_kpis_ratio": round(kpis / trivial, 3),
            "api_server": f"gunicorn, {args.workers} sync workers, {args.connections} connections, Redis cache",
        }

    def plans(self) -> dict:
        from bench import pages
        from bench.plans import explain_pages

        _step(f"query plans of {BIG_VENDOR}'s pages (EXPLAIN ANALYZE of each page's slowest queries)")
        summary = explain_pages(BIG_VENDOR, f"cm1@{BIG_VENDOR}.example", pages.pages(BIG_VENDOR), PLANS)
        for name, page in summary.items():
            problems = f"  ({', '.join(page['problems'])})" if page["problems"] else ""
            _note(f"{name:<28} {page['queries']:>3} queries, slowest {page['slowest_ms']:>7.1f} ms{problems}")
        _note(f"plans written to {PLANS.relative_to(ROOT)}")
        return summary

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


# The nightly rescore and insights jobs of every vendor, run as beat runs them, one vendor after another; the
# child prints the seconds they took.
_EVERY_VENDOR = """
import time, django
django.setup()
from django_scopes import scopes_disabled
from partners.models import Vendor
from {module} import {task}
with scopes_disabled():
    ids = list(Vendor.objects.filter(is_active=True).order_by("pk").values_list("pk", flat=True))
started = time.monotonic()
for vendor_id in ids:
    {task}.apply(kwargs={{"vendor_id": vendor_id}}, throw=True)
print(time.monotonic() - started)
"""
RESCORE = _EVERY_VENDOR.format(module="meddic.tasks", task="rescore_nightly")
INSIGHTS = _EVERY_VENDOR.format(module="knowledge.tasks", task="refresh_insights")


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
        ("kpi_nightly_job_s", f"{results['kpi_nightly_job_s']:.1f} s", "", None),
        ("deals_seq_scan_s", f"{results['deals_seq_scan_s']:.3f} s", "", None),
        (
            "kpi_nightly_scan_ratio",
            f"{results['kpi_nightly_scan_ratio']:.1f}",
            *_goal("kpi_nightly_scan_ratio", results),
        ),
        ("rescore_nightly_s", f"{results['rescore_nightly_s']:.1f} s", *_goal("rescore_nightly_s", results)),
        ("insights_nightly_s", f"{results['insights_nightly_s']:.1f} s", "", None),
        (
            "deal_export_s_200k",
            f"{results['deal_export_s_200k']:.1f} s",
            *_goal("deal_export_s_200k", results),
        ),
        ("deal_export_peak_rss_mb", f"{results['deal_export_peak_rss_mb']:.0f} MB", "", None),
        ("page_ms_max", f"{results['page_ms_max']:.0f} ms", *_goal("page_ms_max", results)),
        ("web_rss_mb", f"{results['web_rss_mb']:.0f} MB", *_goal("web_rss_mb", results)),
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
