"""What the columns of an office's sheet mean, and what each row would do to the register.

Reading is separate from applying: a sheet is read into ImportRow rows (the preview),
each saying new / matches / already there / error with the reason, and nothing in the
register changes until the batch is applied.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from daptar.lib.numerals import to_ascii_digits
from daptar.lib.phones import normalise_phone
from daptar.lib.sheets import header_key, parse_date
from daptar.people.models import Gender, Person, Post, Term
from daptar.register.models import ImportRow

if TYPE_CHECKING:
    from daptar.accounts.models import User
    from daptar.register.models import ImportBatch

FIELDS = ["name_bn", "name_en", "phone", "email", "national_id", "post", "gender", "born_on",
          "address", "since"]  # fmt: skip

# The headers the offices write, in Bengali and English, for each field.
HEADERS: dict[str, list[str]] = {
    "name_bn": ["নাম", "নাম বাংলা", "নাম বাংলায়", "বাংলা নাম", "নাম (বাংলা)", "সদস্যের নাম",
                "name bn", "name bengali", "bengali name", "name_bn"],
    "name_en": ["name", "name en", "name english", "english name", "ইংরেজি নাম", "নাম ইংরেজি",
                "নাম (ইংরেজি)", "নাম ইংরেজিতে", "name_en", "full name"],
    "phone": ["মোবাইল", "মোবাইল নং", "মোবাইল নম্বর", "মোবাইল নাম্বার", "ফোন", "ফোন নং",
              "ফোন নম্বর", "mobile", "mobile no", "mobile number", "phone", "phone no", "contact"],
    "email": ["ই-মেইল", "ইমেইল", "ই মেইল", "email", "e-mail"],
    "national_id": ["জাতীয় পরিচয়পত্র নং", "জাতীয় পরিচয়পত্র নম্বর", "জাতীয় পরিচয়পত্র",
                    "এনআইডি", "এনআইডি নং", "nid", "nid no", "national id", "national id no"],
    "post": ["পদ", "পদবি", "পদবী", "post", "designation", "position"],
    "gender": ["লিঙ্গ", "gender", "sex"],
    "born_on": ["জন্ম তারিখ", "জন্মতারিখ", "date of birth", "dob", "birth date"],
    "address": ["ঠিকানা", "address"],
    "since": ["দায়িত্ব গ্রহণ", "দায়িত্ব গ্রহণের তারিখ", "যোগদানের তারিখ", "since", "from",
              "joined", "joined on"],
}  # fmt: skip
_KNOWN = {header_key(h): name for name, hs in HEADERS.items() for h in hs}
# A leading "ক্রমিক নং" / "SL" column is the row number; never data.
_IGNORED = {header_key(h) for h in ["ক্রমিক", "ক্রমিক নং", "ক্র নং", "sl", "sl no", "serial"]}
_GENDERS = {
    "f": Gender.FEMALE, "female": Gender.FEMALE, "মহিলা": Gender.FEMALE, "নারী": Gender.FEMALE,
    "m": Gender.MALE, "male": Gender.MALE, "পুরুষ": Gender.MALE,
    "o": Gender.OTHER, "other": Gender.OTHER, "অন্যান্য": Gender.OTHER, "তৃতীয় লিঙ্গ": Gender.OTHER,
}  # fmt: skip
HEADER_SCAN_ROWS = 15


def known_field(header: str) -> str | None:
    return _KNOWN.get(header_key(header))


@dataclass
class Layout:
    """Where the header row is and which column holds which field."""

    header_row: int  # 1-based
    columns: dict[int, str] = field(default_factory=dict)
    unknown: list[str] = field(default_factory=list)


def find_layout(rows: list[list[str]], mapping: dict[str, str]) -> Layout | None:
    """The first row among the top few that names a name column (by *mapping* or by HEADERS).

    A title merged across the top, or a header cell merged down over two rows, leaves
    rows above and below with one or no known header; they are passed over.
    """
    wanted = {header_key(k): v for k, v in mapping.items() if v in FIELDS}
    for number, row in enumerate(rows[:HEADER_SCAN_ROWS], start=1):
        columns: dict[int, str] = {}
        unknown = []
        for index, cell in enumerate(row):
            if not cell:
                continue
            key = header_key(cell)
            name = wanted.get(key) or _KNOWN.get(key)
            if name and name not in columns.values():
                columns[index] = name
            elif key not in _IGNORED:
                unknown.append(cell)
        if {"name_bn", "name_en"} & set(columns.values()) and len(columns) >= 2:
            return Layout(number, columns, unknown)
    return None


def _text(value: str) -> str:
    return re.sub(r"\s+", " ", unicodedata.normalize("NFC", value)).strip()


def _phone(value: str) -> str:
    digits = re.sub(r"\D", "", to_ascii_digits(value))
    if len(digits) == 10 and digits.startswith("1"):
        value = "0" + digits  # a number cell lost its leading zero
    return normalise_phone(value)


def clean_row(cells: dict[str, str], posts: dict[str, Post]) -> tuple[dict[str, str], list[str]]:
    """One row's cells as register fields, and the reasons it cannot be used (if any)."""
    data: dict[str, str] = {}
    errors: list[str] = []
    for name in ("name_bn", "name_en", "address"):
        if value := _text(cells.get(name, "")):
            data[name] = value
    name_bn = data.get("name_bn", "")
    # A "নাম" column may hold English names and a "Name" column Bengali ones.
    if name_bn and not re.search(r"[\u0980-\u09ff]", name_bn) and "name_en" not in data:
        data["name_en"] = data.pop("name_bn")
    if not data.get("name_bn") and data.get("name_en"):
        data["name_bn"] = data["name_en"]
    if not data.get("name_bn"):
        errors.append(_("No name."))
    if raw := cells.get("phone", "").strip():
        try:
            data["phone"] = _phone(raw)
        except ValidationError:
            errors.append(_("Not a Bangladeshi mobile number: %(value)s") % {"value": raw})
    if raw := cells.get("email", "").strip():
        data["email"] = raw.lower()
    if raw := cells.get("national_id", "").strip():
        digits = re.sub(r"\D", "", to_ascii_digits(raw))
        if len(digits) in (10, 13, 17):
            data["national_id"] = digits
        else:
            errors.append(_("A national ID has 10, 13 or 17 digits: %(value)s") % {"value": raw})
    if raw := cells.get("gender", "").strip():
        gender = _GENDERS.get(unicodedata.normalize("NFC", raw).casefold())
        if gender:
            data["gender"] = gender
        else:
            errors.append(_("Unknown gender: %(value)s") % {"value": raw})
    for name in ("born_on", "since"):
        if raw := cells.get(name, "").strip():
            try:
                day = parse_date(raw)
            except ValueError:
                errors.append(_("Not a date: %(value)s") % {"value": raw})
            else:
                if day:
                    data[name] = day.isoformat()
    if raw := cells.get("post", "").strip():
        post = posts.get(header_key(raw))
        if post is None:
            errors.append(_("Unknown post: %(value)s") % {"value": raw})
        else:
            data["post"] = post.slug
    return data, errors


