import datetime

from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django_tasks_db.models import DBTaskResult

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
    page_overhead,
    receipt,
    reply,
    write,
)

PENDING = reverse("letters:pending")
OTHERS = reverse("letters:pending_others")
INWARD = reverse("letters:inward")
OUTWARD = reverse("letters:outward")
COMPOSE = reverse("letters:compose")
LOGIN = reverse("accounts:login")


def url(name: str, letter: Letter, *args: int) -> str:
    return reverse(f"letters:{name}", args=[letter.pk, *args])


class ViewTestCase(LettersTestCase):
    def setUp(self) -> None:
        super().setUp()
        self.client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"

    def assertLoginRedirect(self, response: object, path: str) -> None:
        self.assertRedirects(response, f"{LOGIN}?next={path}", fetch_redirect_response=False)  # type: ignore[arg-type]


class PendingPageTests(ViewTestCase):
    def test_pending_with_us_lists_oldest_first_with_ages(self) -> None:
        with frozen(LATER):
            old = write(self.jalalabad, self.root, subject="Old question")
        with frozen(LATER + datetime.timedelta(days=6)):
            write(self.sylhet, self.root, subject="New question")
        answered = write(self.dhaka, self.root, subject="Answered one")
        reply(self.central, answered)
        with frozen(LATER + datetime.timedelta(days=10, hours=2)):
            self.client.force_login(self.central)
            response = self.client.get(PENDING)
        self.assertEqual(response.status_code, 200)
        rows = list(response.context["page"])
        self.assertEqual([r.letter.subject for r in rows], ["Old question", "New question"])
        self.assertEqual([r.age for r in rows], [10, 4])
        self.assertContains(response, old.memo_no)
        self.assertContains(response, "10 days")
        self.assertNotContains(response, "Answered one")

    def test_pending_with_others_shows_where_each_letter_waits(self) -> None:
        asked = write(self.jalalabad, self.root, subject="Waiting at central")
        passed_on = write(self.jalalabad, self.sylhet_district, subject="Passed on")
        actions.forward(
            receipt(passed_on, self.sylhet_district), to_unit=self.sylhet_sadar, by=self.sylhet
        )
        done = write(self.jalalabad, self.root, subject="Closed already")
        actions.close(receipt(done, self.root), note="Noted", by=self.central)
        self.client.force_login(self.jalalabad)
        response = self.client.get(OTHERS)
        rows = {r.letter.subject: r.unit for r in response.context["page"]}
        self.assertEqual(rows, {"Waiting at central": self.root, "Passed on": self.sylhet_sadar})
        self.assertContains(response, asked.memo_no)
        # The forwarding office sees it waiting below it too.
        self.client.force_login(self.sylhet)
        rows = [r.letter.subject for r in self.client.get(OTHERS).context["page"]]
        self.assertEqual(rows, ["Passed on"])

    def test_the_nav_badge_counts_what_is_pending_with_us(self) -> None:
        letters = [write(self.jalalabad, self.root) for _ in range(3)]
        self.client.force_login(self.central)
        response = self.client.get(PENDING)
        self.assertContains(
            response,
            f'<a href="{PENDING}" data-testid="nav-letters">'
            'Letters <span class="badge">3</span></a>',
            html=True,
        )
        actions.close(receipt(letters[0], self.root), note="Noted", by=self.central)
        response = self.client.get(PENDING)
        self.assertContains(response, '<span class="badge">2</span>', html=True)

    def test_anonymous_is_sent_to_login_and_no_desk_is_404(self) -> None:
        for path in (PENDING, OTHERS, INWARD, OUTWARD, COMPOSE):
            with self.subTest(path=path):
                self.client.logout()
                self.assertLoginRedirect(self.client.get(path), path)
                self.client.force_login(self.nobody)
                self.assertEqual(self.client.get(path).status_code, 404)

    def test_pending_queries_do_not_grow_with_the_letters(self) -> None:
        for n in range(40):
            writer = (self.jalalabad, self.sylhet, self.dhaka, self.ward)[n % 4]
            letter = write(writer, self.root, subject=f"Letter {n}")
            if n % 5 == 0:
                actions.forward(
                    receipt(letter, self.root), to_unit=self.sylhet_metro, by=self.central
                )
        self.client.force_login(self.central)
        self.client.get(PENDING)
        # The page's own: count and rows.
        with self.assertNumQueries(page_overhead() + 2):
            response = self.client.get(PENDING)
        self.assertEqual(len(response.context["page"]), 30)
        self.client.force_login(self.jalalabad)
        self.client.get(OTHERS)
        with self.assertNumQueries(page_overhead() + 2):
            response = self.client.get(OTHERS)
        self.assertEqual(len(response.context["page"]), 10)


