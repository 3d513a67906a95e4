"""``e2ee-conformance vectors check``: everything the loader checks, plus the file's JSON Schema,
contiguous tcIds, and that every case id still matches its content (a mismatch means the file was
edited by hand instead of regenerated)."""

from __future__ import annotations

import json
from collections.abc import Sequence
from functools import cache
from pathlib import Path
from typing import Any

from . import loader
from .errors import VectorFileError
from .resources import vectors_dir
from .vectortypes import CASE_COMMON, case_id

__all__ = ["check_file", "check_paths"]

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


def check_paths(paths: Sequence[Path]) -> tuple[list[str], int]:
    files: list[Path] = []
    for p in paths or [vectors_dir()]:
        if p.is_dir():
            found = loader.discover(p)
            files.extend(found if found else sorted(p.glob("*.json")))
        else:
            files.append(p)
    problems: list[str] = []
    for f in files:
        problems.extend(check_file(f))
    return problems, len(files)
