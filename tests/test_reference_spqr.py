"""Unit tests of conformance.reference.spqr (SPQR V1, spqr v1.5.3 as libsignal 0.103.0 runs it)."""

from __future__ import annotations

import hashlib
import hmac
import json
import random

import pytest

from conformance.errors import AuthenticationFailed, InvalidMessage
from conformance.reference import spqr
from conformance.reference import spqr_gf16 as gf


def _hkdf(salt: bytes | None, ikm: bytes, info: bytes, n: int) -> bytes:
    prk = hmac.new(salt or bytes(32), ikm, hashlib.sha256).digest()
    out, block, counter = b"", b"", 1
    while len(out) < n:
        block = hmac.new(prk, block + info + bytes([counter]), hashlib.sha256).digest()
        out += block
        counter += 1
    return out[:n]


def _rand(rng: random.Random) -> bytes:
    return rng.randbytes(64)


# ---------------------------------------------------------------------------------------------
# GF(2^16) erasure code


def test_gf16_field() -> None:
    assert len(set(gf._EXP[:0xFFFF])) == 0xFFFF  # x generates the multiplicative group
    for a, b in [(1, 1), (0x1234, 0xBEEF), (0xFFFF, 2), (0x8000, 2)]:
        assert gf.gf_div(gf.gf_mul(a, b), b) == a
    assert gf.gf_mul(0x8000, 2) == 0x100B  # x^16 = x^12 + x^3 + x + 1


def test_erasure_code_rebuilds_from_any_chunks() -> None:
    msg = bytes(range(96))  # header + MAC size: 3 chunks needed
    assert gf.encoder_chunk(msg, 0) == msg[:32]
    for chunks in ([5, 9, 200], [0, 7, 2], [65535, 1, 3]):
        dec = gf.new_decoder(len(msg))
        for c in chunks[:-1]:
            gf.decoder_add_chunk(dec, c, gf.encoder_chunk(msg, c))
            assert gf.decoder_decoded(dec) is None
        gf.decoder_add_chunk(dec, chunks[-1], gf.encoder_chunk(msg, chunks[-1]))
        assert gf.decoder_decoded(dec) == msg


# ---------------------------------------------------------------------------------------------
# Chain and message codec


def test_epoch0_chain_formula() -> None:
    auth = bytes(range(32))
    g = _hkdf(bytes(32), auth, b"Signal PQ Ratchet V1 Chain  Start", 96)
    nxt = g[32:64]  # A2B
    expected = []
    for k in (1, 2, 3):
        g2 = _hkdf(bytes(32), nxt, k.to_bytes(4, "big") + b"Signal PQ Ratchet V1 Chain Next", 64)
        nxt, key = g2[:32], g2[32:]
        expected.append(key)
    alice = spqr.initial_state(auth, True)
    rng = random.Random(0)
    got = []
    for _ in range(3):
        s = spqr.send(alice, _rand(rng))
        alice = s.state
        got.append(s.key)
    assert got == expected
    assert len(s.message) == 37  # version, epoch, index, type, chunk index, 32-byte chunk
    bob = spqr.initial_state(auth, False)
    b1 = spqr.send(bob, _rand(rng))
    assert len(b1.message) == 4
    assert b1.message == bytes([1, 1, 1, 0])


def test_message_codec() -> None:
    m = spqr.encode_message(300, 70000, spqr.MSG_CT1, 2, bytes(range(32)))
    assert spqr.decode_message(m + b"trailing") == (300, 70000, spqr.MSG_CT1, 2, bytes(range(32)))
    assert spqr.decode_message(bytes([1, 2, 3, 4])) == (2, 3, 4, None, None)
    ten = b"\x82" + b"\x80" * 8 + b"\x7e"  # 10-byte varint: 2, the bits past 63 dropped
    assert spqr.decode_message(b"\x01\x01" + ten + b"\x00") == (1, 2, 0, None, None)
    eleven = b"\x82" + b"\x80" * 9 + b"\x00"
    for bad in (
        b"\x02\x01\x01\x00",
        b"\x01\x01\x01",
        b"\x01\x01\x01\x07",
        m[:-1],
        b"\x01\x80",
        b"\x01\x01" + eleven + b"\x00",
    ):
        with pytest.raises(spqr.MessageDecodeFailed):
            spqr.decode_message(bad)


def test_out_of_order_replay_and_limits() -> None:
    auth = bytes(32)
    alice, bob = spqr.initial_state(auth, True), spqr.initial_state(auth, False)
    rng = random.Random(1)
    sent = []
    for _ in range(4):
        s = spqr.send(alice, _rand(rng))
        alice = s.state
        sent.append(s)
    for i in (3, 0, 2, 1):
        r = spqr.recv(bob, sent[i].message)
        bob = r.state
        assert r.key == sent[i].key
    with pytest.raises(spqr.KeyAlreadyRequested) as exc:
        spqr.recv(bob, sent[2].message)
    assert exc.value.state == bob
    # An index more than MAX_JUMP past the counter is refused.
    ctr = 4
    with pytest.raises(spqr.KeyJump):
        spqr.recv(bob, spqr.encode_message(1, ctr + spqr.MAX_JUMP + 1, spqr.MSG_NONE))
    # Epochs ahead of the SCKA are refused.
    with pytest.raises(spqr.EpochOutOfRange):
        spqr.recv(bob, spqr.encode_message(2, 1, spqr.MSG_NONE))
    # Unknown versions are refused (libsignal 0.103.0); version 0 is refused: below
    # min_version V1 while still negotiating, a mismatch once a message was received.
    with pytest.raises(spqr.UnsupportedVersion):
        spqr.recv(bob, b"\x05junk")
    with pytest.raises(spqr.MinimumVersion):
        spqr.recv(spqr.initial_state(auth, False), b"")
    with pytest.raises(spqr.VersionMismatch):
        spqr.recv(bob, b"")


