"""Demo activity: a few days of believable work in the demo country, so a first visit shows
what Daptar does.

Everything is made through the apps' own actions, acting as the named demo logins
(`demo.LOGINS`): central issues directives and a return, Sylhet's units answer them,
write illustrated reports (with a generated photo each) that the offices above approve
and publish, Jalalabad writes to central and central replies, and central plans a
meeting for the Sylhet division. One transaction: an interrupted run leaves nothing
behind (and deletes the photo files it wrote). An audit event `demo.activity` marks it
done, so a second run adds nothing.

A part whose login is missing (a tree without that office) is skipped.
"""

from __future__ import annotations

import datetime
import io
import random
from collections import Counter
from collections.abc import Callable
from typing import TYPE_CHECKING

from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.utils import timezone
from PIL import Image, ImageDraw

from daptar.accounts.models import User
from daptar.audit.actions import record
from daptar.audit.models import AuditEvent
from daptar.directives import actions as directives
from daptar.directives.models import Delivery, Directive
from daptar.letters import actions as letters
from daptar.meetings import actions as meetings
from daptar.meetings.models import Meeting
from daptar.meetings.queries import Rule
from daptar.people.models import Post
from daptar.reports import actions as reports
from daptar.reports.models import Category, Photo
from daptar.reports.tasks import make_renditions
from daptar.returns import actions as returns
from daptar.returns.models import ReturnForm, Submission
from daptar.units.demo import LOGINS
from daptar.units.models import Level, Unit

if TYPE_CHECKING:
    from daptar.reports.models import Report

MARKER = "demo.activity"
PHOTO_SIZE = (1200, 800)


class Cast:
    """The demo logins present in this database, their units, the levels and the posts."""

    def __init__(self) -> None:
        found = User.objects.filter(username__in=list(LOGINS), is_active=True).select_related(
            "person"
        )
        self.users = {user.username: user for user in found}
        codes = [code for code, _post in LOGINS.values()]
        self.units = {
            u.code: u for u in Unit.objects.filter(code__in=codes).select_related("level")
        }
        self.levels = {level.slug: level for level in Level.objects.all()}
        self.posts = {post.slug: post for post in Post.objects.all()}

    def has(self, *usernames: str) -> bool:
        """Every named login exists, holds its desk and its unit is there."""
        return all(
            name in self.users
            and LOGINS[name][0] in self.units
            and any(d.unit.code == LOGINS[name][0] and d.can_act for d in self.users[name].desks)
            for name in usernames
        )

    def user(self, username: str) -> User:
        return self.users[username]

    def unit(self, username: str) -> Unit:
        """The unit whose office the login works at."""
        return self.units[LOGINS[username][0]]

    def level_list(self, *slugs: str) -> list[Level]:
        return [self.levels[slug] for slug in slugs]


def seed_activity(now: datetime.datetime | None = None) -> dict[str, int]:
    """Add the demo activity once; counts of what was made ({} when it was there already).

    *now* is the moment the story is told around (due times, the meeting's date, the
    events the reports tell of); the actions stamp their own times, so it should be
    close to the present.
    """
    if AuditEvent.objects.filter(verb=MARKER).exists():
        return {}
    cast = Cast()
    if not cast.has("central"):
        return {}  # no demo country (or no central office): nothing to act with
    now = now or timezone.now()
    counts: Counter[str] = Counter()
    files: list[str] = []
    try:
        with transaction.atomic():
            if AuditEvent.objects.filter(verb=MARKER).exists():  # checked again, in it
                return {}
            _directives(cast, now, counts)
            _return(cast, now, counts)
            _reports(cast, now, counts, files)
            _letters(cast, counts)
            _meeting(cast, now, counts)
            record(MARKER, by=None, unit=cast.units["CEN"], detail=dict(counts))
    except BaseException:
        storage = reports.photo_storage()  # the rows went with the rollback; their files go too
        for name in files:
            storage.delete(name)
        raise
    return dict(counts)


# --- directives ------------------------------------------------------------------------------


def _delivery(directive: Directive, unit: Unit) -> Delivery | None:
    return Delivery.objects.filter(directive=directive, unit=unit).select_related("unit").first()


