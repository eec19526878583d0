"""Meeting side effects, run by the worker: invitations, changes, reminders, and their e-mail.

In-app notices go through the shared notify_units() (to the invited units' offices).
E-mail goes to each invitee in person with the meeting's .ics attached, so it is
queued in this app's MeetingMail rows and sent by sweep_mail(), which follows the
outbox's rules: a lease per row, the outbox's back-off, DAPTAR_OUTBOX_MAX_ATTEMPTS.
"""

from __future__ import annotations

import datetime
import email.message
import logging

from django.core.mail import EmailMessage
from django.db import transaction
from django.tasks import task
from django.urls import reverse
from django.utils import timezone

from daptar.lib import retries
from daptar.lib.numerals import to_bengali_digits
from daptar.meetings import ics
from daptar.meetings.models import Invitation, Meeting, MeetingMail
from daptar.notifications.actions import Message, notify_units

logger = logging.getLogger("daptar.meetings")
BATCH = 1000
SWEEP_LIMIT = 500

# kind → (Bengali, English) headline; invitations and changes carry the calendar file.
HEADLINES = {
    "invited": ("সভার আমন্ত্রণ", "Meeting invitation"),
    "changed": ("সভার পরিবর্তন", "Meeting changed"),
    "remind-day": ("আগামীকাল সভা", "Meeting tomorrow"),
    "remind-hour": ("এক ঘণ্টা পর সভা", "Meeting in an hour"),
}
WITH_ICS = {"invited", "changed"}


def _when(meeting: Meeting) -> str:
    return timezone.localtime(meeting.starts_at).strftime("%d-%m-%Y %H:%M")


def message(meeting: Meeting, kind: str) -> Message:
    bn, en = HEADLINES[kind]
    when = _when(meeting)
    return Message(
        kind=f"meeting.{kind}",
        url=reverse("meetings:detail", args=[meeting.pk]),
        text_bn=f"{bn}: {meeting.title} — {to_bengali_digits(when)}",
        text_en=f"{en}: {meeting.title} — {when}",
    )


def mail_body(meeting: Meeting, kind: str) -> str:
    """Both languages, plain text: what, when, where, the agenda and where to answer."""
    bn, en = HEADLINES[kind]
    host = meeting.host_unit
    lines = [
        f"{bn} / {en}",
        "",
        meeting.title,
        f"{host.name_bn} / {host.name_en}",
        "",
        f"সময় / When: {_when(meeting)} (Asia/Dhaka), {meeting.duration_minutes} min",
    ]
    if meeting.place:
        lines.append(f"স্থান / Place: {meeting.place}")
    if meeting.video_url:
        lines.append(f"ভিডিও লিংক / Video link: {meeting.video_url}")
    agenda = list(meeting.agenda.all())
    if agenda:
        lines += ["", "আলোচ্যসূচি / Agenda:"]
        lines += [f"  {a.position}. {a.title} ({a.minutes} min)" for a in agenda]
    lines += [
        "",
        "হ্যাঁ / না / হয়তো — উত্তর দিন / Answer yes, no or maybe:",
        ics.page_url(meeting),
    ]
    return "\n".join(lines)


