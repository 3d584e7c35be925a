"""While the database is away, pages and the API answer 503 with Retry-After; other errors stay 500 (prm.unavailable).

The database's absence is simulated by a cursor whose every query fails as a lost connection does.
"""

import logging
import sqlite3
from unittest import mock

import pytest
from django.db import IntegrityError, InterfaceError, OperationalError, ProgrammingError, connection
from django.test import Client, override_settings
from django.urls import path
from django_scopes import scopes_disabled

from prm.models import OutboxTask
from prm.unavailable import RETRY_AFTER_SECONDS, database_unavailable

MESSAGE = "The service is briefly unavailable; please try again in a moment."
LOST = OperationalError("server closed the connection unexpectedly")


def _write_then_lose_the_database(request):
    with scopes_disabled():
        OutboxTask.objects.create(task_name="prm.tasks.outbox_flush", kwargs={}, options={})
    raise LOST


def _programming_error(request):
    raise ProgrammingError('relation "deals_deal" does not exist')


urlpatterns = [
    path("write-then-lose/", _write_then_lose_the_database),
    path("api/programming-error/", _programming_error),
]
handler500 = "prm.unavailable.server_error"


@pytest.fixture
def http():
    """A client that receives the 500/503 response instead of the exception behind it."""
    return Client(raise_request_exception=False, headers={"accept-language": "en"})


def database_away(error: Exception = LOST):
    return mock.patch("django.db.backends.utils.CursorWrapper.execute", side_effect=error)


def assert_unavailable_page(response):
    assert response.status_code == 503
    assert response["Retry-After"] == str(RETRY_AFTER_SECONDS)
    assert response["Content-Type"].startswith("text/html")
    assert MESSAGE in response.content.decode()


def assert_unavailable_json(response):
    assert response.status_code == 503
    assert response["Retry-After"] == str(RETRY_AFTER_SECONDS)
    assert response.json() == {"detail": MESSAGE}


def test_a_page_answers_503_when_the_view_finds_the_database_away(http, db, caplog):
    with database_away(), caplog.at_level(logging.ERROR, logger="prm.unavailable"):
        response = http.get("/accounts/login/")

    assert_unavailable_page(response)
    assert "Database unavailable, answered 503 to GET /accounts/login/" in caplog.text


def test_a_signed_in_page_answers_503_when_a_middleware_finds_the_database_away(http, world):
    http.force_login(world.vendor_admin, backend="django.contrib.auth.backends.ModelBackend")

    with database_away():
        response = http.get(f"/v/{world.acme.slug}/deals/")  # the user and vendor are read before the view

    assert_unavailable_page(response)


def test_the_api_answers_json_503_when_the_database_is_away(http, db):
    with database_away():
        response = http.get("/api/v1/me/", headers={"authorization": "Token some-token"})

    assert_unavailable_json(response)


def test_a_vendor_api_url_answers_json_503_when_the_vendor_cannot_be_read(http, world):
    with database_away(InterfaceError("connection already closed")):
        response = http.get(
            f"/api/v1/vendors/{world.acme.slug}/deals/", headers={"authorization": "Token some-token"}
        )

    assert_unavailable_json(response)


@override_settings(ROOT_URLCONF=__name__)
def test_the_request_transaction_is_rolled_back_before_the_503(http, db):
    response = http.get("/write-then-lose/")

    assert_unavailable_page(response)
    assert not OutboxTask.objects.exists()


@override_settings(ROOT_URLCONF=__name__)
def test_a_programming_error_stays_a_500(http, db):
    response = http.get("/api/programming-error/")

    assert response.status_code == 500
    assert "Retry-After" not in response


def test_a_query_error_of_the_api_stays_a_500_without_retry_after(http, db):
    with database_away(ProgrammingError('column "x" does not exist')):
        response = http.get("/api/v1/me/", headers={"authorization": "Token some-token"})

    assert response.status_code == 500
    assert "Retry-After" not in response


@pytest.mark.postgres
@pytest.mark.skipif(connection.vendor != "postgresql", reason="the tenant role is set on PostgreSQL only")
def test_a_connection_lost_while_setting_the_tenant_role_is_a_503(http, world):
    """The role and vendor statement of prm.pg goes around Django's cursor: its errors must be Django's too."""
    import psycopg2

    connection.ensure_connection()
    alive = connection.connection
    # Django's cursor for the request's first statement opens; the connection is lost before the role is set.
    dead = mock.Mock(name="connection lost")
    dead.cursor.side_effect = [
        alive.cursor(),
        psycopg2.OperationalError("server closed the connection unexpectedly"),
    ]
    with (
        mock.patch.object(connection, "_rls_ready", True),
        mock.patch.object(
            connection, "_rls_state", ("another", "state")
        ),  # the next query sets the role first
        mock.patch.object(connection, "connection", dead),
        mock.patch.object(connection, "close"),  # the test's transaction lives on the real connection
    ):
        response = http.get("/api/v1/me/", headers={"authorization": "Token some-token"})
    connection.connection = alive

    assert_unavailable_json(response)


def _from_driver(error_class, driver_error):
    try:
        raise error_class(*driver_error.args) from driver_error
    except error_class as error:
        return error


@pytest.mark.parametrize(
    ("error", "unavailable"),
    [
        (OperationalError("could not connect to server: Connection refused"), True),
        (InterfaceError("connection already closed"), True),
        (_from_driver(OperationalError, sqlite3.OperationalError("database is locked")), True),
        (_from_driver(OperationalError, sqlite3.OperationalError("no such table: deals_deal")), False),
        (ProgrammingError('relation "deals_deal" does not exist'), False),
        (IntegrityError("duplicate key value violates unique constraint"), False),
        (ValueError("not a database error"), False),
    ],
)
def test_only_a_database_that_cannot_be_reached_counts_as_unavailable(error, unavailable):
    assert database_unavailable(error) is unavailable