def _directives(cast: Cast, now: datetime.datetime, counts: Counter[str]) -> None:
    central, root = cast.user("central"), cast.units["CEN"]
    sylhet_division = cast.units.get("DIV-SYL")
    made: list[Directive] = []

    if sylhet_division is not None:
        urgent = directives.create_directive(
            issuing_unit=root,
            by=central,
            title="জরুরি: বন্যাদুর্গত এলাকায় ত্রাণ ও আশ্রয়কেন্দ্রের তথ্য পাঠান",
            body=(
                "সিলেট বিভাগের কয়েকটি উপজেলায় পাহাড়ি ঢলে নিচু এলাকা প্লাবিত হয়েছে। "
                "প্রতিটি ইউনিট নিজ এলাকার আশ্রয়কেন্দ্রের সংখ্যা, আশ্রিত পরিবার এবং "
                "শুকনো খাবার, বিশুদ্ধ পানি ও ওষুধের চাহিদা ৭২ ঘণ্টার মধ্যে জানাবেন। "
                "স্বেচ্ছাসেবকদের তালিকা হালনাগাদ রাখুন এবং স্থানীয় প্রশাসনের সাথে "
                "সমন্বয় করে ত্রাণ বিতরণে অংশ নিন।\n\n"
                "Flash floods have reached low-lying areas of several upazilas: report "
                "shelters, sheltered families and needs (dry food, water, medicine) within "
                "72 hours, and keep your volunteer lists up to date."
            ),
            due_at=now + datetime.timedelta(days=3),
            target_unit=sylhet_division,
            target_levels=cast.level_list("district", "upazila", "union"),
            priority=Directive.Priority.URGENT,
            mode=Directive.Mode.DIRECT,
        )
        urgent = directives.issue(urgent, by=central)
        made.append(urgent)
        if cast.has("jalalabad") and (row := _delivery(urgent, cast.unit("jalalabad"))):
            directives.acknowledge(
                row,
                by=cast.user("jalalabad"),
                note="পেয়েছি। ইউনিয়নের তিনটি আশ্রয়কেন্দ্রের তথ্য আগামীকালের মধ্যে পাঠানো হবে।",
            )
        if cast.has("sylhet") and (row := _delivery(urgent, cast.unit("sylhet"))):
            directives.mark_done(
                row,
                by=cast.user("sylhet"),
                note=(
                    "জেলার ১১টি আশ্রয়কেন্দ্রে ৪২০টি পরিবারের তথ্য পাঠানো হয়েছে; "
                    "৬০ জন স্বেচ্ছাসেবক ত্রাণ বিতরণে যুক্ত আছেন।"
                ),
            )

    relay = directives.create_directive(
        issuing_unit=root,
        by=central,
        title="বর্ষা মৌসুমে বৃক্ষরোপণ পক্ষ পালন",
        body=(
            "আসন্ন বর্ষা মৌসুমে দুই সপ্তাহব্যাপী বৃক্ষরোপণ পক্ষ পালন করা হবে। প্রতিটি জেলা "
            "তার উপজেলাগুলোতে এই নির্দেশনা পৌঁছে দেবে। প্রতিটি উপজেলা অন্তত ৫০০টি "
            "ফলজ, বনজ ও ঔষধি গাছের চারা রোপণ করবে, স্কুল ও মাদ্রাসার শিক্ষার্থীদের যুক্ত "
            "করবে এবং কর্মসূচি শেষে ছবিসহ সচিত্র প্রতিবেদন পাঠাবে।\n\n"
            "A two-week tree-planting fortnight: each district relays this to its "
            "upazilas; each upazila plants at least 500 saplings with local schools and "
            "sends an illustrated report."
        ),
        due_at=now + datetime.timedelta(days=21),
        target_unit=root,
        target_levels=cast.level_list("district", "upazila"),
        mode=Directive.Mode.RELAY,
    )
    relay = directives.issue(relay, by=central)
    made.append(relay)
    if cast.has("sylhet") and (row := _delivery(relay, cast.unit("sylhet"))):
        directives.forward(
            row,
            by=cast.user("sylhet"),
            note="সব উপজেলা স্থানীয় নার্সারির সাথে যোগাযোগ করে চারার চাহিদা জেলা দপ্তরে জানাবেন।",
        )
        if cast.has("sylhet-sadar") and (row := _delivery(relay, cast.unit("sylhet-sadar"))):
            directives.mark_seen(row, by=cast.user("sylhet-sadar"))

    draft = directives.create_directive(
        issuing_unit=root,
        by=central,
        title="বিশ্ব রক্তদাতা দিবসে স্বেচ্ছায় রক্তদান শিবির",
        body=(
            "বিশ্ব রক্তদাতা দিবস উপলক্ষে প্রতিটি জেলা স্থানীয় হাসপাতাল বা ব্লাড ব্যাংকের "
            "সহযোগিতায় অন্তত একটি স্বেচ্ছায় রক্তদান শিবির আয়োজন করবে। রক্তদাতাদের "
            "তালিকা ও রক্তের গ্রুপ সংরক্ষণ করুন।"
        ),
        due_at=now + datetime.timedelta(days=30),
        target_unit=root,
        target_levels=cast.level_list("district"),
    )
    made.append(draft)
    counts["directives"] += len(made)
    counts["deliveries"] += sum(d.expected for d in made)


