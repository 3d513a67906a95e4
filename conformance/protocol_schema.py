"""JSON Schemas for every message of the stdio adapter protocol (docs/adapter-protocol.md).

Built from the capability interfaces themselves, so the published schemas cannot drift from what
the suite sends: each interface method ``m`` of capability ``c`` is a method ``c.m`` whose params
are the method's parameters (bytes as hex strings, ints and bools as JSON) and whose result is
hex (a ``bytes`` return) or null (a ``None`` return). ``python -m conformance.protocol_schema
DIR`` writes them; a test keeps the committed copies in ``docs/protocol/`` up to date.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

from .capabilities import CAPABILITIES, COMPOSITES, Operation, operations
from .errors import KINDS
from .stdio import PROTOCOL_VERSIONS

__all__ = ["HEX", "method_schemas", "schemas"]

_BASE = "https://e2ee-conformance.invalid/schemas/adapter-protocol/"
HEX: dict[str, Any] = {"type": "string", "pattern": "^([0-9a-fA-F]{2})*$"}


def _value_schema(annotation: object) -> dict[str, Any]:
    if annotation in (bytes, "bytes"):
        return HEX
    if annotation in (int, "int"):
        return {"type": "integer"}
    if annotation in (bool, "bool"):
        return {"type": "boolean"}
    if annotation in (None, "None", type(None)):
        return {"type": "null"}
    return {}


def _result_schema(op: Operation) -> dict[str, Any]:
    fields = op.fields
    if not fields:
        return _value_schema(op.returns)
    return {
        "type": "object",
        "required": list(fields),
        "additionalProperties": False,
        "properties": {name: _value_schema(t) for name, t in fields.items()},
    }


def method_schemas() -> dict[str, dict[str, Any]]:
    """``<capability>.<method>`` -> {"params": schema, "result": schema}."""
    out: dict[str, dict[str, Any]] = {}
    for capability in sorted(CAPABILITIES):
        for name, op in operations(capability).items():
            out[f"{capability}.{name}"] = {
                "params": {
                    "type": "object",
                    "required": list(op.param_names),
                    "additionalProperties": False,
                    "properties": {p: _value_schema(t) for p, t in op.params},
                },
                "result": _result_schema(op),
            }
    return out


def schemas() -> dict[str, dict[str, Any]]:
    """File name -> schema, one per message shape."""
    methods = method_schemas()
    kinds = sorted(KINDS)
    request_variants = [
        {
            "properties": {
                "method": {"const": "describe"},
                "params": {"type": "object", "maxProperties": 0},
            }
        },
        *(
            {"properties": {"method": {"const": m}, "params": spec["params"]}}
            for m, spec in methods.items()
        ),
        {
            "description": "a method of a family this schema version does not list yet",
            "properties": {
                "method": {"type": "string", "not": {"enum": ["describe", *methods]}},
                "params": {"type": "object"},
            },
        },
    ]
    request = {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": _BASE + "request.schema.json",
        "title": "a request line: one request object",
        "type": "object",
        "required": ["jsonrpc", "id", "method", "params"],
        "additionalProperties": False,
        "properties": {
            "jsonrpc": {"const": "2.0"},
            "id": {"type": "integer", "minimum": 1},
            "method": {"type": "string"},
            "params": {"type": "object"},
        },
        "oneOf": request_variants,
    }
    error = {
        "type": "object",
        "required": ["code", "message"],
        "properties": {
            "code": {"type": "integer"},
            "message": {"type": "string"},
            "data": {
                "type": "object",
                "properties": {
                    "kind": {"enum": kinds},
                    "state": {
                        **HEX,
                        "description": "protocol 2: the party's state after the refused "
                        "attempt of a stateful operation (docs/adapter-protocol.md, "
                        '"State after a refusal")',
                    },
                },
            },
        },
        "if": {"properties": {"code": {"const": -32000}}},
        "then": {"required": ["data"], "properties": {"data": {"required": ["kind"]}}},
    }
    response = {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": _BASE + "response.schema.json",
        "title": "a response object: a result, or an error carrying a neutral kind",
        "type": "object",
        "required": ["jsonrpc", "id"],
        "properties": {
            "jsonrpc": {"const": "2.0"},
            "id": {"type": ["integer", "string", "null"]},
            "result": {},
            "error": error,
        },
        "oneOf": [{"required": ["result"]}, {"required": ["error"]}],
    }
    describe = {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": _BASE + "describe-result.schema.json",
        "title": "the result of describe",
        "type": "object",
        "required": ["protocol", "name", "implementation", "version", "capabilities"],
        "properties": {
            "protocol": {"enum": list(PROTOCOL_VERSIONS)},
            "name": {"type": "string", "minLength": 1},
            "implementation": {"type": "string"},
            "version": {"type": "string", "minLength": 1},
            "capabilities": {
                "type": "array",
                "items": {"enum": sorted(set(CAPABILITIES) | set(COMPOSITES))},
                "uniqueItems": True,
            },
            "batch": {"type": "boolean"},
            "notes": {"type": "object", "additionalProperties": {"type": "string"}},
        },
    }
    methods_doc = {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": _BASE + "methods.schema.json",
        "title": "every capability method: the schema of its params and of its result",
        "$defs": {
            m: {"params": spec["params"], "result": spec["result"]} for m, spec in methods.items()
        },
    }
    batch = {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": _BASE + "batch.schema.json",
        "title": "a batch line (requests) or its answer (responses)",
        "oneOf": [
            {"type": "array", "minItems": 1, "items": {"$ref": "request.schema.json"}},
            {"type": "array", "minItems": 1, "items": {"$ref": "response.schema.json"}},
        ],
    }
    return {
        "request.schema.json": request,
        "response.schema.json": response,
        "describe-result.schema.json": describe,
        "methods.schema.json": methods_doc,
        "batch.schema.json": batch,
    }


def render(schema: dict[str, Any]) -> str:
    return json.dumps(schema, indent=2) + "\n"


def main(argv: list[str]) -> int:
    target = Path(argv[0]) if argv else Path("docs/protocol")
    target.mkdir(parents=True, exist_ok=True)
    for name, schema in schemas().items():
        (target / name).write_text(render(schema), encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
