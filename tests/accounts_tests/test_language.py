"""The interface's language: the office's default whatever the browser says, the user's choice remembered
(on this browser and, for a signed-in user, on the server), dates day-first, vulnerabilities translated;
Arabic right to left, with Western digits."""

from datetime import date
from decimal import Decimal

import pytest
from django import forms
from django.conf import settings
from django.test import Client, override_settings
from django.urls import reverse
from django.utils import translation

from accounts.models import UserPreference
from oimsite.lists.templatetags.figures import figure, percent
from returns.models import VulnerabilityCategory
from tests import helpers

pytestmark = pytest.mark.django_db

PASSWORD = "Correct-Horse-Battery-9"


def log_in(client: Client, username: str) -> None:
    response = client.post(reverse("login"), {"username": username, "password": PASSWORD})
    assert response.status_code == 302, response.content.decode()[:2000]


def choose(client: Client, language: str, next_url: str = "/") -> None:
    response = client.post(reverse("set_language"), {"language": language, "next": next_url})
    assert response.status_code == 302


def language_of(client: Client, url: str = "/login/") -> str:
    content = client.get(url, follow=True).content.decode()
    if '<html lang="en" dir="ltr">' in content:
        return "en"
    if '<html lang="ar" dir="rtl">' in content:
        return "ar"
    assert '<html lang="fr" dir="ltr">' in content, content[:300]
    return "fr"


@pytest.fixture
def staff(django_user_model):
    return [django_user_model.objects.create_superuser(name, f"{name}@example.org", PASSWORD)
            for name in ("amina", "karim")]


def test_a_browser_set_to_english_sees_the_offices_french():
    client = Client(headers={"accept-language": "en-US,en;q=0.9"})
    response = client.get(reverse("login"))
    content = response.content.decode()
    assert '<html lang="fr" dir="ltr">' in content and "Se connecter" in content
    assert response["Content-Language"] == "fr"
    assert "Accept-Language" not in response.get("Vary", "")


@override_settings(LANGUAGE_CODE="en")
def test_the_default_language_is_a_setting():
    client = Client(headers={"accept-language": "fr"})
    assert language_of(client) == "en"


def test_the_choice_is_remembered_across_logout_and_login(staff):
    browser = Client(headers={"accept-language": "fr-FR"})
    log_in(browser, "amina")
    assert language_of(browser, "/") == "fr"
    choose(browser, "en")
    assert language_of(browser, "/") == "en"
    cookie = browser.cookies[settings.LANGUAGE_COOKIE_NAME]
    assert cookie.value == "en" and int(cookie["max-age"]) >= 365 * 24 * 3600  # outlives the session
    assert UserPreference.objects.get(user__username="amina").language == "en"

    browser.post(reverse("logout"))
    assert language_of(browser) == "en"  # the login page of this browser
    log_in(browser, "amina")
    assert language_of(browser, "/") == "en"

    # Another browser (no cookie) in French: English once signed in, from the stored preference.
    elsewhere = Client(headers={"accept-language": "fr"})
    assert language_of(elsewhere) == "fr"
    log_in(elsewhere, "amina")
    assert language_of(elsewhere, "/") == "en"


def test_a_colleague_on_the_same_browser_gets_their_own_language(staff):
    browser = Client()
    log_in(browser, "amina")
    choose(browser, "en")
    browser.post(reverse("logout"))
    log_in(browser, "karim")  # never chose: the office's default
    assert language_of(browser, "/") == "fr"
    browser.post(reverse("logout"))
    log_in(browser, "amina")
    assert language_of(browser, "/") == "en"


def test_a_language_chosen_before_logging_in_is_kept(staff):
    browser = Client()
    choose(browser, "en", "/login/")
    assert language_of(browser) == "en"
    log_in(browser, "karim")
    assert language_of(browser, "/") == "en"
    assert UserPreference.objects.get(user__username="karim").language == "en"


def test_choosing_back_the_default_is_remembered_too(staff):
    browser = Client()
    log_in(browser, "amina")
    choose(browser, "en")
    choose(browser, "fr")
    assert UserPreference.objects.get(user__username="amina").language == "fr"
    elsewhere = Client()
    log_in(elsewhere, "amina")
    assert language_of(elsewhere, "/") == "fr"


@pytest.mark.parametrize("bad", ["de", "xx", "", "en-us-evil"])
def test_an_unknown_language_changes_nothing(staff, bad):
    browser = Client()
    log_in(browser, "amina")
    browser.post(reverse("set_language"), {"language": bad, "next": "/"})
    assert language_of(browser, "/") == "fr"
    assert not UserPreference.objects.filter(user__username="amina").exists()


