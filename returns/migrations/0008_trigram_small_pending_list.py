from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("returns", "0007_trigram_search_indexes"),
    ]

    # Settings of 0007's trigram indexes were changed here; 0011 replaces those indexes.
    operations = []
