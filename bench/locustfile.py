"""The Monday-morning mix for bench/load.py (Locust users; run through load.py, not alone).

A directive and a return went out to the wards and unions of one division. Ward and
union office secretaries open their inbox, acknowledge, send the return and upload a
report with two photos; district office secretaries watch their figures, registers and
the return's rates; anonymous readers browse the public site.

Every write carries a unique marker (in the acknowledgement note, the return's answer,
the report's title) and every response is written to BENCH_LOG as one JSON line:
kind, status, milliseconds, and for writes the marker, so load.py can reconcile the
database against what the clients were told.
"""

from __future__ import annotations

import io
import itertools
import json
import os
import random
import threading
import uuid
from typing import Any

from locust import HttpUser, between, events, task
from PIL import Image

FIXTURE = json.loads(open(os.environ["BENCH_FIXTURE"]).read())  # noqa: SIM115
LOG = open(os.environ["BENCH_LOG"], "a", buffering=1)  # noqa: SIM115
_lock = threading.Lock()
_offices = itertools.count()
_districts = itertools.count()


def log(kind: str, status: int, ms: float, marker: str = "") -> None:
    line = json.dumps({"kind": kind, "status": status, "ms": round(ms, 1), "marker": marker})
    with _lock:
        LOG.write(line + "\n")


@events.request.add_listener
def _record(
    request_type: str, name: str, response_time: float, response: Any, context: dict, **_: Any
) -> None:
    status = getattr(response, "status_code", 0) or 0
    log(name, status, response_time, (context or {}).get("marker", ""))


def photo() -> bytes:
    """A small JPEG with random pixels: two photos of one report never have one hash."""
    image = Image.new("RGB", (320, 240), tuple(random.randrange(256) for _ in range(3)))  # noqa: S311
    image.putpixel((random.randrange(320), random.randrange(240)), (1, 2, 3))  # noqa: S311
    out = io.BytesIO()
    image.save(out, "JPEG", quality=70)
    return out.getvalue()


class Office(HttpUser):
    """A ward's or union's office secretary, on a phone."""

    weight = 8
    wait_time = between(1, 4)

    def on_start(self) -> None:
        account = FIXTURE["offices"][next(_offices) % len(FIXTURE["offices"])]
        self.client.headers["Authorization"] = f"Token {account['token']}"
        self.acknowledged = self.sent = False

    def marker(self) -> str:
        return f"bench-{uuid.uuid4().hex}"

    @task(6)
    def inbox(self) -> None:
        self.client.get("/api/v1/directives/", name="inbox")

    @task(2)
    def acknowledge(self) -> None:
        if self.acknowledged:
            return self.inbox()
        self.acknowledged = True
        marker = self.marker()
        self.client.post(
            f"/api/v1/directives/{FIXTURE['directive']}/acknowledge/",
            json={"note": marker},
            name="acknowledge",
            context={"marker": marker},
        )
        return None

    @task(2)
    def send_return(self) -> None:
        if self.sent:
            return self.inbox()
        self.sent = True
        marker = self.marker()
        self.client.post(
            f"/api/v1/returns/{FIXTURE['form']}/submissions/",
            json={"data": {"members": random.randint(1, 500), "note": marker}},  # noqa: S311
            name="return",
            context={"marker": marker},
        )
        return None

    @task(1)
    def report(self) -> None:
        marker = self.marker()
        self.client.post(
            "/api/v1/reports/",
            data={
                "title": f"Tree planting {marker}",
                "body": "Saplings planted in every ward.",
                "category": "programme",
                "event_date": FIXTURE["yesterday"],
                "place": "School field",
                "participants": 40,
            },
            files=[
                ("photos", ("a.jpg", photo(), "image/jpeg")),
                ("photos", ("b.jpg", photo(), "image/jpeg")),
            ],
            name="report",
            context={"marker": marker},
        )


class District(HttpUser):
    """A district's office secretary, watching figures and registers."""

    weight = 1
    wait_time = between(2, 6)

    def on_start(self) -> None:
        account = FIXTURE["districts"][next(_districts) % len(FIXTURE["districts"])]
        self.client.headers["Authorization"] = f"Token {account['token']}"

    @task(3)
    def dashboard(self) -> None:
        self.client.get("/api/v1/dashboard/", name="dashboard")

    @task(2)
    def rates(self) -> None:
        self.client.get(f"/api/v1/returns/{FIXTURE['form']}/rates/", name="rates")

    @task(2)
    def register(self) -> None:
        self.client.get("/api/v1/letters/?box=inward", name="register")

    @task(2)
    def tracking(self) -> None:
        self.client.get("/api/v1/directives/", name="inbox")


class Reader(HttpUser):
    """Anyone, on the public website."""

    weight = 3
    wait_time = between(2, 8)

    @task(3)
    def home(self) -> None:
        self.client.get("/", name="public")

    @task(3)
    def reports(self) -> None:
        self.client.get("/reports/", name="public")

    @task(1)
    def feed(self) -> None:
        self.client.get("/feed/", name="public")

    @task(1)
    def english(self) -> None:
        self.client.get("/en/", name="public")
