from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from daptar.operations import backups


class Command(BaseCommand):
    help = (
        "Put a backup folder (from `manage.py backup`) back: the database is replaced and "
        "the media folder made the same as the backup's. Then checks rows and file hashes."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("folder", type=Path)
        parser.add_argument(
            "--no-input", action="store_false", dest="interactive", help="do not ask first"
        )

    def handle(self, *args: Any, folder: Path, interactive: bool, **options: Any) -> None:
        try:
            manifest = backups.read_manifest(folder)
        except backups.BackupError as exc:
            raise CommandError(str(exc)) from exc
        if interactive:
            answer = input(
                f"Replace this site's database and media with the backup of "
                f"{manifest['taken_at']}? Type 'yes' to go on: "
            )
            if answer.strip().lower() != "yes":
                raise CommandError("Restore cancelled.")
        try:
            backups.restore(folder)
        except backups.BackupError as exc:
            raise CommandError(str(exc)) from exc
        problems = backups.verify(folder)
        for problem in problems:
            self.stderr.write(problem)
        if problems:
            raise CommandError(f"restored, but {len(problems)} difference(s) from the backup")
        self.stdout.write(f"Restored the backup of {manifest['taken_at']}; rows and files match.")
