"""The name key as the database keeps it (oimsite/core/names.py): a stored generated column computed by the SQL
function name_key(given_name, family_name), the Python `name_key` on SQLite and SQL on PostgreSQL. The key is
the same on both databases, true after every write (save, QuerySet.update, bulk_create, loaddata, raw SQL), and
the duplicate finder sees it."""

from __future__ import annotations

import json
from datetime import date

import pytest
from django.core import serializers
from django.core.management import call_command
from django.db import connection
from hypothesis import given, settings
from hypothesis import strategies as st

from oimsite.core.names import KEY_LENGTH, NameKeyField, name_key
from oimsite.reporting import triggers
from reintegration import freeze
from returns.models import Returnee
from tests import helpers

pytestmark = pytest.mark.django_db

is_postgresql = connection.vendor == "postgresql"


def database_key(given_name: str | None, family_name: str | None) -> str:
    with connection.cursor() as cursor:
        cursor.execute("SELECT name_key(%s, %s)", [given_name, family_name])
        return cursor.fetchone()[0]


# --- one key on both databases ----------------------------------------------------------------------------

# Pieces of names as they are written: particles on their own, glued or hyphenated, sounds spelt several ways.
PIECES = ["El ", "el-", "Al ", "AL-", "al", "Ould ", "ould-", "Wuld ", "Old ", "Ul ", "Elamrani", "Alaoui", "Elias",
          "Ali", "Alia", "Ben ", "Mohamed", "Mhamed", "MUHAMMAD", "Youssef", "Chraibi", "Shraibi", "Djamel", "Ouahbi",
          "Khadija", "Ghita", "Thabet", "Philippe", "Zineb", "Qasim", "Dhahbi", "Mack", "Aïcha", "Koné", "Straße",
          "Fatima-Zahra", "N'Diaye", "O’Brien"]
# Latin letters with and without accents, precomposed or decomposed (marks of the diacritical blocks, and marks
# of other scripts, which separate words); letters that only NFKD or upper-casing make Latin; separators;
# Arabic letters, vowel marks and tatweel.
ALPHABET = "".join([
    "aeiouylmnrsbcdghkqtwxzELAOUWH", "éèêëàâäïîôöûüçñÉÈÀÂÏÎÔÖÛÜÇÑŒœØøĐđŁłǅǆǰŉ",
    "\u0301\u0308\u0327\u034f\u1dc0\u20dd\ufe20", "\u0483\u05b8\u064e\u0651\u0670",
    "ßıſﬁﬀＡｍ㎅Ⓜ", " -'’._,0123456789\t", "محمدأحمدفاطمةعليـؤئى"])
chunks = st.one_of(st.sampled_from(PIECES), st.text(alphabet=ALPHABET, max_size=6))
names = st.one_of(st.none(), st.lists(chunks, max_size=5).map("".join))
any_text = st.text(alphabet=st.characters(exclude_categories=("Cs",), exclude_characters="\x00"), max_size=12)


@settings(max_examples=400, deadline=None)
@given(given_name=names, family_name=names)
def test_the_database_computes_the_key_python_computes(given_name, family_name):
    assert database_key(given_name, family_name) == name_key(given_name, family_name)


@settings(max_examples=200, deadline=None)
@given(given_name=any_text, family_name=any_text)
def test_the_database_computes_the_key_python_computes_on_any_text(given_name, family_name):
    assert database_key(given_name, family_name) == name_key(given_name, family_name)


@pytest.mark.slow
@pytest.mark.skipif(not is_postgresql, reason="SQLite's name_key is the Python function itself")
def test_every_character_of_the_basic_plane_gives_the_key_python_gives():
    """Each character inside a word (an accent, a separator, a mark of another script…) and on its own: this
    also pins that PostgreSQL's Unicode tables (NFKD) agree with Python's."""
    chars = [chr(code) for code in range(1, 0x10000) if not 0xD800 <= code <= 0xDFFF]
    with connection.cursor() as cursor:
        cursor.execute("SELECT name_key('ELAM' || c || 'RANI', c || 'ou' || c) "
                       "FROM unnest(%s::text[]) WITH ORDINALITY AS t(c, n) ORDER BY n", [chars])
        keys = [row[0] for row in cursor.fetchall()]
    wrong = [(char, key) for char, key in zip(chars, keys, strict=True)
             if key != name_key(f"ELAM{char}RANI", f"{char}ou{char}")]
    assert wrong == []


def test_the_key_keeps_its_documented_examples():
    assert name_key("Mohamed", "El-Amrani") == name_key("Mohammed", "Elamrani") == name_key(
        "MUHAMMAD", "AL AMRANI") == "MHMDMRN"
    assert database_key("Mohamed", "El-Amrani") == database_key("MUHAMMAD", "AL AMRANI") == "MHMDMRN"
    assert name_key(None, None) == database_key(None, None) == name_key("", "") == ""
    assert name_key("محمد", "") == ""  # Arabic letters separate words; the Arabic name has its own field
    assert name_key("Straße", "") == name_key("Strasse", "")
    assert name_key("E\u0301lodie", "") == name_key("Élodie", "") == name_key("ELODIE", "")


def test_a_key_longer_than_the_column_is_cut_as_python_cuts_it():
    long_name = "㎅" * 100  # NFKD: "KB" a hundred times
    made = Returnee.objects.bulk_create([helpers.build_returnee(given_name=long_name, family_name=long_name)])[0]
    stored = Returnee.objects.values_list("name_key", flat=True).get(pk=made.pk)
    assert len(name_key(long_name, long_name)) > KEY_LENGTH
    assert stored == name_key(long_name, long_name)[:KEY_LENGTH]
    assert list(Returnee.objects.possible_duplicates_of(long_name, long_name, made.date_of_birth)) == [made]


