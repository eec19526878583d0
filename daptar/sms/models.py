from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class InboundSMS(models.Model):
    """One SMS an office sent to the organisation's number, and what came of it.

    The gateway's own message id makes it unique: a gateway that posts the same SMS
    twice (a retry, a replay) finds it here and nothing happens a second time.
    """

    class Command(models.TextChoices):
        ACKNOWLEDGE = "ack", _("acknowledge")
        DONE = "done", _("done")
        RETURN = "return", _("return")
        UNKNOWN = "", _("not understood")

    class Outcome(models.TextChoices):
        RECORDED = "recorded", _("recorded")
        INVALID = "invalid", _("not valid")
        REFUSED = "refused", _("refused")

    gateway = models.CharField(_("gateway"), max_length=32)
    message_id = models.CharField(_("gateway message id"), max_length=100)
    sender = models.CharField(_("sender"), max_length=32)
    phone = models.CharField(_("number"), max_length=16, blank=True)
    text = models.TextField(_("text"))
    person = models.ForeignKey(
        "people.Person", models.SET_NULL, null=True, blank=True, related_name="+"
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.SET_NULL, null=True, blank=True, related_name="+"
    )
    unit = models.ForeignKey("units.Unit", models.SET_NULL, null=True, blank=True, related_name="+")
    command = models.CharField(
        _("command"), max_length=8, choices=Command, default=Command.UNKNOWN, blank=True
    )
    outcome = models.CharField(_("outcome"), max_length=8, choices=Outcome)
    reply = models.TextField(_("reply"), blank=True)
    created_at = models.DateTimeField(_("received"), auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("inbound SMS")
        verbose_name_plural = _("inbound SMS")
        constraints = [
            models.UniqueConstraint(fields=["gateway", "message_id"], name="inbound_sms_once"),
        ]

    def __str__(self) -> str:
        return f"{self.sender}: {self.text[:40]}"
