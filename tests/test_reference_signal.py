"""The suite's reference classic Signal (conformance/reference/signal*.py, sender_keys.py,
fingerprint.py, xeddsa.py), on its own.

Known answers: libsignal's chain-key test (protocols.md 1.3), its fingerprint vector (1.8), the
sender-key regression values (1.7), and bytes produced by python-axolotl 0.2.3 with
python-axolotl-curve25519 0.4.1.post2 from the same fixed randomness (its ``os.urandom``
replaced by the values below; the cross-check that produced them played 12 conversations and
found every message byte-identical).
"""

from __future__ import annotations

import hashlib
import json

import pytest
from helpers import reference_primitives

from conformance.errors import (
    AuthenticationFailed,
    DuplicateMessage,
    InvalidKey,
    InvalidMessage,
    InvalidSignature,
)
from conformance.reference import signal_wire as wire
from conformance.reference.cbc_hmac import derive_keys
from conformance.reference.fingerprint import SignalFingerprintReference
from conformance.reference.primitives import Primitives
from conformance.reference.sender_keys import SignalGroupReference
from conformance.reference.signal import (
    MESSAGE_KEYS_INFO,
    SignalReference,
    SkippedKey,
    X3dhReference,
    _Chain,
)
from conformance.reference.xeddsa import xeddsa_sign, xeddsa_verify


@pytest.fixture(scope="module")
def primitives() -> Primitives:
    return reference_primitives()


@pytest.fixture(scope="module")
def signal(primitives: Primitives) -> SignalReference:
    return SignalReference(primitives)


def r(label: str, n: int = 32) -> bytes:
    """The fixed "random" values (also fed to python-axolotl for the known answers)."""
    return hashlib.sha512(label.encode()).digest()[:n]


def bob_party(sig: SignalReference, with_prekey: bool = True) -> bytes:
    return sig.signal_party(
        r("bob identity"),
        4242,
        7,
        r("bob signed prekey"),
        r("bob signature random", 64),
        31 if with_prekey else 0,
        r("bob prekey") if with_prekey else b"",
    )


def alice_to(sig: SignalReference, bob: bytes, base: str = "alice base key") -> bytes:
    alice = sig.signal_party(r("alice identity"), 1717, 1, r("alice spk"), r("z", 64), 0, b"")
    b = sig.signal_bundle(bob)
    return sig.signal_initiate(
        alice,
        b["registration_id"],
        b["identity_key"],
        b["signed_prekey_id"],
        b["signed_prekey"],
        b["signed_prekey_signature"],
        b["prekey_id"],
        b["prekey"],
        r(base),
        r("alice ratchet key 1"),
    )


# --- known answers -------------------------------------------------------------------------

# python-axolotl 0.2.3 output for the inputs of bob_party / alice_to (see the module docstring).
AXOLOTL_SIGNATURE = (
    "0f85b1e265cbb33c92246c150e406b04fe4c8610fe6678a8fb4ea1792b7138226f73eda535dd019e67ebedf7b76e"
    "313d4a59394f9e48742055c8a0a5ec875487"
)
AXOLOTL_PREKEY1 = (
    "33081f1221058c8cca04f0ea75822755e6ad9f1b43dd27b61e60c1e18c70a7fb0c033b6dd50e1a210562be5688c3"
    "16a57636805cfc906cb1306d928c50aa36f33ef3bc6e5ded1375722242330a2105b6cb2cff87a1d368a2649089cf"
    "17e32387ad0b08c208b65c4123dfdfc30387421000180022104218fd344d6808930b5fe608be4659a33d3837f1d1"
    "90d66a28b50d3007"
)
AXOLOTL_REPLY1 = (
    "330a2105ac51d898a848f24703e0c6ba289efd63f1bcce575da5ff4b81cc49f70b5e41771000180022101c2c2b05"
    "05f1d9107b2e5b29ddf28d7b3a3e26bc61adb06b"
)
AXOLOTL_WHISPER2 = (
    "330a2105eaf8913afd4ed49ed26db3950cc451989e9947c7da747562e0c2dadea6716c301000180022204e09cfb0"
    "f774285fbca4647b2817d01f07c1b343613ef151186aca419e055f526a45182aec6f8002"
)
AXOLOTL_SKDM = (
    "330887ad4b10001a20bc37a64284dcbf4d342f9ba01d5ea19d5cc63f1c908688d356d634f43cd42d0a22210508ca"
    "b3cd08d0d938f56655be618408376326a16a4b4fe694b97e277cb29d0c62"
)
AXOLOTL_SKMSG = (
    "330887ad4b10001a10df7467da603481609add8be409aff3f9d6b57ff7f43e1b7ebc6f310d8a8948ef39e7dc0e36"
    "893813c56203f510b29cccfa5d8f00b45d10d6cec8f36e90528c94ca63d311ec5b38e8370f7425e53d1506"
)


