"""The suite's reference Olm and Megolm (conformance/reference), on their own.

Known answers are libolm's (tests/test_megolm.cpp, protocols.md 2.4); conversations are played
between two reference parties over the bundled cryptography adapter's primitives.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from helpers import reference_primitives

import conformance
from conformance.adapter import LoadedAdapter, load_adapter
from conformance.errors import (
    AuthenticationFailed,
    DuplicateMessage,
    InvalidKey,
    InvalidMessage,
    InvalidSignature,
)
from conformance.manifest import load_manifest
from conformance.reference import olm_wire as wire
from conformance.reference.megolm import (
    MegolmRatchet,
    MegolmReference,
    advance,
    advance_to,
    message_keys,
)
from conformance.reference.olm import OlmLimits, OlmReference, SkippedKey
from conformance.reference.primitives import Primitives

ADAPTERS = Path(__file__).resolve().parent.parent / "adapters"


@pytest.fixture(scope="module")
def primitives() -> Primitives:
    return reference_primitives()


@pytest.fixture(scope="module")
def olm(primitives: Primitives) -> OlmReference:
    return OlmReference(primitives)


@pytest.fixture(scope="module")
def megolm(primitives: Primitives) -> MegolmReference:
    return MegolmReference(primitives)


def rnd(label: str, n: int = 32) -> bytes:
    out = b""
    i = 0
    while len(out) < n:
        out += hashlib.sha256(f"{label}/{i}".encode()).digest()
        i += 1
    return out[:n]


def flip(data: bytes, at: int) -> bytes:
    return data[:at] + bytes([data[at] ^ 0x01]) + data[at + 1 :]


# --- Megolm ratchet known answers (libolm tests/test_megolm.cpp) ------------------------------

KAT_RATCHET = b"0123456789ABCDEF" * 8


def parts(hexes: str) -> bytes:
    return bytes.fromhex(hexes.replace(" ", ""))


def test_megolm_ratchet_known_answers(primitives: Primitives) -> None:
    r = MegolmRatchet.from_bytes(KAT_RATCHET, 0)
    r = advance(primitives, r)
    assert r.counter == 1
    assert r.parts[:3] == MegolmRatchet.from_bytes(KAT_RATCHET, 0).parts[:3]
    assert r.parts[3] == parts("ba9cd955741d1c162323ec825e7c5ce889bbb423a18f23828fb2090d6e2af86a")

    r = advance_to(primitives, r, 0x1000000)
    assert r.counter == 0x1000000
    assert r.data == parts(
        "54022d7dc0298e1637e21c97153092f933c056ff74fe1b922d971f2482c2859c"
        "7004c01ee49bd6efe0073525af9b1632c5be726d12349cc5bd472bdc2df6540f"
        "3112591194fda617e568c683101eaecd7eddd6de1fbc0767ae34da1a09a54eab"
        "ba9cd955741d1c162323ec825e7c5ce889bbb423a18f23828fb2090d6e2af86a"
    )

    r = advance_to(primitives, r, 0x1041506)
    assert r.counter == 0x1041506
    assert r.data == parts(
        "54022d7dc0298e1637e21c97153092f933c056ff74fe1b922d971f2482c2859c"
        "55588df5b7a48878428927868164589f3663447b51edc3595b036ca604c46dcd"
        "5c54850bfa98a1fd79a9df1cbe8fc5681937d30c85c8c31f7bb828816cf9ff3b"
        "956cbf807e65126a49558d45c84a2e4cd56f03e24416b98e1cfd97c206aa907a"
    )


def test_megolm_ratchet_wraparound(primitives: Primitives) -> None:
    wrapped = advance_to(primitives, MegolmRatchet.from_bytes(KAT_RATCHET, 0xFFFFFFFF), 0x1000000)
    straight = advance_to(primitives, MegolmRatchet.from_bytes(KAT_RATCHET, 0), 0x2000000)
    assert wrapped.data == straight.data
    assert wrapped.counter == 0x1000000

    stepped = advance(primitives, MegolmRatchet.from_bytes(KAT_RATCHET, 0xFFFFFFFF))
    jumped = advance_to(primitives, MegolmRatchet.from_bytes(KAT_RATCHET, 0xFFFFFFFF), 0)
    assert stepped.counter == jumped.counter == 0
    assert stepped.data == jumped.data


def test_megolm_advance_to_agrees_with_single_steps(primitives: Primitives) -> None:
    r = MegolmRatchet.from_bytes(KAT_RATCHET, 0xFE)
    stepped = r
    for _ in range(0x203):
        stepped = advance(primitives, stepped)
    assert advance_to(primitives, r, 0xFE + 0x203) == stepped


def test_megolm_keys_for_index_0(primitives: Primitives) -> None:
    keys = message_keys(primitives, MegolmRatchet.from_bytes(KAT_RATCHET, 0))
    assert keys.encryption_key.hex() == (
        "e554cf599a520079b5b26e7ccda4ef24543edf2dbfa92d454db182f189afe9fe"
    )
    assert keys.mac_key.hex() == "eb8f2512b5735eb8122214a8628f318196fe38638f895199c382d83406fe776f"
    assert keys.iv.hex() == "2233ee44d6063a8ea4dae0e54e7d55d9"


# --- Olm conversations ------------------------------------------------------------------------


@dataclass
class Pair:
    """Alice and Bob's sessions, and the reference they run on."""

    olm: OlmReference
    alice: bytes
    bob: bytes
    bob_account: bytes
    turn: int = 0

    def send(self, who: str, text: str) -> tuple[int, bytes]:
        self.turn += 1
        state = self.alice if who == "alice" else self.bob
        out = self.olm.olm_encrypt(state, text.encode(), rnd(f"{who} ratchet {self.turn}"))
        if who == "alice":
            self.alice = out["session"]
        else:
            self.bob = out["session"]
        return out["type"], out["message"]

    def receive(self, who: str, message: tuple[int, bytes]) -> str:
        state = self.alice if who == "alice" else self.bob
        out = self.olm.olm_decrypt(state, *message)
        if who == "alice":
            self.alice = out["session"]
        else:
            self.bob = out["session"]
        return out["plaintext"].decode()


