import oimsite.core.names
from django.db import migrations, models

# The name key (oimsite/core/names.py) becomes a stored generated column, computed by the database on every
# write: name_key(given_name, family_name), which SQLite registers on each connection (the Python name_key())
# and PostgreSQL gets here, in SQL, IMMUTABLE (as a generated column requires). It is the Python function step by
# step: the name decomposed (NFKD, the same Unicode tables as long as PostgreSQL's and Python's versions agree),
# the marks of the diacritical blocks dropped, ß as SS, ı as I, the Latin letters in capitals; words split on
# anything else, particles dropped and glued El/Al prefixes cut; the words joined, sounds written one way,
# vowels after the first letter dropped, doubled letters single. tests/core_tests/test_name_key_column.py checks
# it against the Python function.
CREATE_FUNCTION = r"""
CREATE OR REPLACE FUNCTION name_key(given_name text, family_name text) RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE
AS $$
WITH plain AS (
    SELECT translate(
        replace(regexp_replace(normalize(coalesce(given_name, '') || ' ' || coalesce(family_name, ''), NFKD),
                               '[\u0300-\u036f\u1ab0-\u1aff\u1dc0-\u1dff\u20d0-\u20ff\ufe20-\ufe2f]', '', 'g'),
                'ß', 'SS'),
        'abcdefghijklmnopqrstuvwxyzı', 'ABCDEFGHIJKLMNOPQRSTUVWXYZI') AS text
), joined AS (
    SELECT coalesce(string_agg(CASE WHEN length(word) >= 6 AND left(word, 2) IN ('EL', 'AL') THEN substr(word, 3)
                                    ELSE word END, '' ORDER BY position), '') AS text
    FROM plain, regexp_split_to_table(plain.text, '[^A-Z]+') WITH ORDINALITY AS words(word, position)
    WHERE word NOT IN ('', 'EL', 'AL', 'OULD', 'WULD', 'OLD', 'UL')
), sounds AS (
    SELECT replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(replace(
           replace(replace(text, 'OU', 'U'), 'W', 'U'), 'SH', 'X'), 'CH', 'X'), 'DJ', 'J'), 'DH', 'D'), 'TH', 'T'),
           'PH', 'F'), 'KH', 'K'), 'GH', 'G'), 'Q', 'K'), 'CK', 'K'), 'C', 'K'), 'Y', 'I'), 'Z', 'S') AS text
    FROM joined
)
SELECT regexp_replace(left(text, 1) || regexp_replace(substr(text, 2), '[AEIOU]', '', 'g'), '(.)\1+', '\1', 'g')
FROM sounds
$$
"""


def create_function(apps, schema_editor) -> None:
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(CREATE_FUNCTION)


def drop_function(apps, schema_editor) -> None:
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("DROP FUNCTION IF EXISTS name_key(text, text)")


def fill_name_keys(apps, schema_editor) -> None:
    # Back to the plain column: the keys as the code of 0015 kept them.
    Returnee = apps.get_model("returns", "Returnee")
    rows = Returnee.objects.using(schema_editor.connection.alias)
    batch = []
    for returnee in rows.only("pk", "given_name", "family_name").iterator(chunk_size=2000):
        returnee.name_key = oimsite.core.names.name_key(returnee.given_name, returnee.family_name)[:200]
        batch.append(returnee)
    rows.bulk_update(batch, ["name_key"], batch_size=2000)


class Migration(migrations.Migration):

    dependencies = [
        ('returns', '0016_search_folded_columns'),
    ]

    operations = [
        migrations.RunPython(create_function, drop_function, elidable=False),
        migrations.RunPython(migrations.RunPython.noop, fill_name_keys, elidable=True),
        # A column cannot become generated in place: it is dropped (its index first) and added again, which
        # computes every row's key (SQLite rebuilds the table to add it).
        migrations.RemoveIndex(
            model_name='returnee',
            name='returnee_dob_name_key_idx',
        ),
        migrations.RemoveField(
            model_name='returnee',
            name='name_key',
        ),
        migrations.AddField(
            model_name='returnee',
            name='name_key',
            field=oimsite.core.names.NameKeyField(verbose_name='name key'),
        ),
        migrations.AddIndex(
            model_name='returnee',
            index=models.Index(fields=['date_of_birth', 'name_key'], name='returnee_dob_name_key_idx'),
        ),
    ]
