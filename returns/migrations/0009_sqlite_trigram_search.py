from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("returns", "0008_trigram_small_pending_list"),
    ]

    # SQLite's trigram full-text table and its triggers were created here; 0011 drops them where they exist.
    operations = []
