"""Vectors cannot be weakened silently (issue 12, part 7).

Every edit that could change a verdict (a case's result, flags, source or expected values, a
note's bugType, an extra hand-written file, a deleted file) fails ``e2ee-conformance vectors
check`` naming the file, because the generators record the SHA-256 of every file they write in
``vectors/MANIFEST.json``; and a ``source`` no longer lowers a case's reproduction bar.
"""

from __future__ import annotations

import json
import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from helpers import adapter_from, load_report, real

from conformance import loader, vectorcheck
from conformance.cli import main
from conformance.vectorcheck import check_paths
from conformance.vectormanifest import MANIFEST_NAME, provenance, read_manifest, render_manifest
from vectors.generators import _common
from vectors.generators._common import GeneratorError
from vectors.generators._reproduce import reproduce

ED25519 = "primitives/ed25519_test.json"
HMAC = "primitives/hmac_sha256_test.json"

Doc = dict[str, Any]


def _edit(root: Path, rel: str, change: Callable[[Doc], None]) -> None:
    """Rewrite ``rel`` with ``change`` applied, rendered exactly as the generators render."""
    path = root / rel
    doc = json.loads(path.read_text(encoding="utf-8"))
    change(doc)
    path.write_text(_common.dump_json(doc), encoding="utf-8")


def _cases(doc: Doc) -> list[Doc]:
    return [case for group in doc["testGroups"] for case in group["tests"]]


def _flip_noncanonical_keys(doc: Doc) -> None:
    # The three Ed25519 NonCanonicalPublicKey cases: invalid -> acceptable turns an
    # implementation that accepts non-canonical keys from a fail into a pass.
    flipped = 0
    for case in _cases(doc):
        if "NonCanonicalPublicKey" in case["flags"]:
            assert case["result"] == "invalid"
            case["result"] = "acceptable"
            flipped += 1
    assert flipped == 3


def _remove_flag(doc: Doc) -> None:
    case = next(c for c in _cases(doc) if c["flags"] == ["NonCanonicalPublicKey"])
    case["flags"] = []


def _add_flag(doc: Doc) -> None:
    # SmallOrderPublicKey is an acceptable-either-way flag: adding it lets a profile wave a case.
    next(c for c in _cases(doc) if c["result"] == "invalid")["flags"].append("SmallOrderPublicKey")


def _add_source(doc: Doc) -> None:
    case = next(c for c in _cases(doc) if "source" not in c)
    case["source"] = {"document": "RFC 8032", "section": "7.1"}


def _change_expected(doc: Doc) -> None:
    case = _cases(doc)[0]
    case["sig"] = case["sig"][:-2] + ("00" if case["sig"][-2:] != "00" else "01")


def _change_bug_type(doc: Doc) -> None:
    # SIGNATURE_MALLEABILITY -> EDGE_CASE: what a profile may treat as either way.
    note = doc["notes"]["SignatureMalleability"]
    assert note["bugType"] == "SIGNATURE_MALLEABILITY"
    note["bugType"] = "EDGE_CASE"


WEAKENINGS: dict[str, Callable[[Doc], None]] = {
    "result invalid -> acceptable": _flip_noncanonical_keys,
    "flag removed": _remove_flag,
    "flag added": _add_flag,
    "source added": _add_source,
    "expected value changed": _change_expected,
    "note bugType changed": _change_bug_type,
}


def _problems(*paths: Path) -> list[str]:
    return check_paths(list(paths)).problems


def test_the_unmodified_copy_passes(vector_copy: Path) -> None:
    found = check_paths([vector_copy])
    assert found.problems == []
    assert found.unverified == []
    assert found.checked == len(loader.discover(vector_copy)) > 10


def test_the_bundled_vectors_pass_and_every_file_is_listed() -> None:
    found = check_paths([])
    assert found.problems == []
    assert found.unverified == []
    entries = read_manifest(loader.discover()[0].parent.parent)
    assert entries is not None
    assert sorted(entries) == sorted(
        p.relative_to(p.parent.parent).as_posix() for p in loader.discover()
    )


@pytest.mark.parametrize("weakening", sorted(WEAKENINGS))
def test_a_weakened_case_fails_naming_the_file_and_case(
    vector_copy: Path, weakening: str, capsys: pytest.CaptureFixture[str]
) -> None:
    _edit(vector_copy, ED25519, WEAKENINGS[weakening])
    assert main(["vectors", "check", str(vector_copy)]) == 1
    err = capsys.readouterr().err
    assert f"{ED25519}: not the bytes vectors/generators/primitives.py wrote" in err
    assert "rerun vectors/generators/primitives.py" in err
    if weakening != "note bugType changed":
        assert "tcId " in err  # the case is named where the manifest can tell


