"""``e2ee-conformance vectors check``: everything the loader checks, plus the file's JSON Schema,
contiguous tcIds, that every case id still matches its content, and that every file is exactly
what a generator wrote: listed in its root's ``MANIFEST.json`` (:mod:`conformance.vectormanifest`)
with the SHA-256 of its bytes. The content id leaves out ``result``, ``flags`` and ``source``;
the manifest digest covers them, the notes and the group parameters, so nothing that decides a
verdict changes without a generator rerun (docs/formats.md, "The manifest")."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

from . import loader
from .errors import VectorFileError
from .resources import vectors_dir
from .vectormanifest import MANIFEST_NAME, ManifestError, describe_change, read_manifest
from .vectortypes import CASE_COMMON, case_id

__all__ = ["VectorCheck", "check_file", "check_manifest", "check_paths"]

_NOT_FIELDS = set(CASE_COMMON)


@cache
def _validator(schema_path: Path) -> Any:
    import jsonschema

    schema = json.loads(schema_path.read_text(encoding="utf-8"))
    cls = jsonschema.validators.validator_for(schema)
    cls.check_schema(schema)
    return cls(schema)


def _schemas_dir(path: Path) -> Path:
    # A vector root holds schemas/ beside its family folders; fall back to the bundled schemas.
    local = path.parent.parent / "schemas"
    return local if local.is_dir() else vectors_dir() / "schemas"


def check_file(path: Path) -> list[str]:
    try:
        vf = loader.load(path)
    except VectorFileError as exc:
        return [str(exc)]
    problems: list[str] = []
    doc = json.loads(path.read_text(encoding="utf-8"))
    schema_path = _schemas_dir(path) / vf.schema
    if not schema_path.is_file():
        return [f"{vf.name}: schema file {vf.schema} not found in {schema_path.parent}"]
    for err in sorted(_validator(schema_path).iter_errors(doc), key=lambda e: list(e.path)):
        where = "/".join(str(p) for p in err.absolute_path) or "(top level)"
        problems.append(f"{vf.name}: schema {vf.schema}: at {where}: {err.message}")
    expected_tc = 1
    for group in doc["testGroups"]:
        params = {k: v for k, v in group.items() if k not in ("type", "specRefs", "tests")}
        for case in group["tests"]:
            tc = case.get("tcId")
            if tc != expected_tc:
                problems.append(
                    f"{vf.name} (tcId {tc}): tcIds must run 1..N in order, expected {expected_tc}"
                )
            expected_tc = (tc if isinstance(tc, int) else expected_tc) + 1
            fields = {k: v for k, v in case.items() if k not in _NOT_FIELDS}
            want = case_id(group["type"], params, fields)
            if case.get("id") != want:
                problems.append(
                    f"{vf.name} (tcId {tc}): id {case.get('id')} does not match the case's content "
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
        resolved = f.resolve()
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
        raw = f.read_bytes()
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
