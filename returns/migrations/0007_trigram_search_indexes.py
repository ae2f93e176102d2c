from django.contrib.postgres.operations import TrigramExtension
from django.db import migrations

from oimsite.core.migration_ops import trigram_indexes


class Migration(migrations.Migration):
    dependencies = [
        ("returns", "0006_sqlite_search_indexes"),
    ]

    operations = [
        # PostgreSQL only: the lists' search inside names and case numbers (`contains`).
        TrigramExtension(),
        trigram_indexes(
            ("returnee_case_trgm_idx", "returns_returnee", "case_number"),
            ("returnee_family_trgm_idx", "returns_returnee", "family_name"),
            ("returnee_given_trgm_idx", "returns_returnee", "given_name"),
        ),
    ]
