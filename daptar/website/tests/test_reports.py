"""The public website's report pages: lists, the report, sharing, feeds, sitemaps, caching."""

from __future__ import annotations

import io
import re
from typing import Any
from urllib.parse import quote, unquote

from django.test import override_settings
from django.urls import reverse
from django.utils.http import http_date
from PIL import Image

from daptar.lib.numerals import to_ascii_digits
from daptar.people import actions as people_actions
from daptar.reports import actions
from daptar.reports.models import Report
from daptar.reports.tasks import make_renditions
from daptar.reports.templatetags.report_photos import photo_path
from daptar.reports.tests.support import (
    ReportsTestCase,
    category,
    draft,
    jpeg,
    png,
    published,
    submitted,
)
from daptar.units import actions as unit_actions
from daptar.website.pagecache import store

HOME = reverse("website:home")
LIST = reverse("website:reports")
FEED = reverse("website:feed")
SITE = "https://daptar.example.org"
PHONE = re.compile(r"(?:\+?88)?01[3-9]\d{2}[\s-]?\d{6}")
EMAIL = re.compile(r"[\w.+-]+@[\w-]+\.[\w.-]+")


class PublicTestCase(ReportsTestCase):
    def publish(self, *photos: bytes, by: Any = None, reviewer: Any = None, **kw: Any) -> Report:
        """A published report whose photos' renditions the worker has made."""
        report = published(by or self.jalalabad, reviewer or self.sylhet, photos=photos, **kw)
        for photo in report.photos.all():
            make_renditions.call(photo.pk)
        report.refresh_from_db()
        return report


class ReportPageTests(PublicTestCase):
    def test_it_shows_the_report_with_its_photos_and_the_three_calendars(self) -> None:
        report = self.publish(jpeg(2000, 1500), png())
        first = report.photos.first()
        actions.withdraw(report, by=self.sylhet)
        Report.objects.filter(pk=report.pk).update(status=Report.Status.APPROVED)
        report.photos.filter(pk=first.pk).update(caption="চারা রোপণ")  # type: ignore[union-attr]
        report = actions.publish(report, by=self.sylhet)
        response = self.client.get(report.public_path())
        self.assertEqual(response.status_code, 200)
        self.assertContains(response, '<h1 data-testid="report-title">বৃক্ষরোপণ কর্মসূচি</h1>')
        for era in ("খ্রিস্টাব্দ", "বঙ্গাব্দ", "হিজরি"):
            self.assertContains(response, era)
        self.assertContains(response, "জালালাবাদ")
        self.assertContains(response, "<figcaption>চারা রোপণ</figcaption>")
        self.assertContains(response, 'loading="lazy"', count=2)
        self.assertContains(response, f"{photo_path(first, 320, 'webp')} 320w, ")  # type: ignore[arg-type]
        self.assertContains(response, f"{photo_path(first, 1600, 'jpg')} 1600w")  # type: ignore[arg-type]
        self.assertNotContains(response, "reports/private")

    @override_settings(DAPTAR_SITE_URL=SITE + "/")
    def test_share_links_and_preview_tags_use_the_absolute_address(self) -> None:
        report = self.publish(jpeg(2000, 1500))
        photo = report.photos.get()
        html = self.client.get(report.public_path()).content.decode()
        url = SITE + report.public_path()
        self.assertIn(f'<meta property="og:url" content="{url}">', html)
        self.assertIn(
            f'<meta property="og:image" content="{SITE}{photo_path(photo, 1600, "jpg")}">', html
        )
        self.assertIn('<meta property="og:title" content="বৃক্ষরোপণ কর্মসূচি">', html)
        self.assertIn('<meta property="og:description" content="ইউনিয়নের', html)
        self.assertIn('<meta name="twitter:card" content="summary_large_image">', html)
        self.assertIn(
            f'<meta name="twitter:image" content="{SITE}{photo_path(photo, 1600, "jpg")}">', html
        )
        self.assertIn(f'<link rel="canonical" href="{url}">', html)
        encoded = quote(url, safe="")
        for network, link in {
            "facebook": f"https://www.facebook.com/sharer/sharer.php?u={encoded}",
            "x": f"https://x.com/intent/tweet?url={encoded}&amp;text=",
            "whatsapp": "https://wa.me/?text=%E0%A6%AC",
            "telegram": f"https://t.me/share/url?url={encoded}&amp;text=",
            "skype": f"https://web.skype.com/share?url={encoded}&amp;text=",
            "email": "mailto:?subject=%E0%A6%AC",
        }.items():
            with self.subTest(network=network):
                self.assertIn(f'href="{link}', html)
                self.assertIn(f'data-share="{network}"', html)
        self.assertIn(f"%20{encoded}", html)  # WhatsApp: the title, then the address

    def test_a_report_without_photos_has_a_plain_card(self) -> None:
        report = self.publish()
        html = self.client.get(report.public_path()).content.decode()
        self.assertIn('<meta name="twitter:card" content="summary">', html)
        self.assertNotIn("og:image", html)

    def test_english_at_en_with_the_same_report(self) -> None:
        report = self.publish(jpeg())
        response = self.client.get(report.public_path("en"))
        self.assertContains(response, '<html lang="en">')
        self.assertContains(response, "Jalalabad")
        self.assertContains(response, " CE · ")
        self.assertContains(response, "BS")

    def test_only_published_reports_are_shown(self) -> None:
        report = self.publish()
        actions.withdraw(report, by=self.sylhet)
        self.assertEqual(self.client.get(report.public_path()).status_code, 404)
        other = submitted(self.jalalabad, title="জমা")
        self.assertEqual(
            self.client.get(reverse("website:report", args=[other.pk, "x"])).status_code, 404
        )

    def test_a_wrong_or_missing_title_part_redirects_to_the_stable_address(self) -> None:
        report = self.publish()
        for path in (
            reverse("website:report", args=[report.pk, "old-title"]),
            reverse("website:report_short", args=[report.pk]),
        ):
            with self.subTest(path=path):
                response = self.client.get(path)
                self.assertEqual(response.status_code, 301)
                self.assertEqual(unquote(response["Location"]), unquote(report.public_path()))

    def test_no_phone_number_or_email_reaches_a_public_page(self) -> None:
        report = self.publish(jpeg())
        for user in (self.jalalabad, self.sylhet, self.sadar):
            people_actions.update_person(
                user.person,
                email=f"{user.username}@example.org",
                phone="01819-123456",
                by=self.operator,
            )
        for path in (HOME, LIST, report.public_path(), report.public_path("en"), FEED):
            with self.subTest(path=path):
                html = to_ascii_digits(self.client.get(path).content.decode())
                self.assertIsNone(PHONE.search(html), PHONE.search(html))
                self.assertIsNone(EMAIL.search(html), EMAIL.search(html))
                self.assertNotIn("+880", html)
                self.assertNotIn("tel:", html)
                self.assertNotIn(self.jalalabad.person.name_bn, html)  # the author stays unnamed

    def test_the_page_does_not_query_per_photo(self) -> None:
        few = self.publish(jpeg(), png())
        many = self.publish(*[jpeg(40 + n, 30) for n in range(8)], title="অনেক ছবি")
        for report, photos in ((few, 2), (many, 8)):
            path = report.public_path()
            self.client.get(path)
            store.clear()  # a cold render: the page cache must not answer
            # The site's generation, the report with its unit and category, its photos,
            # its division and district, the categories for the navigation.
            with self.subTest(photos=photos), self.assertNumQueries(5):
                response = self.client.get(path)
            self.assertContains(response, 'data-testid="photo"', count=photos)
            with self.subTest(photos=photos, warm=True), self.assertNumQueries(1):
                self.assertEqual(self.client.get(path).content, response.content)


