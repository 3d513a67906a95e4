"""The digest manifest of a vector root: ``MANIFEST.json``, written by the generators.

A vector file decides verdicts through more than its content ids cover (``result``, ``flags``,
``source``, ``notes`` and their ``bugType``, group parameters), so the content id alone cannot
show that a file is what a generator wrote. The manifest can: one entry per vector file, with

* ``path``: the file relative to the vector root (``<family>/<name>.json``, POSIX separators),
* ``sha256``: the SHA-256 of the file's exact bytes,
* ``generator``: the script that wrote it (``vectors/generators/<script>.py``),
* ``cases``: one short digest per case in tcId order (the case with its group's parameters),
  only so that a mismatch can name the case that changed; ``sha256`` is what is verified.

Entries are sorted by path and rendered like the vector files (indent 2, trailing newline), so
regenerating writes the same bytes. ``e2ee-conformance vectors check`` verifies a root against its
manifest (:mod:`conformance.vectorcheck`); each generator writes the entries of its own files and
its ``--check`` compares them with a fresh generation (``vectors/generators/_common.py``).
See docs/formats.md, "The manifest".
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import Any, Literal

from .inputfiles import Unreadable, load_json, parse_json
from .quoting import file_name, one_line, shown

__all__ = [
    "MANIFEST_NAME",
    "ManifestEntry",
    "ManifestError",
    "describe_change",
    "entry_for",
    "merge_entries",
    "provenance",
    "read_manifest",
    "render_manifest",
]

MANIFEST_NAME = "MANIFEST.json"

_COMMENT = (
    "Written by the generators in vectors/generators (one entry per vector file they write: "
    "path, SHA-256 of its bytes, generator, a short digest per case). `e2ee-conformance vectors "
    "check` verifies every vector file against it. Never edit by hand: rerun the generator."
)
_SHA256 = re.compile(r"^[0-9a-f]{64}$")
_CASE_DIGEST = re.compile(r"^[0-9a-f]{12}$")
_ENTRY_KEYS = ("path", "sha256", "generator", "cases")


class ManifestError(Exception):
    """``MANIFEST.json`` is malformed; the message names the manifest and the entry."""


@dataclass(frozen=True)
class ManifestEntry:
    """One vector file as its generator wrote it."""

    path: str
    sha256: str
    generator: str
    cases: tuple[str, ...]

    def to_json(self) -> dict[str, Any]:
        return {
            "path": self.path,
            "sha256": self.sha256,
            "generator": self.generator,
            "cases": list(self.cases),
        }


def _cases(raw: bytes) -> list[tuple[object, object, str]]:
    """(tcId, id, digest) of every case in file order; the digest (12 hex digits) covers the case
    and its group's parameters. A file that is not a vector file's JSON has none."""
    try:
        doc = parse_json(raw)
        out = []
        for group in doc["testGroups"]:
            params = {k: v for k, v in group.items() if k != "tests"}
            for case in group["tests"]:
                text = json.dumps(
                    {"group": params, "case": case},
                    sort_keys=True,
                    separators=(",", ":"),
                    ensure_ascii=False,
                )
                digest = hashlib.sha256(text.encode("utf-8")).hexdigest()[:12]
                out.append((case.get("tcId"), case.get("id"), digest))
        return out
    except (Unreadable, ValueError, KeyError, TypeError, AttributeError):
        return []


def entry_for(rel: str, raw: bytes, generator: str) -> ManifestEntry:
    """The manifest entry of a file at ``rel`` (``<family>/<name>.json``) with bytes ``raw``, as
    ``generator`` wrote it."""
    digests = tuple(d for _, _, d in _cases(raw))
    return ManifestEntry(rel, hashlib.sha256(raw).hexdigest(), generator, digests)


def describe_change(entry: ManifestEntry, raw: bytes) -> str:
    """What differs between the file's bytes ``raw`` and what its generator wrote: the cases
    (tcId and id) whose content or group parameters changed, cases added or removed, or else the
    rest of the file (envelope, notes, layout)."""
    now = _cases(raw)
    if not now:
        return "the file is not the vector JSON its generator wrote"
    changed = [
        f"tcId {tc} (id {cid})"
        for (tc, cid, digest), was in zip(now, entry.cases, strict=False)
        if digest != was
    ]
    parts = []
    if changed:
        parts.append("changed: " + ", ".join(changed[:5]) + (" ..." if len(changed) > 5 else ""))
    if len(now) != len(entry.cases):
        parts.append(f"{len(now)} case(s) where the generator wrote {len(entry.cases)}")
    if not parts:
        parts.append(
            "no case differs from the manifest's digests: the header, notes, source or layout "
            "differs, or the manifest entry was edited"
        )
    return "; ".join(parts)


def _entry(raw: Any, where: str) -> ManifestEntry:
    if not isinstance(raw, dict) or sorted(raw) != sorted(_ENTRY_KEYS):
        raise ManifestError(f"{where}: an entry has exactly the keys {', '.join(_ENTRY_KEYS)}")
    path, sha, generator, cases = (raw[k] for k in _ENTRY_KEYS)
    if not isinstance(path, str) or not path.endswith(".json"):
        raise ManifestError(f"{where}: path must name a .json file")
    pure = PurePosixPath(path)
    if pure.is_absolute() or ".." in pure.parts or len(pure.parts) != 2:
        raise ManifestError(f"{where}: path {shown(path)} is not <family>/<name>.json")
    if not isinstance(sha, str) or not _SHA256.match(sha):
        raise ManifestError(f"{where} ({one_line(path)}): sha256 must be 64 lowercase hex digits")
    if not isinstance(generator, str) or not generator:
        raise ManifestError(f"{where} ({one_line(path)}): generator must name the script")
    if not isinstance(cases, list) or not all(
        isinstance(c, str) and _CASE_DIGEST.match(c) for c in cases
    ):
        raise ManifestError(f"{where} ({one_line(path)}): cases must be 12-hex-digit digests")
    return ManifestEntry(path, sha, generator, tuple(cases))


def read_manifest(root: Path) -> dict[str, ManifestEntry] | None:
    """The entries of ``root``'s manifest by path, or ``None`` when the root has none."""
    path = root / MANIFEST_NAME
    # A directory or a dangling link by that name is a broken manifest, not a missing one.
    if not path.exists() and not path.is_symlink():
        return None
    name = file_name(path)
    try:
        doc, _ = load_json(path, "vector manifest")
    except Unreadable as exc:
        raise ManifestError(f"{name}: {exc.problem}; rerun the generators") from None
    if not isinstance(doc, dict) or not isinstance(doc.get("files"), list):
        raise ManifestError(f"{name}: expected an object with a 'files' list")
    entries: dict[str, ManifestEntry] = {}
    for i, raw in enumerate(doc["files"]):
        entry = _entry(raw, f"{name} files[{i}]")
        if entry.path in entries:
            raise ManifestError(f"{name}: {one_line(entry.path)} is listed twice")
        entries[entry.path] = entry
    if list(entries) != sorted(entries):
        raise ManifestError(f"{name}: entries are not sorted by path; rerun the generators")
    return entries


