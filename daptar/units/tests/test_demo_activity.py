"""The demo activity, on the real small demo country (seeded once per class: about a second)."""

from __future__ import annotations

import datetime
import io
from typing import Any
from unittest import mock

from django.core.management import call_command
from django.db.models import Count
from django.test import TestCase, override_settings
from django.urls import reverse
from django.utils import timezone
from PIL import Image

from daptar.accounts.models import User
from daptar.audit.models import AuditEvent
from daptar.directives.models import Delivery, Directive
from daptar.letters.models import Letter, Receipt
from daptar.meetings.models import Invitation, Meeting, MeetingSeries
from daptar.reports import actions as report_actions
from daptar.reports.models import Photo, Report
from daptar.reports.templatetags.report_photos import photo_path
from daptar.returns.models import ReturnForm, Submission
from daptar.testing import DaptarTestCase
from daptar.units import demo, demo_activity
from daptar.units.demo_activity import MARKER, REPORTS, seed_activity
from daptar.units.models import Unit

STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.InMemoryStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
FAST_HASHER = ["django.contrib.auth.hashers.MD5PasswordHasher"]
EXPECTED = {
    "directives": 3,
    "returns": 1,
    "submissions": 2,
    "reports": 3,
    "photos": 3,
    "letters": 2,
    "meetings": 1,
    "invitations": 12,  # the Sylhet division and its 5 districts × 2 office bearers
}
MODELS = [
    Directive,
    Delivery,
    ReturnForm,
    Submission,
    Report,
    Photo,
    Letter,
    Receipt,
    MeetingSeries,
    Meeting,
    Invitation,
    AuditEvent,
]


def table_counts() -> dict[str, int]:
    return {model.__name__: model.objects.count() for model in MODELS}


def stored_files() -> list[str]:
    storage = report_actions.photo_storage()

    def walk(folder: str) -> list[str]:
        folders, files = storage.listdir(folder)
        found = [f"{folder}/{name}" for name in files]
        for sub in folders:
            found += walk(f"{folder}/{sub}")
        return found

    return walk("reports") if storage.exists("reports") else []


