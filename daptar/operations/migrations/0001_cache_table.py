"""The database cache's table(s), so that `manage.py migrate` alone makes a working site.

Django creates a DatabaseCache table only with `createcachetable`; without it every login
(the failure counters live in the cache) is a 500. This runs the same command, which skips
tables that already exist, so databases set up by the old `make setup` migrate cleanly.
"""

from django.core.management import call_command
from django.db import migrations


def create_cache_tables(apps, schema_editor):
    call_command("createcachetable", database=schema_editor.connection.alias, verbosity=0)


class Migration(migrations.Migration):
    initial = True
    dependencies = []
    operations = [
        migrations.RunPython(create_cache_tables, migrations.RunPython.noop, elidable=False),
    ]
