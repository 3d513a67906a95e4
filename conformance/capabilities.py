"""One small typed interface per capability.

An adapter implements a subset and declares it. Every method takes and returns ``bytes`` and
rejects bad input by raising one of :mod:`conformance.errors`' neutral kinds.

Composite capabilities are built by the suite's reference code from capabilities the adapter does
declare (so they are never guessed); ``aes-256-cbc-hmac-sha256`` is the Double Ratchet's
recommended ENCRYPT over ``hkdf-sha256``, ``aes-256-cbc`` and ``hmac-sha256``.

``hpke`` (RFC 9180) is a family of its own: one interface over the ciphersuites named by their
IANA identifiers, with every random choice (the ephemeral key) injected by the caller.

``olm`` and ``megolm`` are stateful. Their state travels as opaque bytes that the adapter alone
understands (its pickle, say): every operation takes the state it works on and returns the new
state, and never changes the one it was given. That makes state export and import the normal
way of working, so a check can keep a snapshot of a party and try it again later. Operations
that return several values return a JSON object (a ``TypedDict`` here).

A marker capability has no methods: ``olm:fixed-randomness`` declares that the adapter's ``olm``
operations use the random values the suite passes in, byte for byte, so its messages can be
compared with known answers. An adapter whose library draws its own randomness (vodozemac) still
declares ``olm`` and takes part in every receive-side and pair check.
"""

from __future__ import annotations

import inspect
import typing
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cache
from types import MappingProxyType
from typing import Protocol, TypedDict, is_typeddict, runtime_checkable

__all__ = [
    "CAPABILITIES",
    "COMPOSITES",
    "HPKE_MODES",
    "HPKE_SUITES",
    "X25519",
    "Aead",
    "Aes256Cbc",
    "Ed25519",
    "FixedRandomness",
    "HkdfSha256",
    "HmacSha256",
    "Hpke",
    "Megolm",
    "MegolmDecrypted",
    "MegolmEncrypted",
    "Olm",
    "OlmDecrypted",
    "OlmEncrypted",
    "OlmInbound",
    "OlmKey",
    "Operation",
    "Signal",
    "SignalBundle",
    "SignalDecrypted",
    "SignalEncrypted",
    "SignalFingerprint",
    "SignalGroup",
    "SignalGroupCreated",
    "SignalGroupDecrypted",
    "SignalGroupEncrypted",
    "X3dh",
    "family_of",
    "interface_of",
    "is_marker",
    "operations",
]


@runtime_checkable
class X25519(Protocol):
    """RFC 7748 §5: the X25519 function."""

    def x25519(self, private: bytes, public: bytes) -> bytes:
        """X25519(private, public). Raise InvalidKey to refuse an input (e.g. an all-zero result)."""
        ...


@runtime_checkable
class Ed25519(Protocol):
    """RFC 8032 §5.1: Ed25519 key generation, signing and verification."""

    def ed25519_public_key(self, private: bytes) -> bytes:
        """The encoded public key of a 32-byte private seed (§5.1.5)."""
        ...

    def ed25519_sign(self, private: bytes, message: bytes) -> bytes:
        """The 64-byte signature (§5.1.6)."""
        ...

    def ed25519_verify(self, public: bytes, message: bytes, signature: bytes) -> None:
        """Return on success; raise InvalidSignature (or InvalidKey) otherwise (§5.1.7)."""
        ...


@runtime_checkable
class HkdfSha256(Protocol):
    """RFC 5869 §2: HKDF with SHA-256."""

    def hkdf_sha256(self, ikm: bytes, salt: bytes, info: bytes, length: int) -> bytes:
        """Extract then expand; raise InvalidInput when ``length`` > 255 * HashLen."""
        ...


@runtime_checkable
class HmacSha256(Protocol):
    """RFC 2104 HMAC with SHA-256."""

    def hmac_sha256(self, key: bytes, message: bytes) -> bytes:
        """The full 32-byte MAC."""
        ...

    def hmac_sha256_verify(self, key: bytes, message: bytes, tag: bytes) -> None:
        """Check a full 32-byte tag in constant time; raise AuthenticationFailed otherwise."""
        ...


