"""axe-core (bundled with axe-playwright-python, run in Debian's Chromium) finds no violation on our pages.

The stock Django admin scores zero; so must every page of ours, logged out and logged in, on a desktop screen
and at phone width, and every admin add and change form of the registered models, the autocomplete boxes
(select2) among them.
"""

from datetime import date

import pytest
from django.contrib import admin
from django.contrib.auth import get_user_model
from django.test import RequestFactory
from django.urls import reverse
from playwright.sync_api import Page

from documents.models import Document
from reintegration import sustainability
from reintegration.models import ReintegrationPlan
from tests import helpers

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "Correct-Horse-Battery-9"
SITE_PAGES = [
    "dashboard",
    "reconciliation",
    "returns:returnee_list",
    "reintegration:session_list",
    "resettlement:file_list",
    "resettlement:refugee_list",
    "my_work",
    "caseload",
    # Issue 18: the movement team's list, the partner directory, the referrals.
    "returns:travel_list",
    "reintegration:partner_list",
    "reintegration:referral_list",
    # Issues 16 and 19: the plans, the follow-ups, the sustainability surveys.
    "reintegration:plan_list",
    "reintegration:followup_list",
    "reintegration:survey_list",
]
WIDTHS = helpers.AXE_WIDTHS


@pytest.fixture(scope="session")
def browser_context_args(browser_context_args):
    # axe is injected as a script: let it run whatever the site's Content-Security-Policy says.
    return {**browser_context_args, "bypass_csp": True}


def log_in(page: Page, base: str, django_user_model) -> None:
    django_user_model.objects.create_superuser("agent", "agent@example.org", PASSWORD)
    page.goto(f"{base}{reverse('login')}")
    page.fill("input[name=username]", "agent")
    page.fill("input[name=password]", PASSWORD)
    page.locator("form button[type=submit].primary").click()
    page.wait_for_url(f"{base}/")


@pytest.fixture
def records(transactional_db):
    from django.core.management import call_command

    from reintegration.models import Referral
    from reintegration.services import save_referral
    from tests import helpers as f

    call_command("loaddata", "published_2024", verbosity=0)
    person = f.saved_returnee(vulnerable=True, notes="Suivi.")
    f.build_session(person).save()
    file = f.build_file(notes="Famille.")
    file.save()
    refugee = f.build_refugee(file)
    refugee.save()
    person.family_name = "Koné-Traoré"
    person.save()  # a change in the history
    # Issue 18: a case before its travel, with its departure checklist, signed declaration (a document) and a
    # referral to a partner; the file's refugee with the resettlement checklist's dates.
    waiting = f.returnee(departed=None, given="Awa", family="Sow", consent_scope="data_sharing",
                         consent_date=date(2024, 4, 1))
    f.ready_to_travel(waiting, departure=date(2024, 5, 10))
    partner = f.partner(name="Centre Amal")
    referral = Referral(returnee=waiting, partner=partner, service="health", sent_on=date(2024, 6, 1))
    referral.full_clean()
    save_referral(referral, by=None)
    refugee.medical_clearance_on = refugee.exit_permit_on = date(2024, 5, 2)
    refugee.save()
    # Issues 16 and 19: the returned case's plan, two follow-ups done (a survey taken at the first).
    plan = ReintegrationPlan.objects.create(returnee=person, status="agreed", agreed_on=date(2024, 5, 12))
    first, second = person.follow_ups.order_by("due_date")[:2]
    for follow_up in (first, second):
        follow_up.done_on, follow_up.outcome = follow_up.due_date, "reached"
        follow_up.save()
    survey = sustainability.new_survey(first, None)
    survey.interviewer = get_user_model().objects.create_user("interviewer", is_staff=True)
    answers = {indicator.pk: indicator.options.order_by("position")[0].pk
               for indicator in sustainability.survey_form_indicators(survey.version)}
    sustainability.save_survey(survey, answers, complete=True)
    return {"returnee": person, "session": person.sessions.get(), "file": file, "refugee": refugee,
            "waiting": waiting, "partner": partner, "referral": referral, "plan": plan, "follow_up": first,
            "open_follow_up": second, "survey": survey}


@pytest.mark.parametrize("width", WIDTHS)
def test_login_page_has_no_axe_violation(page: Page, live_server, width):
    page.set_viewport_size({"width": width, "height": 900})
    page.goto(f"{live_server.url}{reverse('login')}")
    assert helpers.axe_violations(page) == []


