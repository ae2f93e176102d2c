"""`manage.py purge_import_files`: remove the files of admin imports checked (dry run) and never confirmed, once
older than IMPORT_FILE_MAX_AGE (oimsite/lists/import_files.py). Each new import does it too; run this from cron
so that the last abandoned files go even when nobody imports."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from oimsite.lists.import_files import IMPORT_FILE_MAX_AGE, purge_import_files


class Command(BaseCommand):
    help = (f"Remove the files of admin imports never confirmed, older than "
            f"{int(IMPORT_FILE_MAX_AGE.total_seconds() // 60)} minutes.")

    def handle(self, *args: Any, **options: Any) -> None:
        removed = purge_import_files()
        self.stdout.write(f"{removed} abandoned import file(s) removed.")
