"""Strict, bounded YAML reading: text-only scalars, no tags, no aliases, positions kept.

PyYAML's `safe_load` turns `0470 12 34 56` or `09:00` into numbers and `no` into False, and
lets a repeated key win silently. Here the document is read as a stream of parser events and
built by hand: every scalar stays the text the admin typed, any explicit tag is an error, and
each value's line and column are recorded under its path so that validation messages can
point at the exact spot.

Nothing a file contains can make reading it slow or large (see `limits`): the file must be a
regular file no bigger than `MAX_FILE_BYTES`, checked before a byte is read (a FIFO or device
is never opened); anchors and aliases are refused when the parser reports them, so an alias
bomb is never expanded; nesting deeper than `MAX_DEPTH` and more than `MAX_VALUES` values
are refused as they arrive; the builder is iterative, so deep nesting cannot overflow the
stack. Every such problem is a `YamlProblem` with a line and column, never a traceback.
"""

from __future__ import annotations

import errno
import os
import re
import stat
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

import yaml

from bot.content.limits import MAX_DEPTH, MAX_FILE_BYTES, MAX_KEY_CHARS, MAX_VALUES
from bot.content.problems import shorten

Path_ = tuple[str | int, ...]
"""Location of a value in a document: mapping keys and list indexes from the root."""

# libyaml's C parser is ~15× faster than the pure-Python one and reports the same positions.
# Its error messages say less ("found character that cannot start any token", without the
# tab), so a file it rejects is parsed again by the pure-Python parser to explain the problem.
_FAST_LOADER = getattr(yaml, "CBaseLoader", yaml.BaseLoader)

_EXPLAIN_MAX_CHARS = 256 * 1024
"""Up to where the slow parser re-reads a file to explain an error (about 0.2 s); beyond,
the fast parser's own message is used."""

_PLAIN_TAGS = {
    None,
    "!",
    "tag:yaml.org,2002:str",
    "tag:yaml.org,2002:seq",
    "tag:yaml.org,2002:map",
}

_NOT_PRINTABLE = re.compile(
    "[^\x09\x0a\x0d\x20-\x7e\x85\xa0-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]"
)
"""Characters YAML does not allow in a file (NUL, other control characters, U+FFFE/U+FFFF)."""

_LINE_BREAK = re.compile("\r\n|[\r\n\x85\u2028\u2029]")
"""What YAML (and libyaml's positions) count as the end of a line."""

_MB = 1024 * 1024

Raw = str | list["Raw"] | dict[str, "Raw"] | None


@dataclass(frozen=True)
class Position:
    """A 1-based line and column in a file."""

    line: int
    column: int


@dataclass
class Document:
    """A YAML file read as plain text values, with the position of every value."""

    data: Raw
    positions: dict[Path_, Position] = field(default_factory=dict)

    def position(self, path: Path_) -> Position:
        """The position of `path`, or of its nearest ancestor that exists."""
        for end in range(len(path), -1, -1):
            found = self.positions.get(path[:end])
            if found is not None:
                return found
        return Position(1, 1)


class YamlProblem(Exception):
    """A file that is not valid YAML for our purposes, with where and why."""

    def __init__(self, position: Position, message: str, hint: str = "") -> None:
        super().__init__(message)
        self.position = position
        self.message = message
        self.hint = hint


class _Mark(Protocol):
    """Where an event starts (PyYAML's and libyaml's marks both have these)."""

    line: int
    column: int


class _Events(Protocol):
    """The event interface both PyYAML loaders share (untyped in the stubs)."""

    def get_event(self) -> yaml.Event: ...
    def peek_event(self) -> yaml.Event: ...
    def check_event(self, *choices: type[yaml.Event]) -> bool: ...
    def dispose(self) -> None: ...


def _position(mark: _Mark) -> Position:
    return Position(mark.line + 1, mark.column + 1)


def _start(event: yaml.Event) -> _Mark:
    mark: _Mark | None = event.start_mark
    assert mark is not None  # both parsers mark every event
    return mark


def _text_position(text: str, index: int) -> Position:
    """The line and column of a character offset, counting line breaks the way YAML does."""
    line = 1
    line_start = 0
    for found in _LINE_BREAK.finditer(text, 0, index):
        line += 1
        line_start = found.end()
    return Position(line, index - line_start + 1)