def post_names() -> dict[str, Post]:
    posts: dict[str, Post] = {}
    for post in Post.objects.all():
        for name in (post.slug, post.name_bn, post.name_en):
            posts[header_key(name)] = post
    return posts


def preview(
    batch: ImportBatch,
    rows: list[list[str]],
    *,
    by: User,
    progress: Callable[[int], None] | None = None,
    chunk: int = 2000,
) -> dict[str, int]:
    """Read *rows* into the batch's ImportRows; nothing in the register changes."""
    layout = find_layout(rows, batch.mapping)
    if layout is None:
        raise ValidationError(
            _("No header row with a name column was found; map the columns and try again.")
        )
    posts = post_names()
    cleaned: list[tuple[int, dict[str, str], list[str]]] = []
    for number, row in enumerate(rows[layout.header_row :], start=layout.header_row + 1):
        cells = {name: row[i] for i, name in layout.columns.items() if i < len(row)}
        if not any(cells.values()):
            continue  # blank rows between blocks
        data, errors = clean_row(cells, posts)
        cleaned.append((number, data, errors))
    phones = {d["phone"] for _n, d, e in cleaned if "phone" in d}
    nids = {d["national_id"] for _n, d, e in cleaned if "national_id" in d}
    known_phone, known_nid = _existing(phones, nids)
    visible = set(
        Person.objects.visible_to(by)
        .filter(pk__in={*known_phone.values(), *known_nid.values()})
        .values_list("pk", flat=True)
    )
    post_ids = {p.slug: p.pk for p in posts.values()}
    held = set(
        Term.objects.current()
        .filter(unit=batch.unit, person_id__in=visible)
        .values_list("person_id", "post_id")
    )
    seen_phone: dict[str, int] = {}
    seen_nid: dict[str, int] = {}
    objs: list[ImportRow] = []
    tally = {outcome: 0 for outcome in ImportRow.Outcome.values}
    for done, (number, data, errors) in enumerate(cleaned, start=1):
        person_id = None
        for key, seen, known in (
            ("phone", seen_phone, known_phone),
            ("national_id", seen_nid, known_nid),
        ):
            value = data.get(key)
            if not value:
                continue
            if value in seen:
                errors.append(_("The same person as row %(row)s.") % {"row": seen[value]})
            seen[value] = number
            person_id = person_id or known.get(value)
        if person_id and person_id not in visible and not errors:
            errors.append(_("This person is registered with an office outside your scope."))
        post_id = post_ids.get(data.get("post", ""), batch.post_id)
        if errors:
            outcome, message = ImportRow.Outcome.ERROR, " ".join(errors)
        elif person_id and (person_id, post_id) in held:
            outcome, message = ImportRow.Outcome.SKIP, ""
        elif person_id:
            outcome, message = ImportRow.Outcome.MATCH, ""
        else:
            outcome, message = ImportRow.Outcome.NEW, ""
        tally[outcome] += 1
        objs.append(
            ImportRow(
                batch=batch,
                number=number,
                data=data,
                outcome=outcome,
                message=message[:255],
                person_id=person_id if outcome != ImportRow.Outcome.ERROR else None,
            )
        )
        if len(objs) >= chunk:
            ImportRow.objects.bulk_create(objs)
            objs = []
            if progress:
                progress(done)
    ImportRow.objects.bulk_create(objs)
    if progress:
        progress(len(cleaned))
    return tally


def _existing(phones: Iterable[str], nids: Iterable[str]) -> tuple[dict[str, int], dict[str, int]]:
    """Register-wide: which of these numbers already belong to somebody (phone → person id)."""
    by_phone: dict[str, int] = {}
    by_nid: dict[str, int] = {}
    for values, column, found in (
        (list(phones), "phone", by_phone),
        (list(nids), "national_id", by_nid),
    ):
        for start in range(0, len(values), 500):
            rows = Person.objects.filter(**{f"{column}__in": values[start : start + 500]})
            for pk, value in rows.order_by("pk").values_list("pk", column):
                found.setdefault(value, pk)
    return by_phone, by_nid
