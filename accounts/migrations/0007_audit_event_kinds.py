# The audit log's event kinds after the import, merge, download and referral-override events met.

from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('accounts', '0006_import_event'),
    ]

    operations = [
        migrations.AlterField(
            model_name='auditevent',
            name='kind',
            field=models.CharField(choices=[('login', 'Login'), ('login_failed', 'Failed login'), ('logout', 'Logout'), ('export', 'Export'), ('import', 'Import'), ('merge', 'Merge of two records'), ('download', 'Document download'), ('referral_override', 'Referral without data-sharing consent')], max_length=20, verbose_name='event'),
        ),
    ]