# --- a one-off return ------------------------------------------------------------------------

RETURN_FIELDS = [
    {
        "key": "committee_members",
        "label_bn": "কমিটির মোট সদস্য",
        "label_en": "Committee members",
        "type": "integer",
        "required": True,
        "min": 0,
        "max": 500,
    },
    {
        "key": "women_members",
        "label_bn": "নারী সদস্য",
        "label_en": "Women members",
        "type": "integer",
        "required": True,
        "min": 0,
        "max": 500,
    },
    {
        "key": "volunteers",
        "label_bn": "সক্রিয় স্বেচ্ছাসেবক",
        "label_en": "Active volunteers",
        "help_bn": "গত তিন মাসে অন্তত একটি কর্মসূচিতে অংশ নিয়েছেন",
        "help_en": "Took part in at least one programme in the last three months",
        "type": "integer",
        "min": 0,
    },
]
RETURN_RULES = [
    {
        "left": "women_members",
        "op": "<=",
        "right": "committee_members",
        "message_bn": "নারী সদস্য কমিটির মোট সদস্যের চেয়ে বেশি হতে পারে না।",
        "message_en": "Women members cannot outnumber the committee.",
    }
]


def _return(cast: Cast, now: datetime.datetime, counts: Counter[str]) -> None:
    sylhet_division = cast.units.get("DIV-SYL")
    if sylhet_division is None:
        return
    central = cast.user("central")
    form = returns.create_form(
        issuing_unit=cast.units["CEN"],
        by=central,
        title="ইউনিট কমিটি ও স্বেচ্ছাসেবকের তথ্য",
        description=(
            "বন্যা-পরবর্তী ত্রাণ কার্যক্রম পরিকল্পনার জন্য সিলেট বিভাগের প্রতিটি উপজেলা ও "
            "ইউনিয়ন কমিটির সদস্য ও সক্রিয় স্বেচ্ছাসেবকের সংখ্যা জানান।"
        ),
        target_unit=sylhet_division,
        target_levels=cast.level_list("upazila", "union"),
        schedule=ReturnForm.Schedule.ONCE,
        due_at=now + datetime.timedelta(days=10),
        fields=RETURN_FIELDS,
        rules=RETURN_RULES,
    )
    period = returns.publish(form, by=central)
    counts["returns"] += 1
    sent: dict[str, Submission] = {}
    answers = {
        "jalalabad": {"committee_members": 31, "women_members": 9, "volunteers": 46},
        "sylhet-sadar": {"committee_members": 51, "women_members": 14, "volunteers": 120},
    }
    for username, data in answers.items():
        if cast.has(username):
            sent[username] = returns.submit(
                period, cast.unit(username), data, by=cast.user(username)
            )
            counts["submissions"] += 1
    if "jalalabad" in sent and cast.has("sylhet-sadar"):
        returns.approve(sent["jalalabad"], by=cast.user("sylhet-sadar"))


# --- illustrated reports with a photo each ---------------------------------------------------