def test_libsignal_chain_key_vector(signal: SignalReference, primitives: Primitives) -> None:
    """protocols.md 1.3, libsignal ``keys.rs::test_chain_key_derivation`` (iv is [CALC])."""
    chain_key = bytes.fromhex("8ab72d6f4cc5ac0d387eaf463378ddb28edd07385b1cb01250c715982e7ad48f")
    keys = derive_keys(primitives.cbc_hmac, signal._message_seed(chain_key), MESSAGE_KEYS_INFO)
    assert keys.encryption_key.hex() == (
        "bf51e9d75e0e31031051f82a2491ffc084fa298b7793bd9db620056febf45217"
    )
    assert keys.mac_key.hex() == "c6c77d6a73a354337a56435e34607dfe48e3ace14e77314dc6abc172e7a7030b"
    assert keys.iv.hex() == "afa8207986b692a116d4b40bbff72d6c"
    assert signal._next_chain(_Chain(chain_key, 0)).key.hex() == (
        "28e8f8fee54b801eef7c5cfb2f17f32c7b334485bbb70fac6ec10342a246d15d"
    )


def test_fingerprint_vector() -> None:
    """protocols.md 1.8, libsignal's fingerprint test vector (iterations 5200)."""
    alice = bytes.fromhex("0506863bc66d02b40d27b8d49ca7c09e9239236f9d7d25d6fcca5ce13c7064d868")
    bob = bytes.fromhex("05f781b6fb32fed9ba1cf2de978d4d5da28dc34046ae814402b5c0dbd96fda907b")
    expected = b"300354477692869396892869876765458257569162576843440918079131"
    fp = SignalFingerprintReference()
    assert fp.signal_fingerprint(5200, b"+14152222222", alice, b"+14153333333", bob) == expected
    assert fp.signal_fingerprint(5200, b"+14153333333", bob, b"+14152222222", alice) == expected


def test_sender_key_regression_values(primitives: Primitives) -> None:
    """protocols.md 1.7 [CALC]: chain key 00..1f at iteration 0."""
    group = SignalGroupReference(primitives)
    chain = bytes(range(32))
    key = group.message_key(0, group.message_seed(chain))
    assert key.iv.hex() == "ed1f5e26325b1399f6a34c76e47ff047"
    assert key.cipher_key.hex() == (
        "d89f10a08215e845ceb4df3fc59c052ad09e01cd499650025ff83df48ed656e6"
    )
    assert group.next_chain_key(chain).hex() == (
        "4304c22c84a53755ab08ead8d97a8d429be5efa480682d7ad1da27f73e1fbe1d"
    )


def test_xeddsa_round_trip_and_tampering(primitives: Primitives) -> None:
    for i in range(4):
        private = r(f"xeddsa key {i}")
        public = primitives.curve25519_public(private)
        message = r(f"message {i}", 17 * i)
        sig = xeddsa_sign(private, message, r(f"Z {i}", 64))
        assert xeddsa_verify(public, message, sig)
        for pos in (0, 31, 32, 62, 63):
            bad = bytearray(sig)
            bad[pos] ^= 0x01 if pos != 63 else 0x80
            assert not xeddsa_verify(public, message, bytes(bad))
        assert not xeddsa_verify(public, message + b"x", sig)


def test_matches_python_axolotl(signal: SignalReference, primitives: Primitives) -> None:
    """The signed pre-key signature, Alice's first PreKeySignalMessage, Bob's answer and
    Alice's next SignalMessage, as python-axolotl produced them from the same randomness."""
    bob = bob_party(signal)
    assert signal.signal_bundle(bob)["signed_prekey_signature"].hex() == AXOLOTL_SIGNATURE
    alice = alice_to(signal, bob)
    out = signal.signal_encrypt(alice, b"hello bob")
    assert (out["type"], out["message"].hex()) == (3, AXOLOTL_PREKEY1)
    alice = out["party"]
    got = signal.signal_decrypt(bob, 3, out["message"], r("bob ratchet key 1"))
    assert got["plaintext"] == b"hello bob"
    reply = signal.signal_encrypt(got["party"], b"hello alice")
    assert (reply["type"], reply["message"].hex()) == (2, AXOLOTL_REPLY1)
    back = signal.signal_decrypt(alice, 2, reply["message"], r("alice ratchet key 2"))
    assert back["plaintext"] == b"hello alice"
    second = signal.signal_encrypt(back["party"], b"second from alice")
    assert (second["type"], second["message"].hex()) == (2, AXOLOTL_WHISPER2)

    group = SignalGroupReference(primitives)
    created = group.signal_group_create(1234567, 0, r("sender chain key"), r("sender signing key"))
    assert created["distribution"].hex() == AXOLOTL_SKDM
    sent = group.signal_group_encrypt(
        created["state"], b"hello group", r("sender signature random", 64)
    )
    assert sent["message"].hex() == AXOLOTL_SKMSG
    joined = group.signal_group_join(created["distribution"])
    assert group.signal_group_decrypt(joined, sent["message"])["plaintext"] == b"hello group"


