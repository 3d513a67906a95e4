"""Shared helpers for the vector generators: a seeded byte source and a file builder.

The byte source is SHA-256 in counter mode over a fixed label, so a generator that draws from it
writes the same files on every run; nothing here touches the operating system's randomness.

The builder assembles a vector file in the layout :mod:`conformance.loader` accepts (see the type
table in :mod:`conformance.vectortypes` and docs/formats.md): top-level keys in a fixed order,
``tcId`` numbered 1..N in file order, each case's content-derived ``id`` computed by
:func:`conformance.vectortypes.case_id`, and only the flags actually used described in ``notes``.

:func:`run_generator` records every file it writes in the vector root's ``MANIFEST.json`` (path,
SHA-256 of the bytes, generator script; :mod:`conformance.vectormanifest`), which
``e2ee-conformance vectors check`` verifies, and its ``--check`` compares those entries too.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal, TypeVar

from conformance.vectormanifest import (
    MANIFEST_NAME,
    ManifestEntry,
    ManifestError,
    entry_for,
    merge_entries,
    read_manifest,
    render_manifest,
)
from conformance.vectortypes import (
    BUG_TYPES,
    RESULTS,
    SPEC_LEVELS,
    STEP_FIELDS,
    VECTOR_TYPES,
    case_id,
)

__all__ = [
    "ByteSource",
    "CaseSource",
    "FileBuilder",
    "GeneratorError",
    "GroupBuilder",
    "NoteSpec",
    "ResultName",
    "SpecRefSpec",
    "Value",
    "bit_flip",
    "check",
    "check_manifest",
    "dump_json",
    "h",
    "require_equal",
    "run_generator",
    "summarize",
    "write",
    "write_manifest",
]

Value = bytes | int | str | list[dict[str, Any]]
ResultName = Literal["valid", "invalid", "acceptable"]
T = TypeVar("T")


class GeneratorError(Exception):
    """A generator found an inconsistency (a published value disagreeing, a library mismatch)."""


def h(text: str) -> bytes:
    """Bytes from hex written with optional whitespace."""
    return bytes.fromhex("".join(text.split()))


def require_equal(what: str, expected: object, actual: object) -> None:
    """Abort the generator with a clear message unless ``expected == actual``."""
    if expected != actual:

        def show(v: object) -> str:
            return v.hex() if isinstance(v, bytes) else repr(v)

        raise GeneratorError(f"{what}: expected {show(expected)}, got {show(actual)}")


def bit_flip(data: bytes, bit: int) -> bytes:
    """``data`` with bit ``bit`` flipped (bit 0 is the least significant bit of byte 0)."""
    if not 0 <= bit < 8 * len(data):
        raise GeneratorError(f"bit {bit} is outside a {len(data)}-byte value")
    out = bytearray(data)
    out[bit // 8] ^= 1 << (bit % 8)
    return bytes(out)


class ByteSource:
    """Deterministic pseudo-random bytes: SHA-256(label || 0x00 || counter64) blocks.

    Not a cryptographic RNG for keys anyone should use; it only makes test inputs reproducible.
    """

    def __init__(self, label: str) -> None:
        self._label = label.encode("utf-8")
        self._counter = 0
        self._buffer = b""

    def bytes(self, n: int) -> bytes:
        if n < 0:
            raise ValueError("negative length")
        while len(self._buffer) < n:
            block = hashlib.sha256(
                self._label + b"\x00" + self._counter.to_bytes(8, "big")
            ).digest()
            self._counter += 1
            self._buffer += block
        out, self._buffer = self._buffer[:n], self._buffer[n:]
        return out

    def below(self, bound: int) -> int:
        """A uniform integer in ``[0, bound)`` (rejection sampling)."""
        if bound <= 0:
            raise ValueError("bound must be positive")
        nbytes = (bound.bit_length() + 7) // 8 + 1
        limit = (256**nbytes // bound) * bound
        while True:
            value = int.from_bytes(self.bytes(nbytes), "big")
            if value < limit:
                return value % bound

    def choice(self, items: Sequence[T]) -> T:
        return items[self.below(len(items))]


@dataclass(frozen=True)
class NoteSpec:
    """A flag's description (the file's ``notes`` entry)."""

    bug_type: str
    description: str
    effect: str = ""
    links: tuple[str, ...] = ()
    cves: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        if self.bug_type not in BUG_TYPES:
            raise GeneratorError(f"unknown bugType {self.bug_type!r}")

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {"bugType": self.bug_type, "description": self.description}
        if self.effect:
            out["effect"] = self.effect
        if self.links:
            out["links"] = list(self.links)
        if self.cves:
            out["cves"] = list(self.cves)
        return out


@dataclass(frozen=True)
class SpecRefSpec:
    """A group's reference into a specification."""

    document: str
    section: str
    level: str | None = None

    def __post_init__(self) -> None:
        if self.level is not None and self.level not in SPEC_LEVELS:
            raise GeneratorError(f"unknown spec level {self.level!r}")

    def to_json(self) -> dict[str, str]:
        out = {"document": self.document, "section": self.section}
        if self.level is not None:
            out["level"] = self.level
        return out


