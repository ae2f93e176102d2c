from django.db import migrations

from oimsite.migration_ops import gin_without_pending_list


class Migration(migrations.Migration):
    dependencies = [
        ("resettlement", "0006_ordering_indexes"),
    ]

    operations = [
        # PostgreSQL only: the lists' search reads the trigram indexes without a pending list to scan.
        gin_without_pending_list("file_number_trgm_idx", "refugee_family_trgm_idx", "refugee_given_trgm_idx"),
    ]
