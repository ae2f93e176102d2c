"""The aggregate export shared outside IOM: countries in the order of the reader's language."""

import csv
import io
from datetime import date

import pytest
from django.utils import translation

from accounts.roles import DATA_OFFICER
from oimsite.reporting.shared_export import shared_tables
from returns.models import Returnee, ReturnStatus, Stage

pytestmark = pytest.mark.django_db

# Égypte and Éthiopie sort among the E in French, Côte d'Ivoire among the C in both languages; a sort by
# code point puts every accented initial after Z ("Égypte" after "Yémen").
COUNTRIES = ["YE", "EG", "CU", "CI", "ET", "CM", "SN", "GN"]
FRENCH = ["Cameroun", "Côte d’Ivoire", "Cuba", "Égypte", "Éthiopie", "Guinée", "Sénégal", "Yémen"]
ENGLISH = ["Cameroon", "Côte d’Ivoire", "Cuba", "Egypt", "Ethiopia", "Guinea", "Senegal", "Yemen"]


@pytest.fixture
def returns_to_eight_countries(db):
    n = 0
    for country in COUNTRIES:
        for _ in range(6):
            n += 1
            Returnee.objects.create(
                case_number=f"RVA-2024-{n:05d}", given_name="A", family_name="B", sex="F",
                date_of_birth=date(1990, 1, 1), nationality=country, host_country="MA", return_country=country,
                status=ReturnStatus.DEPARTED, stage=Stage.RETURNED, departure_date=date(2024, 6, 1),
            )


def names(labels: list[str]) -> list[str]:
    # django-countries writes the apostrophe of Côte d'Ivoire either way depending on the version.
    return [label.replace("'", "’") for label in labels]


@pytest.mark.parametrize(("language", "expected"), [("fr", FRENCH), ("en", ENGLISH)])
def test_countries_sort_by_the_languages_collation(returns_to_eight_countries, language, expected):
    with translation.override(language):
        returns_from_morocco = shared_tables(2024)[0]
        assert names(returns_from_morocco.row_labels) == expected


def test_the_csv_lists_countries_in_french_order(returns_to_eight_countries, client, django_user_model):
    from django.contrib.auth.models import Group

    user = django_user_model.objects.create_user("officer", password="Correct-Horse-Battery-9")
    user.groups.add(Group.objects.get(name=DATA_OFFICER))
    client.force_login(user)
    response = client.get("/report/shared.csv?year=2024")
    assert response.status_code == 200
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    labels = names([row[0] for row in rows if row and row[0].replace("'", "’") in FRENCH])
    assert labels[:len(FRENCH)] == FRENCH
