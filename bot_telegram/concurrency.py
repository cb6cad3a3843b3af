"""Concurrent updates, bounded, in order within each chat.

python-telegram-bot's `concurrent_updates` handles up to N updates at once. What that needs
to stay correct here:

- one chat's updates are handled one after the other, in the order they came (a question
  and the button pressed right after it never overtake each other), while different chats
  run concurrently: `ChatOrderedProcessor` holds one lock per chat that has updates in
  flight (memory only; the lock goes when the chat's last update is done);
- the engine keeps no per-user state and reads one content snapshot per call, so a reload
  in another thread never mixes two versions into one reply;
- usage figures are recorded under a lock, and the context variable `usage.current_user`
  is per update (each update runs in its own task);
- reloads, statistics and the database never run on the event loop (threads), so one slow
  admin command does not hold up the others;
- `AIORateLimiter` is shared by all of them and keeps the bot under Telegram's limits.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable
from typing import Any

from telegram import Update
from telegram.ext import BaseUpdateProcessor


class ChatOrderedProcessor(BaseUpdateProcessor):
    """At most `max_concurrent_updates` at once; one chat's updates in their order."""

    def __init__(self, max_concurrent_updates: int) -> None:
        super().__init__(max_concurrent_updates)
        self._chats: dict[int, tuple[asyncio.Lock, int]] = {}

    async def do_process_update(self, update: object, coroutine: Awaitable[Any]) -> None:
        """Run the update's handlers once its chat's earlier updates are done."""
        chat = update.effective_chat if isinstance(update, Update) else None
        if chat is None:
            await coroutine
            return
        lock, waiting = self._chats.get(chat.id, (asyncio.Lock(), 0))
        self._chats[chat.id] = (lock, waiting + 1)
        try:
            async with lock:
                await coroutine
        finally:
            lock, waiting = self._chats[chat.id]
            if waiting <= 1:
                del self._chats[chat.id]
            else:
                self._chats[chat.id] = (lock, waiting - 1)

    @property
    def chats_in_flight(self) -> int:
        """Chats with updates being handled or waiting (for tests)."""
        return len(self._chats)

    async def initialize(self) -> None:
        """Nothing to set up."""

    async def shutdown(self) -> None:
        """Nothing to tear down."""
