from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from daptar.operations import backups


class Command(BaseCommand):
    help = (
        "Copy the database (SQLite online backup, or pg_dump) and the media into a new "
        "timestamped folder under DAPTAR_BACKUP_DIR, while the site runs. Prints the folder."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--to", type=Path, help="write into this new folder instead")

    def handle(self, *args: Any, to: Path | None, **options: Any) -> None:
        try:
            folder = backups.backup(to)
        except (backups.BackupError, FileExistsError) as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(str(folder))
