"""The Bengali catalogue is complete, and Django actually serves it."""

import os
import shutil
import subprocess
from pathlib import Path

import pytest
from django.utils import translation

PO_FILE = Path(__file__).resolve().parents[3] / "locale" / "bn" / "LC_MESSAGES" / "django.po"


def test_bengali_catalogue_has_no_untranslated_or_fuzzy_messages() -> None:
    msgfmt = shutil.which("msgfmt")
    if msgfmt is None:
        pytest.skip("msgfmt (GNU gettext) is not installed, so the catalogue cannot be checked")
    assert PO_FILE.is_file(), f"missing catalogue {PO_FILE}"

    result = subprocess.run(  # noqa: S603 - fixed arguments, no shell
        [msgfmt, "--statistics", "--check", "-o", "/dev/null", str(PO_FILE)],
        capture_output=True,
        text=True,
        check=False,
        env={**os.environ, "LC_ALL": "C"},  # English, so the words below match
    )
    output = result.stdout + result.stderr

    assert result.returncode == 0, output
    assert "translated message" in output, output
    assert "untranslated" not in output, output
    assert "fuzzy" not in output, output


def test_log_in_is_translated_to_bengali() -> None:
    with translation.override("bn"):
        text = translation.gettext("Log in")
    assert text != "Log in"
    assert any("\u0980" <= ch <= "\u09ff" for ch in text), text
