"""Immutable objects for loaded vector files (pyca/cryptography's WycheproofTest shape).

Checks and tests read vectors only through these; they never parse JSON or hex themselves.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from .vectortypes import VectorType

__all__ = ["Case", "Group", "Note", "Result", "SpecRef", "Step", "VectorFile"]

Result = Literal["valid", "invalid", "acceptable"]


@dataclass(frozen=True, slots=True)
class Step:
    """One step of a scenario case: an operation ``op`` by a ``party``, with its inputs and
    expected outputs in ``fields`` (decoded like case fields, see ``vectortypes.STEP_FIELDS``)."""

    op: str
    party: str
    fields: Mapping[str, bytes | int | str]

    def bytes(self, name: str, default: bytes | None = None) -> bytes:
        value = self.fields.get(name, default)
        if not isinstance(value, bytes):
            raise TypeError(f"step field {name!r} is not bytes")
        return value

    def int(self, name: str, default: int | None = None) -> int:
        value = self.fields.get(name, default)
        if not isinstance(value, int):
            raise TypeError(f"step field {name!r} is not an integer")
        return value

    def has(self, name: str) -> bool:
        return name in self.fields


Value = bytes | int | str | tuple[Step, ...]


@dataclass(frozen=True, slots=True)
class SpecRef:
    """A pointer into a specification: document, section, and the RFC 2119 level if any."""

    document: str
    section: str
    level: str | None = None

    def __str__(self) -> str:
        text = f"{self.document} §{self.section}"
        return f"{text} ({self.level})" if self.level else text


@dataclass(frozen=True, slots=True)
class Note:
    """What a flag means (Wycheproof's ``notes`` entry)."""

    bug_type: str
    description: str
    effect: str = ""
    links: tuple[str, ...] = ()
    cves: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class Case:
    """One test case; ``fields`` holds its type's fields already decoded (hex to bytes)."""

    tc_id: int
    id: str
    comment: str
    flags: tuple[str, ...]
    result: Result
    fields: Mapping[str, Value]
    source: SpecRef | None = None

    @property
    def valid(self) -> bool:
        return self.result == "valid"

    @property
    def invalid(self) -> bool:
        return self.result == "invalid"

    @property
    def acceptable(self) -> bool:
        return self.result == "acceptable"

    def has_flag(self, flag: str) -> bool:
        return flag in self.flags

    def bytes(self, name: str) -> bytes:
        value = self.fields[name]
        if not isinstance(value, bytes):
            raise TypeError(f"field {name!r} of tcId {self.tc_id} is not bytes")
        return value

    def int(self, name: str) -> int:
        value = self.fields[name]
        if not isinstance(value, int):
            raise TypeError(f"field {name!r} of tcId {self.tc_id} is not an integer")
        return value

    def steps(self, name: str = "steps") -> tuple[Step, ...]:
        value = self.fields[name]
        if not isinstance(value, tuple):
            raise TypeError(f"field {name!r} of tcId {self.tc_id} is not a list of steps")
        return value

    def str(self, name: str) -> str:
        value = self.fields[name]
        if not isinstance(value, str):
            raise TypeError(f"field {name!r} of tcId {self.tc_id} is not a string")
        return value


@dataclass(frozen=True, slots=True)
class Group:
    """A test group: its type, decoded parameters, spec references and cases."""

    type: VectorType
    params: Mapping[str, Value]
    spec_refs: tuple[SpecRef, ...]
    cases: tuple[Case, ...]

    def bytes(self, name: str) -> bytes:
        value = self.params[name]
        if not isinstance(value, bytes):
            raise TypeError(f"group parameter {name!r} is not bytes")
        return value

    def int(self, name: str) -> int:
        value = self.params[name]
        if not isinstance(value, int):
            raise TypeError(f"group parameter {name!r} is not an integer")
        return value

    def str(self, name: str) -> str:
        value = self.params[name]
        if not isinstance(value, str):
            raise TypeError(f"group parameter {name!r} is not a string")
        return value


@dataclass(frozen=True, slots=True)
class VectorFile:
    """A loaded vector file. ``name`` is its path below the vectors root, e.g.
    ``primitives/x25519_test.json``; ``family`` is its folder."""

    path: Path
    name: str
    family: str
    algorithm: str
    schema: str
    number_of_tests: int
    header: tuple[str, ...]
    notes: Mapping[str, Note]
    source: Mapping[str, str]
    groups: tuple[Group, ...]
    sha256: str

    @property
    def capability(self) -> str:
        """The capability this file exercises (every group of a file shares its algorithm)."""
        return self.groups[0].type.algorithms[self.algorithm]

    def cases(self) -> list[tuple[Group, Case]]:
        return [(g, c) for g in self.groups for c in g.cases]
