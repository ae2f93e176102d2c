import django.core.validators
from django.db import migrations, models

# The Arabic name is searched as the other names are (oimsite/lists/search.py): on PostgreSQL a B-tree on
# search_fold(name_ar) for the admin's prefix search and a GIN trigram index for the lists' search inside words.
# search_fold now folds Arabic too (lists/0002): the indexes already built on search_fold(column) are rebuilt,
# since a name in Arabic letters may already be stored in the Latin name fields.
TABLE = "resettlement_refugee"
PREFIX = "refugee_name_ar"


def forwards(apps, schema_editor) -> None:
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(f'CREATE INDEX IF NOT EXISTS "{PREFIX}_fold_idx" '
                          f'ON "{TABLE}" (search_fold("name_ar") text_pattern_ops)')
    schema_editor.execute(f'CREATE INDEX IF NOT EXISTS "{PREFIX}_fold_trgm_idx" '
                          f'ON "{TABLE}" USING gin (search_fold("name_ar") gin_trgm_ops) '
                          "WITH (gin_pending_list_limit = 64)")
    schema_editor.execute(f'REINDEX TABLE "{TABLE}"')


def backwards(apps, schema_editor) -> None:
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(f'DROP INDEX IF EXISTS "{PREFIX}_fold_idx"')
        schema_editor.execute(f'DROP INDEX IF EXISTS "{PREFIX}_fold_trgm_idx"')


class Migration(migrations.Migration):

    dependencies = [
        ('resettlement', '0012_casework'),
        ('lists', '0002_search_fold_arabic'),
    ]

    operations = [
        migrations.AddField(
            model_name='historicalrefugee',
            name='name_ar',
            field=models.CharField(blank=True, help_text='Optional: the full name as the person writes it in Arabic letters.', max_length=200, validators=[django.core.validators.RegexValidator("^[\\u0621-\\u065f\\u066e-\\u06d3\\u06d5\\u06fa-\\u06ff\\u0750-\\u077f\\u08a0-\\u08ff '’-]+\\Z", message='Write this name in Arabic letters only; the name in Latin letters goes in the given and family names.')], verbose_name='name in Arabic script'),
        ),
        migrations.AddField(
            model_name='refugee',
            name='name_ar',
            field=models.CharField(blank=True, help_text='Optional: the full name as the person writes it in Arabic letters.', max_length=200, validators=[django.core.validators.RegexValidator("^[\\u0621-\\u065f\\u066e-\\u06d3\\u06d5\\u06fa-\\u06ff\\u0750-\\u077f\\u08a0-\\u08ff '’-]+\\Z", message='Write this name in Arabic letters only; the name in Latin letters goes in the given and family names.')], verbose_name='name in Arabic script'),
        ),
        migrations.RunPython(forwards, backwards, elidable=False),
    ]
