from datetime import date

import pytest
from django.contrib.auth.models import Group

from accounts.roles import ADMINISTRATOR, CASE_WORKER, DATA_OFFICER, RESETTLEMENT_OFFICER
from reintegration.models import Kind, Mode, Phase, Provider, SupportSession
from resettlement.models import Refugee, Relationship, ResettlementFile, Stage
from returns.models import Returnee, ReturnStatus, VulnerabilityCategory

ROLES = [CASE_WORKER, RESETTLEMENT_OFFICER, DATA_OFFICER, ADMINISTRATOR]
PASSWORD = "Correct-Horse-Battery-9"


@pytest.fixture
def make_user(django_user_model):
    def make(username: str, role: str | None = None, *, staff: bool | None = None):
        user = django_user_model.objects.create_user(username, f"{username}@example.org", PASSWORD)
        if role:
            user.groups.add(Group.objects.get(name=role))
        user.is_staff = bool(role) if staff is None else staff
        user.save()
        return user
    return make


@pytest.fixture
def role_client(client, make_user):
    """`role_client("Gestionnaire de cas")`: a test client logged in as a new member of that role."""
    def login(role: str | None, username: str | None = None):
        user = make_user(username or f"user-{abs(hash(role)) % 10_000}", role)
        client.force_login(user)
        client.user = user
        return client
    return login


@pytest.fixture
def cases(db):
    vulnerability = VulnerabilityCategory.objects.get_or_create(code="test-child", defaults={"name": "Child"})[0]
    returnee = Returnee.objects.create(
        case_number="RVA-2024-00001", given_name="Awa", family_name="Diallo", sex="F",
        date_of_birth=date(1990, 5, 1), nationality="SN", host_country="MA", return_country="SN",
        status=ReturnStatus.DEPARTED, departure_date=date(2024, 3, 1),
    )
    returnee.vulnerabilities.add(vulnerability)
    session = SupportSession.objects.create(
        returnee=returnee, kind=Kind.CASH, phase=Phase.POST_RETURN, mode=Mode.IN_PERSON, date=date(2024, 4, 1),
        provider=Provider.IOM_ORIGIN,
    )
    file = ResettlementFile.objects.create(
        file_number="RST-2024-0001", destination_country="CA", stage=Stage.DEPARTED,
        referral_date=date(2023, 6, 1), departure_date=date(2024, 5, 1),
    )
    refugee = Refugee.objects.create(
        file=file, given_name="Jean", family_name="Mbala", sex="M", date_of_birth=date(1985, 1, 1),
        nationality="CD", is_principal_applicant=True, relationship=Relationship.PRINCIPAL,
    )
    return {"returnee": returnee, "session": session, "file": file, "refugee": refugee,
            "vulnerability": vulnerability}


def _bound_data(form) -> dict:
    data = {}
    for name in form.fields:
        value = form[name].value()
        if value is None or value is False:
            continue
        key = form.add_prefix(name)
        if isinstance(value, (list, tuple)):
            data[key] = [str(getattr(v, "pk", v)) for v in value]
        else:
            data[key] = "on" if value is True else str(value)
    return data


def admin_form_data(response) -> dict:
    """What a browser posts back, unchanged, for an admin change page: the form and its inline formsets."""
    data = _bound_data(response.context["adminform"].form)
    for inline in response.context["inline_admin_formsets"]:
        formset = inline.formset
        data.update(_bound_data(formset.management_form))
        for form in formset.forms:
            data.update(_bound_data(form))
    return data
