"""Drafting, photos, review and publishing through the actions, with their refusals."""

from __future__ import annotations

import datetime
from urllib.parse import unquote

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.storage import storages
from django.test import override_settings
from django_tasks_db.models import DBTaskResult

from daptar.audit.models import AuditEvent
from daptar.lib.exceptions import Conflict
from daptar.notifications.models import Notification
from daptar.reports import actions
from daptar.reports.models import Photo, Report, Review, SocialChannel, SocialPost
from daptar.reports.tasks import make_renditions
from daptar.reports.tests.support import (
    IMMEDIATE_TASKS,
    TEXT,
    ReportsTestCase,
    bomb,
    draft,
    fields,
    jpeg,
    png,
    published,
    submitted,
    upload,
    yesterday,
)


def stored() -> list[str]:
    """Every file name in the (in-memory) storage, recursively."""
    storage = storages["default"]

    def walk(path: str) -> list[str]:
        dirs, files = storage.listdir(path)
        found = [f"{path}/{f}".lstrip("/") for f in files]
        for d in dirs:
            found += walk(f"{path}/{d}".lstrip("/"))
        return found

    return walk("")


class CreateTests(ReportsTestCase):
    def test_a_unit_office_writes_a_draft_with_its_photos(self) -> None:
        with self.captureOnCommitCallbacks(execute=True):
            report = draft(self.jalalabad, photos=(jpeg(), png()))
        self.assertEqual(report.status, Report.Status.DRAFT)
        self.assertEqual(
            (report.unit, report.unit_path), (self.jalalabad_union, self.jalalabad_union.path)
        )
        self.assertEqual(report.author, self.jalalabad)
        photos = list(report.photos.all())
        self.assertEqual([p.order for p in photos], [1, 2])
        self.assertEqual([p.content_type for p in photos], ["image/jpeg", "image/png"])
        self.assertTrue(all(p.status == Photo.Status.PENDING for p in photos))
        self.assertTrue(all(p.original.startswith("reports/private/") for p in photos))
        self.assertEqual(len(stored()), 2)
        event = AuditEvent.objects.get(verb="report.created")
        self.assertEqual((event.unit, event.detail), (self.jalalabad_union, {"photos": 2}))
        self.assertEqual(
            sorted(DBTaskResult.objects.values_list("args_kwargs", flat=True), key=str),
            sorted([{"args": [p.pk], "kwargs": {}} for p in photos], key=str),
        )

    def test_one_refused_photo_refuses_the_report_and_nothing_is_saved(self) -> None:
        with self.assertRaises(ValidationError) as caught:
            draft(self.jalalabad, photos=(jpeg(), TEXT))
        self.assertEqual(
            caught.exception.message_dict["photos"],
            ["photo2.jpg: is not a photo we accept (JPEG, PNG, WebP, HEIC)"],
        )
        self.assertFalse(Report.objects.exists())
        self.assertFalse(Photo.objects.exists())
        self.assertEqual(stored(), [])

    def test_a_decompression_bomb_is_refused(self) -> None:
        with self.assertRaises(ValidationError) as caught:
            draft(self.jalalabad, photos=(bomb(),))
        self.assertIn("photo1.jpg: has too many pixels", caught.exception.messages[0])
        self.assertFalse(Report.objects.exists())

    @override_settings(DAPTAR_REPORT_PHOTO_MAX_MB=0.001)
    def test_a_photo_over_the_size_limit_is_refused_naming_it(self) -> None:
        with self.assertRaises(ValidationError) as caught:
            draft(self.jalalabad, photos=(jpeg(300, 200),))
        self.assertIn("photo1.jpg: is", caught.exception.messages[0])
        self.assertIn("the limit is", caught.exception.messages[0])

    def test_the_same_photo_twice_is_kept_once(self) -> None:
        report = draft(self.jalalabad, photos=(jpeg(), jpeg(), png()))
        self.assertEqual(report.photos.count(), 2)
        actions.add_photos(report, [upload("again.jpg", jpeg())], by=self.jalalabad)
        self.assertEqual(report.photos.count(), 2)
        self.assertEqual(len(stored()), 2)

    @override_settings(DAPTAR_REPORT_PHOTOS_MAX=2)
    def test_a_report_takes_no_more_photos_than_the_limit(self) -> None:
        report = draft(self.jalalabad, photos=(jpeg(), png()))
        with self.assertRaisesMessage(ValidationError, "at most 2 photos"):
            actions.add_photos(report, [upload("3.jpg", jpeg(colour="blue"))], by=self.jalalabad)
        self.assertEqual(report.photos.count(), 2)
        self.assertEqual(len(stored()), 2)

    def test_the_same_idempotency_key_makes_one_report(self) -> None:
        def send(*photos: bytes) -> Report:
            return actions.create_report(
                unit=self.jalalabad_union,
                by=self.jalalabad,
                photos=[upload(f"{n}.jpg", p) for n, p in enumerate(photos)],
                idempotency_key="form-7f3a",
                **fields(),
            )

        first = send(jpeg())
        again = send(jpeg(), png())  # the phone sent it again after its connection dropped
        self.assertEqual(first.pk, again.pk)
        self.assertEqual(Report.objects.count(), 1)
        self.assertEqual(again.photos.count(), 2)

    def test_the_key_is_the_authors_own(self) -> None:
        draft(self.jalalabad, idempotency_key="k1")
        actions.create_report(
            unit=self.sylhet_district, by=self.sylhet, idempotency_key="k1", **fields()
        )
        self.assertEqual(Report.objects.count(), 2)

    def test_bad_fields_are_named(self) -> None:
        tomorrow = yesterday() + datetime.timedelta(days=3)
        with self.assertRaises(ValidationError) as caught:
            draft(self.jalalabad, title=" ", body="", event_date=tomorrow, participants=-1)
        self.assertEqual(
            set(caught.exception.message_dict), {"title", "body", "event_date", "participants"}
        )

    def test_only_the_units_own_office_writes_its_reports(self) -> None:
        with self.assertRaisesMessage(PermissionDenied, "own office"):
            draft(self.sylhet, unit=self.jalalabad_union)
        with self.assertRaisesMessage(PermissionDenied, "read-only"):
            draft(self.jalalabad_president, unit=self.jalalabad_union)
        self.assertFalse(Report.objects.exists())


