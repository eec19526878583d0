import datetime

from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django_tasks_db.models import DBTaskResult
from rest_framework.test import APIClient

from daptar.accounts.models import User
from daptar.audit.models import AuditEvent
from daptar.letters import actions
from daptar.letters.models import Letter, Receipt
from daptar.letters.tests.support import (
    IN_MEMORY_STORAGE,
    LATER,
    PDF,
    TEXT,
    LettersTestCase,
    frozen,
    receipt,
    reply,
    write,
)

LIST = reverse("api:letter-list")
PAGE = {"count", "next", "previous", "results"}
LETTER_FIELDS = {
    "id",
    "memo_no",
    "thread",
    "reply_to",
    "from_unit",
    "from_unit_code",
    "from_unit_name_bn",
    "from_unit_name_en",
    "to_unit",
    "to_unit_code",
    "to_unit_name_bn",
    "to_unit_name_en",
    "subject",
    "body",
    "priority",
    "confidential",
    "sent_at",
    "attachments",
}
RECEIPT_FIELDS = {
    "id",
    "unit",
    "via",
    "state",
    "received_at",
    "handled_at",
    "note",
    "answer",
    "age_days",
}


def detail(letter: Letter, action: str = "") -> str:
    if action:
        return reverse(f"api:letter-{action}", args=[letter.pk])
    return reverse("api:letter-detail", args=[letter.pk])


class APITestCase(LettersTestCase):
    def setUp(self) -> None:
        super().setUp()
        self.api = APIClient(HTTP_ACCEPT_LANGUAGE="en")

    def as_user(self, user: User, unit: object = None) -> APIClient:
        self.api.force_authenticate(user=self.fresh(user))
        if unit is not None:
            self.api.credentials(HTTP_X_DAPTAR_UNIT=str(unit.pk))  # type: ignore[attr-defined]
        return self.api


