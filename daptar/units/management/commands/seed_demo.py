import time
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from daptar.units import demo


class Command(BaseCommand):
    help = "Build the demo country (idempotent): --scale small (default) or full."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--scale", choices=["small", "full"], default="small")
        parser.add_argument("--password", help="password for the named demo logins")

    def handle(self, *args: Any, scale: str, password: str | None, **options: Any) -> None:
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
