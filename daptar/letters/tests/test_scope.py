"""Who may read a letter: Letter.objects.visible_to, the one place that says so."""

from django.contrib.auth.models import AnonymousUser

from daptar.letters import actions
from daptar.letters.models import Letter
from daptar.letters.tests.support import LettersTestCase, receipt, reply, write


class OrdinaryLetterTests(LettersTestCase):
    def setUp(self) -> None:
        super().setUp()
        self.letter = write(self.jalalabad, self.root)

    def test_the_sending_and_receiving_offices_read_it(self) -> None:
        for user in (self.jalalabad, self.central, self.president):
            with self.subTest(user=user.username):
                self.assertIn(self.letter.pk, self.seen_by(user))

    def test_the_offices_above_the_sender_read_it(self) -> None:
        for user in (self.sadar, self.sylhet, self.division):
            with self.subTest(user=user.username):
                self.assertIn(self.letter.pk, self.seen_by(user))

    def test_offices_below_and_beside_do_not(self) -> None:
        for user in (self.ward, self.dhaka, self.metro, self.nobody):
            with self.subTest(user=user.username):
                self.assertNotIn(self.letter.pk, self.seen_by(user))

    def test_nobody_signed_out_reads_anything(self) -> None:
        self.assertFalse(Letter.objects.visible_to(AnonymousUser()).exists())

    def test_a_forwarded_office_and_those_above_it_read_it(self) -> None:
        letter = write(self.sylhet, self.root)
        self.assertNotIn(letter.pk, self.seen_by(self.metro))
        actions.forward(receipt(letter, self.root), to_unit=self.sylhet_metro, by=self.central)
        self.assertIn(letter.pk, self.seen_by(self.metro))
        self.assertIn(letter.pk, self.seen_by(self.division))
        self.assertNotIn(letter.pk, self.seen_by(self.dhaka))

    def test_a_letter_down_the_tree_is_read_by_the_offices_between(self) -> None:
        letter = write(self.sylhet, self.ward1)
        self.assertIn(letter.pk, self.seen_by(self.jalalabad))  # above the recipient
        self.assertIn(letter.pk, self.seen_by(self.ward))
        self.assertNotIn(letter.pk, self.seen_by(self.metro))

    def test_the_operator_reads_ordinary_letters(self) -> None:
        self.assertIn(self.letter.pk, self.seen_by(self.operator))


class ConfidentialLetterTests(LettersTestCase):
    def setUp(self) -> None:
        super().setUp()
        self.letter = write(self.jalalabad, self.root, confidential=True, subject="Complaint")

    def test_the_district_above_the_sender_cannot_read_it(self) -> None:
        for user in (self.sylhet, self.sadar, self.division):
            with self.subTest(user=user.username):
                self.assertNotIn(self.letter.pk, self.seen_by(user))

    def test_the_sending_and_receiving_offices_can(self) -> None:
        for user in (self.jalalabad, self.central, self.president):
            with self.subTest(user=user.username):
                self.assertIn(self.letter.pk, self.seen_by(user))

    def test_a_forwarded_office_can_but_not_the_offices_above_it(self) -> None:
        actions.forward(receipt(self.letter, self.root), to_unit=self.sylhet_metro, by=self.central)
        self.assertIn(self.letter.pk, self.seen_by(self.metro))
        self.assertNotIn(self.letter.pk, self.seen_by(self.division))

    def test_the_operator_cannot(self) -> None:
        self.assertNotIn(self.letter.pk, self.seen_by(self.operator))

    def test_a_thread_shows_each_reader_only_what_they_may_read(self) -> None:
        open_letter = write(self.jalalabad, self.root, subject="Open question")
        secret_answer = reply(self.central, open_letter, confidential=True)
        self.assertIn(open_letter.pk, self.seen_by(self.sylhet))
        self.assertNotIn(secret_answer.pk, self.seen_by(self.sylhet))
        self.assertIn(secret_answer.pk, self.seen_by(self.jalalabad))
