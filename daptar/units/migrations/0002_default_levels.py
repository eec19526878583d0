from django.db import migrations

LEVELS = [
    ("central", 0, "কেন্দ্র", "Central"),
    ("division", 10, "বিভাগ", "Division"),
    ("district", 20, "সাংগঠনিক জেলা", "Organisational district"),
    ("upazila", 30, "উপজেলা / থানা", "Upazila / thana"),
    ("union", 40, "ইউনিয়ন / পৌরসভা", "Union / pourashava"),
    ("ward", 50, "ওয়ার্ড", "Ward"),
]


def add_levels(apps, schema_editor):
    Level = apps.get_model("units", "Level")
    for slug, rank, name_bn, name_en in LEVELS:
        Level.objects.get_or_create(
            slug=slug, defaults={"rank": rank, "name_bn": name_bn, "name_en": name_en}
        )


class Migration(migrations.Migration):
    dependencies = [("units", "0001_initial")]
    operations = [migrations.RunPython(add_levels, migrations.RunPython.noop)]
