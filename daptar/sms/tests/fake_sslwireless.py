"""A stand-in for SSL Wireless's /api/v3/send-sms on 127.0.0.1, for the gateway tests.

It remembers every csms_id it took and answers a second message with the same id
as the real API does (refused as a duplicate); a token other than the right one
is refused as unauthorised.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from typing import Any
from wsgiref.simple_server import WSGIRequestHandler, WSGIServer, make_server

TOKEN = "test-token"
PORTS = range(8510, 8599)


class _Quiet(WSGIRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:
        pass


class FakeSSLWireless:
    def __init__(self) -> None:
        self.taken: dict[str, dict[str, Any]] = {}
        self.requests: list[dict[str, Any]] = []
        self.fail_next = 0  # answer this many requests with a 500

    def __call__(self, environ: dict[str, Any], start_response: Any) -> Iterable[bytes]:
        size = int(environ.get("CONTENT_LENGTH") or 0)
        body = json.loads(environ["wsgi.input"].read(size) or b"{}")
        self.requests.append(body)
        if environ["PATH_INFO"] != "/api/v3/send-sms":
            return self._answer(start_response, "404 Not Found", {"status": "FAILED"})
        if self.fail_next:
            self.fail_next -= 1
            return self._answer(start_response, "500 Internal Server Error", {"status": "FAILED"})
        if body.get("api_token") != TOKEN:
            return self._answer(
                start_response,
                "200 OK",
                {"status": "FAILED", "status_code": 4001, "error_message": "Unauthorized"},
            )
        csms_id = body.get("csms_id", "")
        if csms_id in self.taken:
            return self._answer(
                start_response,
                "200 OK",
                {
                    "status": "FAILED",
                    "status_code": 4025,
                    "error_message": "Duplicate CSMS ID",
                    "smsinfo": [],
                },
            )
        reference = f"ref-{len(self.taken) + 1}"
        self.taken[csms_id] = body
        return self._answer(
            start_response,
            "200 OK",
            {
                "status": "SUCCESS",
                "status_code": 200,
                "error_message": "",
                "smsinfo": [
                    {
                        "sms_status": "SUCCESS",
                        "status_message": "Success",
                        "msisdn": body.get("msisdn"),
                        "csms_id": csms_id,
                        "reference_id": reference,
                    }
                ],
            },
        )

    @staticmethod
    def _answer(start_response: Any, status: str, data: dict[str, Any]) -> list[bytes]:
        start_response(status, [("Content-Type", "application/json")])
        return [json.dumps(data).encode()]


@contextmanager
def running() -> Iterator[tuple[FakeSSLWireless, str]]:
    """The fake on the first free port of this worktree's range; (fake, base URL)."""
    fake = FakeSSLWireless()
    server: WSGIServer | None = None
    for port in PORTS:
        try:
            server = make_server("127.0.0.1", port, fake, handler_class=_Quiet)
            break
        except OSError:
            continue
    assert server is not None, "no free port for the fake gateway"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield fake, f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        server.server_close()
