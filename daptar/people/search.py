"""People search by name or phone, on an index chosen by the database backend.

SQLite: an FTS5 table with the trigram tokenizer over the two name columns, kept by
triggers. PostgreSQL: pg_trgm GIN indexes under the same LIKE conditions. Either way
any part of a name of three letters or more is found through the index; a shorter
word is checked on the rows the longer ones found. A query that reads as a phone
number is normalised to E.164 and looked up exactly.
"""

from __future__ import annotations

import re
from typing import Any, cast

from django.core.exceptions import ValidationError
from django.db import connections
from django.db.models import BooleanField, Q, QuerySet
from django.db.models.expressions import RawSQL

from daptar.lib.numerals import to_ascii_digits
from daptar.lib.phones import normalise_phone
from daptar.lib.spellings import nfc, spellings

FTS_TABLE = "people_person_fts"
# Trigram indexes find substrings of at least this many characters (code points).
MIN_INDEXED = 3
_PHONE_LIKE = re.compile(r"^[+\d\s()\-.]{6,}$")

SQLITE_SETUP = [
    "CREATE VIRTUAL TABLE IF NOT EXISTS people_person_fts USING fts5("
    "name_bn, name_en, content='people_person', content_rowid='id', tokenize='trigram')",
    """CREATE TRIGGER IF NOT EXISTS people_person_fts_ai AFTER INSERT ON people_person BEGIN
        INSERT INTO people_person_fts(rowid, name_bn, name_en)
        VALUES (new.id, new.name_bn, new.name_en); END""",
    """CREATE TRIGGER IF NOT EXISTS people_person_fts_ad AFTER DELETE ON people_person BEGIN
        INSERT INTO people_person_fts(people_person_fts, rowid, name_bn, name_en)
        VALUES ('delete', old.id, old.name_bn, old.name_en); END""",
    """CREATE TRIGGER IF NOT EXISTS people_person_fts_au AFTER UPDATE OF name_bn, name_en
        ON people_person BEGIN
        INSERT INTO people_person_fts(people_person_fts, rowid, name_bn, name_en)
        VALUES ('delete', old.id, old.name_bn, old.name_en);
        INSERT INTO people_person_fts(rowid, name_bn, name_en)
        VALUES (new.id, new.name_bn, new.name_en); END""",
]
SQLITE_TEARDOWN = [
    "DROP TRIGGER IF EXISTS people_person_fts_ai",
    "DROP TRIGGER IF EXISTS people_person_fts_ad",
    "DROP TRIGGER IF EXISTS people_person_fts_au",
    "DROP TABLE IF EXISTS people_person_fts",
]
POSTGRES_SETUP = [
    "CREATE EXTENSION IF NOT EXISTS pg_trgm",
    # One index over both names, so every word of a query narrows the same bitmap.
    "CREATE INDEX IF NOT EXISTS person_names_trgm ON people_person "
    "USING gin ((UPPER(name_bn::text || ' ' || name_en::text)) gin_trgm_ops)",
]
POSTGRES_TEARDOWN = ["DROP INDEX IF EXISTS person_names_trgm"]
# The indexed expression, column names qualified: a search may join other tables with names.
_PG_NAMES = (
    'UPPER("people_person"."name_bn"::text || \' \' || "people_person"."name_en"::text) '
    "LIKE %s ESCAPE '\\'"
)


def ensure_index(using: str = "default") -> bool:
    """Create the search index if it is missing; True when it had to be (re)built.

    On SQLite a migration that rebuilds people_person (Django copies the table to alter
    it) drops the triggers with the old table; after every migrate this puts them back
    and rebuilds the FTS table from the names.
    """
    connection = connections[using]
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute(
                "SELECT count(*) FROM sqlite_master WHERE type='trigger' AND name LIKE %s",
                ["people_person_fts_a_"],
            )
            if cursor.fetchone()[0] == 3:
                return False
            for sql in SQLITE_SETUP:
                cursor.execute(sql)
            cursor.execute("INSERT INTO people_person_fts(people_person_fts) VALUES ('rebuild')")
            return True
        if connection.vendor == "postgresql":
            for sql in POSTGRES_SETUP:
                cursor.execute(sql)
    return False


def phone_query(text: str) -> str | None:
    """The E.164 number *text* means, when it reads as a phone number in any written form."""
    folded = to_ascii_digits(text).strip()
    if not _PHONE_LIKE.match(folded):
        return None
    try:
        return normalise_phone(folded)
    except ValidationError:
        return None


def _fts_phrase(word: str) -> str:
    return " OR ".join('"' + form.replace('"', '""') + '"' for form in spellings(word))


def _like_pattern(form: str) -> str:
    escaped = form.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped.upper()}%"


def _pg_q(word: str) -> Q:
    q = Q(pk__in=[])
    for form in spellings(word):
        # Constant SQL (the index's expression); the pattern is a bound parameter.
        matches = RawSQL(_PG_NAMES, [_like_pattern(form)], output_field=BooleanField())  # noqa: S611
        q |= Q(matches)
    return q


def _like_q(word: str) -> Q:
    q = Q(pk__in=[])
    for form in spellings(word):
        q |= Q(name_bn__contains=form) | Q(name_en__icontains=form)
    return q


def search_order(text: str) -> list[str]:
    """Name order to browse; the order the index yields matches in for a search.

    A common surname matches tens of thousands of people: sorting them all by name
    to show fifty costs a read of each, while in index order (registration order) the
    scan stops at the fiftieth match. search() names that order "match_order".
    """
    return ["match_order"] if text.strip() else ["name_en", "pk"]


# Generic over the queryset: typed without importing the models built on this module.
def search[People: QuerySet[Any]](people: People, text: str) -> People:
    """*people* whose name contains every word of *text*, or whose phone *text* is.

    (extra() keeps the queryset's class; the stubs lose it, hence the casts.)
    """
    text = nfc(text).strip()
    if not text:
        return people
    if phone := phone_query(text):
        return cast(
            People, people.filter(phone=phone).extra(select={"match_order": "people_person.id"})
        )
    words = text.split()
    indexed = [w for w in words if len(w) >= MIN_INDEXED]
    vendor = connections[people.db].vendor
    if vendor == "sqlite" and indexed:
        match = " AND ".join(f"({_fts_phrase(w)})" for w in indexed)
        # A join, not "id IN (subquery)": FTS5 then yields matches in rowid order and
        # the page's LIMIT stops the scan, instead of every match being read first.
        people = cast(
            People,
            people.extra(
                tables=["people_person_fts"],
                where=["people_person_fts.rowid = people_person.id", "people_person_fts MATCH %s"],
                params=[match],
                select={"match_order": "people_person_fts.rowid"},
            ),
        )
        words = [w for w in words if len(w) < MIN_INDEXED]
    else:
        people = cast(People, people.extra(select={"match_order": "people_person.id"}))
    if vendor == "postgresql":
        for word in words:
            people = people.filter(_pg_q(word))
        return people
    for word in words:
        people = people.filter(_like_q(word))
    return people