class ListTests(PublicTestCase):
    def setUp(self) -> None:
        super().setUp()
        self.sylhet_report = self.publish(jpeg(), title="সিলেটের কর্মসূচি")
        self.meeting = self.publish(
            by=self.sylhet, reviewer=self.central, title="জেলা সভা", category=category("meeting")
        )
        self.dhaka_report = published(self.dhaka, self.central, title="ঢাকার ত্রাণ বিতরণ",
                                      category=category("public_welfare"))  # fmt: skip
        draft(self.jalalabad, title="খসড়া প্রতিবেদন")

    def results(self, **params: Any) -> list[Report]:
        return list(self.client.get(LIST, params).context["page"])

    def test_it_lists_published_reports_newest_first(self) -> None:
        self.assertEqual(self.results(), [self.dhaka_report, self.meeting, self.sylhet_report])

    def test_it_filters_by_division_district_and_category(self) -> None:
        self.assertEqual(self.results(division=self.dhaka_division.pk), [self.dhaka_report])
        self.assertEqual(
            self.results(district=self.sylhet_district.pk), [self.meeting, self.sylhet_report]
        )
        self.assertEqual(self.results(category="meeting"), [self.meeting])
        self.assertEqual(
            self.results(division=self.sylhet_division.pk, category="meeting"), [self.meeting]
        )

    def test_a_district_outside_the_division_is_ignored(self) -> None:
        rows = self.results(division=self.dhaka_division.pk, district=self.sylhet_district.pk)
        self.assertEqual(rows, [self.dhaka_report])

    def test_it_searches_the_words(self) -> None:
        self.assertEqual(self.results(q="ত্রাণ"), [self.dhaka_report])
        self.assertEqual(self.results(q="নেই-এমন"), [])

    def test_it_pages(self) -> None:
        for n in range(21):
            published(self.dhaka, self.central, title=f"প্রতিবেদন {n}")
        first = self.client.get(LIST)
        self.assertEqual(len(first.context["page"]), 20)
        self.assertContains(first, 'rel="next"')
        self.assertEqual(len(self.client.get(LIST, {"page": 2}).context["page"]), 4)

    def test_the_home_shows_the_latest_with_photos_and_dates(self) -> None:
        response = self.client.get(HOME)
        self.assertEqual(
            list(response.context["reports"]), [self.dhaka_report, self.meeting, self.sylhet_report]
        )
        self.assertContains(response, "সিলেটের কর্মসূচি")
        self.assertContains(response, "<picture>", count=1)
        self.assertContains(response, "বঙ্গাব্দ")
        self.assertNotContains(response, "খসড়া প্রতিবেদন")

    def test_the_home_and_list_do_not_query_per_report(self) -> None:
        for path in (HOME, LIST):
            self.client.get(path)
            store.clear()
            # The site's generation and version, reports, their photos, their places,
            # divisions, categories (and for the list: its count and districts).
            with self.subTest(path=path), self.assertNumQueries(7 if path == HOME else 9):
                self.client.get(path)
        for n in range(10):
            self.publish(jpeg(40 + n, 30), title=f"আরও {n}")
        for path in (HOME, LIST):
            with self.subTest(path=path), self.assertNumQueries(7 if path == HOME else 9):
                self.client.get(path)
            with self.subTest(path=path, warm=True), self.assertNumQueries(1):
                self.client.get(path)


