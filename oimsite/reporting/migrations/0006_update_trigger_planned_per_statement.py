"""The UPDATE triggers' join planned for each statement on PostgreSQL (oimsite/reporting/triggers.py): the
functions are replaced; the triggers, and SQLite's, are unchanged."""

from django.db import migrations

from oimsite.reporting import triggers


def replace_functions(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        triggers.install(schema_editor.connection)


class Migration(migrations.Migration):
    dependencies = [("oimsite", "0005_bucket_counts")]

    operations = [migrations.RunPython(replace_functions, migrations.RunPython.noop)]
