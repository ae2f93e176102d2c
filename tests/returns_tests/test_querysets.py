"""The QuerySet methods that name the report's populations."""

from datetime import date

import pytest

from oimsite.core.models_base import age_on
from reintegration.models import Kind, Mode, Phase, Provider
from resettlement.models import Refugee, Stage
from returns.models import AGE_BAND_BOUNDS, Returnee, ReturnStatus
from tests import helpers as f

pytestmark = pytest.mark.django_db


def test_from_and_to_morocco_split_the_returnees():
    out = f.saved_returnee(host_country="MA", return_country="SN")
    home = f.saved_returnee(host_country="TR", return_country="MA", nationality="MA")
    assert list(Returnee.objects.from_morocco()) == [out]
    assert list(Returnee.objects.to_morocco()) == [home]


def test_returned_in_counts_only_departures_of_that_year():
    in_year = f.saved_returnee(departure_date=date(2024, 12, 31))
    f.saved_returnee(departure_date=date(2023, 12, 31))
    f.saved_returnee(departure_date=date(2025, 1, 1))
    f.saved_returnee(status=ReturnStatus.OPEN, departure_date=None)
    f.saved_returnee(status=ReturnStatus.WITHDRAWN, departure_date=None)
    assert list(Returnee.objects.returned_in(2024)) == [in_year]


@pytest.mark.parametrize(
    ("born", "departed"),
    [
        (date(2006, 5, 10), date(2024, 5, 10)),  # 18th birthday on the day
        (date(2006, 5, 11), date(2024, 5, 10)),  # one day short of 18
        (date(1988, 5, 10), date(2024, 5, 10)),  # 36th birthday on the day
        (date(1988, 5, 11), date(2024, 5, 10)),  # still 35
        (date(2000, 2, 29), date(2024, 2, 28)),  # leap-day birthday
        (date(2000, 12, 31), date(2024, 1, 1)),
    ],
)
def test_age_at_return_computed_by_the_database_matches_python(born, departed):
    person = f.saved_returnee(date_of_birth=born, departure_date=departed)
    annotated = Returnee.objects.with_age_at_return().get(pk=person.pk)
    assert annotated.age_at_return == age_on(born, departed) == person.age_when_returned
    in_band = Returnee.objects.aged_at_return(18, 35).filter(pk=person.pk).exists()
    assert in_band == (18 <= age_on(born, departed) <= 35)


def test_virtual_predeparture_counselling_needs_every_condition():
    counted = f.saved_returnee()
    f.build_session(counted, kind=Kind.COUNSELLING, phase=Phase.PRE_DEPARTURE, mode=Mode.VIRTUAL,
              provider=Provider.IOM_ORIGIN, date=date(2024, 5, 1)).save()
    in_person = f.saved_returnee()
    f.build_session(in_person, kind=Kind.COUNSELLING, phase=Phase.PRE_DEPARTURE, mode=Mode.IN_PERSON,
              provider=Provider.IOM_ORIGIN, date=date(2024, 5, 1)).save()
    by_morocco = f.saved_returnee()
    f.build_session(by_morocco, kind=Kind.COUNSELLING, phase=Phase.PRE_DEPARTURE, mode=Mode.VIRTUAL,
              provider=Provider.IOM_MOROCCO, date=date(2024, 5, 1)).save()
    assert list(Returnee.objects.counselled_virtually_before_departure()) == [counted]


def test_support_after_return_counts_people_once_and_by_session_year():
    many = f.saved_returnee(vulnerable=True)
    for day in (1, 2, 3):
        f.build_session(many, date=date(2024, 7, day)).save()
    f.build_session(many, date=date(2024, 8, 1), enhanced=True).save()
    late = f.saved_returnee()
    f.build_session(late, date=date(2025, 1, 3)).save()
    assert list(Returnee.objects.supported_after_return_in(2024)) == [many]
    assert list(Returnee.objects.supported_after_return_in(2025)) == [late]
    assert list(Returnee.objects.enhanced_support_in(2024)) == [many]


def test_refugees_count_by_their_file_departure():
    departed = f.build_file(destination_country="US")
    departed.save()
    f.build_refugee(departed).save()
    f.build_refugee(departed, is_principal_applicant=False, relationship="child", date_of_birth=date(2015, 1, 1)).save()
    waiting = f.build_file(stage=Stage.ACCEPTED, departure_date=None)
    waiting.save()
    f.build_refugee(waiting).save()
    assert Refugee.objects.departed_in(2024).count() == 2
    assert Refugee.objects.departed_in(2024).resettled_to("US").count() == 2
    assert Refugee.objects.departed_in(2024).resettled_to("CA").count() == 0


@pytest.mark.parametrize("age", [0, 17, 18, 35, 36, 59, 60, 95])
@pytest.mark.parametrize("birthday_passed", [True, False])
def test_age_band_at_each_boundary(age, birthday_passed):
    departed = date(2024, 5, 10)
    born = date(2024 - age, 5, 10) if birthday_passed else date(2024 - age - 1, 5, 11)
    person = f.saved_returnee(date_of_birth=born, departure_date=departed)
    band = Returnee.objects.with_age_band().get(pk=person.pk).age_band
    expected = next(b for b, (low, high) in AGE_BAND_BOUNDS.items()
                    if (low is None or age >= low) and (high is None or age <= high))
    assert band == expected
