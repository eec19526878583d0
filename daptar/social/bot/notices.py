"""New directives sent to linked office bearers through the bot, with an "acknowledge"
button that runs the same action as the web inbox."""

from __future__ import annotations

import datetime
import logging

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone

from daptar.lib import retries
from daptar.lib.exceptions import Conflict
from daptar.people.models import Post, Term
from daptar.social.bot.replies import ACKNOWLEDGED, ALREADY, Reply, message
from daptar.social.models import BotNotice, TelegramLink
from daptar.social.networks import NetworkError, telegram

logger = logging.getLogger("daptar.social.bot")
WINDOW = datetime.timedelta(days=7)
LIMIT = 500


def queue(now: datetime.datetime | None = None) -> int:
    """One notice per linked office bearer and recent delivery to a unit they act for."""
    from daptar.directives.models import Delivery, Directive

    now = now or timezone.now()
    links = {
        link.user.person_id: link
        for link in TelegramLink.objects.select_related("user").filter(
            user__is_active=True, user__person__isnull=False
        )
    }
    if not links:
        return 0
    terms = (
        Term.objects.current()
        .filter(person_id__in=list(links), post__desk_role=Post.DeskRole.ACT)
        .values_list("person_id", "unit_id")
    )
    units: dict[int, list[TelegramLink]] = {}
    for person_id, unit_id in terms:
        units.setdefault(unit_id, []).append(links[person_id])
    deliveries = Delivery.objects.filter(
        unit_id__in=list(units),
        delivered_at__gte=now - WINDOW,
        state=Delivery.State.DELIVERED,
        directive__status=Directive.Status.ISSUED,
    ).values_list("pk", "unit_id")[:LIMIT]
    rows = [
        BotNotice(link=link, delivery_id=pk, next_attempt_at=now)
        for pk, unit_id in deliveries
        for link in units[unit_id]
    ]
    BotNotice.objects.bulk_create(rows, ignore_conflicts=True)
    return len(rows)


def text_of(notice: BotNotice) -> tuple[str, str]:
    directive = notice.delivery.directive
    due = timezone.localtime(directive.due_at).strftime("%d-%m-%Y")
    url = settings.DAPTAR_SITE_URL.rstrip("/") + reverse("directives:detail", args=[directive.pk])
    text = f"নতুন নির্দেশনা: {directive.title}\nশেষ তারিখ: {due}\n{url}"
    markup = telegram.keyboard([[("প্রাপ্তি স্বীকার", f"ack:{notice.delivery_id}")]])
    return text, markup


def send(notice: BotNotice) -> None:
    text, markup = text_of(notice)
    try:
        telegram.call(
            settings.DAPTAR_TELEGRAM_BOT_TOKEN,
            "sendMessage",
            {"chat_id": notice.link.chat_id, "text": text, "reply_markup": markup},
        )
    except NetworkError as exc:
        raise RuntimeError(str(exc)) from exc


def sweep() -> dict[str, int]:
    """Queue the new notices and send what is due (the outbox's retries and back-off)."""
    if not settings.DAPTAR_TELEGRAM_BOT_TOKEN:
        return {"bot_notices": 0}
    queued = queue()
    counts = retries.deliver_due(
        BotNotice,
        lambda n: send(
            BotNotice.objects.select_related("link", "delivery__directive").get(pk=n.pk)
        ),
        logger=logger,
    )
    return {"bot_notices": queued, "bot_sent": counts["sent"]}


def acknowledge_from_bot(link: TelegramLink, raw: str, chat_id: int) -> Reply:
    """The inline button: directives.actions.acknowledge, as the inbox's button calls it."""
    from daptar.directives import actions as directives
    from daptar.directives.models import Delivery

    user = link.user
    acting = [d.unit.pk for d in user.desks if d.can_act]
    delivery = (
        Delivery.objects.select_related("directive", "unit")
        .filter(Q(unit_id__in=acting), pk=int(raw or 0))
        .first()
    )
    if delivery is None:
        return message(chat_id, ALREADY)
    try:
        directives.acknowledge(delivery, by=user)
    except (Conflict, PermissionDenied):
        return message(chat_id, ALREADY)
    return message(chat_id, ACKNOWLEDGED.format(title=delivery.directive.title))