class CreateTests(APITestCase):
    def test_it_sends_and_answers_201_with_the_memo_no_and_thread(self) -> None:
        with frozen(LATER):
            response = self.as_user(self.jalalabad).post(
                LIST,
                {
                    "to_unit": self.root.pk,
                    "subject": "Office rent",
                    "body": "Please help.",
                    "priority": "urgent",
                    "confidential": False,
                },
                format="json",
            )
        self.assertEqual(response.status_code, 201, response.content)
        data = response.json()
        self.assertTrue(set(data) >= LETTER_FIELDS)
        letter = Letter.objects.get()
        self.assertEqual(
            (data["id"], data["memo_no"], data["thread"]),
            (letter.pk, "UN-2513/2027/0001", letter.pk),
        )
        self.assertEqual(
            (data["from_unit"], data["to_unit"]), (self.jalalabad_union.pk, self.root.pk)
        )
        self.assertEqual(data["priority"], "urgent")
        self.assertTrue(AuditEvent.objects.filter(verb="letter.sent").exists())

    def test_a_reply_joins_the_thread_and_defaults_to_the_writer(self) -> None:
        letter = write(self.jalalabad, self.root)
        response = self.as_user(self.central).post(
            LIST, {"reply_to": letter.pk, "subject": "Re", "body": "Yes"}, format="json"
        )
        self.assertEqual(response.status_code, 201, response.content)
        self.assertEqual(response.json()["thread"], letter.pk)
        self.assertEqual(response.json()["reply_to"], letter.pk)
        self.assertEqual(response.json()["to_unit"], self.jalalabad_union.pk)
        self.assertEqual(receipt(letter, self.root).state, Receipt.State.ANSWERED)

    @IN_MEMORY_STORAGE
    def test_multipart_with_attachments(self) -> None:
        response = self.as_user(self.jalalabad).post(
            LIST,
            {
                "to_unit": self.root.pk,
                "subject": "Minutes",
                "priority": "normal",
                "confidential": "true",
                "attachments": [SimpleUploadedFile("m.pdf", PDF), SimpleUploadedFile("n.pdf", PDF)],
            },
            format="multipart",
        )
        self.assertEqual(response.status_code, 201, response.content)
        self.assertEqual([a["name"] for a in response.json()["attachments"]], ["m.pdf", "n.pdf"])
        self.assertTrue(response.json()["confidential"])

    @IN_MEMORY_STORAGE
    def test_a_wrong_attachment_type_is_400_and_nothing_is_sent(self) -> None:
        response = self.as_user(self.jalalabad).post(
            LIST,
            {
                "to_unit": self.root.pk,
                "subject": "Minutes",
                "attachments": [SimpleUploadedFile("m.pdf", TEXT)],
            },
            format="multipart",
        )
        self.assertEqual(response.status_code, 400)
        self.assertEqual(
            response.json(), {"attachments": ["m.pdf is not a PDF, JPEG, PNG or WebP file."]}
        )
        self.assertFalse(Letter.objects.exists())

    def test_bad_input_is_400_with_field_errors(self) -> None:
        api = self.as_user(self.jalalabad)
        cases = [
            (
                {"to_unit": self.dhaka_district.pk, "subject": "x"},
                "to_unit",
                "Write to an office above yours or below it.",
            ),
            (
                {"to_unit": 999999, "subject": "x"},
                "to_unit",
                "Write to an office above yours or below it.",
            ),
            ({"to_unit": self.root.pk, "subject": ""}, "subject", "Give the letter a subject."),
            ({"to_unit": self.root.pk, "subject": "x", "priority": "soon"}, "priority", None),
            (
                {"to_unit": self.root.pk, "subject": "x", "reply_to": 424242},
                "reply_to",
                "No such letter.",
            ),
        ]
        for body, field, message in cases:
            with self.subTest(field=field, body=body):
                response = api.post(LIST, body, format="json")
                self.assertEqual(response.status_code, 400)
                self.assertIn(field, response.json())
                if message:
                    self.assertEqual(response.json()[field], [message])
        self.assertFalse(Letter.objects.exists())

    def test_replying_to_a_letter_the_caller_cannot_read_is_400(self) -> None:
        letter = write(self.jalalabad, self.root, confidential=True)
        response = self.as_user(self.sylhet).post(
            LIST,
            {"reply_to": letter.pk, "subject": "x", "to_unit": self.jalalabad_union.pk},
            format="json",
        )
        self.assertEqual(response.json(), {"reply_to": ["No such letter."]})

    def test_a_read_only_desk_gets_403(self) -> None:
        response = self.as_user(self.president).post(
            LIST, {"to_unit": self.sylhet_district.pk, "subject": "x"}, format="json"
        )
        self.assertEqual(response.status_code, 403)
        self.assertFalse(Letter.objects.exists())

    def test_anonymous_gets_401_and_no_desk_404(self) -> None:
        self.assertEqual(self.api.post(LIST, {}, format="json").status_code, 401)
        self.assertEqual(self.api.get(LIST).status_code, 401)
        response = self.as_user(self.nobody).post(
            LIST, {"to_unit": self.root.pk, "subject": "x"}, format="json"
        )
        self.assertEqual(response.status_code, 404)

    def test_the_acting_unit_comes_from_the_header(self) -> None:
        response = self.as_user(self.jalalabad, self.dhaka_district).get(LIST)
        self.assertEqual(response.status_code, 404)
        response = self.as_user(self.jalalabad, self.jalalabad_union).post(
            LIST, {"to_unit": self.root.pk, "subject": "x"}, format="json"
        )
        self.assertEqual(response.json()["from_unit"], self.jalalabad_union.pk)

    def test_sending_enqueues_the_notice(self) -> None:
        with self.captureOnCommitCallbacks(execute=True):
            self.as_user(self.jalalabad).post(
                LIST, {"to_unit": self.root.pk, "subject": "x"}, format="json"
            )
        self.assertEqual(DBTaskResult.objects.get().task_path, "daptar.letters.tasks.notify_sent")