# --- Reading the bytes -----------------------------------------------------------------------

_FILE_KINDS = (
    (stat.S_ISDIR, "een map"),
    (stat.S_ISFIFO, "een FIFO (named pipe)"),
    (stat.S_ISCHR, "een apparaat"),
    (stat.S_ISBLK, "een apparaat"),
    (stat.S_ISSOCK, "een socket"),
)


def _not_regular(path: Path, mode: int) -> YamlProblem:
    kind = next((word for test, word in _FILE_KINDS if test(mode)), "geen gewoon bestand")
    return YamlProblem(
        Position(1, 1),
        f"dit is geen gewoon bestand maar {kind}; de bot leest het niet",
        f"vervang het door een gewoon tekstbestand {path.name}",
    )


def _too_big(path: Path, size: int) -> YamlProblem:
    megabytes = f"{size / _MB:.1f}".replace(".", ",")  # Dutch decimal comma
    return YamlProblem(
        Position(1, 1),
        f"het bestand is te groot: {megabytes} MB (max. {MAX_FILE_BYTES // _MB} MB)",
        "de inhoudsbestanden zijn elk minder dan 0,1 MB; kijk na of er niet per ongeluk iets "
        f"groots in {path.name} geplakt is",
    )


def _os_problem(path: Path, error: OSError) -> YamlProblem:
    if isinstance(error, FileNotFoundError):
        if path.is_symlink():
            return YamlProblem(
                Position(1, 1),
                "dit is een symbolische link naar een bestand dat niet bestaat",
                f"vervang de link door het bestand {path.name} zelf",
            )
        return YamlProblem(
            Position(1, 1),
            "dit bestand ontbreekt",
            f"maak {path.name} aan (zie content/README.md)",
        )
    if isinstance(error, PermissionError):
        return YamlProblem(
            Position(1, 1),
            "de bot mag dit bestand niet lezen (geen leesrechten)",
            "geef de gebruiker van de bot leesrechten op het bestand en de map",
        )
    if error.errno == errno.ELOOP:
        return YamlProblem(
            Position(1, 1),
            "dit is een symbolische link die in een kring naar zichzelf verwijst",
            f"vervang de link door het bestand {path.name} zelf",
        )
    return YamlProblem(
        Position(1, 1),
        f"de bot kan dit bestand niet lezen ({error.strerror or type(error).__name__})",
        "kijk na of het een gewoon, leesbaar tekstbestand is",
    )


def _read_bytes(path: Path) -> bytes:
    """The bytes of a regular file of at most `MAX_FILE_BYTES`, or a `YamlProblem` saying why not.

    The kind and size are checked before opening (a FIFO would block, a device could be
    endless), and again on the open descriptor, in case the file was swapped in between.
    """
    try:
        info = path.stat()
        if not stat.S_ISREG(info.st_mode):
            raise _not_regular(path, info.st_mode)
        if info.st_size > MAX_FILE_BYTES:
            raise _too_big(path, info.st_size)
        # O_NONBLOCK: should a FIFO have been swapped in after the check, opening it does not
        # wait for a writer. It changes nothing for a regular file.
        descriptor = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0))
        try:
            info = os.fstat(descriptor)
            if not stat.S_ISREG(info.st_mode):
                raise _not_regular(path, info.st_mode)
            chunks: list[bytes] = []
            size = 0
            while size <= MAX_FILE_BYTES:
                chunk = os.read(descriptor, MAX_FILE_BYTES + 1 - size)
                if not chunk:
                    break
                chunks.append(chunk)
                size += len(chunk)
        finally:
            os.close(descriptor)
    except OSError as error:
        raise _os_problem(path, error) from error
    if size > MAX_FILE_BYTES:  # it grew after the check
        raise _too_big(path, size)
    return b"".join(chunks)


def _decode(data: bytes) -> str:
    """The bytes as UTF-8 text; a `YamlProblem` at the first byte that is not."""
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as error:
        line_start = data.rfind(b"\n", 0, error.start) + 1
        line = data.count(b"\n", 0, error.start) + 1
        column = len(data[line_start : error.start].decode("utf-8")) + 1
        raise YamlProblem(
            Position(line, column),
            f"het bestand is geen UTF-8-tekst (de byte 0x{data[error.start]:02X} hier)",
            "bewaar het als UTF-8 in je teksteditor (niet als 'ANSI' of 'Windows-1252')",
        ) from error
    return text


