"""Measure the main pages at N× the baseline in databases of the bench's own (see oimsite/devtools/bench.py)."""

from django.core.management.base import BaseCommand, CommandError

from oimsite.devtools.bench import BenchRefused, markdown, run_bench


def scales_list(text: str) -> list[int]:
    try:
        scales = [int(part) for part in text.split(",") if part.strip()]
    except ValueError:
        scales = []
    if not scales or any(s < 1 for s in scales):
        raise CommandError(f"--scales takes positive integers separated by commas (1,10,100), not {text!r}.")
    return scales


class Command(BaseCommand):
    help = ("For each scale: create a database of its own, migrate, load N× the baseline. Then time each main "
            "page against a hand-written SQL floor, the scales taking turns; drop the databases; print a "
            "Markdown table.")

    def add_arguments(self, parser):
        parser.add_argument("--scales", default="1,10,100")
        parser.add_argument("--database-url", default=None,
                            help="The database to create (sqlite:///path or postgres://…/bench_name; "
                                 "'{scale}' in the name is replaced). Default: a temporary SQLite file, or "
                                 "bench_… on the PostgreSQL server of DATABASE_URL.")
        parser.add_argument("--repeat", type=int, default=7, help="Timed runs per page after one warm-up (≥ 1).")
        parser.add_argument("--only", default=None, help="Only pages whose group contains this text.")
        parser.add_argument("--output", default=None, help="Also write the Markdown table to this file.")

    def handle(self, *args, scales: str, database_url: str | None, repeat: int, only: str | None,
               output: str | None, **options) -> None:
        if repeat < 1:
            raise CommandError("--repeat must be at least 1.")
        def write(result) -> None:
            if output:
                with open(output, "w", encoding="utf-8") as handle:
                    handle.write(markdown(result))

        try:
            result = run_bench(scales_list(scales), database_url, repeat, log=self.stderr._out, only=only,
                               on_page=write)
        except BenchRefused as refused:
            raise CommandError(str(refused)) from None
        table = markdown(result)
        self.stdout.write(table)
