"""Every known-answer check kind can fail: one table, one row per broken variant.

A row names a check kind (a vector group type of :data:`conformance.checks.CHECKS`), a vector
file of that kind, the healthy implementation and a deliberately broken copy of it (named
Mock*: a subclass of the suite's reference with one behaviour changed, or a wrapper around a
bundled adapter's real object), and the case that must catch it. The test runs the file twice:
the healthy implementation passes every case, the broken one fails, and fails on that case.

``test_every_check_kind_has_a_broken_variant`` keeps the table complete: a new check kind
without a row fails it.

Check kinds that had no broken-variant test before this table (each one's check replaced by one
that always passes, every earlier test stayed green): ``SenderKeyTest``, ``FingerprintTest`` and
``MegolmSession``. The others were caught, some by a single test (``IndCpaTest``, ``OlmSession``,
``OlmReceive``, ``MegolmReceive``, ``X3dhTest``, ``XdhIterated``); each has a row here too.
Rows marked xfail name what a check kind cannot catch yet, for want of a vector case.
"""

from __future__ import annotations

from collections.abc import Callable

import pytest
from helpers import (
    MockAeadSwallowsTagFailure,
    MockCbcIgnoresPadding,
    MockFlippedOutput,
    MockHkdfIgnoresInfo,
    MockHmacPrefixVerify,
    MockLenientEd25519Verifier,
    adapter_from,
    outcomes,
    real,
    reference_primitives,
    run_file,
)
from katbreak import Caps, KatBreak
from mls_breaks import MLS_BREAKS
from pq_breaks import PQ_BREAKS
from signal_pq_breaks import SIGNAL_PQ_BREAKS

from conformance import loader
from conformance.capabilities.megolm import MegolmEncrypted
from conformance.capabilities.olm import OlmInbound
from conformance.capabilities.signal import SignalGroupDecrypted
from conformance.checks import CHECKS
from conformance.errors import InvalidMessage
from conformance.reference import olm_wire, signal_wire
from conformance.reference.fingerprint import (
    SignalFingerprintReference,
    displayable_half,
)
from conformance.reference.hpke import HpkeReference
from conformance.reference.megolm import MegolmReference
from conformance.reference.olm import OlmLimits, OlmReference
from conformance.reference.olm import SkippedKey as OlmSkippedKey
from conformance.reference.primitives import Primitives
from conformance.reference.sender_keys import (
    SenderMessageKey,
    SignalGroupReference,
    _dump,
    _load,
    _State,
)
from conformance.reference.signal import SignalLimits, SignalReference, X3dhReference
from conformance.reference.signal import SkippedKey as SignalSkippedKey
from conformance.resources import vectors_dir
from conformance.results import CheckResult
from conformance.vectortypes import VECTOR_TYPES

# --- broken variants: sender keys (libsignal group_cipher.rs, protocols.md 1.7) --------------


class MockSenderKeyChainStuck(SignalGroupReference):
    """The sender chain key never advances (``SenderChainKey::next`` returns its input), so
    every message of the chain is encrypted with the same message key. Breaks protocols.md 1.7:
    next chain key = HMAC-SHA-256(chain key, 0x02)."""

    def next_chain_key(self, chain_key: bytes) -> bytes:
        return chain_key


class MockSenderKeySignatureNotChecked(SignalGroupReference):
    """Decrypts a SenderKeyMessage without verifying its XEdDSA signature. Breaks libsignal
    ``group_decrypt``: the signature is checked before any key is derived (without it, any
    member holding the chain key can forge messages as the sender)."""

    def signal_group_decrypt(self, state: bytes, message: bytes) -> SignalGroupDecrypted:
        s = _load(state)
        msg = signal_wire.parse_sender_key_message(message)
        if msg.key_id != s.key_id:
            raise InvalidMessage(f"no sender-key state for id {msg.key_id}")
        key = self._key_for(s, msg.iteration)
        plaintext = self.p.cbc.aes_256_cbc_decrypt(key.cipher_key, key.iv, msg.ciphertext, True)
        return {"state": _dump(s), "plaintext": plaintext}