@override_settings(STORAGES=STORAGES, PASSWORD_HASHERS=FAST_HASHER)
class DemoActivityTests(TestCase):
    counts: dict[str, int]

    @classmethod
    def setUpTestData(cls) -> None:
        demo.seed("small", password="demo-test-password")  # ~0.6 s
        cls.counts = seed_activity()  # ~1 s, most of it the photos' renditions

    def user(self, username: str) -> User:
        return User.objects.get(username=username)

    def unit(self, username: str) -> Unit:
        return Unit.objects.get(code=demo.LOGINS[username][0])

    def test_it_makes_the_activity_and_says_how_much(self) -> None:
        self.assertLessEqual(EXPECTED.items(), self.counts.items())
        self.assertEqual(self.counts["deliveries"], Delivery.objects.count())
        self.assertEqual(AuditEvent.objects.filter(verb=MARKER).count(), 1)

    def test_directives_were_issued_and_answered(self) -> None:
        statuses = dict(Directive.objects.values_list("status").annotate(n=Count("pk")).order_by())
        self.assertEqual(statuses, {"issued": 2, "draft": 1})
        urgent = Directive.objects.get(priority=Directive.Priority.URGENT)
        self.assertEqual((urgent.mode, urgent.target_unit.code), (Directive.Mode.DIRECT, "DIV-SYL"))
        mine = Delivery.objects.get(directive=urgent, unit=self.unit("jalalabad"))
        self.assertEqual(mine.state, Delivery.State.ACKNOWLEDGED)
        self.assertEqual(mine.acknowledged_by, self.user("jalalabad"))
        done = Delivery.objects.get(directive=urgent, unit=self.unit("sylhet"))
        self.assertEqual((done.state, done.done_by), (Delivery.State.DONE, self.user("sylhet")))
        relay = Directive.objects.get(mode=Directive.Mode.RELAY)
        self.assertEqual(
            set(relay.target_levels.values_list("slug", flat=True)), {"district", "upazila"}
        )
        self.assertIsNotNone(Delivery.objects.get(directive=relay, unit__code="SYL").forwarded_at)
        # Sylhet forwarded to its upazilas; the other districts' upazilas wait for theirs.
        sadar = Delivery.objects.get(directive=relay, unit=self.unit("sylhet-sadar"))
        self.assertEqual(sadar.state, Delivery.State.SEEN)
        self.assertTrue(
            Delivery.objects.filter(directive=relay, state=Delivery.State.PENDING).exists()
        )

    def test_the_return_has_its_submissions(self) -> None:
        form = ReturnForm.objects.get()
        self.assertEqual(
            (form.status, form.schedule, form.target_unit.code),
            (ReturnForm.Status.ACTIVE, ReturnForm.Schedule.ONCE, "DIV-SYL"),
        )
        self.assertEqual((form.fields.count(), form.rules.count()), (3, 1))
        sent = {
            s.unit.code: s.status
            for s in Submission.objects.exclude(status=Submission.Status.PENDING)
        }
        self.assertEqual(
            sent,
            {"UN-2513": Submission.Status.APPROVED, "UPZ-281": Submission.Status.SUBMITTED},
        )

    def test_letters_and_the_meeting(self) -> None:
        first, reply = Letter.objects.order_by("pk")
        self.assertEqual((first.sender.code, first.recipient.code), ("UN-2513", "CEN"))
        self.assertEqual((reply.reply_to, reply.recipient.code), (first, "UN-2513"))
        self.assertEqual(Receipt.objects.get(letter=first).state, Receipt.State.ANSWERED)
        meeting = Meeting.objects.get()
        self.assertEqual(meeting.status, Meeting.Status.SENT)
        self.assertEqual((meeting.phase.number, meeting.planned_for.code), (1, "DIV-SYL"))  # type: ignore[union-attr]
        ahead = timezone.localdate(meeting.starts_at) - timezone.localdate()
        self.assertEqual(ahead, datetime.timedelta(days=7))

    def test_the_public_home_lists_the_three_published_reports(self) -> None:
        self.assertEqual(Report.objects.published().count(), 3)
        response = self.client.get(reverse("website:home"))
        self.assertEqual(response.status_code, 200)
        for _author, _reviewer, _category, _days, _scene, title, *_rest in REPORTS:
            self.assertContains(response, title)
        for photo in Photo.objects.all():
            self.assertContains(response, photo_path(photo, 320, "webp"))

    def test_the_offices_see_it(self) -> None:
        self.client.force_login(self.user("jalalabad"))
        urgent = Directive.objects.get(priority=Directive.Priority.URGENT)
        self.assertContains(self.client.get(reverse("directives:inbox")), urgent.title)
        self.assertContains(
            self.client.get(reverse("letters:pending")), Letter.objects.latest("pk").subject
        )
        self.client.force_login(self.user("central"))
        self.assertContains(
            self.client.get(reverse("letters:inward")), Letter.objects.earliest("pk").subject
        )

    def test_renditions_exist_and_carry_no_exif(self) -> None:
        storage = report_actions.photo_storage()
        for photo in Photo.objects.all():
            self.assertEqual(photo.status, Photo.Status.READY)
            self.assertEqual((photo.width, photo.height), (1200, 800))
            with storage.open(photo.original) as original:
                self.assertTrue(dict(Image.open(original).getexif()))  # the "phone" wrote some
            self.assertTrue(photo.renditions)
            for rendition in photo.renditions:
                for fmt in ("webp", "jpg"):
                    with storage.open(photo.rendition_name(rendition["w"], fmt)) as f:
                        image = Image.open(io.BytesIO(f.read()))
                        self.assertEqual(dict(image.getexif()), {})
                        self.assertNotIn("exif", image.info)

    def test_a_second_run_adds_nothing(self) -> None:
        before, files = table_counts(), stored_files()
        self.assertEqual(seed_activity(), {})
        self.assertEqual(table_counts(), before)
        self.assertEqual(stored_files(), files)

    def test_a_failed_run_leaves_no_rows_and_no_files(self) -> None:
        before, files = table_counts(), stored_files()

        midway: list[str] = []

        def fail(*args: Any) -> None:
            midway.extend(stored_files())
            raise RuntimeError("the meeting could not be planned")

        with (
            mock.patch.object(demo_activity, "MARKER", "demo.activity-again"),
            mock.patch.object(demo_activity, "_meeting", fail),
            self.assertRaises(RuntimeError),
        ):
            seed_activity()  # gets as far as the meeting, then fails
        sizes = len({min(w, 1200) for w in report_actions.rendition_widths()})
        self.assertEqual(len(midway), len(files) + 3 * (1 + 2 * sizes))  # original, WebP + JPEG
        self.assertEqual(table_counts(), before)
        self.assertEqual(stored_files(), files)

    def test_seed_demo_says_both_are_there_already(self) -> None:
        out = io.StringIO()
        call_command("seed_demo", stdout=out)
        self.assertIn("demo country is already there", out.getvalue())
        self.assertIn("demo activity is already there", out.getvalue())
        out = io.StringIO()
        call_command("seed_demo", "--no-activity", stdout=out)
        self.assertNotIn("activity", out.getvalue())


class SeedDemoDefaultTests(TestCase):
    """The activity is on by default for the small scale only: the full scale is for benches."""

    def run_command(self, *args: str) -> bool:
        with (
            mock.patch.object(demo, "seed", return_value=demo.Report()),
            mock.patch.object(demo_activity, "seed_activity", return_value={}) as activity,
        ):
            call_command("seed_demo", *args, stdout=io.StringIO())
        return activity.called

    def test_the_default_follows_the_scale(self) -> None:
        self.assertTrue(self.run_command())
        self.assertTrue(self.run_command("--scale", "small"))
        self.assertFalse(self.run_command("--scale", "full"))

    def test_the_flags_override_it(self) -> None:
        self.assertFalse(self.run_command("--no-activity"))
        self.assertTrue(self.run_command("--scale", "full", "--activity"))


@override_settings(STORAGES=STORAGES)
class PartialTreeTests(DaptarTestCase):
    """The test cast has no office at the Sylhet division or Sylhet Sadar: those parts wait."""

    def test_parts_without_their_logins_are_skipped(self) -> None:
        counts = seed_activity()
        self.assertEqual(counts["directives"], 3)
        self.assertEqual(counts["submissions"], 1)  # Jalalabad's; Sylhet Sadar has no office
        self.assertEqual(counts["letters"], 2)
        self.assertNotIn("reports", counts)  # every report needs a reviewer the cast lacks
        self.assertEqual(seed_activity(), {})

    def test_without_a_central_login_nothing_is_done(self) -> None:
        User.objects.filter(pk=self.central.pk).update(is_active=False)
        self.assertEqual(seed_activity(), {})
        self.assertFalse(AuditEvent.objects.filter(verb=MARKER).exists())
