"""Tampering and replay at every position (conformance.properties.positions) and the "refused,
then genuine" vector cases catch receivers broken at one position only.

Each Mock* is the suite's reference with one behaviour changed at one position of a message:
the property (played with the healthy reference as sender) fails and its detail names that
position, and the vector cases that deliver the genuine message after a refused one fail on it
while every older case still passes. The healthy reference passes both.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from helpers import adapter_from, reference_primitives

from conformance import loader
from conformance.adapter import LoadedAdapter
from conformance.capabilities.megolm import MegolmDecrypted
from conformance.capabilities.olm import OlmDecrypted
from conformance.engine import judge_case
from conformance.errors import ProtocolError
from conformance.interop import PairTask, run_pair
from conformance.properties import SCENARIOS
from conformance.properties.positions import structural_bytes
from conformance.reference import olm_wire
from conformance.reference.megolm import MegolmReference
from conformance.reference.olm import ChainKey, OlmReference, _dump_session, _load_session
from conformance.results import CheckResult

SEED = 20240611
VECTORS = Path(__file__).resolve().parents[1] / "vectors"


def _run(family: str, name: str, first: LoadedAdapter, second: LoadedAdapter) -> CheckResult:
    (scenario,) = [s for s in SCENARIOS if s.check == f"prop/{family}/{name}"]
    return run_pair(PairTask(scenario, first, second), SEED)


def _reference() -> LoadedAdapter:
    p = reference_primitives()
    return adapter_from("reference", {"olm": OlmReference(p), "megolm": MegolmReference(p)})


def _embedded(type: int, message: bytes) -> bytes:
    return olm_wire.parse_pre_key_message(message).message if type == 0 else message


# --- broken variants -------------------------------------------------------------------------


class MockMacSkippedMidChain(OlmReference):
    """Checks no MAC on a message that continues a known chain in order past its first index
    (the in-order branch of docs/olm.md "Decrypting messages"); every other position is
    checked as it should be."""

    def olm_decrypt(self, session: bytes, type: int, message: bytes) -> OlmDecrypted:
        self._skip = False
        try:
            msg = olm_wire.parse_olm_message(_embedded(type, message))
            s = _load_session(session)
            chain = next((c for c in s.receivers if c.ratchet_key == msg.ratchet_key), None)
            self._skip = chain is not None and msg.counter >= max(chain.chain.index, 1)
        except ProtocolError:
            pass
        return super().olm_decrypt(session, type, message)

    def verify_mac(self, mac_key: bytes, body: bytes, mac: bytes) -> None:
        if not getattr(self, "_skip", False):
            super().verify_mac(mac_key, body, mac)


class MockAdvancesOnRefusal(OlmReference):
    """When it refuses a message that continues a known chain, the state it returns has that
    chain moved past the message's index, with no key kept for it: the genuine message, when
    it arrives, is taken for a replay (Double Ratchet §3.5 discards a failed decryption's state
    changes)."""

    def olm_decrypt(self, session: bytes, type: int, message: bytes) -> OlmDecrypted:
        try:
            return super().olm_decrypt(session, type, message)
        except ProtocolError as exc:
            try:
                msg = olm_wire.parse_olm_message(_embedded(type, message))
            except ProtocolError:
                raise exc from None
            s = _load_session(session)
            for c in s.receivers:
                if c.ratchet_key == msg.ratchet_key and msg.counter >= c.chain.index:
                    key = c.chain.key
                    for _ in range(msg.counter + 1 - c.chain.index):
                        key = self.next_chain_key(key)
                    c.chain = ChainKey(key, msg.counter + 1)
                    raise exc.__class__(str(exc), state=_dump_session(s)) from None
            raise


class MockDropsSkippedKeyOnRefusal(OlmReference):
    """When it refuses a message whose key was skipped and kept (out of order), the state it
    returns has that key erased: the genuine late message can no longer be read."""

    def olm_decrypt(self, session: bytes, type: int, message: bytes) -> OlmDecrypted:
        try:
            return super().olm_decrypt(session, type, message)
        except ProtocolError as exc:
            try:
                msg = olm_wire.parse_olm_message(_embedded(type, message))
            except ProtocolError:
                raise exc from None
            s = _load_session(session)
            kept = [
                k for k in s.skipped if (k.ratchet_key, k.index) != (msg.ratchet_key, msg.counter)
            ]
            if len(kept) == len(s.skipped):
                raise
            s.skipped = kept
            raise exc.__class__(str(exc), state=_dump_session(s)) from None


class MockIgnoresIndexTag(MegolmReference):
    """Reads a Megolm message the way vodozemac 0.10.0 evidently does: a varint field with an
    unknown tag (of a field number above 0) where the message index belongs is skipped, the index defaults to 0, and the
    MAC and signature are checked over the message as re-encoded from what was parsed. Only a
    message at index 0 re-encodes to the bytes that were signed (docs/megolm.md "Message
    format")."""

    def megolm_decrypt(self, session: bytes, message: bytes) -> MegolmDecrypted:
        tag = message[1] if len(message) > 2 else 0x08
        if tag != 0x08 and tag & 7 == 0 and tag >> 3 != 0:
            # The unknown field's value is skipped; the index field is re-encoded as 0.
            end = 2
            while message[end] & 0x80:
                end += 1
            message = message[:1] + b"\x08\x00" + message[end + 1 :]
        return super().megolm_decrypt(session, message)


# --- the properties --------------------------------------------------------------------------


def test_structural_bytes_of_a_megolm_message_are_its_version_tags_and_varints() -> None:
    message = bytes([3, 0x08, 0x85, 0x01, 0x12, 2, 0xAA, 0xBB]) + bytes(72)
    assert structural_bytes(message, 0, len(message), 72) == [0, 1, 2, 3, 4, 5]


@pytest.mark.parametrize(
    ("family", "name"),
    [("olm", "tampering"), ("olm", "replay"), ("megolm", "tampering"), ("megolm", "replay")],
)
def test_the_reference_passes_every_position(family: str, name: str) -> None:
    r = _run(family, name, _reference(), _reference())
    assert r.outcome == "pass", r.detail


def test_a_mac_skipped_mid_chain_fails_tampering_mid_chain() -> None:
    bad = adapter_from("mac-mid-chain", {"olm": MockMacSkippedMidChain(reference_primitives())})
    r = _run("olm", "tampering", _reference(), bad)
    assert r.outcome == "fail", r.detail
    assert r.detail is not None
    assert r.detail.startswith("mid-chain (the chain's fourth message): bob accepted "), r.detail
    assert r.fault is not None
    assert r.fault.party == "receiver", r.fault
    assert r.fault.adapters == ("mac-mid-chain",), r.fault


def test_advancing_the_chain_on_a_refusal_fails_tampering_mid_chain() -> None:
    bad = adapter_from("advances", {"olm": MockAdvancesOnRefusal(reference_primitives())})
    r = _run("olm", "tampering", _reference(), bad)
    assert r.outcome == "fail", r.detail
    assert r.detail is not None
    assert r.detail.startswith(
        "mid-chain (the chain's fourth message): bob no longer decrypts the genuine message "
        "after the tampered ones: refused with DuplicateMessage"
    ), r.detail


def test_dropping_a_skipped_key_on_a_refusal_fails_tampering_out_of_order() -> None:
    bad = adapter_from("drops", {"olm": MockDropsSkippedKeyOnRefusal(reference_primitives())})
    r = _run("olm", "tampering", _reference(), bad)
    assert r.outcome == "fail", r.detail
    assert r.detail is not None
    assert r.detail.startswith("out of order (message "), r.detail
    assert "bob no longer decrypts the genuine message after the tampered ones" in r.detail


def test_an_index_tag_skipped_at_index_0_fails_megolm_tampering_at_index_0() -> None:
    bad = adapter_from("index-tag", {"megolm": MockIgnoresIndexTag(reference_primitives())})
    r = _run("megolm", "tampering", _reference(), bad)
    assert r.outcome == "fail", r.detail
    assert r.detail == (
        "at index 0 (the session's first message): bob accepted the message with bit 12 flipped"
    )
    # The same receiver as sender is no finding: only its reading is broken.
    assert _run("megolm", "tampering", bad, _reference()).outcome == "pass"


# --- the vector cases ------------------------------------------------------------------------


def _failing(path: Path, capability: str, impl: object) -> list[str]:
    vf = loader.load(path, path.parent.parent)
    assert vf.capability == capability
    return [
        case.comment for group, case in vf.cases() if judge_case(group, case, impl)[0] != "pass"
    ]


def _refused_then_genuine(path: Path) -> set[str]:
    vf = loader.load(path, path.parent.parent)
    return {c.comment for _, c in vf.cases() if "RefusedThenGenuine" in c.flags}


def test_the_reference_passes_the_new_vector_cases() -> None:
    p = reference_primitives()
    assert _failing(VECTORS / "olm" / "olm_receive_test.json", "olm", OlmReference(p)) == []
    megolm = VECTORS / "megolm" / "megolm_receive_test.json"
    assert _failing(megolm, "megolm", MegolmReference(p)) == []


def test_advancing_the_chain_on_a_refusal_fails_only_refused_then_genuine_cases() -> None:
    path = VECTORS / "olm" / "olm_receive_test.json"
    failing = set(_failing(path, "olm", MockAdvancesOnRefusal(reference_primitives())))
    assert failing
    assert failing <= _refused_then_genuine(path)
    assert (
        "the third message with a bit of its ciphertext flipped, refused, then the genuine one"
        in failing
    )


def test_dropping_a_skipped_key_on_a_refusal_fails_the_skipped_message_case() -> None:
    path = VECTORS / "olm" / "olm_receive_test.json"
    failing = _failing(path, "olm", MockDropsSkippedKeyOnRefusal(reference_primitives()))
    assert failing == [
        "a skipped message with a bit of its MAC flipped, refused, then the genuine one"
    ]


def test_an_index_tag_skipped_at_index_0_fails_the_megolm_index_tag_case() -> None:
    path = VECTORS / "megolm" / "megolm_receive_test.json"
    failing = _failing(path, "megolm", MockIgnoresIndexTag(reference_primitives()))
    assert failing == [
        "message 0 with its message-index tag changed (0x08 to 0x18), refused, then the "
        "genuine message 0 and message 1"
    ]


def test_a_step_result_other_than_invalid_is_bad_data(tmp_path: Path) -> None:
    import json

    src = VECTORS / "megolm" / "megolm_receive_test.json"
    doc = json.loads(src.read_text())
    for group in doc["testGroups"]:
        for case in group["tests"]:
            for step in case["steps"]:
                if step.get("result") == "invalid":
                    step["result"] = "valid"
    (tmp_path / "megolm").mkdir()
    bad = tmp_path / "megolm" / "megolm_receive_test.json"
    bad.write_text(json.dumps(doc))
    with pytest.raises(Exception, match="result must be one of invalid"):
        loader.load(bad, VECTORS)


def test_an_accepted_must_refuse_step_fails_the_case() -> None:
    # Fix the mock's MAC check open entirely: the refused step is accepted, and it says so.
    class NoMac(OlmReference):
        def verify_mac(self, mac_key: bytes, body: bytes, mac: bytes) -> None:
            del mac_key, body, mac

    path = VECTORS / "olm" / "olm_receive_test.json"
    vf = loader.load(path, path.parent.parent)
    (group, case), *_ = [
        (g, c)
        for g, c in vf.cases()
        if c.comment.startswith("the first pre-key message with a bit of its MAC flipped")
    ]
    outcome, detail, _ = judge_case(group, case, NoMac(reference_primitives()))
    assert outcome == "fail"
    assert detail == "step 1 (bob inbound): accepted what must be refused"
