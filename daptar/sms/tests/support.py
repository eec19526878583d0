"""The SMS tests' shared setting: a signed webhook, and the cast with verified phones."""

from __future__ import annotations

import json
from typing import Any

from django.test import override_settings
from django.test.client import Client
from django.urls import reverse
from django.utils import timezone

from daptar.people.models import Person
from daptar.sms.signing import signed_headers
from daptar.testing import DaptarTestCase

SECRET = "webhook-secret"
JALALABAD_PHONE = "+8801712345678"
DHAKA_PHONE = "+8801912345678"

SIGNED = override_settings(
    DAPTAR_SMS_WEBHOOK_SECRET=SECRET,
    DAPTAR_SMS_WEBHOOK_AUTH="hmac",
    TASKS={"default": {"BACKEND": "django.tasks.backends.dummy.DummyBackend"}},
)


def post_signed(
    client: Client, name: str, data: dict[str, Any], *, secret: str = SECRET, **headers: Any
) -> Any:
    body = json.dumps(data).encode()
    sign = signed_headers(body, secret)
    sign.update(headers)
    return client.post(
        reverse(name, args=["sslwireless"]),
        body,
        content_type="application/json",
        headers=sign,
    )


class SmsTestCase(DaptarTestCase):
    """The cast, with Jalalabad's and Dhaka's office secretaries on their own verified phones."""

    @classmethod
    def setUpTestData(cls) -> None:
        super().setUpTestData()
        now = timezone.now()
        for user, phone in ((cls.jalalabad, JALALABAD_PHONE), (cls.dhaka, DHAKA_PHONE)):
            Person.objects.filter(pk=user.person_id).update(phone=phone, phone_verified_at=now)
