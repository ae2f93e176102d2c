from django.contrib.postgres.operations import TrigramExtension
from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("resettlement", "0004_sqlite_search_indexes"),
    ]

    operations = [
        # PostgreSQL only: pg_trgm, for the trigram indexes of the lists' search inside words. The indexes
        # created here on UPPER(column) are replaced by accent-insensitive ones in 0010.
        TrigramExtension(),
    ]
