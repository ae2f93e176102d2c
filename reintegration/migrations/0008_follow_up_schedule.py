"""The follow-up schedule an office starts with: a call one month after the departure, visits at three and
six months, a last call at twelve, for both programmes (kept as data: the admin changes it)."""

from django.db import migrations

STEPS = ((1, "phone"), (3, "home"), (6, "home"), (12, "phone"))


def add_schedule(apps, schema_editor):
    Step = apps.get_model("reintegration", "FollowUpScheduleStep")
    db = schema_editor.connection.alias
    for programme in ("from_morocco", "to_morocco"):
        for months, kind in STEPS:
            Step.objects.using(db).get_or_create(programme=programme, months_after_departure=months,
                                                 defaults={"kind": kind})


class Migration(migrations.Migration):
    dependencies = [("reintegration", "0007_casework")]
    operations = [migrations.RunPython(add_schedule, migrations.RunPython.noop)]
