import datetime

from django.core.exceptions import PermissionDenied, ValidationError
from django.test import override_settings
from django.utils import timezone, translation
from django_tasks_db.models import DBTaskResult

from daptar.audit.models import AuditEvent
from daptar.directives import actions
from daptar.directives.models import Attachment, Delivery, Directive
from daptar.directives.tests.support import (
    IN_MEMORY_STORAGE,
    JPEG,
    PDF,
    PNG,
    TEXT,
    DirectivesTestCase,
    delivery,
    draft,
    frozen,
    future,
    issued,
    levels,
    states,
    upload,
)
from daptar.lib.exceptions import Conflict
from daptar.notifications.models import Notification
from daptar.people import actions as people_actions
from daptar.people.models import Post
from daptar.testing import REQUEST_IP, in_request, make_user
from daptar.units import actions as unit_actions
from daptar.units.models import Counter

UTC = datetime.UTC


class ReferenceTests(DirectivesTestCase):
    def test_references_count_up_per_issuing_unit(self) -> None:
        year = timezone.localdate().year
        first, second = draft(self.central), draft(self.central)
        sylhets = draft(self.sylhet)
        self.assertEqual(first.reference, f"CEN/{year}/0001")
        self.assertEqual(second.reference, f"CEN/{year}/0002")
        self.assertEqual(sylhets.reference, f"SYL/{year}/0001")

    def test_a_new_year_in_dhaka_starts_a_new_series(self) -> None:
        with frozen(datetime.datetime(2026, 12, 31, 12, 0, tzinfo=UTC)):
            old = draft(self.central)
        # 20:00 UTC on 31 December is already 1 January in Dhaka.
        with frozen(datetime.datetime(2026, 12, 31, 20, 0, tzinfo=UTC)):
            new = draft(self.central)
        self.assertEqual((old.reference, new.reference), ("CEN/2026/0001", "CEN/2027/0001"))

    def test_a_refused_draft_takes_no_number(self) -> None:
        with self.assertRaises(ValidationError):
            draft(self.central, due_at=timezone.now() - datetime.timedelta(minutes=1))
        self.assertFalse(Counter.objects.filter(series="directive").exists())
        self.assertTrue(draft(self.central).reference.endswith("/0001"))


class CreateTests(DirectivesTestCase):
    def test_it_saves_a_draft_with_its_fields_and_an_audit_event(self) -> None:
        due = future(days=2)
        directive = in_request(
            self.central,
            lambda: draft(
                self.central,
                target=self.sylhet_division,
                target_levels=("district", "union"),
                title="  Flood relief  ",
                due_at=due,
                priority=Directive.Priority.URGENT,
                mode=Directive.Mode.RELAY,
            ),
        )
        directive.refresh_from_db()
        self.assertEqual(directive.status, Directive.Status.DRAFT)
        self.assertEqual(directive.title, "Flood relief")
        self.assertEqual(
            (directive.issuing_unit, directive.author, directive.target_unit),
            (self.root, self.central, self.sylhet_division),
        )
        self.assertEqual((directive.priority, directive.mode), ("urgent", "relay"))
        self.assertEqual(directive.due_at, due)
        self.assertEqual(
            sorted(directive.target_levels.values_list("slug", flat=True)), ["district", "union"]
        )
        self.assertEqual((directive.expected, directive.issued_at), (0, None))
        self.assertFalse(directive.deliveries.exists())
        event = AuditEvent.objects.get(verb="directive.created")
        self.assertEqual(
            (event.actor, event.unit, event.object_id, event.ip),
            (self.central, self.root, str(directive.pk), REQUEST_IP),
        )

    def test_a_due_time_in_the_past_is_refused(self) -> None:
        with self.assertRaises(ValidationError) as caught:
            draft(self.central, due_at=timezone.now() - datetime.timedelta(hours=1))
        self.assertIn("due_at", caught.exception.message_dict)
        self.assertFalse(Directive.objects.exists())
        self.assertFalse(AuditEvent.objects.filter(verb__startswith="directive.").exists())

    def test_an_empty_title_is_refused(self) -> None:
        with self.assertRaises(ValidationError) as caught:
            draft(self.central, title="   ")
        self.assertEqual(list(caught.exception.message_dict), ["title"])
        self.assertFalse(Directive.objects.exists())

    def test_a_unit_cannot_direct_outside_its_subtree(self) -> None:
        for target in (self.dhaka_district, self.sylhet_division, self.root):
            with self.subTest(target=target.code), self.assertRaises(ValidationError) as caught:
                draft(self.sylhet, target=target)
            self.assertIn("target_unit", caught.exception.message_dict)
        self.assertFalse(Directive.objects.exists())

    def test_a_read_only_desk_cannot_draft(self) -> None:
        with self.assertRaises(PermissionDenied):
            draft(self.president, unit=self.root)
        self.assertFalse(Directive.objects.exists())

    def test_an_outsider_cannot_draft_for_another_unit(self) -> None:
        with self.assertRaises(PermissionDenied):
            draft(self.dhaka, unit=self.sylhet_district)

    def test_a_draft_can_be_edited_until_it_is_issued(self) -> None:
        directive = draft(self.central)
        fields = {
            "title": "Revised",
            "body": "New text",
            "due_at": future(days=5),
            "target_unit": self.sylhet_district,
            "target_levels": levels("union"),
            "priority": Directive.Priority.URGENT,
            "mode": Directive.Mode.DIRECT,
        }
        actions.update_draft(directive, by=self.central, **fields)
        directive.refresh_from_db()
        self.assertEqual(
            (directive.title, directive.target_unit), ("Revised", self.sylhet_district)
        )
        self.assertTrue(AuditEvent.objects.filter(verb="directive.edited").exists())
        actions.issue(directive, by=self.central)
        with self.assertRaises(Conflict):
            actions.update_draft(directive, by=self.central, **(fields | {"title": "Again"}))
        directive.refresh_from_db()
        self.assertEqual(directive.title, "Revised")


