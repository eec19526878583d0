import datetime
from unittest import mock

from django.core.exceptions import PermissionDenied, ValidationError
from django.test import override_settings
from django_tasks_db.models import DBTaskResult

from daptar.audit.models import AuditEvent
from daptar.letters import actions
from daptar.letters.models import Attachment, Letter, Receipt
from daptar.letters.tests.support import (
    IMMEDIATE_TASKS,
    IN_MEMORY_STORAGE,
    LATER,
    PDF,
    PNG,
    TEXT,
    LettersTestCase,
    frozen,
    receipt,
    reply,
    upload,
    write,
)
from daptar.lib.exceptions import Conflict
from daptar.notifications.models import Notification, OutboxMessage
from daptar.testing import in_request
from daptar.units import actions as unit_actions


class RoutingTests(LettersTestCase):
    def test_a_union_writes_straight_to_the_central_office(self) -> None:
        letter = write(self.jalalabad, self.root)
        self.assertEqual((letter.sender, letter.recipient), (self.jalalabad_union, self.root))
        self.assertEqual(receipt(letter, self.root).state, Receipt.State.PENDING)

    def test_an_office_writes_down_to_any_unit_below_it(self) -> None:
        for to in (self.sylhet_sadar, self.jalalabad_union, self.ward1):
            self.assertEqual(write(self.sylhet, to).recipient, to)

    def test_an_office_writes_up_to_each_of_its_ancestors(self) -> None:
        for to in (self.jalalabad_union, self.sylhet_sadar, self.sylhet_district, self.root):
            self.assertEqual(write(self.ward, to).recipient, to)

    def test_it_refuses_a_unit_neither_above_nor_below(self) -> None:
        for to in (self.dhaka_district, self.sylhet_metro, self.dhaka_division):
            with self.subTest(to=to.code), self.assertRaises(ValidationError) as caught:
                write(self.jalalabad, to)
            self.assertEqual(
                caught.exception.message_dict["to_unit"],
                ["Write to an office above yours or below it."],
            )
        self.assertFalse(Letter.objects.exists())

    def test_it_refuses_writing_to_itself_or_to_nobody(self) -> None:
        for to in (self.jalalabad_union, None):
            with self.assertRaises(ValidationError):
                write(self.jalalabad, to)

    def test_it_refuses_a_closed_office(self) -> None:
        unit_actions.close_unit(self.ward1, on=datetime.date(2026, 1, 1), by=self.operator)
        self.ward1.refresh_from_db()
        with self.assertRaises(ValidationError):
            write(self.jalalabad, self.ward1)

    def test_an_empty_subject_is_refused_and_nothing_is_written(self) -> None:
        with self.assertRaises(ValidationError) as caught:
            write(self.jalalabad, self.root, subject="   ")
        self.assertEqual(caught.exception.message_dict["subject"], ["Give the letter a subject."])
        self.assertFalse(Letter.objects.exists())
        self.assertFalse(Receipt.objects.exists())
        self.assertFalse(AuditEvent.objects.filter(verb="letter.sent").exists())

    def test_a_bad_priority_is_refused(self) -> None:
        with self.assertRaises(ValidationError) as caught:
            write(self.jalalabad, self.root, priority="whenever")
        self.assertIn("priority", caught.exception.message_dict)

    def test_a_read_only_desk_cannot_send(self) -> None:
        with self.assertRaises(PermissionDenied):
            write(self.president, self.sylhet_district)
        self.assertFalse(Letter.objects.exists())

    def test_an_office_above_cannot_write_in_a_lower_units_name(self) -> None:
        with self.assertRaises(PermissionDenied):
            write(self.sylhet, self.root, sender=self.jalalabad_union)