# --- conversations -------------------------------------------------------------------------


def test_conversation_with_turns_and_out_of_order(signal: SignalReference) -> None:
    bob = bob_party(signal)
    alice = alice_to(signal, bob)
    parties = {"alice": alice, "bob": bob}
    n = 0

    def send(frm: str, count: int) -> list[tuple[int, bytes, bytes]]:
        nonlocal n
        out = []
        for _ in range(count):
            n += 1
            pt = f"{frm} says {n}".encode()
            e = signal.signal_encrypt(parties[frm], pt)
            parties[frm] = e["party"]
            out.append((e["type"], e["message"], pt))
        return out

    def deliver(to: str, msgs: list[tuple[int, bytes, bytes]], order: list[int]) -> None:
        nonlocal n
        for i in order:
            typ, msg, pt = msgs[i]
            n += 1
            d = signal.signal_decrypt(parties[to], typ, msg, r(f"ratchet {to} {n}"))
            assert d["plaintext"] == pt
            parties[to] = d["party"]

    first = send("alice", 3)
    assert [t for t, _, _ in first] == [3, 3, 3]
    deliver("bob", first, [2, 0])
    held = first[1]
    for turn in range(4):
        b = send("bob", 3)
        assert all(t == 2 for t, _, _ in b)
        deliver("alice", b, [1, 2, 0])
        a = send("alice", 2)
        assert all(t == 2 for t, _, _ in a), f"turn {turn}"
        deliver("bob", a, [1, 0])
    # a message of Alice's very first chain, four ratchet turns late
    deliver("bob", [held], [0])
    # DuplicateMessage for a replay of any message, including the PreKeySignalMessage
    with pytest.raises(DuplicateMessage):
        signal.signal_decrypt(parties["bob"], 3, first[0][1], r("unused"))
    with pytest.raises(DuplicateMessage):
        signal.signal_decrypt(parties["bob"], 3, held[1], r("unused"))


def test_one_time_prekey_removed_and_new_session_refused(signal: SignalReference) -> None:
    bob = bob_party(signal)
    e = signal.signal_encrypt(alice_to(signal, bob), b"hi")
    bob = signal.signal_decrypt(bob, 3, e["message"], r("bob rk"))["party"]
    assert not json.loads(bob)["prekeys"]
    other = signal.signal_encrypt(alice_to(signal, bob_party(signal), base="another base"), b"x")
    with pytest.raises(InvalidKey):
        signal.signal_decrypt(bob, 3, other["message"], r("bob rk"))


def test_no_one_time_prekey(signal: SignalReference) -> None:
    bob = bob_party(signal, with_prekey=False)
    assert signal.signal_bundle(bob)["prekey"] == b""
    e = signal.signal_encrypt(alice_to(signal, bob), b"no prekey")
    assert wire.parse_pre_key_signal_message(e["message"]).pre_key_id is None
    assert signal.signal_decrypt(bob, 3, e["message"], r("rk"))["plaintext"] == b"no prekey"


def test_bad_signed_prekey_signature(signal: SignalReference) -> None:
    b = signal.signal_bundle(bob_party(signal))
    alice = signal.signal_party(r("alice identity"), 1717, 1, r("a spk"), r("z", 64), 0, b"")
    bad = bytearray(b["signed_prekey_signature"])
    bad[10] ^= 1
    with pytest.raises(InvalidSignature):
        signal.signal_initiate(
            alice,
            b["registration_id"],
            b["identity_key"],
            b["signed_prekey_id"],
            b["signed_prekey"],
            bytes(bad),
            b["prekey_id"],
            b["prekey"],
            r("base"),
            r("ratchet"),
        )


def _established(signal: SignalReference) -> tuple[bytes, bytes]:
    bob = bob_party(signal)
    e = signal.signal_encrypt(alice_to(signal, bob), b"first")
    bob = signal.signal_decrypt(bob, 3, e["message"], r("bob rk"))["party"]
    reply = signal.signal_encrypt(bob, b"reply")
    alice = signal.signal_decrypt(e["party"], 2, reply["message"], r("alice rk"))["party"]
    return alice, reply["party"]