def accounts(olm: OlmReference, fallback: bool = False) -> dict[str, Any]:
    alice = olm.olm_account(rnd("alice ed"), rnd("alice cv"))
    bob = olm.olm_account(rnd("bob ed"), rnd("bob cv"))
    if fallback:
        key = olm.olm_add_fallback_key(bob, rnd("bob fallback"))
    else:
        key = olm.olm_add_one_time_key(bob, rnd("bob otk"))
    return {
        "alice": alice,
        "bob": key["account"],
        "key": key["key"],
        "alice_id": olm.olm_identity_keys(alice)[:32],
        "bob_id": olm.olm_identity_keys(bob)[:32],
    }


def start(olm: OlmReference, fallback: bool = False) -> tuple[Pair, bytes, dict[str, Any]]:
    """Alice's session and her first (pre-key) message; Bob has not received it yet."""
    a = accounts(olm, fallback)
    alice = olm.olm_outbound(a["alice"], a["bob_id"], a["key"], rnd("base"), rnd("T0"))
    out = olm.olm_encrypt(alice, b"hello bob", rnd("unused"))
    assert out["type"] == 0
    return Pair(olm, out["session"], b"", a["bob"]), out["message"], a


def established(olm: OlmReference) -> Pair:
    pair, first, a = start(olm)
    inbound = olm.olm_inbound(a["bob"], a["alice_id"], first)
    assert inbound["plaintext"] == b"hello bob"
    pair.bob, pair.bob_account = inbound["session"], inbound["account"]
    return pair


def test_identity_keys(olm: OlmReference, primitives: Primitives) -> None:
    account = olm.olm_account(rnd("ed"), rnd("cv"))
    keys = olm.olm_identity_keys(account)
    assert keys[:32] == primitives.curve25519_public(rnd("cv"))
    assert keys[32:] == primitives.ed25519.ed25519_public_key(rnd("ed"))