@runtime_checkable
class Aead(Protocol):
    """RFC 5116 §2 interface: the ciphertext carries the tag at its end."""

    def encrypt(self, key: bytes, nonce: bytes, plaintext: bytes, aad: bytes) -> bytes: ...

    def decrypt(self, key: bytes, nonce: bytes, ciphertext: bytes, aad: bytes) -> bytes:
        """Raise AuthenticationFailed on a bad tag, InvalidInput on a bad key or nonce size."""
        ...


@runtime_checkable
class Aes256Cbc(Protocol):
    """NIST SP 800-38A §6.2 CBC mode with AES-256; PKCS#7 padding (RFC 5652 §6.3) when asked."""

    def aes_256_cbc_encrypt(
        self, key: bytes, iv: bytes, plaintext: bytes, padding: bool
    ) -> bytes: ...

    def aes_256_cbc_decrypt(self, key: bytes, iv: bytes, ciphertext: bytes, padding: bool) -> bytes:
        """Raise InvalidMessage on bad padding or a length that is not a multiple of 16."""
        ...


#: RFC 9180 §5 modes: mode_base, mode_psk, mode_auth, mode_auth_psk.
HPKE_MODES: dict[int, str] = {0: "Base", 1: "PSK", 2: "Auth", 3: "AuthPSK"}

#: The ciphersuites (kem_id, kdf_id, aead_id) that an adapter declaring ``hpke`` supports, with
#: their RFC 9180 names (§7.1-7.3) and the Appendix A section of their test vectors.
HPKE_SUITES: dict[tuple[int, int, int], tuple[str, str]] = {
    (0x0020, 0x0001, 0x0001): ("DHKEM(X25519, HKDF-SHA256), HKDF-SHA256, AES-128-GCM", "A.1"),
    (0x0020, 0x0001, 0x0003): ("DHKEM(X25519, HKDF-SHA256), HKDF-SHA256, ChaCha20Poly1305", "A.2"),
}


@runtime_checkable
class Hpke(Protocol):
    """RFC 9180 Hybrid Public Key Encryption through its single-shot APIs (§6).

    A ciphersuite is named by its IANA identifiers: ``kem_id`` (0x0020 DHKEM(X25519,
    HKDF-SHA256)), ``kdf_id`` (0x0001 HKDF-SHA256) and ``aead_id`` (0x0001 AES-128-GCM, 0x0003
    ChaCha20Poly1305); declaring ``hpke`` means supporting every suite in :data:`HPKE_SUITES` in
    all four modes. ``mode`` is 0 (Base), 1 (PSK), 2 (Auth) or 3 (AuthPSK) and must agree with
    the inputs: ``psk`` and ``psk_id`` are non-empty exactly in modes 1 and 3, ``sk_s`` /
    ``pk_s`` exactly in modes 2 and 3; raise InvalidInput when they do not (the suite's vectors
    never ask for that). Keys are in their serialized form (§7.1.1-7.1.2: 32 raw bytes for
    X25519). The only random choice, the ephemeral key pair, is injected as the input keying
    material ``ikm_e`` of DeriveKeyPair (§7.1.3), exactly as RFC 9180 Appendix A does.

    Refusals: a Diffie-Hellman output of all zeros (a low-order ``enc``, ``pk_r`` or ``pk_s``)
    raises InvalidKey (§7.1.4: "recipients MUST check whether the Diffie-Hellman shared secret
    is the all-zero value and abort"), as does a key that cannot be deserialized; an AEAD open
    failure raises AuthenticationFailed; an export length above 255 * Nh (§5.3) raises
    InvalidInput; an unknown suite or mode raises Unsupported.
    """

    def hpke_derive_key_pair(self, kem_id: int, ikm: bytes) -> bytes:
        """DeriveKeyPair(ikm) (§7.1.3): SerializePrivateKey(sk) || SerializePublicKey(pk)."""
        ...

    def hpke_seal(
        self,
        kem_id: int,
        kdf_id: int,
        aead_id: int,
        mode: int,
        pk_r: bytes,
        info: bytes,
        aad: bytes,
        plaintext: bytes,
        ikm_e: bytes,
        psk: bytes,
        psk_id: bytes,
        sk_s: bytes,
    ) -> bytes:
        """Seal<MODE>(pkR, info, aad, pt, ...) (§6.1) with the ephemeral key pair
        DeriveKeyPair(ikm_e): returns enc || ct (enc is Nenc = 32 bytes for X25519)."""
        ...

    def hpke_open(
        self,
        kem_id: int,
        kdf_id: int,
        aead_id: int,
        mode: int,
        sk_r: bytes,
        enc: bytes,
        info: bytes,
        aad: bytes,
        ciphertext: bytes,
        psk: bytes,
        psk_id: bytes,
        pk_s: bytes,
    ) -> bytes:
        """Open<MODE>(enc, skR, info, aad, ct, ...) (§6.1): the plaintext."""
        ...

    def hpke_export(
        self,
        kem_id: int,
        kdf_id: int,
        aead_id: int,
        mode: int,
        sk_r: bytes,
        enc: bytes,
        info: bytes,
        exporter_context: bytes,
        length: int,
        psk: bytes,
        psk_id: bytes,
        pk_s: bytes,
    ) -> bytes:
        """ReceiveExport<MODE>(enc, skR, info, exporter_context, L, ...) (§6.2, §5.3): the
        ``length``-byte exported secret."""
        ...


