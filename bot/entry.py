"""The `playbook` entry point: `playbook health` without loading the rest of the bot.

The Docker HEALTHCHECK runs `playbook health` every 30 s. Importing the command line
(content schema, matching, python-telegram-bot) takes most of a second; the health check
needs only the settings, the status file and one getMe, so it is answered from here in
tens of milliseconds. Every other command goes to `bot.cli.main`.
"""

from __future__ import annotations

import sys
from collections.abc import Sequence


def _is_health(argv: Sequence[str]) -> bool:
    """Whether the subcommand is `health` (after the global options)."""
    words = list(argv)
    while words:
        word = words.pop(0)
        if word == "--content":
            if words:
                words.pop(0)
        elif word.startswith("--content=") or word in ("-v", "--verbose"):
            continue
        else:
            return word == "health" and not words
    return False


def main(argv: Sequence[str] | None = None) -> int:
    """`playbook …`: the health check at once, everything else through `bot.cli`."""
    args = sys.argv[1:] if argv is None else list(argv)
    if _is_health(args):
        from bot.config import Settings, SettingsError
        from bot.health import run

        try:
            return run(Settings.from_env())
        except SettingsError as error:
            print(f"Configuration error: {error}", file=sys.stderr)
            return 2
    from bot.cli import main as cli_main

    return cli_main(args)