@override_settings(DAPTAR_WEBSITE_CACHE_SECONDS=600)
class CachingTests(PublicTestCase):
    def test_public_pages_say_who_may_keep_them_and_for_how_long(self) -> None:
        report = self.publish(jpeg())
        for path in (HOME, LIST, report.public_path(), FEED, reverse("website:sitemap")):
            with self.subTest(path=path):
                response = self.client.get(path)
                self.assertEqual(response["Cache-Control"], "public, max-age=600")
                self.assertTrue(response["ETag"].startswith('"'))
                self.assertIn("GMT", response["Last-Modified"])
                self.assertEqual(response.cookies, {})

    def test_a_matching_etag_gets_304_after_one_query(self) -> None:
        report = self.publish(jpeg())
        for path in (HOME, LIST, FEED):
            etag = self.client.get(path)["ETag"]
            with self.subTest(path=path), self.assertNumQueries(1):
                response = self.client.get(path, headers={"If-None-Match": etag})
            self.assertEqual(response.status_code, 304)
            self.assertEqual(response["Cache-Control"], "public, max-age=600")
            self.assertEqual(response.content, b"")
        etag = self.client.get(report.public_path())["ETag"]
        response = self.client.get(report.public_path(), headers={"If-None-Match": etag})
        self.assertEqual(response.status_code, 304)

    def test_if_modified_since_gets_304(self) -> None:
        report = self.publish()
        first = self.client.get(report.public_path())
        response = self.client.get(
            report.public_path(), headers={"If-Modified-Since": first["Last-Modified"]}
        )
        self.assertEqual(response.status_code, 304)
        stale = http_date(0)
        response = self.client.get(report.public_path(), headers={"If-Modified-Since": stale})
        self.assertEqual(response.status_code, 200)

    def test_a_published_change_gives_new_validators(self) -> None:
        report = self.publish()
        before = {p: self.client.get(p)["ETag"] for p in (HOME, LIST, FEED)}
        actions.withdraw(report, by=self.sylhet)
        for path, etag in before.items():
            with self.subTest(path=path):
                response = self.client.get(path, headers={"If-None-Match": etag})
                self.assertEqual(response.status_code, 200)
                self.assertNotContains(response, "বৃক্ষরোপণ কর্মসূচি")

    def test_each_language_has_its_own_etag(self) -> None:
        self.assertNotEqual(
            self.client.get(HOME)["ETag"], self.client.get(reverse("website:en_home"))["ETag"]
        )