def test_the_flipped_results_are_named_case_by_case(vector_copy: Path) -> None:
    _edit(vector_copy, ED25519, _flip_noncanonical_keys)
    problems = _problems(vector_copy / ED25519)
    # Only the manifest notices: the content id leaves out result, so the id check passes.
    assert len(problems) == 1
    assert all(f"tcId {tc} " in problems[0] for tc in (77, 78, 79))


def test_a_hand_written_extra_file_is_refused(vector_copy: Path) -> None:
    # A copy is valid by every per-file check (schema, tcIds, content ids) but not generated.
    shutil.copy(vector_copy / HMAC, vector_copy / "primitives" / "hmac_extra_test.json")
    problems = _problems(vector_copy)
    assert len(problems) == 1
    assert problems[0].startswith("primitives/hmac_extra_test.json: not listed in MANIFEST.json")
    assert "not written by a generator" in problems[0]


def test_an_extra_family_folder_is_refused(vector_copy: Path) -> None:
    (vector_copy / "mine").mkdir()
    shutil.copy(vector_copy / HMAC, vector_copy / "mine" / "hmac_test.json")
    assert any(p.startswith("mine/hmac_test.json: not listed") for p in _problems(vector_copy))


def test_a_deleted_listed_file_is_an_error(vector_copy: Path) -> None:
    (vector_copy / HMAC).unlink()
    problems = _problems(vector_copy)
    assert problems == [
        f"{HMAC}: listed in MANIFEST.json but missing; rerun vectors/generators/primitives.py"
    ]
    # Checking the family folder alone sees it too; checking another family does not.
    assert _problems(vector_copy / "primitives") == problems
    assert _problems(vector_copy / "hpke") == []


def test_a_single_file_is_checked_against_its_roots_manifest(vector_copy: Path) -> None:
    (vector_copy / HMAC).unlink()
    _edit(vector_copy, ED25519, _add_source)
    problems = _problems(vector_copy / ED25519)
    assert len(problems) == 1
    assert problems[0].startswith(ED25519)


