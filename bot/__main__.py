"""`python -m bot`: the same as the `playbook` command."""

import sys

from bot.cli import main

sys.exit(main())