class RecipientTests(DirectivesTestCase):
    def test_direct_issue_delivers_to_the_whole_subtree_but_the_issuer(self) -> None:
        directive = issued(self.central)
        self.assertEqual(directive.status, Directive.Status.ISSUED)
        self.assertEqual(directive.expected, 8)
        self.assertEqual(
            states(directive),
            {
                code: "delivered"
                for code in (
                    "DIV-SYL",
                    "DIV-DHA",
                    "SYL",
                    "SYL-M",
                    "DHA",
                    "UPZ-281",
                    "UN-2513",
                    "UN-2513-W1",
                )
            },
        )
        self.assertTrue(
            all(d.delivered_at == directive.issued_at for d in directive.deliveries.all())
        )

    def test_the_target_itself_receives_its_subtree_directive(self) -> None:
        directive = issued(self.central, target=self.sylhet_district)
        self.assertEqual(set(states(directive)), {"SYL", "UPZ-281", "UN-2513", "UN-2513-W1"})

    def test_target_levels_pick_those_levels_only(self) -> None:
        directive = issued(self.central, target_levels=("district", "ward"))
        self.assertEqual(set(states(directive)), {"SYL", "SYL-M", "DHA", "UN-2513-W1"})
        self.assertEqual(directive.expected, 4)

    def test_the_issuer_is_left_out_even_at_a_targeted_level(self) -> None:
        directive = issued(self.sylhet, target_levels=("district", "union"))
        self.assertEqual(set(states(directive)), {"UN-2513"})

    def test_closed_units_receive_nothing(self) -> None:
        unit_actions.close_unit(self.ward1, on=timezone.localdate(), by=self.operator)
        directive = issued(self.sylhet)
        self.assertEqual(set(states(directive)), {"UPZ-281", "UN-2513"})

    def test_deliveries_carry_the_units_path_depth_and_level(self) -> None:
        directive = issued(self.sylhet)
        row = delivery(directive, self.jalalabad_union)
        self.assertEqual(
            (row.unit_path, row.depth, row.level_id),
            (
                self.jalalabad_union.path,
                self.jalalabad_union.depth,
                self.jalalabad_union.level_id,
            ),
        )

    def test_a_target_with_no_recipient_is_refused_and_stays_a_draft(self) -> None:
        directive = draft(self.sylhet, target_levels=("division",))
        with self.assertRaises(ValidationError) as caught:
            actions.issue(directive, by=self.sylhet)
        self.assertIn("target_unit", caught.exception.message_dict)
        directive.refresh_from_db()
        self.assertEqual(directive.status, Directive.Status.DRAFT)
        self.assertFalse(Delivery.objects.exists())
        self.assertFalse(AuditEvent.objects.filter(verb="directive.issued").exists())

    def test_issuing_twice_is_a_conflict_and_writes_nothing_more(self) -> None:
        directive = issued(self.sylhet)
        with self.assertRaises(Conflict):
            actions.issue(directive, by=self.sylhet)
        self.assertEqual(directive.deliveries.count(), 3)
        self.assertEqual(AuditEvent.objects.filter(verb="directive.issued").count(), 1)

    def test_a_draft_whose_due_time_has_passed_cannot_be_issued(self) -> None:
        directive = draft(self.sylhet, due_at=future(hours=1))
        later = timezone.now() + datetime.timedelta(hours=2)
        with frozen(later), self.assertRaises(ValidationError) as caught:
            actions.issue(directive, by=self.sylhet)
        self.assertIn("due_at", caught.exception.message_dict)
        self.assertFalse(Delivery.objects.exists())

    def test_a_read_only_desk_cannot_issue(self) -> None:
        directive = draft(self.central)
        with self.assertRaises(PermissionDenied):
            actions.issue(directive, by=self.president)
        directive.refresh_from_db()
        self.assertEqual(directive.status, Directive.Status.DRAFT)

    def test_issuing_records_an_audit_event_and_enqueues_the_notices(self) -> None:
        directive = draft(self.sylhet)
        with self.captureOnCommitCallbacks(execute=True):
            in_request(self.sylhet, lambda: actions.issue(directive, by=self.sylhet))
        event = AuditEvent.objects.get(verb="directive.issued")
        self.assertEqual(event.detail, {"expected": 3, "mode": "direct"})
        self.assertEqual((event.unit, event.actor), (self.sylhet_district, self.sylhet))
        task = DBTaskResult.objects.get()
        self.assertEqual(task.task_path, "daptar.directives.tasks.notify_recipients")
        self.assertEqual(task.args_kwargs["args"], [directive.pk])

    def test_nothing_is_enqueued_when_the_issue_is_refused(self) -> None:
        directive = draft(self.sylhet, target_levels=("division",))
        with (
            self.captureOnCommitCallbacks(execute=True) as callbacks,
            self.assertRaises(ValidationError),
        ):
            actions.issue(directive, by=self.sylhet)
        self.assertEqual(callbacks, [])


