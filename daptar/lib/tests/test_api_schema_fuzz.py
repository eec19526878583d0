"""schemathesis over the API schema, against a live server, for about two minutes.

Every operation gets examples, boundary values and random data, valid and not, with
a token. The run must find no server error, no answer outside the schema (status
code, media type, body, headers), and no bad input accepted: bad input in any field
is a 4xx with a message. The token-revoking DELETE is left out: it would end the run's
own session.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
import types
from pathlib import Path
from typing import Any
from unittest import mock

import pytest
from django.test import override_settings

from daptar.lib.throttling import TokenRateThrottle

MAX_SECONDS = int(os.environ.get("DAPTAR_FUZZ_SECONDS", "120"))
# One seed, so that CI asks the same questions every run; set another to explore further.
SEED = os.environ.get("DAPTAR_FUZZ_SEED", "20261205")
CHECKS = (
    "not_a_server_error,status_code_conformance,content_type_conformance,"
    "response_schema_conformance,response_headers_conformance,negative_data_rejection"
)


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
@pytest.mark.timeout(MAX_SECONDS + 240)
def test_the_api_answers_every_generated_request_within_its_schema(
    cast: types.SimpleNamespace, live_server: Any, tmp_path: Path
) -> None:
    from daptar.accounts import actions as account_actions
    from daptar.lib.tests.test_scope_matrix import world
    from daptar.reports.tests.support import STORAGE

    # The run sends thousands of requests with one token; the rate limit is tested elsewhere.
    fast = mock.patch.dict(TokenRateThrottle.THROTTLE_RATES, {"token": "1000000/minute"})
    with override_settings(STORAGES=STORAGE), fast:
        # Something to find: one of everything in Dhaka's branch, seen by Dhaka's office.
        world(cast.dhaka, cast.dhaka_district, cast.dhaka_division, cast.central)
        token = account_actions.issue_token(cast.dhaka, by=cast.dhaka).key
        command = [
            str(Path(sys.executable).with_name("st")), "run", f"{live_server.url}/api/v1/schema/",
            "--header", f"Authorization: Token {token}",
            "--header", "Accept-Language: en",
            "--exclude-operation-id", "auth_token_destroy",
            "--checks", CHECKS,
            "--phases", "examples,coverage,fuzzing",
            "--max-time", str(MAX_SECONDS),
            "--workers", "1",
            "--no-shrink",
            "--seed", SEED,
            "--request-timeout", "30",
        ]  # fmt: skip
        result = subprocess.run(  # noqa: S603 - schemathesis from our own venv, at our server
            command,
            cwd=tmp_path,
            capture_output=True,
            text=True,
            timeout=MAX_SECONDS + 180,
            check=False,
            env={**os.environ, "NO_COLOR": "1"},
        )
    assert result.returncode == 0, result.stdout[-20000:] + result.stderr[-5000:]
    # It did run: every operation but the one left out, with many generated cases.
    tested = re.search(r"Tested: (\d+)", result.stdout)
    generated = re.search(r"(\d+) generated", result.stdout)
    assert tested and int(tested.group(1)) >= 60, result.stdout[-3000:]
    assert generated and int(generated.group(1)) >= 500, result.stdout[-3000:]
