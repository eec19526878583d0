"""Meetings as iCalendar (RFC 5545): one meeting's file and a person's feed.

Times are written in Asia/Dhaka with its VTIMEZONE, so a phone set to any zone
shows them right. The UID comes from the meeting's own UUID and never changes;
SEQUENCE is the meeting's counter, raised on every change after sending, so a
calendar that imported the first file replaces the event with the new one.
Files go out with METHOD:PUBLISH: answers are given in Daptar, not by replying
from a calendar to a no-reply address.
"""

from __future__ import annotations

import zoneinfo
from collections.abc import Iterable

import icalendar
from django.conf import settings
from django.urls import reverse
from django.utils import timezone

from daptar.lib.text import clean
from daptar.meetings.models import Meeting

ZONE = "Asia/Dhaka"
PRODID = "-//Daptar//Meetings//EN"
CONTENT_TYPE = "text/calendar; charset=utf-8"


def uid(meeting: Meeting) -> str:
    return f"{meeting.uid}@daptar"


def page_url(meeting: Meeting) -> str:
    return f"{settings.DAPTAR_SITE_URL.rstrip('/')}{reverse('meetings:detail', args=[meeting.pk])}"


def description(meeting: Meeting) -> str:
    """The agenda, the video link and the meeting's page, as plain lines."""
    lines = [f"{meeting.host_unit.name_bn} / {meeting.host_unit.name_en}"]
    agenda = list(meeting.agenda.all())
    if agenda:
        lines.append("")
        lines += [f"{a.position}. {a.title} ({a.minutes} min)" for a in agenda]
    if meeting.video_url:
        lines += ["", meeting.video_url]
    lines += ["", page_url(meeting)]
    return "\n".join(lines)


def event(meeting: Meeting) -> icalendar.Event:
    """One meeting as a VEVENT; its DTSTAMP is the meeting's last change, so output is stable."""
    zone = zoneinfo.ZoneInfo(ZONE)
    location = ", ".join(p for p in (meeting.place, meeting.video_url) if p)
    return icalendar.Event.new(
        uid=uid(meeting),
        sequence=meeting.sequence,
        summary=clean(meeting.title),
        start=timezone.localtime(meeting.starts_at, zone),
        end=timezone.localtime(meeting.ends_at, zone),
        stamp=meeting.updated_at.astimezone(zoneinfo.ZoneInfo("UTC")),
        description=clean(description(meeting)),
        location=clean(location) or None,
        url=meeting.video_url or page_url(meeting),
        organizer=icalendar.vCalAddress.new(
            settings.DEFAULT_FROM_EMAIL, cn=clean(meeting.host_unit.name_bn)
        ),
    )


def _calendar(events: Iterable[icalendar.Event], *, name: str, cal_uid: str) -> bytes:
    cal = icalendar.Calendar.new(
        prodid=PRODID, method="PUBLISH", name=clean(name), uid=cal_uid, subcomponents=list(events)
    )
    cal.add_missing_timezones()
    return cal.to_ical()


def meeting_ics(meeting: Meeting) -> bytes:
    """The calendar file of one meeting."""
    return _calendar([event(meeting)], name=meeting.title, cal_uid=uid(meeting))


def feed_ics(meetings: Iterable[Meeting], *, name: str, feed_uid: str) -> bytes:
    """A person's feed: every meeting they are invited to, in one calendar."""
    return _calendar((event(m) for m in meetings), name=name, cal_uid=feed_uid)
