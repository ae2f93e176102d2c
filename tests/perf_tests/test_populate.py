"""`populate --scale N`: N exact copies of the baseline's shape, valid records, nothing written on bad input."""

import io
import random

import pytest
from django.core.management import CommandError, call_command

from oimsite import scale
from reintegration.models import SupportSession
from resettlement.models import Refugee, ResettlementFile
from returns.models import Returnee

pytestmark = pytest.mark.django_db

MODELS = {
    "returns.returnee": Returnee,
    "returns.returnee_vulnerabilities": Returnee.vulnerabilities.through,
    "reintegration.supportsession": SupportSession,
    "resettlement.resettlementfile": ResettlementFile,
    "resettlement.refugee": Refugee,
}


def counts() -> dict[str, int]:
    return {label: model.objects.count() for label, model in MODELS.items()}


@pytest.fixture(scope="module")
def template():
    return scale.load_template()


def test_scale_one_adds_one_copy_of_every_model(template):
    before = counts()
    returned_2024 = Returnee.objects.from_morocco().returned_in(2024).count()
    call_command("populate", scale="1", no_progress=True, stdout=io.StringIO())
    after = counts()
    assert {label: after[label] - before[label] for label in MODELS} == template.counts()
    # Copies are moved at least two years back: the 2024 figures are those of the baseline alone.
    assert Returnee.objects.from_morocco().returned_in(2024).count() == returned_2024


def test_scale_two_twice_keeps_numbers_unique(template):
    out = io.StringIO()
    call_command("populate", scale="2", no_progress=True, stdout=out)
    call_command("populate", scale="1", no_progress=True, stdout=out)
    assert Returnee.objects.count() == 3 * len(template.returnees)
    numbers = list(Returnee.objects.values_list("case_number", flat=True))
    assert len(numbers) == len(set(numbers))
    files = list(ResettlementFile.objects.values_list("file_number", flat=True))
    assert len(files) == len(set(files))
    assert "Added 2 batch(es)" in out.getvalue()


def test_created_records_pass_full_clean():
    call_command("populate", scale="1", no_progress=True, stdout=io.StringIO())
    rng = random.Random(6)
    for model in (Returnee, SupportSession, ResettlementFile, Refugee):
        pks = list(model.objects.values_list("pk", flat=True))
        for obj in model.objects.filter(pk__in=rng.sample(pks, min(150, len(pks)))):
            obj.full_clean()  # raises ValidationError naming the rule broken
    # Every reinforced session belongs to a returnee with a recorded vulnerability.
    assert not SupportSession.objects.filter(enhanced=True, returnee__vulnerabilities__isnull=True).exists()


@pytest.mark.parametrize("bad", ["0", "-1", "abc", "1.5", ""])
def test_bad_scale_is_refused_and_writes_nothing(bad):
    before = counts()
    with pytest.raises(CommandError, match=r"--scale must be a positive integer .* Nothing was written\."):
        call_command("populate", scale=bad, no_progress=True, stdout=io.StringIO())
    assert counts() == before


def test_interrupted_run_keeps_only_complete_batches(monkeypatch, template):
    original = Refugee.objects.bulk_create
    calls = {"n": 0}

    def interrupt_second_batch(*args, **kwargs):
        calls["n"] += 1
        if calls["n"] == 2:
            raise KeyboardInterrupt
        return original(*args, **kwargs)

    monkeypatch.setattr(Refugee.objects, "bulk_create", interrupt_second_batch)
    before = counts()
    with pytest.raises(CommandError, match=r"Interrupted: 1 complete batch\(es\) of 3 were written"):
        call_command("populate", scale="3", no_progress=True, stdout=io.StringIO())
    after = counts()
    # The second batch had written its returnees, sessions and files before the interrupt: all rolled back.
    assert {label: after[label] - before[label] for label in MODELS} == template.counts()


def test_progress_bar_goes_to_the_stream():
    stream = io.StringIO()
    result = scale.populate(2, progress_stream=stream)
    assert result.batches == 2
    assert "2/2 batches" in stream.getvalue()
