"""Malformed input files of any shape give exit status 2 and one line naming the file, never a
traceback (issue 13).

Each kind of file a user hands the command line (a vector file, a vector root's MANIFEST.json,
an adapter manifest, an expectations file, a saved report) is written broken in every way below
and given to the command that reads it: nesting 100,000 deep, files over the size cap, text that
is not UTF-8 or holds a lone surrogate, duplicate keys, wrong types at the top level and inside a
case, a directory or a symlink loop where the file should be. ``vectors check`` lists what it
finds and exits 1 (its own convention), with the same one line per file. Hypothesis then writes
arbitrary JSON, whole or spliced into a valid vector file, and the loader must load it or refuse
it with :class:`VectorFileError`, nothing else.
"""

from __future__ import annotations

import copy
import errno
import itertools
import json
import os
import shutil
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from conformance import inputfiles, loader
from conformance.cli import main
from conformance.errors import VectorFileError
from conformance.inputfiles import MAX_BYTES, MAX_DEPTH, Unreadable, parse_json, parse_toml
from conformance.resources import vectors_dir

DEEP = 100_000
BASE_VECTOR = vectors_dir() / "primitives" / "x25519_iterated_test.json"
BASE_DOC: dict[str, Any] = json.loads(BASE_VECTOR.read_text())

DIRECTORY, SYMLINK_LOOP = "<a directory>", "<a symlink loop>"


@dataclass(frozen=True)
class Kind:
    """A kind of input file: where a test puts it, the command that reads it, the name the
    message must carry, and the exit status (``vectors check`` reports problems with 1)."""

    id: str
    cap: str
    place: Callable[[Path], Path]
    argv: Callable[[Path, Path], list[str]]
    named: Callable[[Path, Path], str] = lambda tmp, file: str(file)
    code: int = 2


def _root(tmp: Path) -> Path:
    return tmp / "root"


VECTOR_RUN = Kind(
    "vector-run",
    "vector file",
    lambda tmp: _root(tmp) / "primitives" / "x_test.json",
    lambda tmp, f: [
        *("run", "--vectors", str(_root(tmp)), "--adapter", "cryptography"),
        *("--out", str(tmp / "out"), "--no-progress"),
    ],
    named=lambda tmp, f: "primitives/x_test.json",
)
VECTOR_CHECK = Kind(
    "vector-check",
    "vector file",
    VECTOR_RUN.place,
    lambda tmp, f: ["vectors", "check", str(f)],
    named=VECTOR_RUN.named,
    code=1,
)
VECTOR_MANIFEST = Kind(
    "vector-manifest",
    "vector manifest",
    lambda tmp: _root(tmp) / "MANIFEST.json",
    lambda tmp, f: ["vectors", "check", str(_root(tmp))],
    code=1,
)
REPORT = Kind(
    "report", "report", lambda tmp: tmp / "report.json", lambda tmp, f: ["report", str(f)]
)
REPORT_BASELINE = Kind(
    "expectations-from",
    "report",
    REPORT.place,
    lambda tmp, f: ["expectations", "--from", str(f)],
)
REPORT_MERGE = Kind(
    "merge",
    "report",
    REPORT.place,
    lambda tmp, f: ["merge", str(f), str(f), "--out", str(tmp / "merged")],
)
ADAPTER_MANIFEST = Kind(
    "adapter-manifest",
    "adapter manifest",
    lambda tmp: tmp / "adapter" / "adapter.toml",
    lambda tmp, f: ["adapters", "--adapter", str(f)],
)
EXPECTATIONS = Kind(
    "expectations",
    "expectations file",
    lambda tmp: tmp / "expect.toml",
    # Expectations are read before anything else of a run, so the unknown family never matters.
    lambda tmp, f: [
        *("run", "--expect", str(f), "--family", "no-such-family"),
        *("--out", str(tmp / "out"), "--no-progress"),
    ],
)

JSON_KINDS = (VECTOR_RUN, VECTOR_CHECK, VECTOR_MANIFEST, REPORT, REPORT_BASELINE, REPORT_MERGE)
TOML_KINDS = (ADAPTER_MANIFEST, EXPECTATIONS)
ALL_KINDS = JSON_KINDS + TOML_KINDS