class MemoNumberTests(LettersTestCase):
    def test_numbers_run_per_sending_unit_and_year(self) -> None:
        with frozen(LATER):
            first = write(self.jalalabad, self.root)
            second = write(self.jalalabad, self.sylhet_district)
            other = write(self.sylhet, self.root)
        self.assertEqual(first.memo_no, "UN-2513/2027/0001")
        self.assertEqual(second.memo_no, "UN-2513/2027/0002")
        self.assertEqual(other.memo_no, "SYL/2027/0001")
        self.assertEqual((second.memo_year, second.memo_serial), (2027, 2))

    def test_the_year_is_the_year_in_bangladesh(self) -> None:
        # 18:30 UTC on 31 December is already half past midnight in Dhaka.
        with frozen(datetime.datetime(2027, 12, 31, 17, 59, tzinfo=datetime.UTC)):
            old_year = write(self.jalalabad, self.root)
        with frozen(datetime.datetime(2027, 12, 31, 18, 30, tzinfo=datetime.UTC)):
            new_year = write(self.jalalabad, self.root)
        self.assertEqual(old_year.memo_no, "UN-2513/2027/0001")
        self.assertEqual(new_year.memo_no, "UN-2513/2028/0001")

    def test_a_refused_letter_takes_no_number(self) -> None:
        with frozen(LATER):
            write(self.jalalabad, self.root)
            with self.assertRaises(ValidationError):
                write(self.jalalabad, self.dhaka_district)
            with self.assertRaises(ValidationError):
                write(self.jalalabad, self.root, attachments=[upload("x.pdf", TEXT)])
            self.assertEqual(write(self.jalalabad, self.root).memo_no, "UN-2513/2027/0002")


class ThreadTests(LettersTestCase):
    def test_a_first_letter_starts_its_own_thread(self) -> None:
        letter = write(self.jalalabad, self.root)
        letter.refresh_from_db()
        self.assertEqual(letter.thread_id, letter.pk)
        self.assertIsNone(letter.reply_to)

    def test_a_reply_goes_back_in_the_same_thread_and_answers_the_letter(self) -> None:
        letter = write(self.jalalabad, self.root)
        answer = reply(self.central, letter)
        again = reply(self.jalalabad, answer)
        self.assertEqual((answer.recipient, answer.reply_to), (self.jalalabad_union, letter))
        self.assertEqual({answer.thread_id, again.thread_id}, {letter.pk})
        held = receipt(letter, self.root)
        self.assertEqual((held.state, held.answer), (Receipt.State.ANSWERED, answer))
        self.assertEqual(held.handled_by, self.central)
        self.assertEqual(receipt(answer, self.jalalabad_union).state, Receipt.State.ANSWERED)
        self.assertEqual(receipt(again, self.root).state, Receipt.State.PENDING)

    def test_a_reply_may_not_go_elsewhere(self) -> None:
        letter = write(self.jalalabad, self.root)
        with self.assertRaises(ValidationError) as caught:
            reply(self.central, letter, to=self.sylhet_district)
        self.assertIn("to_unit", caught.exception.message_dict)
        self.assertEqual(receipt(letter, self.root).state, Receipt.State.PENDING)

    def test_only_an_office_holding_the_letter_replies_to_it(self) -> None:
        letter = write(self.jalalabad, self.root)
        with self.assertRaises(ValidationError) as caught:
            reply(self.sylhet, letter, to=self.jalalabad_union)
        self.assertIn("reply_to", caught.exception.message_dict)
        with self.assertRaises(ValidationError):
            reply(self.jalalabad, letter, to=self.root)  # the writer holds no receipt of it

    def test_a_second_reply_leaves_the_first_answer_in_place(self) -> None:
        letter = write(self.jalalabad, self.root)
        first = reply(self.central, letter)
        reply(self.central, letter, subject="And one more thing")
        self.assertEqual(receipt(letter, self.root).answer, first)

    def test_a_reply_to_a_confidential_letter_is_confidential(self) -> None:
        letter = write(self.jalalabad, self.root, confidential=True)
        self.assertTrue(reply(self.central, letter, confidential=False).confidential)

    def test_a_forwarded_office_replies_to_the_writer_or_to_whoever_forwarded_it(self) -> None:
        letter = write(self.jalalabad, self.root)
        actions.forward(receipt(letter, self.root), to_unit=self.sylhet_district, by=self.central)
        to_writer = reply(self.sylhet, letter)
        to_forwarder = reply(self.sylhet, letter, to=self.root)
        self.assertEqual(to_writer.recipient, self.jalalabad_union)
        self.assertEqual(to_forwarder.recipient, self.root)
        with self.assertRaises(ValidationError):
            reply(self.sylhet, letter, to=self.sylhet_division)