class ListTests(APITestCase):
    def setUp(self) -> None:
        super().setUp()
        with frozen(datetime.datetime(2027, 2, 3, 6, tzinfo=datetime.UTC)):
            self.old = write(self.jalalabad, self.root, subject="From last year")
        with frozen(datetime.datetime(2028, 5, 3, 6, tzinfo=datetime.UTC)):
            self.new = write(self.sylhet, self.root, subject="This year")
            self.handled = write(self.dhaka, self.root, subject="Handled")
            self.out = write(self.central, self.dhaka_district, subject="Sent down")
        actions.close(receipt(self.handled, self.root), note="ok", by=self.central)

    def rows(self, **params: object) -> list[dict[str, object]]:
        response = self.as_user(self.central).get(LIST, params)
        self.assertEqual(response.status_code, 200, response.content)
        self.assertEqual(set(response.json()), PAGE)
        return response.json()["results"]

    def test_inward_lists_what_came_with_the_callers_receipt(self) -> None:
        rows = self.rows(box="inward")
        self.assertEqual([r["subject"] for r in rows], ["Handled", "This year", "From last year"])
        self.assertTrue(LETTER_FIELDS | {"receipt", "state"} <= set(rows[0]))
        self.assertEqual(set(rows[0]["receipt"]), RECEIPT_FIELDS)
        self.assertEqual(rows[0]["receipt"]["state"], "closed")
        self.assertEqual([r["subject"] for r in self.rows()], [r["subject"] for r in rows])

    def test_the_year_filters_every_box(self) -> None:
        self.assertEqual(
            [r["subject"] for r in self.rows(box="inward", year=2027)], ["From last year"]
        )
        self.assertEqual([r["subject"] for r in self.rows(box="outward", year=2028)], ["Sent down"])
        self.assertEqual([r["subject"] for r in self.rows(box="outward", year=2027)], [])
        self.assertEqual([r["subject"] for r in self.rows(box="pending", year=2028)], ["This year"])
        self.assertEqual(
            [r["subject"] for r in self.rows(box="inward", year=2028, month=5)],
            ["Handled", "This year"],
        )

    def test_pending_is_oldest_first_with_ages(self) -> None:
        with frozen(datetime.datetime(2028, 5, 13, 7, tzinfo=datetime.UTC)):
            rows = self.rows(box="pending")
        self.assertEqual([r["subject"] for r in rows], ["From last year", "This year"])
        self.assertEqual(rows[1]["receipt"]["age_days"], 10)

    def test_outward_shows_the_recipients_state(self) -> None:
        rows = self.rows(box="outward")
        self.assertEqual(rows[0]["state"], "pending")
        self.assertIsNone(rows[0]["receipt"])

    def test_pending_with_others(self) -> None:
        response = self.as_user(self.jalalabad).get(LIST, {"box": "pending_others"})
        rows = response.json()["results"]
        self.assertEqual([r["subject"] for r in rows], ["From last year"])
        self.assertEqual(rows[0]["receipt"]["unit"], self.root.pk)

    def test_bad_parameters_are_400(self) -> None:
        api = self.as_user(self.central)
        for params, field in [
            ({"box": "everything"}, "box"),
            ({"year": "soon"}, "year"),
            ({"year": 1850}, "year"),
            ({"year": 2028, "month": 0}, "month"),
            ({"month": 5}, "year"),
        ]:
            with self.subTest(params=params):
                response = api.get(LIST, params)
                self.assertEqual(response.status_code, 400)
                self.assertIn(field, response.json())

    def test_list_queries_do_not_grow_with_the_letters(self) -> None:
        for n in range(30):
            write((self.jalalabad, self.sylhet, self.dhaka)[n % 3], self.root, subject=f"L{n}")
        api = self.as_user(self.central)
        api.get(LIST)
        # count, page, attachments (the forced user keeps its desks between requests).
        with self.assertNumQueries(3):
            response = api.get(LIST, {"box": "inward"})
        self.assertEqual(len(response.json()["results"]), 33)
        with self.assertNumQueries(3):
            api.get(LIST, {"box": "pending"})
        with self.assertNumQueries(3):
            api.get(LIST, {"box": "outward"})


class RetrieveTests(APITestCase):
    def test_it_returns_the_letter_with_its_readable_thread_and_movements(self) -> None:
        letter = write(self.jalalabad, self.root, subject="Open")
        actions.forward(
            receipt(letter, self.root), to_unit=self.sylhet_district, note="Yours", by=self.central
        )
        answer = reply(self.sylhet, letter, subject="Answer")
        secret = reply(self.jalalabad, answer, subject="Secret", confidential=True)
        response = self.as_user(self.sylhet).get(detail(letter))
        self.assertEqual(response.status_code, 200)
        data = response.json()
        self.assertTrue(LETTER_FIELDS | {"thread_letters", "movements", "my_receipt"} <= set(data))
        self.assertEqual(
            [x["subject"] for x in data["thread_letters"]], ["Open", "Answer", "Secret"]
        )
        self.assertEqual(
            [(m["unit"], m["state"]) for m in data["movements"]],
            [(self.root.pk, "forwarded"), (self.sylhet_district.pk, "answered")],
        )
        self.assertEqual(data["my_receipt"]["via"], self.root.pk)
        # The division, above Sylhet, reads the thread but not the confidential letter.
        data = self.as_user(self.division).get(detail(letter)).json()
        self.assertEqual([x["subject"] for x in data["thread_letters"]], ["Open", "Answer"])
        self.assertIsNone(data["my_receipt"])
        self.assertEqual(self.as_user(self.division).get(detail(secret)).status_code, 404)

    def test_outsiders_get_404(self) -> None:
        letter = write(self.jalalabad, self.root)
        for user in (self.dhaka, self.ward, self.nobody):
            with self.subTest(user=user.username):
                self.assertEqual(self.as_user(user).get(detail(letter)).status_code, 404)
        self.assertEqual(self.as_user(self.central).get("/api/v1/letters/x/").status_code, 404)

    @IN_MEMORY_STORAGE
    def test_attachments_download_through_the_api(self) -> None:
        letter = write(self.jalalabad, self.root, attachments=[SimpleUploadedFile("a.pdf", PDF)])
        item = letter.attachments.get()
        path = f"{detail(letter)}attachments/{item.pk}/"
        response = self.as_user(self.central).get(path)
        self.assertEqual(b"".join(response.streaming_content), PDF)  # type: ignore[attr-defined]
        self.assertEqual(self.as_user(self.dhaka).get(path).status_code, 404)