class OlmKey(TypedDict):
    """An account with a key added, and the key's public part."""

    account: bytes
    key: bytes


class OlmInbound(TypedDict):
    account: bytes
    session: bytes
    plaintext: bytes


class OlmEncrypted(TypedDict):
    """``type`` is the Olm message type: 0 a pre-key message, 1 a normal message."""

    session: bytes
    type: int
    message: bytes


class OlmDecrypted(TypedDict):
    session: bytes
    plaintext: bytes


@runtime_checkable
class Olm(Protocol):
    """Olm (libolm docs/olm.md): accounts, the 3DH handshake, the Olm ratchet and its messages.

    ``account`` and ``session`` are opaque state (see the module docstring). Keys are raw 32-byte
    Curve25519 and Ed25519 values; messages are the raw wire bytes (not base64). Random values are
    passed in as 32-byte Curve25519 private keys; an adapter that cannot use them uses its own
    and does not declare ``olm:fixed-randomness``.

    Refusals: a message that fails its MAC is AuthenticationFailed; a malformed, truncated or
    wrong-version message, or a counter beyond the receiver's limits, is InvalidMessage; a
    pre-key message for a one-time key the account does not hold is InvalidKey; a message the
    session has already decrypted is DuplicateMessage or AuthenticationFailed (its key is gone).
    """

    def olm_account(self, ed25519_seed: bytes, curve25519_private: bytes) -> bytes:
        """A new account with these identity keys (an Ed25519 seed and a Curve25519 private
        key) and no one-time keys."""
        ...

    def olm_identity_keys(self, account: bytes) -> bytes:
        """The account's Curve25519 identity key (32) followed by its Ed25519 key (32)."""
        ...

    def olm_add_one_time_key(self, account: bytes, private: bytes) -> OlmKey:
        """Add a one-time key (docs/olm.md "Initial setup") with this private key, marked as
        published."""
        ...

    def olm_add_fallback_key(self, account: bytes, private: bytes) -> OlmKey:
        """Make this private key the account's fallback key."""
        ...

    def olm_outbound(
        self,
        account: bytes,
        identity_key: bytes,
        one_time_key: bytes,
        base_key: bytes,
        ratchet_key: bytes,
    ) -> bytes:
        """Alice's session to the owner of ``identity_key`` and ``one_time_key`` (docs/olm.md
        "Initial setup"), with the base key E_A and the first ratchet key T_0 given."""
        ...

    def olm_inbound(self, account: bytes, identity_key: bytes, message: bytes) -> OlmInbound:
        """Bob's session from Alice's pre-key message, sent by ``identity_key``, with the first
        message decrypted. The one-time key is removed from the returned account when the
        message decrypts (a fallback key stays)."""
        ...

    def olm_encrypt(self, session: bytes, plaintext: bytes, ratchet_key: bytes) -> OlmEncrypted:
        """Encrypt one message. ``ratchet_key`` is the new ratchet key T_i, used only when the
        session starts a new sending chain (docs/olm.md "Advancing the root key")."""
        ...

    def olm_decrypt(self, session: bytes, type: int, message: bytes) -> OlmDecrypted:
        """Decrypt one message of ``type`` 0 (pre-key) or 1 (normal)."""
        ...


