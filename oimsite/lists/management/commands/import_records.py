"""`manage.py import_records MODEL FILE [--dry-run] [--mode all|valid]` and `import_records MODEL --template
FILE.xlsx`: the admin's spreadsheet import from the terminal (oimsite/lists/imports.py)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError, CommandParser

from oimsite.lists.imports import (
    LANGUAGES,
    MODES,
    ImportRefused,
    check_size,
    read_table,
    resource_for,
    run_import,
    template_bytes,
)


class Command(BaseCommand):
    help = ("Import records from a CSV or XLSX file (a dry run first: --dry-run writes nothing and prints the "
            "report of each row), or write the model's template (--template FILE.xlsx).")

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("model", help="The model, as app_label.Model (returns.Returnee).")
        parser.add_argument("file", nargs="?", help="The CSV or XLSX file to import.")
        parser.add_argument("--dry-run", action="store_true", help="Check every row and write nothing.")
        parser.add_argument("--mode", choices=MODES, default="all",
                            help="all (default): every row or none; valid: the valid rows only.")
        parser.add_argument("--allow-duplicates", action="store_true",
                            help="Import rows that may be people already recorded as new people.")
        parser.add_argument("--template", metavar="FILE.xlsx", help="Write the model's empty template.")
        parser.add_argument("--language", choices=LANGUAGES, default="fr", help="The template's headers.")
        parser.add_argument("--user", help="The staff member the history and the audit log name.")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            resource_class = resource_for(options["model"])
        except ImportRefused as exc:
            raise CommandError(str(exc)) from exc
        if options["template"]:
            Path(options["template"]).write_bytes(template_bytes(resource_class, options["language"]))
            self.stdout.write(f"Template written to {options['template']}.")
            return
        if not options["file"]:
            raise CommandError("Give the FILE to import, or --template FILE.xlsx.")
        user = None
        if options["user"]:
            user = get_user_model().objects.filter(username=options["user"]).first()
            if user is None:
                raise CommandError(f"No user named {options['user']!r}.")
        path = Path(options["file"])
        try:
            check_size(path.stat().st_size)
            dataset = read_table(path.read_bytes(), path.name)
        except OSError as exc:
            raise CommandError(f"{path}: cannot be read: {exc}") from exc
        except ImportRefused as exc:
            raise CommandError(f"{path.name}: {exc}") from exc
        report = run_import(resource_class(), dataset, user=user, file_name=path.name, dry_run=options["dry_run"],
                            mode=options["mode"], allow_duplicates=options["allow_duplicates"])
        for row in report.rows:
            if row.problems:
                for label, message in row.problems:
                    where = f"{label}: " if label else ""
                    self.stdout.write(f"row {row.number}: {row.outcome_label}: {row.record} {where}{message}".rstrip())
            elif options["verbosity"] > 1 or report.dry_run:
                self.stdout.write(f"row {row.number}: {row.outcome_label}: {row.record}".rstrip())
        if report.problems:
            raise CommandError(report.summary())
        self.stdout.write(report.summary())
        if not report.dry_run and not report.written:
            raise CommandError("Nothing was written.")
