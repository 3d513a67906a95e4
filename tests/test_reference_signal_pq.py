"""The suite's reference current Signal (conformance/reference/signal_pq.py, signal_pq_wire.py)
on its own: PQXDH with a round-3 Kyber1024 pre-key, the triple ratchet over
conformance.reference.spqr, the version-4 wire format.

Known answer: a first flight recorded from libsignal 0.103.0 (@signalapp/libsignal-client, Node)
as Alice, sending to the bundle of the reference's ``bob_party()`` below (libsignal verified both
of its XEdDSA signatures). The test re-derives it: the reference's Bob decrypts both messages and
its encoders rebuild libsignal's bytes exactly. The reference was also run against libsignal
0.103.0 in both directions (scratch scripts, not part of the suite).
"""

from __future__ import annotations

import hashlib
import json
from typing import cast

import pytest
from helpers import reference_primitives

from conformance.capabilities.signal_pq import SignalPqBundle
from conformance.errors import (
    AuthenticationFailed,
    DuplicateMessage,
    InvalidKey,
    InvalidMessage,
    InvalidSignature,
    ProtocolError,
)
from conformance.reference import signal_pq_wire as pqwire
from conformance.reference.mlkem import ML_KEM_1024, kyber_r3_keygen
from conformance.reference.signal import SignalReference
from conformance.reference.signal_pq import SignalPqReference


@pytest.fixture(scope="module")
def ref() -> SignalPqReference:
    return SignalPqReference(reference_primitives())


def r(label: str, n: int = 32) -> bytes:
    """The fixed "random" values (also those the recorded first flight was made with)."""
    return hashlib.shake_256(label.encode()).digest(n)


def kyber_secret(name: str) -> bytes:
    return kyber_r3_keygen(ML_KEM_1024, r(f"{name} kyber d"), r(f"{name} kyber z")).dk


def bob_party(ref: SignalPqReference, last_resort: bool = False, with_prekey: bool = True) -> bytes:
    return ref.signal_pq_party(
        r("bob identity"),
        4242,
        7,
        r("bob signed prekey"),
        31 if with_prekey else 0,
        r("bob prekey") if with_prekey else b"",
        99,
        kyber_secret("bob"),
        last_resort,
        r("bob signature random", 128),
    )


def alice_to(
    ref: SignalPqReference,
    bob: bytes,
    base: str = "alice base key",
    bad: dict[str, bytes] | None = None,
) -> bytes:
    """Alice's session to ``bob``'s bundle, with the bundle fields in ``bad`` replaced."""
    alice = ref.signal_pq_party(
        r("alice identity"),
        1717,
        1,
        r("alice spk"),
        0,
        b"",
        5,
        kyber_secret("alice"),
        True,
        r("alice signature random", 128),
    )
    b = cast(SignalPqBundle, {**ref.signal_pq_bundle(bob), **(bad or {})})
    return ref.signal_pq_initiate(
        alice,
        b["registration_id"],
        b["identity_key"],
        b["signed_prekey_id"],
        b["signed_prekey"],
        b["signed_prekey_signature"],
        b["prekey_id"],
        b["prekey"],
        b["kyber_prekey_id"],
        b["kyber_prekey"],
        b["kyber_prekey_signature"],
        r(base),
        r(base + " ratchet"),
        r(base + " kyber m"),
        r(base + " pq", 64),
    )


class Pair:
    """Alice ("a") and Bob ("b") of one session, with fresh randomness for every step."""

    def __init__(self, ref: SignalPqReference, alice: bytes, bob: bytes) -> None:
        self.ref = ref
        self.parties = {"a": alice, "b": bob}
        self.n = 0

    def fresh(self, n: int = 32) -> bytes:
        self.n += 1
        return r(f"fresh {self.n}", n)

    def send(self, who: str, plaintext: bytes) -> tuple[int, bytes]:
        out = self.ref.signal_pq_encrypt(self.parties[who], plaintext, self.fresh(64))
        self.parties[who] = out["party"]
        return out["type"], out["message"]

    def recv(self, who: str, msg: tuple[int, bytes]) -> bytes:
        out = self.ref.signal_pq_decrypt(
            self.parties[who], msg[0], msg[1], self.fresh(), self.fresh(64)
        )
        self.parties[who] = out["party"]
        return out["plaintext"]


