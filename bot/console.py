"""The console chat: the same engine as Telegram, with numbered buttons instead of a keyboard.

A reply shows as on a phone: the first screen, then its details indented under their heading
(what Telegram folds into an expandable quotation), then the footer and the buttons.
"""

from __future__ import annotations

from typing import TextIO

from bot.engine import Engine
from bot.replies import Reply

STOP_WORDS = frozenset({"stop", "exit", "quit", "q"})
DETAILS_MARK = "▼"
DETAILS_INDENT = "│ "


def _text(reply: Reply) -> list[str]:
    first = Reply(reply.blocks).plain_text()
    lines = [first] if first else []
    if reply.details:
        details = Reply(reply.details).plain_text().splitlines()
        heading = f"{DETAILS_MARK} {reply.details_label}".rstrip()
        lines += ["", heading, *(f"{DETAILS_INDENT}{line}".rstrip() for line in details)]
    if reply.footer:
        lines += ["", Reply(reply.footer).plain_text()]
    return lines


def render(reply: Reply, *, numbered: bool = True, choose: str = "") -> str:
    """Plain text of a reply, with its buttons listed as [1] Label (URLs shown as such);
    `choose` goes above numbered buttons ("Kies een nummer:")."""
    lines = _text(reply)
    buttons = reply.all_buttons()
    if buttons:
        lines.append("")
        if choose and numbered:
            lines.append(choose)
        for number, button in enumerate(buttons, start=1):
            target = f" → {button.url}" if button.url else ""
            prefix = f"[{number}] " if numbered else "- "
            lines.append(f"{prefix}{button.label}{target}")
    return "\n".join(lines)


def chat(engine: Engine, source: TextIO, out: TextIO) -> int:
    """Read questions (or button numbers) line by line until 'stop' or end of input."""
    library = engine.store.current.library
    choose = library.text("chat_keuze")
    current = engine.start(None)
    print(render(current, choose=choose), file=out)
    while True:
        out.write("\n" + library.text("chat_prompt"))
        out.flush()
        line = source.readline()
        if not line:
            break
        text = line.strip()
        if text.lower() in STOP_WORDS:
            break
        buttons = current.all_buttons()
        if text.isdigit() and 1 <= int(text) <= len(buttons):
            button = buttons[int(text) - 1]
            current = engine.press(button.data) if button.data else current
        elif text.startswith("/"):
            name, _, argument = text[1:].partition(" ")
            current = engine.command(name.lower(), argument)
        else:
            current = engine.ask(text).reply
        print("\n" + render(current, choose=choose), file=out)
    print("\n" + library.text("chat_einde"), file=out)
    return 0