class RelayTests(DirectivesTestCase):
    def relay(self, **kwargs: object) -> Directive:
        return issued(
            self.central, target=self.sylhet_division, mode=Directive.Mode.RELAY, **kwargs
        )

    def test_relay_delivers_only_to_the_recipients_nearest_the_issuer(self) -> None:
        directive = self.relay()
        self.assertEqual(directive.expected, 6)
        self.assertEqual(
            states(directive),
            {
                "DIV-SYL": "delivered",
                "SYL": "pending",
                "SYL-M": "pending",
                "UPZ-281": "pending",
                "UN-2513": "pending",
                "UN-2513-W1": "pending",
            },
        )
        self.assertIsNone(delivery(directive, self.sylhet_division).relay_parent)

    def test_each_recipient_points_at_its_nearest_recipient_above(self) -> None:
        directive = self.relay(target_levels=("division", "district", "union"))
        parents = {
            d.unit.code: d.relay_parent.unit.code if d.relay_parent else None
            for d in directive.deliveries.select_related("unit", "relay_parent__unit")
        }
        # Sylhet Sadar (an upazila) is not a recipient: Jalalabad hears from the district.
        self.assertEqual(
            parents, {"DIV-SYL": None, "SYL": "DIV-SYL", "SYL-M": "DIV-SYL", "UN-2513": "SYL"}
        )

    def test_recipients_at_the_nearest_level_are_all_delivered_at_once(self) -> None:
        directive = issued(self.central, target_levels=("district",), mode=Directive.Mode.RELAY)
        self.assertEqual(set(states(directive).values()), {"delivered"})

    def test_it_forwards_level_by_level_with_each_offices_note(self) -> None:
        directive = self.relay()
        chain = [
            (self.division, self.sylhet_division, "From the division: report by Friday."),
            (self.sylhet, self.sylhet_district, "District: unions first."),
            (self.sadar, self.sylhet_sadar, "Sadar: wards too."),
            (self.jalalabad, self.jalalabad_union, "Union: ward meetings on Thursday."),
        ]
        for user, unit, note in chain:
            mine = delivery(directive, unit)
            self.assertEqual(mine.state, "delivered")
            forwarded = actions.forward(mine, by=user, note=f"  {note} ")
            self.assertEqual(forwarded.forward_note, note)
            self.assertEqual(forwarded.forwarded_by, user)
            self.assertEqual(forwarded.state, "acknowledged")
            self.assertEqual(forwarded.acknowledged_by, user)
            self.assertIsNotNone(forwarded.seen_at)
            children = Delivery.objects.filter(relay_parent=mine).select_related("relay_parent")
            self.assertTrue(children)
            for child in children:
                self.assertEqual(child.state, "delivered")
                self.assertEqual(child.delivered_at, forwarded.forwarded_at)
                self.assertEqual(child.relay_parent.forward_note, note)
        # Metro was delivered by the division's forward and has not forwarded anything.
        self.assertEqual(delivery(directive, self.sylhet_metro).state, "delivered")
        self.assertEqual(delivery(directive, self.ward1).state, "delivered")
        self.assertEqual(
            list(
                AuditEvent.objects.filter(verb="directive.forwarded")
                .order_by("pk")
                .values_list("detail__delivered", flat=True)
            ),
            [2, 1, 1, 1],
        )

    def test_a_recipient_below_sees_nothing_until_its_parent_forwards(self) -> None:
        directive = self.relay()
        division_delivery = delivery(directive, self.sylhet_division)
        district_delivery = delivery(directive, self.sylhet_district)
        with self.assertRaises(Conflict):
            actions.forward(district_delivery, by=self.sylhet)
        actions.forward(division_delivery, by=self.division)
        self.assertEqual(delivery(directive, self.sylhet_district).state, "delivered")
        self.assertEqual(delivery(directive, self.jalalabad_union).state, "pending")

    def test_forwarding_twice_is_a_conflict(self) -> None:
        directive = self.relay()
        mine = delivery(directive, self.sylhet_division)
        actions.forward(mine, by=self.division, note="first")
        with self.assertRaises(Conflict):
            actions.forward(delivery(directive, self.sylhet_division), by=self.division, note="2")
        self.assertEqual(delivery(directive, self.sylhet_division).forward_note, "first")
        self.assertEqual(AuditEvent.objects.filter(verb="directive.forwarded").count(), 1)

    def test_an_acknowledged_recipient_can_still_forward(self) -> None:
        directive = self.relay()
        actions.acknowledge(delivery(directive, self.sylhet_division), by=self.division, note="ok")
        forwarded = actions.forward(delivery(directive, self.sylhet_division), by=self.division)
        self.assertEqual((forwarded.state, forwarded.acknowledge_note), ("acknowledged", "ok"))
        self.assertEqual(delivery(directive, self.sylhet_metro).state, "delivered")

    def test_a_direct_directive_is_not_forwarded(self) -> None:
        directive = issued(self.central, target=self.sylhet_division)
        with self.assertRaises(Conflict):
            actions.forward(delivery(directive, self.sylhet_division), by=self.division)

    def test_only_the_units_own_office_forwards(self) -> None:
        directive = self.relay()
        with self.assertRaises(PermissionDenied):
            actions.forward(delivery(directive, self.sylhet_division), by=self.central)
        self.assertEqual(delivery(directive, self.sylhet_metro).state, "pending")

    def test_a_withdrawn_directive_is_not_forwarded(self) -> None:
        directive = self.relay()
        actions.withdraw(directive, by=self.central)
        with self.assertRaises(Conflict):
            actions.forward(delivery(directive, self.sylhet_division), by=self.division)

    def test_forwarding_enqueues_the_notices_for_the_next_level(self) -> None:
        directive = self.relay()
        mine = delivery(directive, self.sylhet_division)
        with self.captureOnCommitCallbacks(execute=True):
            actions.forward(mine, by=self.division)
        task = DBTaskResult.objects.get()
        self.assertEqual(task.task_path, "daptar.directives.tasks.notify_forwarded")
        self.assertEqual(task.args_kwargs["args"], [mine.pk])