@dataclass(frozen=True)
class CaseSource:
    """Where a published case comes from."""

    document: str
    section: str

    def to_json(self) -> dict[str, str]:
        return {"document": self.document, "section": self.section}


@dataclass
class _Case:
    comment: str
    flags: tuple[str, ...]
    result: ResultName
    fields: dict[str, Value]
    source: CaseSource | None


def _encode(value: Value, kind: str, where: str) -> Value:
    if kind == "steps":
        if not isinstance(value, list) or not value:
            raise GeneratorError(f"{where} must be a non-empty list of steps")
        return [_step(s, f"{where}[{i}]") for i, s in enumerate(value)]
    if kind == "hex":
        if not isinstance(value, bytes):
            raise GeneratorError(f"{where} must be bytes")
        return value.hex()
    if kind == "int":
        if not isinstance(value, int) or isinstance(value, bool):
            raise GeneratorError(f"{where} must be an int")
        return value
    if not isinstance(value, str):
        raise GeneratorError(f"{where} must be a str")
    return value


def _step(step: Any, where: str) -> dict[str, Any]:
    if not isinstance(step, dict) or "op" not in step or "party" not in step:
        raise GeneratorError(f"{where} must be a dict with op and party")
    unknown = set(step) - set(STEP_FIELDS)
    if unknown:
        raise GeneratorError(f"{where}: unknown step field(s) {sorted(unknown)}")
    return {k: _encode(v, STEP_FIELDS[k], f"{where}.{k}") for k, v in step.items()}


@dataclass
class GroupBuilder:
    """One test group under construction."""

    type_name: str
    params: dict[str, Value]
    spec_refs: tuple[SpecRefSpec, ...]
    cases: list[_Case] = field(default_factory=list)

    def add(
        self,
        comment: str,
        flags: Iterable[str],
        result: ResultName,
        source: CaseSource | None = None,
        **fields: Value,
    ) -> None:
        """Add a case; ``fields`` are the type's case fields (bytes for hex, int, str)."""
        if result not in RESULTS:
            raise GeneratorError(f"unknown result {result!r}")
        vtype = VECTOR_TYPES[self.type_name]
        expected = [f.name for f in vtype.case_fields]
        if sorted(fields) != sorted(expected):
            raise GeneratorError(
                f"{self.type_name} case {comment!r}: fields {sorted(fields)} != {sorted(expected)}"
            )
        ordered = {name: fields[name] for name in expected}
        self.cases.append(_Case(comment, tuple(flags), result, ordered, source))

    def encoded_params(self) -> dict[str, Value]:
        vtype = VECTOR_TYPES[self.type_name]
        return {
            f.name: _encode(self.params[f.name], f.kind, f"group parameter {f.name}")
            for f in vtype.group_fields
        }