def test_tampered_message_refused_and_session_still_works(signal: SignalReference) -> None:
    alice, bob = _established(signal)
    e = signal.signal_encrypt(alice, b"intact")
    size = len(e["message"])
    # the ratchet key, the counter, the ciphertext and the MAC: the MAC catches each
    for pos in (10, 37, size - 12, size - 1):
        bad = bytearray(e["message"])
        bad[pos] ^= 0x01
        with pytest.raises(AuthenticationFailed):
            signal.signal_decrypt(bob, 2, bytes(bad), r("rk"))
    # any other byte: refused one way or another
    for pos in range(size):
        bad = bytearray(e["message"])
        bad[pos] ^= 0x01
        with pytest.raises((AuthenticationFailed, InvalidKey, InvalidMessage)):
            signal.signal_decrypt(bob, 2, bytes(bad), r("rk"))
    assert signal.signal_decrypt(bob, 2, e["message"], r("rk"))["plaintext"] == b"intact"
    wrong_version = bytes([0x23]) + e["message"][1:]
    with pytest.raises(InvalidMessage):
        signal.signal_decrypt(bob, 2, wrong_version, r("rk"))


def _jump(signal: SignalReference, alice: bytes, by: int) -> bytes:
    """Alice's state with her sending chain moved ``by`` steps ahead (keys walked honestly)."""
    doc = json.loads(alice)
    key_hex, index = doc["sessions"][0]["sender"][1]
    chain = _Chain(bytes.fromhex(key_hex), index)
    for _ in range(by):
        chain = signal._next_chain(chain)
    doc["sessions"][0]["sender"][1] = [chain.key.hex(), chain.index]
    return json.dumps(doc, sort_keys=True, separators=(",", ":")).encode()


def test_forward_jump_limit(signal: SignalReference) -> None:
    alice, bob = _established(signal)
    # Bob's receiving chain for Alice's current ratchet key is at index 0 (he got nothing on
    # it): counter 25000 is accepted, 25001 refused without deriving keys.
    far = signal.signal_encrypt(_jump(signal, alice, 25_001), b"too far")
    with pytest.raises(InvalidMessage):
        signal.signal_decrypt(bob, 2, far["message"], r("rk"))
    near = signal.signal_encrypt(_jump(signal, alice, 25_000), b"just in reach")
    assert signal.signal_decrypt(bob, 2, near["message"], r("rk"))["plaintext"] == (
        b"just in reach"
    )


def test_skipped_keys_and_broken_consume_hook(primitives: Primitives) -> None:
    class KeepsKeys(SignalReference):
        def consume_message_key(
            self, skipped: list[SkippedKey], used: SkippedKey
        ) -> list[SkippedKey]:
            return skipped

    for impl, replay_ok in ((SignalReference(primitives), False), (KeepsKeys(primitives), True)):
        alice, bob = _established(impl)
        e1 = impl.signal_encrypt(alice, b"one")
        e2 = impl.signal_encrypt(e1["party"], b"two")
        bob = impl.signal_decrypt(bob, 2, e2["message"], r("rk"))["party"]
        bob = impl.signal_decrypt(bob, 2, e1["message"], r("rk"))["party"]
        if replay_ok:
            assert impl.signal_decrypt(bob, 2, e1["message"], r("rk"))["plaintext"] == b"one"
        else:
            with pytest.raises(DuplicateMessage):
                impl.signal_decrypt(bob, 2, e1["message"], r("rk"))


def test_broken_mac_input_and_x3dh_hooks(signal: SignalReference, primitives: Primitives) -> None:
    class NoIdentities(SignalReference):
        def mac_input(self, sender_identity: bytes, receiver_identity: bytes, body: bytes) -> bytes:
            return body

    class NoDh3(SignalReference):
        def x3dh_secret(self, dh1: bytes, dh2: bytes, dh3: bytes, dh4: bytes | None) -> bytes:
            return b"\xff" * 32 + dh1 + dh2 + (dh4 or b"")

    bob = bob_party(signal)
    good = signal.signal_encrypt(alice_to(signal, bob), b"m")["message"]
    for broken in (NoIdentities(primitives), NoDh3(primitives)):
        message = broken.signal_encrypt(alice_to(broken, bob), b"m")["message"]
        assert message != good
        with pytest.raises(AuthenticationFailed):
            signal.signal_decrypt(bob, 3, message, r("rk"))
        assert broken.signal_decrypt(bob, 3, message, r("rk"))["plaintext"] == b"m"


def test_x3dh_capability(primitives: Primitives) -> None:
    x = X3dhReference(primitives)
    ik_a, ek_a, ik_b, spk_b, opk_b = (r(f"x3dh {n}") for n in range(5))
    pub = primitives.curve25519_public
    for opk_priv in (opk_b, b""):
        sk_a = x.x3dh_initiate(
            ik_a, ek_a, pub(ik_b), pub(spk_b), pub(opk_priv) if opk_priv else b""
        )
        sk_b = x.x3dh_respond(ik_b, spk_b, opk_priv, pub(ik_a), pub(ek_a))
        assert sk_a == sk_b
        assert len(sk_a) == 32