def test_conversation_over_several_ratchet_turns_out_of_order(olm: OlmReference) -> None:
    pair = established(olm)
    # Alice keeps sending pre-key messages until she hears from Bob.
    early = [pair.send("alice", f"early {i}") for i in range(3)]
    assert all(t == 0 for t, _ in early)
    for i in (2, 0, 1):
        assert pair.receive("bob", early[i]) == f"early {i}"
    ratchet_keys: list[bytes] = []
    for turn in range(4):
        for who, peer in (("bob", "alice"), ("alice", "bob")):
            sent = [pair.send(who, f"{who} {turn} {i}") for i in range(4)]
            assert all(t == 1 for t, _ in sent), sent
            keys = {wire.parse_olm_message(m).ratchet_key for _, m in sent}
            assert len(keys) == 1  # one chain per turn
            ratchet_keys.extend(keys)
            for i in (3, 1, 0, 2):
                assert pair.receive(peer, sent[i]) == f"{who} {turn} {i}"
    assert len(set(ratchet_keys)) == len(ratchet_keys)  # every turn a new ratchet key


def test_one_time_key_removed_fallback_key_kept(olm: OlmReference) -> None:
    _, first, a = start(olm)
    inbound = olm.olm_inbound(a["bob"], a["alice_id"], first)
    with pytest.raises(InvalidKey):
        olm.olm_inbound(inbound["account"], a["alice_id"], first)

    _, first, a = start(olm, fallback=True)
    inbound = olm.olm_inbound(a["bob"], a["alice_id"], first)
    again = olm.olm_inbound(inbound["account"], a["alice_id"], first)
    assert again["plaintext"] == b"hello bob"


def test_inbound_refusals(olm: OlmReference) -> None:
    _, first, a = start(olm)
    with pytest.raises(InvalidKey):
        olm.olm_inbound(a["bob"], rnd("someone else")[:32], first)
    stranger = olm.olm_account(rnd("c ed"), rnd("c cv"))
    with pytest.raises(InvalidKey):
        olm.olm_inbound(stranger, a["alice_id"], first)
    # A pre-key message whose embedded message fails keeps the one-time key.
    pre = wire.parse_pre_key_message(first)
    bad = wire.encode_pre_key_message(
        pre.one_time_key, pre.base_key, a["alice_id"], flip(pre.message, len(pre.message) - 1)
    )
    with pytest.raises(AuthenticationFailed):
        olm.olm_inbound(a["bob"], a["alice_id"], bad)
    assert olm.olm_inbound(a["bob"], a["alice_id"], first)["plaintext"] == b"hello bob"
    with pytest.raises(InvalidMessage):
        olm.olm_inbound(a["bob"], a["alice_id"], first[:20])


def test_pre_key_outer_version_ignored_as_libolm(olm: OlmReference) -> None:
    pair, first, a = start(olm)
    inbound = olm.olm_inbound(a["bob"], a["alice_id"], b"\x02" + first[1:])
    assert inbound["plaintext"] == b"hello bob"
    t, second = pair.send("alice", "again")
    assert t == 0
    out = olm.olm_decrypt(inbound["session"], 0, b"\xff" + second[1:])
    assert out["plaintext"] == b"again"


def test_replay_refused(olm: OlmReference) -> None:
    pair = established(olm)
    sent = [pair.send("bob", f"m{i}") for i in range(3)]
    assert pair.receive("alice", sent[2]) == "m2"
    assert pair.receive("alice", sent[0]) == "m0"  # from a skipped key
    for again in (sent[2], sent[0]):
        with pytest.raises((DuplicateMessage, AuthenticationFailed)):
            pair.receive("alice", again)
    assert pair.receive("alice", sent[1]) == "m1"


def reencode(message: bytes, counter: int) -> bytes:
    msg = wire.parse_olm_message(message)
    return wire.encode_olm_message_body(msg.ratchet_key, counter, msg.ciphertext) + msg.mac


class CountingOlm(OlmReference):
    """Counts chain key derivations, to show a refusal derived none."""

    advances = 0

    def next_chain_key(self, chain_key: bytes) -> bytes:
        type(self).advances += 1
        return super().next_chain_key(chain_key)


