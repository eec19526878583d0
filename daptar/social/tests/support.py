"""The social tests' cast: the reports cast, channels at the district and the centre, the
fake networks, and a published report with ready photos."""

from __future__ import annotations

from typing import Any

from django.test import override_settings

from daptar.reports.models import Report
from daptar.reports.tasks import make_renditions
from daptar.reports.tests.support import IMMEDIATE_TASKS, ReportsTestCase, jpeg, published
from daptar.social import actions
from daptar.social.fakes import FakeNetworks, installed
from daptar.social.models import SocialChannel

SITE = "https://daptar.example.org"
COLOURS = [
    "green",
    "blue",
    "yellow",
    "purple",
    "orange",
    "white",
    "black",
    "grey",
    "pink",
    "navy",
    "gold",
]


@IMMEDIATE_TASKS
@override_settings(DAPTAR_SITE_URL=SITE, DAPTAR_SOCIAL_KEY=["k" * 43 + "="])
class SocialTestCase(ReportsTestCase):
    fake: FakeNetworks

    def setUp(self) -> None:
        super().setUp()
        self.fake = self.enterContext(installed(FakeNetworks()))

    def channel(self, kind: str, unit: Any = None, by: Any = None, **fields: Any) -> SocialChannel:
        unit = unit or self.sylhet_district
        targets = {"facebook": "1122334455", "telegram": "@sylhet_office", "x": "4455667788"}
        secrets = {"facebook": "access_token", "telegram": "bot_token", "x": "access_token"}
        channel = SocialChannel(
            unit=unit,
            kind=kind,
            name=fields.pop("name", f"{kind} of {unit.name_en}"),
            target=fields.pop("target", targets[kind]),
            **fields,
        )
        return actions.save_channel(
            channel, by=by or self.operator, secrets={secrets[kind]: f"{kind}-token-1"}
        )

    def report(self, photos: int = 1, **kw: Any) -> Report:
        """Jalalabad's report, approved by Sylhet Sadar and published, photos ready."""
        with self.captureOnCommitCallbacks(execute=False):
            report = published(
                self.jalalabad,
                self.sadar,
                photos=tuple(jpeg(colour=COLOURS[n]) for n in range(photos)),
                **kw,
            )
        for photo in report.photos.all():
            make_renditions.call(photo.pk)
        return report
