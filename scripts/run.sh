#!/usr/bin/env bash
# Install (once) and run the bot: on Telegram when TELEGRAM_BOT_TOKEN is set, else the
# console chat on the same engine.
set -euo pipefail
cd "$(dirname "$0")/.."
PYTHON=${PYTHON:-python3}
if [ ! -x .venv/bin/playbook ]; then
    "$PYTHON" -m venv .venv
    .venv/bin/python -m pip install --quiet --upgrade pip
    .venv/bin/python -m pip install --quiet -c constraints.txt -e .
fi
exec .venv/bin/playbook "$@"
