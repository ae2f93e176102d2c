import oimsite.lists.search
from django.db import migrations

# The searched columns' stored folded twins (oimsite/lists/search.py, FoldedField): generated columns computed
# by search_fold(), which PostgreSQL creates in lists/0001-0002 (IMMUTABLE, as a generated column requires)
# and SQLite registers on each connection (deterministic, as a generated column requires).


class Migration(migrations.Migration):

    dependencies = [
        ('returns', '0015_imports_and_name_key'),
        ('lists', '0002_search_fold_arabic'),
    ]

    operations = [
        migrations.AddField(
            model_name='returnee',
            name='case_number_folded',
            field=oimsite.lists.search.FoldedField('case_number'),
        ),
        migrations.AddField(
            model_name='returnee',
            name='family_name_folded',
            field=oimsite.lists.search.FoldedField('family_name'),
        ),
        migrations.AddField(
            model_name='returnee',
            name='given_name_folded',
            field=oimsite.lists.search.FoldedField('given_name'),
        ),
        migrations.AddField(
            model_name='returnee',
            name='name_ar_folded',
            field=oimsite.lists.search.FoldedField('name_ar'),
        ),
    ]
