"""What the bot does with each update from Telegram, and what it answers (in Bengali).

Answers go back in the webhook's own HTTP response (Telegram runs the method given
there), so a reply costs no second request. Every change made for one update is in
one transaction with the update's id: a repeat of the update (Telegram retries when
an answer is slow) finds the id and changes nothing.
"""

from __future__ import annotations

import json
from typing import Any

from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone

from daptar.lib.numerals import to_bengali_digits
from daptar.social.bot import linking, notices
from daptar.social.bot.replies import ALREADY, Reply, message
from daptar.social.models import BotDraft, BotUpdate, TelegramLink
from daptar.social.networks import telegram

UNKNOWN = (
    "দুঃখিত, এই টেলিগ্রাম অ্যাকাউন্টটি দপ্তরে কারও সঙ্গে যুক্ত নয়। "
    "দপ্তরে আপনার প্রোফাইল পাতার কোডটি এখানে পাঠান, অথবা নিচের বোতাম চেপে "
    "আপনার যাচাই করা মোবাইল নম্বরটি শেয়ার করুন। ধন্যবাদ।"
)
BAD_CODE = "দুঃখিত, কোডটি মেলেনি বা তার মেয়াদ শেষ। প্রোফাইল পাতা থেকে নতুন কোড নিন।"
LINKED = "ধন্যবাদ, {name}। আপনার টেলিগ্রাম অ্যাকাউন্ট দপ্তরের সঙ্গে যুক্ত হয়েছে।"
TERM_ENDED = "দুঃখিত, আপনার দায়িত্বের মেয়াদ শেষ হয়েছে, তাই এই বট থেকে আর প্রতিবেদন পাঠানো যাবে না।"
HELP = "সচিত্র প্রতিবেদন পাঠাতে ছবি পাঠান (একসঙ্গে বা একটি একটি করে), প্রথম লাইনে শিরোনাম লিখে।"
NEED_PHOTO = "প্রতিবেদনে অন্তত একটি ছবি দিন।"
NEED_TITLE = "ছবির ক্যাপশনে বা আলাদা বার্তায় প্রতিবেদনের শিরোনাম লিখুন (প্রথম লাইন)।"
MORE = "আরও ছবি পাঠান; শেষ হলে 'জমা দিন' চাপুন।"
CANCELLED = "প্রতিবেদনটি বাতিল করা হয়েছে।"
SUBMITTED = "প্রতিবেদন জমা হয়েছে: {title}। উপরের দপ্তর এটি দেখে অনুমোদন করবে।\n{url}"


def ask_contact(chat_id: int) -> Reply:
    button = {"text": "মোবাইল নম্বর শেয়ার করুন", "request_contact": True}
    markup = json.dumps(
        {"keyboard": [[button]], "one_time_keyboard": True, "resize_keyboard": True},
        ensure_ascii=False,
    )
    return message(chat_id, UNKNOWN, markup)


def chat_of(update: dict[str, Any]) -> int:
    source = update.get("message") or (update.get("callback_query") or {}).get("message") or {}
    sender = (update.get("message") or update.get("callback_query") or {}).get("from") or {}
    return int((source.get("chat") or {}).get("id") or sender.get("id") or 0)


def handle(update: dict[str, Any]) -> Reply | None:
    """The answer to one update (or None); changes are made once per update id."""
    sender = (update.get("message") or update.get("callback_query") or {}).get("from") or {}
    chat_id = chat_of(update)
    telegram_id = int(sender.get("id") or 0)
    if not telegram_id or sender.get("is_bot"):
        return None
    link = TelegramLink.objects.select_related("user").filter(telegram_id=telegram_id).first()
    if link is None:
        return _stranger(update.get("message") or {}, telegram_id, chat_id)
    user = link.user
    acting = [d for d in user.desks if d.can_act] if user.is_active else []
    if not acting:
        return message(chat_id, TERM_ENDED)
    try:
        with transaction.atomic():
            BotUpdate.objects.create(update_id=int(update["update_id"]))
            if "callback_query" in update:
                return _button(link, update["callback_query"], chat_id)
            return _message(link, update.get("message") or {}, chat_id, acting[0].unit)
    except IntegrityError:
        return None  # Telegram sent this update before: it has been handled


def _stranger(msg: dict[str, Any], telegram_id: int, chat_id: int) -> Reply:
    """Someone not linked: a code or their own contact links them; else a polite no."""
    contact = msg.get("contact")
    if contact and int(contact.get("user_id") or 0) == telegram_id:
        link = linking.link_by_contact(str(contact.get("phone_number", "")), telegram_id, chat_id)
        if link is not None:
            return message(chat_id, LINKED.format(name=_name(link)))
        return ask_contact(chat_id)
    text = str(msg.get("text") or "").strip()
    if text.startswith("/start"):
        text = text[len("/start") :].strip()
    if text and len(text) <= 12 and text.isalnum():
        link = linking.link_by_code(text, telegram_id, chat_id)
        if link is not None:
            return message(chat_id, LINKED.format(name=_name(link)))
        return message(chat_id, BAD_CODE)
    return ask_contact(chat_id)


