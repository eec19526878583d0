from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from daptar.operations.orphans import delete_orphans


class Command(BaseCommand):
    help = (
        "Delete stored files that no row names (left by a request killed mid-upload), "
        "once older than DAPTAR_ORPHAN_GRACE_HOURS. The periodic job runs it hourly."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--dry-run", action="store_true", help="only list them")

    def handle(self, *args: Any, dry_run: bool, **options: Any) -> None:
        names = delete_orphans(dry_run=dry_run)
        for name in names:
            self.stdout.write(name)
        verb = "would delete" if dry_run else "deleted"
        self.stderr.write(f"{verb} {len(names)} file(s) with no row")
