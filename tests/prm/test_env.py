"""Settings come from the environment, parsed strictly: a bad value stops start-up with a clear message."""

import pytest
from django.core.exceptions import ImproperlyConfigured

from prm.env import env_bool, env_database, env_email, env_int, env_list, env_redis_url, env_str
from tests.prm.conftest import load_settings, manage, run_python

PROD_SECRET = "prod-like-secret-4f1c9a7e2b6d8f0a3c5e7b9d1f2a4c6e8b0d2f4a6c8e0b2d4f6a8c"


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("true", True),
        ("1", True),
        ("YES", True),
        ("on", True),
        ("false", False),
        ("0", False),
        ("Off", False),
    ],
)
def test_booleans_accept_the_usual_spellings(monkeypatch, raw, expected):
    monkeypatch.setenv("DEBUG", raw)
    assert env_bool("DEBUG", default=not expected) is expected


def test_blank_boolean_means_default(monkeypatch):
    monkeypatch.setenv("DEBUG", "  ")
    assert env_bool("DEBUG", default=True) is True


def test_bad_boolean_names_variable_and_accepted_values(monkeypatch):
    monkeypatch.setenv("DEBUG", "maybe")
    with pytest.raises(ImproperlyConfigured, match=r"DEBUG must be one of true/false.*got 'maybe'"):
        env_bool("DEBUG", default=False)


def test_bad_integer(monkeypatch):
    monkeypatch.setenv("CONN_MAX_AGE", "ten minutes")
    with pytest.raises(ImproperlyConfigured, match=r"CONN_MAX_AGE must be an integer, got 'ten minutes'"):
        env_int("CONN_MAX_AGE", default=600)


def test_integer_below_minimum(monkeypatch):
    monkeypatch.setenv("INVITATION_TTL_DAYS", "0")
    with pytest.raises(ImproperlyConfigured, match="INVITATION_TTL_DAYS must be at least 1, got 0"):
        env_int("INVITATION_TTL_DAYS", default=7, minimum=1)


def test_integer_parses(monkeypatch):
    monkeypatch.setenv("PARTNER_IMPORT_MAX_ROWS", " 250 ")
    assert env_int("PARTNER_IMPORT_MAX_ROWS", default=2000, minimum=1) == 250


@pytest.mark.parametrize("url", ["mysql://root@db/prm", "redis://127.0.0.1:6379/0", "prm.sqlite3"])
def test_bad_database_scheme(monkeypatch, url):
    monkeypatch.setenv("DATABASE_URL", url)
    with pytest.raises(ImproperlyConfigured, match=r"DATABASE_URL must be a postgres:// or sqlite:/// URL"):
        env_database("DATABASE_URL", default="sqlite:///x.sqlite3")


def test_postgres_url_must_name_a_database(monkeypatch):
    monkeypatch.setenv("DATABASE_URL", "postgres://postgres@127.0.0.1:5432")
    with pytest.raises(ImproperlyConfigured, match="DATABASE_URL must name a database"):
        env_database("DATABASE_URL", default="sqlite:///x.sqlite3")


def test_postgres_url_parses(monkeypatch):
    monkeypatch.setenv("DATABASE_URL", "postgres://prm:secret@db.internal:5433/prm")
    config = env_database("DATABASE_URL", default="sqlite:///x.sqlite3")
    assert config["ENGINE"] == "django.db.backends.postgresql"
    assert (config["NAME"], config["HOST"], config["PORT"], config["USER"]) == (
        "prm",
        "db.internal",
        5433,
        "prm",
    )


@pytest.mark.parametrize("url", ["http://127.0.0.1:6379/0", "127.0.0.1:6379", "redis://"])
def test_bad_redis_url(monkeypatch, url):
    monkeypatch.setenv("REDIS_URL", url)
    with pytest.raises(ImproperlyConfigured, match=r"REDIS_URL must look like redis://host:6379/0"):
        env_redis_url("REDIS_URL")


def test_redis_url_unset_is_none(monkeypatch):
    monkeypatch.delenv("REDIS_URL", raising=False)
    assert env_redis_url("REDIS_URL") is None