class ForwardTests(LettersTestCase):
    def setUp(self) -> None:
        super().setUp()
        self.letter = write(self.jalalabad, self.root, subject="Road repair in ward 1")
        self.held = receipt(self.letter, self.root)

    def test_forwarding_passes_it_down_with_the_note(self) -> None:
        passed = actions.forward(
            self.held, to_unit=self.sylhet_district, note="Please look into it.", by=self.central
        )
        self.held.refresh_from_db()
        self.assertEqual(self.held.state, Receipt.State.FORWARDED)
        self.assertEqual(self.held.note, "Please look into it.")
        self.assertEqual(
            (passed.unit, passed.via, passed.state),
            (self.sylhet_district, self.root, Receipt.State.PENDING),
        )
        self.assertEqual(passed.forwarded_from, self.held)
        self.assertEqual(passed.sender, self.jalalabad_union)

    def test_a_forwarded_office_forwards_further_down(self) -> None:
        passed = actions.forward(self.held, to_unit=self.sylhet_district, by=self.central)
        deeper = actions.forward(passed, to_unit=self.sylhet_sadar, by=self.sylhet)
        self.assertEqual((deeper.via, deeper.unit), (self.sylhet_district, self.sylhet_sadar))

    def test_forwarding_outside_the_office_scope_is_refused(self) -> None:
        passed = actions.forward(self.held, to_unit=self.sylhet_district, by=self.central)
        for to in (self.dhaka_district, self.root, self.sylhet_division, self.sylhet_district):
            with self.subTest(to=to.code), self.assertRaises(ValidationError) as caught:
                actions.forward(passed, to_unit=to, by=self.sylhet)
            self.assertEqual(
                caught.exception.message_dict["to_unit"], ["Forward only to an office under yours."]
            )
        passed.refresh_from_db()
        self.assertEqual(passed.state, Receipt.State.PENDING)
        self.assertEqual(Receipt.objects.count(), 2)

    def test_forwarding_to_the_writer_says_to_reply(self) -> None:
        with self.assertRaises(ValidationError) as caught:
            actions.forward(self.held, to_unit=self.jalalabad_union, by=self.central)
        self.assertIn("reply to it instead", caught.exception.message_dict["to_unit"][0])

    def test_forwarding_twice_is_a_conflict(self) -> None:
        actions.forward(self.held, to_unit=self.sylhet_district, by=self.central)
        with self.assertRaises(Conflict):
            actions.forward(self.held, to_unit=self.dhaka_district, by=self.central)
        self.assertFalse(Receipt.objects.filter(unit=self.dhaka_district).exists())

    def test_only_the_holding_office_forwards(self) -> None:
        with self.assertRaises(PermissionDenied):
            actions.forward(self.held, to_unit=self.sylhet_district, by=self.president)
        with self.assertRaises(PermissionDenied):
            actions.forward(self.held, to_unit=self.sylhet_district, by=self.sylhet)

    def test_forwarding_records_and_enqueues_the_notice(self) -> None:
        with self.captureOnCommitCallbacks(execute=True):
            passed = in_request(
                self.central,
                lambda: actions.forward(self.held, to_unit=self.sylhet_district, by=self.central),
            )
        event = AuditEvent.objects.get(verb="letter.forwarded")
        self.assertEqual((event.unit, event.actor), (self.root, self.central))
        self.assertEqual(event.detail, {"receipt": self.held.pk, "to": self.sylhet_district.pk})
        task = DBTaskResult.objects.get()
        self.assertEqual(task.task_path, "daptar.letters.tasks.notify_forwarded")
        self.assertEqual(task.args_kwargs["args"], [passed.pk])


