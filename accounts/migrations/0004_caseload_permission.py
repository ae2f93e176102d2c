# Casework: owners, plans, follow-ups (see docs/casework.md).

from django.db import migrations


class Migration(migrations.Migration):

    dependencies = [
        ('accounts', '0003_user_preference'),
    ]

    operations = [
        migrations.AlterModelOptions(
            name='auditevent',
            options={'default_permissions': ('view',), 'ordering': ['-timestamp', '-pk'], 'permissions': [('view_dashboard', 'Can view the dashboard and the annual report'), ('export_aggregate', 'Can export the aggregate report shared outside IOM'), ('view_caseload', "Can view every staff member's caseload")], 'verbose_name': 'audit event', 'verbose_name_plural': 'audit events'},
        ),
    ]
