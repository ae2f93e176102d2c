from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("resettlement", "0003_perf_indexes"),
    ]

    # SQLite's NOCASE indexes for the admin's prefix searches were created here; 0010 drops them where they exist.
    operations = []