def _check_printable(text: str) -> None:
    """Refuse NUL and other control characters, at their own line and column."""
    bad = _NOT_PRINTABLE.search(text)
    if bad is not None:
        raise YamlProblem(
            _text_position(text, bad.start()),
            f"onzichtbaar stuurteken U+{ord(bad.group()):04X} in de tekst",
            "verwijder het: typ de tekst rond deze plaats opnieuw (zulke tekens komen soms mee "
            "bij kopiëren uit Word, een pdf of een e-mail)",
        )


# --- Building the document from parser events ------------------------------------------------


@dataclass
class _Open:
    """A list or mapping whose end event has not come yet."""

    path: Path_
    value: list[Raw] | dict[str, Raw]
    key: str | None = None
    """In a mapping: the key whose value comes next (None: a key comes next)."""
    key_lines: dict[str, int] = field(default_factory=dict)


_NO_ANCHORS = (
    "de inhoud heeft ankers (&) en verwijzingen (*) nooit nodig: schrijf de tekst voluit op "
    "elke plaats waar hij moet staan"
)


def _problem(event: yaml.Event, message: str, hint: str) -> YamlProblem:
    return YamlProblem(_position(_start(event)), message, hint)


def _check_node(event: yaml.Event, count: int) -> None:
    """Refuse aliases, anchors, tags and too many values as soon as the parser reports them."""
    if isinstance(event, yaml.AliasEvent):
        raise _problem(
            event,
            f"verwijzingen naar een anker ('*{shorten(event.anchor)}') zijn niet toegelaten",
            f"{_NO_ANCHORS}; een tekst die met * begint, zet je tussen aanhalingstekens: "
            f'"*{shorten(event.anchor)}"',
        )
    assert isinstance(event, yaml.NodeEvent)
    if event.anchor is not None:
        raise _problem(
            event,
            f"ankers ('&{shorten(event.anchor)}') zijn niet toegelaten",
            f"{_NO_ANCHORS}; een tekst die met & begint, zet je tussen aanhalingstekens",
        )
    tag = getattr(event, "tag", None)
    if tag not in _PLAIN_TAGS:
        raise _problem(
            event,
            f"de YAML-tag '{shorten(str(tag).replace('tag:yaml.org,2002:', '!!'))}' is niet "
            "toegelaten",
            "schrijf gewone tekst, zonder '!!' of '!' ervoor",
        )
    if count > MAX_VALUES:
        raise _problem(
            event,
            f"dit bestand heeft te veel waarden (meer dan {MAX_VALUES})",
            "kijk na of er niet per ongeluk iets vele keren geplakt is",
        )


def _key(event: yaml.Event, parent: _Open) -> str:
    """The key a mapping's next value goes under; refuses non-text, long and repeated keys."""
    if not isinstance(event, yaml.ScalarEvent):
        raise _problem(event, "een sleutel moet gewone tekst zijn", "schrijf 'sleutel: waarde'")
    key = str(event.value)
    if len(key) > MAX_KEY_CHARS:
        raise _problem(
            event,
            f"deze sleutel is te lang ({len(key)} tekens, max. {MAX_KEY_CHARS})",
            "een sleutel is een korte veldnaam zoals 'titel'; zet de tekst na 'sleutel: '",
        )
    first = parent.key_lines.get(key)
    if first is not None:
        raise _problem(
            event,
            f"de sleutel '{key}' staat hier twee keer (eerst op regel {first})",
            "verwijder of hernoem een van beide",
        )
    parent.key_lines[key] = _start(event).line + 1
    return key


