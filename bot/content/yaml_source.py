"""Strict YAML reading: text-only scalars, no tags, no duplicate keys, positions kept.

PyYAML's `safe_load` turns `0470 12 34 56` or `09:00` into numbers and `no` into False, and
lets a repeated key win silently. Here the document is only *composed* (parsed into nodes)
and converted by hand: every scalar stays the text the admin typed, any explicit tag is an
error, and each value's line and column are recorded under its path so that validation
messages can point at the exact spot.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import yaml

Path_ = tuple[str | int, ...]
"""Location of a value in a document: mapping keys and list indexes from the root."""

# libyaml's C composer is ~3× faster on large files and reports the same positions. Its error
# messages say less ("found character that cannot start any token", without the tab), so a
# file it rejects is parsed again by the pure-Python composer to explain the problem.
_FAST_LOADER = getattr(yaml, "CBaseLoader", yaml.BaseLoader)

_PLAIN_TAGS = {
    "tag:yaml.org,2002:str",
    "tag:yaml.org,2002:seq",
    "tag:yaml.org,2002:map",
}

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


def _position(node: yaml.Node) -> Position:
    return Position(node.start_mark.line + 1, node.start_mark.column + 1)


def _convert(node: yaml.Node, path: Path_, positions: dict[Path_, Position]) -> Raw:
    positions[path] = _position(node)
    if node.tag not in _PLAIN_TAGS:
        raise YamlProblem(
            _position(node),
            f"de YAML-tag '{node.tag.replace('tag:yaml.org,2002:', '!!')}' is niet toegelaten",
            "schrijf gewone tekst, zonder '!!' of '!' ervoor",
        )
    if isinstance(node, yaml.ScalarNode):
        value = str(node.value)
        # An empty plain scalar (`key:` with nothing after it) means "no value".
        return None if value == "" and node.style is None else value
    if isinstance(node, yaml.SequenceNode):
        return [_convert(child, (*path, i), positions) for i, child in enumerate(node.value)]
    assert isinstance(node, yaml.MappingNode)
    result: dict[str, Raw] = {}
    first_seen: dict[str, Position] = {}
    for key_node, value_node in node.value:
        if not isinstance(key_node, yaml.ScalarNode):
            raise YamlProblem(
                _position(key_node),
                "een sleutel moet gewone tekst zijn",
                "schrijf 'sleutel: waarde'",
            )
        key = str(key_node.value)
        if key in first_seen:
            raise YamlProblem(
                _position(key_node),
                f"de sleutel '{key}' staat hier twee keer (eerst op regel {first_seen[key].line})",
                "verwijder of hernoem een van beide",
            )
        first_seen[key] = _position(key_node)
        result[key] = _convert(value_node, (*path, key), positions)
    return result


def parse_yaml(text: str) -> Document:
    """Parse YAML text strictly; raise `YamlProblem` with a position on any violation."""
    try:
        node = yaml.compose(text, Loader=_FAST_LOADER)
    except yaml.YAMLError:
        node = _compose_explained(text)
    if node is None:
        return Document(None, {(): Position(1, 1)})
    positions: dict[Path_, Position] = {}
    return Document(_convert(node, (), positions), positions)


def _compose_explained(text: str) -> yaml.Node | None:
    """Compose with the pure-Python parser, turning its error into a `YamlProblem`."""
    try:
        return yaml.compose(text, Loader=yaml.BaseLoader)
    except yaml.MarkedYAMLError as error:
        mark = error.problem_mark or error.context_mark
        position = Position(mark.line + 1, mark.column + 1) if mark else Position(1, 1)
        raise YamlProblem(
            position,
            f"dit is geen geldige YAML: {error.problem or error.context}",
            "kijk naar de inspringing (spaties, geen tabs) en zet tekst met ':' of '#' "
            "tussen aanhalingstekens",
        ) from error
    except yaml.YAMLError as error:
        raise YamlProblem(Position(1, 1), f"dit is geen geldige YAML: {error}") from error


def read_yaml(path: Path) -> Document:
    """Read and parse one file (UTF-8)."""
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError as error:
        raise YamlProblem(
            Position(1, 1),
            "het bestand is geen UTF-8-tekst",
            "bewaar het als UTF-8 in je teksteditor",
        ) from error
    return parse_yaml(text)