def test_conversation_over_ratchet_turns_out_of_order(ref: SignalPqReference) -> None:
    """Eight turns each way, three messages a turn: the last arrives first, the middle one a
    turn later (after a DH ratchet step and an SPQR step on both sides)."""
    bob = bob_party(ref)
    s = Pair(ref, alice_to(ref, bob), bob)
    late: dict[str, list[tuple[bytes, tuple[int, bytes]]]] = {"a": [], "b": []}
    for turn in range(8):
        for who, to in (("a", "b"), ("b", "a")):
            texts = [f"{who}{turn}.{i}".encode() for i in range(3)]
            msgs = [s.send(who, t) for t in texts]
            assert {m[0] for m in msgs} == ({3} if turn == 0 and who == "a" else {2})
            for text, msg in [(texts[2], msgs[2]), (texts[0], msgs[0]), *late[to]]:
                assert s.recv(to, msg) == text
            late[to] = [(texts[1], msgs[1])]
    for to in ("a", "b"):
        for text, msg in late[to]:
            assert s.recv(to, msg) == text
    epochs = json.loads(bytes.fromhex(json.loads(s.parties["a"])["sessions"][0]["pq_state"]))
    assert epochs  # an SPQR state is kept per session
    assert pqwire.parse_pq_signal_message(s.send("a", b"x")[1]).pq_ratchet


def test_replay_and_tamper_refused_state_unchanged(ref: SignalPqReference) -> None:
    bob = bob_party(ref)
    s = Pair(ref, alice_to(ref, bob), bob)
    first = s.send("a", b"one")
    assert s.recv("b", first) == b"one"
    assert s.recv("a", s.send("b", b"two")) == b"two"
    kind, msg = s.send("a", b"three")
    assert kind == 2
    before = s.parties["b"]
    with pytest.raises(AuthenticationFailed) as mac:
        ref.signal_pq_decrypt(before, 2, msg[:-1] + bytes([msg[-1] ^ 1]), r("x"), r("y", 64))
    assert mac.value.state == before
    for at in range(1, len(msg) - 8, 7):  # every seventh byte of the version byte and protobuf
        with pytest.raises(ProtocolError) as exc:
            ref.signal_pq_decrypt(
                before, 2, msg[:at] + bytes([msg[at] ^ 4]) + msg[at + 1 :], r("x"), r("y", 64)
            )
        assert isinstance(exc.value, (AuthenticationFailed, InvalidMessage, InvalidKey))
        assert exc.value.state == before
    assert s.recv("b", (kind, msg)) == b"three"
    with pytest.raises(DuplicateMessage) as dup:
        ref.signal_pq_decrypt(s.parties["b"], 2, msg, r("x"), r("y", 64))
    assert dup.value.state == s.parties["b"]
    with pytest.raises(DuplicateMessage):
        ref.signal_pq_decrypt(s.parties["b"], first[0], first[1], r("x"), r("y", 64))


def _flip(data: bytes, at: int = 5) -> bytes:
    return data[:at] + bytes([data[at] ^ 1]) + data[at + 1 :]


def test_bad_bundles_refused(ref: SignalPqReference) -> None:
    bob = bob_party(ref)
    b = ref.signal_pq_bundle(bob)
    assert b["kyber_prekey"][0] == 0x08
    assert len(b["kyber_prekey"]) == 1569
    spk_sig, kyber_sig = b["signed_prekey_signature"], b["kyber_prekey_signature"]
    for bad_signatures in (
        {"signed_prekey_signature": _flip(spk_sig)},
        {"kyber_prekey_signature": _flip(kyber_sig)},
        {"signed_prekey_signature": kyber_sig, "kyber_prekey_signature": spk_sig},
    ):
        with pytest.raises(InvalidSignature):
            alice_to(ref, bob, bad=bad_signatures)
    for bad_key in (
        {"kyber_prekey": b"\x05" + b["kyber_prekey"][1:]},
        {"signed_prekey": b"\x08" + b["signed_prekey"][1:]},
        {"identity_key": b"\x08" + b["identity_key"][1:]},
        {"kyber_prekey": b["kyber_prekey"][:-1]},
    ):
        with pytest.raises(InvalidKey):
            alice_to(ref, bob, bad=bad_key)


