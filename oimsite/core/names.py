"""A person's name as a key that two spellings of the same name share: the basis of duplicate detection.

"Mohamed El-Amrani", "Mohammed Elamrani" and "MUHAMMAD AL AMRANI" get one key: accents, case, spaces,
hyphens and apostrophes are set aside, the El/Al prefixes and the Ould/Wuld particle dropped, and each
sound that French and English transliterations of Arabic write in several ways written one way (ou/u/w,
ch/sh, dj/j, q/k, y/i, doubled letters), before the vowels after the first letter are dropped — the
consonant skeleton ("MHMD") that Mohamed, Mohammed, Muhammad and Mhamed have in common.

The letters are read from the name decomposed (NFKD): an accent is a combining mark of the diacritical marks'
blocks (`MARKS`, which every accented Latin letter decomposes into) and is dropped; ß reads SS and dotless ı
reads I; any other character but the 26 Latin letters (a space, a hyphen, an apostrophe, a letter of another
script) separates words. Fixed lists of characters rather than the Unicode database's classes, so that SQL
computes the same key: see below.

The key is stored as a generated column (`NameKeyField`, a `GeneratedField` computing the SQL function
`name_key(given_name, family_name)`): the database computes it on every write, whoever writes (`save()`,
`QuerySet.update()`, `bulk_create()`, `loaddata`, the baseline loader, `populate`, raw SQL through Django's
connection). On SQLite that function is `name_key()` below, registered on every new connection
(`register_name_key`, connected by the core app); on PostgreSQL it is written in SQL by the returns migration
`…_name_key_generated`, tested to give the same key (tests/core_tests/test_name_key_column.py). As for any
generated field, an instance saved keeps the key it was loaded with until it is read again. As with the
search's folded twins, a connection without the function (the `sqlite3` command-line shell) can read the
returnee table but not insert or update its rows, nor VACUUM the database.
"""

from __future__ import annotations

import re
import unicodedata
from string import ascii_lowercase
from typing import Any

from django.db.backends.base.base import BaseDatabaseWrapper
from django.db.models import CharField, F, Func, GeneratedField
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
# The accents: the blocks of combining diacritical marks (basic, extended, supplement, for symbols, half marks).
# PostgreSQL's name_key() drops the same ranges.
MARKS = "\u0300-\u036f\u1ab0-\u1aff\u1dc0-\u1dff\u20d0-\u20ff\ufe20-\ufe2f"
_MARKS = re.compile(f"[{MARKS}]")
# Capitals: of the Latin letters, and of the two that become Latin capitals only by upper-casing.
_CAPITALS = str.maketrans({**{char: char.upper() for char in ascii_lowercase}, "ß": "SS", "ı": "I"})
# The longest key stored (the column's length).
KEY_LENGTH = 200


def _words(text: str) -> list[str]:
    plain = _MARKS.sub("", unicodedata.normalize("NFKD", text)).translate(_CAPITALS)
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


def register_name_key(sender: Any, connection: BaseDatabaseWrapper, **kwargs: Any) -> None:
    """`connection_created` receiver: SQLite's `name_key(given_name, family_name)` on each new connection
    (deterministic, as a generated column requires)."""
    if connection.vendor == "sqlite":
        connection.connection.create_function("name_key", 2, name_key, deterministic=True)


class NameKey(Func):
    """The stored key in SQL: `name_key(given_name, family_name)` cut to the column's length."""

    # Written without ", ": Django's SQLite introspection splits a table's SQL on it, and a lone argument such as
    # the 1 of substr(…, 1, 200) breaks it (get_constraints of the table, which a later migration may need).
    template = f"substr(name_key(%(expressions)s),1,{KEY_LENGTH})"
    arg_joiner = ","
    arity = 2
    output_field = CharField(max_length=KEY_LENGTH)


class NameKeyField(GeneratedField):
    """The name key of the model's given and family names (`source`), stored: kept by the database on every
    write (see the module docstring). Not editable, not serialized, kept out of the history (list it in the
    model's `HistoricalRecords(excluded_fields=…)`)."""

    def __init__(self, verbose_name: str | None = None, *, source: tuple[str, str] = ("given_name", "family_name"),
                 **kwargs: Any) -> None:
        self.source = tuple(source)
        # Not null (the key of no name is ""): SQLite then adds the column by rebuilding the table, as it must
        # for a stored generated column once the table has rows (ALTER TABLE ADD COLUMN refuses it).
        kwargs.update(expression=NameKey(*(F(name) for name in self.source)),
                      output_field=CharField(max_length=KEY_LENGTH), db_persist=True, serialize=False)
        super().__init__(verbose_name=verbose_name, **kwargs)

    def deconstruct(self) -> tuple[str, str, list[Any], dict[str, Any]]:
        name, path, args, kwargs = super().deconstruct()
        for generated in ("expression", "output_field", "db_persist"):
            kwargs.pop(generated, None)
        if self.source != ("given_name", "family_name"):
            kwargs["source"] = self.source
        return name, path, args, kwargs
