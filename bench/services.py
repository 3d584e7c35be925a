"""A private, throw-away production stack on 127.0.0.1 for ``make load`` and ``make faults``.

PostgreSQL (its own cluster made by ``initdb`` in a temporary directory), Redis (no persistence unless asked for:
the fault drills keep an append-only file, as docker-compose's Redis does), gunicorn with DEBUG off and a Celery
worker and beat, each on its own port and process group, so that the machine's shared PostgreSQL (5432) and Redis
(6379) are never touched. :meth:`Stack.close` stops everything and removes the directory. Each part can be
stopped, killed and started again by the fault drills; a worker or beat that exits on its own is noted, not
started again.
"""

import contextlib
import os
import pwd
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request
from glob import glob
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
SECRET_KEY = "load-only-not-a-secret-0123456789abcdefghijklmnopqrstuvwxyz"  # noqa: S105


class StackFailed(Exception):
    pass


def _free(port: int) -> None:
    with socket.socket() as probe:
        if probe.connect_ex(("127.0.0.1", port)) == 0:
            raise StackFailed(f"port {port} on 127.0.0.1 is in use; choose another (see --help)")


def _wait_port(port: int, seconds: float, process: subprocess.Popen | None = None) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if process is not None and process.poll() is not None:
            raise StackFailed(f"process {process.args[0]} stopped while starting")
        with socket.socket() as probe:
            if probe.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.1)
    raise StackFailed(f"nothing answers on 127.0.0.1:{port} after {seconds:.0f} s")


class Postgres:
    """A PostgreSQL cluster of its own; run as the ``postgres`` OS user when we are root."""

    def __init__(self, directory: Path, port: int):
        self.directory, self.port = directory, port
        self.data = directory / "data"
        self.log = directory / "postgres.log"
        versions = sorted(glob("/usr/lib/postgresql/*/bin/initdb"))
        if not versions:
            raise StackFailed("PostgreSQL server binaries not found under /usr/lib/postgresql/*/bin")
        self.bin = Path(versions[-1]).parent
        self.as_postgres = os.geteuid() == 0

    def _run(self, *command: str) -> None:
        prefix = ["runuser", "-u", "postgres", "--"] if self.as_postgres else []
        result = subprocess.run(  # noqa: S603
            [*prefix, *command], capture_output=True, text=True, check=False, cwd="/"
        )
        if result.returncode:
            tail = self.log.read_text()[-2000:] if self.log.exists() else ""
            raise StackFailed(f"{' '.join(command)} failed:\n{result.stdout}{result.stderr}{tail}")

    def init(self) -> None:
        _free(self.port)
        self.directory.mkdir(parents=True, exist_ok=True)
        if self.as_postgres:
            entry = pwd.getpwnam("postgres")
            os.chown(self.directory, entry.pw_uid, entry.pw_gid)
        self._run(
            str(self.bin / "initdb"), "-D", str(self.data), "-U", "postgres", "--auth=trust",
            "-E", "UTF8", "--locale=C.UTF-8", "--no-sync",
        )  # fmt: skip

    def start(self) -> None:
        options = f"-p {self.port} -k {self.directory} -c listen_addresses=127.0.0.1 -c max_connections=100"
        self._run(
            str(self.bin / "pg_ctl"), "-D", str(self.data), "-l", str(self.log), "-o", options, "-w", "start"
        )

    def stop(self, mode: str = "fast") -> None:
        if (self.data / "postmaster.pid").exists():
            self._run(str(self.bin / "pg_ctl"), "-D", str(self.data), "-m", mode, "-w", "stop")

    def url(self, name: str) -> str:
        return f"postgres://postgres@127.0.0.1:{self.port}/{name}"

    def create_database(self, name: str) -> None:
        import psycopg2

        connection = psycopg2.connect(host="127.0.0.1", port=self.port, user="postgres", dbname="postgres")
        connection.autocommit = True
        with connection.cursor() as cursor:
            cursor.execute(f'CREATE DATABASE "{name}"')
        connection.close()


class Process:
    """A child process in its own process group (so a kill reaches its children), output to a log file."""

    def __init__(self, name: str, command: list[str], env: dict[str, str], log: Path):
        self.name, self.command, self.env, self.log = name, command, env, log
        self.process: subprocess.Popen | None = None
        self.wanted = False  # started and not stopped by us: an exit is the process's own
        self.exits: list[dict] = []  # exits on its own, seen by Stack's watcher (nothing starts it again)

    def start(self) -> None:
        self.wanted = True
        with self.log.open("a") as out:
            self.process = subprocess.Popen(  # noqa: S603
                self.command,
                cwd=ROOT,
                env=self.env,
                stdout=out,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )

    @property
    def pid(self) -> int | None:
        return self.process.pid if self.process else None

    def running(self) -> bool:
        return self.process is not None and self.process.poll() is None

    def kill(self) -> None:
        """SIGKILL to the whole group: no shutdown, no acknowledgement, no cleanup."""
        self.wanted = False
        if self.running():
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait()

    def stop(self, seconds: float = 20) -> None:
        self.wanted = False
        if not self.running():
            return
        os.killpg(self.process.pid, signal.SIGTERM)
        try:
            self.process.wait(timeout=seconds)
        except subprocess.TimeoutExpired:
            self.kill()


