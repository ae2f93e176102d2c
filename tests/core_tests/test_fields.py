"""The country field: django-countries' field, its choices kept per language and its codes looked up in a set."""

import pytest
from django.core.exceptions import ValidationError
from django.db import models
from django.utils import translation

from returns.models import Returnee
from tests.helpers import build_returnee

FIELDS = ("nationality", "host_country", "return_country")


def djangos_errors(field, value, instance) -> list[str] | None:
    """What Django's own validation (the choices walked one by one) says of `value`."""
    try:
        models.Field.validate(field, value, instance)
    except ValidationError as error:
        return error.messages
    return None


def our_errors(field, value, instance) -> list[str] | None:
    try:
        field.validate(value, instance)
    except ValidationError as error:
        return error.messages
    return None


@pytest.mark.parametrize("name", FIELDS)
@pytest.mark.parametrize("value", ["SN", "MA", "XK", "ZZ", "sn", "", None, "SNN", "Sénégal"])
def test_a_country_code_is_valid_exactly_when_djangos_choices_say_so(name, value):
    field = Returnee._meta.get_field(name)
    instance = build_returnee()
    for language in ("fr", "en", "ar"):
        with translation.override(language):
            assert our_errors(field, value, instance) == djangos_errors(field, value, instance), (value, language)


def test_an_unknown_country_is_refused_by_the_model_with_the_field_named():
    returnee = build_returnee(return_country="ZZ")
    with pytest.raises(ValidationError) as refused:
        returnee.clean_fields()
    assert "return_country" in refused.value.message_dict


@pytest.mark.parametrize("code", ["SN", "ZZ", ""])
def test_the_country_objects_the_model_holds_are_validated_as_django_validates_them(code):
    instance = build_returnee(return_country=code)
    field = Returnee._meta.get_field("return_country")
    value = getattr(instance, field.attname)
    assert our_errors(field, value, instance) == djangos_errors(field, value, instance)
