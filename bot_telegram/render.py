"""Domain replies → Telegram messages: escaped HTML, details in an expandable block quotation,
links, split under 4096 characters, keyboards.

A reply's first screen comes first; its details follow in ``<blockquote expandable>`` (Bot API
7.4), which a phone shows collapsed to a few lines; the footer comes after it. Stripping the
quotation from a message leaves exactly `Reply.first_screen()`: the block before it ends in
one newline, the footer starts after one.
"""

from __future__ import annotations

import html
import re
from collections.abc import Sequence
from dataclasses import dataclass

from telegram import InlineKeyboardButton, InlineKeyboardMarkup
from telegram.constants import MessageLimit

from bot.replies import Block, Line, Link, Reply, Style

MAX_TEXT = MessageLimit.MAX_TEXT_LENGTH
QUOTE_OPEN = "<blockquote expandable>"
QUOTE_CLOSE = "</blockquote>"
_LONGEST_ENTITY = len("&amp;")
"""`html.escape(..., quote=False)` only writes &amp; &lt; &gt;."""


@dataclass(frozen=True)
class OutgoingMessage:
    """One sendMessage call: HTML text and an optional keyboard."""

    text: str
    keyboard: InlineKeyboardMarkup | None = None


def _link(link: Link) -> str:
    url = html.escape(link.url, quote=True)
    return f'<a href="{url}">{html.escape(link.label, quote=False)}</a>'


def _atoms(line: Line) -> list[str]:
    """A line as HTML atoms: escaped text, or a whole link (never cut inside a tag)."""
    if isinstance(line, str):
        return [html.escape(line, quote=False)]
    return [
        html.escape(part, quote=False) if isinstance(part, str) else _link(part) for part in line
    ]


@dataclass(frozen=True)
class _Piece:
    """One line of a block: HTML atoms and the markup around them (kept whole when cut)."""

    atoms: tuple[str, ...]
    before: str = ""
    after: str = ""
    continued: str = ""
    """What a continuation starts with when the line is cut (a bullet is not repeated)."""

    @property
    def html(self) -> str:
        return f"{self.before}{''.join(self.atoms)}{self.after}"

    def parts(self, limit: int) -> list[str]:
        """The line as HTML, cut into parts of at most `limit` characters, tags balanced.

        Text is cut at spaces; a link is never cut (labels and addresses are bounded by the
        content limits, far below a message).
        """
        if len(self.html) <= limit:
            return [self.html]
        room = limit - max(len(self.before), len(self.continued)) - len(self.after)
        bodies: list[str] = []
        current = ""
        for atom in self.atoms:
            pieces = [atom] if atom.startswith("<a ") else _cut(atom, room)
            for piece in pieces:
                if current and len(current) + len(piece) > room:
                    bodies.append(current)
                    current = piece.lstrip() if not piece.startswith("<a ") else piece
                else:
                    current += piece
        bodies.append(current)
        return [
            f"{self.before if i == 0 else self.continued}{body}{self.after}"
            for i, body in enumerate(bodies)
            if body
        ]


def _pieces(block: Block) -> list[_Piece]:
    """A block as pieces that may be split between messages (one per line)."""
    lines = [tuple(_atoms(line)) for line in block.lines]
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
    """Cut an over-long escaped text at spaces (a single paragraph longer than a message).

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


class _Assembler:
    """Fills messages up to the limit; closes an open quotation at the end of a message and
    reopens it at the start of the next."""

    def __init__(self, limit: int) -> None:
        self.limit = limit
        self.chunks: list[str] = []
        self.current = ""
        self.quoted = False
        """Whether `current` has an open quotation."""

    def _joint(self, quoted: bool, joiner: str) -> str:
        """What goes between `current` and the next unit."""
        if quoted and not self.quoted:
            return ("\n" if self.current else "") + QUOTE_OPEN
        if not quoted and self.quoted:
            return f"{QUOTE_CLOSE}\n"
        return joiner if self.current else ""

    def fits(self, text: str, quoted: bool, joiner: str) -> bool:
        """Whether `text` fits after what is there (with the closing tag it will need)."""
        closing = len(QUOTE_CLOSE) if quoted else 0
        size = len(self.current) + len(self._joint(quoted, joiner)) + len(text) + closing
        return size <= self.limit

    def add(self, text: str, quoted: bool, joiner: str) -> None:
        """Append `text`, starting a new message first when it does not fit."""
        if self.current and not self.fits(text, quoted, joiner):
            self.flush()
        self.current += self._joint(quoted, joiner) + text
        self.quoted = quoted

    def flush(self) -> None:
        if self.current:
            self.chunks.append(self.current + (QUOTE_CLOSE if self.quoted else ""))
        self.current = ""
        self.quoted = False

    def room(self, quoted: bool) -> int:
        """The most one unit can hold in an empty message."""
        return self.limit - (len(QUOTE_OPEN) + len(QUOTE_CLOSE) if quoted else 0)


def _sections(reply: Reply) -> Sequence[tuple[bool, tuple[Block, ...]]]:
    return ((False, reply.blocks), (True, reply.details), (False, reply.footer))


def to_messages(reply: Reply, limit: int = MAX_TEXT) -> list[OutgoingMessage]:
    """Render a reply as one or more messages; a block that fits in a message is kept whole.

    A block longer than a message continues line by line, and a line longer than a message is
    cut at spaces, with its bold or italic markup closed and reopened around every part (and
    the quotation around the details likewise). The keyboard goes on the last message, so the
    buttons sit under the end of the answer.
    """
    out = _Assembler(limit)
    for quoted, blocks in _sections(reply):
        for block in blocks:
            pieces = _pieces(block)
            if not pieces:
                continue
            text = "\n".join(piece.html for piece in pieces)
            if len(text) <= out.room(quoted):
                out.add(text, quoted, "\n\n")
                continue
            # Longer than a message: continue it line by line.
            for index, piece in enumerate(pieces):
                for number, part in enumerate(piece.parts(out.room(quoted))):
                    out.add(part, quoted, "\n\n" if index == number == 0 else "\n")
    out.flush()
    chunks = out.chunks or ["…"]
    markup = keyboard(reply)
    return [
        OutgoingMessage(text, markup if i == len(chunks) - 1 else None)
        for i, text in enumerate(chunks)
    ]