class DeliveryStateTests(DirectivesTestCase):
    def setUp(self) -> None:
        super().setUp()
        self.directive = issued(self.sylhet)
        self.mine = delivery(self.directive, self.jalalabad_union)

    def test_opening_marks_it_seen_once(self) -> None:
        seen = actions.mark_seen(self.mine, by=self.jalalabad)
        self.assertEqual((seen.state, seen.seen_by), ("seen", self.jalalabad))
        first = seen.seen_at
        again = actions.mark_seen(delivery(self.directive, self.jalalabad_union), by=self.jalalabad)
        self.assertEqual(again.seen_at, first)
        self.assertEqual(AuditEvent.objects.filter(verb="directive.seen").count(), 1)

    def test_others_opening_it_do_not_mark_it_seen(self) -> None:
        for user in (self.sylhet, self.central, self.dhaka):
            actions.mark_seen(self.mine, by=user)
        self.assertEqual(delivery(self.directive, self.jalalabad_union).state, "delivered")

    def test_acknowledge_stamps_time_user_and_note(self) -> None:
        done = in_request(
            self.jalalabad,
            lambda: actions.acknowledge(self.mine, by=self.jalalabad, note=" Will do. "),
        )
        self.assertEqual(done.state, "acknowledged")
        self.assertEqual(
            (done.acknowledged_by, done.acknowledge_note), (self.jalalabad, "Will do.")
        )
        self.assertIsNotNone(done.acknowledged_at)
        self.assertEqual((done.seen_by, done.seen_at), (self.jalalabad, done.acknowledged_at))
        event = AuditEvent.objects.get(verb="directive.acknowledged")
        self.assertEqual(
            (event.unit, event.object_id, event.detail),
            (self.jalalabad_union, str(self.directive.pk), {"delivery": self.mine.pk}),
        )

    def test_acknowledging_twice_is_a_conflict_and_keeps_the_first_note(self) -> None:
        actions.acknowledge(self.mine, by=self.jalalabad, note="first")
        with self.assertRaises(Conflict):
            actions.acknowledge(self.mine, by=self.jalalabad, note="second")
        self.assertEqual(delivery(self.directive, self.jalalabad_union).acknowledge_note, "first")
        self.assertEqual(AuditEvent.objects.filter(verb="directive.acknowledged").count(), 1)

    def test_done_straight_from_delivered_fills_in_the_steps_before(self) -> None:
        done = actions.mark_done(self.mine, by=self.jalalabad, note="Meeting held on Tuesday")
        self.assertEqual((done.state, done.done_note), ("done", "Meeting held on Tuesday"))
        self.assertEqual(done.done_at, done.acknowledged_at)
        self.assertEqual(done.done_at, done.seen_at)
        self.assertEqual(done.acknowledged_by, self.jalalabad)

    def test_done_after_acknowledge_keeps_the_acknowledgement(self) -> None:
        acked = actions.acknowledge(self.mine, by=self.jalalabad, note="noted")
        done = actions.mark_done(acked, by=self.jalalabad, note="done")
        self.assertEqual(done.acknowledged_at, acked.acknowledged_at)
        self.assertEqual((done.acknowledge_note, done.done_note), ("noted", "done"))

    def test_nothing_moves_backwards_or_twice(self) -> None:
        actions.mark_done(self.mine, by=self.jalalabad)
        with self.assertRaises(Conflict):
            actions.acknowledge(self.mine, by=self.jalalabad)
        with self.assertRaises(Conflict):
            actions.mark_done(self.mine, by=self.jalalabad)
        self.assertEqual(AuditEvent.objects.filter(verb="directive.done").count(), 1)

    def test_another_units_office_cannot_move_the_delivery(self) -> None:
        # Sylhet district is above Jalalabad, but only Jalalabad's own office answers for it.
        for user in (self.sylhet, self.dhaka, self.ward):
            with self.subTest(user=user.username), self.assertRaises(PermissionDenied):
                actions.acknowledge(self.mine, by=user)
        self.assertEqual(delivery(self.directive, self.jalalabad_union).state, "delivered")

    def test_a_read_only_desk_at_the_unit_cannot_acknowledge(self) -> None:
        person = people_actions.register_person(
            unit=self.jalalabad_union, name_bn="সভাপতি", name_en="Union President", by=self.operator
        )
        people_actions.appoint(
            person,
            unit=self.jalalabad_union,
            post=Post.objects.get(slug="president"),
            by=self.operator,
        )
        president = make_user("union-president", person)
        with self.assertRaises(PermissionDenied):
            actions.acknowledge(self.mine, by=president)
        # Opening the page as a viewer does not count as the office having seen it.
        actions.mark_seen(self.mine, by=president)
        self.assertEqual(delivery(self.directive, self.jalalabad_union).state, "delivered")

    def test_a_withdrawn_directive_cannot_be_acknowledged(self) -> None:
        actions.withdraw(self.directive, by=self.sylhet)
        with self.assertRaises(Conflict):
            actions.acknowledge(self.mine, by=self.jalalabad)
        self.assertEqual(delivery(self.directive, self.jalalabad_union).state, "delivered")


