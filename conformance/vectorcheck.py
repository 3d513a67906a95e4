"""``e2ee-conformance vectors check``: everything the loader checks, plus the file's JSON Schema,
contiguous tcIds, that every case id still matches its content, and that every file is exactly
what a generator wrote: listed in its root's ``MANIFEST.json`` (:mod:`conformance.vectormanifest`)
with the SHA-256 of its bytes. The content id leaves out ``result``, ``flags`` and ``source``;
the manifest digest covers them, the notes and the group parameters, so nothing that decides a
verdict changes without a generator rerun (docs/formats.md, "The manifest")."""

from __future__ import annotations

import hashlib
import os
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

from . import loader
from .errors import VectorFileError
from .inputfiles import Unreadable, load_json, read_bytes
from .quoting import file_name, one_line, shown
from .resources import vectors_dir
from .vectormanifest import MANIFEST_NAME, ManifestError, describe_change, read_manifest
from .vectortypes import CASE_COMMON, case_id

__all__ = ["VectorCheck", "check_file", "check_manifest", "check_paths"]

_NOT_FIELDS = set(CASE_COMMON)


@cache
def _validator(schema_path: Path) -> Any:
    """The validator of a schema file, or the one-line problem with it: a vector root given on
    the command line brings its own ``schemas/``, as much an input file as its vectors."""
    import jsonschema

    try:
        schema, _ = load_json(schema_path, "vector schema")
    except Unreadable as exc:
        return exc.problem
    if not isinstance(schema, dict):
        return "not a JSON Schema object"
    cls = jsonschema.validators.validator_for(schema)
    try:
        cls.check_schema(schema)
    except jsonschema.SchemaError as exc:
        return f"not a valid JSON Schema: {one_line(exc.message, 300)}"
    except RecursionError:
        # Within MAX_DEPTH, but the schema's $refs can still loop back on themselves.
        return "a JSON Schema that refers to itself without end"
    return cls(schema)


def _schemas_dir(path: Path) -> Path:
    # A vector root holds schemas/ beside its family folders; fall back to the bundled schemas.
    local = path.parent.parent / "schemas"
    return local if local.is_dir() else vectors_dir() / "schemas"


def check_file(path: Path) -> list[str]:
    from referencing.exceptions import Unresolvable

    try:
        vf = loader.load(path)
    except VectorFileError as exc:
        return [str(exc)]
    problems: list[str] = []
    name = file_name(vf.name)
    try:
        # Read again for the raw JSON the schema and content ids are checked on; the loader
        # keeps only decoded objects.
        doc, _ = load_json(path, "vector file")
    except Unreadable as exc:
        return [f"{name}: {exc.problem}"]
    schema_path = _schemas_dir(path) / vf.schema
    if not schema_path.is_file():
        return [f"{name}: schema file {vf.schema} not found in {file_name(schema_path.parent)}"]
    validator = _validator(schema_path)
    if isinstance(validator, str):
        return [f"{file_name(schema_path)}: {validator}"]
    try:
        errors = sorted(validator.iter_errors(doc), key=lambda e: list(e.path))
    except Unresolvable as exc:
        return [f"{file_name(schema_path)}: a $ref cannot be resolved: {one_line(str(exc))}"]
    except RecursionError:
        return [f"{file_name(schema_path)}: a JSON Schema that refers to itself without end"]
    for err in errors:
        where = one_line("/".join(str(p) for p in err.absolute_path) or "(top level)")
        problems.append(f"{name}: schema {vf.schema}: at {where}: {one_line(err.message, 300)}")
    expected_tc = 1
    for group in doc["testGroups"]:
        params = {k: v for k, v in group.items() if k not in ("type", "specRefs", "tests")}
        for case in group["tests"]:
            tc = case.get("tcId")
            label = f"{name} (tcId {shown(tc)})"
            if tc != expected_tc:
                problems.append(
                    f"{label}: tcIds must run 1..N in order, expected {shown(expected_tc)}"
                )
            expected_tc = (tc if isinstance(tc, int) else expected_tc) + 1
            fields = {k: v for k, v in case.items() if k not in _NOT_FIELDS}
            want = case_id(group["type"], params, fields)
            if case.get("id") != want:
                problems.append(
                    f"{label}: id {shown(case.get('id'))} does not match the case's content "
                    f"({want}); vector files are generated, never edited by hand: rerun the generator"
                )
    return problems


