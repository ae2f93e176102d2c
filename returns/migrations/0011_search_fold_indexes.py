from django.db import migrations

# The searched columns: (index name prefix, column). The search folds accents and case on both sides with
# search_fold() (oimsite/lists/search.py, lists/0001): on PostgreSQL a B-tree (text_pattern_ops) serves the
# admin's prefix search, a GIN trigram index the lists' search inside words. The GIN indexes keep a small
# pending list: every search reads the unmerged entries in full, and a bulk load leaves many.
TABLE = "returns_returnee"
SEARCHED = (("returnee_case", "case_number"), ("returnee_family", "family_name"), ("returnee_given", "given_name"))

# What earlier versions of 0004, 0006, 0007 and 0009 created: UPPER(column) indexes on PostgreSQL; NOCASE
# indexes and a trigram full-text table kept by triggers on SQLite. Dropped where they exist, so that a
# database migrated then and one migrated now end the same.
OLD_POSTGRESQL_INDEXES = tuple(f"{prefix}_{kind}_idx" for prefix, _column in SEARCHED for kind in ("upper", "trgm"))
OLD_SQLITE_INDEXES = tuple(f"{prefix}_nocase_idx" for prefix, _column in SEARCHED)
OLD_SQLITE_TRIGGERS = tuple(f"{TABLE}_fts_{suffix}" for suffix in ("ai", "ad", "au"))
OLD_SQLITE_TABLE = f"{TABLE}_fts"


def forwards(apps, schema_editor) -> None:
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        for name in OLD_POSTGRESQL_INDEXES:
            schema_editor.execute(f'DROP INDEX IF EXISTS "{name}"')
        for prefix, column in SEARCHED:
            schema_editor.execute(f'CREATE INDEX IF NOT EXISTS "{prefix}_fold_idx" '
                                  f'ON "{TABLE}" (search_fold("{column}") text_pattern_ops)')
            schema_editor.execute(f'CREATE INDEX IF NOT EXISTS "{prefix}_fold_trgm_idx" '
                                  f'ON "{TABLE}" USING gin (search_fold("{column}") gin_trgm_ops) '
                                  "WITH (gin_pending_list_limit = 64)")
    elif vendor == "sqlite":
        for name in OLD_SQLITE_TRIGGERS:
            schema_editor.execute(f'DROP TRIGGER IF EXISTS "{name}"')
        schema_editor.execute(f'DROP TABLE IF EXISTS "{OLD_SQLITE_TABLE}"')
        for name in OLD_SQLITE_INDEXES:
            schema_editor.execute(f'DROP INDEX IF EXISTS "{name}"')


def backwards(apps, schema_editor) -> None:
    if schema_editor.connection.vendor == "postgresql":
        for prefix, _column in SEARCHED:
            schema_editor.execute(f'DROP INDEX IF EXISTS "{prefix}_fold_idx"')
            schema_editor.execute(f'DROP INDEX IF EXISTS "{prefix}_fold_trgm_idx"')


class Migration(migrations.Migration):
    dependencies = [
        ("lists", "0001_search_fold"),
        ("returns", "0010_departure_order_index_only"),
    ]

    operations = [
        migrations.RunPython(forwards, backwards, elidable=False),
    ]