class CloseTests(LettersTestCase):
    def test_closing_needs_a_note_and_happens_once(self) -> None:
        held = receipt(write(self.jalalabad, self.root), self.root)
        with self.assertRaises(ValidationError) as caught:
            actions.close(held, note="  ", by=self.central)
        self.assertEqual(caught.exception.message_dict["note"], ["Say why the letter is closed."])
        actions.close(held, note="Noted; no action needed.", by=self.central)
        held.refresh_from_db()
        self.assertEqual(
            (held.state, held.note), (Receipt.State.CLOSED, "Noted; no action needed.")
        )
        with self.assertRaises(Conflict):
            actions.close(held, note="Again", by=self.central)

    def test_a_read_only_desk_cannot_close(self) -> None:
        held = receipt(write(self.jalalabad, self.root), self.root)
        with self.assertRaises(PermissionDenied):
            actions.close(held, note="No", by=self.president)
        held.refresh_from_db()
        self.assertTrue(held.is_pending)

    def test_closing_tells_the_writer_in_app_only(self) -> None:
        held = receipt(write(self.sylhet, self.jalalabad_union), self.jalalabad_union)
        with IMMEDIATE_TASKS, self.captureOnCommitCallbacks(execute=True):
            actions.close(held, note="Done locally.", by=self.jalalabad)
        notice = Notification.objects.get(kind="letter.closed")
        self.assertEqual(notice.unit, self.sylhet_district)
        self.assertFalse(OutboxMessage.objects.exists())


@IN_MEMORY_STORAGE
class AttachmentTests(LettersTestCase):
    def test_pdfs_and_images_are_kept_with_their_checked_type(self) -> None:
        letter = write(
            self.jalalabad,
            self.root,
            attachments=[upload("minutes.pdf", PDF), upload("photo.jpeg", PNG)],
        )
        self.assertEqual(
            list(letter.attachments.values_list("name", "content_type")),
            [("minutes.pdf", "application/pdf"), ("photo.jpeg", "image/png")],
        )
        stored = letter.attachments.first()
        assert stored is not None
        self.assertEqual(stored.file.read(), PDF)

    def test_a_file_of_the_wrong_type_sends_nothing(self) -> None:
        with self.assertRaises(ValidationError) as caught:
            write(self.jalalabad, self.root, attachments=[upload("list.pdf", TEXT)])
        self.assertEqual(
            caught.exception.message_dict["attachments"],
            ["list.pdf is not a PDF, JPEG, PNG or WebP file."],
        )
        self.assertFalse(Letter.objects.exists())

    @override_settings(DAPTAR_ATTACHMENT_MAX_MB=1)
    def test_a_file_over_the_limit_sends_nothing(self) -> None:
        big = upload("big.pdf", PDF + b"0" * (1024 * 1024))
        with self.assertRaises(ValidationError) as caught:
            write(self.jalalabad, self.root, attachments=[big])
        self.assertEqual(
            caught.exception.message_dict["attachments"], ["big.pdf is larger than 1 MB."]
        )
        self.assertFalse(Letter.objects.exists())

    @override_settings(DAPTAR_LETTER_MAX_ATTACHMENTS=2)
    def test_too_many_files_send_nothing(self) -> None:
        with self.assertRaises(ValidationError):
            write(self.jalalabad, self.root, attachments=[upload(f"{n}.pdf", PDF) for n in "abc"])
        self.assertFalse(Attachment.objects.exists())

    def test_a_send_that_fails_late_leaves_no_file_behind(self) -> None:
        from django.core.files.storage import default_storage

        def files(folder: str) -> list[str]:
            if not default_storage.exists(folder):
                return []
            dirs, names = default_storage.listdir(folder)
            return [f"{folder}/{n}" for n in names] + [
                f for d in dirs for f in files(f"{folder}/{d}")
            ]

        write(self.jalalabad, self.root, attachments=[upload("kept.pdf", PDF)])
        self.assertEqual(len(files("letters")), 1)
        failing = mock.patch("daptar.letters.actions.record", side_effect=RuntimeError("disk"))
        with failing, self.assertRaises(RuntimeError):
            write(self.jalalabad, self.root, attachments=[upload("minutes.pdf", PDF)])
        self.assertEqual(Letter.objects.count(), 1)
        self.assertEqual(len(files("letters")), 1)


