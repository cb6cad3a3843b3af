"""Hard limits on content, so that no file an admin saves can take the bot down.

Every limit leaves the shipped content ample room (the figures in brackets are the largest
value in `content/` when the limit was set) and is documented for admins in
`content/README.md` ("Grenzen"). Size and nesting are checked while a file is read, before
any large Python structure exists; lengths and list sizes by the schema (`model.py`), so they
also appear in the JSON Schema that editors use.
"""

from __future__ import annotations

# --- A file as a whole (checked in `yaml_source`) -------------------------------------------

MAX_FILE_BYTES = 2 * 1024 * 1024
"""Bytes per content file (largest: vragen.yaml, 61 KB). Checked before the file is read."""

MAX_DEPTH = 10
"""Lists and mappings nested in each other (deepest: partners.yaml, 5)."""

MAX_VALUES = 50_000
"""Keys, texts, lists and mappings per file (most: regios.yaml, 3,106)."""

MAX_KEY_CHARS = 64
"""Characters in a key such as `titel` (longest: 24)."""

# --- Characters per text, by kind of field (checked by the schema) --------------------------

MAX_TITLE_CHARS = 120
"""An item's `titel` (69); also a button label when the item has no `knop`."""

MAX_BUTTON_CHARS = 40
"""A button label: an item's `knop` (31) and the `knop_*` texts of teksten.yaml (32)."""

MAX_TEXT_CHARS = 4000
"""An item's `tekst` (1,321): always fits one Telegram message (4,096)."""

MAX_CORE_CHARS = 350
"""An item's `kern`, the "wat doe je nu" on the first screen (348)."""

MAX_FIRST_SCREEN_CHARS = 600
"""What a phone shows before the worker scrolls or expands: every reply's text outside the
expandable details (title, kern, notices, contacts), counted as the user sees it (543: VK
Brussel under the header of 1200 Sint-Lambrechts-Woluwe). `playbook check` keeps room for the
danger line an unsure message gets on top."""

MAX_TERM_CHARS = 150
"""A search term, urgency word or phrase, synonym, stop word or out-of-scope term (66)."""

MAX_LINE_CHARS = 300
"""A checklist line, a contact's value or label, a region's remark (227)."""

MAX_SOURCE_CHARS = 500
"""A source (`bronnen`, a contact's `bron`): a web address or a document name (202)."""

MAX_NAME_CHARS = 100
"""A province, municipality or place name (30)."""

MAX_NOTE_CHARS = 2000
"""An admin's `notitie` (461); never shown to users."""

MAX_UI_TEXT_CHARS = 2000
"""A sentence of teksten.yaml (hulp: 1,153)."""

MAX_COMMAND_DESCRIPTION_CHARS = 256
"""A command's `beschrijving` in Telegram's command menu (Telegram's own limit; 98)."""

MAX_BOT_DESCRIPTION_CHARS = 512
"""`bot_beschrijving` (Telegram's own limit; 403)."""

MAX_BOT_SHORT_DESCRIPTION_CHARS = 120
"""`bot_korte_beschrijving` (Telegram's own limit; 100)."""

MAX_ITEM_CHARS = 8000
"""An item's reply as a whole: title, text, checklist, contact details and sources (2,011).

Two Telegram messages' worth; the fields' own limits alone would allow about nine.
"""

# --- Elements per list (checked by the schema) ----------------------------------------------

MAX_ITEMS = 300
"""Items in partners.yaml, leren.yaml or vragen.yaml (19)."""

MAX_BUTTONS = 6
"""Buttons under one reply: more than this does not fit a phone screen next to the text."""

MAX_STEPS = MAX_BUTTONS
"""Steps in stappen.yaml (6): the overview shows a button for each, and nothing else."""

MAX_TERMS = 100
"""Search terms per item (47)."""

MAX_RELATED = 12
"""`verwant` links per item (6): the first ones become buttons, up to `MAX_BUTTONS` per reply."""

MAX_SOURCES = 20
"""Sources per item (6)."""

MAX_CHECKLIST = 30
"""Checklist lines per step (10)."""

MAX_CONTACTS = 20
"""Contact details per partner (6)."""

MAX_WORDS = 2000
"""Words or phrases in one list of urgent.yaml, synoniemen.yaml or buiten-bereik.yaml (256)."""

