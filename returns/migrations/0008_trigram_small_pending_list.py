from django.db import migrations

from oimsite.core.migration_ops import gin_small_pending_list


class Migration(migrations.Migration):
    dependencies = [
        ("returns", "0007_trigram_search_indexes"),
    ]

    operations = [
        # PostgreSQL only: the lists' search reads at most 64 kB of pending entries per trigram index.
        gin_small_pending_list("returnee_case_trgm_idx", "returnee_family_trgm_idx", "returnee_given_trgm_idx"),
    ]