class WithdrawTests(DirectivesTestCase):
    def test_it_withdraws_an_issued_directive_once(self) -> None:
        directive = issued(self.sylhet)
        withdrawn = in_request(self.sylhet, lambda: actions.withdraw(directive, by=self.sylhet))
        self.assertEqual(withdrawn.status, Directive.Status.WITHDRAWN)
        self.assertIsNotNone(withdrawn.withdrawn_at)
        self.assertTrue(AuditEvent.objects.filter(verb="directive.withdrawn").exists())
        with self.assertRaises(Conflict):
            actions.withdraw(directive, by=self.sylhet)

    def test_a_draft_cannot_be_withdrawn(self) -> None:
        with self.assertRaises(Conflict):
            actions.withdraw(draft(self.sylhet), by=self.sylhet)

    def test_a_read_only_desk_cannot_withdraw(self) -> None:
        directive = issued(self.central)
        with self.assertRaises(PermissionDenied):
            actions.withdraw(directive, by=self.president)
        directive.refresh_from_db()
        self.assertEqual(directive.status, Directive.Status.ISSUED)

    def test_an_office_above_the_issuer_may_withdraw(self) -> None:
        directive = issued(self.jalalabad)
        actions.withdraw(directive, by=self.sylhet)
        directive.refresh_from_db()
        self.assertEqual(directive.status, Directive.Status.WITHDRAWN)