def notify(meeting: Meeting, kind: str, now: datetime.datetime) -> int:
    """In-app notices to the invited offices and one e-mail per invitee; idempotent per
    (kind, SEQUENCE). Reminders skip those who said no. Returns the e-mails queued."""
    key = f"meeting:{meeting.pk}:{kind}:{meeting.sequence}"
    rows = Invitation.objects.filter(meeting=meeting)
    if kind.startswith("remind"):
        rows = rows.exclude(rsvp=Invitation.Answer.NO)
    units = set(rows.exclude(unit__isnull=True).values_list("unit_id", flat=True).distinct())
    units |= set(rows.filter(unit__isnull=True).values_list("person__unit_id", flat=True))
    notify_units(sorted(units), message(meeting, kind), key=key, email=False)
    bn, en = HEADLINES[kind]
    subject = f"{en} / {bn}: {meeting.title}"[:200]
    body = mail_body(meeting, kind)
    attachment = ics.meeting_ics(meeting).decode() if kind in WITH_ICS else ""
    mails = [
        MeetingMail(
            meeting=meeting,
            person_id=person_id,
            address=address,
            subject=subject,
            body=body,
            ics=attachment,
            next_attempt_at=now,
            dedupe_key=f"{key}:{invitation_id}"[:200],
        )
        for invitation_id, person_id, address in rows.exclude(person__email="")
        .order_by("pk")
        .values_list("pk", "person_id", "person__email")
        .iterator(chunk_size=BATCH)
    ]
    MeetingMail.objects.bulk_create(mails, batch_size=BATCH, ignore_conflicts=True)
    if mails:
        transaction.on_commit(send_meeting_mail.enqueue)
    return len(mails)


@task
def notify_invitees(meeting_id: int, kind: str, sequence: int) -> int:
    """Tell the invitees of a sent meeting; a notice overtaken by a newer change is dropped."""
    meeting = Meeting.objects.select_related("host_unit").filter(pk=meeting_id).first()
    if meeting is None or meeting.status != Meeting.Status.SENT or meeting.sequence != sequence:
        return 0
    with transaction.atomic():
        return notify(meeting, kind, timezone.now())


# --- the mail sweep --------------------------------------------------------------------------


def _email(mail: MeetingMail) -> EmailMessage:
    out = EmailMessage(mail.subject, mail.body, None, [mail.address])
    if mail.ics:
        part = email.message.MIMEPart()
        part.set_content(
            mail.ics,
            subtype="calendar",
            charset="utf-8",
            params={"method": "PUBLISH"},
            disposition="attachment",
            filename="meeting.ics",
        )
        out.attach(part)
    return out


def sweep_mail(limit: int = SWEEP_LIMIT) -> dict[str, int]:
    """Send every due meeting e-mail (up to *limit*): sent, retried, failed."""
    return retries.deliver_due(
        MeetingMail, lambda mail: _email(mail).send(), limit=limit, logger=logger
    )


@task
def send_meeting_mail() -> dict[str, int]:
    """Send what is due now; enqueued after every write that queues meeting e-mail."""
    return sweep_mail()


# --- the periodic job ------------------------------------------------------------------------

REMINDERS = [
    ("remind-day", "reminded_day_at", datetime.timedelta(days=1)),
    ("remind-hour", "reminded_hour_at", datetime.timedelta(hours=1)),
]


def send_meeting_reminders(now: datetime.datetime | None = None) -> dict[str, int]:
    """One pass: a reminder a day before and an hour before each sent meeting, once each;
    then the meeting e-mail that is due (new, or waiting for a retry).

    Each reminder is claimed by setting its stamp in the same UPDATE that checks it is
    still empty, so two overlapping passes never send it twice.
    """
    now = now or timezone.now()
    counts = {"reminded_day": 0, "reminded_hour": 0}
    # The hour reminder first: a meeting inside the hour gets that one, not both.
    for kind, flag, ahead in reversed(REMINDERS):
        due = Meeting.objects.due_for_reminder(flag, now, ahead).select_related("host_unit")
        for meeting in due.order_by("starts_at", "pk")[:SWEEP_LIMIT]:
            with transaction.atomic():
                mine = Meeting.objects.filter(pk=meeting.pk)
                if not mine.filter(**{f"{flag}__isnull": True}).update(**{flag: now}):
                    continue
                if kind == "remind-hour":
                    mine.filter(reminded_day_at__isnull=True).update(reminded_day_at=now)
                notify(meeting, kind, now)
            counts["reminded_" + kind.removeprefix("remind-")] += 1
    counts |= {f"mail_{k}": v for k, v in sweep_mail().items()}
    return counts


@task
def periodic() -> dict[str, int]:
    return send_meeting_reminders()