class RegisterPageTests(ViewTestCase):
    def setUp(self) -> None:
        super().setUp()
        months = [(2027, 1, 5), (2027, 2, 10), (2027, 2, 20), (2028, 2, 1)]
        for year, month, day in months:
            with frozen(datetime.datetime(year, month, day, 6, tzinfo=datetime.UTC)):
                write(self.jalalabad, self.root, subject=f"In {year}-{month:02d}-{day:02d}")
                write(
                    self.central, self.sylhet_division, subject=f"Out {year}-{month:02d}-{day:02d}"
                )

    def subjects(self, response: object) -> list[str]:
        page = response.context["page"]  # type: ignore[attr-defined]
        return [getattr(row, "letter", row).subject for row in page]

    def test_the_inward_register_lists_every_letter_in_newest_first(self) -> None:
        self.client.force_login(self.central)
        response = self.client.get(INWARD)
        self.assertEqual(
            self.subjects(response),
            ["In 2028-02-01", "In 2027-02-20", "In 2027-02-10", "In 2027-01-05"],
        )
        self.assertContains(response, "UN-2513/2027/0003")
        self.assertContains(response, 'data-testid="register"')

    def test_it_filters_by_year_and_month(self) -> None:
        self.client.force_login(self.central)
        self.assertEqual(
            self.subjects(self.client.get(INWARD, {"year": 2027, "month": 2})),
            ["In 2027-02-20", "In 2027-02-10"],
        )
        self.assertEqual(len(self.subjects(self.client.get(INWARD, {"year": 2027}))), 3)
        self.assertEqual(
            self.subjects(self.client.get(OUTWARD, {"year": 2028})), ["Out 2028-02-01"]
        )

    def test_a_month_is_a_month_in_bangladesh(self) -> None:
        # 20:00 UTC on 31 January is 2 am on 1 February in Dhaka.
        with frozen(datetime.datetime(2029, 1, 31, 20, tzinfo=datetime.UTC)):
            write(self.jalalabad, self.root, subject="Just after midnight")
        self.client.force_login(self.central)
        self.assertEqual(
            self.subjects(self.client.get(INWARD, {"year": 2029, "month": 2})),
            ["Just after midnight"],
        )
        self.assertEqual(self.subjects(self.client.get(INWARD, {"year": 2029, "month": 1})), [])

    def test_bad_filters_are_400_with_a_message(self) -> None:
        self.client.force_login(self.central)
        for params in ({"year": "last"}, {"month": 2}, {"year": 2027, "month": 13}):
            with self.subTest(params=params):
                response = self.client.get(INWARD, params)
                self.assertEqual(response.status_code, 400)
                self.assertContains(response, 'role="alert"', status_code=400)

    def test_the_outward_register_shows_where_each_letter_stands(self) -> None:
        self.client.force_login(self.central)
        response = self.client.get(OUTWARD)
        self.assertEqual(response.context["page"][0].state, "pending")
        self.assertContains(response, "CEN/2028/0001")
        self.assertNotContains(response, "In 2027")

    def test_a_forwarded_letter_enters_the_inward_register_of_its_new_office(self) -> None:
        letter = Letter.objects.get(subject="In 2027-01-05")
        actions.forward(
            receipt(letter, self.root),
            to_unit=self.sylhet_district,
            note="See to it",
            by=self.central,
        )
        self.client.force_login(self.sylhet)
        response = self.client.get(INWARD)
        self.assertEqual(self.subjects(response), ["In 2027-01-05"])
        self.assertContains(response, "forwarded by")

    def test_the_register_is_the_acting_offices_own(self) -> None:
        self.client.force_login(self.sylhet)
        self.assertEqual(self.subjects(self.client.get(INWARD)), [])
        self.assertEqual(self.subjects(self.client.get(OUTWARD)), [])

    def test_htmx_gets_only_the_rows(self) -> None:
        self.client.force_login(self.central)
        response = self.client.get(INWARD, {"year": 2027}, HTTP_HX_REQUEST="true")
        self.assertContains(response, 'id="rows"')
        self.assertNotContains(response, "<html")
        self.assertNotContains(response, 'name="month"')

    def test_print_stylesheet_for_print_and_on_screen_in_the_paper_view(self) -> None:
        self.client.force_login(self.central)
        response = self.client.get(INWARD)
        self.assertRegex(response.content.decode(), r'letters/print\.[0-9a-f.]*css" media="print"')
        self.assertContains(response, 'href="?view=paper"')
        self.assertContains(response, 'href="?format=csv"')
        paper = self.client.get(INWARD, {"view": "paper", "year": 2027})
        self.assertContains(paper, 'href="?year=2027"')  # back, keeping the period
        self.assertRegex(paper.content.decode(), r'letters/print\.[0-9a-f.]*css" media="all"')
        self.assertContains(paper, "Back to the register")
        self.assertEqual(len(self.subjects(paper)), 3)

    def test_register_queries_do_not_grow_with_the_letters(self) -> None:
        for n in range(30):
            write((self.jalalabad, self.sylhet, self.dhaka)[n % 3], self.root, subject=f"L{n}")
            write(self.central, (self.sylhet_district, self.dhaka_district)[n % 2], subject=f"O{n}")
        self.client.force_login(self.central)
        self.client.get(INWARD)
        # The page's own: count and rows.
        with self.assertNumQueries(page_overhead() + 2):
            response = self.client.get(INWARD)
        self.assertEqual(len(response.context["page"]), 30)
        with self.assertNumQueries(page_overhead() + 2):
            response = self.client.get(OUTWARD, {"year": 2026})
        self.assertEqual(len(response.context["page"]), 30)


