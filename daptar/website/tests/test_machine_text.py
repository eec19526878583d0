"""Feeds and sitemaps stay valid XML whatever a report's title holds (daptar.lib.text)."""

from __future__ import annotations

from xml.etree import ElementTree

from django.urls import reverse

from daptar.reports.models import Report
from daptar.website.tests.test_reports import FEED, PublicTestCase

# What XML 1.0 forbids, as it may sit in rows written before the input rule or by an import.
BAD = "\x01\x0b\x0c\x1f\ufffe"


class MachineTextTests(PublicTestCase):
    def bad_report(self) -> Report:
        report = self.publish()
        Report.objects.filter(pk=report.pk).update(title=f"বৃক্ষ{BAD}রোপণ", body=f"চারা{BAD} রোপণ")
        return report

    def test_a_forbidden_character_in_a_title_does_not_break_the_feed(self) -> None:
        self.bad_report()
        for path in (
            FEED,
            reverse("website:en_feed"),
            reverse("website:district_feed", args=["SYL"]),
        ):
            response = self.client.get(path)
            self.assertEqual(response.status_code, 200, path)
            root = ElementTree.fromstring(response.content)  # noqa: S314 (our own output)
            ns = {"a": "http://www.w3.org/2005/Atom"}
            self.assertEqual(root.find("a:entry/a:title", ns).text, "বৃক্ষরোপণ")  # type: ignore[union-attr]

    def test_the_sitemaps_stay_valid_xml(self) -> None:
        self.bad_report()
        for path in (reverse("website:sitemap"), reverse("website:sitemap_page", args=[1])):
            response = self.client.get(path)
            self.assertEqual(response.status_code, 200, path)
            ElementTree.fromstring(response.content)  # noqa: S314 (our own output)
