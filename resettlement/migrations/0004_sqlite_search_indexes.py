from django.db import migrations

from oimsite.core.migration_ops import nocase_prefix_indexes


class Migration(migrations.Migration):
    dependencies = [
        ("resettlement", "0003_perf_indexes"),
    ]

    operations = [
        # SQLite only (PostgreSQL has its UPPER(...) indexes since 0003): the admin's `^field` searches.
        nocase_prefix_indexes(
            ("file_number_nocase_idx", "resettlement_resettlementfile", "file_number"),
            ("refugee_family_nocase_idx", "resettlement_refugee", "family_name"),
            ("refugee_given_nocase_idx", "resettlement_refugee", "given_name"),
        ),
    ]