def _trees(draw: ImageDraw.ImageDraw, rng: random.Random) -> None:
    w, h = PHOTO_SIZE
    draw.rectangle((0, 0, w, h * 0.55), fill=(150, 205, 240))
    draw.ellipse((940, 60, 1080, 200), fill=(255, 214, 90))
    draw.rectangle((0, h * 0.55, w, h), fill=(96, 160, 70))
    for x in range(60, w, 170):
        top = 200 + rng.randrange(60)
        draw.rectangle((x + 45, top + 150, x + 70, 470), fill=(110, 75, 45))
        draw.ellipse((x, top, x + 115, top + 190), fill=(40 + rng.randrange(40), 120, 50))
    for x in range(40, w, 90):  # the day's saplings in a row, each with its little mound
        y = 620 + rng.randrange(20)
        draw.ellipse((x - 18, y + 30, x + 18, y + 44), fill=(120, 85, 50))
        draw.line((x, y + 36, x, y), fill=(60, 110, 40), width=5)
        draw.ellipse((x - 16, y - 20, x + 16, y + 6), fill=(70, 170, 60))


def _flood(draw: ImageDraw.ImageDraw, rng: random.Random) -> None:
    w, h = PHOTO_SIZE
    draw.rectangle((0, 0, w, h * 0.5), fill=(185, 195, 205))
    draw.rectangle((0, h * 0.5, w, h), fill=(70, 120, 170))
    for y in range(430, h, 45):
        for x in range(-40, w, 120):
            draw.arc((x, y, x + 120, y + 30), 200, 340, fill=(150, 190, 225), width=4)
    for x in (120, 420, 840):  # houses standing in the water
        draw.rectangle((x, 260, x + 190, 420), fill=(200, 170, 120))
        draw.polygon([(x - 20, 260), (x + 95, 170), (x + 210, 260)], fill=(150, 60, 40))
        draw.rectangle((x + 75, 330, x + 115, 420), fill=(90, 60, 40))
    draw.polygon([(520, 600), (820, 600), (770, 660), (570, 660)], fill=(120, 70, 35))
    for i in range(4):  # relief boxes in the boat
        x = 585 + i * 50 + rng.randrange(6)
        draw.rectangle((x, 548, x + 44, 600), fill=(235, 215, 160), outline=(140, 110, 60))


def _blood(draw: ImageDraw.ImageDraw, rng: random.Random) -> None:
    w, h = PHOTO_SIZE
    draw.rectangle((0, 0, w, h), fill=(244, 240, 232))
    draw.rectangle((0, 560, w, h), fill=(205, 200, 190))
    draw.rectangle((80, 70, 1120, 170), fill=(255, 255, 255), outline=(200, 40, 50), width=6)
    draw.rectangle((560, 90, 640, 150), fill=(210, 30, 45))
    draw.rectangle((530, 105, 670, 135), fill=(210, 30, 45))
    for x in (140, 520, 900):  # donor beds, a donor on each and the bag beside
        draw.rectangle((x, 470, x + 200, 510), fill=(90, 140, 190))
        draw.ellipse((x + 10, 420, x + 60, 470), fill=(150 + rng.randrange(40), 110, 80))
        draw.rounded_rectangle((x + 60, 440, x + 190, 475), radius=14, fill=(60, 110, 150))
        draw.line((x + 230, 300, x + 230, 560), fill=(120, 120, 120), width=6)
        draw.rounded_rectangle((x + 210, 310, x + 252, 370), radius=8, fill=(180, 20, 35))
    draw.polygon([(600, 210), (650, 300), (550, 300)], fill=(200, 25, 40))
    draw.ellipse((550, 260, 650, 360), fill=(200, 25, 40))


def photo(scene: Callable[[ImageDraw.ImageDraw, random.Random], None], seed: int) -> bytes:
    """A 1200×800 JPEG of simple shapes, with the camera EXIF a phone would add."""
    image = Image.new("RGB", PHOTO_SIZE, "white")
    scene(ImageDraw.Draw(image), random.Random(seed))  # noqa: S311  (a picture, not a secret)
    exif = Image.Exif()
    exif[0x010F] = "DemoPhone"  # Make
    exif[0x0110] = "Camera 2"  # Model
    exif[0x0131] = "Daptar demo"  # Software
    out = io.BytesIO()
    image.save(out, "JPEG", quality=85, exif=exif.tobytes())
    return out.getvalue()