class FileBuilder:
    """A vector file under construction.

    ``notes`` may describe more flags than the file uses; only the used ones are written, and a
    flag without a description is an error.
    """

    def __init__(
        self,
        *,
        algorithm: str,
        type_name: str,
        header: Sequence[str],
        notes: Mapping[str, NoteSpec],
        source: Mapping[str, str],
    ) -> None:
        vtype = VECTOR_TYPES.get(type_name)
        if vtype is None:
            raise GeneratorError(f"unknown vector type {type_name!r}")
        if algorithm not in vtype.algorithms:
            raise GeneratorError(f"{algorithm!r} is not an algorithm of {type_name}")
        self.algorithm = algorithm
        self.type_name = type_name
        self.schema = vtype.schema
        self.header = list(header)
        self.notes = dict(notes)
        self.source = dict(source)
        self.groups: list[GroupBuilder] = []

    def group(self, spec_refs: Sequence[SpecRefSpec], **params: Value) -> GroupBuilder:
        """The group with these parameters and spec references, created on first use."""
        vtype = VECTOR_TYPES[self.type_name]
        expected = sorted(f.name for f in vtype.group_fields)
        if sorted(params) != expected:
            raise GeneratorError(f"{self.type_name} group: params {sorted(params)} != {expected}")
        refs = tuple(spec_refs)
        for g in self.groups:
            if g.params == params and g.spec_refs == refs:
                return g
        g = GroupBuilder(self.type_name, dict(params), refs)
        self.groups.append(g)
        return g

    def build(self) -> dict[str, Any]:
        groups_json: list[dict[str, Any]] = []
        used: set[str] = set()
        seen_ids: dict[str, str] = {}
        tc_id = 0
        vtype = VECTOR_TYPES[self.type_name]
        for g in self.groups:
            if not g.cases:
                continue
            params = g.encoded_params()
            tests: list[dict[str, Any]] = []
            for c in g.cases:
                tc_id += 1
                fields = {
                    f.name: _encode(c.fields[f.name], f.kind, f"tcId {tc_id} field {f.name}")
                    for f in vtype.case_fields
                }
                cid = case_id(self.type_name, params, fields)
                if cid in seen_ids:
                    raise GeneratorError(
                        f"{self.algorithm}: cases {seen_ids[cid]!r} and {c.comment!r} "
                        "have identical content (same id)"
                    )
                seen_ids[cid] = c.comment
                undefined = [f for f in c.flags if f not in self.notes]
                if undefined:
                    raise GeneratorError(f"tcId {tc_id}: flags without notes: {undefined}")
                if len(set(c.flags)) != len(c.flags):
                    raise GeneratorError(f"tcId {tc_id}: repeated flag in {c.flags}")
                used.update(c.flags)
                case: dict[str, Any] = {
                    "tcId": tc_id,
                    "id": cid,
                    "comment": c.comment,
                    "flags": list(c.flags),
                    "result": c.result,
                }
                case.update(fields)
                if c.source is not None:
                    case["source"] = c.source.to_json()
                tests.append(case)
            group: dict[str, Any] = {"type": self.type_name}
            group.update(params)
            group["specRefs"] = [r.to_json() for r in g.spec_refs]
            group["tests"] = tests
            groups_json.append(group)
        if not groups_json:
            raise GeneratorError(f"{self.algorithm}: no test cases")
        return {
            "algorithm": self.algorithm,
            "schema": self.schema,
            "numberOfTests": tc_id,
            "header": self.header,
            "notes": {flag: self.notes[flag].to_json() for flag in sorted(used)},
            "source": self.source,
            "testGroups": groups_json,
        }

    def write(self, path: Path) -> dict[str, Any]:
        doc = self.build()
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(dump_json(doc), encoding="utf-8")
        return doc


def dump_json(doc: Any) -> str:
    """The one JSON rendering the generators use: indent 2, UTF-8 text, trailing newline."""
    return json.dumps(doc, indent=2, ensure_ascii=False) + "\n"


# --- the generator scripts' shared plumbing ----------------------------------------------------


def write(fb: FileBuilder, path: Path) -> Path:
    fb.write(path)
    return path


def check(paths: Sequence[Path]) -> None:
    """Load every written file with the suite's loader and validate it against its JSON Schema."""
    import sys

    import jsonschema

    from conformance.errors import VectorFileError
    from conformance.loader import load

    schemas = Path(__file__).resolve().parent.parent / "schemas"
    for path in paths:
        try:
            load(path)
        except VectorFileError as exc:
            raise GeneratorError(f"the loader refuses {path}: {exc}") from None
        doc = json.loads(path.read_text(encoding="utf-8"))
        schema_path = schemas / doc["schema"]
        if not schema_path.exists():
            print(f"warning: {schema_path} missing; run schemas.py", file=sys.stderr)
            continue
        validator = jsonschema.Draft202012Validator(json.loads(schema_path.read_text("utf-8")))
        error = jsonschema.exceptions.best_match(validator.iter_errors(doc))
        if error is not None:
            where = "/".join(str(p) for p in error.absolute_path)
            raise GeneratorError(
                f"{path} does not match {schema_path.name} at {where}: {error.message}"
            )


