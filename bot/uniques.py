"""Unique users per year without identities: a keyed hash per year and per scope.

A user is counted once per *scope* and year: the bot as a whole (`bot`), a month
(`maand:03`), an item (`item:e-learning`). What is stored for that is a pseudonym:

    HMAC-SHA256(key of the year, secret ‖ scope ‖ Telegram user id), first 16 bytes

- The key of the year is 32 random bytes, made by the first process that counts in that year
  and kept in the database, so every replica makes the same pseudonyms (two replicas count a
  user once). Shortly after the year ends it is destroyed, with the pseudonyms, and only the
  counts stay (`Storage.close_years`). From then on nothing links those counts to anyone.
- The optional `BOT_STATS_SECRET` (the same on every replica, never in the database) is mixed
  in: with it, a copy of the database alone does not let anyone test a Telegram id.
- The scope is hashed in, so one user's pseudonyms for two items differ: the table cannot be
  joined into "who opened what" without the key.
- Counting distinct pseudonyms is exact (a collision of 128-bit values is beyond any
  realistic number of users), so the counts are exact at any size, not only up to 1,000.

Why not a HyperLogLog sketch: at this bot's scale (hundreds to a few thousand users per item)
a sketch's registers are nearly as revealing as the pseudonyms for anyone who holds the salt
and tests a known id, while it would give up exactness. See docs/privacy.md for what an
operator with database access can and cannot learn.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets

KEY_BYTES = 32
PSEUDONYM_BYTES = 16
BOT_SCOPE = "bot"


def new_key() -> bytes:
    """A fresh random key for a year."""
    return secrets.token_bytes(KEY_BYTES)


def month_scope(month: int) -> str:
    """The scope of unique users in a month of the year (`maand:03`)."""
    return f"maand:{month:02d}"


def item_scope(item_id: str) -> str:
    """The scope of unique users of an item (`item:e-learning`)."""
    return f"item:{item_id}"


def pseudonym(key: bytes, scope: str, user_id: int, secret: bytes = b"") -> bytes:
    """The pseudonym of a user in a scope under a year's key (16 bytes)."""
    message = b"|".join((secret, scope.encode(), str(user_id).encode()))
    return hmac.new(key, message, hashlib.sha256).digest()[:PSEUDONYM_BYTES]