def test_list_refuses_empty_items(monkeypatch):
    monkeypatch.setenv("ALLOWED_HOSTS", "prm.example.com,,www.prm.example.com")
    with pytest.raises(ImproperlyConfigured, match="ALLOWED_HOSTS must be a comma-separated list"):
        env_list("ALLOWED_HOSTS", default=[])


def test_list_strips_items(monkeypatch):
    monkeypatch.setenv("ALLOWED_HOSTS", "prm.example.com, www.prm.example.com")
    assert env_list("ALLOWED_HOSTS", default=[]) == ["prm.example.com", "www.prm.example.com"]


def test_bad_email_scheme(monkeypatch):
    monkeypatch.setenv("EMAIL_URL", "pigeon://loft")
    with pytest.raises(ImproperlyConfigured, match="EMAIL_URL has unknown scheme 'pigeon'"):
        env_email("EMAIL_URL", default="consolemail://")


def test_str_default(monkeypatch):
    monkeypatch.delenv("LOG_LEVEL", raising=False)
    assert env_str("LOG_LEVEL", default="INFO") == "INFO"


# Start-up as a process sees it.


def test_missing_secret_key_without_debug_stops_start_up():
    result = run_python(["-c", "from django.conf import settings; settings.DEBUG"], DEBUG="false")
    assert result.returncode != 0
    assert "SECRET_KEY must be set when DEBUG is off." in result.stderr


def test_missing_secret_key_with_debug_uses_dev_key():
    assert load_settings(DEBUG="true")["DEBUG"] is True


def test_manage_check_with_bad_value_shows_the_message():
    result = manage("check", DEBUG="maybe", SECRET_KEY=PROD_SECRET)
    assert result.returncode != 0
    assert "ImproperlyConfigured: DEBUG must be one of true/false/1/0/yes/no/on/off, got 'maybe'." in (
        result.stderr
    )


def test_manage_check_with_bad_redis_url_shows_the_message():
    result = manage("check", DEBUG="true", REDIS_URL="localhost:6379")
    assert result.returncode != 0
    assert "REDIS_URL must look like redis://host:6379/0, got 'localhost:6379'." in result.stderr


def test_database_defaults_to_sqlite_file():
    database = load_settings(DEBUG="true")["DATABASES"]["default"]
    assert database["ENGINE"] == "django.db.backends.sqlite3"
    assert database["NAME"].endswith("var/db.sqlite3")
    # Persistent connections with health checks: a connection per request costs several times the throughput.
    assert database["CONN_MAX_AGE"] == 600
    assert database["CONN_HEALTH_CHECKS"] is True


def test_database_url_selects_postgres():
    database = load_settings(DEBUG="true", DATABASE_URL="postgres://prm@db:5432/prm", CONN_MAX_AGE="60")[
        "DATABASES"
    ]["default"]
    # Django's PostgreSQL backend, plus the row-level security state of prm.rls.
    assert database["ENGINE"] == "prm.pg"
    assert database["NAME"] == "prm"
    assert database["CONN_MAX_AGE"] == 60


def test_without_redis_url_cache_is_local_and_tasks_eager():
    values = load_settings(DEBUG="true")
    assert values["CACHES"]["default"]["BACKEND"] == "django.core.cache.backends.locmem.LocMemCache"
    assert values["CELERY_BROKER_URL"] == "memory://"
    assert values["celery"]["task_always_eager"] is True


def test_with_redis_url_cache_and_broker_are_redis():
    url = "redis://redis.internal:6379/2"
    values = load_settings(DEBUG="true", REDIS_URL=url)
    assert values["CACHES"]["default"]["BACKEND"] == "prm.cache.DegradingRedisCache"
    assert values["CACHES"]["default"]["LOCATION"] == url
    assert values["CELERY_BROKER_URL"] == url
    assert values["CELERY_RESULT_BACKEND"] == url
    assert values["celery"] == {"broker_url": url, "task_always_eager": False}


def test_row_level_security_role_can_be_turned_off():
    assert load_settings(DEBUG="true")["DATABASE_TENANT_ROLE"] == "prm_tenant"
    assert load_settings(DEBUG="true", DATABASE_RLS="false")["DATABASE_TENANT_ROLE"] == ""
