from django.db import migrations

from oimsite.migration_ops import gin_without_pending_list


class Migration(migrations.Migration):
    dependencies = [
        ("returns", "0007_trigram_search_indexes"),
    ]

    operations = [
        # PostgreSQL only: the lists' search reads the trigram indexes without a pending list to scan.
        gin_without_pending_list("returnee_case_trgm_idx", "returnee_family_trgm_idx", "returnee_given_trgm_idx"),
    ]