def test_one_time_and_last_resort_kyber_prekeys(ref: SignalPqReference) -> None:
    for last_resort in (False, True):
        bob = bob_party(ref, last_resort=last_resort, with_prekey=False)
        s = Pair(ref, alice_to(ref, bob), bob)
        assert s.recv("b", s.send("a", b"hi")) == b"hi"
        assert len(json.loads(s.parties["b"])["kyber_prekeys"]) == (1 if last_resort else 0)
        # a second initiator from the same published bundle
        later = Pair(ref, alice_to(ref, bob, base="second base"), s.parties["b"])
        first = later.send("a", b"again")
        if last_resort:
            assert later.recv("b", first) == b"again"
        else:
            with pytest.raises(InvalidKey):
                later.recv("b", first)
    # the one-time EC pre-key is removed once its message decrypts
    bob = bob_party(ref, last_resort=True)
    s = Pair(ref, alice_to(ref, bob), bob)
    assert s.recv("b", s.send("a", b"hi")) == b"hi"
    assert json.loads(s.parties["b"])["prekeys"] == []
    later = Pair(ref, alice_to(ref, bob, base="second base"), s.parties["b"])
    with pytest.raises(InvalidKey):
        later.recv("b", later.send("a", b"again"))


def test_malformed_prekey_messages_refused(ref: SignalPqReference) -> None:
    bob = bob_party(ref)
    s = Pair(ref, alice_to(ref, bob), bob)
    kind, msg = s.send("a", b"hi")
    pre = pqwire.parse_pq_pre_key_signal_message(msg)

    def rebuild(**changes: object) -> bytes:
        f = {**pre.__dict__, **changes}
        return pqwire.encode_pq_pre_key_signal_message(
            f["registration_id"],
            f["pre_key_id"],
            f["signed_pre_key_id"],
            f["kyber_pre_key_id"],
            f["kyber_ciphertext"],
            f["base_key"],
            f["identity_key"],
            f["message"],
        )

    assert rebuild() == msg
    kyber_fields = msg.rindex(b"\x38\x63")  # field 7 (id 99) then field 8, the last two
    cases: dict[type[ProtocolError], list[bytes]] = {
        InvalidMessage: [
            b"\x34" + msg[1:],  # version 3
            b"\x54" + msg[1:],  # version 5
            msg[:kyber_fields],  # neither Kyber id nor ciphertext
            msg[: kyber_fields + 2],  # no Kyber ciphertext
            msg[:kyber_fields] + msg[kyber_fields + 2 :],  # no Kyber id
            rebuild(kyber_ciphertext=pre.kyber_ciphertext[:-1]),
        ],
        InvalidKey: [
            rebuild(kyber_pre_key_id=98),
            rebuild(pre_key_id=30),
            rebuild(signed_pre_key_id=6),
            rebuild(kyber_ciphertext=b"\x05" + pre.kyber_ciphertext[1:]),
        ],
    }
    for error, bad in cases.items():
        for m in bad:
            with pytest.raises(error) as exc:
                ref.signal_pq_decrypt(bob, kind, m, r("x"), r("y", 64))
            assert exc.value.state == bob
    # another Kyber ciphertext decapsulates to another secret: the MAC fails
    with pytest.raises(AuthenticationFailed):
        ref.signal_pq_decrypt(
            bob,
            kind,
            rebuild(kyber_ciphertext=_flip(pre.kyber_ciphertext, 100)),
            r("x"),
            r("y", 64),
        )
    # a classic version-3 PreKeySignalMessage (X3DH, no Kyber) is refused
    classic = SignalReference(reference_primitives())
    cbob = classic.signal_party(
        r("bob identity"), 4242, 7, r("bob signed prekey"), r("z", 64), 31, r("bob prekey")
    )
    cb = classic.signal_bundle(cbob)
    calice = classic.signal_initiate(
        classic.signal_party(r("alice identity"), 1717, 1, r("alice spk"), r("z", 64), 0, b""),
        cb["registration_id"],
        cb["identity_key"],
        cb["signed_prekey_id"],
        cb["signed_prekey"],
        cb["signed_prekey_signature"],
        cb["prekey_id"],
        cb["prekey"],
        r("classic base"),
        r("classic ratchet"),
    )
    v3 = classic.signal_encrypt(calice, b"old")
    with pytest.raises(InvalidMessage):
        ref.signal_pq_decrypt(bob, v3["type"], v3["message"], r("x"), r("y", 64))


