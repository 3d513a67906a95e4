"""The Olm and Megolm checks catch broken implementations: known-answer scenarios and pairs.

Each broken variant is the suite's reference with one hook overridden (named Mock*, since they
exist only to make a fault happen); the same vectors and pair scenarios that the real libraries
pass must fail on it.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from helpers import adapter_from, outcomes, real, reference_primitives, run_file

from conformance.adapter import LoadedAdapter
from conformance.interop import PairTask, plan_pairs, run_pair, scenarios
from conformance.reference.megolm import MegolmReference
from conformance.reference.olm import OlmReference, SkippedKey
from conformance.resources import vectors_dir

OLM = vectors_dir() / "olm"
MEGOLM = vectors_dir() / "megolm"


class MockOlmMacNotChecked(OlmReference):
    def verify_mac(self, mac_key: bytes, body: bytes, mac: bytes) -> None:
        return None


class MockOlmChainKeyStuck(OlmReference):
    def next_chain_key(self, chain_key: bytes) -> bytes:
        return chain_key


class MockOlmKeepsUsedKeys(OlmReference):
    def consume_message_key(self, skipped: list[SkippedKey], used: SkippedKey) -> list[SkippedKey]:
        return skipped


class MockMegolmMacNotChecked(MegolmReference):
    def verify_mac(self, mac_key: bytes, body: bytes, mac: bytes) -> None:
        return None


class MockMegolmSignatureNotChecked(MegolmReference):
    def verify_signature(self, public: bytes, message: bytes, signature: bytes) -> None:
        return None


def _olm_adapter(name: str, cls: type[OlmReference]) -> LoadedAdapter:
    p = reference_primitives()
    return adapter_from(
        name, {"olm": cls(p), "olm:fixed-randomness": object(), "megolm": MegolmReference(p)}
    )


def _megolm_adapter(name: str, cls: type[MegolmReference]) -> LoadedAdapter:
    return adapter_from(name, {"megolm": cls(reference_primitives())})


def _failures(adapter: LoadedAdapter, folder: Path, files: list[str]) -> list[str]:
    results = [r for f in files for r in run_file(f, adapter, folder)]
    assert not outcomes(results).get("error"), [r.detail for r in results if r.outcome == "error"]
    return [r.comment or "" for r in results if r.outcome == "fail"]


OLM_FILES = ["olm_session_test.json", "olm_receive_test.json"]
MEGOLM_FILES = ["megolm_session_test.json", "megolm_receive_test.json"]


def test_the_reference_passes_every_olm_and_megolm_vector() -> None:
    good = _olm_adapter("reference-copy", OlmReference)
    assert _failures(good, OLM, OLM_FILES) == []
    assert _failures(good, MEGOLM, MEGOLM_FILES) == []


def test_an_unchecked_olm_mac_is_caught() -> None:
    failed = _failures(_olm_adapter("mac-not-checked", MockOlmMacNotChecked), OLM, OLM_FILES)
    assert any("MAC flipped" in c for c in failed), failed
    assert all("ratchet turns" not in c for c in failed)


def test_a_chain_key_that_does_not_advance_is_caught() -> None:
    failed = _failures(_olm_adapter("chain-stuck", MockOlmChainKeyStuck), OLM, OLM_FILES)
    # Every conversation with more than one message per chain differs byte for byte.
    assert any("chain keys at indices" in c for c in failed), failed
    assert any("six ratchet turns" in c for c in failed), failed


def test_a_message_key_kept_after_use_is_caught() -> None:
    failed = _failures(_olm_adapter("keeps-keys", MockOlmKeepsUsedKeys), OLM, OLM_FILES)
    assert failed == ["a message decrypted from a skipped key, delivered twice"], failed


def test_unchecked_megolm_mac_and_signature_are_caught() -> None:
    mac = _failures(_megolm_adapter("megolm-mac", MockMegolmMacNotChecked), MEGOLM, MEGOLM_FILES)
    # The refused-then-genuine cases with a flipped MAC catch it too (the signature verifies).
    assert mac == [
        "message 4 with a bit of the MAC flipped, re-signed",
        "message 0 with a bit of its MAC flipped (re-signed), refused, then the genuine one",
        "message 1 after message 2 with a bit of its MAC flipped, refused, then the genuine one",
    ], mac
    sig = _failures(
        _megolm_adapter("megolm-sig", MockMegolmSignatureNotChecked), MEGOLM, MEGOLM_FILES
    )
    assert "message 4 with a bit of the signature flipped" in sig, sig
    assert any(c.startswith("a session key with") for c in sig), sig


def _pairs(first: LoadedAdapter, second: LoadedAdapter, family: str) -> dict[str, str]:
    out: dict[str, str] = {}
    for sc in scenarios():
        # The restart scenario makes each adapter again from its manifest, which these
        # test-made adapters have not (tests/test_attacks_restart.py covers it).
        if sc.family == family and sc.kind == "pair" and sc.name != "restart":
            r = run_pair(PairTask(sc, first, second), 99)
            assert r.adapters == (first.name, second.name)
            assert first.version in (r.comment or "")
            out[sc.name] = r.outcome
    return out


def test_pairs_pass_between_healthy_implementations_and_fail_with_a_broken_one() -> None:
    good = _olm_adapter("good", OlmReference)
    assert set(_pairs(good, good, "olm").values()) == {"pass"}
    assert set(_pairs(good, good, "megolm").values()) == {"pass"}
    stuck = _olm_adapter("stuck", MockOlmChainKeyStuck)
    # The stuck sender's second message reuses the first key: the healthy receiver refuses it.
    assert _pairs(stuck, good, "olm")["converse"] == "fail"
    assert _pairs(good, stuck, "olm")["converse"] == "fail"
    keeps = _olm_adapter("keeps", MockOlmKeepsUsedKeys)
    assert _pairs(good, keeps, "olm")["converse"] == "pass"


def test_pair_planning_covers_every_ordered_pair_and_skips_the_undeclared() -> None:
    a, b = _olm_adapter("a", OlmReference), _olm_adapter("b", OlmReference)
    none = adapter_from("primitives-only", {"x25519": real("x25519")})
    tasks = plan_pairs([a, b, none], ["olm"])
    pairs = {(t.first.name, t.second.name) for t in tasks}
    assert pairs == {("a", "a"), ("a", "b"), ("b", "a"), ("b", "b")}
    # Every ordered pair (4), or each with the next (cycle: 2), or each alone (each: 2).
    per_plan = {"pairs": 4, "cycle": 2, "each": 2}
    assert len(tasks) == sum(per_plan[s.plan] for s in scenarios() if s.family == "olm")


@pytest.mark.parametrize("broken", [MockOlmMacNotChecked, MockOlmKeepsUsedKeys])
def test_a_broken_receiver_is_caught_by_the_replay_pair(broken: type[OlmReference]) -> None:
    good = _olm_adapter("good", OlmReference)
    bad = _olm_adapter("bad", broken)
    replay = next(s for s in scenarios() if s.name == "replay-refused")
    outcome = run_pair(PairTask(replay, good, bad), 5).outcome
    # Not checking the MAC does not by itself accept a replay (the chain moved on): only the
    # variant that keeps used keys must be caught here; the other is caught by the vectors.
    expected = "fail" if broken is MockOlmKeepsUsedKeys else "pass"
    assert outcome == expected


def test_profiles_judge_the_open_behaviours() -> None:
    from conformance.profiles import apply_profile, profile
    from conformance.results import CheckResult

    accepted = CheckResult(
        "kat/megolm/x/1",
        "megolm",
        "megolm",
        ("a",),
        "pass",
        flags=("MegolmIndexReplay",),
        behaviour="accepted",
    )
    rejected = CheckResult(
        "kat/megolm/x/1",
        "megolm",
        "megolm",
        ("b",),
        "pass",
        flags=("MegolmIndexReplay",),
        behaviour="rejected",
    )
    assert [r.outcome for r in apply_profile([accepted, rejected], profile("spec"))] == [
        "pass",
        "pass",
    ]
    strict = apply_profile([accepted, rejected], profile("strict"))
    assert [r.outcome for r in strict] == ["fail", "pass"]
    assert "profile strict" in (strict[0].detail or "")


def test_structured_returns_from_a_stdio_adapter_are_checked() -> None:
    from conformance.stdio import AdapterFault, RpcCapability

    class FakeClient:
        name = "fake"

        def __init__(self, answer: object) -> None:
            self.answer = answer
            self.description: dict[str, object] = {}

        def call(self, method: str, params: object) -> object:
            return self.answer

    good = RpcCapability(FakeClient({"session": "00ff", "plaintext": "41"}), "olm")  # type: ignore[arg-type]
    assert good.olm_decrypt(b"s", 1, b"m") == {"session": b"\x00\xff", "plaintext": b"A"}
    for answer in ("00", {"session": "00"}, {"session": "zz", "plaintext": "00"}):
        bad = RpcCapability(FakeClient(answer), "olm")  # type: ignore[arg-type]
        with pytest.raises(AdapterFault):
            bad.olm_decrypt(b"s", 1, b"m")
    typed = RpcCapability(FakeClient({"session": "", "type": "0", "message": ""}), "olm")  # type: ignore[arg-type]
    with pytest.raises(AdapterFault):
        typed.olm_encrypt(b"s", b"p", b"r")
