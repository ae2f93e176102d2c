"""Names in Arabic script: recorded beside the Latin name, shown with it, found by the lists' and the admin's
search whatever the vowel marks and the spelling of alef, ya and ta marbuta, alike on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import date

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.urls import reverse
from django.utils import translation

from oimsite.lists.search import fold
from tests import helpers

pytestmark = pytest.mark.django_db


def listed(client, name: str, term: str) -> set[int]:
    response = client.get(reverse(name), {"q": term, "per_page": 500})
    assert response.status_code == 200
    return {row.record.pk for row in response.context["table"].page.object_list}


def changelist(client, name: str, term: str) -> set[int]:
    response = client.get(reverse(name), {"q": term})
    assert response.status_code == 200
    return {obj.pk for obj in response.context["cl"].result_list}


@pytest.mark.parametrize("value", ["أحمد", "إبراهيم", "آمنة", "ٱلله", "مُحَمَّد", "فاطمة", "مصطفى", "عـلـي",
                                   "مؤمن", "هانئ", "يوسف بن علي", "Koné أحمد"])
def test_the_database_folds_arabic_as_python_does(value):
    with connection.cursor() as cursor:
        cursor.execute("SELECT search_fold(%s)", [value])
        assert cursor.fetchone()[0] == fold(value)


def test_arabic_is_folded_as_search_engines_fold_it():
    assert fold("أحمد") == fold("احمد") == fold("إحمد") == "احمد"
    assert fold("مُحَمَّد") == fold("محمد")  # vowel marks and shadda
    assert fold("فاطمة") == fold("فاطمه")  # ta marbuta
    assert fold("مصطفى") == fold("مصطفي")  # alef maqsura
    assert fold("عـلـي") == fold("علي")  # tatweel


@pytest.fixture
def arabic_names():
    ahmed = helpers.returnee(given="Ahmed", family="Benali", name_ar="أحمد بن علي")
    fatima = helpers.returnee(given="Fatima", family="Mansouri", name_ar="فاطمة المنصوري")
    latin_only = helpers.returnee(given="Awa", family="Koné")
    return ahmed, fatima, latin_only


def test_the_returnee_list_finds_arabic_names_whatever_their_spelling(admin_client_logged, arabic_names):
    ahmed, fatima, _latin_only = arabic_names
    name = "returns:returnee_list"
    assert listed(admin_client_logged, name, "أحمد") == {ahmed.pk}
    assert listed(admin_client_logged, name, "احمد") == {ahmed.pk}  # alef without hamza
    assert listed(admin_client_logged, name, "علي") == {ahmed.pk}  # inside the name
    assert listed(admin_client_logged, name, "فاطمه المنصوري") == {fatima.pk}  # ta marbuta written ha
    assert listed(admin_client_logged, name, "مَنْصُوري") == {fatima.pk}  # with vowel marks
    assert listed(admin_client_logged, name, "Benali علي") == {ahmed.pk}  # Latin and Arabic words together
    assert listed(admin_client_logged, name, "يوسف") == set()


def test_the_session_list_finds_sessions_by_their_returnees_arabic_name(admin_client_logged, arabic_names):
    ahmed, fatima, _latin_only = arabic_names
    session = helpers.session(ahmed, kind="counselling", phase="pre_departure", on=date(2024, 5, 1))
    helpers.session(fatima, kind="counselling", phase="pre_departure", on=date(2024, 5, 1))
    assert listed(admin_client_logged, "reintegration:session_list", "احمد") == {session.pk}


def test_the_refugee_and_file_lists_find_arabic_names(admin_client_logged):
    family = helpers.resettlement_file(size=2)
    principal = family.refugees.get(is_principal_applicant=True)
    principal.name_ar = "يوسف الحلبي"
    principal.save()
    helpers.resettlement_file(size=1)
    assert listed(admin_client_logged, "resettlement:refugee_list", "يُوسُف") == {principal.pk}
    assert listed(admin_client_logged, "resettlement:file_list", "الحلبي") == {family.pk}
    assert changelist(admin_client_logged, "admin:resettlement_refugee_changelist", "الحلبي") == {principal.pk}
    assert changelist(admin_client_logged, "admin:resettlement_resettlementfile_changelist", "يوسف") == {family.pk}


def test_the_returnee_changelist_finds_arabic_names(admin_client_logged, arabic_names):
    ahmed, _fatima, _latin_only = arabic_names
    assert changelist(admin_client_logged, "admin:returns_returnee_changelist", "علي") == {ahmed.pk}


def test_the_arabic_name_is_shown_beside_the_latin_one(admin_client_logged, arabic_names):
    ahmed, _fatima, latin_only = arabic_names
    page = admin_client_logged.get(reverse("returns:returnee_list")).content.decode()
    assert '<td lang="ar" dir="rtl">أحمد بن علي</td>' in page
    detail = admin_client_logged.get(ahmed.get_absolute_url()).content.decode()
    assert 'Ahmed Benali · <bdi lang="ar">أحمد بن علي</bdi></h1>' in detail
    assert "<bdi" not in admin_client_logged.get(latin_only.get_absolute_url()).content.decode()


def test_the_arabic_name_is_optional_and_in_arabic_letters_only():
    helpers.build_returnee(name_ar="").full_clean()
    helpers.build_returnee(name_ar="عبد الله بن يوسف").full_clean()
    for wrong in ["Ahmed", "أحمد 2", "أحمد\u200f"]:
        with translation.override("ar"):
            with pytest.raises(ValidationError) as excinfo:
                helpers.build_returnee(name_ar=wrong).full_clean()
            assert "اكتب هذا الاسم بالحروف العربية فقط" in " ".join(excinfo.value.message_dict["name_ar"]), wrong


def test_the_admin_records_the_arabic_name(admin_client_logged, arabic_names):
    ahmed, _fatima, _latin_only = arabic_names
    page = admin_client_logged.get(reverse("admin:returns_returnee_change", args=[ahmed.pk])).content.decode()
    assert 'name="name_ar"' in page and 'value="أحمد بن علي"' in page
    refugee_page = admin_client_logged.get(reverse("admin:resettlement_refugee_add")).content.decode()
    assert 'name="name_ar"' in refugee_page