# --- true on every write path -----------------------------------------------------------------------------

BORN = date(1990, 1, 1)


def duplicated() -> set[int]:
    return set(Returnee.objects.with_possible_duplicates().values_list("pk", flat=True))


def assert_keys_true() -> None:
    rows = Returnee.objects.values_list("given_name", "family_name", "name_key")
    assert all(key == name_key(given_name, family_name)[:KEY_LENGTH] for given_name, family_name, key in rows)


def fixture_record(pk: int, given_name: str, family_name: str, **more: str) -> dict:
    return {"model": "returns.returnee", "pk": pk, "fields": {
        "case_number": f"RVA-2024-{pk % 100_000:05d}", "given_name": given_name, "family_name": family_name,
        "sex": "M", "date_of_birth": BORN.isoformat(), "nationality": "SN", "host_country": "MA",
        "return_country": "SN", "departure_date": None, "status": "open", "stage": "registered",
        "vulnerabilities": [], "notes": "", "created_at": "2024-01-01T00:00:00Z",
        "updated_at": "2024-01-01T00:00:00Z", **more}}


def test_the_key_follows_every_write_and_the_duplicate_finder_with_it(tmp_path):
    one = helpers.saved_returnee(given_name="Mohamed", family_name="El-Amrani", date_of_birth=BORN)
    other = helpers.saved_returnee(given_name="Awa", family_name="Diallo", date_of_birth=BORN)
    assert one.name_key == "MHMDMRN"  # read back by the INSERT
    assert duplicated() == set()

    other.given_name, other.family_name = "Mohammed", "Elamrani"
    other.save()
    assert duplicated() == {one.pk, other.pk}
    other.refresh_from_db()  # an instance saved keeps the key it was loaded with until it is read again
    assert other.name_key == "MHMDMRN"

    Returnee.objects.filter(pk=other.pk).update(family_name="Diallo")
    assert duplicated() == set()
    Returnee.objects.filter(pk=other.pk).update(given_name="MUHAMMAD", family_name="AL AMRANI")
    assert duplicated() == {one.pk, other.pk}

    with connection.cursor() as cursor:
        cursor.execute(f"UPDATE {Returnee._meta.db_table} SET family_name = %s WHERE id = %s", ["Ndiaye", other.pk])
    assert duplicated() == set()
    with connection.cursor() as cursor:
        cursor.execute(f"UPDATE {Returnee._meta.db_table} SET family_name = %s WHERE id = %s", ["Elamrani", one.pk])
    assert duplicated() == set()  # still Mohamed Elamrani: the same key, and nobody else has it

    made = Returnee.objects.bulk_create([helpers.build_returnee(
        given_name="Mhamed", family_name="el amrani", date_of_birth=BORN)])[0]
    assert duplicated() == {one.pk, made.pk}

    # A dump written when the key was a plain column still loads: its stale key is the database's to replace.
    fixture = tmp_path / "returnees.json"
    fixture.write_text(json.dumps([fixture_record(987_001, "MOHAMED", "El Amrani", name_key="STALE"),
                                   fixture_record(987_002, "Mohamed", "N'Diaye")]), encoding="utf-8")
    call_command("loaddata", str(fixture), verbosity=0)
    assert duplicated() == {one.pk, made.pk, 987_001, other.pk, 987_002}  # other: Muhammad Ndiaye
    assert_keys_true()

    Returnee.objects.filter(pk__in=[other.pk, 987_002]).delete()
    assert duplicated() == {one.pk, made.pk, 987_001}


def test_the_key_stays_out_of_history_forms_and_fixtures():
    field = Returnee._meta.get_field("name_key")
    assert isinstance(field, NameKeyField) and field.generated and field.db_persist
    assert not field.editable and not field.serialize
    assert "name_key" not in {f.name for f in Returnee.history.model._meta.concrete_fields}
    record = helpers.saved_returnee(given_name="Mohamed", family_name="El-Amrani")
    assert "name_key" not in json.loads(serializers.serialize("json", [record]))[0]["fields"]
    assert any(index.name == "returnee_dob_name_key_idx" and index.fields == ["date_of_birth", "name_key"]
               for index in Returnee._meta.indexes)


@pytest.mark.django_db(transaction=True)
def test_the_key_column_is_added_to_a_table_that_has_rows():
    """What returns/0017 does on a database in use (SQLite refuses ALTER TABLE ADD COLUMN of a stored generated
    column once the table has rows: the table is rebuilt instead), and every row gets its key."""
    record = helpers.returnee(given="Mohamed", family="El-Amrani")
    field = Returnee._meta.get_field("name_key")
    index = next(index for index in Returnee._meta.indexes if index.name == "returnee_dob_name_key_idx")
    try:
        with connection.schema_editor() as editor:
            editor.remove_index(Returnee, index)
            editor.remove_field(Returnee, field)
        with connection.schema_editor() as editor:
            editor.add_field(Returnee, field)  # SQLite's rebuilt table comes with the model's indexes
        with connection.cursor() as cursor:
            indexes = connection.introspection.get_constraints(cursor, Returnee._meta.db_table)
        if index.name not in indexes:
            with connection.schema_editor() as editor:
                editor.add_index(Returnee, index)
        assert Returnee.objects.values_list("name_key", flat=True).get(pk=record.pk) == "MHMDMRN"
    finally:
        # A rebuilt table has lost its triggers.
        triggers.ensure_installed(connection)
        freeze.ensure_installed(connection)
