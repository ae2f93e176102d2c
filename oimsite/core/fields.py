"""Model fields shared by the apps."""

from __future__ import annotations

from functools import partialmethod
from typing import Any

from django.core.exceptions import ValidationError
from django.db.models import Model
from django.utils.encoding import force_str
from django.utils.hashable import make_hashable
from django.utils.translation import get_language
from django_countries import fields as countries_fields


class CountryField(countries_fields.CountryField):
    """django-countries' field, with its choices flattened once per language instead of on every display.

    Django's `get_FOO_display()` and the admin read `field.flatchoices`, which normalises the 250
    countries on each call, and `get_FOO_display()` then rebuilds a dict of them, for every cell of a list
    or an export. The list of a given language never changes while running, so both are kept per language.
    """

    def contribute_to_class(self, cls: type[Model], name: str, *args: Any, **kwargs: Any) -> None:
        defined = f"get_{name}_display" in cls.__dict__  # a model's own method wins, as in Django
        super().contribute_to_class(cls, name, *args, **kwargs)
        if not defined and self.choices is not None and not self.multiple:
            setattr(cls, f"get_{self.name}_display", partialmethod(_display, field=self))

    def display_dict(self) -> dict[Any, Any]:
        """{code: name} in the active language (what Model._get_FIELD_display builds on each call)."""
        cache = self.__dict__.setdefault("_display_by_language", {})
        language = get_language()
        if language not in cache:
            cache[language] = dict(make_hashable(self.flatchoices))
        return cache[language]

    @property
    def flatchoices(self) -> list[tuple[Any, Any]] | None:
        if self.multiple:
            return None
        cache = self.__dict__.setdefault("_flatchoices_by_language", {})
        language = get_language()
        if language not in cache:
            cache[language] = super().flatchoices
        return cache[language]

    def validate(self, value: Any, model_instance: Model | None) -> None:
        """Django's validation, with the code looked up in the set of codes rather than by walking the 250
        translated choices (three country fields on every returnee saved or imported)."""
        if self.multiple or not self.editable or self.choices is None or value in self.empty_values:
            super().validate(value, model_instance)
            return
        codes = self.__dict__.get("_codes")
        if codes is None:
            codes = self.__dict__["_codes"] = frozenset(str(code) for code, _name in self.flatchoices or ())
        if str(getattr(value, "code", value)) not in codes:
            raise ValidationError(self.error_messages["invalid_choice"], code="invalid_choice",
                                  params={"value": value})

    def deconstruct(self) -> tuple[str, str, list[Any], dict[str, Any]]:
        # The database column is django-countries' own: migrations keep naming that field.
        name, _path, args, kwargs = super().deconstruct()
        return name, "django_countries.fields.CountryField", args, kwargs


def _display(instance: Model, *, field: CountryField) -> str:
    # Model._get_FIELD_display with the dict of choices built once per language.
    value = getattr(instance, field.attname)
    return force_str(field.display_dict().get(make_hashable(value), value), strings_only=True)
