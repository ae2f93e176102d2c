from django.db import migrations

# PostgreSQL's search_fold(text) also folds Arabic as oimsite/lists/search.py's fold() does on SQLite: the
# vowel marks and the tatweel dropped, the forms of alef read as alef, alef maqsura as ya, ta marbuta as ha,
# waw and ya with hamza as waw and ya. Still IMMUTABLE (regexp_replace and translate are), so the indexes on
# search_fold(column) stay usable; the apps whose columns may hold Arabic rebuild theirs after this change
# (returns and resettlement, 0013_arabic_names).
CREATE_FUNCTION = """
CREATE OR REPLACE FUNCTION search_fold(value text) RETURNS text
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
AS $$ SELECT translate(
    regexp_replace(upper(public.unaccent('public.unaccent'::regdictionary, value)),
                   '[\u0640\u064b-\u065f\u0670]', '', 'g'),
    'أإآٱؤئىة', 'ااااوييه') $$
"""

PREVIOUS_FUNCTION = """
CREATE OR REPLACE FUNCTION search_fold(value text) RETURNS text
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
AS $$ SELECT upper(public.unaccent('public.unaccent'::regdictionary, value)) $$
"""


def forwards(apps, schema_editor) -> None:
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(CREATE_FUNCTION)


def backwards(apps, schema_editor) -> None:
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(PREVIOUS_FUNCTION)


class Migration(migrations.Migration):
    dependencies = [("lists", "0001_search_fold")]

    operations = [migrations.RunPython(forwards, backwards, elidable=False)]