class MockSenderKeyAcceptsReplay(SignalGroupReference):
    """Keeps every message key it used among the skipped ones, so an iteration already
    decrypted decrypts again. Breaks libsignal ``get_sender_key``: a used or passed iteration
    is DuplicateMessage."""

    def _key_for(self, s: _State, iteration: int) -> SenderMessageKey:
        key = super()._key_for(s, iteration)
        s.skipped.append((key.iteration, key.seed))
        return key


class MockSenderKeyNoJumpLimit(SignalGroupReference):
    """No limit on how far ahead an iteration may jump: a message claiming an iteration far
    ahead makes it derive (and store) every key in between. Breaks protocols.md 1.5 /
    libsignal ``consts.rs`` MAX_FORWARD_JUMPS (25,000: further is InvalidMessage)."""

    def __init__(self, primitives: Primitives) -> None:
        super().__init__(primitives, SignalLimits(max_forward_jumps=10**9))


# --- broken variants: safety numbers (libsignal fingerprint.rs, protocols.md 1.8) ------------


class MockFingerprintFlippedBit(SignalFingerprintReference):
    """Hashes the identity key with its lowest bit flipped (one bit of the input wrong).
    Breaks protocols.md 1.8: h_0 = SHA-512(version || key || id), h_i = SHA-512(h_i-1 || key)."""

    def half(self, iterations: int, key: bytes, stable_id: bytes) -> str:
        return displayable_half(iterations, key[:-1] + bytes([key[-1] ^ 0x01]), stable_id)


class MockFingerprintIterationsOffByOne(SignalFingerprintReference):
    """Hashes one time fewer than asked (a loop that counts h_0 as an iteration). Breaks
    libsignal ``NumericFingerprintGenerator``: exactly ``iterations`` SHA-512 hashes."""

    def half(self, iterations: int, key: bytes, stable_id: bytes) -> str:
        return displayable_half(iterations - 1, key, stable_id)


class MockFingerprintAcceptsAnything(SignalFingerprintReference):
    """Checks neither the iteration count nor the identity keys' encoding (a 33-byte key
    starting with the 0x05 type byte). Breaks libsignal ``fingerprint.rs`` (iterations in
    2..=1,000,000; ``PublicKey::deserialize`` refuses other keys)."""

    def check_inputs(self, iterations: int, local_key: bytes, remote_key: bytes) -> None:
        return None


class MockFingerprintUnsorted(SignalFingerprintReference):
    """Puts the local half first instead of the smaller one, so the two sides of a
    conversation see different numbers. Breaks libsignal ``DisplayableFingerprint``: the
    smaller half comes first."""

    def ordered(self, local: str, remote: str) -> str:
        return local + remote


# --- broken variants: Olm (libolm docs/olm.md) -----------------------------------------------


class MockOlmChainKeyStuck(OlmReference):
    """C_i,j+1 = C_i,j: the chain key never advances. Breaks docs/olm.md "Advancing the chain
    key": C_i,j = HMAC(C_i,j-1, 0x02)."""

    def next_chain_key(self, chain_key: bytes) -> bytes:
        return chain_key


class MockOlmMacNotChecked(OlmReference):
    """Never checks the 8-byte MAC. Breaks docs/olm.md "Olm Authenticated Encryption"."""

    def verify_mac(self, mac_key: bytes, body: bytes, mac: bytes) -> None:
        return None


class MockOlmKeepsUsedKeys(OlmReference):
    """Never forgets a skipped message key once it has decrypted its message. Breaks
    docs/olm.md "Decrypting messages" (a used key is discarded): replays decrypt."""

    def consume_message_key(
        self, skipped: list[OlmSkippedKey], used: OlmSkippedKey
    ) -> list[OlmSkippedKey]:
        return skipped


class MockOlmNoGapLimit(OlmReference):
    """No limit on how far ahead a chain index may jump (libolm's MAX_MESSAGE_GAP is 2000):
    a forged index makes it derive keys without bound."""

    def __init__(self, primitives: Primitives) -> None:
        super().__init__(primitives, OlmLimits(max_message_gap=10**9))


class MockOlmIdentityFieldNotChecked(OlmReference):
    """Takes the sender's identity key from the caller and never compares it with the one
    the pre-key message carries. Breaks docs/olm.md "Pre-key messages": the message names
    Alice's identity key I_A, and a session is only made for the identity it names."""

    def olm_inbound(self, account: bytes, identity_key: bytes, message: bytes) -> OlmInbound:
        pre = olm_wire.parse_pre_key_message(message)
        rewritten = olm_wire.encode_pre_key_message(
            pre.one_time_key, pre.base_key, identity_key, pre.message
        )
        return super().olm_inbound(account, identity_key, rewritten)


