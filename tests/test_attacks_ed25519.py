"""prop/primitives/ed25519-rules classifies each verifier by the rule set it follows, and fails
one that follows none, accepts what every rule set refuses, or follows only ref10.

The verifiers here are the suite's own models of the rule sets
(:mod:`conformance.reference.ed25519_rules`) and broken variants of them (named Mock*), plus
PyNaCl through its bundled adapter as a real library.
"""

from __future__ import annotations

import functools
import json
from pathlib import Path

import pytest
from helpers import adapter_from, real

from conformance.attacks import ed25519_cases
from conformance.attacks.ed25519_rules import SCENARIOS
from conformance.errors import ConfigurationError, InvalidSignature
from conformance.interop import PairTask, run_pair
from conformance.reference import ed25519_rules as rules
from conformance.results import CheckResult

SEED = 7
BY_NAME = {rs.name: rs for rs in rules.RULE_SETS}


@functools.cache
def _judged(public: bytes, message: bytes, signature: bytes) -> rules.Judged:
    return rules.judge(public, message, signature)


class ModelVerifier:
    """Ed25519 verification following exactly one rule set's model."""

    def __init__(self, rule_set: rules.RuleSet) -> None:
        self.rule_set = rule_set

    def accepts(self, public: bytes, message: bytes, signature: bytes) -> bool:
        return rules.verdict(self.rule_set, _judged(public, message, signature))

    # Signing is not under test: the bundled cryptography adapter's.
    def ed25519_public_key(self, private: bytes) -> bytes:
        return bytes(real("ed25519").ed25519_public_key(private))

    def ed25519_sign(self, private: bytes, message: bytes) -> bytes:
        return bytes(real("ed25519").ed25519_sign(private, message))

    def ed25519_verify(self, public: bytes, message: bytes, signature: bytes) -> None:
        if not self.accepts(public, message, signature):
            raise InvalidSignature("refused")


class MockAcceptsLargeS(ModelVerifier):
    """ZIP-215, but S is taken modulo L instead of refused when S >= L."""

    def accepts(self, public: bytes, message: bytes, signature: bytes) -> bool:
        s = int.from_bytes(signature[32:], "little")
        if s >= rules.L:
            signature = signature[:32] + (s % rules.L).to_bytes(32, "little")
        return super().accepts(public, message, signature)


class MockStrictCofactored(ModelVerifier):
    """strict's refusals with the cofactored equation: a mix no library documents."""

    def accepts(self, public: bytes, message: bytes, signature: bytes) -> bool:
        judged = _judged(public, message, signature)
        return rules.verdict(BY_NAME["strict"], judged) or (
            rules.verdict(BY_NAME["RFC 8032 cofactored"], judged) and not judged.small_order
        )


def _run(name: str, verifier: object) -> CheckResult:
    (scenario,) = SCENARIOS
    loaded = adapter_from(name, {"ed25519": verifier})
    return run_pair(PairTask(scenario, loaded, loaded), SEED)


@pytest.mark.parametrize("name", [rs.name for rs in rules.RULE_SETS if rs.conforming])
def test_a_verifier_following_a_rule_set_passes_and_is_named(name: str) -> None:
    result = _run("model", ModelVerifier(BY_NAME[name]))
    assert result.outcome == "pass", result.detail
    assert name in str(result.measured["rules"]).split(" / ")
    assert result.measured["differs"] == 0
    assert result.measured["cases"] == len(ed25519_cases.current().cases)
    assert result.measured["source"] == "bundled"


def test_the_bundled_cases_tell_every_rule_set_apart() -> None:
    patterns = {
        rs.name: tuple(c.verdicts[i] for c in ed25519_cases.current().cases)
        for i, rs in enumerate(rules.RULE_SETS)
    }
    assert len(set(patterns.values())) == len(rules.RULE_SETS)


def test_ref10_alone_fails_for_accepting_non_canonical_keys() -> None:
    result = _run("ref10-model", ModelVerifier(BY_NAME["ref10"]))
    assert result.outcome == "fail"
    assert result.measured["rules"] == "ref10"
    assert "RFC 8032 §5.1.3" in (result.detail or "")
    assert result.fault is not None


def test_a_verifier_accepting_s_above_l_fails() -> None:
    result = _run("mock", MockAcceptsLargeS(BY_NAME["ZIP-215"]))
    assert result.outcome == "fail"
    assert "every rule set refuses" in (result.detail or "")
    flagged = [c.number for c in ed25519_cases.current().cases if "non_canonical_S" in c.flags]
    assert str(flagged[0]) in (result.detail or "")