@runtime_checkable
class FixedRandomness(Protocol):
    """Marker: the adapter's operations of the family (``olm``, ``signal``) use the injected
    random values byte for byte."""


class MegolmEncrypted(TypedDict):
    session: bytes
    message: bytes


class MegolmDecrypted(TypedDict):
    session: bytes
    plaintext: bytes
    index: int


@runtime_checkable
class Megolm(Protocol):
    """Megolm (libolm docs/megolm.md): outbound and inbound group sessions.

    State is opaque, as for ``olm``. ``session_key`` is the 229-byte session-sharing format
    (version 2, signed) and an export the 165-byte format (version 1, unsigned).

    Refusals: a bad MAC is AuthenticationFailed; a bad Ed25519 signature on a message or a session
    key is InvalidSignature; a message index below the first index the session knows is
    InvalidMessage, as is a malformed message or key. Replay is not the library's job
    (docs/megolm.md "Limitations"): a library may decrypt the same index again.
    """

    def megolm_outbound(self, ratchet: bytes, signing_seed: bytes) -> bytes:
        """An outbound session at index 0 with the initial ratchet R_0 (128 bytes) and the
        Ed25519 signing key seed given."""
        ...

    def megolm_session_key(self, session: bytes) -> bytes:
        """The outbound session's current session-sharing key (229 bytes)."""
        ...

    def megolm_encrypt(self, session: bytes, plaintext: bytes) -> MegolmEncrypted:
        """Encrypt one message at the current index and advance the ratchet."""
        ...

    def megolm_inbound(self, session_key: bytes) -> bytes:
        """An inbound session from a 229-byte session key, whose signature must verify."""
        ...

    def megolm_import(self, exported: bytes) -> bytes:
        """An inbound session from a 165-byte export."""
        ...

    def megolm_decrypt(self, session: bytes, message: bytes) -> MegolmDecrypted:
        """Decrypt one message: the plaintext and the message index it carried."""
        ...

    def megolm_export(self, session: bytes, index: int) -> bytes:
        """The inbound session exported at ``index`` (165 bytes)."""
        ...


class SignalBundle(TypedDict):
    """Bob's published pre-key bundle (Signal X3DH §3.2). Public keys are 33 bytes, 0x05 followed
    by the X25519 u-coordinate; ``prekey`` is empty (and ``prekey_id`` 0) when there is none."""

    registration_id: int
    identity_key: bytes
    signed_prekey_id: int
    signed_prekey: bytes
    signed_prekey_signature: bytes
    prekey_id: int
    prekey: bytes


class SignalEncrypted(TypedDict):
    """``type`` is the CiphertextMessageType: 3 a PreKeySignalMessage, 2 a SignalMessage."""

    party: bytes
    type: int
    message: bytes


class SignalDecrypted(TypedDict):
    party: bytes
    plaintext: bytes