def test_another_identity_refused(ref: SignalPqReference) -> None:
    """Trust on first use, as libsignal's in-memory identity store: once Bob has decrypted from
    Alice, a PreKeySignalMessage under another identity key is InvalidKey."""
    bob = bob_party(ref, last_resort=True, with_prekey=False)
    s = Pair(ref, alice_to(ref, bob), bob)
    assert s.recv("b", s.send("a", b"hi")) == b"hi"
    mallory = ref.signal_pq_party(
        r("mallory identity"), 1, 1, r("m spk"), 0, b"", 1, kyber_secret("m"), True, r("m", 128)
    )
    b = ref.signal_pq_bundle(bob)
    mallory = ref.signal_pq_initiate(
        mallory,
        b["registration_id"],
        b["identity_key"],
        b["signed_prekey_id"],
        b["signed_prekey"],
        b["signed_prekey_signature"],
        b["prekey_id"],
        b["prekey"],
        b["kyber_prekey_id"],
        b["kyber_prekey"],
        b["kyber_prekey_signature"],
        r("m base"),
        r("m ratchet"),
        r("m kyber"),
        r("m pq", 64),
    )
    sent = ref.signal_pq_encrypt(mallory, b"it is me", r("m pq 2", 64))
    with pytest.raises(InvalidKey) as exc:
        ref.signal_pq_decrypt(s.parties["b"], sent["type"], sent["message"], r("x"), r("y", 64))
    assert exc.value.state == s.parties["b"]


def test_counter_too_far_ahead_refused(ref: SignalPqReference) -> None:
    """consts.rs MAX_FORWARD_JUMPS = 25 000, refused before any key is derived."""
    bob = bob_party(ref)
    s = Pair(ref, alice_to(ref, bob), bob)
    assert s.recv("b", s.send("a", b"hi")) == b"hi"
    doc = json.loads(s.parties["a"])
    doc["sessions"][0]["sender"][1][1] = 25_002  # the sending chain's index
    s.parties["a"] = json.dumps(doc, sort_keys=True, separators=(",", ":")).encode()
    with pytest.raises(InvalidMessage):
        s.recv("b", s.send("a", b"far"))


