"""Opaque state for the Olm and Megolm references: JSON with hex strings, sorted keys.

The capability interfaces pass state as bytes and never mutate it (conformance.capabilities),
so every operation decodes a fresh copy, works on it and encodes the result. A state that does
not decode, or is of another kind, is refused with InvalidInput.

A refused stateful operation carries the state its object holds after the attempt
(:func:`state_after`, docs/adapter-protocol.md "State after a refusal"). The references change
a party only once a message is accepted, as the libraries they follow do, so that state is the
one they were given, encoded again from their object.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

from ..errors import InvalidInput, ProtocolError

__all__ = ["dump_state", "from_hex", "load_state", "state_after"]


@contextmanager
def state_after(export: Callable[[], bytes]) -> Iterator[None]:
    """A neutral refusal raised inside carries ``export()``, the state after the attempt."""
    try:
        yield
    except ProtocolError as exc:
        if exc.state is None:
            exc.state = export()
        raise


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
