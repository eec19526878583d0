from django.db import migrations

CATEGORIES = [
    ("programme", 10, "সাংগঠনিক কর্মসূচি", "Organisational programme"),
    ("public_welfare", 20, "জনকল্যাণমূলক কর্মকাণ্ড", "Public welfare activity"),
    ("meeting", 30, "সভা", "Meeting"),
    ("other", 90, "অন্যান্য", "Other"),
]


def add_categories(apps, schema_editor):
    Category = apps.get_model("reports", "Category")
    for slug, rank, name_bn, name_en in CATEGORIES:
        Category.objects.get_or_create(
            slug=slug, defaults={"rank": rank, "name_bn": name_bn, "name_en": name_en}
        )


class Migration(migrations.Migration):
    dependencies = [("reports", "0001_initial")]
    operations = [migrations.RunPython(add_categories, migrations.RunPython.noop)]
