"""What ``make run`` hands the demo: the host and port it serves on reach every command (links in mail and on the
console use them), the server answers on that host, and its SQLite database queues concurrent writers."""

import subprocess

from tests.prm.conftest import BASE_DIR, load_settings


def test_make_run_gives_its_host_and_port_to_the_server_as_well_as_to_the_demo_data():
    commands = subprocess.run(
        ["make", "-n", "--always-make", "run", "HOST=0.0.0.0", "PORT=8123"],  # noqa: S607
        cwd=BASE_DIR,
        capture_output=True,
        text=True,
        check=True,
    ).stdout.splitlines()
    seed = next(line for line in commands if "manage.py seed_demo" in line)
    serve = next(line for line in commands if "manage.py runserver" in line)
    for line in (seed, serve):
        assert "SITE_URL=http://0.0.0.0:8123" in line
        assert "DEBUG=true" in line
    assert serve.endswith("runserver 0.0.0.0:8123")


def test_in_development_the_host_of_site_url_is_allowed():
    values = load_settings(DEBUG="true", SITE_URL="http://192.168.10.5:8123")
    assert values["ALLOWED_HOSTS"] == ["127.0.0.1", "localhost", "192.168.10.5"]


def test_production_still_needs_allowed_hosts_spelled_out():
    values = load_settings(SECRET_KEY="x" * 60, SITE_URL="https://prm.example.com")
    assert values["ALLOWED_HOSTS"] == []


def test_the_embedded_database_queues_writers_instead_of_failing_them(tmp_path):
    values = load_settings(DEBUG="true", DATABASE_URL=f"sqlite:///{tmp_path / 'db.sqlite3'}")
    options = values["DATABASES"]["default"]["OPTIONS"]
    assert options["transaction_mode"] == "IMMEDIATE"
    assert "journal_mode=WAL" in options["init_command"]
    assert options["timeout"] == 20
