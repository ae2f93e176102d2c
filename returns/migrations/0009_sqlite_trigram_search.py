from django.db import migrations

from oimsite.core.migration_ops import sqlite_trigram_search


class Migration(migrations.Migration):
    dependencies = [
        ("returns", "0008_trigram_small_pending_list"),
    ]

    operations = [
        # SQLite only: the lists' search inside names and case numbers (`contains`), as 0007 on PostgreSQL.
        sqlite_trigram_search(("returns_returnee", ("case_number", "family_name", "given_name"))),
    ]