#: libsignal 0.103.0 Alice's first PreKeySignalMessage to bob_party(), "hello from libsignal";
#: her identity key is r("libsignal alice identity").
LIBSIGNAL_FIRST = bytes.fromhex(
    "44081f122105eafda8ecfeb04a1705434fd8f34ac366a069d0533dfeba817ac252c0472b083b1a2105082d13"
    "e0d846a981e16a1756dc2088c67a1bde610dd552771bc3fa0c51b8457a2279440a21054bae7e49fc17bdec03"
    "ee7aecbd2c3e6b490a6127fcbe9e61f44f259ef0b5672910001800222087655aa0c4dbe2b15727b9465563ea"
    "d9de0402a5fbbba08b37c57919c68c9d342a25010101010021b84e640bde676597ff5a646204f456710e284c"
    "3bc997524eaf51c382a6850cd762f23f8a12598d28b50d3007386342a10c08bd9b1da019b83b8a9097c54525"
    "ed5f22b6d190ce9a3696629d8814e4051776c8dfa4371e92f696ec8311c47e5f6b965a40e1ec055396b0ed54"
    "d38264f702cd15240c4d4f0ad30a1ade7b31e1dcd8cc8070784de0a1f696d366d79b9de3da2ae8d267281420"
    "87d2bef28cd00ef049d533250bf27e9fb47da05346429079c89daaab4151457ca9432f2224c44873cea75492"
    "6d51067cc99a97d2e5bc726743ab22663458b5a573436a2d7d6affbf3b62039b079714305de89cc11c2ae042"
    "ba76e05217fd3e8674f0859060bf9050e4ae664d13eb7a2a1cdd3f72c71e7f9ef2799638a54697e7a2ca1086"
    "16d46a651e303fa17436cf85340845e7ef3976eac339437a1b18c28aa8a63713c41e9b7e2c9138d04b25b80a"
    "1643420f53c25aab20d1ef1b416260a86e7205bbe99cf8a3736efa77273fb838c2ef7c3f1dab0dd6731ed213"
    "e28d8467c5a25e0b5a5696c8f5083965f3ff7ed4163883398421da747daf7dedfb8846fb92f7d57cd5de6f5a"
    "80b37ff12a0d55e8d8fa27833dc068e0b3b028e60f92a8e5371ec4ea58f12eb60b7cdf7cf9274f8e85ca2bad"
    "a80043b20dc8c4a6931866bc35fdae29828986e52e1fca17348642b7f8766f598dbd4cc3fa4e43d388dd4bef"
    "261b90c46fab0c527431c26ed4775c87ad6b44607e5a386fde38a680eb6d63fe226d134571b368a20b5c1c75"
    "dced0ec958f2192393ba5ad8658f81313871e0dc1d3d3b80e48debf9dd941a939cf76041dbd7490a5537bfd8"
    "79cc13a45b0ed989b150f7202defdcc26099904f212630a47a110ef10516a36402b4bbe1b87cf91663f79f9f"
    "523d5d9fbdcdd554932e01f5616c758d671bd889c9ed0a2961aefd545e45455b1c95695177874af13b7b75d4"
    "81ee81ab5bf9258079f0098c3ed6138b4fe5f858916c8eb9c5d1b02b7f24de87458b69db9842694f72c91a80"
    "b3baf8fbefeeb5f648e3660508f572b606d15b40542e8f69709b15b9210f02c460915203344b910e8a40b379"
    "734e68eb1a3748c5a07f63bd04f4418bd592fd4053333313db30f15e96b43fc1a86964891a4f094360c76a15"
    "d4b673f2341d92cbb2120374373e470b4fa65ca9c998c6c2dc8aaeec7b71bf35110fbea8e22f1389284abfd0"
    "1e18ca37940cd835ec041654dcd5c433b2b588f8646e2cdbf85b3ef018917b266e51fee6b56c01ec2d533129"
    "529353899d5f406d29f8ec696ea9e5393140fc09591f26a08b02840252de8b78863c7aca427ed62a5f3fb3cf"
    "7685aff26d33e35f8a704b886e6903387ca0119406356648c4ea63242cb33a3c51c717250149eebcc0fc237c"
    "78cae535d9f708e37d7e7812e8b71c27c4b2c3e8817debb28cbe9e50d0d6c46b6379e72f81dc06a6a90e2826"
    "1d92f7b8a9c4b1c979e86a219f8f125412b727cd8e6587d02abb630d9efb14c72e8e40a5223d6f395f2808a5"
    "eb5453be7442fd3bd44100fda1a954a96adc02860c9f812f492de8e3512adb1c646f1ca6119f587383ff2922"
    "2c930412cff8845586cb8b626095c1bacb69e35dc5ee234f14e4897ae85cfc456b44320e1ff81df93c65d7e6"
    "0ea22cda2b63194c55e9f66714c0b7f9c25390be620b48c50a1e8ffb6f57d66f34bd1a5783631de92a08ff87"
    "5473b7ef7c1ff04115e7ff134caee9ea1a367517f5b886e1801af49a0dd5e5dc28cac6966a8072ba9a327085"
    "591cfa274986f45f113ba1f5985c4f73fa78e2ee8059793fe9a474f3a65d955e90c41a5dee96113912972740"
    "d2f971217c258340655b4e7ae3fe85b1fa18ba4c976d269b29325342eb6bcf33a1f7c7f00d981e41d7952720"
    "8f2e1abb6d31888dc7d06a73a14ab7c9794066ec7e309c2fcb37377da6e27e1945e441f853ec0b8863e4fe97"
    "088f0afea35ae8212b42416c462490d85e70c3a0944695a68c62f90e2616a2b48160cf4f273cb227ea10b437"
    "bcc3b523c4b7804a17c36d9be0f6e3c782adcd976dd5b1230142e07258c4ef789b2448844892fdcc2f6e78b5"
    "5909bb7d9c04879f70eb2d0eb57c757c8a59aa566032a033a117078196d9ba2e11af82eb708f20521810ccdf"
    "e989c15061c4c8035f7704cf09fbdaea4b2c8bdc4f66f2c053e4bb336f0683b8e39cb03db420916751b662a5"
    "98beff572a8479f496a3cbdfa69066b16590d288db19c1faf6aa277499d484e736a7a2c0c5775912f8fd46c9"
    "e6f9860b2fdb82d9c62c7eb0eee4fd"
)
#: The SignalMessage inside her second PreKeySignalMessage ("second"); the rest of that message
#: is the first one's (same pre-key ids, base key, identity key and Kyber ciphertext).
LIBSIGNAL_SECOND_INNER = bytes.fromhex(
    "440a21054bae7e49fc17bdec03ee7aecbd2c3e6b490a6127fcbe9e61f44f259ef0b56729100118002210b301"
    "417268ed2b7e46532503a2473d252a2501010201016a56328a822e77e556f5b9f8b1be38c86cdc969c903a89"
    "e7a840b3548e624c339dd9e9f92d10dd47"
)


