"""The sustainability survey as a form a case worker fills during or after a follow-up visit, on a phone."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from .models import Dimension, SurveyIndicator


def answer_field_name(indicator: SurveyIndicator) -> str:
    return f"answer_{indicator.code}"


class SustainabilitySurveyForm(forms.Form):
    """The survey's date and one question per indicator of its version (radio buttons, none required: a draft
    may leave any unanswered; completing needs them all, which the service checks)."""

    date = forms.DateField(label=_("Date of the survey"),
                           widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"))

    def __init__(self, *args: Any, indicators: list[SurveyIndicator], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.indicators = indicators
        for indicator in indicators:
            self.fields[answer_field_name(indicator)] = forms.TypedChoiceField(
                label=f"{indicator.code}. {indicator.text}", required=False, coerce=int, empty_value=None,
                choices=[(option.pk, option.text) for option in indicator.options.all()],
                widget=forms.RadioSelect,
                error_messages={"invalid_choice": _("Choose one of the answers offered to this question.")},
            )

    def answers(self) -> dict[int, int | None]:
        return {indicator.pk: self.cleaned_data.get(answer_field_name(indicator)) for indicator in self.indicators}

    def dimensions(self) -> list[tuple[str, list[forms.BoundField]]]:
        """The questions grouped by dimension, in the survey's order (for the template's fieldsets)."""
        groups: dict[str, list[forms.BoundField]] = {}
        for indicator in self.indicators:
            groups.setdefault(indicator.dimension, []).append(self[answer_field_name(indicator)])
        return [(str(Dimension(d).label), fields) for d, fields in groups.items()]

    def add_service_errors(self, errors: dict[str, list[str]]) -> None:
        """Place the service's errors (keyed by field or indicator code) on the form's fields."""
        by_code = {indicator.code: answer_field_name(indicator) for indicator in self.indicators}
        for key, messages in errors.items():
            field = by_code.get(key) or (key if key in self.fields else None)
            for message in messages:
                self.add_error(field, message)
