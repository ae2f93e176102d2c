"""A person's name as a key that two spellings of the same name share: the basis of duplicate detection.

"Mohamed El-Amrani", "Mohammed Elamrani" and "MUHAMMAD AL AMRANI" get one key: accents, case, spaces,
hyphens and apostrophes are set aside, the El/Al prefixes and the Ould/Wuld particle dropped, and each
sound that French and English transliterations of Arabic write in several ways written one way (ou/u/w,
ch/sh, dj/j, q/k, y/i, doubled letters), before the vowels after the first letter are dropped — the
consonant skeleton ("MHMD") that Mohamed, Mohammed, Muhammad and Mhamed have in common.

The key is stored (`NameKeyField`) and kept by the field itself on every write that goes through a model
instance: `save()`, `bulk_create()`, the raw saves of `loaddata` and `load_baseline` (a `pre_save`
receiver), and the bulk rows of `populate` (which read `pre_save`). Only `QuerySet.update()` of a name
bypasses it, as it bypasses every model rule.
"""

from __future__ import annotations

import re
import unicodedata
from typing import Any

from django.db import models
from django.db.models.signals import pre_save
from django.dispatch import Signal

# Sent after two records of one person were merged: sender is the model; kwargs kept (the record kept), merged
# (the case number of the record merged into it and deleted), by (the user) and moved ({relation: count}).
records_merged = Signal()

# Particles set aside wherever they stand as a word of their own: the article and "son of".
_PARTICLES = {"EL", "AL", "OULD", "WULD", "OLD", "UL"}
# Prefixes glued to the next word ("Elamrani"): dropped when a name of four letters or more remains.
_GLUED_PREFIXES = ("EL", "AL")
_SOUNDS = [("OU", "U"), ("W", "U"), ("SH", "X"), ("CH", "X"), ("DJ", "J"), ("DH", "D"), ("TH", "T"),
           ("PH", "F"), ("KH", "K"), ("GH", "G"), ("Q", "K"), ("CK", "K"), ("C", "K"), ("Y", "I"), ("Z", "S")]
_VOWELS = set("AEIOU")


def _words(text: str) -> list[str]:
    decomposed = unicodedata.normalize("NFKD", text)
    plain = "".join(char for char in decomposed if not unicodedata.combining(char)).upper()
    return [word for word in re.split(r"[^A-Z]+", plain) if word]


def _skeleton(text: str) -> str:
    for spelling, sound in _SOUNDS:
        text = text.replace(spelling, sound)
    if not text:
        return ""
    letters = [text[0], *(char for char in text[1:] if char not in _VOWELS)]
    collapsed = [letters[0]]
    for char in letters[1:]:
        if char != collapsed[-1]:
            collapsed.append(char)
    return "".join(collapsed)


def name_key(*parts: str | None) -> str:
    """The key of a name given in parts (given name, family name): equal for spellings of the same name."""
    words = []
    for part in parts:
        for word in _words(part or ""):
            if word in _PARTICLES:
                continue
            for prefix in _GLUED_PREFIXES:
                if word.startswith(prefix) and len(word) - len(prefix) >= 4:
                    word = word[len(prefix):]
                    break
            words.append(word)
    return _skeleton("".join(words))


class NameKeyField(models.CharField):
    """The `name_key` of the model's `source` fields, computed on every write of an instance (see above)."""

    def __init__(self, *args: Any, source: tuple[str, ...] = ("given_name", "family_name"), **kwargs: Any) -> None:
        self.source = tuple(source)
        kwargs.setdefault("max_length", 200)
        kwargs.setdefault("editable", False)
        kwargs.setdefault("blank", True)
        super().__init__(*args, **kwargs)

    def deconstruct(self) -> tuple[str, str, list[Any], dict[str, Any]]:
        name, path, args, kwargs = super().deconstruct()
        if self.source != ("given_name", "family_name"):
            kwargs["source"] = self.source
        return name, path, args, kwargs

    def key_for(self, instance: models.Model) -> str:
        return name_key(*(getattr(instance, name) for name in self.source))[: self.max_length]

    def pre_save(self, model_instance: models.Model, add: bool) -> str:
        value = self.key_for(model_instance)
        setattr(model_instance, self.attname, value)
        return value

    def contribute_to_class(self, cls: type[models.Model], name: str, *args: Any, **kwargs: Any) -> None:
        super().contribute_to_class(cls, name, *args, **kwargs)
        if not cls._meta.abstract:
            # Raw saves (fixtures) skip Field.pre_save; the pre_save signal still fires for them.
            pre_save.connect(self._keep_key, sender=cls, weak=False, dispatch_uid=f"name_key.{cls._meta.label}")

    def _keep_key(self, sender: type[models.Model], instance: models.Model, raw: bool = False, **kwargs: Any) -> None:
        if raw:
            setattr(instance, self.attname, self.key_for(instance))
