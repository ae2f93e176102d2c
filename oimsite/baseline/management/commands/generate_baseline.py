"""Write the synthetic 2024 baseline fixture: `python manage.py generate_baseline [--seed N] [--out DIR]`."""

from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand

from oimsite.baseline.generator import DEFAULT_SEED, write_fixture


class Command(BaseCommand):
    help = "Generate fixtures/baseline_2024.json: synthetic records that reproduce the published 2024 figures."

    def add_arguments(self, parser):
        parser.add_argument("--seed", type=int, default=DEFAULT_SEED, help=f"Random seed (default {DEFAULT_SEED}).")
        parser.add_argument(
            "--out", type=Path, default=Path(settings.BASE_DIR) / "fixtures",
            help="Directory to write baseline_2024.json into (default: the project's fixtures/).",
        )

    def handle(self, *args, seed: int, out: Path, **options) -> None:
        path = write_fixture(out, seed)
        self.stdout.write(f"Wrote {path} (seed {seed}, {path.stat().st_size:,} bytes).")