class FeedTests(PublicTestCase):
    def test_the_atom_feed_lists_published_reports_with_a_photo(self) -> None:
        report = self.publish(jpeg(1000, 750))
        submitted(self.jalalabad, title="জমা দেওয়া")
        with self.settings(DAPTAR_SITE_URL=SITE):
            response = self.client.get(FEED)
        self.assertEqual(response["Content-Type"], "application/atom+xml; charset=utf-8")
        xml = response.content.decode()
        self.assertIn('<feed xml:lang="bn" xmlns="http://www.w3.org/2005/Atom">', xml)
        self.assertEqual(xml.count("<entry>"), 1)
        self.assertIn(f'<link href="{SITE}{report.public_path()}" rel="alternate"/>', xml)
        photo = report.photos.get()
        self.assertIn(f'<link href="{SITE}{photo_path(photo, 800, "jpg")}" length=', xml)
        self.assertIn("<author><name>জালালাবাদ</name></author>", xml)

    def test_a_withdrawn_report_leaves_the_feed(self) -> None:
        report = self.publish()
        actions.withdraw(report, by=self.sylhet)
        self.assertNotIn("<entry>", self.client.get(FEED).content.decode())

    def test_each_district_has_its_own_feed(self) -> None:
        self.publish(title="সিলেটের")
        published(self.dhaka, self.central, title="ঢাকার")
        xml = self.client.get(reverse("website:district_feed", args=["SYL"])).content.decode()
        self.assertIn("সিলেটের", xml)
        self.assertNotIn("ঢাকার", xml)
        self.assertEqual(
            self.client.get(reverse("website:district_feed", args=["UN-2513"])).status_code, 404
        )
        self.assertEqual(
            self.client.get(reverse("website:district_feed", args=["NOPE"])).status_code, 404
        )

    def test_the_english_feed(self) -> None:
        self.publish()
        xml = self.client.get(reverse("website:en_feed")).content.decode()
        self.assertIn('xml:lang="en"', xml)
        self.assertIn("Illustrated reports", xml)
        self.assertIn("<name>Jalalabad</name>", xml)


class SitemapTests(PublicTestCase):
    def test_the_sitemap_lists_every_published_report_in_both_languages(self) -> None:
        report = self.publish()
        submitted(self.jalalabad, title="জমা")
        with self.settings(DAPTAR_SITE_URL=SITE):
            index = self.client.get(reverse("website:sitemap")).content.decode()
            self.assertIn(f"<loc>{SITE}/sitemap-reports-1.xml</loc>", index)
            xml = self.client.get(reverse("website:sitemap_page", args=[1])).content.decode()
        self.assertIn(f"<loc>{SITE}{report.public_path()}</loc>", xml)
        self.assertIn(f'hreflang="en" href="{SITE}{report.public_path("en")}"', xml)
        self.assertEqual(xml.count("/reports/"), 3 + 1)  # the list page, the report, both in en
        self.assertEqual(
            self.client.get(reverse("website:sitemap_page", args=[2])).status_code, 404
        )


class PublicPhotoTests(PublicTestCase):
    def test_a_published_photo_is_served_cacheably_and_without_metadata(self) -> None:
        report = self.publish(jpeg(900, 600, gps=True))
        photo = report.photos.get()
        path = photo_path(photo, 800, "webp")
        response = self.client.get(path)
        self.assertEqual(response.status_code, 200)
        self.assertEqual(response["Content-Type"], "image/webp")
        self.assertIn("public", response["Cache-Control"])
        data = response.content
        image = Image.open(io.BytesIO(data))
        self.assertEqual((image.size, dict(image.getexif())), ((800, 533), {}))
        self.assertNotIn(b"PhoneMaker", data)
        again = self.client.get(path, headers={"If-None-Match": response["ETag"]})
        self.assertEqual(again.status_code, 304)

    def test_unpublished_and_withdrawn_photos_are_404(self) -> None:
        report = self.publish(jpeg())
        photo = report.photos.get()
        path = photo_path(photo, 64, "jpg")
        self.assertEqual(self.client.get(path).status_code, 200)
        actions.withdraw(report, by=self.sylhet)
        self.assertEqual(self.client.get(path).status_code, 404)
        pending = draft(self.jalalabad, photos=(png(),))
        make_renditions.call(pending.photos.get().pk)
        path = reverse("website:photo", args=[pending.photos.get().pk, "0" * 16, 64, "jpg"])
        self.assertEqual(self.client.get(path).status_code, 404)

    def test_only_rendition_sizes_exist(self) -> None:
        report = self.publish(jpeg())
        photo = report.photos.get()
        for width, fmt in ((64, "png"), (65, "jpg"), (64, "heic")):
            with self.subTest(width=width, fmt=fmt):
                path = reverse("website:photo_unhashed", args=[photo.pk, width, fmt])
                self.assertEqual(self.client.get(path).status_code, 404)


class DivisionFilterTests(PublicTestCase):
    def test_a_closed_division_leaves_the_filter(self) -> None:
        self.assertEqual(
            list(self.client.get(LIST).context["divisions"]),
            [self.sylhet_division, self.dhaka_division],
        )
        unit_actions.close_unit(
            self.dhaka_division, on=self.dhaka_division.created_at.date(), by=self.operator
        )
        self.assertEqual(list(self.client.get(LIST).context["divisions"]), [self.sylhet_division])