JSON_CASES: dict[str, bytes] = {
    "100,000-deep array": b"[" * DEEP + b"]" * DEEP,
    "100,000-deep object": b'{"a":' * DEEP + b"1" + b"}" * DEEP,
    f"{MAX_DEPTH + 1}-deep array": b"[" * (MAX_DEPTH + 1) + b"]" * (MAX_DEPTH + 1),
    "lone surrogate": b'{"a": "\\ud800"}',
    "lone surrogate in a key": b'{"\\udfff": 1}',
    "invalid UTF-8": b'{"a": "\xff\xfe"}',
    "UTF-8-encoded surrogate": b'{"a": "\xed\xa0\x80"}',
    "UTF-16": '{"a": 1}'.encode("utf-16"),
    "empty": b"",
    "truncated": b'{"a": [1, 2',
    "top-level list": b"[]",
    "top-level null": b"null",
    "top-level string": json.dumps("x" * 100_000).encode(),
    "NaN": b'{"a": NaN}',
    "number too large for a double": b'{"a": 1e999}',
    "5,000-digit integer": b'{"a": ' + b"9" * 5000 + b"}",
    "duplicate key": b'{"a": 1, "a": 2}',
    "key with a newline": b'{"a\\nb": 1}',
}

TOML_CASES: dict[str, bytes] = {
    "100,000-deep inline arrays": b"x = " + b"[" * DEEP + b"]" * DEEP,
    "100,000-deep inline tables": b"x = " + b"{a = " * DEEP + b"1" + b"}" * DEEP,
    # tomllib's cost grows with the square of a key's length: this one used to exhaust memory.
    "100,000-part dotted key": b"a" + b".a" * DEEP + b" = 1",
    f"{MAX_DEPTH + 1}-deep inline arrays": b"x = " + b"[" * MAX_DEPTH + b"]" * MAX_DEPTH,
    "invalid UTF-8": b'x = "\xff"',
    "lone surrogate escape": b'x = "\\ud800"',
    "5,000-digit integer": b"x = " + b"9" * 5000,
    "duplicate key": b"x = 1\nx = 2\n",
    "invalid date": b"x = 2027-13-45\n",
    "truncated": b"x = [1, 2",
    "key with a newline": b'"a\\nb" = 1\n',
}


