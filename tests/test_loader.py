"""The loader: immutable objects out, a clear error naming file and case for anything malformed."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from conformance import loader
from conformance.errors import VectorFileError
from conformance.model import VectorFile


def _load_edited(vector_copy: Path, name: str, edit: Any) -> VectorFile:
    path = vector_copy / "primitives" / name
    doc = json.loads(path.read_text())
    edit(doc)
    path.write_text(json.dumps(doc))
    return loader.load(path, vector_copy)


def test_bundled_vectors_load_into_immutable_objects() -> None:
    files = loader.load_many(loader.discover())
    assert files
    assert {f.family for f in files} == {
        "hpke",
        "megolm",
        "mls",
        "olm",
        "pq",
        "primitives",
        "signal",
        "signal-pq",
    }
    vf = next(f for f in files if f.name == "primitives/x25519_test.json")
    group = vf.groups[0]
    case = group.cases[0]
    assert isinstance(case.bytes("public"), bytes)
    with pytest.raises(TypeError):
        case.fields["public"] = b""  # type: ignore[index]
    with pytest.raises(AttributeError):
        case.result = "invalid"  # type: ignore[misc]
    assert vf.capability == "x25519"
    assert sum(len(g.cases) for g in vf.groups) == vf.number_of_tests


def test_loader_caches_and_rereads_an_edited_file(vector_copy: Path) -> None:
    path = vector_copy / "primitives" / "x25519_test.json"
    first = loader.load(path, vector_copy)
    assert loader.load(path, vector_copy) is first
    doc = json.loads(path.read_text())
    doc["header"] = ["changed"]
    path.write_text(json.dumps(doc))
    assert loader.load(path, vector_copy).header == ("changed",)


@pytest.mark.parametrize(
    ("edit", "message"),
    [
        (lambda d: d.update(extra=1), "unknown top-level field(s): extra"),
        (lambda d: d["testGroups"][0].update(type="Mystery"), "unknown group type"),
        (lambda d: d["testGroups"][0].update(colour="red"), "unknown group field(s): colour"),
        (
            lambda d: d["testGroups"][0]["tests"][1].update(nonce="00"),
            "(tcId 2): unknown field(s): nonce",
        ),
        (
            lambda d: d["testGroups"][0]["tests"][1].update(shared="zz"),
            "(tcId 2): shared is not valid hex",
        ),
        (
            lambda d: d["testGroups"][0]["tests"][1].update(result="maybe"),
            "(tcId 2): result 'maybe'",
        ),
        (lambda d: d["testGroups"][0]["tests"][1].update(tcId=1), "(tcId 1): duplicate tcId"),
        (lambda d: d.update(numberOfTests=d["numberOfTests"] + 1), "numberOfTests is"),
        (
            lambda d: d["testGroups"][0]["tests"][1]["flags"].append("Nope"),
            "not defined in notes: Nope",
        ),
        (lambda d: d.update(algorithm="X448"), "algorithm 'X448' is not one of"),
        (lambda d: d.update(schema="nope.json"), "unknown schema"),
        (lambda d: d["testGroups"][0].update(specRefs=[]), "specRefs must be a non-empty list"),
        (lambda d: d["notes"]["Ktv"].update(bugType="SCARY"), "unknown bugType 'SCARY'"),
    ],
)
def test_malformed_files_name_file_and_case(vector_copy: Path, edit: Any, message: str) -> None:
    with pytest.raises(VectorFileError) as info:
        _load_edited(vector_copy, "x25519_test.json", edit)
    assert "primitives/x25519_test.json" in str(info.value)
    assert message in str(info.value)


def test_json_syntax_error_names_line_and_column(vector_copy: Path) -> None:
    path = vector_copy / "primitives" / "x25519_test.json"
    path.write_text('{"algorithm": "X25519",\n  oops}')
    with pytest.raises(VectorFileError, match=r"x25519_test.json: invalid JSON at line 2 column 3"):
        loader.load(path, vector_copy)