class EditTests(ReportsTestCase):
    def test_a_draft_is_edited(self) -> None:
        report = draft(self.jalalabad)
        actions.update_report(report, by=self.jalalabad, **fields(title="নতুন শিরোনাম"))
        report.refresh_from_db()
        self.assertEqual(report.title, "নতুন শিরোনাম")
        self.assertTrue(AuditEvent.objects.filter(verb="report.edited").exists())

    def test_a_submitted_report_is_not_edited(self) -> None:
        report = submitted(self.jalalabad)
        with self.assertRaises(Conflict):
            actions.update_report(report, by=self.jalalabad, **fields(title="x"))
        with self.assertRaises(Conflict):
            actions.add_photos(report, [upload("a.jpg", jpeg())], by=self.jalalabad)

    def test_a_photo_is_removed_with_its_files(self) -> None:
        report = draft(self.jalalabad, photos=(jpeg(), png()))
        photo = report.photos.first()
        assert photo is not None
        with self.captureOnCommitCallbacks(execute=True):
            actions.remove_photo(photo, by=self.jalalabad)
        self.assertEqual(report.photos.count(), 1)
        self.assertEqual(len(stored()), 1)

    def test_captions_and_order_are_set(self) -> None:
        report = draft(self.jalalabad, photos=(jpeg(), png()))
        first, second = report.photos.all()
        actions.arrange_photos(
            report,
            by=self.jalalabad,
            captions={first.pk: "চারা রোপণ", second.pk: " সভা "},
            order={first.pk: 2, second.pk: 1},
        )
        self.assertEqual(list(report.photos.values_list("caption", flat=True)), ["সভা", "চারা রোপণ"])


