"""Unanswered questions, kept only when an admin asks for it: redacted first, then grouped.

`redact` runs before a question is kept anywhere (it never reaches the database, a log line
or the flusher's buffer as typed). It replaces, in this order:

- e-mail addresses → `[e-mail]`, web addresses → `[link]`,
- phone numbers (8 digits or more, with spaces, dots, slashes or dashes) → `[telefoon]`,
- street addresses (a word ending in -straat, -laan, -lei, … with its house number) → `[adres]`,
- every other number → `[getal]`,
- every word written with a capital that may be a name → `[naam]`: all of them, except a
  known word at the start of a sentence ("Mijn", "Wat") and a known abbreviation in capitals
  ("VK", "CAW"); known = a word of the content or a stop word.

What it cannot see: a name typed without a capital ("ik zag jan vandaag") stays. That is why
the log is opt-in, short-lived and shown to admins only.

`group` puts similar questions together (by their normalized content words), so that an
admin sees "12× hoe meld ik …" once and can add that phrasing to the right item.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Collection, Sequence
from dataclasses import dataclass

from rapidfuzz import fuzz

from bot.normalize import fold

NAME = "[naam]"
PHONE = "[telefoon]"
EMAIL = "[e-mail]"
ADDRESS = "[adres]"
NUMBER = "[getal]"
LINK = "[link]"
PLACEHOLDERS = (NAME, PHONE, EMAIL, ADDRESS, NUMBER, LINK)
"""What redaction writes; they are shown to admins as they are (content/README.md)."""

MAX_ABBREVIATION = 5
"""A word in capitals this long at most may be a known abbreviation (VK, CAW, OCJ)."""
SIMILAR = 70.0
"""rapidfuzz token_set_ratio from which two questions are in the same group."""

_EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
_LINK = re.compile(r"\b(?:https?://|www\.)\S+", re.IGNORECASE)
_PHONE = re.compile(r"(?<![\w])(?:\+|00)?\d(?:[ ./-]?\d){7,}(?![\w])")
_STREET_WORDS = (
    "straat|laan|lei|dreef|steenweg|kaai|plein|markt|baan|hof|pad|singel|ring|vest|dijk"
    "|wegel|weg|gracht|kouter|dries|kade|park|square|avenue|rue|chaussee|chaussée"
)
_ADDRESS = re.compile(
    rf"\b[^\W\d_][\w'-]*?(?:{_STREET_WORDS})\b\.?(?:\s*\d+[a-zA-Z]?\b(?:\s*(?:bus|/)\s*\d+)?)?",
    re.IGNORECASE,
)
_NUMBER = re.compile(r"\d+(?:[.,:]\d+)*")
_WORD = re.compile(r"[^\W\d_][\w'’-]*")
_SENTENCE_END = re.compile(r"[.!?…]\s*$")


def _street(match: re.Match[str]) -> str:
    word = match.group(0)
    # The street word alone ("de weg", "een plein", "hof") is no address: a name in front
    # of it is ("Kerkstraat", "Grote Markt" is caught as a capitalised word).
    head = re.match(r"[^\W\d_][\w'-]*", word)
    stem = head.group(0) if head else word
    if re.fullmatch(rf"(?:{_STREET_WORDS})", stem, re.IGNORECASE):
        return word
    return ADDRESS


def redact(text: str, known: Collection[str]) -> str:
    """The question with everything that may identify someone replaced by a placeholder.

    `known` holds folded words that may stay when capitalised at the start of a sentence or
    written as an abbreviation in capitals (the content's vocabulary and stop words).
    """
    text = " ".join(text.split())  # line breaks and runs of spaces, once
    text = _EMAIL.sub(EMAIL, text)
    text = _LINK.sub(LINK, text)
    text = _PHONE.sub(PHONE, text)
    text = _ADDRESS.sub(_street, text)
    text = _NUMBER.sub(NUMBER, text)
    parts: list[str] = []
    position = 0
    for match in _WORD.finditer(text):
        word = match.group(0)
        before = text[position : match.start()]
        parts.append(before)
        position = match.end()
        if not word[0].isupper() or _inside_placeholder(text, match.start()):
            parts.append(word)
            continue
        folded = fold(word)
        at_start = not "".join(parts).strip() or bool(_SENTENCE_END.search("".join(parts)))
        abbreviation = word.isupper() and len(word) <= MAX_ABBREVIATION
        keep = folded in known and (at_start or abbreviation)
        parts.append(word if keep else NAME)
    parts.append(text[position:])
    return "".join(parts)


def _inside_placeholder(text: str, index: int) -> bool:
    return (
        index > 0
        and text[index - 1] == "["
        and any(text.startswith(p, index - 1) for p in PLACEHOLDERS)
    )


def without_placeholders(text: str) -> str:
    """The redacted text without its placeholders (for matching and grouping)."""
    for placeholder in PLACEHOLDERS:
        text = text.replace(placeholder, " ")
    return " ".join(text.split())


@dataclass(frozen=True)
class Group:
    """Similar unanswered questions, most recent first."""

    questions: tuple[str, ...]
    key: str
    """The normalized content words the group was formed on."""

    @property
    def size(self) -> int:
        """How many questions the group holds."""
        return len(self.questions)


def group(questions: Sequence[str], words: Callable[[str], Sequence[str]]) -> list[Group]:
    """Group similar questions; largest groups first (ties: the most recent first).

    `words` turns a question into its normalized content words (the matching normalizer),
    so that "Hoe meld ik dat?" and "hoe moet ik melden" compare as the same words.
    """
    keys: list[str] = []
    members: list[list[str]] = []
    for question in questions:
        key = " ".join(sorted(set(words(without_placeholders(question)))))
        for index, existing in enumerate(keys):
            if key == existing or (
                key and existing and fuzz.token_set_ratio(key, existing) >= SIMILAR
            ):
                members[index].append(question)
                break
        else:
            keys.append(key)
            members.append([question])
    groups = [Group(tuple(m), k) for k, m in zip(keys, members, strict=True)]
    order = {id(g): i for i, g in enumerate(groups)}
    return sorted(groups, key=lambda g: (-g.size, order[id(g)]))
