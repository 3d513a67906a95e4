"""The Ed25519 edge cases ``prop/primitives/ed25519-rules`` verifies: the bundled generated file
(``vectors/ed25519_rules.json``, vectors/generators/ed25519_rules.py; at the root of the vectors,
not in a family folder, because it is not a vector file of the loader's format) or,
with ``run --cctv DIR``, C2SP CCTV's ``ed25519/ed25519vectors.json`` from the user's checkout.

CCTV's format (its ed25519/README.md, "Vectors format"): a JSON array of objects with ``number``
(an integer), ``key`` (the 32-byte public key A, hex), ``sig`` (the 64-byte signature R || S,
hex), ``msg`` (the message as plain text) and ``flags`` (a list of flag names, or null). The
bundled file holds the same objects under ``vectors`` in an envelope that cites its sources.
Every case's verdict per rule set is computed here by :mod:`conformance.reference.ed25519_rules`,
never read from the file.
"""

from __future__ import annotations

import functools
import json
import os
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..errors import ConfigurationError
from ..reference import ed25519_rules as rules
from ..resources import vectors_dir

__all__ = [
    "CCTV_ENV",
    "Case",
    "CaseSet",
    "bundled_path",
    "cctv_file",
    "current",
    "load",
    "use_cctv",
]

#: Where ``run --cctv`` leaves the file for every process of the run (workers included).
CCTV_ENV = "E2EE_CONFORMANCE_CCTV"
_HEX = re.compile(r"[0-9a-fA-F]*")


@dataclass(frozen=True)
class Case:
    number: int
    key: bytes
    sig: bytes
    msg: bytes
    flags: tuple[str, ...]
    #: The verdict of every rule set of ``rules.RULE_SETS``, in that order.
    verdicts: tuple[bool, ...]


@dataclass(frozen=True)
class CaseSet:
    #: "bundled" or "cctv".
    source: str
    cases: tuple[Case, ...]


def bundled_path() -> Path:
    return vectors_dir() / "ed25519_rules.json"


def cctv_file(folder: Path) -> Path:
    """The vectors file of a CCTV checkout, its ``ed25519`` folder, or the file itself."""
    for candidate in (
        folder,
        folder / "ed25519vectors.json",
        folder / "ed25519" / "ed25519vectors.json",
    ):
        if candidate.is_file():
            return candidate
    raise ConfigurationError(
        f"--cctv {folder}: no ed25519/ed25519vectors.json (pass a C2SP/CCTV checkout)"
    )


def _hex(path: Path, where: str, item: dict[str, Any], name: str, size: int) -> bytes:
    value = item.get(name)
    if not isinstance(value, str) or len(value) != 2 * size or not _HEX.fullmatch(value):
        raise ConfigurationError(f"{path}: {where}: '{name}' is not {size} bytes of hex")
    return bytes.fromhex(value)


def _case(path: Path, index: int, item: object) -> Case:
    if not isinstance(item, dict):
        raise ConfigurationError(f"{path}: case at index {index}: not an object")
    number = item.get("number")
    if not isinstance(number, int) or isinstance(number, bool) or number < 0:
        raise ConfigurationError(f"{path}: case at index {index}: 'number' is not an integer")
    where = f"case {number}"
    key = _hex(path, where, item, "key", 32)
    sig = _hex(path, where, item, "sig", 64)
    msg = item.get("msg")
    if not isinstance(msg, str):
        raise ConfigurationError(f"{path}: {where}: 'msg' is not a string")
    flags = item.get("flags")
    if flags is None:
        flags = []
    if not isinstance(flags, list) or not all(isinstance(f, str) for f in flags):
        raise ConfigurationError(f"{path}: {where}: 'flags' is not a list of names")
    judged = rules.judge(key, msg.encode(), sig)
    verdicts = tuple(rules.verdict(rs, judged) for rs in rules.RULE_SETS)
    return Case(number, key, sig, msg.encode(), tuple(flags), verdicts)


def load(path: Path, source: str) -> CaseSet:
    """Read and judge every case of ``path``; a malformed file raises ConfigurationError naming
    the file and the case."""
    try:
        doc = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, ValueError) as exc:
        raise ConfigurationError(
            f"{path}: not a readable JSON file ({type(exc).__name__})"
        ) from None
    items = doc.get("vectors") if isinstance(doc, dict) else doc
    if not isinstance(items, list) or not items:
        raise ConfigurationError(f"{path}: not a non-empty JSON array of Ed25519 cases")
    cases = tuple(_case(path, i, item) for i, item in enumerate(items))
    seen: set[int] = set()
    for case in cases:
        if case.number in seen:
            raise ConfigurationError(f"{path}: case {case.number}: number used twice")
        seen.add(case.number)
    return CaseSet(source, cases)


@functools.cache
def _load_cached(path: str, source: str, mtime: int) -> CaseSet:
    return load(Path(path), source)


def use_cctv(folder: Path | None) -> None:
    """Make this run (and its worker processes) verify CCTV's file in ``folder``; reads it now
    so that a malformed file stops the run before anything is checked."""
    if folder is None:
        os.environ.pop(CCTV_ENV, None)
        return
    path = cctv_file(folder).resolve()
    _load_cached(str(path), "cctv", path.stat().st_mtime_ns)
    os.environ[CCTV_ENV] = str(path)


def current() -> CaseSet:
    """The cases of this run: CCTV's when ``--cctv`` was given, else the bundled file."""
    chosen = os.environ.get(CCTV_ENV)
    path, source = (Path(chosen), "cctv") if chosen else (bundled_path(), "bundled")
    try:
        mtime = path.stat().st_mtime_ns
    except OSError:
        raise ConfigurationError(f"{path}: cannot read the Ed25519 rule cases") from None
    return _load_cached(str(path), source, mtime)