class ForwardAndCloseTests(APITestCase):
    def setUp(self) -> None:
        super().setUp()
        self.letter = write(self.jalalabad, self.root)

    def test_forward_passes_it_on(self) -> None:
        response = self.as_user(self.central).post(
            detail(self.letter, "forward"),
            {"to_unit": self.sylhet_district.pk, "note": "See to it"},
            format="json",
        )
        self.assertEqual(response.status_code, 200, response.content)
        data = response.json()
        self.assertEqual(
            (data["receipt"]["state"], data["receipt"]["note"]), ("forwarded", "See to it")
        )
        self.assertEqual(
            (data["forwarded"]["unit"], data["forwarded"]["via"], data["forwarded"]["state"]),
            (self.sylhet_district.pk, self.root.pk, "pending"),
        )

    def test_forward_outside_scope_is_400_and_twice_is_409(self) -> None:
        api = self.as_user(self.central)
        self.assertEqual(
            api.post(
                detail(self.letter, "forward"), {"to_unit": self.jalalabad_union.pk}, format="json"
            ).json(),
            {"to_unit": ["This office wrote the letter: reply to it instead."]},
        )
        self.assertEqual(
            api.post(detail(self.letter, "forward"), {"to_unit": "x"}, format="json").status_code,
            400,
        )
        api.post(
            detail(self.letter, "forward"), {"to_unit": self.sylhet_district.pk}, format="json"
        )
        response = self.as_user(self.sylhet).post(
            detail(self.letter, "forward"), {"to_unit": self.dhaka_district.pk}, format="json"
        )
        self.assertEqual(response.json(), {"to_unit": ["Forward only to an office under yours."]})
        response = self.as_user(self.central).post(
            detail(self.letter, "forward"), {"to_unit": self.dhaka_district.pk}, format="json"
        )
        self.assertEqual(response.status_code, 409)

    def test_close_with_a_note_then_409(self) -> None:
        api = self.as_user(self.central)
        self.assertEqual(
            api.post(detail(self.letter, "close"), {"note": ""}, format="json").json(),
            {"note": ["Say why the letter is closed."]},
        )
        response = api.post(detail(self.letter, "close"), {"note": "Noted"}, format="json")
        self.assertEqual(response.status_code, 200)
        self.assertEqual(set(response.json()), RECEIPT_FIELDS)
        self.assertEqual(response.json()["state"], "closed")
        self.assertEqual(
            api.post(detail(self.letter, "close"), {"note": "x"}, format="json").status_code, 409
        )

    def test_read_only_403_not_holding_404_outsider_404(self) -> None:
        self.assertEqual(
            self.as_user(self.president)
            .post(detail(self.letter, "close"), {"note": "x"}, format="json")
            .status_code,
            403,
        )
        for user in (self.sylhet, self.dhaka):
            with self.subTest(user=user.username):
                response = self.as_user(user).post(
                    detail(self.letter, "close"), {"note": "x"}, format="json"
                )
                self.assertEqual(response.status_code, 404)
        self.assertEqual(receipt(self.letter, self.root).state, Receipt.State.PENDING)


class SchemaTests(APITestCase):
    def test_the_schema_describes_the_letters_endpoints(self) -> None:
        response = self.as_user(self.central).get("/api/v1/schema/", {"format": "json"})
        self.assertEqual(response.status_code, 200)
        paths = response.json()["paths"]
        for path in (
            "/api/v1/letters/",
            "/api/v1/letters/{id}/",
            "/api/v1/letters/{id}/forward/",
            "/api/v1/letters/{id}/close/",
        ):
            self.assertIn(path, paths)
