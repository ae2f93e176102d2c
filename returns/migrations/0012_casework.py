"""Casework: the case's stage (filled from the status of existing rows before its rules apply), its owner
and the append-only assignment log."""

import django.db.models.deletion
import django.utils.timezone
from django.conf import settings
from django.db import migrations, models


def stage_from_status(apps, schema_editor):
    Returnee = apps.get_model("returns", "Returnee")
    db = schema_editor.connection.alias
    for status, stage in (("departed", "returned"), ("withdrawn", "withdrawn"), ("open", "registered")):
        Returnee.objects.using(db).filter(status=status).update(stage=stage)


class Migration(migrations.Migration):

    dependencies = [
        ('returns', '0011_search_fold_indexes'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name='ReturneeAssignment',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('at', models.DateTimeField(db_index=True, default=django.utils.timezone.now, verbose_name='date and time')),
                ('reason', models.CharField(blank=True, max_length=200, verbose_name='reason')),
            ],
            options={
                'verbose_name': 'returnee assignment',
                'verbose_name_plural': 'returnee assignments',
                'ordering': ['-at', '-pk'],
                'abstract': False,
                'default_permissions': ('view',),
            },
        ),
        migrations.AlterModelOptions(
            name='returnee',
            options={'ordering': ['-departure_date', 'case_number'], 'permissions': [('export_returnee', 'Can export returnees (personal data)'), ('reassign_returnee', 'Can reassign returnees to another staff member')], 'verbose_name': 'returnee', 'verbose_name_plural': 'returnees'},
        ),
        migrations.AddField(
            model_name='historicalreturnee',
            name='assigned_on',
            field=models.DateTimeField(blank=True, editable=False, null=True, verbose_name='assigned on'),
        ),
        migrations.AddField(
            model_name='historicalreturnee',
            name='assigned_to',
            field=models.ForeignKey(blank=True, db_constraint=False, help_text='The staff member who owns this case.', limit_choices_to={'is_active': True, 'is_staff': True}, null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='assigned to'),
        ),
        migrations.AddField(
            model_name='historicalreturnee',
            name='closure_reason',
            field=models.CharField(blank=True, choices=[('completed', 'Support completed'), ('lost_contact', 'Contact lost'), ('declined', 'Declined further support'), ('remigrated', 'Migrated again'), ('deceased', 'Deceased'), ('other', 'Other reason')], help_text='Required when the case is closed.', max_length=16, verbose_name='closure reason'),
        ),
        migrations.AddField(
            model_name='historicalreturnee',
            name='stage',
            field=models.CharField(choices=[('registered', 'Registered'), ('counselled', 'Counselled'), ('travel', 'Travel being prepared'), ('returned', 'Returned'), ('reintegration', 'Reintegration in progress'), ('completed', 'Reintegration completed'), ('closed', 'Closed'), ('withdrawn', 'Withdrawn')], default='registered', max_length=16, verbose_name='stage'),
        ),
        migrations.AddField(
            model_name='historicalreturnee',
            name='stage_changed_on',
            field=models.DateField(blank=True, editable=False, null=True, verbose_name='stage changed on'),
        ),
        migrations.AddField(
            model_name='returnee',
            name='assigned_on',
            field=models.DateTimeField(blank=True, editable=False, null=True, verbose_name='assigned on'),
        ),
        migrations.AddField(
            model_name='returnee',
            name='assigned_to',
            field=models.ForeignKey(blank=True, help_text='The staff member who owns this case.', limit_choices_to={'is_active': True, 'is_staff': True}, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='assigned to'),
        ),
        migrations.AddField(
            model_name='returnee',
            name='closure_reason',
            field=models.CharField(blank=True, choices=[('completed', 'Support completed'), ('lost_contact', 'Contact lost'), ('declined', 'Declined further support'), ('remigrated', 'Migrated again'), ('deceased', 'Deceased'), ('other', 'Other reason')], help_text='Required when the case is closed.', max_length=16, verbose_name='closure reason'),
        ),
        migrations.AddField(
            model_name='returnee',
            name='stage',
            field=models.CharField(choices=[('registered', 'Registered'), ('counselled', 'Counselled'), ('travel', 'Travel being prepared'), ('returned', 'Returned'), ('reintegration', 'Reintegration in progress'), ('completed', 'Reintegration completed'), ('closed', 'Closed'), ('withdrawn', 'Withdrawn')], default='registered', max_length=16, verbose_name='stage'),
        ),
        migrations.AddField(
            model_name='returnee',
            name='stage_changed_on',
            field=models.DateField(blank=True, editable=False, null=True, verbose_name='stage changed on'),
        ),
        migrations.AlterField(
            model_name='historicalreturnee',
            name='status',
            field=models.CharField(choices=[('open', 'Open'), ('departed', 'Returned'), ('withdrawn', 'Withdrawn')], default='open', help_text='What the annual report counts; follows the stage.', max_length=12, verbose_name='status'),
        ),
        migrations.AlterField(
            model_name='returnee',
            name='status',
            field=models.CharField(choices=[('open', 'Open'), ('departed', 'Returned'), ('withdrawn', 'Withdrawn')], default='open', help_text='What the annual report counts; follows the stage.', max_length=12, verbose_name='status'),
        ),
        migrations.AddIndex(
            model_name='returnee',
            index=models.Index(fields=['assigned_to', 'stage'], name='returnee_owner_stage_idx'),
        ),
        migrations.AddIndex(
            model_name='returnee',
            index=models.Index(fields=['stage', 'assigned_to'], name='returnee_stage_owner_idx'),
        ),
        migrations.RunPython(stage_from_status, migrations.RunPython.noop),
        migrations.AddConstraint(
            model_name='returnee',
            constraint=models.CheckConstraint(condition=models.Q(('stage__in', ['registered', 'counselled', 'travel', 'returned', 'reintegration', 'completed', 'closed', 'withdrawn'])), name='returnee_stage_valid'),
        ),
        migrations.AddConstraint(
            model_name='returnee',
            constraint=models.CheckConstraint(condition=models.Q(models.Q(('stage__in', ('registered', 'counselled', 'travel')), ('status', 'open')), models.Q(('stage__in', ('returned', 'reintegration', 'completed')), ('status', 'departed')), models.Q(('stage', 'withdrawn'), ('status', 'withdrawn')), models.Q(('stage', 'closed'), ('status__in', ['open', 'departed'])), _connector='OR'), name='returnee_stage_matches_status', violation_error_message='The stage does not match the status (returned, open or withdrawn).'),
        ),
        migrations.AddConstraint(
            model_name='returnee',
            constraint=models.CheckConstraint(condition=models.Q(models.Q(('closure_reason__gt', ''), ('stage', 'closed')), models.Q(models.Q(('stage', 'closed'), _negated=True), ('closure_reason', '')), _connector='OR'), name='returnee_closed_has_reason', violation_error_message='A closed case needs a closure reason, and only a closed case has one.'),
        ),
        migrations.AddField(
            model_name='returneeassignment',
            name='by',
            field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='by'),
        ),
        migrations.AddField(
            model_name='returneeassignment',
            name='case',
            field=models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='assignments', to='returns.returnee', verbose_name='returnee'),
        ),
        migrations.AddField(
            model_name='returneeassignment',
            name='from_user',
            field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='from'),
        ),
        migrations.AddField(
            model_name='returneeassignment',
            name='to_user',
            field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='to'),
        ),
        migrations.AddIndex(
            model_name='returneeassignment',
            index=models.Index(fields=['case', '-at'], name='returnee_assignment_case_idx'),
        ),
    ]
