from django.db import migrations

from oimsite.core.migration_ops import nocase_prefix_indexes


class Migration(migrations.Migration):
    dependencies = [
        ("returns", "0005_history_of_vulnerabilities"),
    ]

    operations = [
        # SQLite only (PostgreSQL has its UPPER(...) indexes since 0004): the admin's `^field` searches.
        nocase_prefix_indexes(
            ("returnee_case_nocase_idx", "returns_returnee", "case_number"),
            ("returnee_family_nocase_idx", "returns_returnee", "family_name"),
            ("returnee_given_nocase_idx", "returns_returnee", "given_name"),
        ),
    ]
