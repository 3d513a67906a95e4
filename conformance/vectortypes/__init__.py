"""The vector types the suite understands, one module per family: the single source of truth.

Each entry names a group ``type`` (Wycheproof's word), its JSON Schema file in
``vectors/schemas/``, the group parameters and case fields with their encodings, and the
``algorithm`` values it may carry together with the capability each one exercises. The loader
decodes fields from this table, ``vectors/generators/schemas.py`` renders the JSON Schemas from
it, and the checks look their capability up here. See docs/formats.md.

A family's module (``primitives``, ``hpke``, ...) lists its types in ``VECTOR_TYPES``; this
registry finds the modules itself, so a new family adds a module and changes nothing shared.
"""

from __future__ import annotations

import hashlib
import importlib
import json
import pkgutil
from collections.abc import Mapping
from typing import Any

from ._base import (
    BUG_TYPES,
    CASE_COMMON,
    FIELD_KINDS,
    FILE_FIELDS,
    RESULTS,
    SPEC_LEVELS,
    STEP_FIELDS,
    STEP_RESULTS,
    Field,
    FieldKind,
    VectorType,
)

__all__ = [
    "BUG_TYPES",
    "CASE_COMMON",
    "FIELD_KINDS",
    "FILE_FIELDS",
    "RESULTS",
    "SPEC_LEVELS",
    "STEP_FIELDS",
    "STEP_RESULTS",
    "VECTOR_TYPES",
    "Field",
    "FieldKind",
    "VectorType",
    "case_id",
    "vector_type",
]


def _types() -> dict[str, VectorType]:
    """Every family module's types, modules by name (a name starting with ``_`` is shared)."""
    names = sorted(m.name for m in pkgutil.iter_modules(__path__) if not m.name.startswith("_"))
    out: dict[str, VectorType] = {}
    for name in names:
        for t in importlib.import_module(f"{__name__}.{name}").VECTOR_TYPES:
            if t.name in out:
                raise ImportError(f"vector type {t.name} is defined twice")
            out[t.name] = t
    return out


VECTOR_TYPES: dict[str, VectorType] = _types()


def vector_type(name: str) -> VectorType | None:
    return VECTOR_TYPES.get(name)


def case_id(group_type: str, params: Mapping[str, Any], fields: Mapping[str, Any]) -> str:
    """The stable, content-derived id of a case.

    It covers the group type, the group parameters and the case's own fields (inputs and expected
    outputs) in their JSON encoding, and nothing that a regeneration may renumber or reword:
    ``tcId``, ``comment``, ``flags``, ``result`` and ``source`` are left out. Expectations written
    against an id therefore survive renumbering (Wycheproof renumbers tcIds between releases).
    """
    payload = json.dumps(
        {"type": group_type, "params": dict(params), "fields": dict(fields)},
        sort_keys=True,
        separators=(",", ":"),
    )
    return hashlib.sha256(payload.encode()).hexdigest()[:16]