# --- broken variants: Megolm (libolm docs/megolm.md) -----------------------------------------


class MockMegolmRatchetStuck(MegolmReference):
    """Encrypts every message at the same ratchet index: the ratchet is never advanced after a
    message. Breaks docs/megolm.md "Advancing the ratchet" (key reuse across messages)."""

    def megolm_encrypt(self, session: bytes, plaintext: bytes) -> MegolmEncrypted:
        out = super().megolm_encrypt(session, plaintext)
        return {"session": session, "message": out["message"]}


class MockMegolmMacNotChecked(MegolmReference):
    """Never checks a message's 8-byte MAC. Breaks docs/megolm.md "Message format"."""

    def verify_mac(self, mac_key: bytes, body: bytes, mac: bytes) -> None:
        return None


class MockMegolmSignatureNotChecked(MegolmReference):
    """Never checks an Ed25519 signature, of a message or of a session key. Breaks
    docs/megolm.md "Message format" and "Session-sharing format"."""

    def verify_signature(self, public: bytes, message: bytes, signature: bytes) -> None:
        return None


class MockMegolmExportIgnoresIndex(MegolmReference):
    """Exports the first ratchet it knows whatever index it is asked for. Breaks
    docs/megolm.md "Session export format": the export holds the ratchet at the given index
    (and nothing before it)."""

    def megolm_export(self, session: bytes, index: int) -> bytes:
        initial, _, signing_key, _ = self._inbound(session)
        return olm_wire.encode_megolm_export(initial.counter, initial.data, signing_key)


# --- broken variants: Signal (X3DH, Double Ratchet, protocols.md) ----------------------------


class MockSignalNoDh3(SignalReference):
    """X3DH without DH3 = DH(EK_A, SPK_B). Breaks Signal X3DH §3.3: SK = KDF(DH1 || DH2 ||
    DH3 || DH4)."""

    def x3dh_secret(self, dh1: bytes, dh2: bytes, dh3: bytes, dh4: bytes | None) -> bytes:
        return super().x3dh_secret(dh1, dh2, b"", dh4)


class MockSignalMacNotChecked(SignalReference):
    """Never checks a SignalMessage's MAC. Breaks protocols.md 1.4 and Double Ratchet §5.2."""

    def verify_mac(self, mac_key: bytes, data: bytes, mac: bytes) -> None:
        return None


class MockSignalKeepsSkippedKeys(SignalReference):
    """Never deletes a skipped message key once used. Breaks Double Ratchet §3.5 (and
    libsignal DuplicatedMessage): a replay from a skipped key decrypts."""

    def consume_message_key(
        self, skipped: list[SignalSkippedKey], used: SignalSkippedKey
    ) -> list[SignalSkippedKey]:
        return skipped


class MockX3dhNoDh3(X3dhReference):
    """X3DH alone, without DH3 (X3DH §3.3)."""

    def x3dh_secret(self, dh1: bytes, dh2: bytes, dh3: bytes, dh4: bytes | None) -> bytes:
        return super().x3dh_secret(dh1, dh2, b"", dh4)


# --- the table -------------------------------------------------------------------------------


def _p() -> Primitives:
    return reference_primitives()


def _real(capability: str, source: str = "cryptography") -> Callable[[], Caps]:
    return lambda: {capability: real(capability, source)}


def _wrapped(
    capability: str, wrap: Callable[[object], object], source: str = "cryptography"
) -> Callable[[], Caps]:
    return lambda: {capability: wrap(real(capability, source))}


def _cbc_hmac(broken: bool) -> Callable[[], Caps]:
    def caps() -> Caps:
        out: Caps = {c: real(c) for c in ("hkdf-sha256", "aes-256-cbc", "hmac-sha256")}
        if broken:
            out["hmac-sha256"] = MockFlippedOutput(out["hmac-sha256"], "hmac_sha256")
        return out

    return caps


def _olm(cls: type[OlmReference]) -> Callable[[], Caps]:
    return lambda: {"olm": cls(_p()), "olm:fixed-randomness": object()}