# (author, reviewer and publisher, category, days ago, scene, title, place, participants, body)
REPORTS = [
    (
        "jalalabad",
        "sylhet-sadar",
        "programme",
        2,
        _trees,
        "জালালাবাদে বৃক্ষরোপণ কর্মসূচি: ৬০০ চারা রোপণ",
        "জালালাবাদ উচ্চ বিদ্যালয় মাঠ ও সংলগ্ন সড়ক",
        85,
        "বৃক্ষরোপণ পক্ষ উপলক্ষে জালালাবাদ ইউনিয়নের নয়টি ওয়ার্ডে আম, জাম, কাঁঠাল, নিম ও "
        "অর্জুনসহ ৬০০টি চারা রোপণ করা হয়েছে। স্থানীয় উচ্চ বিদ্যালয়ের শিক্ষার্থী ও "
        "স্বেচ্ছাসেবকেরা অংশ নেন। প্রতিটি চারার পরিচর্যার দায়িত্ব একজন করে শিক্ষার্থীকে "
        "দেওয়া হয়েছে; এক মাস পর জীবিত চারার হিসাব নেওয়া হবে।",
    ),
    (
        "sylhet-sadar",
        "sylhet",
        "public_welfare",
        4,
        _flood,
        "সিলেট সদরে বন্যাদুর্গত ৩৫০ পরিবারের মাঝে ত্রাণ বিতরণ",
        "সিলেট সদর উপজেলার তিনটি আশ্রয়কেন্দ্র",
        40,
        "পাহাড়ি ঢলে প্লাবিত এলাকার তিনটি আশ্রয়কেন্দ্রে ৩৫০টি পরিবারের মাঝে চাল, ডাল, "
        "তেল, শুকনো খাবার, বিশুদ্ধ পানি ও খাবার স্যালাইন বিতরণ করা হয়েছে। নৌকায় করে "
        "দুর্গম গ্রামগুলোতেও ত্রাণ পৌঁছানো হয়। স্থানীয় প্রশাসন ও স্বাস্থ্যকর্মীদের সাথে "
        "সমন্বয় করে আগামী সপ্তাহে চিকিৎসা শিবিরের পরিকল্পনা রয়েছে।",
    ),
    (
        "sylhet",
        "sylhet-division",
        "public_welfare",
        7,
        _blood,
        "সিলেট জেলায় স্বেচ্ছায় রক্তদান শিবির: ১১২ ব্যাগ রক্ত সংগ্রহ",
        "সিলেট জেলা দপ্তর প্রাঙ্গণ",
        160,
        "জেলা দপ্তরের উদ্যোগে ও একটি স্থানীয় ব্লাড ব্যাংকের সহযোগিতায় দিনব্যাপী "
        "স্বেচ্ছায় রক্তদান শিবিরে ১১২ ব্যাগ রক্ত সংগ্রহ করা হয়েছে। প্রথমবার রক্তদাতা "
        "ছিলেন ৪৭ জন। রক্তদাতাদের রক্তের গ্রুপ নির্ণয় করে তালিকা সংরক্ষণ করা হয়েছে, যাতে "
        "জরুরি প্রয়োজনে দ্রুত যোগাযোগ করা যায়।",
    ),
]


def _reports(cast: Cast, now: datetime.datetime, counts: Counter[str], files: list[str]) -> None:
    categories = {c.slug: c for c in Category.objects.filter(is_active=True)}
    today = timezone.localdate(now)
    for n, (author, reviewer, slug, days, scene, title, place, people, body) in enumerate(
        REPORTS, 1
    ):
        category = categories.get(slug) or next(iter(categories.values()), None)
        if category is None or not cast.has(author, reviewer):
            continue
        unit = cast.unit(author)
        upload = SimpleUploadedFile(f"demo-{n}.jpg", photo(scene, n), content_type="image/jpeg")
        report = reports.create_report(
            unit=unit,
            by=cast.user(author),
            title=title,
            body=body,
            category=category,
            event_date=today - datetime.timedelta(days=days),
            place=place,
            place_unit=unit,
            participants=people,
            photos=[upload],
            captions=[title],
        )
        for item in Photo.objects.filter(report=report):
            files.append(item.original)
            make_renditions.call(item.pk)  # what the worker does, here and now
            item.refresh_from_db()
            files += [
                item.rendition_name(r["w"], f) for r in item.renditions for f in ("webp", "jpg")
            ]
            counts["photos"] += 1
        _review(report, cast.user(author), cast.user(reviewer))
        counts["reports"] += 1


def _review(report: Report, author: User, reviewer: User) -> None:
    report = reports.submit(report, by=author)
    report = reports.approve(report, by=reviewer, note="ধন্যবাদ, ছবিসহ প্রতিবেদনটি চমৎকার।")
    if report.status != report.Status.PUBLISHED:  # unless approving publishes at once
        reports.publish(report, by=reviewer)