@dataclass(frozen=True)
class VectorCheck:
    """What ``vectors check`` found: problems (each naming its file), the number of files
    checked, and the roots that have no manifest (their files' origin is unverified)."""

    problems: list[str]
    checked: int
    unverified: list[Path] = field(default_factory=list)


def _scopes(paths: Sequence[Path]) -> dict[Path, tuple[list[Path], str | None]]:
    """The files to check grouped by vector root, each with its scope in the root's manifest:
    ``""`` (the whole root), a family folder name, or ``None`` (only the files themselves)."""
    scopes: dict[Path, tuple[list[Path], str | None]] = {}

    def add(root: Path, files: list[Path], scope: str | None) -> None:
        listed, old = scopes.setdefault(root.resolve(), ([], scope))
        listed.extend(files)
        if old != scope:
            wider = "" if "" in (old, scope) else None
            scopes[root.resolve()] = (listed, wider)

    for p in paths or [vectors_dir()]:
        if p.is_dir():
            found = loader.discover(p)
            if found or (p / MANIFEST_NAME).is_file():
                add(p, found, "")
            else:
                add(p.parent, sorted(p.glob("*.json")), p.name)
        else:
            add(p.parent.parent, [p], None)
    return scopes


def check_paths(paths: Sequence[Path]) -> VectorCheck:
    """Check the vector files of ``paths`` (files, family folders or vector roots; default the
    bundled vectors): :func:`check_file` on each, then :func:`check_manifest` per root. A root
    without a manifest is listed as unverified, except the bundled one, where it is a problem."""
    problems: list[str] = []
    unverified: list[Path] = []
    checked = 0
    for root, (files, scope) in _scopes(paths).items():
        for f in files:
            problems.extend(check_file(f))
        checked += len(files)
        found = check_manifest(root, files, scope)
        if found is None:
            if root == vectors_dir().resolve():
                problems.append(
                    f"{root / MANIFEST_NAME}: missing; the bundled vectors always carry it: "
                    "rerun the generators"
                )
            else:
                unverified.append(root)
        else:
            problems.extend(found)
    return VectorCheck(problems, checked, unverified)


def check_manifest(root: Path, files: Sequence[Path], scope: str | None) -> list[str] | None:
    """Verify ``files`` (below ``root``) against the root's ``MANIFEST.json``; ``None`` when the
    root has no manifest. Each file must be listed with its exact SHA-256; a listed file in
    ``scope`` (``""`` the whole root, a family folder's name, ``None`` only ``files``) must exist.
    """
    try:
        entries = read_manifest(root)
    except ManifestError as exc:
        return [str(exc)]
    if entries is None:
        return None
    problems: list[str] = []
    seen: set[str] = set()
    for f in files:
        # realpath, unlike Path.resolve, does not raise RuntimeError on a symlink loop.
        resolved = Path(os.path.realpath(f))
        rel = resolved.relative_to(root).as_posix() if resolved.is_relative_to(root) else str(f)
        seen.add(rel)
        entry = entries.get(rel)
        if entry is None:
            problems.append(
                f"{rel}: not listed in {MANIFEST_NAME}: not written by a generator; vector files "
                "are generated, never written by hand: add the cases to a generator in "
                "vectors/generators and rerun it"
            )
            continue
        try:
            raw = read_bytes(f, "vector file")
        except Unreadable:
            # check_file, run on every file check_manifest is given, has reported it.
            continue
        if hashlib.sha256(raw).hexdigest() != entry.sha256:
            problems.append(
                f"{rel}: not the bytes {entry.generator} wrote ({describe_change(entry, raw)}); "
                f"vector files are generated, never edited by hand: rerun {entry.generator}"
            )
    for rel, entry in entries.items():
        in_scope = scope == "" or (scope is not None and rel.startswith(scope + "/"))
        if in_scope and rel not in seen:
            problems.append(
                f"{rel}: listed in {MANIFEST_NAME} but missing; rerun {entry.generator}"
            )
    return problems