def _megolm(cls: type[MegolmReference]) -> Callable[[], Caps]:
    return lambda: {"megolm": cls(_p())}


def _signal(cls: type[SignalReference]) -> Callable[[], Caps]:
    return lambda: {"signal": cls(_p()), "signal:fixed-randomness": object()}


def _group(cls: type[SignalGroupReference]) -> Callable[[], Caps]:
    return lambda: {"signal-group": cls(_p())}


def _fingerprint(cls: type[SignalFingerprintReference]) -> Callable[[], Caps]:
    return lambda: {"signal-fingerprint": cls()}


def _x3dh(cls: type[X3dhReference]) -> Callable[[], Caps]:
    return lambda: {"x3dh": cls(_p())}


def _hpke(method: str | None) -> Callable[[], Caps]:
    def caps() -> Caps:
        impl: object = HpkeReference()
        return {"hpke": impl if method is None else MockFlippedOutput(impl, method)}

    return caps


P = "primitives/"
KAT_BREAKS: list[KatBreak] = [
    # primitives (more variants of these kinds: tests/test_checks_catch_broken.py)
    KatBreak(
        "XdhComp",
        P + "x25519_test.json",
        _real("x25519"),
        _wrapped("x25519", lambda r: MockFlippedOutput(r, "x25519")),
        None,
        "MockFlippedOutput(x25519)",
    ),
    KatBreak(
        "XdhIterated",
        P + "x25519_iterated_test.json",
        _real("x25519"),
        _wrapped("x25519", lambda r: MockFlippedOutput(r, "x25519")),
        None,
        "MockFlippedOutput(x25519)",
    ),
    KatBreak(
        "EddsaVerify",
        P + "ed25519_test.json",
        _real("ed25519", "pynacl"),
        _wrapped("ed25519", MockLenientEd25519Verifier, "pynacl"),
        "SignatureMalleability",
        "MockLenientEd25519Verifier",
    ),
    KatBreak(
        "HkdfTest",
        P + "hkdf_sha256_test.json",
        _real("hkdf-sha256"),
        _wrapped("hkdf-sha256", MockHkdfIgnoresInfo),
        None,
        "MockHkdfIgnoresInfo",
    ),
    KatBreak(
        "MacTest",
        P + "hmac_sha256_test.json",
        _real("hmac-sha256"),
        _wrapped("hmac-sha256", MockHmacPrefixVerify),
        "TruncatedTag",
        "MockHmacPrefixVerify",
    ),
    KatBreak(
        "AeadTest",
        P + "chacha20_poly1305_test.json",
        _real("aead:chacha20-poly1305"),
        _wrapped("aead:chacha20-poly1305", MockAeadSwallowsTagFailure),
        "ModifiedTag",
        "MockAeadSwallowsTagFailure",
    ),
    KatBreak(
        "IndCpaTest",
        P + "aes_256_cbc_test.json",
        _real("aes-256-cbc"),
        _wrapped("aes-256-cbc", MockCbcIgnoresPadding),
        "BadPadding",
        "MockCbcIgnoresPadding",
    ),
    KatBreak(
        "CbcHmacTest",
        P + "aes_256_cbc_hmac_sha256_test.json",
        _cbc_hmac(False),
        _cbc_hmac(True),
        None,
        "MockFlippedOutput(hmac_sha256)",
    ),
    # HPKE (more variants: tests/test_hpke.py)
    KatBreak(
        "HpkeTest",
        "hpke/hpke_test.json",
        _hpke(None),
        _hpke("hpke_open"),
        None,
        "MockFlippedOutput(hpke_open)",
    ),
    KatBreak(
        "HpkeExport",
        "hpke/hpke_export_test.json",
        _hpke(None),
        _hpke("hpke_export"),
        None,
        "MockFlippedOutput(hpke_export)",
    ),
    # Olm
    KatBreak(
        "OlmSession",
        "olm/olm_session_test.json",
        _olm(OlmReference),
        _olm(MockOlmChainKeyStuck),
        "chain keys at indices 0 to 24",
        "MockOlmChainKeyStuck",
    ),
    KatBreak(
        "OlmSession",
        "olm/olm_session_test.json",
        _olm(OlmReference),
        _olm(MockOlmMacNotChecked),
        "Bob's first reply with a bit of its MAC flipped",
        "MockOlmMacNotChecked",
    ),
    KatBreak(
        "OlmReceive",
        "olm/olm_receive_test.json",
        _olm(OlmReference),
        _olm(MockOlmKeepsUsedKeys),
        "a message decrypted from a skipped key, delivered twice",
        "MockOlmKeepsUsedKeys",
    ),
    KatBreak(
        "OlmReceive",
        "olm/olm_receive_test.json",
        _olm(OlmReference),
        _olm(MockOlmNoGapLimit),
        "chain index 2002 right after index 0",
        "MockOlmNoGapLimit",
    ),
    KatBreak(
        "OlmReceive",
        "olm/olm_receive_test.json",
        _olm(OlmReference),
        _olm(MockOlmIdentityFieldNotChecked),
        "a pre-key message with a bit of its identity key flipped",
        "MockOlmIdentityFieldNotChecked",
    ),
    # Megolm
    KatBreak(
        "MegolmSession",
        "megolm/megolm_session_test.json",
        _megolm(MegolmReference),
        _megolm(MockMegolmRatchetStuck),
        "libolm's test ratchet: session key, five messages",
        "MockMegolmRatchetStuck",
    ),
    KatBreak(
        "MegolmReceive",
        "megolm/megolm_receive_test.json",
        _megolm(MegolmReference),
        _megolm(MockMegolmMacNotChecked),
        "message 4 with a bit of the MAC flipped, re-signed",
        "MockMegolmMacNotChecked",
    ),
    KatBreak(
        "MegolmReceive",
        "megolm/megolm_receive_test.json",
        _megolm(MegolmReference),
        _megolm(MockMegolmSignatureNotChecked),
        "a session key with a bit of its signature flipped",
        "MockMegolmSignatureNotChecked",
    ),
    KatBreak(
        "MegolmReceive",
        "megolm/megolm_receive_test.json",
        _megolm(MegolmReference),
        _megolm(MockMegolmExportIgnoresIndex),
        "libolm's test ratchet exported at index 0x1041506",
        "MockMegolmExportIgnoresIndex",
    ),
    # Signal
    KatBreak(
        "SignalSession",
        "signal/signal_session_test.json",
        _signal(SignalReference),
        _signal(MockSignalNoDh3),
        "pre-key message, then Bob's first reply",
        "MockSignalNoDh3",
    ),
    KatBreak(
        "SignalSession",
        "signal/signal_session_test.json",
        _signal(SignalReference),
        _signal(MockSignalMacNotChecked),
        "Bob's first reply with a bit of its MAC flipped",
        "MockSignalMacNotChecked",
    ),
    KatBreak(
        "SignalReceive",
        "signal/signal_receive_test.json",
        _signal(SignalReference),
        _signal(MockSignalKeepsSkippedKeys),
        "a message decrypted from a skipped key, delivered twice",
        "MockSignalKeepsSkippedKeys",
    ),
    KatBreak(
        "SignalReceive",
        "signal/signal_receive_test.json",
        _signal(SignalReference),
        _signal(MockSignalMacNotChecked),
        "the second pre-key message with a bit of its MAC flipped",
        "MockSignalMacNotChecked",
    ),
    KatBreak(
        "SenderKeyTest",
        "signal/sender_key_test.json",
        _group(SignalGroupReference),
        _group(MockSenderKeyChainStuck),
        "four messages from iteration 0, decrypted out of order",
        "MockSenderKeyChainStuck",
    ),
    KatBreak(
        "SenderKeyTest",
        "signal/sender_key_test.json",
        _group(SignalGroupReference),
        _group(MockSenderKeySignatureNotChecked),
        "from iteration 7: a message whose signature has a bit flipped",
        "MockSenderKeySignatureNotChecked",
    ),
    KatBreak(
        "SenderKeyTest",
        "signal/sender_key_test.json",
        _group(SignalGroupReference),
        _group(MockSenderKeyAcceptsReplay),
        "from iteration 0: a message delivered twice",
        "MockSenderKeyAcceptsReplay",
    ),
    KatBreak(
        "SenderKeyTest",
        "signal/sender_key_test.json",
        _group(SignalGroupReference),
        _group(MockSenderKeyNoJumpLimit),
        None,
        "MockSenderKeyNoJumpLimit",
        xfail=(
            "sender_key_test.json has no case with an iteration more than MAX_FORWARD_JUMPS "
            "(25,000) ahead (signal_receive_test.json has one for SignalMessages: CounterJump), "
            "and no sender-key property forges one"
        ),
    ),
    KatBreak(
        "FingerprintTest",
        "signal/fingerprint_test.json",
        _fingerprint(SignalFingerprintReference),
        _fingerprint(MockFingerprintFlippedBit),
        "libsignal's test identities",
        "MockFingerprintFlippedBit",
    ),
    KatBreak(
        "FingerprintTest",
        "signal/fingerprint_test.json",
        _fingerprint(SignalFingerprintReference),
        _fingerprint(MockFingerprintIterationsOffByOne),
        "libsignal's test identities",
        "MockFingerprintIterationsOffByOne",
    ),
    KatBreak(
        "FingerprintTest",
        "signal/fingerprint_test.json",
        _fingerprint(SignalFingerprintReference),
        _fingerprint(MockFingerprintUnsorted),
        None,
        "MockFingerprintUnsorted",
    ),
    KatBreak(
        "FingerprintTest",
        "signal/fingerprint_test.json",
        _fingerprint(SignalFingerprintReference),
        _fingerprint(MockFingerprintAcceptsAnything),
        None,
        "MockFingerprintAcceptsAnything",
        xfail=(
            "fingerprint_test.json has valid cases only: no iteration count out of range and no "
            "identity key that is not 33 bytes with the 0x05 type byte, so a FingerprintTest "
            "never sees a refusal"
        ),
    ),
    KatBreak(
        "X3dhTest",
        "signal/x3dh_test.json",
        _x3dh(X3dhReference),
        _x3dh(MockX3dhNoDh3),
        "keys 1, without a one-time pre-key",
        "MockX3dhNoDh3",
    ),
    *PQ_BREAKS,
    *SIGNAL_PQ_BREAKS,
    *MLS_BREAKS,
]


