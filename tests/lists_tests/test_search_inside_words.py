"""The lists' search inside words on SQLite, served by trigram full-text tables (oimsite/core/fts.py).

It must find exactly what Django's `icontains` finds (`LIKE '%term%' ESCAPE '\\'`), except for the case of
non-ASCII letters, which only the trigram table folds; and the tables must follow every write to the
searched tables, however it is made. The plans that use them are checked in perf_tests/test_search_indexes.py.
"""

from __future__ import annotations

import sqlite3
from datetime import date

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.db import connection, transaction
from django.db.models import Q
from django.test.utils import CaptureQueriesContext
from hypothesis import given, settings
from hypothesis import strategies as st

from oimsite.core import fts
from oimsite.devtools import scale
from oimsite.lists.search import _terms, search
from oimsite.reporting.apps import repair_trigram_search
from reintegration.models import SupportSession
from resettlement.models import Refugee, ResettlementFile
from returns.models import Returnee
from tests import helpers

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(connection.vendor != "sqlite",
                       reason="trigram full-text tables are SQLite's; PostgreSQL has trigram indexes"),
]

RETURNEE_FIELDS = ("case_number", "family_name", "given_name")

# Names as they come: accents in either case, LIKE's wildcards and escape, quotes, spaces, hyphens.
NAMES = [
    ("Benali", "Ali"), ("BENALI", "Amina"), ("Ben Ali", "Omar"), ("Élodie", "Hélène"), ("élodie", "HÉLÈNE"),
    ("100%_sure", "a_b%c"), ("O'Brien", 'Say "hi"'), ("back\\slash", "x\\y"), ("Haddad", "  Nour  "),
    ("Öztürk", "Straße"), ("Ab", "Abc"), ("Kone-Diallo", "Awa"),
]


def make_returnees(names=NAMES) -> list[Returnee]:
    """Written with bulk_create, as `populate` does: only the triggers can index them."""
    return Returnee.objects.bulk_create(
        helpers.build_returnee(family_name=family, given_name=given) for family, given in names)


def any_field(fields, term: str) -> Q:
    """Django's own search for one word: an OR of `icontains` over the fields."""
    return Q.create([(f"{field}__icontains", term) for field in fields], connector=Q.OR)


def icontains(model, fields, term: str) -> set[int]:
    return set(model.objects.filter(any_field(fields, term)).values_list("pk", flat=True))


def found(model, fields, text: str) -> tuple[set[int], bool]:
    """What the lists' search finds, and whether it asked a trigram table."""
    with CaptureQueriesContext(connection) as captured:
        pks = set(search(model.objects.all(), fields, text).values_list("pk", flat=True))
    return pks, any(" MATCH " in query["sql"] for query in captured)


def ascii_case_variants(term: str) -> list[str]:
    """The term with its ASCII letters in other cases (non-ASCII letters are the documented difference)."""
    def ascii(change):
        return "".join(change(c) if c.isascii() else c for c in term)

    return [term, ascii(str.upper), ascii(str.lower), ascii(str.swapcase)]


TERMS = ["ena", "ENA", "bEnAl", "n A", "lodi", "100%", "0%_", "%_s", "_b%", "b%c", "%", "_", "'Br", '"hi',
         "\\sl", "x\\y", "  Nour", "Nour  ", "Abc", "Ab", "zz", "Öztü", "ße", "RVA-20", "-Dia", "xyz"]


@pytest.mark.parametrize("term", TERMS)
def test_the_trigram_table_finds_what_icontains_finds(term):
    make_returnees()
    for variant in ascii_case_variants(term):
        expected = icontains(Returnee, RETURNEE_FIELDS, variant)
        got = fts.contains(Returnee, RETURNEE_FIELDS, variant) if len(variant) >= 3 else None
        pks, used = found(Returnee, RETURNEE_FIELDS, f'"{variant}"' if " " in variant else variant)
        assert pks == expected, variant
        assert used == (len(variant) >= fts.MIN_TERM_LENGTH), variant  # short terms keep the LIKE
        if got is not None:
            assert set(Returnee.objects.filter(got).values_list("pk", flat=True)) == expected, variant
    if term not in ("xyz", "zz"):
        assert icontains(Returnee, RETURNEE_FIELDS, term), "the term should find something"


def test_only_the_searched_columns_are_matched():
    make_returnees()
    benali = set(Returnee.objects.filter(family_name__icontains="benali").values_list("pk", flat=True))
    assert len(benali) == 2
    assert set(Returnee.objects.filter(fts.contains(Returnee, ["family_name"], "benali"))
               .values_list("pk", flat=True)) == benali
    assert not Returnee.objects.filter(fts.contains(Returnee, ["given_name"], "benali")).exists()