@runtime_checkable
class Signal(Protocol):
    """The classic Signal protocol: X3DH, the Double Ratchet and the version-3 wire format
    (SignalMessage, PreKeySignalMessage with the 8-byte MAC over both identity keys).

    A ``party`` is opaque state (see the module docstring) holding one device's identity,
    its pre-keys and its session with the one peer of a scenario. Private keys are 32 raw bytes
    (X25519 clamps them); public keys on the wire are 33 bytes with the 0x05 type byte. Random
    values are injected: ``signature_random`` (the 64-byte XEdDSA nonce input Z), ``base_key``
    (Alice's ephemeral key EK_A), and ``ratchet_key`` (the next DH ratchet key, used by
    ``signal_initiate`` for Alice's first sending chain and by ``signal_decrypt`` when a message
    brings a new ratchet key). An adapter that cannot use them uses its own and leaves out
    ``signal:fixed-randomness``.

    Refusals: a bad MAC is AuthenticationFailed; a message already decrypted is DuplicateMessage
    (or AuthenticationFailed); a malformed message, a wrong version or a counter too far ahead is
    InvalidMessage; a bad signed-pre-key signature is InvalidSignature; an unknown pre-key, a
    bad key encoding or an untrusted identity is InvalidKey.
    """

    def signal_party(
        self,
        identity_private: bytes,
        registration_id: int,
        signed_prekey_id: int,
        signed_prekey_private: bytes,
        signature_random: bytes,
        prekey_id: int,
        prekey_private: bytes,
    ) -> bytes:
        """A device with this identity key, its signed pre-key (signed with
        ``signature_random``) and, unless ``prekey_private`` is empty, one one-time pre-key."""
        ...

    def signal_bundle(self, party: bytes) -> SignalBundle:
        """The device's pre-key bundle."""
        ...

    def signal_initiate(
        self,
        party: bytes,
        registration_id: int,
        identity_key: bytes,
        signed_prekey_id: int,
        signed_prekey: bytes,
        signed_prekey_signature: bytes,
        prekey_id: int,
        prekey: bytes,
        base_key: bytes,
        ratchet_key: bytes,
    ) -> bytes:
        """Alice's session to the owner of this bundle (X3DH §3.3), after checking the
        signature on the signed pre-key."""
        ...

    def signal_encrypt(self, party: bytes, plaintext: bytes) -> SignalEncrypted:
        """Encrypt one message to the peer (a PreKeySignalMessage until the peer has answered)."""
        ...

    def signal_decrypt(
        self, party: bytes, type: int, message: bytes, ratchet_key: bytes
    ) -> SignalDecrypted:
        """Decrypt one message of ``type`` 3 or 2; a PreKeySignalMessage creates Bob's session
        from his pre-keys (and removes the one-time pre-key it used)."""
        ...


class SignalGroupCreated(TypedDict):
    state: bytes
    distribution: bytes


class SignalGroupEncrypted(TypedDict):
    state: bytes
    message: bytes


class SignalGroupDecrypted(TypedDict):
    state: bytes
    plaintext: bytes


@runtime_checkable
class SignalGroup(Protocol):
    """Signal sender keys in the classic (libsignal-protocol-java, version 3) format:
    SenderKeyDistributionMessage {id, iteration, chainKey, signingKey} and SenderKeyMessage
    {id, iteration, ciphertext} followed by a 64-byte XEdDSA signature; message keys from
    HKDF(seed, info "WhisperGroup"), AES-256-CBC without a MAC.

    Refusals: a bad signature is InvalidSignature; an iteration already used is
    DuplicateMessage; a malformed message or an iteration too far ahead is InvalidMessage.
    """

    def signal_group_create(
        self, key_id: int, iteration: int, chain_key: bytes, signing_private: bytes
    ) -> SignalGroupCreated:
        """A sender's state with these values, and its SenderKeyDistributionMessage."""
        ...

    def signal_group_join(self, distribution: bytes) -> bytes:
        """A receiver's state from a SenderKeyDistributionMessage."""
        ...

    def signal_group_encrypt(
        self, state: bytes, plaintext: bytes, signature_random: bytes
    ) -> SignalGroupEncrypted:
        """One SenderKeyMessage at the current iteration (then advance)."""
        ...

    def signal_group_decrypt(self, state: bytes, message: bytes) -> SignalGroupDecrypted:
        """Verify and decrypt one SenderKeyMessage."""
        ...


@runtime_checkable
class SignalFingerprint(Protocol):
    """Safety numbers (libsignal fingerprint.rs, NumericFingerprintGenerator)."""

    def signal_fingerprint(
        self,
        iterations: int,
        local_id: bytes,
        local_key: bytes,
        remote_id: bytes,
        remote_key: bytes,
    ) -> bytes:
        """The 60-digit displayable safety number, as ASCII digits."""
        ...