# ---------------------------------------------------------------------------------------------
# Two parties, epochs advancing


def test_two_party_epochs_advance() -> None:
    auth = hashlib.sha256(b"auth").digest()
    states = {True: spqr.initial_state(auth, True), False: spqr.initial_state(auth, False)}
    rng = random.Random(7)
    for _ in range(260):
        sender = rng.random() < 0.5
        s = spqr.send(states[sender], _rand(rng))
        states[sender] = s.state
        assert s.key is not None
        assert len(s.key) == 32
        if rng.random() < 0.85:
            r = spqr.recv(states[not sender], s.message)
            states[not sender] = r.state
            assert r.key == s.key
    a, b = json.loads(states[True]), json.loads(states[False])
    assert a["chain"]["current_epoch"] >= 2
    assert b["chain"]["current_epoch"] >= 2
    # Deterministic given the randomness.
    x = spqr.send(states[True], bytes(64))
    assert spqr.send(states[True], bytes(64)) == x


def test_tampered_header_refused() -> None:
    auth = bytes(range(32))
    alice, bob = spqr.initial_state(auth, True), spqr.initial_state(auth, False)
    rng = random.Random(3)
    msgs = []
    for _ in range(3):
        s = spqr.send(alice, _rand(rng))
        alice = s.state
        msgs.append(s.message)
    bad = bytearray(msgs[0])
    bad[-1] ^= 1
    bob = spqr.recv(bob, bytes(bad)).state
    bob = spqr.recv(bob, msgs[1]).state
    with pytest.raises(spqr.MacVerifyFailed) as exc:
        spqr.recv(bob, msgs[2])
    assert isinstance(exc.value, AuthenticationFailed)
    assert issubclass(spqr.SpqrError, InvalidMessage)


# ---------------------------------------------------------------------------------------------
# libsignal 0.103.0 first flight (recorded): the SPQR key spqr.recv gives makes the Double
# Ratchet MAC of libsignal's SignalMessage verify.

AUTH = bytes.fromhex("e0b85788a12947b23413ca463372eb882e9d609431d601e3be430459aeb655e8")
IK_A = bytes.fromhex("05933d5534ec4fc56287a1873832a7b0d5bf1b080b1a93c5ecf9c90ab7bd8fbc71")
IK_B = bytes.fromhex("05f6c4ee11a7cead455244b989ef285aa12f02d96af166cfbd8bbab1f28d300a11")
# Alice's first SignalMessage (inside her PreKeySignalMessage) and her sending chain key.
SM_A = bytes.fromhex(
    "440a21050a5970db5f20a9afb89b195090dace4380c18e91869050cefdaeb746f0f17d77100018002210f03d514f"
    "c6eb145bd8c1aa155407404f2a250101010100269a94cfa43076c039cfda9b470be8be053da6833311b6e31aae50"
    "b066fde7543e80794ae081953a"
)
CK_A = bytes.fromhex("076b1017816ee0662f76fd30ddd103145d5014c76363b615977fc18f9712a724")
# Bob's first SignalMessage (a Ct1 chunk) and his sending chain key.
SM_B = bytes.fromhex(
    "440a2105c1c611fca1620d561b92318b2e2488be841a32dbd96c58de00292d2c544eed6f1000180022100f7fed5d"
    "e01cb9df64895845fb33d33a2a2501010105003e2de1e628f9820b088ef258db7c46467b8ac018fd8fd74599b8f3"
    "4199fe43ac00f3dd0c131fbfad"
)
CK_B = bytes.fromhex("1d91775eb726f234e0e6c366ae67cc5af4a6195518f9ece68c427cecff9ee357")


def _mac_ok(sm: bytes, ck: bytes, key: bytes | None, sender: bytes, receiver: bytes) -> bool:
    seed = hmac.new(ck, b"\x01", hashlib.sha256).digest()
    mac_key = _hkdf(key, seed, b"WhisperMessageKeys", 80)[32:64]
    tag = hmac.new(mac_key, sender + receiver + sm[:-8], hashlib.sha256).digest()[:8]
    return tag == sm[-8:]


def test_libsignal_first_flight_keys() -> None:
    pq_a = SM_A[SM_A.index(bytes.fromhex("2a25")) + 2 :][:37]  # SignalMessage field 5
    pq_b = SM_B[SM_B.index(bytes.fromhex("2a25")) + 2 :][:37]
    bob = spqr.recv(spqr.initial_state(AUTH, False), pq_a)
    assert bob.key is not None
    assert _mac_ok(SM_A, CK_A, bob.key, IK_A, IK_B)
    alice = spqr.recv(spqr.initial_state(AUTH, True), pq_b)
    assert alice.key is not None
    assert _mac_ok(SM_B, CK_B, alice.key, IK_B, IK_A)
    assert not _mac_ok(SM_A, CK_A, None, IK_A, IK_B)
