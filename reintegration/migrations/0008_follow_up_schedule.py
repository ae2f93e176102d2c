"""The follow-up schedule an office starts with: a call one month after the departure, visits at three and
six months, a last call at twelve, for both programmes (kept as data: the admin changes it)."""

from django.db import migrations

from reintegration.reference_data import ensure_follow_up_schedule


def add_schedule(apps, schema_editor):
    ensure_follow_up_schedule(apps, schema_editor.connection.alias)


class Migration(migrations.Migration):
    dependencies = [("reintegration", "0007_casework")]
    operations = [migrations.RunPython(add_schedule, migrations.RunPython.noop)]
