"""years_with_records' skip scan finds the same years as a DISTINCT over every row: those of returns, sessions
and files' referrals and departures."""

import io

import pytest
from django.core.management import call_command

from oimsite.reporting import indicators
from reintegration.models import SupportSession
from resettlement.models import ResettlementFile
from returns.models import Returnee

pytestmark = pytest.mark.django_db


def distinct_years() -> list[int]:
    years = {d.year for d in Returnee.objects.filter(departure_date__isnull=False).dates("departure_date", "year")}
    years |= {d.year for d in ResettlementFile.objects.departed().dates("departure_date", "year")}
    years |= {d.year for d in ResettlementFile.objects.dates("referral_date", "year")}
    years |= {d.year for d in SupportSession.objects.dates("date", "year")}
    return sorted(years, reverse=True)


def test_years_with_records_equals_the_distinct_years(sample_baseline):
    assert indicators.years_with_records() == []
    # Copies of a sample of the baseline, each moved further back: records in many years.
    call_command("populate", scale="3", no_progress=True, stdout=io.StringIO())
    assert len(distinct_years()) >= 3
    assert indicators.years_with_records() == distinct_years()
