"""Load the 2024 baseline (or other case fixtures), refusing it unless every record passes the model rules."""

from django.core.management.base import BaseCommand, CommandError
from django.db import DEFAULT_DB_ALIAS

from oimsite.baseline.loading import (
    DEFAULT_FIXTURES,
    FixtureRefused,
    has_case_records,
    load_fixtures,
    resolve_fixture,
)


class Command(BaseCommand):
    help = (
        "Load fixtures (default: baseline_2024) in one transaction, validating every record with full_clean(); "
        "on any problem nothing is loaded and each offending record is printed."
    )

    def add_arguments(self, parser):
        parser.add_argument("fixtures", nargs="*", default=DEFAULT_FIXTURES, metavar="FIXTURE",
                            help=f"Fixture names or paths (default: {' '.join(DEFAULT_FIXTURES)}).")
        parser.add_argument("--skip-if-loaded", action="store_true",
                            help="Do nothing if the database already holds case records (returnees or files).")
        parser.add_argument("--database", default=DEFAULT_DB_ALIAS)

    def handle(self, *args, fixtures: list[str], skip_if_loaded: bool, database: str, **options) -> None:
        labels = fixtures or DEFAULT_FIXTURES
        try:
            paths = [resolve_fixture(label) for label in labels]
            if skip_if_loaded and has_case_records(database):
                self.stdout.write("The database already holds case records: already loaded, nothing to do.")
                return
            result = load_fixtures(paths, database)
        except FixtureRefused as refused:
            for problem in refused.problems:
                self.stderr.write(problem)
            raise CommandError(
                f"Refused {', '.join(labels)}: {len(refused.problems)} problem(s) listed above; "
                "nothing was loaded, the database is unchanged."
            ) from refused
        for label, count in result.counts.items():
            self.stdout.write(f"  {label}: {count:,}")
        if result.planned_follow_ups:
            self.stdout.write(f"  {result.planned_follow_ups:,} follow-ups planned by the schedule for returned cases "
                              "that came without theirs.")
        self.stdout.write(self.style.SUCCESS(
            f"Loaded {result.total:,} records from {', '.join(labels)} in {result.seconds:.1f} s."
        ))