@pytest.mark.parametrize(("model", "fields", "text"), [
    (Returnee, ("case_number", "family_name", "given_name"), "ben ali"),
    (Returnee, ("case_number", "family_name", "given_name"), '"ben ali" omar'),
    (SupportSession, ("returnee__case_number", "returnee__family_name", "returnee__given_name"), "ben ali"),
    (SupportSession, ("returnee__case_number", "returnee__family_name", "returnee__given_name"), "Hadd Nou"),
    (Refugee, ("file__file_number", "family_name", "given_name"), "RST person1"),
    (Refugee, ("file__file_number", "family_name", "given_name"), "amily Pe"),
    (ResettlementFile, ("file_number", "refugees__family_name", "refugees__given_name"), "erson0 RST-2024"),
    (ResettlementFile, ("file_number", "refugees__family_name", "refugees__given_name"), "family"),
])
def test_every_list_search_finds_what_icontains_finds_word_by_word(model, fields, text):
    for returnee in make_returnees()[:-2]:
        helpers.session(returnee, on=date(2024, 6, 1))
    for size in (1, 2, 3):
        helpers.resettlement_file(size=size)
    expected = model.objects.all()
    for word in _terms(text):
        # Through a reverse relation each word may match another related row (see oimsite/lists/search.py).
        expected = expected.filter(pk__in=model.objects.filter(any_field(fields, word)).values("pk"))
    pks, used = found(model, fields, text)
    assert used
    assert pks == set(expected.values_list("pk", flat=True))
    assert pks, "the text should find something"


def test_non_ascii_letters_match_in_either_case_unlike_sqlites_like():
    """The documented difference: SQLite's LIKE folds ASCII only, the trigram tokenizer folds é and É too
    (as PostgreSQL's UPPER() does)."""
    make_returnees()
    both = set(Returnee.objects.filter(family_name__in=["Élodie", "élodie"]).values_list("pk", flat=True))
    assert len(both) == 2
    assert len(icontains(Returnee, ("family_name",), "élo")) == 1
    assert found(Returnee, RETURNEE_FIELDS, "élo")[0] == both
    assert found(Returnee, RETURNEE_FIELDS, "ÉLO")[0] == both


# Values and terms from a small alphabet with ASCII letters in both cases, accented letters in one case only
# (see the test above), LIKE's wildcards and escape, quotes and spaces: many near-misses and overlaps.
ALPHABET = "abAB -%_\\\"'é"
values = st.text(alphabet=ALPHABET, min_size=0, max_size=8)


@settings(max_examples=150, deadline=None)
@given(rows=st.lists(st.tuples(values, values), min_size=1, max_size=6),
       term=st.text(alphabet=ALPHABET, min_size=3, max_size=5))
def test_any_term_finds_what_icontains_finds(rows, term):
    with transaction.atomic():
        make_returnees(rows)
        expected = icontains(Returnee, ("family_name", "given_name"), term)
        got = set(Returnee.objects.filter(fts.contains(Returnee, ["family_name", "given_name"], term))
                  .values_list("pk", flat=True))
        transaction.set_rollback(True)
    assert got == expected


# --- the tables follow every write --------------------------------------------------------------

def matches(term: str) -> set[int]:
    return set(Returnee.objects.filter(fts.contains(Returnee, RETURNEE_FIELDS, term)).values_list("pk", flat=True))


def test_the_index_follows_save_update_delete_and_bulk_writes():
    created = helpers.saved_returnee(family_name="Zerhouni")
    assert matches("rhoun") == {created.pk}
    created.family_name = "Tazi"
    created.save()
    assert matches("rhoun") == set()
    assert matches("Tazi") == {created.pk}
    created.notes = "no indexed column changes"  # the UPDATE trigger skips the index, which stays right
    created.save()
    assert matches("Tazi") == {created.pk}
    Returnee.objects.filter(pk=created.pk).update(given_name="Yasmina")  # one UPDATE statement, no save()
    assert matches("smin") == {created.pk}
    bulk = make_returnees([("Bulkowski", "Anna")])
    assert matches("kowsk") == {bulk[0].pk}
    created.delete()
    assert matches("Tazi") == set() and matches("smin") == set()
    Returnee.objects.filter(pk=bulk[0].pk).delete()
    assert matches("kowsk") == set()
    with connection.cursor() as cursor:  # the index agrees with the table, row for row
        cursor.execute("INSERT INTO returns_returnee_fts(returns_returnee_fts, rank) VALUES ('integrity-check', 1)")