@IN_MEMORY_STORAGE
class AttachmentTests(DirectivesTestCase):
    def setUp(self) -> None:
        super().setUp()
        self.directive = draft(self.sylhet)

    def attach(self, name: str, content: bytes) -> Attachment:
        return actions.add_attachment(self.directive, upload(name, content), by=self.sylhet)

    def test_a_pdf_is_attached_with_its_size_and_digest(self) -> None:
        item = self.attach("circular.pdf", PDF)
        self.assertEqual(
            (item.name, item.content_type, item.size), ("circular.pdf", "application/pdf", len(PDF))
        )
        self.assertEqual(len(item.sha256), 64)
        self.assertTrue(item.file.name.endswith(".pdf"))
        self.assertEqual(item.file.read(), PDF)
        event = AuditEvent.objects.get(verb="directive.attachment_added")
        self.assertEqual(event.detail, {"name": "circular.pdf", "size": len(PDF)})

    def test_jpeg_images_are_accepted(self) -> None:
        self.assertEqual(self.attach("photo.jpeg", JPEG).content_type, "image/jpeg")

    def test_the_type_comes_from_the_content_not_the_name(self) -> None:
        item = self.attach("scan.pdf", PNG)
        self.assertEqual(item.content_type, "image/png")
        self.assertTrue(item.file.name.endswith(".png"))

    def test_a_text_file_named_jpg_is_refused(self) -> None:
        with self.assertRaises(ValidationError) as caught:
            self.attach("photo.jpg", TEXT)
        self.assertIn("photo.jpg", caught.exception.message_dict["file"][0])
        self.assertFalse(Attachment.objects.exists())
        self.assertFalse(AuditEvent.objects.filter(verb="directive.attachment_added").exists())

    def test_heif_photos_are_not_documents(self) -> None:
        heif = b"\x00\x00\x00\x18ftypheic" + b"\x00" * 16
        with self.assertRaises(ValidationError):
            self.attach("phone.heic", heif)

    @override_settings(DAPTAR_ATTACHMENT_MAX_MB=1)
    def test_files_over_the_size_limit_are_refused(self) -> None:
        limit = 1024 * 1024
        with translation.override("en"), self.assertRaises(ValidationError) as caught:
            self.attach("big.pdf", PDF + b"0" * (limit - len(PDF) + 1))
        self.assertEqual(caught.exception.message_dict["file"], ["big.pdf is larger than 1 MB."])
        self.assertFalse(Attachment.objects.exists())
        self.assertEqual(self.attach("fits.pdf", PDF + b"0" * (limit - len(PDF))).size, limit)

    def test_the_same_file_twice_is_attached_once(self) -> None:
        first = self.attach("a.pdf", PDF)
        second = self.attach("again.pdf", PDF)
        self.assertEqual(first.pk, second.pk)
        self.assertEqual(self.directive.attachments.count(), 1)

    def test_only_a_draft_takes_attachments(self) -> None:
        actions.issue(self.directive, by=self.sylhet)
        with self.assertRaises(Conflict):
            self.attach("late.pdf", PDF)

    def test_a_read_only_desk_cannot_attach(self) -> None:
        directive = draft(self.central)
        with self.assertRaises(PermissionDenied):
            actions.add_attachment(directive, upload("a.pdf", PDF), by=self.president)
        self.assertFalse(Attachment.objects.exists())


