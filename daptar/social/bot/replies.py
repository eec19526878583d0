"""The bot's answers that both the conversation and the directive notices give."""

from __future__ import annotations

from typing import Any

Reply = dict[str, Any]

ACKNOWLEDGED = "প্রাপ্তি স্বীকার করা হয়েছে: {title}"
ALREADY = "এটি আগেই করা হয়েছে।"


def message(chat_id: int, text: str, markup: str | None = None) -> Reply:
    reply: Reply = {"method": "sendMessage", "chat_id": chat_id, "text": text}
    if markup:
        reply["reply_markup"] = markup
    return reply