def merge_entries(
    existing: Mapping[str, ManifestEntry], generator: str, fresh: Iterable[ManifestEntry]
) -> list[ManifestEntry]:
    """``existing`` with ``generator``'s entries replaced by ``fresh``, sorted by path."""
    new = {e.path: e for e in fresh}
    kept = {p: e for p, e in existing.items() if e.generator != generator and p not in new}
    return [e for _, e in sorted((kept | new).items())]


def render_manifest(entries: Sequence[ManifestEntry]) -> str:
    """The manifest's exact text (the generators' JSON rendering: indent 2, trailing newline)."""
    doc = {"comment": _COMMENT, "files": [e.to_json() for e in sorted(entries, key=_path)]}
    return json.dumps(doc, indent=2, ensure_ascii=False) + "\n"


def _path(entry: ManifestEntry) -> str:
    return entry.path


def provenance(files: Iterable[tuple[Path, str]]) -> Literal["verified", "unverified", "mismatch"]:
    """What a run's report records about its vector files, given (path, SHA-256) of each:
    ``mismatch`` when a file is not listed in its root's manifest with that digest (or the
    manifest is malformed), else ``unverified`` when a root (the family folder's parent) has no
    manifest, else ``verified``."""
    manifests: dict[Path, dict[str, ManifestEntry] | None] = {}
    unverified = False
    for path, sha256 in files:
        root = path.resolve().parent.parent
        if root not in manifests:
            try:
                manifests[root] = read_manifest(root)
            except ManifestError:
                return "mismatch"
        entries = manifests[root]
        if entries is None:
            unverified = True
            continue
        entry = entries.get(f"{path.parent.name}/{path.name}")
        if entry is None or entry.sha256 != sha256:
            return "mismatch"
    return "unverified" if unverified else "verified"