def test_site_pages_have_no_axe_violation(page: Page, live_server, django_user_model, records):
    log_in(page, live_server.url, django_user_model)
    urls = [reverse(name) for name in SITE_PAGES]
    urls += [f"{reverse('dashboard')}?year=2023", f"{reverse('returns:returnee_list')}?returned_in=abc"]
    urls += [record.get_absolute_url() for record in records.values()]
    urls.append(reverse("reintegration:survey_entry", args=[records["open_follow_up"].pk]))
    urls += ["/returns/999999/"]  # our 404 page
    found = helpers.axe_violations_on(page, live_server.url, urls, errors={"/returns/999999/": 404,
                                                                "/returns/?returned_in=abc": 400})
    assert found == {}, helpers.axe_report(found)


# Our apps' models. Django's own auth admin (users, groups) still fails axe in Django 5.2: the help icons of
# its two-list selector carry a prohibited aria-label, and the user's last-login date and time have no label.
OUR_APPS = {"returns", "reintegration", "resettlement", "accounts", "oimsite", "documents"}


def admin_pages(records) -> list[str]:
    """The admin index, and each of our registered models' changelist, add form and change form."""
    urls = [reverse("admin:index")]
    # The add forms a superuser is offered (the logs and surveys are added elsewhere, never by hand).
    request = RequestFactory().get("/")
    request.user = get_user_model()(is_superuser=True, is_staff=True, is_active=True)
    for model, model_admin in admin.site._registry.items():
        if model._meta.app_label not in OUR_APPS:
            continue
        info = f"admin:{model._meta.app_label}_{model._meta.model_name}"
        urls.append(reverse(f"{info}_changelist"))
        if model_admin.has_add_permission(request):
            urls.append(reverse(f"{info}_add"))
        obj = model._default_manager.order_by("pk").first()
        if obj is not None:
            urls.append(reverse(f"{info}_change", args=[obj.pk]))
    for record in records.values():
        info = f"admin:{record._meta.app_label}_{record._meta.model_name}"
        urls += [reverse(f"{info}_history", args=[record.pk]), reverse(f"{info}_delete", args=[record.pk])]
    return urls


def test_admin_pages_and_forms_have_no_axe_violation(page: Page, live_server, django_user_model, records):
    log_in(page, live_server.url, django_user_model)
    urls = admin_pages(records)
    assert reverse("admin:reintegration_supportsession_add") in urls
    # Issue 18: the partner and referral admin, the document upload form and a document's page, the departure
    # checklist (the returnee's inline) of a case with one.
    for name in ("reintegration_partner", "reintegration_referral", "documents_document"):
        assert reverse(f"admin:{name}_add") in urls and reverse(f"admin:{name}_changelist") in urls
    assert reverse("admin:documents_document_change", args=[Document.objects.order_by("pk").first().pk]) in urls
    urls.append(reverse("admin:returns_returnee_change", args=[records["waiting"].pk]))
    # Issue 17: the import page, and the possible duplicates (one of each kind) and merge pages with content.
    person, waiting = records["returnee"], records["waiting"]
    twin = helpers.saved_returnee(given_name=person.given_name, family_name=person.family_name,
                                  date_of_birth=person.date_of_birth)
    helpers.ready_to_travel(twin, travel_document_number=waiting.checklist.travel_document_number)
    urls += [reverse("admin:returns_returnee_import"), reverse("admin:returns_returnee_duplicates"),
             reverse("admin:returns_returnee_merge", args=[person.pk]),
             reverse("admin:returns_returnee_merge", args=[person.pk]) + f"?other={twin.pk}"]
    found = helpers.axe_violations_on(page, live_server.url, urls)
    assert found == {}, helpers.axe_report(found)


def test_the_admin_autocomplete_has_an_accessible_name_once_opened(page: Page, live_server, django_user_model,
                                                                   records):
    """The returnee box of a new session (select2): its closed box and its open search field are named."""
    log_in(page, live_server.url, django_user_model)
    page.goto(f"{live_server.url}{reverse('admin:reintegration_supportsession_add')}")
    page.locator(".field-returnee .select2-selection").click()
    page.locator(".select2-search__field").fill("Kon")
    page.locator(".select2-results__option", has_text="Koné-Traoré").wait_for()
    problems = helpers.axe_violations(page)
    assert problems == [], "\n".join(problems)
    assert page.get_by_role("combobox", name="Migrant de retour").count() >= 1
