"""Memo numbers: unique and gap-free per sending unit and year, also under concurrent sends.

On PostgreSQL the sends run in threads, each on its own connection, all let go
at once. SQLite has one writer at a time (BEGIN IMMEDIATE), so there the tests
interleave transactions and savepoints on one connection instead.
"""

from __future__ import annotations

import threading
import unittest
from typing import Any
from unittest import mock

from django.db import connection, connections, transaction
from django.test import TransactionTestCase, override_settings

from daptar.audit.actions import record as real_record
from daptar.letters.models import Letter
from daptar.letters.tests.support import LATER, LettersTestCase, frozen, write
from daptar.testing import build_cast
from daptar.units.models import Counter


def serials(unit: Any, year: int = 2027) -> list[int]:
    return sorted(
        Letter.objects.filter(sender=unit, memo_year=year).values_list("memo_serial", flat=True)
    )


class SequentialAndInterleavedTests(LettersTestCase):
    def test_many_sends_number_one_to_n(self) -> None:
        with frozen(LATER):
            letters = [write(self.jalalabad, self.root, subject=f"Letter {n}") for n in range(25)]
        self.assertEqual(serials(self.jalalabad_union), list(range(1, 26)))
        self.assertEqual(letters[-1].memo_no, "UN-2513/2027/0025")
        self.assertEqual(len({letter.memo_no for letter in letters}), 25)

    def test_interleaved_units_keep_their_own_runs(self) -> None:
        with frozen(LATER), transaction.atomic():
            for n in range(6):
                write(self.jalalabad if n % 2 else self.sylhet, self.root, subject=f"L{n}")
                write(self.ward, self.jalalabad_union, subject=f"W{n}")
        self.assertEqual(serials(self.jalalabad_union), [1, 2, 3])
        self.assertEqual(serials(self.sylhet_district), [1, 2, 3])
        self.assertEqual(serials(self.ward1), list(range(1, 7)))

    def test_a_send_rolled_back_in_a_savepoint_gives_its_number_back(self) -> None:
        with frozen(LATER), transaction.atomic():
            write(self.jalalabad, self.root)
            failing = mock.patch("daptar.letters.actions.record", side_effect=RuntimeError)
            with failing, self.assertRaises(RuntimeError):
                write(self.jalalabad, self.root)
            write(self.sylhet, self.root)
            last = write(self.jalalabad, self.root)
        self.assertEqual(last.memo_no, "UN-2513/2027/0002")
        self.assertEqual(serials(self.jalalabad_union), [1, 2])

    def test_an_outer_transaction_rolled_back_gives_every_number_back(self) -> None:
        with frozen(LATER):
            write(self.jalalabad, self.root)
            try:
                with transaction.atomic():
                    write(self.jalalabad, self.root)
                    write(self.jalalabad, self.root)
                    raise RuntimeError("the request failed after sending")
            except RuntimeError:
                pass
            after = write(self.jalalabad, self.root)
        self.assertEqual(after.memo_no, "UN-2513/2027/0002")
        counter = Counter.objects.get(unit=self.jalalabad_union, series="letter", year=2027)
        self.assertEqual(counter.last, 2)


@unittest.skipUnless(connection.vendor == "postgresql", "real concurrency needs PostgreSQL")
@override_settings(PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"])
class ConcurrentSendTests(TransactionTestCase):
    """Threads on separate connections send from one unit at the same moment."""

    serialized_rollback = True
    THREADS = 8
    EACH = 5

    def setUp(self) -> None:
        build_cast(self)
        self.jalalabad.desks  # noqa: B018 - read once here; the threads share the user

    def run_threads(self, target: Any, names: list[str]) -> list[BaseException]:
        start = threading.Barrier(len(names))
        errors: list[BaseException] = []

        def run() -> None:
            try:
                start.wait()
                target()
            except BaseException as exc:
                errors.append(exc)
            finally:
                connections.close_all()

        threads = [threading.Thread(target=run, name=name) for name in names]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=60)
        return errors

    def test_concurrent_sends_get_unique_gap_free_numbers(self) -> None:
        def send_some() -> None:
            for n in range(self.EACH):
                write(self.jalalabad, self.root, subject=f"{threading.current_thread().name} {n}")

        # Patched once, here: mock.patch entered and left in each thread would race.
        with frozen(LATER):
            errors = self.run_threads(send_some, [f"t{n}" for n in range(self.THREADS)])
        self.assertEqual(errors, [])
        total = self.THREADS * self.EACH
        self.assertEqual(serials(self.jalalabad_union), list(range(1, total + 1)))
        self.assertEqual(Letter.objects.values("memo_no").distinct().count(), total)

    def test_failed_concurrent_sends_leave_no_gaps(self) -> None:
        def failing_record(*args: Any, **kwargs: Any) -> Any:
            # Fail after the number was taken, in half of the threads only.
            if threading.current_thread().name.startswith("fail"):
                raise RuntimeError("lost the connection half-way")
            return real_record(*args, **kwargs)

        def send_one() -> None:
            write(self.jalalabad, self.root)

        names = [f"{'fail' if n % 2 else 'ok'}{n}" for n in range(self.THREADS)]
        with frozen(LATER), mock.patch("daptar.letters.actions.record", side_effect=failing_record):
            errors = self.run_threads(send_one, names)
        self.assertEqual(len(errors), self.THREADS // 2)
        self.assertTrue(all(isinstance(e, RuntimeError) for e in errors))
        self.assertEqual(serials(self.jalalabad_union), list(range(1, self.THREADS // 2 + 1)))