def test_a_verifier_following_no_rule_set_fails_naming_the_closest() -> None:
    result = _run("mock", MockStrictCofactored(BY_NAME["strict"]))
    assert result.outcome == "fail"
    assert result.measured["rules"] == "none"
    assert int(result.measured["differs"]) > 0
    detail = result.detail or ""
    assert f"closest is {result.measured['closest']}" in detail
    assert "cases " in detail


def test_pynacl_is_strict() -> None:
    result = _run("pynacl", real("ed25519", "pynacl"))
    assert result.outcome == "pass", result.detail
    assert result.measured["rules"] == "strict"


# --- the CCTV reader ---------------------------------------------------------------------------


def _cctv_cases(n: int) -> list[dict[str, object]]:
    doc = json.loads(ed25519_cases.bundled_path().read_text(encoding="utf-8"))
    return [{k: v[k] for k in ("number", "key", "sig", "msg", "flags")} for v in doc["vectors"][:n]]


#: Seven of C2SP CCTV's ed25519/ed25519vectors.json cases (number, key, sig, msg, flags), copied
#: as published (commit 0fb2c3b5).
CCTV_SAMPLE = [
    (
        0,
        "00" * 32,
        "00" * 64,
        "ed25519vectors 3",
        [
            "low_order_R",
            "low_order_A",
            "low_order_component_R",
            "low_order_component_A",
            "low_order_residue",
        ],
    ),
    (
        3,
        "00" * 32,
        "36684ea91032ba5b1dbab2d02f4debc74c3327f2b3802e2e4d371aa42b12b56b05ba9a796274d80437afa36f1236563f2f3b0aa84cecddc3d20914615ba4fe02",
        "ed25519vectors 3",
        ["low_order_A", "low_order_component_R", "low_order_component_A"],
    ),
    (
        6,
        "10eb7c3acfb2bed3e0d6ab89bf5a3d6afddd1176ce4812e38d9fd485058fdb1f",
        "36684ea91032ba5b1dbab2d02f4debc74c3327f2b3802e2e4d371aa42b12b56bc02e2b9e63e385c058bf62b14b3a2b29ccefe8e38ddb536bc3f9865320a3d801",
        "ed25519vectors 10",
        ["low_order_component_R", "low_order_component_A", "low_order_residue"],
    ),
    (
        7,
        "10eb7c3acfb2bed3e0d6ab89bf5a3d6afddd1176ce4812e38d9fd485058fdb1f",
        "36684ea91032ba5b1dbab2d02f4debc74c3327f2b3802e2e4d371aa42b12b56bbbfd00bd9c259d8d222d15e67a3d8228585050dbb9b9585be20d8fadc721da03",
        "ed25519vectors",
        ["low_order_component_R", "low_order_component_A"],
    ),
    (
        8,
        "edffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f",
        "00" * 64,
        "ed25519vectors 8",
        [
            "low_order_R",
            "low_order_A",
            "low_order_component_R",
            "low_order_component_A",
            "low_order_residue",
            "non_canonical_A",
        ],
    ),
    (
        17,
        "10eb7c3acfb2bed3e0d6ab89bf5a3d6afddd1176ce4812e38d9fd485058fdb1f",
        "edffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7fad7a355469b5c87e550469f6b2de409ee723acd584bf35f86b80c384e8ceb702",
        "ed25519vectors 3",
        ["low_order_R", "low_order_component_R", "low_order_component_A", "non_canonical_R"],
    ),
    (
        29,
        "10eb7c3acfb2bed3e0d6ab89bf5a3d6afddd1176ce4812e38d9fd485058fdb1f",
        "b797b156efcd45a4e2454d2fd0b21438b3ccd80d4c7fd1d1b2c8e55bd4ed4a94732d9e0279fe001d90327efa319816e3e4506b78432b8b4e1f2fdc4b960d700f",
        "ed25519vectors 2",
        ["low_order_component_R", "low_order_component_A"],
    ),
]


