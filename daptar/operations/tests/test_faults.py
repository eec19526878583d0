"""A database that is locked or away answers 503 with Retry-After and a clear message."""

from __future__ import annotations

import importlib
from collections.abc import Callable
from unittest import mock

import pytest
from django.conf import settings
from django.db import InterfaceError, OperationalError, close_old_connections, connection
from django.http import HttpRequest, HttpResponse
from django.test import TestCase, TransactionTestCase, override_settings

from daptar.operations import faults
from daptar.testing import make_user

LOCKED = OperationalError("database is locked")
GONE = OperationalError("server closed the connection unexpectedly")


def failing_cursor(exc: Exception) -> mock._patch[mock.MagicMock]:
    """Every query raises *exc*, as the database driver would."""
    return mock.patch.object(connection, "cursor", side_effect=exc)


class ClassifyTests(TestCase):
    def test_sqlite_busy_is_locked(self) -> None:
        self.assertEqual(faults.classify(LOCKED), faults.LOCKED)

    def test_other_errors_are_not_faults(self) -> None:
        self.assertIsNone(faults.classify(ValueError("database is locked")))
        self.assertIsNone(faults.classify(None))

    def test_a_lost_connection_is_unavailable(self) -> None:
        gone = InterfaceError("connection already closed")
        self.assertEqual(faults.classify(gone), faults.UNAVAILABLE)
        expected = None if connection.vendor == "sqlite" else faults.UNAVAILABLE
        # On SQLite an OperationalError is also a missing table: a bug, so a 500.
        self.assertEqual(faults.classify(OperationalError("no such table: x")), expected)
        self.assertEqual(
            faults.classify(OperationalError("unable to open database file")), faults.UNAVAILABLE
        )


@override_settings(DAPTAR_DB_RETRY_AFTER_SECONDS=7)
class ResponseTests(TransactionTestCase):
    def setUp(self) -> None:
        # The first query of a signed-in request is the session's, read by a middleware:
        # Django makes that a 500 (which the fault middleware swaps for the 503) rather than
        # raising it to the caller, so the client must not raise it either.
        self.client.raise_request_exception = False

    def test_a_locked_database_in_a_view_answers_503_in_bengali(self) -> None:
        self.client.force_login(make_user("reader"))
        with failing_cursor(LOCKED):
            response = self.client.get("/office/", headers={"accept-language": "bn"})
        self.assertEqual(response.status_code, 503)
        self.assertEqual(response["Retry-After"], "7")
        self.assertIn("আবার চেষ্টা করুন", response.content.decode())

    def test_the_api_answers_json(self) -> None:
        self.client.force_login(make_user("reader"))
        for exc in [LOCKED] + ([GONE] if connection.vendor != "sqlite" else []):
            with self.subTest(exc=exc), failing_cursor(exc):
                response = self.client.get("/api/v1/units/", headers={"accept-language": "en"})
            self.assertEqual(response.status_code, 503)
            self.assertEqual(response["Content-Type"], "application/json")
            self.assertIn("try again", response.json()["detail"].lower())
            self.assertTrue(response.json()["code"].startswith("database_"))

    @override_settings(
        MIDDLEWARE=[*settings.MIDDLEWARE, "daptar.operations.tests.test_faults.LockedAfterTheView"]
    )
    def test_a_fault_outside_the_view_is_a_503_too(self) -> None:
        self.client.raise_request_exception = False
        response = self.client.get("/accounts/login/")
        self.assertEqual(response.status_code, 503)
        self.assertIn("Retry-After", response)

    def test_the_next_request_works_when_the_database_is_back(self) -> None:
        self.client.force_login(make_user("reader"))
        with failing_cursor(LOCKED):
            self.assertEqual(self.client.get("/api/v1/units/").status_code, 503)
        self.assertEqual(self.client.get("/api/v1/units/").status_code, 200)

    def test_a_bug_is_still_a_500(self) -> None:
        self.client.raise_request_exception = False
        with mock.patch("daptar.accounts.views.Login.get", side_effect=RuntimeError("a bug")):
            response = self.client.get("/accounts/login/")
        self.assertEqual(response.status_code, 500)


class LockedAfterTheView:
    """A middleware whose response phase meets a locked database (as a session save may)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        self.get_response(request)
        raise LOCKED


class SettingsTests(TestCase):
    def test_connections_are_health_checked_so_a_restarted_server_is_found_again(self) -> None:
        self.assertTrue(connection.settings_dict["CONN_HEALTH_CHECKS"])

    def test_the_fault_middleware_is_outermost(self) -> None:
        self.assertEqual(
            settings.MIDDLEWARE[0], "daptar.operations.middleware.DatabaseFaultMiddleware"
        )
        importlib.import_module("daptar.operations.middleware")


@pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL only")
class PostgresOutageTests(TransactionTestCase):
    def setUp(self) -> None:
        self.client.raise_request_exception = False  # the session read meets it first

    def test_a_dropped_server_connection_is_a_503_then_the_site_recovers_by_itself(self) -> None:
        import psycopg

        self.client.force_login(make_user("reader"))
        self.assertEqual(self.client.get("/api/v1/units/").status_code, 200)
        backend = connection.connection.info.backend_pid  # the server process serving us
        db = connection.settings_dict
        with psycopg.connect(
            host=db["HOST"], port=db["PORT"], user=db["USER"], dbname=db["NAME"], autocommit=True
        ) as admin:  # what a server restart does to every connection
            admin.execute("SELECT pg_terminate_backend(%s)", [backend])
        response = self.client.get("/api/v1/units/")
        self.assertEqual(response.status_code, 503)
        self.assertEqual(response.json()["code"], "database_unavailable")
        self.assertIn("Retry-After", response)
        # What Django does at the end of every real request (the test client skips it):
        # the broken connection is closed, and the next request opens a new one.
        close_old_connections()
        self.assertEqual(self.client.get("/api/v1/units/").status_code, 200)