def summarize(paths: Sequence[Path]) -> list[str]:
    from collections import Counter

    lines = []
    total = 0
    for path in paths:
        doc = json.loads(path.read_text(encoding="utf-8"))
        counts: Counter[str] = Counter(c["result"] for g in doc["testGroups"] for c in g["tests"])
        total += doc["numberOfTests"]
        lines.append(
            f"{path.name}: {doc['numberOfTests']} cases ({counts['valid']} valid, "
            f"{counts['invalid']} invalid, {counts['acceptable']} acceptable)"
        )
    lines.append(f"total: {total} cases")
    return lines


def run_generator(
    script: str,
    description: str | None,
    family: str,
    generate: Callable[[Path], list[Path]],
    observations: Sequence[str],
    argv: Sequence[str] | None = None,
) -> int:
    """The command line every generator shares: write into ``vectors/<family>`` and record the
    files in the vector root's ``MANIFEST.json`` (:mod:`conformance.vectormanifest`), or with
    ``--check`` regenerate in a temporary folder and fail unless the committed files and their
    manifest entries match."""
    import argparse
    import sys
    import tempfile

    parser = argparse.ArgumentParser(description=description)
    parser.add_argument(
        "--out",
        type=Path,
        default=Path(__file__).resolve().parent.parent / family,
        help=f"output folder (default: vectors/{family})",
    )
    parser.add_argument(
        "--check",
        action="store_true",
        help="regenerate in a temporary folder and fail unless the files in --out are identical",
    )
    args = parser.parse_args(argv)
    out: Path = args.out
    generator = f"vectors/generators/{script}"
    stale: list[str] = []
    try:
        if args.check:
            with tempfile.TemporaryDirectory() as tmp:
                fresh = generate(Path(tmp))
                stale = [
                    p.name
                    for p in fresh
                    if not (out / p.name).is_file() or (out / p.name).read_bytes() != p.read_bytes()
                ]
                stale.extend(check_manifest(out, generator, fresh))
                lines = summarize(fresh)
        else:
            written = generate(out)
            write_manifest(out, generator, written)
            lines = summarize(written)
    except (GeneratorError, ManifestError) as exc:
        print(f"{script}: aborted: {exc}", file=sys.stderr)
        return 1
    for line in lines:
        print(line)
    for line in observations:
        print(f"note: {line}")
    if stale:
        print(
            f"{script}: out of date in {out}: {', '.join(stale)} (rerun without --check)",
            file=sys.stderr,
        )
        return 1
    return 0


def _entries(out: Path, generator: str, paths: Sequence[Path]) -> list[ManifestEntry]:
    return [entry_for(f"{out.name}/{p.name}", p.read_bytes(), generator) for p in paths]


def write_manifest(out: Path, generator: str, paths: Sequence[Path]) -> Path:
    """Record ``paths`` (just written into the family folder ``out``) in the vector root's
    ``MANIFEST.json`` (``out``'s parent), replacing every entry ``generator`` wrote before."""
    manifest = out.parent / MANIFEST_NAME
    existing = read_manifest(out.parent) or {}
    entries = merge_entries(existing, generator, _entries(out, generator, paths))
    manifest.write_text(render_manifest(entries), encoding="utf-8")
    return manifest


def check_manifest(out: Path, generator: str, fresh: Sequence[Path]) -> list[str]:
    """What in the root's ``MANIFEST.json`` differs from a fresh generation (files ``fresh``, to
    be compared with the family folder ``out``): one line per stale or missing entry."""
    listed = read_manifest(out.parent)
    if listed is None:
        return [f"{MANIFEST_NAME} (missing in {out.parent})"]
    want = {e.path: e for e in _entries(out, generator, fresh)}
    stale = [f"{MANIFEST_NAME} entry {p}" for p, e in sorted(want.items()) if listed.get(p) != e]
    stale.extend(
        f"{MANIFEST_NAME} entry {p} (no longer written by {generator})"
        for p, e in sorted(listed.items())
        if e.generator == generator and p not in want
    )
    return stale