def test_english_dates_are_day_first(admin_client_logged):
    helpers.returnee(to="SN", departed=date(2024, 5, 10), family="Ndiaye")
    admin_client_logged.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    page = admin_client_logged.get(reverse("returns:returnee_list")).content.decode()
    assert '<html lang="en" dir="ltr">' in page
    assert "10/05/2024" in page and "05/10/2024" not in page
    with translation.override("en"):
        field = forms.DateField()
        assert field.clean("31/12/2023") == date(2023, 12, 31)
        assert field.clean("2023-12-31") == date(2023, 12, 31)
        with pytest.raises(forms.ValidationError):
            field.clean("12/31/2023")  # month-first is not read
        assert forms.DateField(widget=forms.DateInput).widget.format_value(date(2023, 12, 31)) == "31/12/2023"


def test_vulnerabilities_are_named_in_the_users_language(admin_client_logged):
    returnee = helpers.returnee(to="SN")
    returnee.vulnerabilities.set(VulnerabilityCategory.objects.filter(code__in=["woman_at_risk", "trafficking_victim"]))
    url = returnee.get_absolute_url()
    french = admin_client_logged.get(url).content.decode()
    assert "Femme en situation de risque" in french and "Victime de traite" in french
    admin_client_logged.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    english = admin_client_logged.get(url).content.decode()
    assert "Woman at risk" in english and "Victim of trafficking" in english
    assert "Femme en situation de risque" not in english
    # The list's filter too.
    filter_form = admin_client_logged.get(reverse("returns:returnee_list")).content.decode()
    assert ">Woman at risk<" in filter_form and "Victime de traite" not in filter_form


def test_every_reference_category_has_its_french_name():
    from returns.vulnerability_categories import CATEGORIES

    for category in VulnerabilityCategory.objects.filter(code__in=[code for code, _label in CATEGORIES]):
        with translation.override("fr"):
            assert str(category) == category.name  # the stored name is the French one
        with translation.override("en"):
            assert str(category) != category.name


# --- Arabic ------------------------------------------------------------------------------------------------

def test_arabic_is_remembered_across_logout_and_login_and_on_another_browser(staff):
    browser = Client()
    log_in(browser, "amina")
    choose(browser, "ar")
    assert language_of(browser, "/") == "ar"
    assert UserPreference.objects.get(user__username="amina").language == "ar"
    browser.post(reverse("logout"))
    assert language_of(browser) == "ar"  # the login page of this browser
    log_in(browser, "amina")
    assert language_of(browser, "/") == "ar"
    elsewhere = Client()
    log_in(elsewhere, "amina")
    assert language_of(elsewhere, "/") == "ar"
    log_in(Client(), "karim")  # a colleague who never chose keeps the office's French
    assert UserPreference.objects.filter(user__username="karim").exists() is False


def test_arabic_pages_are_right_to_left_and_translated(admin_client_logged):
    admin_client_logged.cookies[settings.LANGUAGE_COOKIE_NAME] = "ar"
    page = admin_client_logged.get(reverse("dashboard")).content.decode()
    assert '<html lang="ar" dir="rtl">' in page
    assert "لوحة المعلومات" in page and "الانتقال إلى المحتوى" in page
    assert admin_client_logged.get(reverse("dashboard"))["Content-Language"] == "ar"
    admin = admin_client_logged.get(reverse("admin:returns_returnee_add")).content.decode()
    assert 'dir="rtl"' in admin and "admin/css/rtl.css" in admin  # Django's admin, mirrored by its own stylesheet


def test_arabic_numbers_and_dates_use_western_digits_day_first(admin_client_logged):
    for n in range(3):
        helpers.returnee(to="SN", departed=date(2024, 5, 10), family=f"Ndiaye{n}")
    admin_client_logged.cookies[settings.LANGUAGE_COOKIE_NAME] = "ar"
    page = admin_client_logged.get(reverse("returns:returnee_list")).content.decode()
    assert "10/05/2024" in page and "\u200f" not in page  # no right-to-left marks inside a date
    assert not any("\u0660" <= char <= "\u0669" for char in page)  # no Eastern Arabic digits
    with translation.override("ar"):
        assert figure(2196) == "2.196"  # Django's `ar` separators
        assert percent(Decimal("15.7")) == "15,7\u00a0%"
        field = forms.DateField()
        assert field.clean("31/12/2023") == date(2023, 12, 31)
        assert field.clean("2023-12-31") == date(2023, 12, 31)
        with pytest.raises(forms.ValidationError):
            field.clean("12/31/2023")
        assert forms.DateField(widget=forms.DateInput).widget.format_value(date(2023, 12, 31)) == "31/12/2023"


def test_exports_keep_machine_readable_values_in_arabic(client, django_user_model):
    user = django_user_model.objects.create_superuser("data", "data@example.org", PASSWORD)
    client.force_login(user)
    helpers.returnee(to="SN", departed=date(2024, 5, 10), family="Ndiaye", name_ar="أحمد")
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "ar"
    response = client.get(reverse("returns:returnee_list"), {"_export": "csv"})
    assert response.status_code == 200
    body = b"".join(response.streaming_content if response.streaming else [response.content]).decode("utf-8-sig")
    assert "2024-05-10" in body and "10/05/2024" not in body  # ISO dates
    assert "أحمد" in body
