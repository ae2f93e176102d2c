"""Control characters and display-spoofing marks are refused in every text field at input (model validation:
the admin, forms, imports and fixtures); letters of every script pass. (Exports: lists_tests/test_exports_text.py.)
"""

from __future__ import annotations

from datetime import date

import pytest
from django.core.exceptions import ValidationError
from django.db import models
from django.urls import reverse
from django.utils import translation

from oimsite.reporting.models import PublishedFigure
from reintegration.models import FollowUp, PlanGoal, ReintegrationPlan, SupportSession
from resettlement.models import Refugee, ResettlementFile
from returns.models import Returnee, VulnerabilityCategory
from tests import helpers as f
from tests.helpers import in_english

# The departure checklist inline of the returnee form, left empty.
NO_CHECKLIST = {"checklist-TOTAL_FORMS": "0", "checklist-INITIAL_FORMS": "0"}

pytestmark = pytest.mark.django_db

# What the attack stored (\x0b, \x1b, \x08, \x0c, \x1f), the other controls, and the spoofing marks.
REFUSED = [
    "\x00", "\x01", "\x08", "\x0b", "\x0c", "\x1b", "\x1f", "\x7f", "\x85", "\x9b",
    "\u061c", "\u200b", "\u200e", "\u200f", "\u202a", "\u202b", "\u202c", "\u202d", "\u202e",
    "\u2060", "\u2066", "\u2067", "\u2068", "\u2069", "\u2028", "\u2029", "\ufeff",
]
# Letters of any script (Arabic names will come), accents, and the joiners Arabic-script spellings need.
ACCEPTED = ["Zoë N’Diaye-Kaboré", "محمد عبد الله", "Ἀθηνᾶ", "می\u200cخواهم", "क्\u200dष"]

MESSAGE = "Remove the invisible or control characters from this text"


@pytest.fixture(autouse=True)
def english():
    with translation.override("en"):
        yield


def text_fields(model: type[models.Model]) -> list[models.Field]:
    return [field for field in model._meta.concrete_fields
            if isinstance(field, (models.CharField, models.TextField)) and not field.choices]


def valid_instances() -> list[models.Model]:
    returnee = f.saved_returnee()
    plan = f.agreed_plan(returnee)  # support after the return follows an agreed plan
    file = f.build_file()
    file.save()
    refugee = f.build_refugee(file)
    refugee.save()  # a departed file has its family (the file's own validation)
    return [
        f.build_returnee(), f.build_session(returnee), file, refugee,
        VulnerabilityCategory(code="test-case", name="A case"),
        PublishedFigure(key="avrr.returned", year=2024, value=1, source="Annual report"),
        ReintegrationPlan(returnee=returnee, status="completed", agreed_on=date(2024, 5, 20),
                          closed_on=date(2024, 9, 1), closure_reason="Goals reached", notes="Agreed at home"),
        PlanGoal(plan=plan, dimension="economic", need="Open a shop", planned_support="cash",
                 status="achieved", outcome="The shop is open"),
        FollowUp(returnee=returnee, kind="phone", due_date=date(2024, 6, 10), notes="Doing well"),
    ]


def test_every_text_field_of_the_case_models_is_covered():
    covered = {f"{field.model._meta.label}.{field.name}" for model in (
        Returnee, SupportSession, ResettlementFile, Refugee, VulnerabilityCategory, PublishedFigure,
        ReintegrationPlan, PlanGoal, FollowUp,
    ) for field in text_fields(model)}
    # The names, numbers and notes the attack could write into (a guard against a model left out).
    assert {"returns.Returnee.given_name", "returns.Returnee.family_name", "returns.Returnee.notes",
            "returns.Returnee.case_number", "reintegration.SupportSession.notes",
            "resettlement.ResettlementFile.notes", "resettlement.Refugee.given_name",
            "returns.VulnerabilityCategory.name", "oimsite.PublishedFigure.source"} <= covered


@pytest.mark.parametrize("character", REFUSED, ids=[f"U+{ord(c):04X}" for c in REFUSED])
def test_every_text_field_refuses_control_and_spoofing_characters(character):
    for instance in valid_instances():
        instance.full_clean()
        for field in text_fields(type(instance)):
            original = getattr(instance, field.attname)
            setattr(instance, field.attname, f"Ali{character}Baba")
            with pytest.raises(ValidationError) as excinfo:
                instance.full_clean()
            messages = excinfo.value.message_dict.get(field.name, [])
            assert any(MESSAGE in m and f"U+{ord(character):04X}" in m for m in messages), \
                (type(instance).__name__, field.name, excinfo.value.message_dict)
            setattr(instance, field.attname, original)


@pytest.mark.parametrize("name", ACCEPTED)
def test_letters_of_every_script_are_accepted(name):
    f.build_returnee(given_name=name, family_name=name).full_clean()


def test_notes_keep_their_line_breaks_and_tabs_but_names_do_not():
    f.build_returnee(notes="Line one\r\nLine two\n\tindented").full_clean()
    with pytest.raises(ValidationError) as excinfo:
        f.build_returnee(given_name="Ali\tBaba", family_name="Two\nlines").full_clean()
    assert set(excinfo.value.message_dict) == {"given_name", "family_name"}


def test_the_admin_refuses_them_with_the_message_and_saves_nothing(admin_client_logged):
    url = reverse("admin:returns_returnee_add")
    data = {
        "case_number": "RVA-2024-09999", "stage": "registered", "given_name": "Ali\x0bBaba",
        "family_name": "Evil\u202e",
        "sex": "M", "date_of_birth": "1990-01-01", "nationality": "SN", "host_country": "MA",
        "return_country": "SN", "notes": "\x1b[2J\x1b[31mred",
        **NO_CHECKLIST, "sessions-TOTAL_FORMS": "0", "sessions-INITIAL_FORMS": "0",
    }
    with translation.override("en"):
        response = in_english(admin_client_logged).post(url, data)
    assert response.status_code == 200
    errors = response.context["adminform"].form.errors
    assert set(errors) == {"given_name", "family_name", "notes"}, errors
    assert "U+000B" in errors["given_name"][0] and "U+202E" in errors["family_name"][0]
    assert "U+001B" in errors["notes"][0]
    assert not Returnee.objects.filter(case_number="RVA-2024-09999").exists()
