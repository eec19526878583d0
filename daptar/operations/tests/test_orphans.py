"""A request killed mid-upload leaves no half report; its files are swept up later."""

from __future__ import annotations

import datetime
import io
import os
import shutil
import tempfile
from pathlib import Path
from unittest import mock

from django.core.management import call_command
from django.test import override_settings
from django.utils import timezone

from daptar.operations import orphans
from daptar.reports.models import Photo, Report
from daptar.reports.tests.support import ReportsTestCase, draft, jpeg, png

HOURS = 24


def make_old(path: Path, hours: float = HOURS + 1) -> None:
    then = (timezone.now() - datetime.timedelta(hours=hours)).timestamp()
    os.utime(path, (then, then))


class OrphanTests(ReportsTestCase):
    def setUp(self) -> None:
        super().setUp()
        self.media = Path(tempfile.mkdtemp(prefix="daptar-media-"))
        self.addCleanup(shutil.rmtree, self.media, ignore_errors=True)
        storages = {
            "default": {
                "BACKEND": "django.core.files.storage.FileSystemStorage",
                "OPTIONS": {"location": str(self.media)},
            },
            "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
        }
        patcher = override_settings(
            STORAGES=storages, MEDIA_ROOT=str(self.media), DAPTAR_ORPHAN_GRACE_HOURS=HOURS
        )
        patcher.enable()
        self.addCleanup(patcher.disable)

    def files(self) -> set[str]:
        return {p.relative_to(self.media).as_posix() for p in self.media.rglob("*") if p.is_file()}

    def test_a_failure_inside_the_transaction_leaves_no_report_and_no_file(self) -> None:
        with (
            mock.patch("daptar.reports.actions.reports.record", side_effect=RuntimeError("died")),
            self.assertRaises(RuntimeError),
        ):
            draft(self.sadar, title="half", photos=(jpeg(), png()))
        self.assertFalse(Report.objects.filter(title="half").exists())
        self.assertFalse(Photo.objects.exists())
        self.assertEqual(self.files(), set())

    def test_files_of_a_process_killed_before_its_commit_are_swept_after_the_grace(self) -> None:
        kept = draft(self.sadar, title="kept", photos=(jpeg(),))
        # A process that dies between storing the files and committing the rows never
        # reaches its own clean-up: the rows roll back, the files stay.
        with (
            mock.patch("daptar.reports.actions.reports.discard_files"),
            mock.patch("daptar.reports.actions.reports.record", side_effect=SystemExit),
            self.assertRaises(SystemExit),
        ):
            draft(self.sadar, title="killed", photos=(jpeg(colour="red"), png()))
        self.assertFalse(Report.objects.filter(title="killed").exists())
        original = Photo.objects.get(report=kept).original
        left = self.files() - {original}
        self.assertEqual(len(left), 2)

        self.assertEqual(orphans.delete_orphans(), [])  # young: may be an upload in progress
        for name in self.files():
            make_old(self.media / name)
        self.assertEqual(sorted(orphans.delete_orphans()), sorted(left))
        self.assertEqual(self.files(), {original})  # the report's own photo is still there

    def test_renditions_and_attachments_named_by_rows_are_kept(self) -> None:
        report = draft(self.sadar, title="kept", photos=(jpeg(),))
        photo = Photo.objects.get(report=report)
        for fmt in ("webp", "jpg"):
            path = self.media / photo.rendition_name(320, fmt)
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(b"rendition")
        Photo.objects.filter(pk=photo.pk).update(renditions=[{"w": 320, "h": 240}])
        stray = self.media / "letters" / "2026" / "01" / "stray.pdf"
        stray.parent.mkdir(parents=True)
        stray.write_bytes(b"%PDF-")
        outside = self.media / "somebody-else" / "keep.txt"  # not a folder Daptar writes
        outside.parent.mkdir()
        outside.write_text("not ours")
        for path in self.media.rglob("*"):
            if path.is_file():
                make_old(path)
        call_command("clean_orphan_files", stdout=io.StringIO(), stderr=io.StringIO())
        self.assertEqual(
            self.files(),
            {
                photo.original,
                photo.rendition_name(320, "webp"),
                photo.rendition_name(320, "jpg"),
                "somebody-else/keep.txt",
            },
        )