class ComposeTests(ViewTestCase):
    def post(self, **data: object) -> object:
        return self.client.post(
            COMPOSE,
            {
                "subject": "Union office rent",
                "body": "The landlord asks more.",
                "priority": "normal",
                **data,
            },
        )

    def test_writing_up_to_central_sends_and_shows_the_memo_no(self) -> None:
        with frozen(LATER):
            self.client.force_login(self.jalalabad)
            response = self.post(to_unit=self.root.pk)
        letter = Letter.objects.get()
        self.assertRedirects(response, url("detail", letter), fetch_redirect_response=False)
        self.assertEqual((letter.sender, letter.recipient), (self.jalalabad_union, self.root))
        self.assertEqual(letter.memo_no, "UN-2513/2027/0001")
        self.assertTrue(
            AuditEvent.objects.filter(verb="letter.sent", actor=self.jalalabad).exists()
        )

    def test_the_address_list_has_the_offices_above_and_two_levels_below(self) -> None:
        self.client.force_login(self.sylhet)
        response = self.client.get(COMPOSE)
        choices = [
            value for value, _label in response.context["form"].fields["to_unit"].widget.choices
        ]
        listed = {int(str(v)) for v in choices if v}
        self.assertEqual(
            listed,
            {self.root.pk, self.sylhet_division.pk, self.sylhet_sadar.pk, self.jalalabad_union.pk},
        )

    def test_an_office_further_down_is_written_to_by_code(self) -> None:
        self.client.force_login(self.sylhet)
        self.post(to_code="un-2513-w1")
        self.assertEqual(Letter.objects.get().recipient, self.ward1)

    def test_a_code_outside_the_route_is_refused(self) -> None:
        self.client.force_login(self.jalalabad)
        response = self.post(to_code="DHA")
        self.assertEqual(response.status_code, 400)
        self.assertContains(
            response, "No office with this code that you may write to.", status_code=400
        )
        self.assertFalse(Letter.objects.exists())

    def test_a_unit_outside_the_route_is_refused(self) -> None:
        self.client.force_login(self.jalalabad)
        response = self.post(to_unit=self.dhaka_district.pk)
        self.assertEqual(response.status_code, 400)
        self.assertFalse(Letter.objects.exists())

    def test_an_empty_subject_is_400_with_a_message(self) -> None:
        self.client.force_login(self.jalalabad)
        response = self.post(to_unit=self.root.pk, subject="")
        self.assertContains(response, "This field is required.", status_code=400)
        self.assertFalse(Letter.objects.exists())

    @IN_MEMORY_STORAGE
    def test_attachments_are_sent_and_a_wrong_type_is_refused(self) -> None:
        self.client.force_login(self.jalalabad)
        response = self.post(
            to_unit=self.root.pk, attachments=[SimpleUploadedFile("notes.pdf", TEXT)]
        )
        self.assertContains(
            response, "notes.pdf is not a PDF, JPEG, PNG or WebP file.", status_code=400
        )
        self.assertFalse(Letter.objects.exists())
        self.post(
            to_unit=self.root.pk,
            attachments=[SimpleUploadedFile("a.pdf", PDF), SimpleUploadedFile("b.pdf", PDF)],
        )
        self.assertEqual(Letter.objects.get().attachments.count(), 2)

    def test_a_read_only_desk_gets_403(self) -> None:
        self.client.force_login(self.president)
        self.assertEqual(self.client.get(COMPOSE).status_code, 403)
        self.assertEqual(self.post(to_unit=self.sylhet_district.pk).status_code, 403)
        self.assertFalse(Letter.objects.exists())

    def test_sending_enqueues_the_notice(self) -> None:
        self.client.force_login(self.jalalabad)
        with self.captureOnCommitCallbacks(execute=True):
            self.post(to_unit=self.root.pk)
        self.assertEqual(DBTaskResult.objects.get().task_path, "daptar.letters.tasks.notify_sent")

    def test_a_reply_goes_back_and_answers_the_letter(self) -> None:
        letter = write(self.jalalabad, self.root)
        self.client.force_login(self.central)
        form = self.client.get(COMPOSE, {"reply_to": letter.pk}).context["form"]
        self.assertEqual(form.initial["to_unit"], self.jalalabad_union.pk)
        response = self.post(reply_to=letter.pk, to_unit=self.jalalabad_union.pk)
        answer = Letter.objects.get(reply_to=letter)
        self.assertRedirects(response, url("detail", answer), fetch_redirect_response=False)
        self.assertEqual(receipt(letter, self.root).state, Receipt.State.ANSWERED)

    def test_a_reply_elsewhere_is_400(self) -> None:
        letter = write(self.jalalabad, self.root)
        self.client.force_login(self.central)
        response = self.post(reply_to=letter.pk, to_unit=self.sylhet_district.pk)
        self.assertEqual(response.status_code, 400)
        self.assertEqual(Letter.objects.count(), 1)

    def test_replying_to_a_letter_out_of_scope_is_404(self) -> None:
        letter = write(self.jalalabad, self.root)
        self.client.force_login(self.dhaka)
        self.assertEqual(self.client.get(COMPOSE, {"reply_to": letter.pk}).status_code, 404)
        # In scope (the district above) but not holding it: also 404.
        self.client.force_login(self.sylhet)
        self.assertEqual(self.client.get(COMPOSE, {"reply_to": letter.pk}).status_code, 404)