class SideEffectTests(LettersTestCase):
    def test_sending_records_an_audit_event_and_enqueues_the_notice(self) -> None:
        with self.captureOnCommitCallbacks(execute=True):
            letter = in_request(self.jalalabad, lambda: write(self.jalalabad, self.root))
        event = AuditEvent.objects.get(verb="letter.sent")
        self.assertEqual((event.unit, event.actor), (self.jalalabad_union, self.jalalabad))
        self.assertEqual(event.detail["memo_no"], letter.memo_no)
        task = DBTaskResult.objects.get()
        self.assertEqual(task.task_path, "daptar.letters.tasks.notify_sent")
        self.assertEqual(task.args_kwargs["args"], [letter.pk])

    def test_nothing_is_enqueued_when_the_send_is_refused(self) -> None:
        with (
            self.captureOnCommitCallbacks(execute=True) as callbacks,
            self.assertRaises(ValidationError),
        ):
            write(self.jalalabad, self.dhaka_district)
        self.assertEqual(callbacks, [])

    def test_the_recipient_is_told_in_app_and_by_e_mail(self) -> None:
        with IMMEDIATE_TASKS, self.captureOnCommitCallbacks(execute=True):
            letter = write(self.sylhet, self.sylhet_sadar, subject="Membership drive")
        notice = Notification.objects.get(unit=self.sylhet_sadar)
        self.assertIn(letter.memo_no, notice.text_en)
        self.assertIn("Membership drive", notice.text_en)
        outbox = OutboxMessage.objects.filter(unit=self.sylhet_sadar)
        self.assertEqual(
            list(outbox.values_list("channel", "address")), [("email", "sadar@example.org")]
        )

    def test_an_urgent_letter_also_goes_by_sms(self) -> None:
        with IMMEDIATE_TASKS, self.captureOnCommitCallbacks(execute=True):
            write(self.sylhet, self.sylhet_sadar, priority="urgent")
        self.assertEqual(
            sorted(OutboxMessage.objects.values_list("channel", flat=True)), ["email", "sms"]
        )

    def test_a_confidential_notice_does_not_carry_the_subject_or_text(self) -> None:
        with IMMEDIATE_TASKS, self.captureOnCommitCallbacks(execute=True):
            write(
                self.sylhet,
                self.sylhet_sadar,
                subject="Secret matter",
                body="Hush",
                confidential=True,
            )
        notice = Notification.objects.get()
        mail = OutboxMessage.objects.get()
        for text in (notice.text_en, notice.text_bn, mail.subject, mail.body):
            self.assertNotIn("Secret matter", text)
            self.assertNotIn("Hush", text)

    def test_a_forwarded_office_is_told(self) -> None:
        letter = write(self.jalalabad, self.root)
        with IMMEDIATE_TASKS, self.captureOnCommitCallbacks(execute=True):
            actions.forward(receipt(letter, self.root), to_unit=self.sylhet_sadar, by=self.central)
        notice = Notification.objects.get(unit=self.sylhet_sadar)
        self.assertIn("forwarded by Central", notice.text_en)
