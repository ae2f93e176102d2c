from django.contrib.postgres.operations import TrigramExtension
from django.db import migrations

from oimsite.core.migration_ops import trigram_indexes


class Migration(migrations.Migration):
    dependencies = [
        ("resettlement", "0004_sqlite_search_indexes"),
    ]

    operations = [
        # PostgreSQL only: the lists' search inside names and file numbers (`contains`).
        TrigramExtension(),
        trigram_indexes(
            ("file_number_trgm_idx", "resettlement_resettlementfile", "file_number"),
            ("refugee_family_trgm_idx", "resettlement_refugee", "family_name"),
            ("refugee_given_trgm_idx", "resettlement_refugee", "given_name"),
        ),
    ]
