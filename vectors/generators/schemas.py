"""Render one JSON Schema (draft 2020-12) per vector type into ``vectors/schemas/``.

Usage: ``PYTHONPATH=. python vectors/generators/schemas.py [--out DIR]``

The schemas are derived from the type table in :mod:`conformance.vectortypes`, the single source
of truth that :mod:`conformance.loader` also reads, so the two cannot drift apart: the top-level
keys, notes (bugType from the Wycheproof glossary plus the suite's own kinds), spec references
(RFC 2119 levels), groups and cases are described exactly as the loader requires them, and hex
fields are lowercase hex strings of whole bytes.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

# Run as a script from a checkout: make the repository root importable, whatever PYTHONPATH says.
sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from conformance.vectortypes import (
    BUG_TYPES,
    FILE_FIELDS,
    RESULTS,
    SPEC_LEVELS,
    STEP_FIELDS,
    STEP_RESULTS,
    VECTOR_TYPES,
    VectorType,
)
from vectors.generators._common import dump_json

__all__ = ["main", "render"]

DRAFT = "https://json-schema.org/draft/2020-12/schema"
HEX: dict[str, Any] = {"type": "string", "pattern": "^([0-9a-f]{2})*$"}


def _field_schema(kind: str, description: str) -> dict[str, Any]:
    if kind == "hex":
        return {"$ref": "#/$defs/hex", "description": description}
    if kind == "int":
        return {"type": "integer", "description": description}
    if kind == "steps":
        return {
            "type": "array",
            "minItems": 1,
            "items": {"$ref": "#/$defs/step"},
            "description": description,
        }
    return {"type": "string", "description": description}


def _step_schema() -> dict[str, Any]:
    return {
        "type": "object",
        "additionalProperties": False,
        "required": ["op", "party"],
        "properties": {
            name: _STEP_ENUMS.get(name)
            or ({"$ref": "#/$defs/hex"} if kind == "hex" else {"type": _JSON_TYPE[kind]})
            for name, kind in STEP_FIELDS.items()
        },
    }


#: Step keys whose values are closed: ``result`` marks a step before the last that must be
#: refused (the scenario goes on from the state returned with the refusal).
_STEP_ENUMS: dict[str, dict[str, Any]] = {
    "result": {"enum": list(STEP_RESULTS)},
}


_JSON_TYPE = {"int": "integer", "str": "string"}


def render(vtype: VectorType) -> dict[str, Any]:
    """The JSON Schema of one vector type."""
    case_props: dict[str, Any] = {
        "tcId": {"type": "integer", "minimum": 1, "description": "number of the case in its file"},
        "id": {
            "type": "string",
            "minLength": 1,
            "description": "content-derived id (conformance.vectortypes.case_id)",
        },
        "comment": {"type": "string"},
        "flags": {"type": "array", "items": {"type": "string"}},
        "result": {"enum": list(RESULTS)},
    }
    for f in vtype.case_fields:
        case_props[f.name] = _field_schema(f.kind, f.description)
    case_props["source"] = {"$ref": "#/$defs/caseSource"}

    group_props: dict[str, Any] = {"type": {"const": vtype.name}}
    for f in vtype.group_fields:
        group_props[f.name] = _field_schema(f.kind, f.description)
    group_props["specRefs"] = {"type": "array", "minItems": 1, "items": {"$ref": "#/$defs/specRef"}}
    group_props["tests"] = {"type": "array", "items": {"$ref": "#/$defs/testCase"}}

    return {
        "$schema": DRAFT,
        "title": f"{vtype.name} test vectors",
        "description": vtype.description,
        "type": "object",
        "additionalProperties": False,
        "required": list(FILE_FIELDS),
        "properties": {
            "algorithm": {"enum": sorted(vtype.algorithms)},
            "schema": {"const": vtype.schema},
            "numberOfTests": {"type": "integer", "minimum": 0},
            "header": {"type": "array", "items": {"type": "string"}},
            "notes": {"type": "object", "additionalProperties": {"$ref": "#/$defs/note"}},
            "source": {
                "type": "object",
                "description": "the generator that wrote the file and its version",
                "additionalProperties": {"type": "string"},
            },
            "testGroups": {
                "type": "array",
                "minItems": 1,
                "items": {"$ref": "#/$defs/testGroup"},
            },
        },
        "$defs": {
            "hex": HEX,
            "note": {
                "type": "object",
                "additionalProperties": False,
                "required": ["bugType"],
                "properties": {
                    "bugType": {"enum": list(BUG_TYPES)},
                    "description": {"type": "string"},
                    "effect": {"type": "string"},
                    "links": {"type": "array", "items": {"type": "string"}},
                    "cves": {"type": "array", "items": {"type": "string"}},
                },
            },
            "specRef": {
                "type": "object",
                "additionalProperties": False,
                "required": ["document", "section"],
                "properties": {
                    "document": {"type": "string"},
                    "section": {"type": "string"},
                    "level": {"enum": list(SPEC_LEVELS)},
                },
            },
            "caseSource": {
                "type": "object",
                "additionalProperties": False,
                "required": ["document"],
                "properties": {"document": {"type": "string"}, "section": {"type": "string"}},
            },
            **(
                {"step": _step_schema()}
                if any(f.kind == "steps" for f in vtype.case_fields)
                else {}
            ),
            "testGroup": {
                "type": "object",
                "additionalProperties": False,
                "required": ["type", *(f.name for f in vtype.group_fields), "specRefs", "tests"],
                "properties": group_props,
            },
            "testCase": {
                "type": "object",
                "additionalProperties": False,
                "required": [
                    "tcId",
                    "id",
                    "comment",
                    "flags",
                    "result",
                    *(f.name for f in vtype.case_fields),
                ],
                "properties": case_props,
            },
        },
    }


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Render the vector JSON Schemas.")
    parser.add_argument(
        "--out",
        type=Path,
        default=Path(__file__).resolve().parent.parent / "schemas",
        help="output folder (default: vectors/schemas)",
    )
    parser.add_argument(
        "--check",
        action="store_true",
        help="write nothing; fail unless the files in --out are what would be written",
    )
    args = parser.parse_args(argv)
    out: Path = args.out
    stale = []
    for vtype in VECTOR_TYPES.values():
        path = out / vtype.schema
        text = dump_json(render(vtype))
        if args.check:
            if not path.is_file() or path.read_text(encoding="utf-8") != text:
                stale.append(path.name)
            continue
        out.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
        print(path)
    if stale:
        print(f"schemas.py: out of date in {out}: {', '.join(stale)}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
