from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("returns", "0005_history_of_vulnerabilities"),
    ]

    # SQLite's NOCASE indexes for the admin's prefix searches were created here; 0011 drops them where they exist.
    operations = []
