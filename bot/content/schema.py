"""JSON Schema of the content, for editors (VS Code's YAML extension) and tooling.

The models keep unknown keys (to warn about them rather than fail), which pydantic exports as
`additionalProperties: true`; for editors we close the objects so a misspelled key is
underlined while the admin types.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from bot.content.model import FILES

SCHEMA_DIALECT = "https://json-schema.org/draft/2020-12/schema"


def _close_objects(node: Any) -> None:
    if isinstance(node, dict):
        if node.get("type") == "object" and "properties" in node:
            node["additionalProperties"] = False
        for value in node.values():
            _close_objects(value)
    elif isinstance(node, list):
        for value in node:
            _close_objects(value)


def file_schema(name: str) -> dict[str, Any]:
    """The schema of one content file, e.g. `partners.yaml`."""
    if name not in FILES:
        raise SystemExit(f"unknown content file {name!r}; known: {', '.join(FILES)}")
    schema = FILES[name].model_json_schema()
    _close_objects(schema)
    return {"$schema": SCHEMA_DIALECT, "$id": f"{Path(name).stem}.schema.json", **schema}


def content_schema() -> dict[str, Any]:
    """One schema for the whole content: each file's root under `$defs`."""
    defs: dict[str, Any] = {}
    roots = []
    for name in FILES:
        schema = file_schema(name)
        for key, value in schema.pop("$defs", {}).items():
            defs[key] = value
        schema.pop("$schema")
        schema.pop("$id")
        key = f"file:{name}"
        defs[key] = schema
        roots.append({"$ref": f"#/$defs/{key}"})
    return {
        "$schema": SCHEMA_DIALECT,
        "title": "Playbook content (content/*.yaml)",
        "anyOf": roots,
        "$defs": defs,
    }


def write_schemas(directory: Path) -> list[Path]:
    """Write `<stem>.schema.json` for every file into `directory`; return the paths."""
    directory.mkdir(parents=True, exist_ok=True)
    written = []
    for name in FILES:
        path = directory / f"{Path(name).stem}.schema.json"
        path.write_text(
            json.dumps(file_schema(name), indent=2, ensure_ascii=False) + "\n", encoding="utf-8"
        )
        written.append(path)
    return written
