from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("resettlement", "0006_ordering_indexes"),
    ]

    # Settings of 0005's trigram indexes were changed here; 0010 replaces those indexes.
    operations = []
