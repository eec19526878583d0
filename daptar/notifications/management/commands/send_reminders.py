import time
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from daptar.directives.tasks import send_reminders
from daptar.lib.maintenance import refresh_statistics
from daptar.notifications.tasks import sweep


class Command(BaseCommand):
    help = (
        "One pass of the periodic job: directive reminders and escalation, then the outbox. "
        "Run it from cron, or with --every SECONDS to keep running (make run does)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--every", type=int, default=0, help="repeat every N seconds")

    def handle(self, *args: Any, every: int, **options: Any) -> None:
        while True:
            reminders = send_reminders()
            outbox = sweep()
            refresh_statistics()
            if options["verbosity"] > 1 or any(reminders.values()) or any(outbox.values()):
                self.stdout.write(f"reminders {reminders}; outbox {outbox}")
            if not every:
                return
            time.sleep(every)
