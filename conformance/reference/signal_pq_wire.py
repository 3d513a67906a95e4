"""Signal's current (version 4) wire formats: libsignal 0.103.0 ``rust/protocol/src/protocol.rs``
(``SignalMessage``, ``PreKeySignalMessage``, ``CIPHERTEXT_MESSAGE_CURRENT_VERSION = 4``) and
``proto/wire.proto``; keys as ``curve.rs`` and ``kem.rs`` serialise them.

The version byte is ``(4 << 4) | 4 = 0x44``. libsignal reads only its high nibble, the message
version (below 3 ``LegacyCiphertextVersion``, above 4 ``UnrecognizedCiphertextVersion``); a
version-3 message parses there but is refused later (a PreKeySignalMessage with "X3DH no longer
supported", a SignalMessage because no version-3 session exists). Here the high nibble must be 4
(InvalidMessage otherwise) and the low nibble is not read.

* SignalMessage: ratchet_key 1, counter 2, previous_counter 3, ciphertext 4, pq_ratchet 5 (the
  SPQR message, always written), then the 8-byte MAC.
* PreKeySignalMessage: pre_key_id 1, base_key 2, identity_key 3, message 4, registration_id 5,
  signed_pre_key_id 6, kyber_pre_key_id 7, kyber_ciphertext 8. ``protocol.rs``: both Kyber
  fields or neither, and neither only for version 3 ("Kyber pre key must be present for this
  session version"): both cases are InvalidMessage.

Fields are written in field-number order (prost encodes by tag). Parsing uses the protobuf
reader of :mod:`.signal_wire` with its strictness. The Kyber public key is ``0x08 || pk`` (1,569
bytes, ``kem.rs`` ``KeyType::Kyber1024``) and so is the ciphertext in the message (``0x08 ||
c``): a wrong type byte is InvalidKey, a wrong length InvalidKey for a key and InvalidMessage for
a ciphertext (``BadKEMKeyLength`` / ``BadKEMCiphertextLength``).
"""

from __future__ import annotations

from dataclasses import dataclass

from ..errors import InvalidKey, InvalidMessage
from . import signal_wire as wire

__all__ = [
    "KYBER1024_CIPHERTEXT_LENGTH",
    "KYBER1024_PUBLIC_LENGTH",
    "KYBER1024_TYPE",
    "VERSION",
    "VERSION_BYTE",
    "PqPreKeySignalMessage",
    "PqSignalMessage",
    "decode_kyber_ciphertext",
    "decode_kyber_public_key",
    "encode_kyber_ciphertext",
    "encode_kyber_public_key",
    "encode_pq_pre_key_signal_message",
    "encode_pq_signal_message_body",
    "parse_pq_pre_key_signal_message",
    "parse_pq_signal_message",
]

#: ``protocol.rs`` CIPHERTEXT_MESSAGE_CURRENT_VERSION.
VERSION = 4
VERSION_BYTE = (VERSION << 4) | VERSION
#: ``kem.rs`` ``KeyType::Kyber1024`` and round-3 Kyber1024's sizes.
KYBER1024_TYPE = 0x08
KYBER1024_PUBLIC_LENGTH = 1568
KYBER1024_CIPHERTEXT_LENGTH = 1568


def encode_kyber_public_key(key: bytes) -> bytes:
    if len(key) != KYBER1024_PUBLIC_LENGTH:
        raise InvalidKey(f"a Kyber1024 public key is {KYBER1024_PUBLIC_LENGTH} bytes")
    return bytes([KYBER1024_TYPE]) + key


def decode_kyber_public_key(data: bytes) -> bytes:
    """``kem.rs`` ``PublicKey::deserialize``: the type byte, then the exact length."""
    if not data:
        raise InvalidKey("an empty KEM public key")
    if data[0] != KYBER1024_TYPE:
        raise InvalidKey(f"unknown KEM key type {data[0]:#x}")
    if len(data) != 1 + KYBER1024_PUBLIC_LENGTH:
        raise InvalidKey(f"a serialized Kyber1024 public key is 1569 bytes, not {len(data)}")
    return data[1:]


def encode_kyber_ciphertext(ciphertext: bytes) -> bytes:
    return bytes([KYBER1024_TYPE]) + ciphertext


def decode_kyber_ciphertext(data: bytes) -> bytes:
    """``kem.rs`` ``SecretKey::decapsulate``: the ciphertext's type byte must be the key's
    (``WrongKEMKeyType``: InvalidKey), then its length (``BadKEMCiphertextLength``)."""
    if not data:
        raise InvalidMessage("an empty Kyber ciphertext")
    if data[0] != KYBER1024_TYPE:
        raise InvalidKey(f"a Kyber ciphertext of key type {data[0]:#x}")
    if len(data) != 1 + KYBER1024_CIPHERTEXT_LENGTH:
        raise InvalidMessage(f"a serialized Kyber1024 ciphertext is 1569 bytes, not {len(data)}")
    return data[1:]


def _check_version(data: bytes, what: str) -> None:
    if not data:
        raise InvalidMessage(f"empty {what}")
    if data[0] >> 4 != VERSION:
        raise InvalidMessage(f"{what} version {data[0] >> 4} instead of {VERSION}")


