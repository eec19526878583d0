"""The .ics endpoints answer with the file to a client that accepts only JSON."""

from __future__ import annotations

import icalendar
from django.urls import reverse

from daptar.meetings.tests.support import meeting
from daptar.meetings.tests.test_api import ApiTestCase, api

JSON = "application/json"


class AcceptJsonTests(ApiTestCase):
    def test_the_api_ics_answers_the_file_to_accept_json(self) -> None:
        m = meeting(self.central, send=True)
        self.authorise(self.sylhet)
        for accept in (JSON, "application/json, text/plain, */*;q=0.1", "image/png"):
            with self.subTest(accept=accept):
                response = self.client.get(api("ics", m), HTTP_ACCEPT=accept)
                self.assertEqual(response.status_code, 200)
                self.assertTrue(response["Content-Type"].startswith("text/calendar"))
                self.assertEqual(
                    icalendar.Calendar.from_ical(response.content).events[0]["UID"],
                    f"{m.uid}@daptar",
                )

    def test_an_outsider_still_gets_404_as_json(self) -> None:
        m = meeting(self.central, send=True)
        self.authorise(self.dhaka)
        response = self.client.get(api("ics", m), HTTP_ACCEPT=JSON)
        self.assertEqual(response.status_code, 404)
        self.assertIn("detail", response.json())

    def test_the_web_ics_answers_the_file_to_accept_json(self) -> None:
        m = meeting(self.central, send=True)
        self.client.force_login(self.sylhet)
        response = self.client.get(reverse("meetings:ics", args=[m.pk]), HTTP_ACCEPT=JSON)
        self.assertEqual(response.status_code, 200)
        self.assertTrue(response["Content-Type"].startswith("text/calendar"))
