"""What every vector type is made of: field kinds, the shared vocabularies (results, spec levels,
bug types) and the :class:`VectorType` record each family's module fills in."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Literal

__all__ = [
    "BUG_TYPES",
    "CASE_COMMON",
    "FIELD_KINDS",
    "FILE_FIELDS",
    "RESULTS",
    "SPEC_LEVELS",
    "STEP_FIELDS",
    "STEP_RESULTS",
    "Field",
    "FieldKind",
    "VectorType",
]

FieldKind = Literal["hex", "int", "str", "steps"]
FIELD_KINDS: tuple[FieldKind, ...] = ("hex", "int", "str", "steps")

#: The keys a scenario step may carry, with their encodings. ``op`` and ``party`` are required;
#: which others an op uses is documented with each scenario type (docs/formats.md).
STEP_FIELDS: dict[str, Literal["hex", "int", "str"]] = {
    "op": "str",
    "party": "str",
    "plaintext": "hex",
    "message": "hex",
    "type": "int",
    "ratchetKey": "hex",
    "index": "int",
    "exported": "hex",
    "key": "hex",
    "random": "hex",
    "comment": "str",
    "result": "str",
}

#: The values a step's ``result`` may take: ``invalid``, a step before the last that must be
#: refused (the scenario goes on from the state returned with the refusal).
STEP_RESULTS = ("invalid",)

RESULTS = ("valid", "invalid", "acceptable")

#: Requirement levels of RFC 2119 that a spec reference may carry.
SPEC_LEVELS = ("MUST", "MUST NOT", "SHOULD", "SHOULD NOT", "MAY")

#: Wycheproof's bugType glossary (doc/formats.md there), plus the messaging-specific kinds
#: this suite adds. docs/formats.md explains each.
BUG_TYPES = (
    "BASIC",
    "AUTH_BYPASS",
    "CONFIDENTIALITY",
    "LEGACY",
    "FUNCTIONALITY",
    "WEAK_PARAMS",
    "CAN_OF_WORMS",
    "MALLEABILITY",
    "SIGNATURE_MALLEABILITY",
    "BER_ENCODING",
    "EDGE_CASE",
    "MISSING_STEP",
    "KNOWN_BUG",
    "WRONG_PRIMITIVE",
    "MODIFIED_PARAMETER",
    "DEFINED",
    "REPLAY",
    "KEY_REUSE",
    "OUT_OF_ORDER",
    "DENIAL_OF_SERVICE",
)

#: The top-level keys of a vector file, in the order generators write them.
FILE_FIELDS = ("algorithm", "schema", "numberOfTests", "header", "notes", "source", "testGroups")

#: Keys every test case carries besides its type's own fields.
CASE_COMMON = ("tcId", "id", "comment", "flags", "result", "source")


@dataclass(frozen=True)
class Field:
    """One group parameter or case field."""

    name: str
    kind: FieldKind
    description: str


@dataclass(frozen=True)
class VectorType:
    """A group type: its schema file, fields, and the capability each algorithm exercises."""

    name: str
    schema: str
    description: str
    group_fields: tuple[Field, ...]
    case_fields: tuple[Field, ...]
    algorithms: Mapping[str, str] = field(default_factory=dict)

    def field_kinds(self) -> dict[str, FieldKind]:
        return {f.name: f.kind for f in self.case_fields}

    def param_kinds(self) -> dict[str, FieldKind]:
        return {f.name: f.kind for f in self.group_fields}
