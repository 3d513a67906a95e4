"""The Signal checks catch broken implementations: known-answer scenarios and pairs.

Each broken variant is the suite's reference with one hook overridden (Mock*: they exist only to
make a fault happen). The vectors and pair scenarios that the real libraries pass must fail on
it, each for the reason it was built to show.
"""

from __future__ import annotations

from pathlib import Path

from helpers import adapter_from, outcomes, reference_primitives, run_file

from conformance.adapter import LoadedAdapter
from conformance.interop import PairTask, run_pair, scenarios
from conformance.reference.sender_keys import SignalGroupReference
from conformance.reference.signal import SignalReference, SkippedKey, X3dhReference
from conformance.resources import vectors_dir

SIGNAL = vectors_dir() / "signal"
FILES = ["signal_session_test.json", "signal_receive_test.json"]


class MockSignalMacNotChecked(SignalReference):
    def verify_mac(self, mac_key: bytes, data: bytes, mac: bytes) -> None:
        return None


class MockSignalMacWithoutIdentities(SignalReference):
    def mac_input(self, sender_identity: bytes, receiver_identity: bytes, body: bytes) -> bytes:
        return body


class MockSignalKeepsSkippedKeys(SignalReference):
    def consume_message_key(self, skipped: list[SkippedKey], used: SkippedKey) -> list[SkippedKey]:
        return skipped


class MockSignalNoDh3(SignalReference):
    def x3dh_secret(self, dh1: bytes, dh2: bytes, dh3: bytes, dh4: bytes | None) -> bytes:
        return super().x3dh_secret(dh1, dh2, b"", dh4)


class MockX3dhNoDh3(X3dhReference):
    def x3dh_secret(self, dh1: bytes, dh2: bytes, dh3: bytes, dh4: bytes | None) -> bytes:
        return super().x3dh_secret(dh1, dh2, b"", dh4)


def _adapter(name: str, cls: type[SignalReference]) -> LoadedAdapter:
    p = reference_primitives()
    return adapter_from(
        name,
        {
            "signal": cls(p),
            "signal:fixed-randomness": object(),
            "signal-group": SignalGroupReference(p),
        },
    )


def _failed(adapter: LoadedAdapter, files: list[str] = FILES) -> list[str]:
    results = [r for f in files for r in run_file(f, adapter, SIGNAL)]
    assert not outcomes(results).get("error"), [r.detail for r in results if r.outcome == "error"]
    return [r.comment or "" for r in results if r.outcome == "fail"]


def test_the_reference_passes_every_signal_vector() -> None:
    p = reference_primitives()
    good = adapter_from(
        "reference-copy",
        {
            "signal": SignalReference(p),
            "signal:fixed-randomness": object(),
            "signal-group": SignalGroupReference(p),
            "x3dh": X3dhReference(p),
        },
    )
    assert _failed(good, [*FILES, "sender_key_test.json", "x3dh_test.json"]) == []


def test_an_unchecked_mac_is_caught() -> None:
    failed = _failed(_adapter("mac-not-checked", MockSignalMacNotChecked))
    assert any("MAC flipped" in c for c in failed), failed
    assert all("ratchet turns" not in c for c in failed), failed


def test_identity_keys_left_out_of_the_mac_are_caught() -> None:
    failed = _failed(_adapter("mac-without-identities", MockSignalMacWithoutIdentities))
    # Every message it sends differs, and it refuses every genuine message it receives.
    assert any("ratchet turns" in c for c in failed), failed
    assert any("three pre-key messages in order" in c for c in failed), failed


def test_skipped_keys_never_deleted_are_caught() -> None:
    failed = _failed(_adapter("keeps-skipped", MockSignalKeepsSkippedKeys))
    assert failed == ["a message decrypted from a skipped key, delivered twice"], failed


def test_x3dh_without_dh3_is_caught() -> None:
    failed = _failed(_adapter("no-dh3", MockSignalNoDh3))
    assert any("pre-key message, then Bob's first reply" in c for c in failed), failed
    assert any("three pre-key messages in order" in c for c in failed), failed
    x = adapter_from("x3dh-no-dh3", {"x3dh": MockX3dhNoDh3(reference_primitives())})
    assert len(_failed(x, ["x3dh_test.json"])) == 6


def _pair_outcomes(first: LoadedAdapter, second: LoadedAdapter) -> dict[str, str]:
    out: dict[str, str] = {}
    for sc in scenarios():
        # The restart scenario makes each adapter again from its manifest, which these
        # test-made adapters have not (tests/test_attacks_restart.py covers it).
        if sc.family == "signal" and sc.kind == "pair" and sc.name != "restart":
            r = run_pair(PairTask(sc, first, second), 11)
            out[sc.name] = r.outcome
    return out


def test_pairs_catch_broken_peers() -> None:
    good = _adapter("good", SignalReference)
    assert set(_pair_outcomes(good, good).values()) == {"pass"}
    no_dh3 = _adapter("no-dh3", MockSignalNoDh3)
    assert _pair_outcomes(good, no_dh3)["converse"] == "fail"
    assert _pair_outcomes(no_dh3, good)["converse"] == "fail"
    keeps = _adapter("keeps", MockSignalKeepsSkippedKeys)
    assert _pair_outcomes(good, keeps)["replay-refused"] == "fail"
    unchecked = _adapter("mac-without-identities", MockSignalMacWithoutIdentities)
    assert _pair_outcomes(good, unchecked)["converse"] == "fail"


def test_signal_files_exist() -> None:
    assert all((SIGNAL / f).is_file() for f in FILES), list(Path(SIGNAL).iterdir())