@runtime_checkable
class X3dh(Protocol):
    """The X3DH key agreement alone (Signal X3DH §3.3), with Signal's parameters: curve X25519,
    hash SHA-256, info "WhisperText"; SK = HKDF(F || DH1 || DH2 || DH3 [|| DH4]) with
    F = 32 0xFF bytes and a zero salt, 32 bytes. Keys are 32 raw bytes; ``prekey`` (and
    ``prekey_private``) empty means none (no DH4)."""

    def x3dh_initiate(
        self,
        identity_private: bytes,
        ephemeral_private: bytes,
        identity_key: bytes,
        signed_prekey: bytes,
        prekey: bytes,
    ) -> bytes:
        """Alice's SK from her identity and ephemeral keys and Bob's public keys."""
        ...

    def x3dh_respond(
        self,
        identity_private: bytes,
        signed_prekey_private: bytes,
        prekey_private: bytes,
        identity_key: bytes,
        ephemeral_key: bytes,
    ) -> bytes:
        """Bob's SK from his private keys and Alice's identity and ephemeral keys."""
        ...


#: Capability name -> (family, interface).
CAPABILITIES: dict[str, tuple[str, type]] = {
    "x25519": ("primitives", X25519),
    "ed25519": ("primitives", Ed25519),
    "hkdf-sha256": ("primitives", HkdfSha256),
    "hmac-sha256": ("primitives", HmacSha256),
    "aead:chacha20-poly1305": ("primitives", Aead),
    "aead:xchacha20-poly1305": ("primitives", Aead),
    "aead:aes-256-gcm": ("primitives", Aead),
    "aes-256-cbc": ("primitives", Aes256Cbc),
    "hpke": ("hpke", Hpke),
    "olm": ("olm", Olm),
    "olm:fixed-randomness": ("olm", FixedRandomness),
    "megolm": ("megolm", Megolm),
    "signal": ("signal", Signal),
    "signal:fixed-randomness": ("signal", FixedRandomness),
    "signal-group": ("signal", SignalGroup),
    "signal-fingerprint": ("signal", SignalFingerprint),
    "x3dh": ("signal", X3dh),
}

#: Composite capability -> the declared capabilities it is built from.
COMPOSITES: dict[str, tuple[str, ...]] = {
    "aes-256-cbc-hmac-sha256": ("hkdf-sha256", "aes-256-cbc", "hmac-sha256"),
    # Sending known-answer messages: the session operations with the randomness injected.
    "olm-send": ("olm", "olm:fixed-randomness"),
    "signal-send": ("signal", "signal:fixed-randomness"),
}


def is_marker(capability: str) -> bool:
    """A capability with no methods: a declared property of the adapter's other capabilities."""
    return capability in CAPABILITIES and not operations(capability)


def interface_of(capability: str) -> type | None:
    entry = CAPABILITIES.get(capability)
    return entry[1] if entry else None


def family_of(capability: str) -> str:
    if capability in COMPOSITES:
        return family_of(COMPOSITES[capability][0])
    entry = CAPABILITIES.get(capability)
    return entry[0] if entry else "unknown"


@dataclass(frozen=True)
class Operation:
    """One method of a capability interface: its parameters in order with their types, and the
    type it returns (what the stdio protocol and its JSON Schemas are built from)."""

    name: str
    params: tuple[tuple[str, object], ...]
    returns: object
    #: The fields of a returned object (a ``TypedDict``) with their types; empty otherwise.
    #: Worked out once here: every answer of a stdio adapter is decoded against them.
    fields: Mapping[str, object] = field(default_factory=dict)

    @property
    def param_names(self) -> tuple[str, ...]:
        return tuple(name for name, _ in self.params)


@cache
def operations(capability: str) -> dict[str, Operation]:
    """The methods of a capability's interface, by name (empty for an unknown capability)."""
    interface = interface_of(capability)
    if interface is None:
        return {}
    out: dict[str, Operation] = {}
    for name, fn in vars(interface).items():
        if not callable(fn) or name.startswith("_"):
            continue
        hints = typing.get_type_hints(fn)
        params = tuple((p, hints.get(p)) for p in inspect.signature(fn).parameters if p != "self")
        returns = hints.get("return", None)
        fields = typing.get_type_hints(returns) if is_typeddict(returns) else {}
        out[name] = Operation(name, params, returns, MappingProxyType(fields))
    return out