class DetailTests(ViewTestCase):
    def test_the_thread_reads_in_order_with_the_offices_actions(self) -> None:
        letter = write(self.jalalabad, self.root, subject="Question")
        answer = reply(self.central, letter, subject="Answer")
        self.client.force_login(self.jalalabad)
        response = self.client.get(url("detail", answer))
        self.assertEqual([x.subject for x in response.context["thread"]], ["Question", "Answer"])
        self.assertTrue(response.context["can_act"])
        self.assertContains(response, 'data-testid="forward"')
        self.assertContains(response, 'data-testid="close"')
        self.assertContains(response, 'data-testid="reply"')

    def test_the_writer_reads_it_without_handling_it(self) -> None:
        letter = write(self.jalalabad, self.root)
        self.client.force_login(self.jalalabad)
        response = self.client.get(url("detail", letter))
        self.assertIsNone(response.context["mine"])
        self.assertNotContains(response, 'data-testid="forward"')

    def test_a_read_only_desk_reads_it_without_forms(self) -> None:
        letter = write(self.jalalabad, self.root)
        self.client.force_login(self.president)
        response = self.client.get(url("detail", letter))
        self.assertEqual(response.status_code, 200)
        self.assertFalse(response.context["can_act"])
        self.assertNotContains(response, 'data-testid="reply"')

    def test_outsiders_get_404_and_the_district_above_for_a_confidential_one(self) -> None:
        letter = write(self.jalalabad, self.root, confidential=True)
        for user in (self.dhaka, self.sylhet, self.ward, self.nobody):
            with self.subTest(user=user.username):
                self.client.force_login(user)
                self.assertEqual(self.client.get(url("detail", letter)).status_code, 404)

    def test_anonymous_is_sent_to_login(self) -> None:
        letter = write(self.jalalabad, self.root)
        self.assertLoginRedirect(self.client.get(url("detail", letter)), url("detail", letter))

    def test_a_confidential_reply_is_left_out_of_the_thread_for_the_district(self) -> None:
        letter = write(self.jalalabad, self.root, subject="Open")
        reply(self.central, letter, subject="Closed-door answer", confidential=True)
        self.client.force_login(self.sylhet)
        response = self.client.get(url("detail", letter))
        self.assertEqual([x.subject for x in response.context["thread"]], ["Open"])
        self.assertNotContains(response, "Closed-door answer")

    @IN_MEMORY_STORAGE
    def test_attachments_download_for_readers_only(self) -> None:
        letter = write(self.jalalabad, self.root, attachments=[SimpleUploadedFile("a.pdf", PDF)])
        item = letter.attachments.get()
        self.client.force_login(self.central)
        response = self.client.get(url("attachment", letter, item.pk))
        self.assertEqual(b"".join(response.streaming_content), PDF)  # type: ignore[attr-defined]
        self.assertEqual(response["Content-Type"], "application/pdf")
        self.client.force_login(self.dhaka)
        self.assertEqual(self.client.get(url("attachment", letter, item.pk)).status_code, 404)


