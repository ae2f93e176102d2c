# Casework: owners, plans, follow-ups (see docs/casework.md).

import django.core.validators
import django.db.models.deletion
import simple_history.models
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('reintegration', '0006_delete_with_parent'),
        ('returns', '0012_casework'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name='PlanGoal',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('version', models.PositiveIntegerField(default=1, editable=False, verbose_name='version')),
                ('created_at', models.DateTimeField(auto_now_add=True, verbose_name='created at')),
                ('updated_at', models.DateTimeField(auto_now=True, verbose_name='updated at')),
                ('dimension', models.CharField(choices=[('economic', 'Economic'), ('social', 'Social'), ('psychosocial', 'Psychosocial')], max_length=14, verbose_name='dimension')),
                ('need', models.CharField(max_length=200, verbose_name='need')),
                ('planned_support', models.CharField(choices=[('counselling', 'Counselling session'), ('cash', 'Cash / financial aid'), ('vocational_training', 'Vocational training'), ('psychosocial', 'Psychosocial support'), ('social', 'Social support'), ('economic', 'Economic / business support'), ('health', 'Health support'), ('education', 'Education support')], max_length=24, verbose_name='planned support')),
                ('budget_mad', models.DecimalField(blank=True, decimal_places=2, max_digits=10, null=True, validators=[django.core.validators.MinValueValidator(0)], verbose_name='budget (MAD)')),
                ('target_date', models.DateField(blank=True, null=True, verbose_name='target date')),
                ('status', models.CharField(choices=[('planned', 'Planned'), ('in_progress', 'In progress'), ('achieved', 'Achieved'), ('partly_achieved', 'Partly achieved'), ('dropped', 'Dropped')], default='planned', max_length=16, verbose_name='status')),
                ('outcome', models.TextField(blank=True, verbose_name='outcome')),
            ],
            options={
                'verbose_name': 'plan goal',
                'verbose_name_plural': 'plan goals',
                'ordering': ['plan', 'target_date', 'pk'],
            },
        ),
        migrations.CreateModel(
            name='FollowUpScheduleStep',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('programme', models.CharField(choices=[('from_morocco', 'Returns from Morocco'), ('to_morocco', 'Moroccans returning home')], max_length=14, verbose_name='programme')),
                ('months_after_departure', models.PositiveSmallIntegerField(validators=[django.core.validators.MinValueValidator(1), django.core.validators.MaxValueValidator(60)], verbose_name='months after departure')),
                ('kind', models.CharField(choices=[('phone', 'Phone call'), ('home', 'Home visit'), ('office', 'Office visit'), ('virtual', 'Virtual meeting')], max_length=10, verbose_name='kind')),
                ('active', models.BooleanField(default=True, verbose_name='active')),
            ],
            options={
                'verbose_name': 'follow-up schedule step',
                'verbose_name_plural': 'follow-up schedule',
                'ordering': ['programme', 'months_after_departure'],
                'constraints': [models.UniqueConstraint(fields=('programme', 'months_after_departure'), name='schedule_step_unique', violation_error_message='This programme already plans a follow-up that month.'), models.CheckConstraint(condition=models.Q(('months_after_departure__gte', 1), ('months_after_departure__lte', 60)), name='schedule_step_months_range')],
            },
        ),
        migrations.CreateModel(
            name='HistoricalFollowUp',
            fields=[
                ('id', models.BigIntegerField(auto_created=True, blank=True, db_index=True, verbose_name='ID')),
                ('kind', models.CharField(choices=[('phone', 'Phone call'), ('home', 'Home visit'), ('office', 'Office visit'), ('virtual', 'Virtual meeting')], max_length=10, verbose_name='kind')),
                ('due_date', models.DateField(verbose_name='due date')),
                ('done_on', models.DateField(blank=True, help_text='Empty until it is done.', null=True, verbose_name='done on')),
                ('outcome', models.CharField(blank=True, choices=[('reached', 'Reached, doing well'), ('needs_support', 'Reached, needs support'), ('not_reached', 'Not reached'), ('remigrated', 'Migrated again')], max_length=16, verbose_name='outcome')),
                ('notes', models.TextField(blank=True, verbose_name='notes')),
                ('next_due', models.DateField(blank=True, help_text='If set, a new follow-up is planned on that day when this one is saved.', null=True, verbose_name='next follow-up due')),
                ('scheduled', models.BooleanField(default=False, editable=False, verbose_name='from the schedule')),
                ('history_id', models.AutoField(primary_key=True, serialize=False)),
                ('history_date', models.DateTimeField(db_index=True)),
                ('history_change_reason', models.CharField(max_length=100, null=True)),
                ('history_type', models.CharField(choices=[('+', 'Created'), ('~', 'Changed'), ('-', 'Deleted')], max_length=1)),
                ('assigned_to', models.ForeignKey(blank=True, db_constraint=False, limit_choices_to={'is_active': True, 'is_staff': True}, null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='assigned to')),
                ('history_user', models.ForeignKey(null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL)),
                ('returnee', models.ForeignKey(blank=True, db_constraint=False, null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to='returns.returnee', verbose_name='returnee')),
            ],
            options={
                'verbose_name': 'historical follow-up',
                'verbose_name_plural': 'historical follow-ups',
                'ordering': ('-history_date', '-history_id'),
                'get_latest_by': ('history_date', 'history_id'),
            },
            bases=(simple_history.models.HistoricalChanges, models.Model),
        ),
        migrations.CreateModel(
            name='HistoricalReintegrationPlan',
            fields=[
                ('id', models.BigIntegerField(auto_created=True, blank=True, db_index=True, verbose_name='ID')),
                ('status', models.CharField(choices=[('draft', 'Draft'), ('agreed', 'Agreed'), ('completed', 'Completed'), ('abandoned', 'Abandoned')], default='draft', max_length=12, verbose_name='status')),
                ('agreed_on', models.DateField(blank=True, null=True, verbose_name='agreed on')),
                ('closed_on', models.DateField(blank=True, null=True, verbose_name='closed on')),
                ('closure_reason', models.CharField(blank=True, max_length=200, verbose_name='closure reason')),
                ('notes', models.TextField(blank=True, verbose_name='notes')),
                ('history_id', models.AutoField(primary_key=True, serialize=False)),
                ('history_date', models.DateTimeField(db_index=True)),
                ('history_change_reason', models.CharField(max_length=100, null=True)),
                ('history_type', models.CharField(choices=[('+', 'Created'), ('~', 'Changed'), ('-', 'Deleted')], max_length=1)),
                ('history_user', models.ForeignKey(null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL)),
                ('returnee', models.ForeignKey(blank=True, db_constraint=False, null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to='returns.returnee', verbose_name='returnee')),
            ],
            options={
                'verbose_name': 'historical reintegration plan',
                'verbose_name_plural': 'historical reintegration plans',
                'ordering': ('-history_date', '-history_id'),
                'get_latest_by': ('history_date', 'history_id'),
            },
            bases=(simple_history.models.HistoricalChanges, models.Model),
        ),
        migrations.AddField(
            model_name='historicalsupportsession',
            name='goal',
            field=models.ForeignKey(blank=True, db_constraint=False, help_text="The goal of the returnee's reintegration plan this support serves.", null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to='reintegration.plangoal', verbose_name='plan goal'),
        ),
        migrations.AddField(
            model_name='supportsession',
            name='goal',
            field=models.ForeignKey(blank=True, help_text="The goal of the returnee's reintegration plan this support serves.", null=True, on_delete=django.db.models.deletion.PROTECT, related_name='sessions', to='reintegration.plangoal', verbose_name='plan goal'),
        ),
        migrations.CreateModel(
            name='ReintegrationPlan',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('version', models.PositiveIntegerField(default=1, editable=False, verbose_name='version')),
                ('created_at', models.DateTimeField(auto_now_add=True, verbose_name='created at')),
                ('updated_at', models.DateTimeField(auto_now=True, verbose_name='updated at')),
                ('status', models.CharField(choices=[('draft', 'Draft'), ('agreed', 'Agreed'), ('completed', 'Completed'), ('abandoned', 'Abandoned')], default='draft', max_length=12, verbose_name='status')),
                ('agreed_on', models.DateField(blank=True, null=True, verbose_name='agreed on')),
                ('closed_on', models.DateField(blank=True, null=True, verbose_name='closed on')),
                ('closure_reason', models.CharField(blank=True, max_length=200, verbose_name='closure reason')),
                ('notes', models.TextField(blank=True, verbose_name='notes')),
                ('returnee', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='plans', to='returns.returnee', verbose_name='returnee')),
            ],
            options={
                'verbose_name': 'reintegration plan',
                'verbose_name_plural': 'reintegration plans',
                'ordering': ['-created_at', '-pk'],
            },
        ),
        migrations.AddField(
            model_name='plangoal',
            name='plan',
            field=models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='goals', to='reintegration.reintegrationplan', verbose_name='plan'),
        ),
        migrations.CreateModel(
            name='HistoricalPlanGoal',
            fields=[
                ('id', models.BigIntegerField(auto_created=True, blank=True, db_index=True, verbose_name='ID')),
                ('dimension', models.CharField(choices=[('economic', 'Economic'), ('social', 'Social'), ('psychosocial', 'Psychosocial')], max_length=14, verbose_name='dimension')),
                ('need', models.CharField(max_length=200, verbose_name='need')),
                ('planned_support', models.CharField(choices=[('counselling', 'Counselling session'), ('cash', 'Cash / financial aid'), ('vocational_training', 'Vocational training'), ('psychosocial', 'Psychosocial support'), ('social', 'Social support'), ('economic', 'Economic / business support'), ('health', 'Health support'), ('education', 'Education support')], max_length=24, verbose_name='planned support')),
                ('budget_mad', models.DecimalField(blank=True, decimal_places=2, max_digits=10, null=True, validators=[django.core.validators.MinValueValidator(0)], verbose_name='budget (MAD)')),
                ('target_date', models.DateField(blank=True, null=True, verbose_name='target date')),
                ('status', models.CharField(choices=[('planned', 'Planned'), ('in_progress', 'In progress'), ('achieved', 'Achieved'), ('partly_achieved', 'Partly achieved'), ('dropped', 'Dropped')], default='planned', max_length=16, verbose_name='status')),
                ('outcome', models.TextField(blank=True, verbose_name='outcome')),
                ('history_id', models.AutoField(primary_key=True, serialize=False)),
                ('history_date', models.DateTimeField(db_index=True)),
                ('history_change_reason', models.CharField(max_length=100, null=True)),
                ('history_type', models.CharField(choices=[('+', 'Created'), ('~', 'Changed'), ('-', 'Deleted')], max_length=1)),
                ('history_user', models.ForeignKey(null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL)),
                ('plan', models.ForeignKey(blank=True, db_constraint=False, null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to='reintegration.reintegrationplan', verbose_name='plan')),
            ],
            options={
                'verbose_name': 'historical plan goal',
                'verbose_name_plural': 'historical plan goals',
                'ordering': ('-history_date', '-history_id'),
                'get_latest_by': ('history_date', 'history_id'),
            },
            bases=(simple_history.models.HistoricalChanges, models.Model),
        ),
        migrations.CreateModel(
            name='FollowUp',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('version', models.PositiveIntegerField(default=1, editable=False, verbose_name='version')),
                ('created_at', models.DateTimeField(auto_now_add=True, verbose_name='created at')),
                ('updated_at', models.DateTimeField(auto_now=True, verbose_name='updated at')),
                ('kind', models.CharField(choices=[('phone', 'Phone call'), ('home', 'Home visit'), ('office', 'Office visit'), ('virtual', 'Virtual meeting')], max_length=10, verbose_name='kind')),
                ('due_date', models.DateField(verbose_name='due date')),
                ('done_on', models.DateField(blank=True, help_text='Empty until it is done.', null=True, verbose_name='done on')),
                ('outcome', models.CharField(blank=True, choices=[('reached', 'Reached, doing well'), ('needs_support', 'Reached, needs support'), ('not_reached', 'Not reached'), ('remigrated', 'Migrated again')], max_length=16, verbose_name='outcome')),
                ('notes', models.TextField(blank=True, verbose_name='notes')),
                ('next_due', models.DateField(blank=True, help_text='If set, a new follow-up is planned on that day when this one is saved.', null=True, verbose_name='next follow-up due')),
                ('scheduled', models.BooleanField(default=False, editable=False, verbose_name='from the schedule')),
                ('assigned_to', models.ForeignKey(blank=True, limit_choices_to={'is_active': True, 'is_staff': True}, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='assigned to')),
                ('returnee', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='follow_ups', to='returns.returnee', verbose_name='returnee')),
            ],
            options={
                'verbose_name': 'follow-up',
                'verbose_name_plural': 'follow-ups',
                'ordering': ['due_date', 'pk'],
                'indexes': [models.Index(condition=models.Q(('done_on__isnull', True)), fields=['assigned_to', 'due_date'], name='followup_owner_due_idx'), models.Index(condition=models.Q(('done_on__isnull', True)), fields=['due_date'], name='followup_pending_due_idx'), models.Index(fields=['returnee', 'due_date'], name='followup_returnee_due_idx')],
                'constraints': [models.CheckConstraint(condition=models.Q(('kind__in', ['phone', 'home', 'office', 'virtual'])), name='followup_kind_valid'), models.CheckConstraint(condition=models.Q(models.Q(('done_on__isnull', True), ('outcome', '')), models.Q(('done_on__isnull', False), models.Q(('outcome', ''), _negated=True)), _connector='OR'), name='followup_done_has_outcome', violation_error_message='A follow-up that is done has an outcome, and only one that is done.'), models.CheckConstraint(condition=models.Q(('next_due__isnull', True), ('next_due__gt', models.F('due_date')), _connector='OR'), name='followup_next_after_due', violation_error_message='The next follow-up is due after this one.')],
            },
        ),
        migrations.AddIndex(
            model_name='reintegrationplan',
            index=models.Index(fields=['status', 'returnee'], name='plan_status_returnee_idx'),
        ),
        migrations.AddConstraint(
            model_name='reintegrationplan',
            constraint=models.CheckConstraint(condition=models.Q(('status__in', ['draft', 'agreed', 'completed', 'abandoned'])), name='plan_status_valid'),
        ),
        migrations.AddConstraint(
            model_name='reintegrationplan',
            constraint=models.CheckConstraint(condition=models.Q(('status', 'draft'), ('agreed_on__isnull', False), ('status', 'abandoned'), _connector='OR'), name='plan_agreed_has_date', violation_error_message='An agreed or completed plan needs the date it was agreed on.'),
        ),
        migrations.AddConstraint(
            model_name='reintegrationplan',
            constraint=models.CheckConstraint(condition=models.Q(('status__in', ['draft', 'agreed']), ('closed_on__isnull', False), _connector='OR'), name='plan_closed_has_date', violation_error_message='A completed or abandoned plan needs the date it was closed on.'),
        ),
        migrations.AddConstraint(
            model_name='reintegrationplan',
            constraint=models.CheckConstraint(condition=models.Q(('closed_on__isnull', True), ('agreed_on__isnull', True), ('closed_on__gte', models.F('agreed_on')), _connector='OR'), name='plan_closed_after_agreed', violation_error_message='A plan cannot be closed before it was agreed.'),
        ),
        migrations.AddConstraint(
            model_name='reintegrationplan',
            constraint=models.UniqueConstraint(condition=models.Q(('status__in', ['draft', 'agreed'])), fields=('returnee',), name='plan_one_open_per_returnee', violation_error_message='This returnee already has a plan in draft or agreed.'),
        ),
        migrations.AddConstraint(
            model_name='plangoal',
            constraint=models.CheckConstraint(condition=models.Q(('dimension__in', ['economic', 'social', 'psychosocial'])), name='goal_dimension_valid'),
        ),
        migrations.AddConstraint(
            model_name='plangoal',
            constraint=models.CheckConstraint(condition=models.Q(('status__in', ['planned', 'in_progress', 'achieved', 'partly_achieved', 'dropped'])), name='goal_status_valid'),
        ),
        migrations.AddConstraint(
            model_name='plangoal',
            constraint=models.CheckConstraint(condition=models.Q(('planned_support__in', ['counselling', 'cash', 'vocational_training', 'psychosocial', 'social', 'economic', 'health', 'education'])), name='goal_support_valid'),
        ),
        migrations.AddConstraint(
            model_name='plangoal',
            constraint=models.CheckConstraint(condition=models.Q(('budget_mad__isnull', True), ('budget_mad__gte', 0), _connector='OR'), name='goal_budget_not_negative', violation_error_message='The budget cannot be negative.'),
        ),
    ]
