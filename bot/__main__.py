"""`python -m bot`: the same as the `playbook` command."""

import sys

from bot.entry import main

sys.exit(main())