class ForwardAndCloseViewTests(ViewTestCase):
    def setUp(self) -> None:
        super().setUp()
        self.letter = write(self.jalalabad, self.root, subject="Road repair")

    def test_forwarding_from_the_page(self) -> None:
        self.client.force_login(self.central)
        response = self.client.post(
            url("forward", self.letter), {"to_unit": self.sylhet_district.pk, "note": "Yours"}
        )
        self.assertRedirects(response, url("detail", self.letter), fetch_redirect_response=False)
        passed = receipt(self.letter, self.sylhet_district)
        self.assertEqual(passed.forwarded_from.note, "Yours")  # type: ignore[union-attr]
        self.assertTrue(AuditEvent.objects.filter(verb="letter.forwarded").exists())

    def test_forwarding_outside_scope_is_400_and_changes_nothing(self) -> None:
        passed = actions.forward(
            receipt(self.letter, self.root), to_unit=self.sylhet_district, by=self.central
        )
        self.client.force_login(self.sylhet)
        response = self.client.post(url("forward", self.letter), {"to_code": "DHA"})
        self.assertEqual(response.status_code, 400)
        passed.refresh_from_db()
        self.assertTrue(passed.is_pending)

    def test_forwarding_twice_says_so(self) -> None:
        self.client.force_login(self.central)
        self.client.post(url("forward", self.letter), {"to_unit": self.sylhet_district.pk})
        response = self.client.post(
            url("forward", self.letter), {"to_unit": self.dhaka_district.pk}
        )
        self.assertRedirects(response, url("detail", self.letter), fetch_redirect_response=False)
        self.assertEqual(self.letter.receipts.count(), 2)

    def test_closing_needs_a_note(self) -> None:
        self.client.force_login(self.central)
        response = self.client.post(url("close", self.letter), {"note": ""})
        self.assertContains(response, "This field is required.", status_code=400)
        self.client.post(url("close", self.letter), {"note": "Nothing to do"})
        self.assertEqual(receipt(self.letter, self.root).state, Receipt.State.CLOSED)

    def test_a_read_only_desk_gets_403(self) -> None:
        self.client.force_login(self.president)
        self.assertEqual(
            self.client.post(url("close", self.letter), {"note": "No"}).status_code, 403
        )
        self.assertEqual(
            self.client.post(url("forward", self.letter), {"to_unit": self.sylhet.pk}).status_code,
            403,
        )

    def test_an_office_not_holding_it_gets_404(self) -> None:
        self.client.force_login(self.sylhet)  # may read it (above the writer) but does not hold it
        self.assertEqual(
            self.client.post(url("close", self.letter), {"note": "x"}).status_code, 404
        )
        self.client.force_login(self.dhaka)
        self.assertEqual(
            self.client.post(url("close", self.letter), {"note": "x"}).status_code, 404
        )

    def test_get_is_not_allowed(self) -> None:
        self.client.force_login(self.central)
        self.assertEqual(self.client.get(url("close", self.letter)).status_code, 405)


