from django.db import migrations

from oimsite.core.migration_ops import sqlite_trigram_search


class Migration(migrations.Migration):
    dependencies = [
        ("resettlement", "0007_trigram_small_pending_list"),
    ]

    operations = [
        # SQLite only: the lists' search inside names and file numbers (`contains`), as 0005 on PostgreSQL.
        sqlite_trigram_search(
            ("resettlement_resettlementfile", ("file_number",)),
            ("resettlement_refugee", ("family_name", "given_name")),
        ),
    ]
