"""The one loader of vector files.

It reads a file once (cached by path, size and mtime), checks its structure against the type table
in :mod:`conformance.vectortypes` and returns immutable :mod:`conformance.model` objects. Anything
it does not understand is an error naming the file and the case: an unknown group type, field or
flag is never silently skipped. ``e2ee-conformance vectors check`` adds the JSON Schema and the
content-id checks on top (:mod:`conformance.vectorcheck`).
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable, Mapping, Sequence
from functools import lru_cache
from pathlib import Path
from types import MappingProxyType
from typing import Any, cast

from .errors import VectorFileError
from .inputfiles import Unreadable, load_json
from .model import Case, Group, Note, Result, SpecRef, Step, Value, VectorFile
from .quoting import names, shown
from .resources import vectors_dir
from .vectortypes import (
    BUG_TYPES,
    CASE_COMMON,
    FILE_FIELDS,
    RESULTS,
    SPEC_LEVELS,
    STEP_FIELDS,
    STEP_RESULTS,
    VECTOR_TYPES,
    FieldKind,
)

__all__ = ["discover", "load", "load_many"]

_TOP_KEYS = set(FILE_FIELDS)
_NOTE_KEYS = {"bugType", "description", "effect", "links", "cves"}
_GROUP_FIXED = {"type", "specRefs", "tests"}
_REQUIRED_CASE = set(CASE_COMMON) - {"source"}
_HEX = re.compile("(?:[0-9a-f]{2})*")


def discover(root: Path | None = None, families: Iterable[str] | None = None) -> list[Path]:
    """Vector files below ``root`` (default: the bundled vectors), as ``<family>/<name>.json``."""
    base = root if root is not None else vectors_dir()
    wanted = set(families) if families else None
    found = []
    for path in sorted(base.glob("*/*.json")):
        family = path.parent.name
        if family in {"schemas", "generators"}:
            continue
        if wanted is None or family in wanted:
            found.append(path)
    return found


def load(path: Path, root: Path | None = None) -> VectorFile:
    """Load one vector file; raises :class:`VectorFileError` naming the file (and case)."""
    path = Path(path)
    try:
        stat = path.stat()
    except OSError as exc:
        raise VectorFileError(str(path), f"cannot read: {exc.strerror}") from None
    return _load_cached(
        str(path.resolve()), str(root.resolve()) if root else "", stat.st_size, stat.st_mtime_ns
    )


def load_many(paths: Sequence[Path], root: Path | None = None) -> list[VectorFile]:
    return [load(p, root) for p in paths]


@lru_cache(maxsize=256)
def _load_cached(path_str: str, root_str: str, size: int, mtime: int) -> VectorFile:
    del size, mtime  # part of the cache key only: an edited file is read again
    path = Path(path_str)
    name = _display_name(path, Path(root_str) if root_str else None)
    try:
        doc, raw = load_json(path, "vector file")
    except Unreadable as exc:
        raise VectorFileError(name, exc.problem) from None
    return _build(path, name, doc, hashlib.sha256(raw).hexdigest())


def _display_name(path: Path, root: Path | None) -> str:
    for base in (root, vectors_dir().resolve()):
        if base is not None:
            try:
                return path.relative_to(base).as_posix()
            except ValueError:
                pass
    return f"{path.parent.name}/{path.name}"


def _build(path: Path, name: str, doc: Any, digest: str) -> VectorFile:
    def fail(message: str, case: str | None = None) -> VectorFileError:
        return VectorFileError(name, message, case=case)

    if not isinstance(doc, dict):
        raise fail("top level must be a JSON object")
    unknown = set(doc) - _TOP_KEYS
    if unknown:
        raise fail(f"unknown top-level field(s): {names(unknown)}")
    missing = _TOP_KEYS - set(doc)
    if missing:
        raise fail(f"missing top-level field(s): {names(missing)}")

    algorithm = _expect(doc["algorithm"], str, "algorithm", fail)
    schema = _expect(doc["schema"], str, "schema", fail)
    vtypes = [t for t in VECTOR_TYPES.values() if t.schema == schema]
    if not vtypes:
        raise fail(f"unknown schema {shown(schema)}")
    vtype = vtypes[0]
    if algorithm not in vtype.algorithms:
        raise fail(
            f"algorithm {shown(algorithm)} is not one of {sorted(vtype.algorithms)} "
            f"for {vtype.name}"
        )
    notes = _notes(doc["notes"], fail)
    source = doc["source"]
    if not isinstance(source, dict) or not all(isinstance(v, str) for v in source.values()):
        raise fail("source must be an object of strings (generator, version)")
    header = doc["header"]
    if not isinstance(header, list) or not all(isinstance(h, str) for h in header):
        raise fail("header must be a list of strings")

    groups_raw = _expect(doc["testGroups"], list, "testGroups", fail)
    if not groups_raw:
        raise fail("testGroups is empty")
    groups: list[Group] = []
    seen_tc: set[int] = set()
    seen_id: set[str] = set()
    for gi, g in enumerate(groups_raw):
        where = f"testGroups[{gi}]"
        if not isinstance(g, dict):
            raise fail(f"{where} must be an object")
        gtype = g.get("type")
        if gtype != vtype.name:
            # A type that is not even a string (a list, an object) is unknown too.
            known = isinstance(gtype, str) and gtype in VECTOR_TYPES
            raise fail(
                f"{where}: type {shown(gtype)} does not match schema {schema}"
                + ("" if known else " (unknown group type)")
            )
        pkinds = vtype.param_kinds()
        extra = set(g) - _GROUP_FIXED - set(pkinds)
        if extra:
            raise fail(f"{where}: unknown group field(s): {names(extra)}")
        absent = (_GROUP_FIXED | set(pkinds)) - set(g)
        if absent:
            raise fail(f"{where}: missing group field(s): {names(absent)}")
        params = {k: _decode(g[k], kind, f"{where}.{k}", fail, None) for k, kind in pkinds.items()}
        refs = _spec_refs(g["specRefs"], where, fail)
        cases_raw = _expect(g["tests"], list, f"{where}.tests", fail)
        cases = tuple(
            _case(c, vtype.field_kinds(), notes, seen_tc, seen_id, fail) for c in cases_raw
        )
        groups.append(Group(vtype, MappingProxyType(params), refs, cases))

    count = sum(len(g.cases) for g in groups)
    number = doc["numberOfTests"]
    # True == 1 in Python: a bool is not a count.
    if number != count or isinstance(number, bool):
        raise fail(f"numberOfTests is {shown(number)} but the file holds {count} tests")
    return VectorFile(
        path=path,
        name=name,
        family=name.split("/", 1)[0] if "/" in name else path.parent.name,
        algorithm=algorithm,
        schema=schema,
        number_of_tests=count,
        header=tuple(header),
        notes=MappingProxyType(notes),
        source=MappingProxyType(dict(source)),
        groups=tuple(groups),
        sha256=digest,
    )


def _case(
    c: Any,
    kinds: Mapping[str, FieldKind],
    notes: Mapping[str, Note],
    seen_tc: set[int],
    seen_id: set[str],
    fail: Any,
) -> Case:
    if not isinstance(c, dict):
        raise fail("a test case is not an object")
    tc = c.get("tcId")
    label = f"tcId {tc}" if isinstance(tc, int) else "a test case without tcId"
    extra = set(c) - set(CASE_COMMON) - set(kinds)
    if extra:
        raise fail(f"unknown field(s): {names(extra)}", label)
    absent = (_REQUIRED_CASE | set(kinds)) - set(c)
    if absent:
        raise fail(f"missing field(s): {names(absent)}", label)
    if not isinstance(tc, int) or isinstance(tc, bool) or tc < 1:
        raise fail("tcId must be a positive integer", label)
    if tc in seen_tc:
        raise fail("duplicate tcId", label)
    seen_tc.add(tc)
    cid = c["id"]
    if not isinstance(cid, str) or not cid:
        raise fail("id must be a non-empty string", label)
    if cid in seen_id:
        raise fail(f"duplicate id {shown(cid)}", label)
    seen_id.add(cid)
    result = c["result"]
    if result not in RESULTS:
        raise fail(f"result {shown(result)} is not one of {', '.join(RESULTS)}", label)
    flags = c["flags"]
    if not isinstance(flags, list) or not all(isinstance(f, str) for f in flags):
        raise fail("flags must be a list of strings", label)
    undefined = [f for f in flags if f not in notes]
    if undefined:
        raise fail(f"flag(s) not defined in notes: {names(undefined)}", label)
    if not isinstance(c["comment"], str):
        raise fail("comment must be a string", label)
    source = None
    if "source" in c:
        s = c["source"]
        if (
            not isinstance(s, dict)
            or set(s) - {"document", "section"}
            or "document" not in s
            or not all(isinstance(v, str) for v in s.values())
        ):
            raise fail("source must be {document, section}, both strings", label)
        source = SpecRef(s["document"], s.get("section", ""))
    fields = {k: _decode(c[k], kind, k, fail, label) for k, kind in kinds.items()}
    return Case(
        tc_id=tc,
        id=cid,
        comment=c["comment"],
        flags=tuple(flags),
        result=cast(Result, result),
        fields=MappingProxyType(fields),
        source=source,
    )


def _decode(value: Any, kind: FieldKind, where: str, fail: Any, case: str | None) -> Value:
    if kind == "steps":
        if not isinstance(value, list) or not value:
            raise fail(f"{where} must be a non-empty list of steps", case)
        return tuple(_step(s, f"{where}[{i}]", fail, case) for i, s in enumerate(value))
    if kind == "hex":
        # bytes.fromhex alone would also take spaces and upper case, which the format does not.
        if not isinstance(value, str) or not _HEX.fullmatch(value):
            raise fail(f"{where} is not valid hex (lowercase, two digits a byte)", case)
        return bytes.fromhex(value)
    if kind == "int":
        if not isinstance(value, int) or isinstance(value, bool):
            raise fail(f"{where} must be an integer", case)
        return value
    if not isinstance(value, str):
        raise fail(f"{where} must be a string", case)
    return value


def _step(raw: Any, where: str, fail: Any, case: str | None) -> Step:
    if not isinstance(raw, dict):
        raise fail(f"{where} must be an object", case)
    unknown = sorted(set(raw) - set(STEP_FIELDS))
    if unknown:
        raise fail(f"{where}: unknown step field(s): {names(unknown)}", case)
    for required in ("op", "party"):
        if required not in raw:
            raise fail(f"{where}: missing {required!r}", case)
    decoded = {k: _decode(v, STEP_FIELDS[k], f"{where}.{k}", fail, case) for k, v in raw.items()}
    if "result" in decoded and decoded["result"] not in STEP_RESULTS:
        raise fail(f"{where}.result must be one of {', '.join(STEP_RESULTS)}", case)
    op, party = decoded.pop("op"), decoded.pop("party")
    assert isinstance(op, str)
    assert isinstance(party, str)
    fields = {k: v for k, v in decoded.items() if isinstance(v, bytes | int | str)}
    return Step(op, party, MappingProxyType(fields))


def _notes(raw: Any, fail: Any) -> dict[str, Note]:
    if not isinstance(raw, dict):
        raise fail("notes must be an object")
    notes = {}
    for flag, n in raw.items():
        if not isinstance(n, dict) or "bugType" not in n or set(n) - _NOTE_KEYS:
            raise fail(
                f"note {shown(flag)} must be an object with bugType (and {sorted(_NOTE_KEYS)})"
            )
        if n["bugType"] not in BUG_TYPES:
            raise fail(
                f"note {shown(flag)}: unknown bugType {shown(n['bugType'])} (see docs/formats.md)"
            )
        texts = {k: n.get(k, "") for k in ("description", "effect")}
        lists = {k: n.get(k, []) for k in ("links", "cves")}
        if not all(isinstance(v, str) for v in texts.values()) or not all(
            isinstance(v, list) and all(isinstance(x, str) for x in v) for v in lists.values()
        ):
            raise fail(
                f"note {shown(flag)}: description and effect must be strings, links and cves "
                "lists of strings"
            )
        notes[flag] = Note(
            bug_type=n["bugType"],
            description=texts["description"],
            effect=texts["effect"],
            links=tuple(lists["links"]),
            cves=tuple(lists["cves"]),
        )
    return notes


def _spec_refs(raw: Any, where: str, fail: Any) -> tuple[SpecRef, ...]:
    if not isinstance(raw, list) or not raw:
        raise fail(f"{where}.specRefs must be a non-empty list")
    refs = []
    for r in raw:
        if (
            not isinstance(r, dict)
            or not {"document", "section"} <= set(r)
            or not all(isinstance(r[k], str) for k in ("document", "section"))
        ):
            raise fail(f"{where}.specRefs entries need document and section, both strings")
        level = r.get("level")
        if level is not None and level not in SPEC_LEVELS:
            raise fail(f"{where}.specRefs level {shown(level)} is not one of {SPEC_LEVELS}")
        refs.append(SpecRef(r["document"], r["section"], level))
    return tuple(refs)


def _expect(value: Any, typ: type, what: str, fail: Any) -> Any:
    if not isinstance(value, typ):
        raise fail(f"{what} must be a {typ.__name__}")
    return value
