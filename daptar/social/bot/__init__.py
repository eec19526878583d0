"""The organisation's Telegram bot: linking accounts, reports sent in, directive notices."""
