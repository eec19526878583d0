"""The people search index: FTS5 (trigram) on SQLite, pg_trgm GIN indexes on PostgreSQL."""

from django.db import migrations

from daptar.people import search


def forwards(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    statements = {"sqlite": search.SQLITE_SETUP, "postgresql": search.POSTGRES_SETUP}
    for sql in statements.get(vendor, []):
        schema_editor.execute(sql)
    if vendor == "sqlite":
        schema_editor.execute(
            f"INSERT INTO {search.FTS_TABLE}({search.FTS_TABLE}) VALUES ('rebuild')"
        )


def backwards(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    statements = {"sqlite": search.SQLITE_TEARDOWN, "postgresql": search.POSTGRES_TEARDOWN}
    for sql in statements.get(vendor, []):
        schema_editor.execute(sql)


class Migration(migrations.Migration):
    dependencies = [("people", "0004_register_fields")]
    operations = [migrations.RunPython(forwards, backwards, elidable=False)]
