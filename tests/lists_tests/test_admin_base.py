"""The admin: every page renders, and every rule is refused on the page, next to the field, writing nothing."""

from datetime import date

import pytest
from django.contrib import admin
from django.urls import reverse
from django.utils import translation

from reintegration.models import SupportSession
from resettlement.models import Refugee, ResettlementFile
from returns.models import Returnee, VulnerabilityCategory
from tests import helpers as f
from tests.helpers import NO_CHECKLIST, in_english, returnee_add_data

# The departure checklist inline of the returnee form, left empty.
pytestmark = pytest.mark.django_db


@pytest.fixture
def records():
    person = f.saved_returnee(vulnerable=True)
    f.build_session(person).save()
    file = f.build_file()
    file.save()
    f.build_refugee(file).save()
    return person


def admin_urls(obj_for, request):
    """Each registered model's changelist, and its add/change/history pages where the admin offers them."""
    for model, model_admin in admin.site._registry.items():
        info = (model._meta.app_label, model._meta.model_name)
        yield f"changelist {info}", reverse("admin:{}_{}_changelist".format(*info))
        if model_admin.has_add_permission(request):
            yield f"add {info}", reverse("admin:{}_{}_add".format(*info))
        obj = obj_for(model)
        if obj is not None:
            yield f"change {info}", reverse("admin:{}_{}_change".format(*info), args=[obj.pk])
            if hasattr(model_admin, "history_view"):
                yield f"history {info}", reverse("admin:{}_{}_history".format(*info), args=[obj.pk])


def test_every_admin_page_renders_for_a_superuser(admin_client_logged, records, superuser, rf):
    request = rf.get("/admin/")
    request.user = superuser
    seen = 0
    for label, url in admin_urls(lambda model: model._default_manager.first(), request):
        response = admin_client_logged.get(url)
        assert response.status_code == 200, f"{label}: {url} answered {response.status_code}"
        seen += 1
    # Every registered model was walked, and the case models' add and change pages among them.
    assert seen >= len(admin.site._registry) + 4 * 3


def test_admin_index_is_in_french_by_default(admin_client_logged):
    response = admin_client_logged.get(reverse("admin:index"))
    assert response.status_code == 200
    assert '<html lang="fr"' in response.content.decode()


def add_session_inline(data, **fields):
    data["sessions-TOTAL_FORMS"] = "1"
    row = {"date": "2024-03-10", "phase": "post_return", "kind": "cash", "mode": "in_person",
           "provider": "iom_origin"}
    row.update(fields)
    for key, value in row.items():
        data[f"sessions-0-{key}"] = value
    return data


def assert_refused_on_page(response, message):
    assert response.status_code == 200, "the form should be shown again, not redirected"
    content = response.content.decode()
    assert "errorlist" in content
    assert message in content, message


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"date_of_birth": "2024-05-01", "departure_date": "2024-04-01"},
         "The departure date cannot be before the date of birth."),
        ({"return_country": "MA"}, "The country of return must differ from the host country."),
        ({"departure_date": ""}, "A case at the stage “Returned” needs a departure date."),
        ({"case_number": "bad"}, "Enter a case number such as RVA-2024-00042"),
    ],
)
def test_admin_refuses_an_invalid_returnee(admin_client_logged, overrides, message):
    with translation.override("en"):
        response = in_english(admin_client_logged).post(
            reverse("admin:returns_returnee_add"), returnee_add_data(**overrides)
        )
    assert_refused_on_page(response, message)
    assert Returnee.objects.count() == 0


def test_admin_refuses_duplicate_case_number(admin_client_logged, records):
    response = in_english(admin_client_logged).post(
        reverse("admin:returns_returnee_add"), returnee_add_data(case_number=records.case_number)
    )
    assert_refused_on_page(response, "Returnee with this Case number already exists.")
    assert Returnee.objects.count() == 1


def test_admin_refuses_post_return_session_before_departure_and_writes_nothing(admin_client_logged):
    data = add_session_inline(returnee_add_data(), date="2024-03-01")
    response = in_english(admin_client_logged).post(reverse("admin:returns_returnee_add"), data)
    assert_refused_on_page(response, "A post-return session cannot be dated before the departure (04/03/2024).")
    assert Returnee.objects.count() == 0
    assert SupportSession.objects.count() == 0