# --- letters ---------------------------------------------------------------------------------


def _letters(cast: Cast, counts: Counter[str]) -> None:
    if not cast.has("jalalabad"):
        return
    letter = letters.send(
        sender=cast.unit("jalalabad"),
        by=cast.user("jalalabad"),
        to_unit=cast.units["CEN"],
        subject="জালালাবাদ ইউনিয়ন কমিটির হালনাগাদ তালিকা প্রেরণ",
        body=(
            "বিনীত নিবেদন এই যে, গত মাসের সাধারণ সভায় জালালাবাদ ইউনিয়ন কমিটি পুনর্গঠিত "
            "হয়েছে। ৩১ সদস্যের হালনাগাদ কমিটির তালিকা (সভাপতি, সাধারণ সম্পাদক, দপ্তর "
            "সম্পাদকসহ) এবং নয়টি ওয়ার্ডের সমন্বয়কারীদের নাম ও মোবাইল নম্বর সদয় অবগতি ও "
            "অনুমোদনের জন্য পাঠানো হলো।\n\n"
            "The union committee was re-formed at last month's general meeting; the updated "
            "list of its 31 members and the nine ward coordinators is sent for approval."
        ),
    )
    counts["letters"] += 1
    letters.send(
        sender=cast.units["CEN"],
        by=cast.user("central"),
        to_unit=cast.unit("jalalabad"),
        subject="প্রাপ্তি স্বীকার: জালালাবাদ ইউনিয়ন কমিটির হালনাগাদ তালিকা",
        body=(
            "আপনাদের পাঠানো হালনাগাদ কমিটির তালিকা পাওয়া গেছে এবং কেন্দ্রীয় দপ্তরে "
            "নথিভুক্ত করা হয়েছে। নতুন কমিটিকে অভিনন্দন। কমিটির সদস্যদের তথ্য Daptar-এর "
            "সদস্য তালিকায় হালনাগাদ রাখার অনুরোধ রইল।"
        ),
        reply_to=letter,
    )
    counts["letters"] += 1


# --- a meeting -------------------------------------------------------------------------------


def _meeting(cast: Cast, now: datetime.datetime, counts: Counter[str]) -> None:
    sylhet_division = cast.units.get("DIV-SYL")
    if sylhet_division is None:
        return
    central = cast.user("central")
    series = meetings.create_series(
        host_unit=cast.units["CEN"],
        by=central,
        title="বর্ষা মৌসুমের প্রস্তুতি: বিভাগীয় সমন্বয় সভা",
        purpose=(
            "বন্যা ত্রাণ, বৃক্ষরোপণ পক্ষ ও রক্তদান শিবিরের প্রস্তুতি নিয়ে প্রতিটি বিভাগের "
            "জেলা দপ্তরগুলোর সাথে পর্যায়ক্রমে সভা।"
        ),
    )
    day = timezone.localdate(now) + datetime.timedelta(days=7)
    starts_at = timezone.make_aware(datetime.datetime.combine(day, datetime.time(10, 30)))
    online = bool(getattr(settings, "DAPTAR_JITSI_BASE_URL", "").strip())
    made = meetings.plan_phases(
        series,
        by=central,
        entries=[meetings.PlanEntry(number=1, unit=sylhet_division, starts_at=starts_at)],
        duration_minutes=90,
        agenda=[
            meetings.AgendaEntry("বন্যা ত্রাণ কার্যক্রমের অগ্রগতি", 30),
            meetings.AgendaEntry("বৃক্ষরোপণ পক্ষের প্রস্তুতি", 25),
            meetings.AgendaEntry("রক্তদান শিবিরের পরিকল্পনা", 20),
            meetings.AgendaEntry("বিবিধ", 15),
        ],
        rule=Rule(
            levels=cast.level_list("division", "district"),
            posts=[cast.posts["office_secretary"], cast.posts["deputy_office_secretary"]],
        ),
        # A video room needs a Jitsi server; without one the demo meets in the office.
        mode=Meeting.Mode.HYBRID if online else Meeting.Mode.IN_PERSON,
        place="সিলেট বিভাগীয় দপ্তরের সভাকক্ষ",
        send=True,
    )
    counts["meetings"] += len(made)
    counts["invitations"] += sum(m.invitations_count for m in made)
