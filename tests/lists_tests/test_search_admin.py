"""What the admin's searches find (oimsite.admin_search): related fields through subqueries, word by word."""

from datetime import date

import pytest
from django.urls import reverse

from tests import helpers

pytestmark = pytest.mark.django_db


def found(client, name: str, term: str) -> set[str]:
    response = client.get(reverse(name), {"q": term})
    assert response.status_code == 200
    return {str(obj.pk) for obj in response.context["cl"].result_list}


def test_sessions_are_found_by_their_returnee_number_and_names(admin_client_logged):
    amina = helpers.returnee(given="Amina", family="Benali")
    omar = helpers.returnee(given="Omar", family="Amrani")
    a = helpers.session(amina, on=date(2024, 6, 1))
    o = helpers.session(omar, on=date(2024, 6, 2))
    name = "admin:reintegration_supportsession_changelist"
    assert found(admin_client_logged, name, "amina") == {str(a.pk)}  # given name, any case
    assert found(admin_client_logged, name, "AMR") == {str(o.pk)}  # family name prefix
    assert found(admin_client_logged, name, amina.case_number.lower()) == {str(a.pk)}
    assert found(admin_client_logged, name, "mina") == set()  # a prefix search: not inside a word
    assert found(admin_client_logged, name, "Amina Benali") == {str(a.pk)}  # every word must match
    assert found(admin_client_logged, name, "Amina Amrani") == set()


def test_files_are_found_by_number_or_by_any_refugee_name_once_each(admin_client_logged):
    big = helpers.resettlement_file(size=3)  # refugees Person0..2, family Family<n>
    small = helpers.resettlement_file(size=1)
    name = "admin:resettlement_resettlementfile_changelist"
    assert found(admin_client_logged, name, big.file_number) == {str(big.pk)}
    response = admin_client_logged.get(reverse(name), {"q": "person"})  # every refugee matches: no duplicates
    assert sorted(obj.pk for obj in response.context["cl"].result_list) == sorted([big.pk, small.pk])
    family = big.refugees.first().family_name
    assert found(admin_client_logged, name, family.upper()) == {str(big.pk)}


def test_refugees_are_found_by_name_or_file_number(admin_client_logged):
    f = helpers.resettlement_file(size=2)
    other = helpers.resettlement_file(size=1)
    name = "admin:resettlement_refugee_changelist"
    assert found(admin_client_logged, name, f.file_number) == {str(r.pk) for r in f.refugees.all()}
    assert found(admin_client_logged, name, "person1") == {str(f.refugees.get(given_name="Person1").pk)}
    assert found(admin_client_logged, name, f'"{other.file_number}" person0') == {
        str(other.refugees.get().pk)}
