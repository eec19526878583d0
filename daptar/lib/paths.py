"""Materialised paths: fixed-width decimal steps, so a subtree is one range.

A unit's path is its parent's path plus a STEP-digit segment. Digits only, so
that "path >= p AND path < upper(p)" selects exactly the subtree under any
database collation (PostgreSQL's locale collations ignore punctuation, which
rules out the usual "p~" upper bound) and uses a plain B-tree index.
"""

from django.db.models import Q

STEP = 4
MAX_SEGMENT = 10**STEP - 2  # keeps upper() inside the same width


def segment(number: int) -> str:
    if not 1 <= number <= MAX_SEGMENT:
        raise ValueError(f"a unit can have at most {MAX_SEGMENT} children")
    return f"{number:0{STEP}d}"


def upper(path: str) -> str:
    """The smallest path greater than every path under *path*."""
    head, last = path[:-STEP], int(path[-STEP:])
    return head + f"{last + 1:0{STEP}d}"


def prefix_q(path: str, field: str = "path") -> Q:
    """Rows whose *field* is *path* or lies under it."""
    return Q(**{f"{field}__gte": path, f"{field}__lt": upper(path)})


def ancestor_paths(path: str) -> list[str]:
    """Every proper prefix of *path*, root first."""
    return [path[:end] for end in range(STEP, len(path), STEP)]


def depth(path: str) -> int:
    return len(path) // STEP - 1