def test_a_root_without_a_manifest_is_unverified_not_silent(
    vector_copy: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (vector_copy / MANIFEST_NAME).unlink()
    found = check_paths([vector_copy])
    assert found.problems == []
    assert found.unverified == [vector_copy.resolve()]
    assert main(["vectors", "check", str(vector_copy)]) == 0
    out = capsys.readouterr().out
    assert f"unverified: {vector_copy.resolve()} has no MANIFEST.json" in out


def test_the_bundled_root_without_its_manifest_is_an_error(
    vector_copy: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (vector_copy / MANIFEST_NAME).unlink()
    monkeypatch.setattr(vectorcheck, "vectors_dir", lambda: vector_copy)
    problems = _problems()
    assert len(problems) == 1
    assert "MANIFEST.json: missing" in problems[0]


@pytest.mark.parametrize(
    "damage",
    [
        lambda d: d["files"].reverse(),
        lambda d: d["files"].append(dict(d["files"][0])),
        lambda d: d["files"][0].update(sha256="XYZ"),
        lambda d: d["files"][0].update(path="../outside.json"),
    ],
    ids=["unsorted", "duplicate", "bad-digest", "escaping-path"],
)
def test_a_malformed_manifest_is_an_error(vector_copy: Path, damage: Callable[[Doc], None]) -> None:
    path = vector_copy / MANIFEST_NAME
    doc = json.loads(path.read_text(encoding="utf-8"))
    damage(doc)
    path.write_text(json.dumps(doc), encoding="utf-8")
    problems = _problems(vector_copy)
    assert len(problems) == 1
    assert MANIFEST_NAME in problems[0]


def test_the_manifest_rendering_is_deterministic(vector_copy: Path) -> None:
    entries = read_manifest(vector_copy)
    assert entries is not None
    text = (vector_copy / MANIFEST_NAME).read_text(encoding="utf-8")
    assert render_manifest(list(reversed(entries.values()))) == text


def test_a_generator_rewrites_only_its_own_entries(vector_copy: Path) -> None:
    before = read_manifest(vector_copy)
    assert before is not None
    family = vector_copy / "primitives"
    generator = "vectors/generators/primitives.py"
    ours = [family / Path(p).name for p, e in before.items() if e.generator == generator]
    assert _common.check_manifest(family, generator, ours) == []
    # A generator that stops writing a file drops its entry; others' entries stay.
    _common.write_manifest(
        family, generator, [p for p in ours if p.name != "hmac_sha256_test.json"]
    )
    after = read_manifest(vector_copy)
    assert after is not None
    assert set(before) - set(after) == {HMAC}
    assert {p: e for p, e in after.items() if e.generator != generator} == {
        p: e for p, e in before.items() if e.generator != generator
    }
    assert _common.check_manifest(family, generator, ours) == [f"{MANIFEST_NAME} entry {HMAC}"]


def test_a_generators_check_notices_a_stale_manifest_entry(vector_copy: Path) -> None:
    family = vector_copy / "primitives"
    generator = "vectors/generators/primitives.py"
    ours = sorted(family.glob("*.json"))
    _edit(vector_copy, ED25519, _flip_noncanonical_keys)  # the fresh files differ from the list
    assert _common.check_manifest(family, generator, ours) == [f"{MANIFEST_NAME} entry {ED25519}"]


# --- the reproduction bar ------------------------------------------------------------------------


class _AcceptsAnyTag:
    """An HMAC-SHA-256 that computes nothing right: it reproduces no case."""

    def hmac_sha256(self, key: bytes, message: bytes) -> bytes:
        del key, message
        return bytes(32)

    def hmac_sha256_verify(self, key: bytes, message: bytes, tag: bytes) -> None:
        del key, message, tag


def _published_only(vector_copy: Path) -> Path:
    """The HMAC file cut down to its RFC 4231 cases (every case has a ``source``)."""

    def keep_sourced(doc: Doc) -> None:
        n = 0
        for group in doc["testGroups"]:
            group["tests"] = [c for c in group["tests"] if "source" in c]
            for case in group["tests"]:
                n += 1
                case["tcId"] = n
        doc["testGroups"] = [g for g in doc["testGroups"] if g["tests"]]
        doc["numberOfTests"] = n
        assert n >= 5

    _edit(vector_copy, HMAC, keep_sourced)
    return vector_copy / HMAC


def test_a_sourced_case_needs_an_independent_implementation(vector_copy: Path) -> None:
    path = _published_only(vector_copy)
    reference = adapter_from("reference", {"hmac-sha256": real("hmac-sha256")})
    wrong = adapter_from("wrong", {"hmac-sha256": _AcceptsAnyTag()})
    with pytest.raises(GeneratorError, match=r"tcId 1 \(RFC 4231 .*reproduced by no"):
        reproduce([path], [reference, wrong])
    # Nor does a file of published values ship when nothing besides the reference runs it.
    with pytest.raises(GeneratorError, match="no implementation besides the reference"):
        reproduce([path], [reference])


def test_a_sourced_case_reproduced_independently_passes(vector_copy: Path) -> None:
    path = _published_only(vector_copy)
    reference = adapter_from("reference", {"hmac-sha256": real("hmac-sha256")})
    other = adapter_from("pycryptodome", {"hmac-sha256": real("hmac-sha256", "pycryptodome")})
    notes = reproduce([path], [reference, other])
    n = loader.load(path).number_of_tests
    assert f"hmac_sha256_test.json: {n} of {n} cases reproduced by pycryptodome" in "\n".join(notes)


# --- the run report's provenance -----------------------------------------------------------------


def _files(root: Path) -> list[tuple[Path, str]]:
    return [(vf.path, vf.sha256) for vf in loader.load_many(loader.discover(root), root)]


def test_provenance_says_whether_the_files_are_what_the_generators_wrote(
    vector_copy: Path,
) -> None:
    assert provenance(_files(loader.discover()[0].parent.parent)) == "verified"
    assert provenance(_files(vector_copy)) == "verified"
    _edit(vector_copy, ED25519, _flip_noncanonical_keys)
    assert provenance(_files(vector_copy)) == "mismatch"
    (vector_copy / MANIFEST_NAME).unlink()
    assert provenance(_files(vector_copy)) == "unverified"


def test_the_run_report_records_the_manifest_verdict(vector_copy: Path, tmp_path: Path) -> None:
    _edit(vector_copy, ED25519, _flip_noncanonical_keys)
    out = tmp_path / "out"
    args = ["run", "--adapter", "cryptography", "--family", "primitives", "--vectors"]
    args += [str(vector_copy), "--case", "kat/primitives/ed25519_test/*", "--out", str(out)]
    main([*args, "--no-progress", "--seed", "1", "--format", "json"])
    report = load_report(out)
    assert tuple(map(int, report["reportVersion"].split("."))) >= (1, 2)
    assert report["suite"]["vectors"]["manifest"] == "mismatch"