def _build(loader: _Events) -> Document:
    """Build the single document of a stream, event by event (no recursion, no expansion)."""
    loader.get_event()  # StreamStartEvent
    if loader.check_event(yaml.StreamEndEvent):
        return Document(None, {(): Position(1, 1)})
    loader.get_event()  # DocumentStartEvent
    positions: dict[Path_, Position] = {}
    stack: list[_Open] = []
    count = 0
    root: Raw = None
    while True:
        event = loader.get_event()
        if isinstance(event, yaml.CollectionEndEvent):
            done = stack.pop()
            value: Raw = done.value
        else:
            count += 1
            _check_node(event, count)
            parent = stack[-1] if stack else None
            if parent is not None and isinstance(parent.value, dict) and parent.key is None:
                parent.key = _key(event, parent)
                continue
            if parent is None:
                path: Path_ = ()
            elif isinstance(parent.value, list):
                path = (*parent.path, len(parent.value))
            else:
                assert parent.key is not None
                path = (*parent.path, parent.key)
            positions[path] = _position(_start(event))
            if isinstance(event, yaml.ScalarEvent):
                text = str(event.value)
                # An empty plain scalar (`key:` with nothing after it) means "no value".
                value = None if text == "" and not event.style else text
            else:
                if len(stack) >= MAX_DEPTH:
                    raise _problem(
                        event,
                        f"te diep genest: meer dan {MAX_DEPTH} niveaus van lijsten en sleutels",
                        "de inhoud heeft nooit meer dan 5 niveaus nodig; kijk de inspringing en "
                        "de haakjes [ ] { } na",
                    )
                is_list = isinstance(event, yaml.SequenceStartEvent)
                stack.append(_Open(path, [] if is_list else {}))
                continue
        if not stack:
            root = value
            break
        parent = stack[-1]
        if isinstance(parent.value, list):
            parent.value.append(value)
        else:
            assert parent.key is not None
            parent.value[parent.key] = value
            parent.key = None
    loader.get_event()  # DocumentEndEvent
    if not loader.check_event(yaml.StreamEndEvent):
        raise _problem(
            loader.peek_event(),
            "hier begint een tweede YAML-document; een bestand mag er maar één bevatten",
            "verwijder de regel '---' (of '...') en wat er niet bij hoort",
        )
    return Document(root, positions or {(): Position(1, 1)})


def _parse_with(loader_class: Any, text: str) -> Document:
    loader: _Events = loader_class(text)
    try:
        return _build(loader)
    finally:
        loader.dispose()


def _syntax_problem(error: yaml.YAMLError) -> YamlProblem:
    mark = getattr(error, "problem_mark", None) or getattr(error, "context_mark", None)
    position = _position(mark) if mark else Position(1, 1)
    detail = getattr(error, "problem", None) or getattr(error, "context", None) or str(error)
    return YamlProblem(
        position,
        f"dit is geen geldige YAML: {detail}",
        "kijk naar de inspringing (spaties, geen tabs) en zet tekst met ':' of '#' "
        "tussen aanhalingstekens",
    )


def _explain(text: str, fast_error: yaml.YAMLError) -> YamlProblem:
    """The pure-Python parser's clearer message for an error the fast parser found.

    Only the text up to the line after the error is parsed again (the parser reads as a
    stream, so it stops at the same place), and not at all when that is long. Should the
    slow parser stop only later (at the cut-off end), the fast parser's message is kept.
    """
    mark = getattr(fast_error, "problem_mark", None)
    end = len(text)
    if mark is not None:
        # The end of the line after the error line (lines count from 0 in marks).
        for number, found in enumerate(_LINE_BREAK.finditer(text)):
            if number == mark.line + 1:
                end = found.end()
                break
    if end > _EXPLAIN_MAX_CHARS:
        return _syntax_problem(fast_error)
    try:
        _parse_with(yaml.BaseLoader, text[:end])
    except yaml.YAMLError as error:
        slow_mark = getattr(error, "problem_mark", None) or getattr(error, "context_mark", None)
        if mark is None or (slow_mark is not None and slow_mark.line <= mark.line):
            return _syntax_problem(error)
    except YamlProblem as problem:
        return problem
    return _syntax_problem(fast_error)


def parse_yaml(text: str) -> Document:
    """Parse YAML text strictly; raise `YamlProblem` with a position on any violation."""
    _check_printable(text)
    try:
        return _parse_with(_FAST_LOADER, text)
    except yaml.YAMLError as error:
        raise _explain(text, error) from error


def read_yaml(path: Path) -> Document:
    """Read and parse one file; every problem (also a missing or unreadable file) is located."""
    return parse_yaml(_decode(_read_bytes(path)))
