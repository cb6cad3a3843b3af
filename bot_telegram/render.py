"""Domain replies → Telegram messages: escaped HTML, split under 4096 characters, keyboards."""

from __future__ import annotations

import html
from dataclasses import dataclass

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, SwitchInlineQueryChosenChat
from telegram.constants import MessageLimit

from bot.replies import Block, Button, Reply, Style

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


def _cut(text: str, limit: int) -> list[str]:
    """Cut an over-long escaped line at spaces (a single paragraph longer than a message)."""
    parts: list[str] = []
    while len(text) > limit:
        cut = text.rfind(" ", 0, limit)
        if cut <= limit // 2:
            cut = limit
            entity = text.rfind("&", max(0, cut - _LONGEST_ENTITY + 1), cut)
            if entity > 0 and ";" not in text[entity:cut]:
                cut = entity  # never split an HTML entity such as &amp;
        parts.append(text[:cut])
        text = text[cut:].lstrip()
    parts.append(text)
    return parts


def button(b: Button) -> InlineKeyboardButton:
    """One domain button as Telegram's: a URL, a share (pick a chat, then the inline query
    `@bot <query>` is typed there), or callback data."""
    if b.url:
        return InlineKeyboardButton(b.label, url=b.url)
    if b.share is not None:
        chosen = SwitchInlineQueryChosenChat(
            query=b.share,
            allow_user_chats=True,
            allow_group_chats=True,
            allow_channel_chats=True,
            allow_bot_chats=False,
        )
        return InlineKeyboardButton(b.label, switch_inline_query_chosen_chat=chosen)
    return InlineKeyboardButton(b.label, callback_data=b.data)


def keyboard(reply: Reply) -> InlineKeyboardMarkup | None:
    """The inline keyboard of a reply."""
    if not reply.buttons:
        return None
    return InlineKeyboardMarkup([[button(b) for b in row] for row in reply.buttons])


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