def _name(link: TelegramLink) -> str:
    person = link.user.person
    return person.name_bn if person else link.user.username


def _message(link: TelegramLink, msg: dict[str, Any], chat_id: int, unit: Any) -> Reply | None:
    photos = msg.get("photo") or []
    document = msg.get("document") or {}
    if not photos and str(document.get("mime_type", "")).startswith("image/"):
        # A photo sent "as a file" keeps its format (HEIC from iPhones) and its metadata:
        # the photo pipeline handles both, as for the web form.
        photos = [document]
    text = str(msg.get("caption") or msg.get("text") or "").strip()
    draft = BotDraft.objects.filter(link=link, status=BotDraft.Status.OPEN).first()
    if not photos and (draft is None or not text or text.startswith("/")):
        return message(chat_id, HELP)
    if draft is None:
        draft = BotDraft.objects.create(link=link, unit=unit)
    first_of_album = True
    if photos:
        largest = photos[-1]
        group = msg.get("media_group_id") or ""
        first_of_album = not group or all(p.get("media_group_id") != group for p in draft.photos)
        if all(p["file_unique_id"] != largest["file_unique_id"] for p in draft.photos):
            draft.photos.append(
                {
                    "file_id": largest["file_id"],
                    "file_unique_id": largest["file_unique_id"],
                    "media_group_id": group,
                }
            )
    if text and not draft.caption:
        draft.caption = text
    draft.save()
    # An album comes as one update per photo: answer the first and the captioned one.
    if not first_of_album and not (msg.get("caption") and draft.caption == text):
        return None
    return summary(draft, chat_id)


def title_and_body(caption: str) -> tuple[str, str]:
    lines = [line.strip() for line in caption.strip().splitlines()]
    title = lines[0] if lines else ""
    body = "\n".join(lines[1:]).strip() or title
    return title[:200], body


def summary(draft: BotDraft, chat_id: int) -> Reply:
    title, _body = title_and_body(draft.caption)
    text = (
        "যা বুঝেছি:\n"
        f"ইউনিট: {draft.unit.name_bn}\n"
        f"শিরোনাম: {title or '—'}\n"
        f"ছবি: {to_bengali_digits(len(draft.photos))}টি"
    )
    buttons = telegram.keyboard(
        [
            [("জমা দিন", f"submit:{draft.pk}"), ("আরও ছবি", f"more:{draft.pk}")],
            [("বাতিল", f"cancel:{draft.pk}")],
        ]
    )
    return message(chat_id, text, buttons)


def _button(link: TelegramLink, query: dict[str, Any], chat_id: int) -> Reply:
    verb, _sep, raw = str(query.get("data") or "").partition(":")
    if verb == "ack":
        return notices.acknowledge_from_bot(link, raw, chat_id)
    draft = BotDraft.objects.filter(pk=int(raw or 0), link=link).first()
    if draft is None or draft.status != BotDraft.Status.OPEN:
        return message(chat_id, ALREADY)
    if verb == "cancel":
        draft.status = BotDraft.Status.CANCELLED
        draft.save(update_fields=["status", "updated_at"])
        return message(chat_id, CANCELLED)
    if verb == "more":
        return message(chat_id, MORE)
    if verb == "submit":
        return submit(draft, chat_id)
    return message(chat_id, HELP)


def submit(draft: BotDraft, chat_id: int) -> Reply:
    """The same report as the web form makes, through the same actions and photo pipeline."""
    from daptar.reports import actions as reports
    from daptar.reports.models import Category

    title, body = title_and_body(draft.caption)
    if not draft.photos:
        return message(chat_id, NEED_PHOTO)
    if not title:
        return message(chat_id, NEED_TITLE)
    token = settings.DAPTAR_TELEGRAM_BOT_TOKEN
    files = [
        SimpleUploadedFile(f"{p['file_unique_id']}.jpg", telegram.download(token, p["file_id"]))
        for p in draft.photos
    ]
    user = draft.link.user
    report = reports.create_report(
        unit=draft.unit,
        by=user,
        title=title,
        body=body,
        category=Category.objects.filter(is_active=True).first(),
        event_date=timezone.localdate(),
        photos=files,
        idempotency_key=f"telegram-draft-{draft.pk}",
    )
    report = reports.submit(report, by=user)
    draft.status, draft.report = BotDraft.Status.SUBMITTED, report
    draft.save(update_fields=["status", "report", "updated_at"])
    url = settings.DAPTAR_SITE_URL.rstrip("/") + reverse("reports:detail", args=[report.pk])
    return message(chat_id, SUBMITTED.format(title=report.title, url=url))