class ReviewTests(ReportsTestCase):
    def test_submitting_sends_it_to_the_parent_units_office(self) -> None:
        report = submitted(self.jalalabad)
        self.assertEqual(report.status, Report.Status.SUBMITTED)
        self.assertEqual(report.review_unit, self.sylhet_sadar)
        self.assertIsNotNone(report.submitted_at)
        notice = Notification.objects.get()
        self.assertEqual(notice.unit, self.sylhet_sadar)
        self.assertIn(report.title, notice.text_bn)
        self.assertEqual(Review.objects.get().decision, "submitted")

    def test_submitting_twice_is_a_conflict(self) -> None:
        report = submitted(self.jalalabad)
        with self.assertRaisesMessage(Conflict, "already been submitted"):
            actions.submit(report, by=self.jalalabad)

    def test_the_parent_office_approves(self) -> None:
        report = actions.approve(submitted(self.jalalabad), by=self.sadar, note="ভালো কাজ")
        self.assertEqual(report.status, Report.Status.APPROVED)
        self.assertEqual(report.approved_unit, self.sylhet_sadar)
        step = report.reviews.last()
        assert step is not None
        self.assertEqual((step.decision, step.note, step.by, step.unit),
                         ("approved", "ভালো কাজ", self.sadar, self.sylhet_sadar))  # fmt: skip
        self.assertTrue(
            Notification.objects.filter(unit=self.jalalabad_union, kind="report.approved").exists()
        )

    def test_any_office_above_may_approve(self) -> None:
        report = actions.approve(submitted(self.jalalabad), by=self.sylhet)
        self.assertEqual(report.approved_unit, self.sylhet_district)

    def test_a_unit_does_not_review_its_own_report(self) -> None:
        report = submitted(self.jalalabad)
        with self.assertRaises(PermissionDenied):
            actions.approve(report, by=self.jalalabad)

    def test_an_office_elsewhere_does_not_review(self) -> None:
        report = submitted(self.jalalabad)
        with self.assertRaises(PermissionDenied):
            actions.approve(report, by=self.dhaka)
        with self.assertRaises(PermissionDenied):
            actions.approve(report, by=self.president)  # central, but read-only

    def test_approving_twice_is_a_conflict(self) -> None:
        report = actions.approve(submitted(self.jalalabad), by=self.sadar)
        with self.assertRaises(Conflict):
            actions.approve(report, by=self.sylhet)

    def test_returning_needs_a_note_and_the_unit_corrects_and_resubmits(self) -> None:
        report = submitted(self.jalalabad)
        with self.assertRaises(ValidationError):
            actions.return_report(report, by=self.sadar, note="  ")
        report = actions.return_report(report, by=self.sadar, note="ছবির ক্যাপশন দিন")
        self.assertEqual(report.status, Report.Status.RETURNED)
        self.assertTrue(
            Notification.objects.filter(unit=self.jalalabad_union, kind="report.returned").exists()
        )
        actions.update_report(report, by=self.jalalabad, **fields(title="সংশোধিত"))
        report = actions.submit(report, by=self.jalalabad)
        self.assertEqual(report.status, Report.Status.SUBMITTED)
        self.assertEqual(
            list(report.reviews.values_list("decision", flat=True)),
            ["submitted", "returned", "submitted"],
        )

    def test_the_root_units_report_is_approved_as_it_is_sent(self) -> None:
        report = submitted(self.central)
        self.assertEqual((report.status, report.approved_unit), ("approved", self.root))
        report = actions.publish(report, by=self.central)
        self.assertEqual(report.status, Report.Status.PUBLISHED)


class PublishTests(ReportsTestCase):
    def test_the_approving_office_publishes_with_a_stable_address(self) -> None:
        report = published(self.jalalabad, self.sadar)
        self.assertEqual(report.status, Report.Status.PUBLISHED)
        self.assertIsNotNone(report.published_at)
        self.assertEqual(report.public_changed_at, report.published_at)
        self.assertEqual(report.slug, "বৃক্ষরোপণ-কর্মসূচি")
        self.assertEqual(unquote(report.public_path()), f"/reports/{report.pk}/বৃক্ষরোপণ-কর্মসূচি/")
        self.assertTrue(report.public_url.startswith("http"))

    def test_offices_above_the_approving_one_may_publish_but_not_below(self) -> None:
        report = actions.approve(submitted(self.jalalabad), by=self.sylhet)
        with self.assertRaises(PermissionDenied):
            actions.publish(report, by=self.sadar)  # below the district that approved
        report = actions.publish(report, by=self.central)
        self.assertEqual(report.status, Report.Status.PUBLISHED)

    def test_a_submitted_report_is_not_published(self) -> None:
        with self.assertRaisesMessage(Conflict, "Only an approved report"):
            actions.publish(submitted(self.jalalabad), by=self.sadar)

    @override_settings(DAPTAR_REPORTS_PUBLISH_ON_APPROVE=True)
    def test_a_setting_makes_approval_publish_at_once(self) -> None:
        report = actions.approve(submitted(self.jalalabad), by=self.sadar)
        self.assertEqual(report.status, Report.Status.PUBLISHED)
        self.assertEqual(
            list(report.reviews.values_list("decision", flat=True)),
            ["submitted", "approved", "published"],
        )

    def test_the_slug_stays_when_it_is_published_again(self) -> None:
        report = published(self.jalalabad, self.sadar)
        actions.withdraw(report, by=self.sadar)
        Report.objects.filter(pk=report.pk).update(title="Another title")
        report = actions.publish(report, by=self.sadar)
        self.assertEqual(report.slug, "বৃক্ষরোপণ-কর্মসূচি")

    def test_withdrawing_takes_it_off_and_counts_as_a_public_change(self) -> None:
        report = published(self.jalalabad, self.sadar)
        before = report.public_changed_at
        report = actions.withdraw(report, by=self.jalalabad, note="ভুল তথ্য")
        self.assertEqual(report.status, Report.Status.WITHDRAWN)
        assert before is not None and report.public_changed_at is not None
        self.assertGreaterEqual(report.public_changed_at, before)
        self.assertEqual(report.reviews.last().note, "ভুল তথ্য")  # type: ignore[union-attr]

    def test_the_unit_is_told_when_an_office_above_withdraws_its_report(self) -> None:
        report = published(self.jalalabad, self.sadar)
        actions.withdraw(report, by=self.sylhet, note="ছবি বদলাতে হবে")
        notice = Notification.objects.get(kind="report.withdrawn")
        self.assertEqual(notice.unit, self.jalalabad_union)

    def test_an_office_elsewhere_does_not_withdraw(self) -> None:
        report = published(self.jalalabad, self.sadar)
        with self.assertRaises(PermissionDenied):
            actions.withdraw(report, by=self.dhaka)

    def test_slugs_keep_bengali_vowel_signs_and_drop_punctuation(self) -> None:
        self.assertEqual(actions.slug_for("শীতবস্ত্র বিতরণ: ২০২৬!"), "শীতবস্ত্র-বিতরণ-২০২৬")
        self.assertEqual(actions.slug_for("Free Eye Camp, Ward 3"), "free-eye-camp-ward-3")
        self.assertEqual(actions.slug_for("!!!"), "report")
        self.assertLessEqual(len(actions.slug_for("শব্দ " * 40)), 60)


