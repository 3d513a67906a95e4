"""Current Signal, family ``signal-pq``: PQXDH with a Kyber pre-key, the Double Ratchet beside
SPQR (the sparse post-quantum ratchet, together the "triple ratchet") and the version-4 wire
format, as libsignal 0.103 runs it (``signal-pq``, stateful); sealed sender on top of those
sessions (``signal-sealed-sender``).

Specifications: Signal's PQXDH specification (revision 3) and Double Ratchet specification
(revision 4, §5 "Triple Ratchet"); the SPQR state machine and the wire format are libsignal's
``rust/protocol`` and ``SparsePostQuantumRatchet`` (spqr 1.6.0 in libsignal 0.103.0, per its
acknowledgments; the source read was v1.5.3, whose normal flows it matches).
The KEM is round-3 Kyber1024 (key type byte 0x08), not FIPS 203 ML-KEM-1024.
"""

from __future__ import annotations

from typing import Protocol, TypedDict, runtime_checkable

from ._markers import FixedRandomness
from .signal import SignalDecrypted, SignalEncrypted

__all__ = ["SignalPq", "SignalPqBundle", "SignalSealedSender", "SignalUnsealed"]

FAMILY = "signal-pq"


class SignalPqBundle(TypedDict):
    """Bob's published pre-key bundle (PQXDH §3.2). EC public keys are 33 bytes (0x05 and the
    X25519 u-coordinate); the Kyber pre-key is 1,569 bytes (0x08 and the round-3 public key);
    both signatures are XEdDSA by the identity key over the serialised public key, type byte
    included. ``prekey`` is empty (``prekey_id`` 0) when the bundle has no one-time EC pre-key."""

    registration_id: int
    identity_key: bytes
    signed_prekey_id: int
    signed_prekey: bytes
    signed_prekey_signature: bytes
    prekey_id: int
    prekey: bytes
    kyber_prekey_id: int
    kyber_prekey: bytes
    kyber_prekey_signature: bytes


@runtime_checkable
class SignalPq(Protocol):
    """Current Signal sessions: PQXDH (PQXDH §3.3), the Double Ratchet with SPQR mixed into
    every message key, PreKeySignalMessage and SignalMessage with version byte 0x44.

    A ``party`` is opaque state: one device's identity, its pre-keys and its session with the
    one peer of a scenario. EC private keys are 32 raw bytes (X25519 clamps them). The Kyber
    pre-key is given as its 3,168-byte round-3 secret key (s || pk || H(pk) || z, so the
    public key is inside it): no implementation can be asked to derive it from a seed the
    same way. Random inputs: ``signature_random`` (128 bytes: the XEdDSA Z of the signed
    pre-key's signature, then of the Kyber pre-key's), ``base_key`` (EK_A), ``ratchet_key``
    (the next DH ratchet key), ``kyber_random`` (the 32-byte Kyber encapsulation input m) and
    ``pq_random`` (64 bytes an implementation draws SPQR's randomness from at that step). An
    adapter that cannot use them uses its own and leaves out ``signal-pq:fixed-randomness``.

    Refusals: a bad MAC is AuthenticationFailed; a message already decrypted is
    DuplicateMessage (or AuthenticationFailed); a malformed message, a wrong version, a missing
    Kyber ciphertext or SPQR field, or a counter too far ahead is InvalidMessage; a bad
    signature on either signed pre-key is InvalidSignature; an unknown pre-key, a key with the
    wrong type byte or an untrusted identity is InvalidKey.
    """

    def signal_pq_party(
        self,
        identity_private: bytes,
        registration_id: int,
        signed_prekey_id: int,
        signed_prekey_private: bytes,
        prekey_id: int,
        prekey_private: bytes,
        kyber_prekey_id: int,
        kyber_prekey_secret: bytes,
        kyber_last_resort: bool,
        signature_random: bytes,
    ) -> bytes:
        """A device with this identity key, its signed EC pre-key, its signed Kyber pre-key
        (a last-resort one is kept after use, a one-time one is removed) and, unless
        ``prekey_private`` is empty, one one-time EC pre-key."""
        ...

    def signal_pq_bundle(self, party: bytes) -> SignalPqBundle:
        """The device's pre-key bundle."""
        ...

    def signal_pq_initiate(
        self,
        party: bytes,
        registration_id: int,
        identity_key: bytes,
        signed_prekey_id: int,
        signed_prekey: bytes,
        signed_prekey_signature: bytes,
        prekey_id: int,
        prekey: bytes,
        kyber_prekey_id: int,
        kyber_prekey: bytes,
        kyber_prekey_signature: bytes,
        base_key: bytes,
        ratchet_key: bytes,
        kyber_random: bytes,
        pq_random: bytes,
    ) -> bytes:
        """Alice's session to the owner of this bundle (PQXDH §3.3), after checking both
        pre-key signatures."""
        ...

    def signal_pq_encrypt(
        self, party: bytes, plaintext: bytes, pq_random: bytes
    ) -> SignalEncrypted:
        """Encrypt one message to the peer (a PreKeySignalMessage, type 3, until the peer has
        answered; then a SignalMessage, type 2)."""
        ...

    def signal_pq_decrypt(
        self, party: bytes, type: int, message: bytes, ratchet_key: bytes, pq_random: bytes
    ) -> SignalDecrypted:
        """Decrypt one message of ``type`` 3 or 2; a PreKeySignalMessage creates Bob's session
        from his pre-keys (and removes the one-time pre-keys it used)."""
        ...


