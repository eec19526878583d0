"""Keys handed out before tokens expired keep working: each becomes an ApiToken with the
configured lifetime counted from today, so no client is cut off by the upgrade."""

import datetime

from django.conf import settings
from django.db import migrations
from django.utils import timezone


def carry_over(apps, schema_editor):
    Token = apps.get_model("authtoken", "Token")
    ApiToken = apps.get_model("accounts", "ApiToken")
    now = timezone.now()
    expires = now + datetime.timedelta(days=getattr(settings, "DAPTAR_API_TOKEN_DAYS", 90))
    ApiToken.objects.bulk_create(
        [
            ApiToken(key=t.key, user_id=t.user_id, expires_at=expires, last_used_at=now)
            for t in Token.objects.all()
        ],
        ignore_conflicts=True,
    )


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0002_sign_in_factors_sessions_tokens"),
        ("authtoken", "0004_alter_tokenproxy_options"),
    ]

    operations = [migrations.RunPython(carry_over, migrations.RunPython.noop)]