def test_message_gap_limit(primitives: Primitives) -> None:
    olm = CountingOlm(primitives)
    pair = established(olm)
    _, current = pair.send("bob", "on a new chain")
    # New chain at Alice: index 2001 refused, before any key is derived; 2000 is only a bad MAC.
    CountingOlm.advances = 0
    with pytest.raises(InvalidMessage):
        olm.olm_decrypt(pair.alice, 1, reencode(current, 2001))
    assert CountingOlm.advances == 0
    with pytest.raises(AuthenticationFailed):
        olm.olm_decrypt(pair.alice, 1, reencode(current, 2000))
    # Existing chain at index 1: 2001 ahead refused, 2000 ahead only a bad MAC.
    assert pair.receive("alice", (1, current)) == "on a new chain"
    CountingOlm.advances = 0
    with pytest.raises(InvalidMessage):
        olm.olm_decrypt(pair.alice, 1, reencode(current, 1 + 2001))
    assert CountingOlm.advances == 0
    with pytest.raises(AuthenticationFailed):
        olm.olm_decrypt(pair.alice, 1, reencode(current, 1 + 2000))


def test_skipped_keys_limited_oldest_dropped(primitives: Primitives) -> None:
    olm = OlmReference(primitives, OlmLimits(max_skipped_message_keys=3))
    pair = established(olm)
    sent = [pair.send("bob", f"m{i}") for i in range(6)]
    assert pair.receive("alice", sent[5]) == "m5"  # skips 0..4; keeps 2, 3, 4
    with pytest.raises(DuplicateMessage):
        pair.receive("alice", sent[1])
    assert [pair.receive("alice", sent[i]) for i in (4, 2, 3)] == ["m4", "m2", "m3"]


def test_flipped_bit_refused_and_session_still_works(olm: OlmReference) -> None:
    pair = established(olm)
    _, message = pair.send("bob", "intact")
    for at in (len(message) - 1, len(message) - 12, 40):
        with pytest.raises(AuthenticationFailed):
            olm.olm_decrypt(pair.alice, 1, flip(message, at))
    assert pair.receive("alice", (1, message)) == "intact"
    assert pair.receive("bob", pair.send("alice", "still fine")) == "still fine"


def test_failed_decrypt_changes_nothing_and_snapshots_replay(olm: OlmReference) -> None:
    pair = established(olm)
    snapshot = pair.alice
    _, message = pair.send("bob", "once")
    assert pair.receive("alice", (1, message)) == "once"
    assert olm.olm_decrypt(snapshot, 1, message)["plaintext"] == b"once"


def test_no_new_receiver_chain_while_sender_chain_empty(olm: OlmReference) -> None:
    _pair, first, a = start(olm)
    inbound = olm.olm_inbound(a["bob"], a["alice_id"], first)
    # A second session of Alice with the same base key but another ratchet key: a new chain for
    # Bob, who has not sent anything yet.
    other = olm.olm_outbound(a["alice"], a["bob_id"], a["key"], rnd("base"), rnd("other T0"))
    msg = wire.parse_pre_key_message(olm.olm_encrypt(other, b"x", rnd("u"))["message"]).message
    with pytest.raises(InvalidMessage):
        olm.olm_decrypt(inbound["session"], 1, msg)


def test_unknown_tags_skipped_malformed_refused(olm: OlmReference) -> None:
    pair = established(olm)
    _, message = pair.send("bob", "tags")
    msg = wire.parse_olm_message(message)
    # An unknown varint field (tag 0x28) and an unknown string field (tag 0x32): still parses.
    body = msg.body + bytes([0x28, 0x05, 0x32, 0x02]) + b"zz"
    assert wire.parse_olm_message(body + msg.mac).ciphertext == msg.ciphertext
    for bad in (b"", b"\x03", message[:-40], b"\x04" + message[1:], msg.body[:5] + msg.mac):
        with pytest.raises(InvalidMessage):
            olm.olm_decrypt(pair.alice, 1, bad)


# --- hooks for broken variants ----------------------------------------------------------------


class NoMacCheck(OlmReference):
    def verify_mac(self, mac_key: bytes, body: bytes, mac: bytes) -> None:
        return None


class KeepsKeys(OlmReference):
    def consume_message_key(self, skipped: list[SkippedKey], used: SkippedKey) -> list[SkippedKey]:
        return skipped


def test_broken_variants_through_hooks(primitives: Primitives) -> None:
    pair = established(NoMacCheck(primitives))
    _, message = pair.send("bob", "forged")
    out = pair.olm.olm_decrypt(pair.alice, 1, flip(message, len(message) - 1))
    assert out["plaintext"] == b"forged"

    pair = established(KeepsKeys(primitives))
    sent = [pair.send("bob", f"m{i}") for i in range(2)]
    pair.receive("alice", sent[1])
    assert pair.receive("alice", sent[0]) == "m0"
    assert pair.receive("alice", sent[0]) == "m0"  # replayed