class LateRenditionTests(ReportsTestCase):
    def test_a_photo_ready_after_publishing_changes_the_public_pages(self) -> None:
        report = published(self.jalalabad, self.sadar, photos=(jpeg(),))
        before = report.public_changed_at
        self.assertEqual(make_renditions.call(report.photos.get().pk), "ready")
        report.refresh_from_db()
        self.assertGreater(report.public_changed_at, before)  # type: ignore[operator]


class SocialOutboxTests(ReportsTestCase):
    def test_publishing_queues_one_post_per_active_channel(self) -> None:
        SocialChannel.objects.create(name="Website relay", url="http://127.0.0.1:9/hook")
        SocialChannel.objects.create(name="Old", url="http://127.0.0.1:9/old", is_active=False)
        with self.captureOnCommitCallbacks(execute=True):
            report = published(self.jalalabad, self.sadar)
        post = SocialPost.objects.get()
        self.assertEqual(
            (post.report, post.channel.name, post.status), (report, "Website relay", "pending")
        )
        task = DBTaskResult.objects.get(task_path="daptar.reports.tasks.send_social_post")
        self.assertEqual(task.args_kwargs, {"args": [post.pk], "kwargs": {}})

    def test_publishing_again_posts_nothing_twice(self) -> None:
        SocialChannel.objects.create(name="Relay", url="http://127.0.0.1:9/hook")
        report = published(self.jalalabad, self.sadar)
        actions.withdraw(report, by=self.sadar)
        actions.publish(report, by=self.sadar)
        self.assertEqual(SocialPost.objects.count(), 1)

    def test_withdrawing_cancels_posts_not_yet_sent(self) -> None:
        SocialChannel.objects.create(name="Relay", url="http://127.0.0.1:9/hook")
        report = published(self.jalalabad, self.sadar)
        actions.withdraw(report, by=self.sadar)
        self.assertEqual(SocialPost.objects.get().status, SocialPost.Status.CANCELLED)


@IMMEDIATE_TASKS
class RenditionTaskTests(ReportsTestCase):
    def test_the_worker_makes_webp_and_jpeg_renditions(self) -> None:
        with self.captureOnCommitCallbacks(execute=True):
            report = draft(self.jalalabad, photos=(jpeg(1000, 750, gps=True),))
        photo = report.photos.get()
        self.assertEqual(photo.status, Photo.Status.READY)
        self.assertEqual(
            [(r["w"], r["h"]) for r in photo.renditions], [(1000, 750), (800, 600), (320, 240)]
        )
        names = stored()
        for r in photo.renditions:
            self.assertIn(photo.rendition_name(r["w"], "webp"), names)
            self.assertIn(photo.rendition_name(r["w"], "jpg"), names)
        self.assertTrue(all(n.startswith("reports/public/") for n in names if n != photo.original))

    def test_an_unreadable_original_is_marked_failed(self) -> None:
        report = draft(self.jalalabad, photos=(jpeg(),))
        photo = report.photos.get()
        storages["default"].delete(photo.original)
        storages["default"].save(photo.original, upload("x.jpg", jpeg()[:40]))
        self.assertEqual(make_renditions.call(photo.pk), "failed")
        photo.refresh_from_db()
        self.assertEqual(photo.status, Photo.Status.FAILED)
        self.assertTrue(photo.error)
