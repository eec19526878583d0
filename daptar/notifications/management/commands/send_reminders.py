import signal
import sys
import threading
from types import FrameType
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from daptar.dashboard.tasks import schedule_warm
from daptar.directives.tasks import send_reminders
from daptar.lib.maintenance import refresh_statistics
from daptar.meetings.tasks import send_meeting_reminders
from daptar.notifications.tasks import sweep
from daptar.operations.housekeeping import housekeeping
from daptar.reports.tasks import sweep as sweep_reports
from daptar.returns.tasks import send_return_reminders
from daptar.social.tasks import sweep as sweep_social


class Command(BaseCommand):
    help = (
        "One pass of the periodic job: reminders and escalation, then the outbox. "
        "Run it from cron, or with --every SECONDS to keep running (make run does)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--every", type=int, default=0, help="repeat every N seconds")

    def handle(self, *args: Any, every: int, **options: Any) -> None:
        stop = threading.Event()
        if every:
            # SIGINT/SIGTERM: finish the pass in hand, then exit 0; a second one exits at once.
            def on_signal(signum: int, frame: FrameType | None) -> None:
                if stop.is_set():
                    sys.exit(0)
                stop.set()

            signal.signal(signal.SIGINT, on_signal)
            signal.signal(signal.SIGTERM, on_signal)
        while True:
            done = {
                "tasks": housekeeping(),  # expired task leases, files left without a row
                "directives": send_reminders(),
                "meetings": send_meeting_reminders(),
                "returns": send_return_reminders(),
                "reports": sweep_reports(),  # due social posts, photos a dead worker left
                "social": sweep_social(),  # posts on Facebook, Telegram, X; bot notices
                "outbox": sweep(),
            }
            refresh_statistics()
            schedule_warm()  # the centre's long dashboard windows, counted ahead of readers
            if options["verbosity"] > 1 or any(any(counts.values()) for counts in done.values()):
                self.stdout.write("; ".join(f"{name} {counts}" for name, counts in done.items()))
            if not every or stop.wait(every):
                return