class AuditLogTests(ViewTestCase):
    def test_a_confidential_letter_shows_only_its_memo_no_in_the_log_above(self) -> None:
        secret = "Disciplinary case against the treasurer"
        letter = write(self.central, self.jalalabad_union, subject=secret, confidential=True)
        passed = actions.forward(
            receipt(letter, self.jalalabad_union), to_unit=self.ward1, by=self.jalalabad
        )
        actions.close(passed, note="Seen.", by=self.ward)
        answer = reply(self.jalalabad, letter, to=self.root)
        upward = write(self.jalalabad, self.root, subject=secret, confidential=True)
        self.client.force_login(self.sylhet)
        response = self.client.get(reverse("audit:events"))
        self.assertEqual(response.status_code, 200)
        self.assertNotContains(response, secret)
        self.assertEqual(
            sorted(e.verb for e in response.context["page"] if e.verb.startswith("letter.")),
            ["letter.closed", "letter.forwarded", "letter.sent", "letter.sent"],
        )
        for memo_no in (letter.memo_no, answer.memo_no, upward.memo_no):
            self.assertContains(response, memo_no)

    def test_an_open_letter_keeps_its_subject_in_the_log(self) -> None:
        write(self.jalalabad, self.root, subject="Road repair in ward 1")
        self.client.force_login(self.sylhet)
        self.assertContains(self.client.get(reverse("audit:events")), "Road repair in ward 1")