# --- Megolm -----------------------------------------------------------------------------------


def test_megolm_round_trip_export_import(megolm: MegolmReference) -> None:
    out = megolm.megolm_outbound(rnd("ratchet", 128), rnd("seed"))
    key = megolm.megolm_session_key(out)
    assert len(key) == 229
    assert key[0] == 2
    inbound = megolm.megolm_inbound(key)
    messages = []
    for i in range(5):
        enc = megolm.megolm_encrypt(out, f"group {i}".encode())
        out = enc["session"]
        messages.append(enc["message"])
        assert enc["message"][0] == 3
    for i in (3, 0, 4, 3):  # the same index may decrypt again: replay is the application's job
        dec = megolm.megolm_decrypt(inbound, messages[i])
        inbound = dec["session"]
        assert (dec["plaintext"], dec["index"]) == (f"group {i}".encode(), i)

    exported = megolm.megolm_export(inbound, 2)
    assert len(exported) == 165
    assert exported[0] == 1
    imported = megolm.megolm_import(exported)
    assert megolm.megolm_decrypt(imported, messages[4])["index"] == 4
    assert megolm.megolm_export(imported, 2) == exported
    with pytest.raises(InvalidMessage):
        megolm.megolm_decrypt(imported, messages[1])
    with pytest.raises(InvalidMessage):
        megolm.megolm_export(imported, 1)

    later = megolm.megolm_inbound(megolm.megolm_session_key(out))
    assert megolm.megolm_export(later, 5)[1:5] == (5).to_bytes(4, "big")
    with pytest.raises(InvalidMessage):
        megolm.megolm_decrypt(later, messages[0])


def test_megolm_refusals(megolm: MegolmReference) -> None:
    out = megolm.megolm_outbound(rnd("ratchet", 128), rnd("seed"))
    key = megolm.megolm_session_key(out)
    with pytest.raises(InvalidSignature):
        megolm.megolm_inbound(flip(key, 10))
    with pytest.raises(InvalidMessage):
        megolm.megolm_inbound(key[:-1])
    with pytest.raises(InvalidMessage):
        megolm.megolm_import(key)
    inbound = megolm.megolm_inbound(key)
    message = megolm.megolm_encrypt(out, b"payload")["message"]
    with pytest.raises(InvalidSignature):
        megolm.megolm_decrypt(inbound, flip(message, 5))
    # A bad MAC under a valid signature: re-sign the tampered message with the real seed.
    body_and_mac = flip(message[:-64], len(message) - 65)
    resigned = body_and_mac + megolm.p.ed25519.ed25519_sign(rnd("seed"), body_and_mac)
    with pytest.raises(AuthenticationFailed):
        megolm.megolm_decrypt(inbound, resigned)
    assert megolm.megolm_decrypt(inbound, message)["plaintext"] == b"payload"


def test_megolm_inbound_wraparound(megolm: MegolmReference, primitives: Primitives) -> None:
    pub = primitives.ed25519.ed25519_public_key(rnd("seed"))
    exported = wire.encode_megolm_export(0xFFFFFFF0, KAT_RATCHET, pub)
    session = megolm.megolm_import(exported)
    at_zero = megolm.megolm_export(session, 0)
    expected = advance_to(primitives, MegolmRatchet.from_bytes(KAT_RATCHET, 0xFFFFFFF0), 0)
    assert at_zero == wire.encode_megolm_export(0, expected.data, pub)
    with pytest.raises(InvalidMessage):
        megolm.megolm_export(session, 0xFFFFFFEF)


# --- the adapter ------------------------------------------------------------------------------


def test_reference_adapter_loads() -> None:
    loaded: LoadedAdapter = load_adapter(load_manifest(ADAPTERS / "reference" / "adapter.toml"))
    try:
        assert loaded.error is None, loaded.error
        assert loaded.supports("olm")
        assert loaded.supports("megolm")
        assert loaded.supports("olm-send")
        assert loaded.version.startswith(conformance.__version__)
        assert "cryptography" in loaded.version
        assert isinstance(loaded.get("olm"), OlmReference)
    finally:
        loaded.close()
