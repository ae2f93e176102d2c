from django.contrib.postgres.operations import UnaccentExtension
from django.db import migrations

# PostgreSQL: search_fold(text), the text without accents in capitals (oimsite/lists/search.py). unaccent()
# is only STABLE (its dictionary could change); the wrapper is declared IMMUTABLE, with the dictionary named
# by schema, so that indexes can be built on search_fold(column). SQLite registers its own search_fold on
# each connection instead.
CREATE_FUNCTION = """
CREATE OR REPLACE FUNCTION search_fold(value text) RETURNS text
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
AS $$ SELECT upper(public.unaccent('public.unaccent'::regdictionary, value)) $$
"""


def create_function(apps, schema_editor) -> None:
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(CREATE_FUNCTION)


def drop_function(apps, schema_editor) -> None:
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("DROP FUNCTION IF EXISTS search_fold(text)")


class Migration(migrations.Migration):
    initial = True
    dependencies = []

    operations = [
        UnaccentExtension(),
        migrations.RunPython(create_function, drop_function, elidable=False),
    ]
