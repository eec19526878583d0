"""What the bench scripts share: where the bench database lives, Django set-up, timing.

Importing this module does not set Django up; each script calls `setup_django()`
first thing, so `python bench/units.py` works on its own as well as from run.py.
"""

from __future__ import annotations

import json
import os
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
BENCH_DIR = ROOT / "var" / "bench"
BENCH_DB = BENCH_DIR / "full.sqlite3"
BENCH_URL = f"sqlite:///{BENCH_DB}"


def setup_django() -> None:
    """Point Django at the bench database (unless told otherwise) and set it up."""
    if str(ROOT) not in sys.path:
        sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "daptar.settings")
    os.environ.setdefault("DAPTAR_DATABASE_URL", BENCH_URL)
    BENCH_DIR.mkdir(parents=True, exist_ok=True)
    import django

    django.setup()


def sqlite_file() -> Path | None:
    """The database file when the configured database is SQLite, else None."""
    from django.db import connection

    if connection.vendor != "sqlite":
        return None
    return Path(connection.settings_dict["NAME"])


def median_ms(fn: Callable[[], Any], runs: int, warmup: int = 2) -> float:
    """Median wall time of *fn* in milliseconds, after *warmup* unmeasured calls."""
    for _ in range(warmup):
        fn()
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        fn()
        times.append((time.perf_counter() - started) * 1000)
    return statistics.median(times)


def save(path: str | None, results: dict[str, Any]) -> None:
    """Write *results* as JSON for run.py's summary table (when asked to)."""
    if path:
        Path(path).write_text(json.dumps(results, indent=1, ensure_ascii=False))


def fmt(value: float | None, digits: int = 1) -> str:
    return "—" if value is None else f"{value:,.{digits}f}"
