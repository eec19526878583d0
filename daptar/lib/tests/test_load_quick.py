"""A quick run of bench/load.py: a few users for 20 s, then the reconciliation.

granian with two workers and the task worker against a fresh small country in its
own SQLite file. It must answer every request without an error, and the database must
hold every acknowledgement, return and report (with its two photos and their files)
that a client got a 2xx for, once. Timings are printed, never asserted.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings

SECONDS = 20


@pytest.mark.timeout(600)
def test_a_quick_load_run_has_no_errors_and_reconciles(tmp_path: Path) -> None:
    env = {
        **os.environ,
        "DAPTAR_DATABASE_URL": f"sqlite:///{tmp_path / 'load.sqlite3'}",
        "DAPTAR_MEDIA_ROOT": str(tmp_path / "media"),
    }
    result = subprocess.run(  # noqa: S603 - our own bench script
        [
            sys.executable, str(Path(settings.BASE_DIR) / "bench" / "load.py"),
            "--scale", "small", "--users", "8", "--duration", str(SECONDS),
            "--workers", "2", "--port", "8230",
        ],
        cwd=settings.BASE_DIR, env=env, capture_output=True, text=True, timeout=540, check=False,
    )  # fmt: skip
    print(result.stdout)
    assert result.returncode == 0, result.stdout[-6000:] + result.stderr[-6000:]
    assert "0 errors, 0 reconciliation problems" in result.stdout
    assert "report 2xx" in result.stdout
