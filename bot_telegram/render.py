"""Domain replies → Telegram messages: escaped HTML, split under 4096 characters, keyboards."""

from __future__ import annotations

import html
from dataclasses import dataclass

from telegram import InlineKeyboardButton, InlineKeyboardMarkup
from telegram.constants import MessageLimit

from bot.replies import Block, Reply, Style

MAX_TEXT = MessageLimit.MAX_TEXT_LENGTH


@dataclass(frozen=True)
class OutgoingMessage:
    """One sendMessage call: HTML text and an optional keyboard."""

    text: str
    keyboard: InlineKeyboardMarkup | None = None


def _block_html(block: Block) -> list[str]:
    """A block as HTML pieces that may be split between messages (one per line)."""
    lines = [html.escape(line, quote=False) for line in block.lines]
    match block.style:
        case Style.TITLE | Style.ALERT:
            return [f"<b>{line}</b>" for line in lines]
        case Style.NOTE:
            return [f"<i>{line}</i>" for line in lines]
        case Style.BULLETS:
            return [f"• {line}" for line in lines]
    return lines


def _cut(piece: str, limit: int) -> list[str]:
    """Cut an over-long plain piece at spaces (a single paragraph longer than a message)."""
    parts: list[str] = []
    while len(piece) > limit:
        cut = piece.rfind(" ", 0, limit)
        if cut <= limit // 2:
            cut = limit
            entity = piece.rfind("&", max(0, cut - 8), cut)
            if entity != -1 and ";" not in piece[entity:cut]:
                cut = entity  # never split an HTML entity such as &amp;
        parts.append(piece[:cut])
        piece = piece[cut:].lstrip()
    parts.append(piece)
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
    """Render a reply as one or more messages; blocks are kept whole where they fit.

    The keyboard goes on the last message, so the buttons sit under the end of the answer.
    """
    chunks: list[str] = []
    current = ""
    for block in reply.blocks:
        separator = "\n\n" if current else ""
        pieces = _block_html(block)
        text = "\n".join(pieces)
        if len(current) + len(separator) + len(text) <= limit:
            current += separator + text
            continue
        # The block does not fit: continue it line by line in a new message.
        for index, piece in enumerate(pieces):
            for part in _cut(piece, limit) if len(piece) > limit else [piece]:
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
