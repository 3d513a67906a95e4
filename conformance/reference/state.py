"""Opaque state for the Olm and Megolm references: JSON with hex strings, sorted keys.

The capability interfaces pass state as bytes and never mutate it (conformance.capabilities),
so every operation decodes a fresh copy, works on it and encodes the result. A state that does
not decode, or is of another kind, is refused with InvalidInput.
"""

from __future__ import annotations

import json
from typing import Any

from ..errors import InvalidInput

__all__ = ["dump_state", "from_hex", "load_state"]


def dump_state(kind: str, fields: dict[str, Any]) -> bytes:
    return json.dumps({"kind": kind, **fields}, sort_keys=True, separators=(",", ":")).encode()


def load_state(data: bytes, kind: str) -> dict[str, Any]:
    try:
        doc = json.loads(data)
    except (ValueError, UnicodeDecodeError) as exc:
        raise InvalidInput(f"not a {kind} state") from exc
    if not isinstance(doc, dict) or doc.get("kind") != kind:
        raise InvalidInput(f"not a {kind} state")
    return doc


def from_hex(value: object) -> bytes:
    if not isinstance(value, str):
        raise InvalidInput("state field is not a hex string")
    try:
        return bytes.fromhex(value)
    except ValueError as exc:
        raise InvalidInput("state field is not a hex string") from exc
