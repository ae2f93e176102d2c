"""Every rule of the design is refused by full_clean() with the message the user reads, and nothing is written."""

from datetime import date

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import translation

from reintegration.models import Kind, Mode, Phase, Provider, SupportSession
from resettlement.models import Refugee, Relationship, ResettlementFile, Stage
from returns.models import Returnee, ReturnStatus
from returns.models import Stage as CaseStage
from tests import helpers as f
from tests.helpers import NO_CHECKLIST

# The departure checklist inline of the returnee form, left empty.

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def english():
    with translation.override("en"):
        yield


def assert_refused(obj, field: str, message: str) -> None:
    with pytest.raises(ValidationError) as excinfo:
        obj.full_clean()
    errors = excinfo.value.message_dict
    assert field in errors, errors
    assert any(message in text for text in errors[field]), errors[field]


def test_a_valid_returnee_passes():
    f.build_returnee().full_clean()


def test_return_before_birth_is_refused():
    obj = f.build_returnee(date_of_birth=date(2024, 6, 1), departure_date=date(2024, 5, 1))
    assert_refused(obj, "departure_date", "The departure date cannot be before the date of birth.")


def test_host_country_equal_to_return_country_is_refused():
    obj = f.build_returnee(host_country="MA", return_country="MA")
    assert_refused(obj, "return_country", "The country of return must differ from the host country.")


def test_returned_case_needs_departure_date():
    obj = f.build_returnee(stage=CaseStage.RETURNED, departure_date=None)
    assert_refused(obj, "departure_date", "A case at the stage “Returned” needs a departure date.")


def test_open_case_cannot_have_departure_date():
    # The stage decides (the status follows it): a case not yet returned has no departure date.
    obj = f.build_returnee(stage=CaseStage.REGISTERED)
    assert_refused(obj, "stage", "A case with a departure date has returned: choose “Returned” or a later stage")


def test_duplicate_case_number_is_refused():
    first = f.saved_returnee()
    duplicate = f.build_returnee(case_number=first.case_number)
    assert_refused(duplicate, "case_number", "Returnee with this Case number already exists.")


def test_malformed_case_number_is_refused():
    assert_refused(f.build_returnee(case_number="42"), "case_number", "Enter a case number such as RVA-2024-00042")


def test_future_dates_are_refused():
    assert_refused(f.build_returnee(date_of_birth=date(2099, 1, 1), departure_date=None, status=ReturnStatus.OPEN),
                   "date_of_birth", "The date of birth cannot be in the future.")


def test_post_return_session_before_departure_is_refused():
    person = f.saved_returnee(departure_date=date(2024, 5, 10))
    obj = f.build_session(person, date=date(2024, 5, 9))
    assert_refused(obj, "date", "A post-return session cannot be dated before the departure (10/05/2024).")


def test_pre_departure_session_after_departure_is_refused():
    person = f.saved_returnee(departure_date=date(2024, 5, 10))
    obj = f.build_session(person, kind=Kind.COUNSELLING, phase=Phase.PRE_DEPARTURE, mode=Mode.VIRTUAL,
                    date=date(2024, 5, 11))
    assert_refused(obj, "date", "A pre-departure session cannot be dated after the departure (10/05/2024).")


def test_post_return_session_for_a_case_not_yet_returned_is_refused():
    person = f.saved_returnee(status=ReturnStatus.OPEN, departure_date=None)
    assert_refused(f.build_session(person), "phase", "A post-return session needs a returnee whose return has happened")


def test_only_counselling_before_departure():
    person = f.saved_returnee()
    obj = f.build_session(person, kind=Kind.CASH, phase=Phase.PRE_DEPARTURE, date=date(2024, 4, 1))
    assert_refused(obj, "kind", "Only counselling sessions can take place before departure.")


def test_enhanced_support_without_vulnerability_is_refused():
    person = f.saved_returnee()
    assert_refused(f.build_session(person, enhanced=True), "enhanced",
                   "Reinforced support needs a returnee with a recorded vulnerability.")


def test_enhanced_support_with_vulnerability_is_accepted():
    person = f.saved_returnee(vulnerable=True)
    f.agreed_plan(person)
    f.build_session(person, enhanced=True).full_clean()


def test_moving_departure_after_a_post_return_session_is_refused():
    person = f.saved_returnee(departure_date=date(2024, 5, 10))
    f.agreed_plan(person)
    s = f.build_session(person, date=date(2024, 5, 20))
    s.full_clean()
    s.save()
    person.departure_date = date(2024, 6, 1)
    assert_refused(person, "departure_date", "A post-return session of this case is dated before this departure date.")


@pytest.mark.parametrize("departure", [date(2024, 4, 1), date(2024, 6, 1), None])
def test_a_case_read_with_its_sessions_is_held_to_the_same_session_rules_without_a_query(
        django_assert_num_queries, departure):
    """The baseline loader validates cases read with their sessions prefetched: same errors, none queried."""
    person = f.saved_returnee(departure_date=date(2024, 5, 10))
    f.agreed_plan(person)
    for session in (f.build_session(person, date=date(2024, 5, 20)),
                    f.build_session(person, kind=Kind.COUNSELLING, phase=Phase.PRE_DEPARTURE, date=date(2024, 5, 1))):
        session.full_clean()
        session.save()
    SupportSession.objects.filter(returnee=person).update(enhanced=True)  # and no recorded vulnerability

    def errors(case: Returnee) -> dict:
        case.departure_date, found = departure, {}
        case._check_sessions(found)
        return {field: [str(message) for message in messages] for field, messages in found.items()}

    queried = errors(Returnee.objects.get(pk=person.pk))
    assert "vulnerabilities" in queried and "departure_date" in queried
    read = Returnee.objects.prefetch_related("sessions", "vulnerabilities").get(pk=person.pk)
    with django_assert_num_queries(0):
        assert errors(read) == queried


