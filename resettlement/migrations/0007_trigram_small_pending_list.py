from django.db import migrations

from oimsite.core.migration_ops import gin_small_pending_list


class Migration(migrations.Migration):
    dependencies = [
        ("resettlement", "0006_ordering_indexes"),
    ]

    operations = [
        # PostgreSQL only: the lists' search reads at most 64 kB of pending entries per trigram index.
        gin_small_pending_list("file_number_trgm_idx", "refugee_family_trgm_idx", "refugee_given_trgm_idx"),
    ]
