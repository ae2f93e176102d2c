# Casework: owners, plans, follow-ups (see docs/casework.md).

import django.db.models.deletion
import django.utils.timezone
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('resettlement', '0011_search_fold_indexes'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name='FileAssignment',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('at', models.DateTimeField(db_index=True, default=django.utils.timezone.now, verbose_name='date and time')),
                ('reason', models.CharField(blank=True, max_length=200, verbose_name='reason')),
            ],
            options={
                'verbose_name': 'file assignment',
                'verbose_name_plural': 'file assignments',
                'ordering': ['-at', '-pk'],
                'abstract': False,
                'default_permissions': ('view',),
            },
        ),
        migrations.AlterModelOptions(
            name='resettlementfile',
            options={'ordering': ['-referral_date', 'file_number'], 'permissions': [('export_resettlementfile', 'Can export resettlement files (personal data)'), ('reassign_resettlementfile', 'Can reassign resettlement files to another staff member')], 'verbose_name': 'resettlement file', 'verbose_name_plural': 'resettlement files'},
        ),
        migrations.AddField(
            model_name='historicalresettlementfile',
            name='assigned_on',
            field=models.DateTimeField(blank=True, editable=False, null=True, verbose_name='assigned on'),
        ),
        migrations.AddField(
            model_name='historicalresettlementfile',
            name='assigned_to',
            field=models.ForeignKey(blank=True, db_constraint=False, help_text='The staff member who owns this case.', limit_choices_to={'is_active': True, 'is_staff': True}, null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='assigned to'),
        ),
        migrations.AddField(
            model_name='historicalresettlementfile',
            name='stage_changed_on',
            field=models.DateField(blank=True, editable=False, null=True, verbose_name='stage changed on'),
        ),
        migrations.AddField(
            model_name='resettlementfile',
            name='assigned_on',
            field=models.DateTimeField(blank=True, editable=False, null=True, verbose_name='assigned on'),
        ),
        migrations.AddField(
            model_name='resettlementfile',
            name='assigned_to',
            field=models.ForeignKey(blank=True, help_text='The staff member who owns this case.', limit_choices_to={'is_active': True, 'is_staff': True}, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='assigned to'),
        ),
        migrations.AddField(
            model_name='resettlementfile',
            name='stage_changed_on',
            field=models.DateField(blank=True, editable=False, null=True, verbose_name='stage changed on'),
        ),
        migrations.AddIndex(
            model_name='resettlementfile',
            index=models.Index(fields=['assigned_to', 'stage'], name='file_owner_stage_idx'),
        ),
        migrations.AddIndex(
            model_name='resettlementfile',
            index=models.Index(fields=['stage', 'assigned_to'], name='file_stage_owner_idx'),
        ),
        migrations.AddField(
            model_name='fileassignment',
            name='by',
            field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='by'),
        ),
        migrations.AddField(
            model_name='fileassignment',
            name='case',
            field=models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='assignments', to='resettlement.resettlementfile', verbose_name='resettlement file'),
        ),
        migrations.AddField(
            model_name='fileassignment',
            name='from_user',
            field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='from'),
        ),
        migrations.AddField(
            model_name='fileassignment',
            name='to_user',
            field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='to'),
        ),
        migrations.AddIndex(
            model_name='fileassignment',
            index=models.Index(fields=['case', '-at'], name='file_assignment_case_idx'),
        ),
    ]
