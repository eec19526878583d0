"""The whole-page cache of the public site: served warm, and never past a change."""

from __future__ import annotations

from django.urls import reverse

from daptar.reports import actions
from daptar.reports.models import Photo, Report
from daptar.reports.tasks import make_renditions
from daptar.reports.templatetags.report_photos import photo_path
from daptar.reports.tests.support import category, jpeg, png, published
from daptar.units import actions as unit_actions
from daptar.website.models import Generation
from daptar.website.pagecache import store
from daptar.website.tests.test_reports import PublicTestCase

LANGS = ("bn", "en")
FEED_PATH = reverse("website:feed")


def pages(lang: str) -> list[str]:
    prefix = "en_" if lang == "en" else ""
    return [reverse(f"website:{prefix}{name}") for name in ("home", "reports", "feed")]


class PageCacheTests(PublicTestCase):
    def warm(self, *paths: str) -> None:
        """Each page rendered once, then answered from the cache with the one read of the
        site's generation."""
        for path in paths:
            self.client.get(path)
            with self.subTest(path=path, warm=True), self.assertNumQueries(1):
                self.assertEqual(self.client.get(path).status_code, 200)

    def test_a_withdrawn_report_is_gone_on_the_next_request(self) -> None:
        report = self.publish(jpeg(), title="সরিয়ে নেওয়া কর্মসূচি")
        for lang in LANGS:
            self.warm(report.public_path(lang), *pages(lang))
            self.assertContains(self.client.get(pages(lang)[0]), "সরিয়ে নেওয়া কর্মসূচি")
        actions.withdraw(report, by=self.sylhet)
        for lang in LANGS:
            with self.subTest(lang=lang):
                self.assertEqual(self.client.get(report.public_path(lang)).status_code, 404)
                for path in pages(lang):
                    self.assertNotContains(self.client.get(path), "সরিয়ে নেওয়া কর্মসূচি")

    def test_a_published_report_appears_on_the_next_request(self) -> None:
        self.publish(jpeg(), title="প্রথম কর্মসূচি")
        for lang in LANGS:
            self.warm(*pages(lang))
        fresh = published(self.jalalabad, self.sylhet, title="নতুন কর্মসূচি")
        for lang in LANGS:
            for path in pages(lang):
                with self.subTest(path=path):
                    self.assertContains(self.client.get(path), "নতুন কর্মসূচি")
            self.assertEqual(self.client.get(fresh.public_path(lang)).status_code, 200)

    def test_a_report_published_again_is_back(self) -> None:
        report = self.publish(jpeg(), title="ফিরে আসা কর্মসূচি")
        actions.withdraw(report, by=self.sylhet)
        for lang in LANGS:
            self.client.get(report.public_path(lang))  # a 404 is not kept
            self.warm(*pages(lang))
        actions.publish(report, by=self.sylhet)
        for lang in LANGS:
            self.assertContains(self.client.get(report.public_path(lang)), "ফিরে আসা কর্মসূচি")
            self.assertContains(self.client.get(pages(lang)[1]), "ফিরে আসা কর্মসূচি")

    def test_photos_made_after_publication_appear_on_the_next_request(self) -> None:
        report = published(self.jalalabad, self.sylhet, photos=(jpeg(), png()))
        for lang in LANGS:
            self.warm(report.public_path(lang))
            self.assertNotContains(self.client.get(report.public_path(lang)), 'data-testid="photo"')
        for photo in report.photos.all():
            make_renditions.call(photo.pk)
        for lang in LANGS:
            response = self.client.get(report.public_path(lang))
            self.assertContains(response, 'data-testid="photo"', count=2)
            for photo in Photo.objects.filter(report=report):
                self.assertContains(response, photo_path(photo, 64, "jpg"))

    def test_a_renamed_unit_and_category_show_on_the_next_request(self) -> None:
        report = self.publish(jpeg())
        for lang in LANGS:
            self.warm(report.public_path(lang))
        unit_actions.rename_unit(
            self.jalalabad_union, name_bn="নতুন জালালাবাদ", name_en="New Jalalabad", by=self.operator
        )
        self.assertContains(self.client.get(report.public_path("bn")), "নতুন জালালাবাদ")
        self.assertContains(self.client.get(report.public_path("en")), "New Jalalabad")
        for lang in LANGS:
            self.warm(report.public_path(lang))
        programme = category("programme")
        programme.name_bn, programme.name_en = "কর্মসূচি ও উদ্যোগ", "Programmes and drives"
        actions.save_category(programme, by=self.operator)
        self.assertContains(self.client.get(report.public_path("bn")), "কর্মসূচি ও উদ্যোগ")
        self.assertContains(self.client.get(report.public_path("en")), "Programmes and drives")

    def test_the_languages_are_kept_apart(self) -> None:
        report = self.publish(jpeg())
        bn = self.client.get(report.public_path("bn"))
        en = self.client.get(report.public_path("en"))
        self.assertEqual((bn["Content-Language"], en["Content-Language"]), ("bn", "en"))
        self.assertEqual(self.client.get(report.public_path("en")).content, en.content)
        self.assertEqual(self.client.get(report.public_path("bn")).content, bn.content)
        self.assertNotEqual(bn.content, en.content)

    def test_a_cached_page_keeps_its_validators_and_answers_304(self) -> None:
        report = self.publish(jpeg())
        first = self.client.get(report.public_path())
        cached = self.client.get(report.public_path())
        for header in ("ETag", "Last-Modified", "Cache-Control", "Content-Type"):
            self.assertEqual(cached[header], first[header])
        with self.assertNumQueries(1):
            again = self.client.get(report.public_path(), headers={"If-None-Match": first["ETag"]})
        self.assertEqual((again.status_code, again["ETag"]), (304, first["ETag"]))
        self.assertEqual(again.content, b"")
        for path in pages("bn"):
            etag = self.client.get(path)["ETag"]
            response = self.client.get(path, headers={"If-None-Match": etag})
            self.assertEqual(response.status_code, 304)

    def test_a_cold_page_costs_the_same_queries_however_many_reports_there_are(self) -> None:
        first = self.publish(jpeg(), png())
        # The generation, then the page's own: for the feed the site's version, the reports
        # with their unit and category, and their photos.
        pinned = {FEED_PATH: 4, first.public_path(): 5, first.public_path("en"): 5}
        for path, queries in pinned.items():
            store.clear()
            with self.subTest(path=path), self.assertNumQueries(queries):
                self.client.get(path)
        for n in range(6):
            self.publish(jpeg(40 + n, 30), png(), title=f"আরও {n}")
        for path, queries in pinned.items():
            store.clear()
            with self.subTest(path=path, more=True), self.assertNumQueries(queries):
                self.client.get(path)

    def test_publishing_and_withdrawing_move_the_generation_on(self) -> None:
        def number() -> int:
            return Generation.objects.get(pk=1).number

        before = number()
        report = self.publish(jpeg())  # published, then its one photo's renditions made
        self.assertEqual(number(), before + 2)
        actions.withdraw(report, by=self.sylhet)
        self.assertEqual(number(), before + 3)
        self.assertEqual(Report.objects.get(pk=report.pk).status, Report.Status.WITHDRAWN)


