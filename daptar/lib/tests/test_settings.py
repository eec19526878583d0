import os
import unittest
from unittest import mock

from django.conf import settings
from django.test import SimpleTestCase

from daptar.settings import env_bool, env_int, env_list, env_str


def environ(**values: str) -> "mock._patch[dict[str, str]]":
    return mock.patch.dict(os.environ, {f"DAPTAR_{k}": v for k, v in values.items()})


class EnvHelperTests(SimpleTestCase):
    def test_env_str_reads_the_prefixed_variable(self) -> None:
        with environ(GREETING="salam"):
            self.assertEqual(env_str("GREETING"), "salam")
        self.assertEqual(env_str("SURELY_UNSET_1", "fallback"), "fallback")

    def test_env_bool_reads_the_usual_true_words(self) -> None:
        for value in ("1", "true", "TRUE", "yes", "On", " on "):
            with self.subTest(value=value), environ(FLAG=value):
                self.assertIs(env_bool("FLAG"), True)

    def test_env_bool_reads_anything_else_as_false(self) -> None:
        for value in ("0", "false", "no", "off", "", "nope"):
            with self.subTest(value=value), environ(FLAG=value):
                self.assertIs(env_bool("FLAG", True), False)

    def test_env_bool_falls_back_when_unset(self) -> None:
        self.assertIs(env_bool("SURELY_UNSET_2", True), True)
        self.assertIs(env_bool("SURELY_UNSET_2"), False)

    def test_env_int_parses_integers(self) -> None:
        with environ(COUNT="42"):
            self.assertEqual(env_int("COUNT", 7), 42)
        with environ(COUNT="-3"):
            self.assertEqual(env_int("COUNT", 7), -3)

    def test_env_int_falls_back_when_unset_or_empty(self) -> None:
        self.assertEqual(env_int("SURELY_UNSET_3", 7), 7)
        with environ(COUNT=""):
            self.assertEqual(env_int("COUNT", 7), 7)

    def test_env_int_refuses_what_is_not_a_number(self) -> None:
        with environ(COUNT="many"), self.assertRaises(ValueError):
            env_int("COUNT", 7)

    def test_env_list_splits_on_commas_and_drops_blanks(self) -> None:
        with environ(HOSTS=" a.example, b.example,,c.example ,"):
            self.assertEqual(env_list("HOSTS"), ["a.example", "b.example", "c.example"])

    def test_env_list_falls_back_to_the_default_string(self) -> None:
        self.assertEqual(env_list("SURELY_UNSET_4", "x,y"), ["x", "y"])
        self.assertEqual(env_list("SURELY_UNSET_4"), [])


@unittest.skipUnless(
    settings.DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3",
    "SQLite settings; this run uses another database",
)
class SqliteSettingsTests(SimpleTestCase):
    options = settings.DATABASES["default"]["OPTIONS"]

    def test_writers_take_the_lock_at_begin(self) -> None:
        self.assertEqual(self.options["transaction_mode"], "IMMEDIATE")

    def test_writers_wait_for_the_lock(self) -> None:
        self.assertGreaterEqual(self.options["timeout"], 5)

    def test_the_journal_is_wal(self) -> None:
        self.assertIn("journal_mode=WAL", self.options["init_command"])
        self.assertIn("foreign_keys=ON", self.options["init_command"])

    def test_connections_are_not_kept_across_requests(self) -> None:
        self.assertEqual(settings.DATABASES["default"]["CONN_MAX_AGE"], 0)


class PasswordSettingsTests(SimpleTestCase):
    def test_new_passwords_are_hashed_with_argon2(self) -> None:
        self.assertEqual(
            settings.PASSWORD_HASHERS[0], "django.contrib.auth.hashers.Argon2PasswordHasher"
        )
