import argparse
import time
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from daptar.units import demo

# What the demo activity reports, in the order it is told: key, one, many.
ACTIVITY = [
    ("directives", "directive", "directives"),
    ("deliveries", "delivery", "deliveries"),
    ("returns", "return", "returns"),
    ("submissions", "submission", "submissions"),
    ("reports", "illustrated report", "illustrated reports"),
    ("photos", "photo", "photos"),
    ("letters", "letter", "letters"),
    ("meetings", "meeting", "meetings"),
    ("invitations", "invitation", "invitations"),
]


class Command(BaseCommand):
    help = (
        "Build the demo country (idempotent): --scale small (default) or full; on the small "
        "scale also a little demo activity (directives, a return, reports, letters, a meeting)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--scale", choices=["small", "full"], default="small")
        parser.add_argument("--password", help="password for the named demo logins")
        parser.add_argument(
            "--activity",
            action=argparse.BooleanOptionalAction,
            default=None,
            help=(
                "add the demo activity, once (default: on for --scale small; the full scale "
                "is for benchmarks and stays bare)"
            ),
        )

    def handle(
        self,
        *args: Any,
        scale: str,
        password: str | None,
        activity: bool | None,
        **options: Any,
    ) -> None:
        started = time.perf_counter()
        report = demo.seed(scale, password)
        seconds = time.perf_counter() - started
        if report.rows:
            self.stdout.write(
                f"Seeded {report.units:,} units, {report.people:,} people and "
                f"{report.terms:,} terms in {seconds:.1f} s ({report.rows / seconds:,.0f} rows/s)."
            )
        else:
            self.stdout.write("The demo country is already there; nothing to add.")
        if report.users:
            shown = report.password if password is None else "(the password you gave)"
            self.stdout.write(f"Demo logins: {', '.join(report.users)}; password: {shown}")
        if activity if activity is not None else scale == "small":
            self._activity()

    def _activity(self) -> None:
        from daptar.units.demo_activity import seed_activity

        started = time.perf_counter()
        counts = seed_activity()
        seconds = time.perf_counter() - started
        if counts:
            made = ", ".join(
                f"{n:,} {one if n == 1 else many}"
                for key, one, many in ACTIVITY
                if (n := counts.get(key, 0))
            )
            self.stdout.write(f"Demo activity: {made} in {seconds:.1f} s.")
        else:
            self.stdout.write("The demo activity is already there; nothing to add.")