def test_the_rows_populate_writes_raw_are_indexed():
    scale.populate(1, progress_stream=None)
    for term in ("Haddad", "RVA-20", "ali"):
        expected = icontains(Returnee, RETURNEE_FIELDS, term)
        assert expected and matches(term) == expected, term
        refugees = icontains(Refugee, ("family_name", "given_name"), term)
        assert set(Refugee.objects.filter(fts.contains(Refugee, ["family_name", "given_name"], term))
                   .values_list("pk", flat=True)) == refugees, term
    files = icontains(ResettlementFile, ("file_number",), "RST-20")
    assert files and set(ResettlementFile.objects.filter(fts.contains(ResettlementFile, ["file_number"], "RST-20"))
                         .values_list("pk", flat=True)) == files


def fts_triggers() -> int:
    with connection.cursor() as cursor:
        cursor.execute("SELECT name FROM sqlite_master WHERE type = 'trigger'")
        names = {row[0] for row in cursor.fetchall()}
    return len(names & {name for table in fts.TRIGRAM_SEARCH for name in fts.trigger_names(table)})


def assert_every_index_agrees_with_its_table() -> None:
    with connection.cursor() as cursor:
        for table in fts.TRIGRAM_SEARCH:
            index = fts.index_name(table)
            cursor.execute(f'INSERT INTO "{index}"("{index}", rank) VALUES (\'integrity-check\', 1)')


def test_populate_indexes_once_at_the_end_and_keeps_the_triggers():
    during = []
    scale.populate(2, progress_stream=None, after_batch=lambda batch: during.append(fts_triggers()))
    assert during == [0, 0]  # no per-row indexing while the copies are written
    assert fts_triggers() == 3 * len(fts.TRIGRAM_SEARCH)
    assert_every_index_agrees_with_its_table()
    later = helpers.saved_returnee(family_name="Afterpopulate")
    assert matches("terpopul") == {later.pk}


def test_an_interrupted_populate_keeps_the_triggers_and_a_whole_index():
    def interrupt(batch):
        if batch == 2:
            raise KeyboardInterrupt

    with pytest.raises(scale.PopulateInterrupted):
        scale.populate(3, progress_stream=None, after_batch=interrupt)
    assert fts_triggers() == 3 * len(fts.TRIGRAM_SEARCH)
    assert_every_index_agrees_with_its_table()
    assert matches("Haddad") == icontains(Returnee, RETURNEE_FIELDS, "Haddad") != set()


def test_a_write_rolled_back_leaves_the_index_as_it_was():
    kept = helpers.saved_returnee(family_name="Kettani")
    with transaction.atomic():
        kept.family_name = "Rollbacker"
        kept.save()
        assert matches("lback") == {kept.pk}
        transaction.set_rollback(True)
    assert matches("lback") == set()
    assert matches("ttani") == {kept.pk}


@pytest.mark.parametrize("table", sorted(fts.TRIGRAM_SEARCH))
def test_each_searched_table_has_its_trigram_table_and_triggers(table):
    with connection.cursor() as cursor:
        cursor.execute("SELECT name FROM pragma_table_info(%s) ORDER BY cid", [fts.index_name(table)])
        assert tuple(row[0] for row in cursor.fetchall()) == fts.TRIGRAM_SEARCH[table]
        cursor.execute("SELECT name FROM sqlite_master WHERE type = 'trigger' AND tbl_name = %s", [table])
        assert set(fts.trigger_names(table)) <= {row[0] for row in cursor.fetchall()}


def test_migrate_restores_triggers_that_a_table_rebuild_dropped():
    """Django's SQLite schema editor rebuilds a table for most column changes, which drops its triggers:
    post_migrate recreates them and re-indexes what was written meanwhile."""
    before = helpers.saved_returnee(family_name="Before")
    with connection.cursor() as cursor:
        for name in fts.trigger_names("returns_returnee"):
            cursor.execute(f'DROP TRIGGER "{name}"')
    unindexed = helpers.saved_returnee(family_name="Meanwhile")
    assert matches("anwhil") == set()  # stale: what repair is for
    repair_trigram_search(sender=None, using="default")
    assert matches("anwhil") == {unindexed.pk}
    assert matches("efor") == {before.pk}
    later = helpers.saved_returnee(family_name="Afterwards")
    assert matches("terwa") == {later.pk}
    assert fts.repair(connection) == []  # nothing left to repair


def test_a_sqlite_without_the_trigram_tokenizer_is_told_what_it_needs():
    class NoTrigram:
        def execute(self, sql, params=None):
            raise sqlite3.OperationalError("no such tokenizer: trigram")

    with pytest.raises(ImproperlyConfigured, match=r"needs SQLite 3\.34 or later built with FTS5"):
        fts.create(NoTrigram(), "returns_returnee", RETURNEE_FIELDS)