@dataclass(frozen=True)
class PqSignalMessage(wire.SignalMessage):
    """A parsed version-4 SignalMessage: the classic fields and the SPQR message."""

    pq_ratchet: bytes = b""


def encode_pq_signal_message_body(
    ratchet_key: bytes, counter: int, previous_counter: int, ciphertext: bytes, pq_ratchet: bytes
) -> bytes:
    """Version byte and protobuf SignalMessage without the MAC (``SignalMessage::new``)."""
    return (
        bytes([VERSION_BYTE])
        + wire.bytes_field(1, wire.encode_public_key(ratchet_key))
        + wire.int_field(2, counter)
        + wire.int_field(3, previous_counter)
        + wire.bytes_field(4, ciphertext)
        + wire.bytes_field(5, pq_ratchet)
    )


def parse_pq_signal_message(data: bytes) -> PqSignalMessage:
    """``SignalMessage::try_from``: at least 9 bytes; ratchet key, counter and ciphertext
    required, previous counter 0 and pq_ratchet empty by default (SPQR refuses an empty one
    where the session needs it)."""
    if len(data) < 1 + wire.MAC_LENGTH:
        raise InvalidMessage("SignalMessage too short")
    _check_version(data, "SignalMessage")
    body, mac = data[: -wire.MAC_LENGTH], data[-wire.MAC_LENGTH :]
    fields = wire.parse_fields(
        body[1:], {1: wire.LENGTH, 2: wire.VARINT, 3: wire.VARINT, 4: wire.LENGTH, 5: wire.LENGTH}
    )
    pq = fields.get(5, b"")
    assert isinstance(pq, bytes)
    return PqSignalMessage(
        ratchet_key=wire.decode_public_key(wire.required_bytes(fields, 1, "ratchet key")),
        counter=wire.required_int(fields, 2, "counter"),
        previous_counter=wire.optional_int(fields, 3, "previous counter") or 0,
        ciphertext=wire.required_bytes(fields, 4, "ciphertext"),
        body=body,
        mac=mac,
        pq_ratchet=pq,
    )


@dataclass(frozen=True)
class PqPreKeySignalMessage:
    """A parsed version-4 PreKeySignalMessage; EC keys are 32-byte u-coordinates, the Kyber
    ciphertext is as on the wire (type byte included)."""

    registration_id: int
    pre_key_id: int | None
    signed_pre_key_id: int
    kyber_pre_key_id: int
    kyber_ciphertext: bytes
    base_key: bytes
    identity_key: bytes
    message: bytes


def encode_pq_pre_key_signal_message(
    registration_id: int,
    pre_key_id: int | None,
    signed_pre_key_id: int,
    kyber_pre_key_id: int,
    kyber_ciphertext: bytes,
    base_key: bytes,
    identity_key: bytes,
    message: bytes,
) -> bytes:
    """``PreKeySignalMessage::new`` in field-number order; ``pre_key_id`` left out when no
    one-time EC pre-key was used. ``kyber_ciphertext`` is serialised (type byte included)."""
    out = bytes([VERSION_BYTE])
    if pre_key_id is not None:
        out += wire.int_field(1, pre_key_id)
    return (
        out
        + wire.bytes_field(2, wire.encode_public_key(base_key))
        + wire.bytes_field(3, wire.encode_public_key(identity_key))
        + wire.bytes_field(4, message)
        + wire.int_field(5, registration_id)
        + wire.int_field(6, signed_pre_key_id)
        + wire.int_field(7, kyber_pre_key_id)
        + wire.bytes_field(8, kyber_ciphertext)
    )


def parse_pq_pre_key_signal_message(data: bytes) -> PqPreKeySignalMessage:
    """``PreKeySignalMessage::try_from``: base key, identity key, message and signed pre-key id
    required; registration id 0 by default; one-time pre-key id optional; the Kyber id and
    ciphertext both required (InvalidMessage, ``session.rs`` "missing pq pre-key ID" / "missing
    pq ciphertext")."""
    _check_version(data, "PreKeySignalMessage")
    fields = wire.parse_fields(
        data[1:],
        {
            1: wire.VARINT,
            2: wire.LENGTH,
            3: wire.LENGTH,
            4: wire.LENGTH,
            5: wire.VARINT,
            6: wire.VARINT,
            7: wire.VARINT,
            8: wire.LENGTH,
        },
    )
    kyber_id = wire.optional_int(fields, 7, "Kyber pre-key id")
    kyber_ct = fields.get(8)
    if kyber_id is None:
        raise InvalidMessage("missing pq pre-key ID")
    if not isinstance(kyber_ct, bytes):
        raise InvalidMessage("missing pq ciphertext")
    return PqPreKeySignalMessage(
        registration_id=wire.optional_int(fields, 5, "registration id") or 0,
        pre_key_id=wire.optional_int(fields, 1, "pre-key id"),
        signed_pre_key_id=wire.required_int(fields, 6, "signed pre-key id"),
        kyber_pre_key_id=kyber_id,
        kyber_ciphertext=kyber_ct,
        base_key=wire.decode_public_key(wire.required_bytes(fields, 2, "base key")),
        identity_key=wire.decode_public_key(wire.required_bytes(fields, 3, "identity key")),
        message=wire.required_bytes(fields, 4, "message"),
    )
