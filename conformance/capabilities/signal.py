"""The classic Signal family: ``signal`` (X3DH and the Double Ratchet, version 3, stateful),
``signal-group`` (sender keys), ``signal-fingerprint`` (safety numbers) and ``x3dh``."""

from __future__ import annotations

from typing import Protocol, TypedDict, runtime_checkable

from ._markers import FixedRandomness

__all__ = [
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
]

FAMILY = "signal"


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


CAPABILITIES: dict[str, type] = {
    "signal": Signal,
    "signal:fixed-randomness": FixedRandomness,
    "signal-group": SignalGroup,
    "signal-fingerprint": SignalFingerprint,
    "x3dh": X3dh,
}
COMPOSITES: dict[str, tuple[str, ...]] = {"signal-send": ("signal", "signal:fixed-randomness")}