def test_libsignal_first_flight(ref: SignalPqReference) -> None:
    first = pqwire.parse_pq_pre_key_signal_message(LIBSIGNAL_FIRST)
    assert LIBSIGNAL_FIRST[0] == 0x44
    assert (first.registration_id, first.pre_key_id, first.signed_pre_key_id) == (1717, 31, 7)
    assert first.kyber_pre_key_id == 99
    assert len(first.kyber_ciphertext) == 1569
    assert first.kyber_ciphertext[0] == 0x08
    alice = reference_primitives().curve25519_public(r("libsignal alice identity"))
    assert first.identity_key == alice
    # the reference's encoders give libsignal's bytes back
    assert (
        pqwire.encode_pq_pre_key_signal_message(
            first.registration_id,
            first.pre_key_id,
            first.signed_pre_key_id,
            first.kyber_pre_key_id,
            first.kyber_ciphertext,
            first.base_key,
            first.identity_key,
            first.message,
        )
        == LIBSIGNAL_FIRST
    )
    inner = pqwire.parse_pq_signal_message(first.message)
    body = pqwire.encode_pq_signal_message_body(
        inner.ratchet_key, inner.counter, inner.previous_counter, inner.ciphertext, inner.pq_ratchet
    )
    assert body + inner.mac == first.message
    assert len(inner.pq_ratchet) == 37
    assert inner.pq_ratchet[0] == 1  # SPQR V1
    second = pqwire.encode_pq_pre_key_signal_message(
        first.registration_id,
        first.pre_key_id,
        first.signed_pre_key_id,
        first.kyber_pre_key_id,
        first.kyber_ciphertext,
        first.base_key,
        first.identity_key,
        LIBSIGNAL_SECOND_INNER,
    )

    bob = bob_party(ref)
    tampered = LIBSIGNAL_FIRST[:-1] + bytes([LIBSIGNAL_FIRST[-1] ^ 0x80])
    with pytest.raises(AuthenticationFailed):
        ref.signal_pq_decrypt(bob, 3, tampered, r("x"), r("y", 64))
    out = ref.signal_pq_decrypt(bob, 3, second, r("bob ratchet"), r("y", 64))  # out of order
    assert out["plaintext"] == b"second"
    out = ref.signal_pq_decrypt(out["party"], 3, LIBSIGNAL_FIRST, r("x"), r("y", 64))
    assert out["plaintext"] == b"hello from libsignal"
    state = json.loads(out["party"])
    assert state["prekeys"] == []  # the one-time EC pre-key is gone
    assert state["kyber_prekeys"] == []  # and the one-time Kyber pre-key
    with pytest.raises(DuplicateMessage):
        ref.signal_pq_decrypt(out["party"], 3, LIBSIGNAL_FIRST, r("x"), r("y", 64))
    # Bob answers on the same session: a SignalMessage
    reply = ref.signal_pq_encrypt(out["party"], b"hi libsignal", r("bob pq", 64))
    assert reply["type"] == 2
