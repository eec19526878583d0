from __future__ import annotations

import datetime
from dataclasses import dataclass
from functools import cached_property

from django.conf import settings
from django.contrib.auth.models import AbstractUser
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_otp.models import Device

from daptar.accounts import codes
from daptar.people.models import Post, Term
from daptar.units.models import Unit


@dataclass(frozen=True)
class Desk:
    """A unit a user may work for, with what they may do there (act or view)."""

    unit: Unit
    role: str
    post_name: str

    @property
    def can_act(self) -> bool:
        return self.role == Post.DeskRole.ACT


class User(AbstractUser):  # type: ignore[django-manager-missing]  # django-otp's devices
    """A login. What it may see and do follows from its person's current terms."""

    person = models.OneToOneField(
        "people.Person",
        models.SET_NULL,
        null=True,
        blank=True,
        related_name="user",
        verbose_name=_("person"),
    )

    class Meta(AbstractUser.Meta):
        # django-stubs types these as str, but Meta takes lazy strings (Django's own is one).
        verbose_name = _("user")  # type: ignore[assignment]
        verbose_name_plural = _("users")  # type: ignore[assignment]

    @cached_property
    def desks(self) -> list[Desk]:
        """The user's desks, highest unit first; one per unit, acting beating viewing."""
        if not self.person_id:
            return []
        terms = (
            Term.objects.current()
            .filter(person_id=self.person_id)
            .exclude(post__desk_role="")
            .select_related("unit__level", "post")
            .order_by("unit__depth", "unit__path", "post__rank")
        )
        by_unit: dict[int, Desk] = {}
        for term in terms:
            known = by_unit.get(term.unit_id)
            if known is None or (term.post.desk_role == Post.DeskRole.ACT and not known.can_act):
                by_unit[term.unit_id] = Desk(term.unit, term.post.desk_role, term.post.name)
        return list(by_unit.values())

    def desk_for(self, unit_id: int | str | None) -> Desk | None:
        for desk in self.desks:
            if str(desk.unit.pk) == str(unit_id):
                return desk
        return None


USE_GRACE = datetime.timedelta(seconds=1)


class ApiToken(models.Model):
    """A key for the API. It expires, records its last use and is revoked by deleting it.

    One live token per user: the token endpoint hands out the same one until it expires
    (the API's contract since tokens began), so the key is kept as DRF keeps it.
    """

    key = models.CharField(_("key"), max_length=40, unique=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        models.CASCADE,
        related_name="api_tokens",
        verbose_name=_("user"),
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    expires_at = models.DateTimeField(_("expires"))
    last_used_at = models.DateTimeField(_("last used"), null=True, blank=True)
    last_ip = models.GenericIPAddressField(_("last address"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("API token")
        verbose_name_plural = _("API tokens")

    def __str__(self) -> str:
        return f"{self.key[:6]}…"

    @property
    def expired(self) -> bool:
        return self.expires_at <= timezone.now()

    @property
    def used(self) -> bool:
        """Used since it was issued (issuing sets last_used_at to the same moment)."""
        return bool(self.last_used_at and self.last_used_at > self.created_at + USE_GRACE)


class SignIn(models.Model):
    """One signed-in browser session, for the profile page's list and "sign out everywhere".

    The session key itself is never stored: its SHA-256 finds the row, and its first
    characters find the session to delete (too few to guess the rest from).
    """

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.CASCADE, related_name="sign_ins", verbose_name=_("user")
    )
    key_hash = models.CharField(max_length=64, unique=True)
    key_prefix = models.CharField(max_length=8)
    method = models.CharField(_("signed in with"), max_length=16, default="password")
    user_agent = models.CharField(_("browser"), max_length=300, blank=True)
    ip = models.GenericIPAddressField(_("address"), null=True, blank=True)
    created_at = models.DateTimeField(_("signed in"), auto_now_add=True)
    last_seen_at = models.DateTimeField(_("last seen"), default=timezone.now)
    ended_at = models.DateTimeField(_("ended"), null=True, blank=True)

    class Meta:
        ordering = ["-last_seen_at", "-pk"]
        verbose_name = _("sign-in")
        verbose_name_plural = _("sign-ins")
        indexes = [models.Index(fields=["user", "ended_at"], name="signin_user_idx")]

    def __str__(self) -> str:
        return f"{self.user_id} {self.created_at:%Y-%m-%d %H:%M}"


class OneTimeCode(models.Model):
    """A short code sent by SMS: sign-in by phone, phone verification, or a second factor.

    Only a keyed hash of the code is kept; it is single-use, short-lived and dies after
    a few wrong tries.
    """

    Purpose = codes.Purpose

    purpose = models.CharField(max_length=8, choices=Purpose)
    phone = models.CharField(max_length=16)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.CASCADE, null=True, blank=True, related_name="+"
    )
    code_hash = models.CharField(max_length=64)
    attempts = models.PositiveSmallIntegerField(default=0)
    expires_at = models.DateTimeField()
    used_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["purpose", "phone", "-created_at"], name="otc_lookup_idx")]

    def __str__(self) -> str:
        return f"{self.purpose} {self.phone} {self.created_at:%Y-%m-%d %H:%M}"


class SMSDevice(Device):
    """A second factor by SMS to the person's verified phone (read at each challenge).

    The code is a OneTimeCode (hashed, short-lived, single-use); the device only
    says the user chose this factor.
    """

    class Meta(Device.Meta):
        verbose_name = _("SMS device")
        verbose_name_plural = _("SMS devices")

    def generate_challenge(self) -> str:
        codes.send_second_factor(self.user)
        return str(_("A code is on its way by SMS."))

    def verify_token(self, token: str) -> bool:
        return codes.check_second_factor(self.user, token)
