"""The baseline generator is reproducible, and the committed fixture is exactly its output."""

from pathlib import Path

from django.conf import settings
from django.core.management import call_command

from oimsite.baseline.generator import DEFAULT_SEED, FIXTURE_NAME

COMMITTED = Path(settings.BASE_DIR) / "fixtures" / FIXTURE_NAME


def generate(out: Path, *options: str) -> bytes:
    call_command("generate_baseline", "--out", str(out), *options, stdout=open("/dev/null", "w"))  # noqa: SIM115
    return (out / FIXTURE_NAME).read_bytes()


def test_the_generator_gives_the_same_bytes_twice_and_they_are_the_committed_fixture(tmp_path):
    first = generate(tmp_path / "first")
    second = generate(tmp_path / "second", "--seed", str(DEFAULT_SEED))
    assert first == second
    assert first == COMMITTED.read_bytes(), "fixtures/baseline_2024.json is stale: run `manage.py generate_baseline`"


def test_another_seed_gives_other_people(tmp_path):
    assert generate(tmp_path / "other", "--seed", "7") != COMMITTED.read_bytes()
