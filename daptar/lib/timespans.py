"""Time between two datetime columns, in seconds, as plain SQL on SQLite and PostgreSQL.

Django's own `F("b") - F("a")` works on both, but on SQLite it calls a Python function for
every row; over the hundreds of thousands of deliveries a dashboard counts, that is most of
the query's time. SQLite's built-in julianday() does the same sum in C.
"""

from __future__ import annotations

from typing import Any

from django.db.models import Expression, FloatField, Func


class SecondsBetween(Func):
    """Seconds from *start* to *end* (negative when *end* is earlier); NULL if either is."""

    arity = 2
    output_field = FloatField()
    template = "EXTRACT(EPOCH FROM (%(expressions)s))"
    arg_joiner = " - "

    def __init__(self, start: Expression | str, end: Expression | str, **extra: Any) -> None:
        # The SQL reads "end - start", so the end goes first.
        super().__init__(end, start, **extra)

    def as_sqlite(self, compiler: Any, connection: Any, **extra: Any) -> Any:
        return self.as_sql(
            compiler,
            connection,
            template="((julianday(%(expressions)s)) * 86400.0)",
            arg_joiner=") - julianday(",
            **extra,
        )