def _write(path: Path, content: bytes | str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    if content == DIRECTORY:
        path.mkdir()
    elif content == SYMLINK_LOOP:
        path.symlink_to(path)
    else:
        assert isinstance(content, bytes)
        path.write_bytes(content)


def _prepare(tmp: Path, kind: Kind) -> Path:
    """The file's path, with what the command needs beside it (a valid vector file for the
    manifest's root)."""
    if kind is VECTOR_MANIFEST:
        family = _root(tmp) / "primitives"
        family.mkdir(parents=True)
        shutil.copy(BASE_VECTOR, family)
    return kind.place(tmp)


def _refused(
    kind: Kind, tmp: Path, content: bytes | str | None, capsys: pytest.CaptureFixture[str]
) -> str:
    """Write ``content`` as a file of ``kind`` (None: the test has put it there), run its
    command, and return the one line it printed on standard error, having checked the exit
    status and that the line names the file. A traceback would escape ``main`` and fail the
    test with it."""
    path = kind.place(tmp) if content is None else _prepare(tmp, kind)
    if content is not None:
        _write(path, content)
    code = main(kind.argv(tmp, path))
    err = capsys.readouterr().err
    assert code == kind.code, err
    lines = err.splitlines()
    assert len(lines) == 1, err
    assert kind.named(tmp, path) in lines[0]
    assert "Traceback" not in err
    return lines[0]


@pytest.mark.parametrize("case", JSON_CASES)
@pytest.mark.parametrize("kind", JSON_KINDS, ids=lambda k: k.id)
def test_malformed_json_gives_one_line_naming_the_file(
    kind: Kind, case: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    _refused(kind, tmp_path, JSON_CASES[case], capsys)


@pytest.mark.parametrize("case", TOML_CASES)
@pytest.mark.parametrize("kind", TOML_KINDS, ids=lambda k: k.id)
def test_malformed_toml_gives_one_line_naming_the_file(
    kind: Kind, case: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    _refused(kind, tmp_path, TOML_CASES[case], capsys)


def test_the_messages_say_what_is_wrong(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    def line(kind: Kind, content: bytes, sub: str) -> str:
        return _refused(kind, tmp_path / sub, content, capsys)

    assert line(VECTOR_RUN, JSON_CASES["100,000-deep array"], "a").endswith(
        f"nested deeper than {MAX_DEPTH} levels"
    )
    assert "lone surrogate '\\ud800'" in line(REPORT, JSON_CASES["lone surrogate"], "b")
    assert "not UTF-8 text" in line(REPORT, JSON_CASES["invalid UTF-8"], "c")
    assert "duplicate key 'a'" in line(VECTOR_RUN, JSON_CASES["duplicate key"], "d")
    assert "NaN is not a JSON number" in line(VECTOR_RUN, JSON_CASES["NaN"], "e")
    toml_deep = TOML_CASES["100,000-deep inline arrays"]
    assert f"nested deeper than {MAX_DEPTH} levels" in line(ADAPTER_MANIFEST, toml_deep, "f")
    dotted = TOML_CASES["100,000-part dotted key"]
    assert f"more than {MAX_DEPTH} parts" in line(EXPECTATIONS, dotted, "g")
    # A key's newline is shown escaped, so the message stays one line.
    assert "a\\x0ab" in line(ADAPTER_MANIFEST, TOML_CASES["key with a newline"], "h")


# `vectors check` takes a directory as a vector root or family, by design: not a bad file there.
@pytest.mark.parametrize(
    ("kind", "state"),
    [
        (k, s)
        for k in ALL_KINDS
        for s in (DIRECTORY, SYMLINK_LOOP)
        if not (k is VECTOR_CHECK and s == DIRECTORY)
    ],
    ids=lambda v: v.id if isinstance(v, Kind) else str(v),
)
def test_a_directory_or_symlink_loop_in_place_of_the_file(
    kind: Kind, state: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    line = _refused(kind, tmp_path, state, capsys)
    # --adapter takes a path to adapter.toml or to a folder holding one: neither is "not found".
    assert ("not found" if kind is ADAPTER_MANIFEST else "cannot read") in line


@pytest.mark.parametrize("kind", ALL_KINDS, ids=lambda k: k.id)
def test_an_unreadable_file(
    kind: Kind, tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    path = _prepare(tmp_path, kind)
    _write(path, b"{}")
    path.chmod(0)
    if os.geteuid() == 0:
        # Root reads any file whatever its mode: refuse this one where the suite opens it.
        real_open = open

        def refusing_open(file: Any, *args: Any, **kwargs: Any) -> Any:
            if Path(file) == path:
                raise PermissionError(errno.EACCES, os.strerror(errno.EACCES), str(file))
            return real_open(file, *args, **kwargs)

        monkeypatch.setattr(inputfiles, "open", refusing_open, raising=False)
    assert "Permission denied" in _refused(kind, tmp_path, None, capsys)


@pytest.mark.parametrize("kind", ALL_KINDS, ids=lambda k: k.id)
def test_a_file_over_its_kinds_cap_is_refused(
    kind: Kind, tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    # Small, but above every bundled file of the kind (the bundled manifests are read too).
    monkeypatch.setitem(MAX_BYTES, kind.cap, 16384)
    line = _refused(kind, tmp_path, b" " * 17000 + b"{}", capsys)
    assert f"17,002 bytes, larger than the limit of 16,384 bytes for {kind.cap}s" in line


def test_a_sparse_report_past_the_real_cap_is_refused_unread(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = REPORT.place(tmp_path)
    size = MAX_BYTES["report"] + 1
    with path.open("wb") as fh:
        fh.truncate(size)  # sparse: no block of it is ever written, and none is read
    started = time.monotonic()
    line = _refused(REPORT, tmp_path, None, capsys)
    assert time.monotonic() - started < 5
    assert f"{size:,} bytes, larger than the limit of 256 MiB for reports" in line


# --- wrong types, kind by kind -----------------------------------------------------------------


def _edited(edit: Callable[[dict[str, Any]], object]) -> bytes:
    doc = copy.deepcopy(BASE_DOC)
    edit(doc)
    return json.dumps(doc).encode()


def _case(doc: dict[str, Any]) -> dict[str, Any]:
    case: dict[str, Any] = doc["testGroups"][0]["tests"][0]
    return case


VECTOR_EDITS: dict[str, Callable[[dict[str, Any]], object]] = {
    "group type a list": lambda d: d["testGroups"][0].update(type=[]),
    "group type an object": lambda d: d["testGroups"][0].update(type={"a": 1}),
    "unknown group type": lambda d: d["testGroups"][0].update(type="Mystery"),
    "testGroups an object": lambda d: d.update(testGroups={}),
    "tests a number": lambda d: d["testGroups"][0].update(tests=1),
    "a case a list": lambda d: d["testGroups"][0]["tests"].__setitem__(0, []),
    "tcId a string": lambda d: _case(d).update(tcId="1"),
    "tcId a float": lambda d: _case(d).update(tcId=1.0),
    "tcId a bool": lambda d: _case(d).update(tcId=True),
    "result a list": lambda d: _case(d).update(result=["valid"]),
    "flags a string": lambda d: _case(d).update(flags="Ktv"),
    "comment null": lambda d: _case(d).update(comment=None),
    "hex of odd length": lambda d: _case(d).update(shared="abc"),
    "hex with a space": lambda d: _case(d).update(shared="42 2c"),
    "hex in upper case": lambda d: _case(d).update(shared="422C"),
    "hex not hex": lambda d: _case(d).update(shared="zz"),
    "hex a number": lambda d: _case(d).update(shared=42),
    "int a huge float": lambda d: _case(d).update(iterations=1e300),
    "source document a number": lambda d: _case(d)["source"].update(document=7),
    "specRefs document a list": lambda d: d["testGroups"][0]["specRefs"][0].update(document=[]),
    "note links a string": lambda d: d["notes"]["Ktv"].update(links="https://x"),
    "note bugType an object": lambda d: d["notes"]["Ktv"].update(bugType={}),
    "numberOfTests a bool": lambda d: d.update(numberOfTests=True, testGroups=_one_case(d)),
    "numberOfTests a huge string": lambda d: d.update(numberOfTests="9" * 100_000),
    "header a string": lambda d: d.update(header="x"),
    "source an array": lambda d: d.update(source=["x"]),
}


def _one_case(doc: dict[str, Any]) -> list[Any]:
    groups: list[Any] = doc["testGroups"]
    groups[0]["tests"] = groups[0]["tests"][:1]
    return groups


@pytest.mark.parametrize("edit", VECTOR_EDITS)
def test_wrong_types_in_a_vector_file(
    edit: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    line = _refused(VECTOR_RUN, tmp_path, _edited(VECTOR_EDITS[edit]), capsys)
    assert len(line) < 400


@pytest.fixture(scope="module")
def valid_report(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    """A real report of a tiny run, to break one field at a time."""
    out = tmp_path_factory.mktemp("valid-report")
    argv = ["run", "--adapter", "cryptography", "--family", "primitives", "--tier", "smoke"]
    argv += ["--case", "kat/primitives/x25519_iterated_test/*", "--out", str(out)]
    assert main([*argv, "--no-progress", "--format", "json"]) == 0
    report: dict[str, Any] = json.loads((out / "report.json").read_text())
    return report


REPORT_EDITS: dict[str, Callable[[dict[str, Any]], object]] = {
    "reportVersion a number": lambda r: r.update(reportVersion=1.2),
    "results an object": lambda r: r.update(results={}),
    "a result a list": lambda r: r["results"].__setitem__(0, []),
    "an outcome a number": lambda r: r["results"][0].update(outcome=5),
    "adapters null": lambda r: r.update(adapters=None),
    "suite a string": lambda r: r.update(suite="x" * 100_000),
    "a result holding a deep list": lambda r: r["results"][0].update(detail=_deep(MAX_DEPTH - 3)),
    "an expiry that is no date": lambda r: r.update(
        expectations={
            "file": "x.toml",
            "sha256": "0" * 64,
            "entries": [
                {"index": 0, "check": "x", "reason": "r", "matched": 0, "status": "ok"}
                | {"expires": "soon"}
            ],
        }
    ),
}


def _deep(depth: int) -> Any:
    value: Any = 1
    for _ in range(depth):
        value = [value]
    return value


@pytest.mark.parametrize("edit", REPORT_EDITS)
@pytest.mark.parametrize("kind", [REPORT, REPORT_BASELINE, REPORT_MERGE], ids=lambda k: k.id)
def test_wrong_types_in_a_report(
    kind: Kind,
    edit: str,
    valid_report: dict[str, Any],
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    report = copy.deepcopy(valid_report)
    REPORT_EDITS[edit](report)
    line = _refused(kind, tmp_path, json.dumps(report).encode(), capsys)
    assert "not a report of this suite" in line
    assert len(line) < 600


MANIFEST_HEAD = 'name = "x"\nimplementation = "y"\ncapabilities = ["x25519"]\n'
PYTHON_TRANSPORT = '[transport]\nkind = "python"\nentry = "adapter.py:A"\n'

MANIFEST_TEXTS: dict[str, str] = {
    "empty (an empty expectations file is a valid one)": "",
    "name a list": 'name = []\nimplementation = "y"\ncapabilities = []\n' + PYTHON_TRANSPORT,
    "name with a control character": MANIFEST_HEAD.replace('"x"', '"x\\u001b[31m"')
    + PYTHON_TRANSPORT,
    "implementation a table": MANIFEST_HEAD.replace('"y"', "{a = 1}") + PYTHON_TRANSPORT,
    "capabilities a string": MANIFEST_HEAD.replace('["x25519"]', '"x25519"') + PYTHON_TRANSPORT,
    "transport an array": MANIFEST_HEAD + "transport = [1]\n",
    "transport kind an array": MANIFEST_HEAD + "[transport]\nkind = []\n",
    "timeout a bool": MANIFEST_HEAD
    + '[transport]\nkind = "command"\ncommand = ["x"]\ntimeout = true\n',
    "timeout nan": MANIFEST_HEAD
    + '[transport]\nkind = "command"\ncommand = ["x"]\ntimeout = nan\n',
    "timeout inf": MANIFEST_HEAD
    + '[transport]\nkind = "command"\ncommand = ["x"]\ntimeout = inf\n',
    "command a string": MANIFEST_HEAD + '[transport]\nkind = "command"\ncommand = "x"\n',
    "notes an array": MANIFEST_HEAD + "notes = [1]\n" + PYTHON_TRANSPORT,
    "environment python a string": MANIFEST_HEAD
    + PYTHON_TRANSPORT
    + '[environment]\npython = "x"\n',
}


@pytest.mark.parametrize("text", MANIFEST_TEXTS)
def test_wrong_types_in_an_adapter_manifest(
    text: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    _refused(ADAPTER_MANIFEST, tmp_path, MANIFEST_TEXTS[text].encode(), capsys)


EXPECTATION_TEXTS: dict[str, str] = {
    "expect a table": "[expect]\ncheck = 'x'\nreason = 'r'\n",
    "expect a number": "expect = 1\n",
    "an entry a number": "expect = [1]\n",
    "check a number": "[[expect]]\ncheck = 1\nreason = 'r'\n",
    "reason empty": "[[expect]]\ncheck = 'x'\nreason = ' '\n",
    "versions an array": "[[expect]]\ncheck = 'x'\nreason = 'r'\nversions = ['>=1']\n",
    "versions no range": "[[expect]]\ncheck = 'x'\nreason = 'r'\nversions = 'newest\\n'\n",
    "expires a datetime": "[[expect]]\ncheck = 'x'\nreason = 'r'\nexpires = 2027-01-01T00:00:00\n",
    "unknown key": "[[expect]]\ncheck = 'x'\nreason = 'r'\ncolour = 'red'\n",
}


@pytest.mark.parametrize("text", EXPECTATION_TEXTS)
def test_wrong_types_in_an_expectations_file(
    text: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    _refused(EXPECTATIONS, tmp_path, EXPECTATION_TEXTS[text].encode(), capsys)


# --- the parsing layer itself ------------------------------------------------------------------


def test_depth_bound_is_exact() -> None:
    assert parse_json(b"[" * MAX_DEPTH + b"]" * MAX_DEPTH) is not None
    with pytest.raises(Unreadable, match="nested deeper"):
        parse_json(b"[" * (MAX_DEPTH + 1) + b"]" * (MAX_DEPTH + 1))
    key = "a" + ".a" * (MAX_DEPTH - 1)
    assert parse_toml(f"{key} = 1".encode())
    with pytest.raises(Unreadable, match="dotted key"):
        parse_toml(f"{key}.a = 1".encode())


def test_what_is_not_refused() -> None:
    # A byte order mark is ignored (RFC 8259 §8.1 allows it), paired surrogates are one character,
    # and a float or a dotted string value stays what it is.
    assert parse_json(b'\xef\xbb\xbf{"a": "\\ud83d\\ude00"}') == {"a": "\U0001f600"}
    assert parse_toml(b"\xef\xbb\xbfx = 1.5\ny = 'a.b.c'\n") == {"x": 1.5, "y": "a.b.c"}


# --- Hypothesis: arbitrary JSON as a vector file -----------------------------------------------

# Text includes lone surrogates (category Cs), which the default alphabet leaves out.
_TEXT = st.text(st.characters(exclude_categories=()), max_size=12)
JSON_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | _TEXT,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(_TEXT, inner, max_size=4),
    max_leaves=24,
)

_names = itertools.count()


@pytest.fixture(scope="module")
def hypothesis_root(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("hypothesis")
    (root / "primitives").mkdir()
    return root


def _load_or_refuse(root: Path, text: str, encoding_errors: str) -> None:
    # A fresh name each time: the loader caches by path, size and modification time.
    path = root / "primitives" / f"h{next(_names)}_test.json"
    path.write_bytes(text.encode("utf-8", encoding_errors))
    message = ""
    try:
        loader.load(path, root)
    except VectorFileError as exc:
        message = str(exc)
    finally:
        path.unlink()
    if message:
        assert "\n" not in message
        assert message.startswith(path.relative_to(root).as_posix())


@settings(max_examples=1000, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(value=JSON_VALUES, errors=st.sampled_from(["surrogatepass", "replace"]))
def test_any_json_value_as_a_vector_file_loads_or_is_refused(
    hypothesis_root: Path, value: Any, errors: str
) -> None:
    _load_or_refuse(hypothesis_root, json.dumps(value, ensure_ascii=False), errors)


def _paths(value: Any, prefix: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    out = [prefix]
    if isinstance(value, dict):
        for k, v in value.items():
            out += _paths(v, (*prefix, k))
    elif isinstance(value, list):
        for i, v in enumerate(value):
            out += _paths(v, (*prefix, i))
    return out


BASE_PATHS = _paths(BASE_DOC)[1:]


@settings(max_examples=1000, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(where=st.sampled_from(BASE_PATHS), value=JSON_VALUES)
def test_any_json_value_spliced_into_a_vector_file_loads_or_is_refused(
    hypothesis_root: Path, where: tuple[Any, ...], value: Any
) -> None:
    """Deeper than a whole arbitrary document gets: every field of a valid file, in turn, holds
    any value at all."""
    doc = copy.deepcopy(BASE_DOC)
    parent = doc
    for step in where[:-1]:
        parent = parent[step]
    parent[where[-1]] = value
    _load_or_refuse(hypothesis_root, json.dumps(doc), "surrogatepass")
