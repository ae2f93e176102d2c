import oimsite.lists.search
from django.db import migrations

# The searched columns' stored folded twins (oimsite/lists/search.py, FoldedField): generated columns computed
# by search_fold(), which PostgreSQL creates in lists/0001-0002 (IMMUTABLE, as a generated column requires)
# and SQLite registers on each connection (deterministic, as a generated column requires).


class Migration(migrations.Migration):

    dependencies = [
        ('resettlement', '0015_import_permissions'),
        ('lists', '0002_search_fold_arabic'),
    ]

    operations = [
        migrations.AddField(
            model_name='refugee',
            name='family_name_folded',
            field=oimsite.lists.search.FoldedField('family_name'),
        ),
        migrations.AddField(
            model_name='refugee',
            name='given_name_folded',
            field=oimsite.lists.search.FoldedField('given_name'),
        ),
        migrations.AddField(
            model_name='refugee',
            name='name_ar_folded',
            field=oimsite.lists.search.FoldedField('name_ar'),
        ),
        migrations.AddField(
            model_name='resettlementfile',
            name='file_number_folded',
            field=oimsite.lists.search.FoldedField('file_number'),
        ),
    ]
