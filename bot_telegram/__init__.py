"""The Telegram adapter: turns updates into engine calls and replies into Telegram messages."""