class HashedPhotoTests(PublicTestCase):
    def test_a_hashed_rendition_may_be_kept_for_a_year(self) -> None:
        report = self.publish(jpeg(900, 600))
        photo = report.photos.get()
        path = photo_path(photo, 800, "webp")
        self.assertRegex(path, rf"^/photos/{photo.pk}/[0-9a-f]{{16}}/800\.webp$")
        response = self.client.get(path)
        self.assertEqual(response.status_code, 200)
        self.assertEqual(response["Cache-Control"], "public, max-age=31536000, immutable")
        self.assertEqual(response["Content-Type"], "image/webp")

    def test_the_hash_is_of_the_rendition_and_differs_per_size_and_format(self) -> None:
        report = self.publish(jpeg(900, 600))
        photo = report.photos.get()
        digests = {photo.digest(w, f) for w in (320, 800) for f in ("webp", "jpg")}
        self.assertEqual(len(digests), 4)
        rendition = next(r for r in photo.renditions if r["w"] == 800)
        self.assertTrue(rendition["sha"]["webp"].startswith(photo.digest(800, "webp")))

    def test_an_old_hash_redirects_to_the_current_rendition(self) -> None:
        report = self.publish(jpeg(900, 600))
        photo = report.photos.get()
        stale = reverse("website:photo", args=[photo.pk, "0" * 16, 800, "jpg"])
        response = self.client.get(stale)
        self.assertEqual(response.status_code, 302)
        self.assertEqual(response["Location"], photo_path(photo, 800, "jpg"))
        self.assertNotIn("immutable", response["Cache-Control"])

    def test_addresses_without_a_hash_keep_working(self) -> None:
        report = self.publish(jpeg(900, 600))
        photo = report.photos.get()
        old = reverse("website:photo_unhashed", args=[photo.pk, 800, "jpg"])
        self.assertEqual(old, f"/photos/{photo.pk}/800.jpg")
        response = self.client.get(old)
        self.assertEqual(response.status_code, 200)
        self.assertNotIn("immutable", response["Cache-Control"])

    def test_a_withdrawn_reports_hashed_photo_is_404(self) -> None:
        report = self.publish(jpeg(900, 600))
        path = photo_path(report.photos.get(), 800, "jpg")
        actions.withdraw(report, by=self.sylhet)
        self.assertEqual(self.client.get(path).status_code, 404)

    def test_a_hashed_rendition_is_served_warm_with_one_read(self) -> None:
        report = self.publish(jpeg(900, 600))
        path = photo_path(report.photos.get(), 800, "jpg")
        first = self.client.get(path)
        with self.assertNumQueries(1):
            again = self.client.get(path)
        self.assertEqual(again.content, first.content)
        with self.assertNumQueries(1):
            response = self.client.get(path, headers={"If-None-Match": first["ETag"]})
        self.assertEqual(response.status_code, 304)
