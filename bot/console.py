"""The console chat: the same engine as Telegram, with numbered buttons instead of a keyboard."""

from __future__ import annotations

from typing import TextIO

from bot.engine import Engine
from bot.replies import Reply

STOP_WORDS = frozenset({"stop", "exit", "quit", "q"})


def render(reply: Reply, *, numbered: bool = True) -> str:
    """Plain text of a reply, with its buttons listed as [1] Label (URLs shown as such)."""
    lines = [reply.plain_text()]
    buttons = reply.all_buttons()
    if buttons:
        lines.append("")
        for number, button in enumerate(buttons, start=1):
            target = f" → {button.url}" if button.url else ""
            prefix = f"[{number}] " if numbered else "- "
            lines.append(f"{prefix}{button.label}{target}")
    return "\n".join(lines)


def chat(engine: Engine, source: TextIO, out: TextIO) -> int:
    """Read questions (or button numbers) line by line until 'stop' or end of input."""
    library = engine.store.current.library
    current = engine.start(None)
    print(render(current), file=out)
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
        print("\n" + render(current), file=out)
    print("\n" + library.text("chat_einde"), file=out)
    return 0
