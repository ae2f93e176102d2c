from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("resettlement", "0007_trigram_small_pending_list"),
    ]

    # SQLite's trigram full-text tables and their triggers were created here; 0010 drops them where they exist.
    operations = []
