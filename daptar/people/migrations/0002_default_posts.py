from django.db import migrations

# slug, rank, Bengali, English, desk role, office bearer
POSTS = [
    ("president", 1, "সভাপতি", "President", "view", True),
    ("general_secretary", 2, "সাধারণ সম্পাদক", "General secretary", "view", True),
    ("office_secretary", 10, "দপ্তর সম্পাদক", "Office secretary", "act", True),
    ("deputy_office_secretary", 11, "উপ-দপ্তর সম্পাদক", "Deputy office secretary", "act", True),
    ("co_office_secretary", 12, "সহ-দপ্তর সম্পাদক", "Co-office secretary", "act", True),
    ("database_team", 20, "ডাটাবেইজ টিম", "Database team", "view", True),
    ("research_cell", 21, "গবেষণা ও তথ্য সেল", "Research and information cell", "view", True),
    ("member", 100, "সদস্য", "Member", "", False),
]


def add_posts(apps, schema_editor):
    Post = apps.get_model("people", "Post")
    for slug, rank, name_bn, name_en, role, bearer in POSTS:
        Post.objects.get_or_create(
            slug=slug,
            defaults={"rank": rank, "name_bn": name_bn, "name_en": name_en,
                      "desk_role": role, "is_office_bearer": bearer},
        )


class Migration(migrations.Migration):
    dependencies = [("people", "0001_initial")]
    operations = [migrations.RunPython(add_posts, migrations.RunPython.noop)]
