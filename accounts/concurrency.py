"""No lost updates: an edit based on an old version of a record is refused (optimistic locking).

Every case record has a `version`. A form carries the version it was loaded with; saving checks and bumps
it in one conditional UPDATE, so of two people editing the same record at once, the second is refused
and the first one's change stays.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.db import models, transaction
from django.db.models import F
from django.utils.translation import gettext_lazy as _

STALE_EDIT_MESSAGE = _(
    "Someone else saved this record after you opened it. Your changes were not saved: reload the page to "
    "see the current version, then make your changes again."
)
VERSION_FIELD = "edit_version"


class StaleEditError(Exception):
    """The record changed in the database since the form was loaded."""


def save_versioned(obj: models.Model, loaded_version: int, **save_kwargs: Any) -> None:
    """Save `obj` if its row still has `loaded_version`, bumping the version; else raise StaleEditError.

    The conditional UPDATE locks the row until the transaction ends, so a concurrent save of the same
    record waits, then finds the version changed and is refused.
    """
    model = type(obj)
    with transaction.atomic(using=obj._state.db or "default"):
        bumped = model._base_manager.filter(pk=obj.pk, version=loaded_version).update(version=F("version") + 1)
        if not bumped:
            raise StaleEditError(str(STALE_EDIT_MESSAGE))
        obj.version = loaded_version + 1
        obj.save(**save_kwargs)


class VersionedModelForm(forms.ModelForm):
    """A ModelForm for a case record that refuses stale edits; also the base the admin adds to its forms."""

    edit_version = forms.IntegerField(widget=forms.HiddenInput, required=False, min_value=1)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if self.instance.pk is not None:
            self.fields[VERSION_FIELD].initial = self.instance.version
            self.fields[VERSION_FIELD].required = True

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        if self.instance.pk is not None:
            loaded = cleaned.get(VERSION_FIELD)
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
