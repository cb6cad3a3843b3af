"""Domain replies → Telegram messages: escaped HTML, split under 4096 characters, keyboards."""

from __future__ import annotations

import html
import re
from dataclasses import dataclass

from telegram import InlineKeyboardButton, InlineKeyboardMarkup
from telegram.constants import MessageLimit

from bot.replies import Block, Reply, Style

MAX_TEXT = MessageLimit.MAX_TEXT_LENGTH
_LONGEST_ENTITY = len("&amp;")
"""`html.escape(..., quote=False)` only writes &amp; &lt; &gt;."""


@dataclass(frozen=True)
class OutgoingMessage:
    """One sendMessage call: HTML text and an optional keyboard."""

    text: str
    keyboard: InlineKeyboardMarkup | None = None


@dataclass(frozen=True)
class _Piece:
    """One line of a block: escaped text and the markup around it (kept whole when cut)."""

    body: str
    before: str = ""
    after: str = ""
    continued: str = ""
    """What a continuation starts with when the line is cut (a bullet is not repeated)."""

    @property
    def html(self) -> str:
        return f"{self.before}{self.body}{self.after}"

    def parts(self, limit: int) -> list[str]:
        """The line as HTML, cut into parts of at most `limit` characters, tags balanced."""
        if len(self.html) <= limit:
            return [self.html]
        room = limit - max(len(self.before), len(self.continued)) - len(self.after)
        bodies = _cut(self.body, room)
        return [
            f"{self.before if i == 0 else self.continued}{body}{self.after}"
            for i, body in enumerate(bodies)
            if body
        ]


def _pieces(block: Block) -> list[_Piece]:
    """A block as pieces that may be split between messages (one per line)."""
    lines = [html.escape(line, quote=False) for line in block.lines]
    match block.style:
        case Style.TITLE | Style.ALERT:
            return [_Piece(line, "<b>", "</b>", "<b>") for line in lines]
        case Style.NOTE:
            return [_Piece(line, "<i>", "</i>", "<i>") for line in lines]
        case Style.BULLETS:
            return [_Piece(line, "• ") for line in lines]
    return [_Piece(line) for line in lines]


_LEADING_SPACE = re.compile(r"\s*")
"""What `str.lstrip()` removes (`\\s` and `str.isspace` agree on every code point)."""


def _cut(text: str, limit: int) -> list[str]:
    """Cut an over-long escaped line at spaces (a single paragraph longer than a message).

    Linear time: it walks the line with an index and copies each part once (slicing off the
    rest after every part, as it once did, copied a 1 MB line ~250 times).
    """
    parts: list[str] = []
    start, end = 0, len(text)
    while end - start > limit:
        stop = start + limit
        cut = text.rfind(" ", start, stop)
        if cut - start <= limit // 2:
            cut = stop
            entity = text.rfind("&", max(start, cut - _LONGEST_ENTITY + 1), cut)
            if entity > start and ";" not in text[entity:cut]:
                cut = entity  # never split an HTML entity such as &amp;
        parts.append(text[start:cut])
        match = _LEADING_SPACE.match(text, cut)
        start = match.end() if match else cut
    parts.append(text[start:])
    return parts


def keyboard(reply: Reply) -> InlineKeyboardMarkup | None:
    """The inline keyboard of a reply."""
    if not reply.buttons:
        return None
    return InlineKeyboardMarkup(
        [
            [
                InlineKeyboardButton(b.label, url=b.url)
                if b.url
                else InlineKeyboardButton(b.label, callback_data=b.data)
                for b in row
            ]
            for row in reply.buttons
        ]
    )


def to_messages(reply: Reply, limit: int = MAX_TEXT) -> list[OutgoingMessage]:
    """Render a reply as one or more messages; a block that fits in a message is kept whole.

    A block longer than a message continues line by line, and a line longer than a message is
    cut at spaces, with its bold or italic markup closed and reopened around every part.
    The keyboard goes on the last message, so the buttons sit under the end of the answer.
    """
    chunks: list[str] = []
    current = ""
    for block in reply.blocks:
        pieces = _pieces(block)
        if not pieces:
            continue
        text = "\n".join(piece.html for piece in pieces)
        separator = "\n\n" if current else ""
        if len(current) + len(separator) + len(text) <= limit:
            current += separator + text
            continue
        if len(text) <= limit:
            # It does not fit after what is there, but does in a message of its own.
            chunks.append(current)
            current = text
            continue
        # Longer than a message: continue it line by line.
        for index, piece in enumerate(pieces):
            for part in piece.parts(limit):
                joiner = ("\n\n" if index == 0 else "\n") if current else ""
                if len(current) + len(joiner) + len(part) > limit:
                    chunks.append(current)
                    current, joiner = "", ""
                current += joiner + part
    if current or not chunks:
        chunks.append(current or "…")
    markup = keyboard(reply)
    return [
        OutgoingMessage(text, markup if i == len(chunks) - 1 else None)
        for i, text in enumerate(chunks)
    ]