def test_the_models_agree_with_what_cctv_publishes(tmp_path: Path) -> None:
    """CCTV's README ("Ecosystem behaviors"): ZIP-215 accepts every vector; ref10 refuses
    non_canonical_R and low_order_residue and accepts the rest; RFC 8032 refuses non_canonical_A
    and non_canonical_R."""
    path = tmp_path / "ed25519vectors.json"
    doc = [dict(zip(("number", "key", "sig", "msg", "flags"), c, strict=True)) for c in CCTV_SAMPLE]
    path.write_text(json.dumps(doc, indent="\t"), encoding="utf-8")
    cases = ed25519_cases.load(path, "cctv")
    names = [rs.name for rs in rules.RULE_SETS]
    for case in cases.cases:
        verdict = dict(zip(names, case.verdicts, strict=True))
        assert verdict["ZIP-215"], case.number
        refused = {"non_canonical_R", "low_order_residue"} & set(case.flags)
        assert verdict["ref10"] == (not refused), case.number
        if {"non_canonical_A", "non_canonical_R"} & set(case.flags):
            assert not verdict["RFC 8032 cofactorless"], case.number
            assert not verdict["RFC 8032 cofactored"], case.number
        if "low_order_A" in case.flags or "low_order_R" in case.flags:
            assert not verdict["strict"], case.number


def test_cctv_format_is_read_from_a_checkout(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv(ed25519_cases.CCTV_ENV, raising=False)
    cases = _cctv_cases(40)
    cases[0]["flags"] = None  # CCTV writes null for a case without flags
    folder = tmp_path / "ed25519"
    folder.mkdir()
    (folder / "ed25519vectors.json").write_text(json.dumps(cases), encoding="utf-8")
    ed25519_cases.use_cctv(tmp_path)
    try:
        result = _run("zip215", ModelVerifier(BY_NAME["ZIP-215"]))
    finally:
        ed25519_cases.use_cctv(None)
    assert result.outcome == "pass", result.detail
    assert result.measured["source"] == "cctv"
    assert result.measured["cases"] == 40


@pytest.mark.parametrize(
    ("change", "said"),
    [
        ({"key": "00" * 31}, "case 5: 'key' is not 32 bytes of hex"),
        ({"sig": "zz" * 64}, "case 5: 'sig' is not 64 bytes of hex"),
        ({"msg": 3}, "case 5: 'msg' is not a string"),
        ({"flags": "low_order_A"}, "case 5: 'flags' is not a list"),
        ({"number": "five"}, "case at index 5: 'number' is not an integer"),
        ({"number": 4}, "case 4: number used twice"),
    ],
)
def test_a_malformed_cctv_file_is_refused_naming_file_and_case(
    tmp_path: Path, change: dict[str, object], said: str
) -> None:
    cases = _cctv_cases(8)
    cases[5].update(change)
    path = tmp_path / "ed25519vectors.json"
    path.write_text(json.dumps(cases), encoding="utf-8")
    with pytest.raises(ConfigurationError) as err:
        ed25519_cases.use_cctv(tmp_path)
    assert str(path) in str(err.value)
    assert said in str(err.value)


def test_a_folder_without_the_cctv_file_is_refused(tmp_path: Path) -> None:
    with pytest.raises(ConfigurationError, match=r"ed25519vectors\.json"):
        ed25519_cases.use_cctv(tmp_path)


# --- the report's table --------------------------------------------------------------------------


def test_the_table_is_built_from_measured_and_escaped_in_html_and_markdown() -> None:
    from test_html_report import HOSTILE_NAME, _result, _results, make_report

    from conformance.writers.html import render_html
    from conformance.writers.markdown import render_markdown

    hostile_rules = "<b>ZIP-215</b> | @someone"
    measured = {
        "rules": hostile_rules,
        "closest": "ZIP-215",
        "differs": 0,
        "accepted": 3,
        "cases": 9,
        "source": "cctv",
    }
    results = [
        *_results(),
        _result(
            "prop/primitives/ed25519-rules",
            "ed25519",
            [HOSTILE_NAME] * 2,
            "pass",
            measured=measured,
        ),
        _result("prop/primitives/ed25519-rules", "ed25519", ["noble", "noble"], "error"),
    ]
    report = make_report(results)
    rows = report["summary"]["ed25519Rules"]
    assert [r["adapter"] for r in rows] == [HOSTILE_NAME]  # the error measured nothing
    assert rows[0]["cases"] == 9
    out = render_html(report)
    assert 'id="ed25519-rules"' in out
    assert "<b>ZIP-215" not in out
    assert "&lt;b&gt;ZIP-215&lt;/b&gt;" in out
    md = render_markdown(report)
    assert "### Ed25519 verification rules" in md
    section = md.split("### Ed25519 verification rules")[1].split("###")[0]
    assert "<b>" not in section
    assert "<script>" not in section
    assert "\\|" in section
    assert "@someone" not in section