class SignalUnsealed(TypedDict):
    """What a sealed-sender receiver learns: its party after decrypting, the plaintext, and the
    sender the certificate names (its UUID as 16 bytes)."""

    party: bytes
    plaintext: bytes
    sender_uuid: bytes
    sender_device_id: int


@runtime_checkable
class SignalSealedSender(Protocol):
    """Sealed sender over ``signal-pq`` sessions (libsignal ``sealed_sender.rs``): version 1
    (one recipient, first byte 0x11) and version 2 (multi-recipient, 0x22, received as the
    recipient's part). The sender certificate is issued by a server key, itself signed by a
    trust root the receiver is given.

    Refusals: a certificate that does not chain to the trust root, or has expired at
    ``timestamp``, is InvalidSignature; a message that does not decrypt is AuthenticationFailed
    or InvalidMessage.
    """

    def sealed_sender_certificate(
        self,
        trust_root_private: bytes,
        server_key_id: int,
        server_private: bytes,
        sender_uuid: bytes,
        sender_device_id: int,
        sender_identity_key: bytes,
        expiration: int,
    ) -> bytes:
        """A serialised SenderCertificate for this sender, issued by the server key, whose
        certificate the trust root signs."""
        ...

    def sealed_sender_encrypt(
        self, party: bytes, certificate: bytes, plaintext: bytes, version: int
    ) -> SignalEncrypted:
        """Seal one message of the party's session to its peer (``version`` 1 or 2; for 2, the
        recipient's part as a server forwards it); ``type`` is the sealed message's version."""
        ...

    def sealed_sender_decrypt(
        self, party: bytes, message: bytes, trust_root: bytes, timestamp: int
    ) -> SignalUnsealed:
        """Unseal a message with the trust root's public key (33 bytes) at ``timestamp``
        (milliseconds), then decrypt the message inside with the party's session."""
        ...


CAPABILITIES: dict[str, type] = {
    "signal-pq": SignalPq,
    "signal-pq:fixed-randomness": FixedRandomness,
    "signal-sealed-sender": SignalSealedSender,
}
#: Sealed sender wraps a session's messages: its scenarios need both interfaces.
COMPOSITES: dict[str, tuple[str, ...]] = {
    "signal-pq-sealed": ("signal-pq", "signal-sealed-sender"),
}