def _param(b: KatBreak) -> object:
    marks = [pytest.mark.xfail(strict=True, reason=b.xfail)] if b.xfail else []
    return pytest.param(b, id=f"{b.kind}-{b.name}", marks=marks)


def _run(b: KatBreak, caps: Caps, name: str) -> list[CheckResult]:
    path = vectors_dir() / b.file
    return run_file(path.name, adapter_from(name, caps), path.parent)


@pytest.mark.parametrize("b", [_param(b) for b in KAT_BREAKS])
def test_the_check_kind_catches_the_broken_variant(b: KatBreak) -> None:
    good = _run(b, b.healthy(), "healthy")
    assert good, b.file
    assert outcomes(good) == {"pass": len(good)}, [
        (r.comment, r.outcome, r.detail) for r in good if r.outcome != "pass"
    ][:3]

    bad = _run(b, b.broken(), b.name)
    assert not outcomes(bad).get("error"), [r.detail for r in bad if r.outcome == "error"][:3]
    failed = [r for r in bad if r.outcome == "fail"]
    assert failed, f"{b.kind}: {b.name} passed every case of {b.file}"
    assert all(r.detail for r in failed)
    if b.caught_by is not None:
        assert any(b.caught_by in (r.comment or "") or b.caught_by in r.flags for r in failed), (
            b.caught_by,
            [r.comment for r in failed],
        )


def test_every_check_kind_has_a_broken_variant() -> None:
    caught = {b.kind for b in KAT_BREAKS if b.xfail is None}
    assert set(CHECKS) == set(VECTOR_TYPES)
    missing = sorted(set(CHECKS) - caught)
    assert not missing, f"check kinds without a broken variant that is caught: {missing}"
    assert {b.kind for b in KAT_BREAKS} <= set(CHECKS)


@pytest.mark.parametrize("file", sorted({b.file for b in KAT_BREAKS}))
def test_each_file_in_the_table_holds_only_its_kind(file: str) -> None:
    # So a row's verdicts are those of its check kind and of no other.
    kinds = {b.kind for b in KAT_BREAKS if b.file == file}
    assert len(kinds) == 1, (file, kinds)
    assert {g.type.name for g in loader.load(vectors_dir() / file).groups} == kinds