def test_departed_file_without_departure_date_is_refused():
    obj = f.build_file(stage=Stage.DEPARTED, departure_date=None)
    assert_refused(obj, "departure_date", "A departed file needs a departure date.")


def test_referred_file_with_departure_date_is_refused():
    obj = f.build_file(stage=Stage.REFERRED)
    assert_refused(obj, "stage", "Only a departed or arrived file may have a departure date")


def test_departure_before_referral_is_refused():
    obj = f.build_file(referral_date=date(2024, 5, 1), departure_date=date(2024, 4, 1))
    assert_refused(obj, "departure_date", "The departure date cannot be before the referral date.")


def test_principal_applicant_must_have_principal_relationship():
    file = f.build_file()
    file.save()
    obj = f.build_refugee(file, is_principal_applicant=False, relationship=Relationship.PRINCIPAL)
    assert_refused(obj, "relationship", "The principal applicant is the one whose relationship")


def test_second_principal_applicant_is_refused():
    file = f.build_file()
    file.save()
    f.build_refugee(file).save()
    with pytest.raises(ValidationError) as excinfo:
        f.build_refugee(file, given_name="Second").full_clean()
    assert "A file has only one principal applicant." in str(excinfo.value)


@pytest.mark.parametrize(
    ("model", "build", "constraint"),
    [
        (Returnee, lambda: f.build_returnee(return_country="MA"), "returnee_host_differs_from_return"),
        (Returnee, lambda: f.build_returnee(departure_date=date(1990, 1, 1)), "returnee_departure_after_birth"),
        (Returnee, lambda: f.build_returnee(departure_date=None), "returnee_departed_has_departure_date"),
        (ResettlementFile, lambda: f.build_file(departure_date=None), "file_departed_has_departure_date"),
        (ResettlementFile, lambda: f.build_file(stage=Stage.REFERRED), "file_departure_date_only_when_departed"),
    ],
)
def test_database_refuses_what_validation_refuses(model, build, constraint):
    """The database holds the rules too, for writes that skip validation (raw SQL, bulk loads)."""
    before = model.objects.count()
    with pytest.raises(IntegrityError), transaction.atomic():
        build().save()
    assert model.objects.count() == before


def test_database_refuses_predeparture_session_of_other_kind():
    person = f.saved_returnee()
    with pytest.raises(IntegrityError), transaction.atomic():
        SupportSession.objects.create(returnee=person, kind=Kind.CASH, phase=Phase.PRE_DEPARTURE,
                                      mode=Mode.VIRTUAL, provider=Provider.IOM_ORIGIN, date=date(2024, 1, 1))


def test_database_refuses_second_principal():
    file = f.build_file()
    file.save()
    f.build_refugee(file).save()
    with pytest.raises(IntegrityError), transaction.atomic():
        f.build_refugee(file, given_name="Second").save()
    assert Refugee.objects.filter(file=file).count() == 1


def test_removing_the_last_vulnerability_of_a_case_with_reinforced_support_is_refused():
    person = f.saved_returnee(vulnerable=True)
    f.build_session(person, enhanced=True).save()
    person._pending_vulnerabilities = []
    assert_refused(person, "vulnerabilities", "keep at least one recorded vulnerability")
    del person._pending_vulnerabilities
    # Outside forms too: the write itself is stopped, and the vulnerability stays.
    with pytest.raises(ValidationError), transaction.atomic():
        person.vulnerabilities.clear()
    with pytest.raises(ValidationError), transaction.atomic():
        person.vulnerabilities.remove(*person.vulnerabilities.all())
    assert person.vulnerabilities.count() == 1


def test_replacing_the_vulnerability_of_a_case_with_reinforced_support_is_accepted(admin_client_logged):
    from django.urls import reverse

    from returns.models import VulnerabilityCategory

    person = f.saved_returnee(vulnerable=True)
    f.build_session(person, enhanced=True).save()
    url = reverse("admin:returns_returnee_change", args=[person.pk])
    response = admin_client_logged.get(url)
    form = response.context["adminform"].form
    data = {name: form[name].value() for name in form.fields if form[name].value() is not None}
    child = VulnerabilityCategory.objects.get(code="child")
    data["vulnerabilities"] = [child.pk]
    s = person.sessions.get()
    data.update({
        **NO_CHECKLIST, "sessions-TOTAL_FORMS": "1", "sessions-INITIAL_FORMS": "1", "sessions-MIN_NUM_FORMS": "0",
        "sessions-MAX_NUM_FORMS": "1000", "sessions-0-id": s.pk, "sessions-0-returnee": person.pk,
        "sessions-0-date": s.date.isoformat(), "sessions-0-phase": s.phase, "sessions-0-kind": s.kind,
        "sessions-0-mode": s.mode, "sessions-0-provider": s.provider, "sessions-0-enhanced": "on",
        "sessions-0-edit_version": s.version,
    })
    response = admin_client_logged.post(url, data)
    assert response.status_code == 302, response.context["adminform"].form.errors
    assert list(person.vulnerabilities.all()) == [child]
