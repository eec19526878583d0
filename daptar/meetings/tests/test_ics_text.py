"""A calendar file stays valid whatever a meeting's title or place holds (daptar.lib.text)."""

from __future__ import annotations

import icalendar
from django.urls import reverse

from daptar.meetings import ics
from daptar.meetings.models import Meeting
from daptar.meetings.tests.support import MeetingsTestCase, meeting

BAD = "\x01\x0b\x0c\x1f\ufffe"


class MachineTextTests(MeetingsTestCase):
    def test_forbidden_characters_never_reach_the_ics_file(self) -> None:
        m = meeting(self.central, send=True)
        # Rows written before the input rule (or by an import) may still hold them.
        Meeting.objects.filter(pk=m.pk).update(title=f"সভা{BAD} ১", place=f"হল{BAD}")
        self.client.force_login(self.central)
        response = self.client.get(reverse("meetings:ics", args=[m.pk]))
        self.assertEqual(response.status_code, 200)
        for char in BAD:
            self.assertNotIn(char, response.content.decode())
        (event,) = icalendar.Calendar.from_ical(response.content).events
        self.assertEqual(str(event["SUMMARY"]), "সভা ১")
        self.assertTrue(str(event["LOCATION"]).startswith("হল"))

    def test_the_file_is_made_from_a_cleaned_title(self) -> None:
        m = meeting(self.central)
        m.title = f"A{BAD}B"
        self.assertNotIn("\x0b", ics.meeting_ics(m).decode())
