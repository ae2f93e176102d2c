"""Add N× the 2024 baseline to the configured database, for performance work (see oimsite/devtools/scale.py)."""

from django.core.management.base import BaseCommand, CommandError

from oimsite.core.params import whole_number
from oimsite.devtools.scale import PopulateInterrupted, load_template, populate


def positive_int(text: str) -> int:
    """The scale as typed: digits only, at least 1 (so `1.5`, `0`, `-1` and `abc` are refused)."""
    value = whole_number(text)
    if value is None or value < 1:
        raise CommandError(f"--scale must be a positive integer (1, 2, 100 …), not {text!r}. Nothing was written.")
    return value


class Command(BaseCommand):
    help = (
        "Add N copies of the 2024 baseline (new case and file numbers, moved 2 to 31 years back) as "
        "raw rows (COPY on PostgreSQL), one transaction per copy, showing progress on stderr."
    )

    def add_arguments(self, parser):
        # A string, checked in handle(): argparse's own int() error would not say that nothing was written.
        parser.add_argument("--scale", required=True, help="How many times the baseline to add (a positive integer).")
        parser.add_argument("--no-progress", action="store_true", help="Do not draw the progress bar.")

    def handle(self, *args, scale: str, no_progress: bool, **options) -> None:
        copies = positive_int(scale)
        template = load_template()
        self.stdout.write(f"Template: {template.source} ({template.people:,} people per copy).")
        try:
            result = populate(copies, progress_stream=None if no_progress else self.stderr._out)
        except PopulateInterrupted as stopped:
            raise CommandError(
                f"Interrupted: {stopped.batches} complete batch(es) of {copies} were written "
                f"({stopped.rows['returnees'] + stopped.rows['refugees']:,} people); the batch in progress "
                "was rolled back."
            ) from None
        rows = result.rows
        self.stdout.write(self.style.SUCCESS(
            f"Added {result.batches} batch(es): {rows['returnees']:,} returnees, {rows['sessions']:,} sessions, "
            f"{rows['files']:,} files, {rows['refugees']:,} refugees, {rows['plans']:,} plans, {rows['goals']:,} "
            f"goals, {rows['follow_ups']:,} follow-ups, {rows['assignments']:,} assignments in {result.seconds:.1f} s."
        ))