MAX_EXAMPLES = 1000
"""Example questions under one item (or buiten-bereik) in voorbeeldvragen.yaml (755)."""

MAX_VARIANTS = 100
"""Variants of one synonym (25)."""

MAX_POSTCODES = 5000
"""Postal-code entries in regios.yaml (546)."""

MAX_PLACES = 50
"""Place names per postal code (3)."""

MAX_PROVINCES = 20
"""Provinces in regios.yaml (6)."""

MAX_LOCAL_PARTNERS = 10
"""`lokale_partners` in regios.yaml (3): buttons under a confirmed place reply, as far as the
`MAX_BUTTONS` reach."""

MAX_THEMES = MAX_BUTTONS - 1
"""Themes in veelgestelde-vragen.yaml (5): one button each, plus the menu button."""

MAX_THEME_ITEMS = MAX_BUTTONS - 1
"""Items per theme (5): one button each, plus the button back to the themes."""

MAX_CANDIDATES = 6
"""VKs that may serve one postal code while it is unconfirmed (2: 2070)."""

MAX_COMMANDS = 100
"""Commands in teksten.yaml (8; Telegram accepts at most 100)."""
MAX_LANGUAGES = 20
"""Languages in `talen.yaml`."""

# --- The decision aid (beslishulp.yaml; checked by the schema and the loader) ---------------

MAX_DECISION_QUESTION_CHARS = 120
"""A question of the decision aid: short, on one line, readable on a phone at a glance (58)."""

MAX_DECISION_EXPLANATION_CHARS = 200
"""A question's optional one-line explanation (`uitleg`, 133)."""

MIN_DECISION_ANSWERS = 2
MAX_DECISION_ANSWERS = 4
"""Answers per question: each is a button of at most `MAX_BUTTON_CHARS` characters (35)."""

MAX_DECISION_NODES = 60
"""Questions in beslishulp.yaml (9); the same for outcomes (10)."""

MAX_DECISION_OUTCOME_CHARS = 1500
"""An outcome's `tekst`: what to do now, short enough to read on a phone (535)."""

MAX_DECISION_WAY_ON = MAX_BUTTONS - 3
"""Buttons under an outcome's advice besides the step plan, "Vorige" and "Opnieuw" (3): its
items, the question for the place (`vk_knop`) and, after the emergency reply, the regional VK
and the emergency numbers."""

MAX_DECISION_ITEMS = MAX_DECISION_WAY_ON
"""Items an outcome points at (each one a button; 3); one fewer with `vk_knop`, two fewer
with `noodantwoord` (the loader checks the sum against `MAX_DECISION_WAY_ON`)."""

MAX_DECISION_DEPTH = 20
"""Answers on the longest path from the first question to an outcome (9).

A button carries its whole position: `b:<question id>:<one digit per answer>`, and with an id
of at most 40 characters that is 2 + 40 + 1 + 20 = 63 bytes, within Telegram's 64.
"""

MAX_DECISION_SUMMARY_CHARS = 3500
"""The summary at an outcome: every question on the way with its answer, then the advice.
It must stay one Telegram message (4,096 characters, with room for markup; 1,854)."""

# --- Sharing (delen.yaml; deep links, inline mode, the poster) -------------------------------

MAX_START_PAYLOAD_CHARS = 64
"""Telegram's limit on a deep-link payload (`t.me/<bot>?start=<payload>`): 1 to 64 characters
from [A-Za-z0-9_-]. Item ids (at most 40 characters) and `pc-<postcode>` always fit."""

MAX_SHARING_TEXT_CHARS = 600
"""A sentence of delen.yaml shown in Telegram (185). The caption of the QR code
photo is this sentence with the link (at most ~100 characters) and a title (120): well within
Telegram's 1,024 characters for a caption."""

MIN_POSTER_LINES = 2
MAX_POSTER_LINES = 3
"""Lines of explanation under the poster's title (`affiche.regels`; 3)."""

MAX_POSTER_TITLE_CHARS = 80
"""The poster's title, printed large (42)."""

MAX_POSTER_LINE_CHARS = 200
"""A line of the poster (155); long lines are set smaller so the page still fits."""

MAX_PINNED_CHARS = 3500
"""The step plan as `/stappenplan` posts it in a group, to be pinned: the note on top, the
overview's title and text together (1,442). One Telegram message (4,096), with room for
markup, so the pinned message is the whole plan."""