class Stack:
    """Private PostgreSQL, Redis, gunicorn, Celery worker and beat; ``with Stack(...) as stack:``."""

    def __init__(
        self,
        *,
        pg_port: int,
        redis_port: int,
        web_port: int,
        web_workers: int = 3,
        worker_concurrency: int = 1,
        bulk_deals: int = 0,
        redis_appendonly: bool = False,
        extra_env: dict[str, str] | None = None,
        say=print,
    ):
        self.directory = Path(tempfile.mkdtemp(prefix="prm-stack-"))
        os.chmod(self.directory, 0o755)  # noqa: S103  (the postgres user must reach its own directory inside)
        self.pg = Postgres(self.directory / "pg", pg_port)
        self.redis_port, self.web_port = redis_port, web_port
        self.say = say
        self.bulk_deals = bulk_deals
        self._watching = False
        self.env = self._environment(extra_env or {})
        logs = self.directory
        celery = str(BIN / "celery")
        self.redis = Process(
            "redis",
            [
                shutil.which("redis-server") or "redis-server", "--port", str(redis_port), "--bind", "127.0.0.1",
                "--save", "", "--appendonly", "yes" if redis_appendonly else "no", "--dir", str(self.directory),
            ],
            self.env,
            logs / "redis.log",
        )  # fmt: skip
        self.web = Process(
            "gunicorn",
            [
                str(BIN / "gunicorn"), "prm.wsgi", "--bind", f"127.0.0.1:{web_port}", "--workers", str(web_workers),
                "--timeout", "60", "--log-level", "warning", "--access-logfile", "-",
                "--access-logformat", "%(m)s %(U)s %(s)s %(M)sms",
            ],
            self.env,
            logs / "gunicorn.log",
        )  # fmt: skip
        self.worker = Process(
            "worker",
            [
                celery, "-A", "prm", "worker", "--loglevel", "INFO", "--concurrency", str(worker_concurrency),
                "--hostname", "load@%h", "--without-gossip", "--without-mingle",
            ],
            self.env,
            logs / "worker.log",
        )  # fmt: skip
        self.beat = Process(
            "beat",
            [
                celery,
                "-A",
                "prm",
                "beat",
                "--loglevel",
                "INFO",
                "--schedule",
                str(self.directory / "beat-schedule"),
            ],
            self.env,
            logs / "beat.log",
        )

    def _environment(self, extra: dict[str, str]) -> dict[str, str]:
        env = {key: value for key, value in os.environ.items() if not key.startswith(("DATABASE_", "REDIS_"))}
        env.update(
            DATABASE_URL=self.pg.url("prm"),
            REDIS_URL=f"redis://127.0.0.1:{self.redis_port}/0",
            DJANGO_SETTINGS_MODULE="prm.settings",
            SECRET_KEY=SECRET_KEY,
            DEBUG="false",
            HTTPS="false",
            ALLOWED_HOSTS="127.0.0.1",
            LOG_LEVEL="WARNING",
            MEDIA_ROOT=str(self.directory / "media"),
            PYTHONPATH=str(ROOT),
            PYTHONUNBUFFERED="1",
            PYTHONWARNINGS="ignore:No directory at",
        )
        env.update(extra)
        return env

    # -- life cycle ------------------------------------------------------------------------------------------
    def __enter__(self):
        try:
            self.start()
        except BaseException:
            self.close()
            raise
        return self

    def __exit__(self, *exc):
        self.close()

    def start(self) -> None:
        for port in (self.redis_port, self.web_port):
            _free(port)
        self.say(
            f"== private PostgreSQL on 127.0.0.1:{self.pg.port}, Redis on :{self.redis_port} ({self.directory})"
        )
        self.pg.init()
        self.pg.start()
        self.pg.create_database("prm")
        self.start_redis()
        self.say("== migrate, seed_demo, collectstatic (as the image does; into the ignored staticfiles/)")
        self.manage("migrate", "--no-input", "-v", "0")
        if self.bulk_deals:  # only into an empty database, so before the demo data
            self.say(f"== seed_bulk: one vendor (bulk-001) with {self.bulk_deals:,} deals")
            self.manage(
                "seed_bulk", "--vendors", "1", "--partners-per-vendor", "20", "--deals", str(self.bulk_deals)
            )
        self.manage("seed_demo")
        self.manage("collectstatic", "--no-input", "-v", "0")
        self.say(f"== gunicorn on 127.0.0.1:{self.web_port}, Celery worker and beat")
        self.start_web()
        self.worker.start()
        self.beat.start()
        self.wait_for_worker()
        self._watching = True
        threading.Thread(target=self._watch, daemon=True).start()

    def _watch(self) -> None:
        """Note when the worker or beat exits on its own. Nothing starts it again (compose's ``restart:
        unless-stopped`` would, and hide the crash): the fault drills expect the same processes to ride out
        an outage of Redis or PostgreSQL."""
        while self._watching:
            for part in (self.worker, self.beat):
                if part.wanted and part.process is not None and part.process.poll() is not None:
                    part.wanted = False
                    lines = [
                        line
                        for line in self.tail(part, 80).splitlines()
                        if "Error" in line or "error" in line
                    ]
                    part.exits.append(
                        {
                            "pid": part.process.pid,
                            "exit_code": part.process.returncode,
                            "last_error": lines[-1][:300] if lines else "",
                        }
                    )
                    self.say(
                        f"   {part.name} {part.process.pid} exited on its own ({part.process.returncode})"
                    )
            time.sleep(0.5)

    def close(self) -> None:
        self._watching = False
        for part in (self.beat, self.worker, self.web, self.redis):
            with contextlib.suppress(OSError):
                part.stop()
        try:
            self.pg.stop("immediate")
        except StackFailed as failed:
            self.say(f"   could not stop the private PostgreSQL: {failed}")
        if os.environ.get("STACK_KEEP"):
            self.say(f"   logs kept in {self.directory} (STACK_KEEP)")
            for data in (self.pg.data, self.directory / "media"):
                shutil.rmtree(data, ignore_errors=True)
        else:
            shutil.rmtree(self.directory, ignore_errors=True)

    def start_redis(self) -> None:
        self.redis.start()
        _wait_port(self.redis_port, 10, self.redis.process)

    def start_web(self) -> None:
        self.web.start()
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if not self.web.running():
                raise StackFailed(f"gunicorn stopped while starting:\n{self.tail(self.web)}")
            try:
                with urllib.request.urlopen(
                    f"http://127.0.0.1:{self.web_port}/healthz", timeout=2
                ) as response:
                    if response.status == 200:
                        return
            except (urllib.error.URLError, OSError):
                time.sleep(0.2)
        raise StackFailed(f"gunicorn did not answer /healthz within 60 s:\n{self.tail(self.web)}")

    def wait_for_worker(self, seconds: float = 60, offset: int = 0) -> None:
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            if "ready." in self.log_since(self.worker, offset):
                return
            if not self.worker.running():
                raise StackFailed(f"the Celery worker stopped while starting:\n{self.tail(self.worker)}")
            time.sleep(0.2)
        raise StackFailed(
            f"the Celery worker was not ready within {seconds:.0f} s:\n{self.tail(self.worker)}"
        )

    def manage(self, *command: str) -> str:
        result = subprocess.run(  # noqa: S603
            [sys.executable, str(ROOT / "manage.py"), *command],
            cwd=ROOT,
            env=self.env,
            capture_output=True,
            text=True,
            check=False,
        )
        if result.returncode:
            raise StackFailed(
                f"manage.py {' '.join(command)} failed:\n{result.stdout[-2000:]}{result.stderr[-3000:]}"
            )
        return result.stdout

    def django(self) -> None:
        """Make this process a Django process on the private database and Redis (after they exist)."""
        os.environ.update(self.env)
        if str(ROOT) not in sys.path:
            sys.path.insert(0, str(ROOT))
        import django

        django.setup()

    def log_size(self, part: Process) -> int:
        return part.log.stat().st_size if part.log.exists() else 0

    def log_since(self, part: Process, offset: int) -> str:
        if not part.log.exists():
            return ""
        with part.log.open("rb") as log:
            log.seek(offset)
            return log.read().decode(errors="replace")

    def tail(self, part: Process, lines: int = 40) -> str:
        if not part.log.exists():
            return ""
        return "\n".join(part.log.read_text(errors="replace").splitlines()[-lines:])

    def log_errors(self, part: Process) -> list[str]:
        """Lines of a part's log that report an error (tracebacks, ERROR/CRITICAL records)."""
        if not part.log.exists():
            return []
        return [
            line
            for line in part.log.read_text(errors="replace").splitlines()
            if "Traceback" in line or " ERROR " in line or " CRITICAL " in line or "[ERROR]" in line
        ]
