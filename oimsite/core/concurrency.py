"""No lost updates: an edit based on an old version of a record is refused (optimistic locking).

Every case record has a `version`. A form carries the version it was loaded with; saving checks and bumps
it in one conditional UPDATE, so of two people editing the same record at once, the second is refused
and the first one's change stays.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db import models, transaction
from django.db.models import F
from django.forms.models import BaseInlineFormSet
from django.utils.translation import gettext_lazy as _

STALE_EDIT_MESSAGE = _(
    "Someone else saved this record after you opened it. Your changes were not saved: reload the page to "
    "see the current version, then make your changes again."
)
VERSION_FIELD = "edit_version"


class StaleEditError(Exception):
    """The record changed in the database since the form was loaded."""


def _claim_version(obj: models.Model, loaded_version: int | None) -> None:
    """Bump the row's version if it is still `loaded_version` (locking the row), else raise StaleEditError.

    Only `version` changes: the figures' triggers leave such an update out (oimsite/reporting/triggers.py), so
    the claim takes no lock but the row's, and the save's own statement then takes the rest in one order.
    """
    rows = type(obj)._base_manager.using(obj._state.db or "default").filter(pk=obj.pk, version=loaded_version)
    if loaded_version is None or not rows.update(version=F("version") + 1):
        raise StaleEditError(str(STALE_EDIT_MESSAGE))


def save_versioned(obj: models.Model, loaded_version: int, **save_kwargs: Any) -> None:
    """Save `obj` if its row still has `loaded_version`, bumping the version; else raise StaleEditError.

    The conditional UPDATE locks the row until the transaction ends, so a concurrent save of the same
    record waits, then finds the version changed and is refused.
    """
    with transaction.atomic(using=obj._state.db or "default"):
        _claim_version(obj, loaded_version)
        obj.version = loaded_version + 1
        obj.save(**save_kwargs)


def delete_versioned(obj: models.Model, loaded_version: int | None) -> None:
    """Delete `obj` if its row still has `loaded_version`, else raise StaleEditError (see save_versioned)."""
    with transaction.atomic(using=obj._state.db or "default"):
        _claim_version(obj, loaded_version)
        obj.delete()


class VersionedModelForm(forms.ModelForm):
    """A ModelForm for a case record that refuses stale edits; also the base the admin adds to its forms."""

    edit_version = forms.IntegerField(label=_("version"), widget=forms.HiddenInput, required=False, min_value=1)
    # Set when the instance was loaded in this request (an inline formset's rows, all in one query): its
    # version is then compared as loaded, without a query per row; the save checks again atomically.
    instance_is_current = False

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if self.instance.pk is not None:
            self.fields[VERSION_FIELD].initial = self.instance.version
            self.fields[VERSION_FIELD].required = True

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        if self.instance.pk is not None:
            loaded = cleaned.get(VERSION_FIELD)
            if self.instance_is_current:
                current = self.instance.version
            else:
                rows = type(self.instance)._base_manager.filter(pk=self.instance.pk)
                current = rows.values_list("version", flat=True).first()
            # A missing or forged version is as stale as an old one: nothing is saved either way.
            if loaded is None or loaded != current:
                raise forms.ValidationError(STALE_EDIT_MESSAGE, code="stale_edit")
        return cleaned

    def save(self, commit: bool = True) -> Any:
        if self.instance.pk is None or not commit:
            return super().save(commit=commit)
        obj = super().save(commit=False)
        with transaction.atomic():
            save_versioned(obj, self.cleaned_data[VERSION_FIELD])
            self._save_m2m()
        return obj


def versioned_form(base: type[forms.ModelForm]) -> type[forms.ModelForm]:
    """`base` with the version check added (VersionedModelForm first), or `base` if it already has it."""
    if issubclass(base, VersionedModelForm):
        return base
    return type(f"Versioned{base.__name__}", (VersionedModelForm, base), {"__module__": base.__module__})


def is_versioned(model: type[models.Model]) -> bool:
    return any(f.name == "version" for f in model._meta.concrete_fields)


class VersionedInlineFormSet(BaseInlineFormSet):
    """Inline rows edited under a parent record, with the same stale-edit refusal as the record itself.

    With a VersionedModelForm as its form: a changed row is saved through VersionedModelForm.save (the
    conditional UPDATE); a deleted row must still have the version it was loaded with (Django ignores
    the errors of a form marked for deletion, so its stale-edit error is raised here for the formset).
    """

    def _versioned(self) -> bool:
        return issubclass(self.form, VersionedModelForm)

    def _construct_form(self, i: int, **kwargs: Any) -> forms.Form:
        form = super()._construct_form(i, **kwargs)
        if self.is_bound and i < self.initial_form_count() and self._versioned():
            form.instance_is_current = True  # from this formset's queryset, loaded for this submission
        return form

    def clean(self) -> None:
        super().clean()
        if not self._versioned():
            return
        for form in self.initial_forms:
            if self._should_delete_form(form) and form.has_error(NON_FIELD_ERRORS, code="stale_edit"):
                raise ValidationError(STALE_EDIT_MESSAGE, code="stale_edit")

    def delete_existing(self, obj: models.Model, commit: bool = True) -> None:
        if not (commit and self._versioned()):
            return super().delete_existing(obj, commit=commit)
        form = next(form for form in self.initial_forms if form.instance is obj)
        delete_versioned(obj, form.cleaned_data.get(VERSION_FIELD))