def test_admin_refuses_enhanced_support_without_vulnerability(admin_client_logged):
    data = add_session_inline(returnee_add_data(), enhanced="on")
    response = in_english(admin_client_logged).post(reverse("admin:returns_returnee_add"), data)
    assert_refused_on_page(response, "Reinforced support needs a returnee with a recorded vulnerability.")
    assert Returnee.objects.count() == 0


def test_admin_accepts_enhanced_support_with_a_vulnerability_chosen_in_the_same_form(admin_client_logged):
    category = VulnerabilityCategory.objects.get(code="child")
    data = add_session_inline(returnee_add_data(vulnerabilities=[category.pk]), enhanced="on")
    response = admin_client_logged.post(reverse("admin:returns_returnee_add"), data)
    assert response.status_code == 302, response.content.decode()[:2000]
    person = Returnee.objects.get(case_number="RVA-2024-09999")
    assert list(person.vulnerabilities.all()) == [category]
    assert person.sessions.get().enhanced


def test_admin_refuses_removing_the_last_vulnerability_of_a_case_with_reinforced_support(admin_client_logged):
    person = f.saved_returnee(vulnerable=True)
    f.build_session(person, enhanced=True).save()
    data = returnee_add_data(
        case_number=person.case_number, given_name=person.given_name, family_name=person.family_name,
        sex=person.sex, date_of_birth=person.date_of_birth.isoformat(), nationality=person.nationality.code,
        return_country=person.return_country.code, departure_date=person.departure_date.isoformat(),
        **{**NO_CHECKLIST, "sessions-TOTAL_FORMS": "0", "sessions-INITIAL_FORMS": "0"},
    )
    url = reverse("admin:returns_returnee_change", args=[person.pk])
    # A session already exists, so the inline management form must count it; send it unchanged.
    s = person.sessions.get()
    data.update({
        **NO_CHECKLIST, "sessions-TOTAL_FORMS": "1", "sessions-INITIAL_FORMS": "1", "sessions-0-id": str(s.pk),
        "sessions-0-returnee": str(person.pk), "sessions-0-date": s.date.isoformat(), "sessions-0-phase": s.phase,
        "sessions-0-kind": s.kind, "sessions-0-mode": s.mode, "sessions-0-provider": s.provider,
        "sessions-0-enhanced": "on",
    })
    response = in_english(admin_client_logged).post(url, data)
    assert_refused_on_page(response, "keep at least one recorded vulnerability")
    assert person.vulnerabilities.count() == 1


def test_admin_refuses_departed_file_without_departure_date(admin_client_logged):
    data = {
        "file_number": "RST-2024-0999", "destination_country": "CA", "stage": "departed",
        "referral_date": "2024-01-10", "departure_date": "", "consent_date": "", "consent_scope": "", "notes": "",
        "refugees-TOTAL_FORMS": "0", "refugees-INITIAL_FORMS": "0",
        "refugees-MIN_NUM_FORMS": "0", "refugees-MAX_NUM_FORMS": "1000",
    }
    response = in_english(admin_client_logged).post(
        reverse("admin:resettlement_resettlementfile_add"), data
    )
    assert_refused_on_page(response, "A departed file needs a departure date.")
    assert ResettlementFile.objects.count() == 0
    assert Refugee.objects.count() == 0


def test_admin_refuses_session_before_departure_on_its_own_page(admin_client_logged):
    person = f.saved_returnee(departure_date=date(2024, 5, 10))
    data = {"returnee": person.pk, "date": "2024-05-01", "phase": "post_return", "kind": "cash",
            "mode": "in_person", "provider": "iom_origin", "notes": ""}
    response = in_english(admin_client_logged).post(
        reverse("admin:reintegration_supportsession_add"), data
    )
    assert_refused_on_page(response, "A post-return session cannot be dated before the departure (10/05/2024).")
    assert SupportSession.objects.count() == 0


def test_a_bulk_action_goes_through_the_rows_checkboxes(admin_client_logged):
    person = f.saved_returnee()
    url = reverse("admin:returns_returnee_changelist")
    page = admin_client_logged.get(url).content.decode()
    assert f'name="_selected_action" value="{person.pk}" class="action-select"' in page
    response = admin_client_logged.post(url, {"action": "delete_selected", "_selected_action": [person.pk]})
    assert response.status_code == 200
    assert "admin/delete_selected_confirmation.html" in [t.name for t in response.templates]
    assert response.context["queryset"].get() == person
