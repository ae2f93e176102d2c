from django.db import migrations

# The searched columns: (table, index name prefix, column). The search folds accents and case on both sides
# with search_fold() (oimsite/lists/search.py, lists/0001): on PostgreSQL a B-tree (text_pattern_ops) serves
# the admin's prefix search, a GIN trigram index the lists' search inside words. The GIN indexes keep a small
# pending list: every search reads the unmerged entries in full, and a bulk load leaves many.
SEARCHED = (
    ("resettlement_resettlementfile", "file_number", "file_number"),
    ("resettlement_refugee", "refugee_family", "family_name"),
    ("resettlement_refugee", "refugee_given", "given_name"),
)

# What earlier versions of 0003, 0004, 0005 and 0008 created: UPPER(column) indexes on PostgreSQL; NOCASE
# indexes and trigram full-text tables kept by triggers on SQLite. Dropped where they exist, so that a
# database migrated then and one migrated now end the same.
OLD_POSTGRESQL_INDEXES = tuple(f"{prefix}_{kind}_idx" for _table, prefix, _column in SEARCHED
                               for kind in ("upper", "trgm"))
OLD_SQLITE_INDEXES = tuple(f"{prefix}_nocase_idx" for _table, prefix, _column in SEARCHED)
OLD_SQLITE_TABLES = ("resettlement_resettlementfile", "resettlement_refugee")


def forwards(apps, schema_editor) -> None:
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        for name in OLD_POSTGRESQL_INDEXES:
            schema_editor.execute(f'DROP INDEX IF EXISTS "{name}"')
        for table, prefix, column in SEARCHED:
            schema_editor.execute(f'CREATE INDEX IF NOT EXISTS "{prefix}_fold_idx" '
                                  f'ON "{table}" (search_fold("{column}") text_pattern_ops)')
            schema_editor.execute(f'CREATE INDEX IF NOT EXISTS "{prefix}_fold_trgm_idx" '
                                  f'ON "{table}" USING gin (search_fold("{column}") gin_trgm_ops) '
                                  "WITH (gin_pending_list_limit = 64)")
    elif vendor == "sqlite":
        for table in OLD_SQLITE_TABLES:
            for suffix in ("ai", "ad", "au"):
                schema_editor.execute(f'DROP TRIGGER IF EXISTS "{table}_fts_{suffix}"')
            schema_editor.execute(f'DROP TABLE IF EXISTS "{table}_fts"')
        for name in OLD_SQLITE_INDEXES:
            schema_editor.execute(f'DROP INDEX IF EXISTS "{name}"')


def backwards(apps, schema_editor) -> None:
    if schema_editor.connection.vendor == "postgresql":
        for _table, prefix, _column in SEARCHED:
            schema_editor.execute(f'DROP INDEX IF EXISTS "{prefix}_fold_idx"')
            schema_editor.execute(f'DROP INDEX IF EXISTS "{prefix}_fold_trgm_idx"')


class Migration(migrations.Migration):
    dependencies = [
        ("lists", "0001_search_fold"),
        ("resettlement", "0010_delete_with_parent"),
    ]

    operations = [
        migrations.RunPython(forwards, backwards, elidable=False),
    ]