class RemindTests(DirectivesTestCase):
    def test_it_reminds_the_units_not_yet_done(self) -> None:
        directive = issued(self.sylhet)
        actions.mark_done(delivery(directive, self.ward1), by=self.ward)
        units = [self.sylhet_sadar.pk, self.jalalabad_union.pk, self.ward1.pk]
        self.assertEqual(actions.remind(directive, units, by=self.sylhet), 2)
        self.assertEqual(
            set(Notification.objects.values_list("unit__code", "kind")),
            {("UPZ-281", "directive.due_soon"), ("UN-2513", "directive.due_soon")},
        )
        self.assertIsNotNone(delivery(directive, self.jalalabad_union).last_reminded_at)
        self.assertIsNone(delivery(directive, self.ward1).last_reminded_at)
        self.assertEqual(AuditEvent.objects.get(verb="directive.reminded").detail, {"units": 2})

    def test_reminding_twice_within_the_hour_tells_each_unit_once(self) -> None:
        directive = issued(self.sylhet)
        units = [self.jalalabad_union.pk]
        at = timezone.now().replace(minute=10)
        with frozen(at):
            actions.remind(directive, units, by=self.sylhet)
        with frozen(at + datetime.timedelta(minutes=20)):
            actions.remind(directive, units, by=self.sylhet)
        self.assertEqual(Notification.objects.count(), 1)
        with frozen(at + datetime.timedelta(hours=1)):
            actions.remind(directive, units, by=self.sylhet)
        self.assertEqual(Notification.objects.count(), 2)

    def test_reminding_a_draft_is_a_conflict(self) -> None:
        with self.assertRaises(Conflict):
            actions.remind(draft(self.sylhet), [self.jalalabad_union.pk], by=self.sylhet)

    def test_a_read_only_desk_cannot_remind(self) -> None:
        directive = issued(self.central)
        with self.assertRaises(PermissionDenied):
            actions.remind(directive, [self.sylhet_district.pk], by=self.president)
        self.assertFalse(Notification.objects.exists())
