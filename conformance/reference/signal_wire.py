"""Signal's classic (version 3) wire formats: protocols.md 1.6 and 1.7, libsignal
``rust/protocol/src/protocol.rs`` and libsignal-protocol-java's ``WhisperTextProtocol.proto``.

Every message is a version byte ``(3 << 4) | 3 = 0x33`` followed by a proto2 message:

* SignalMessage (WhisperMessage): ratchetKey 1, counter 2, previousCounter 3, ciphertext 4,
  then the 8-byte MAC.
* PreKeySignalMessage (PreKeyWhisperMessage): preKeyId 1, baseKey 2, identityKey 3, message 4,
  registrationId 5, signedPreKeyId 6. No MAC of its own.
* SenderKeyMessage: id 1, iteration 2, ciphertext 3, then a 64-byte XEdDSA signature over all
  that precedes it.
* SenderKeyDistributionMessage: id 1, iteration 2, chainKey 3, signingKey 4.

Fields are written in ascending field-number order, as protobuf serializers do (so
``registrationId`` follows ``message``). Parsing follows protobuf: fields may come in any order,
a repeated scalar keeps its last value, unknown fields of any valid wire type are skipped. It is
strict where protobuf would be lenient: a known field with the wrong wire type, a uint32 that
does not fit 32 bits, a missing required field or a truncated input is InvalidMessage. Public
keys must be exactly 33 bytes with the type byte 0x05 (InvalidKey otherwise; libsignal accepts
trailing bytes, protocols.md 1.1). The version's high nibble must be 3 (InvalidMessage).

The protobuf helpers (:func:`parse_fields`, :func:`int_field`, :func:`bytes_field`,
:func:`required_int`, ...) are shared with the version-4 formats of :mod:`.signal_pq_wire`.
"""

from __future__ import annotations

from dataclasses import dataclass

from ..errors import InvalidKey, InvalidMessage
from .varint import decode_varint, encode_varint

__all__ = [
    "DJB_TYPE",
    "LENGTH",
    "MAC_LENGTH",
    "SIGNATURE_LENGTH",
    "VARINT",
    "VERSION",
    "VERSION_BYTE",
    "PreKeySignalMessage",
    "SenderKeyDistributionMessage",
    "SenderKeyMessage",
    "SignalMessage",
    "bytes_field",
    "decode_public_key",
    "encode_pre_key_signal_message",
    "encode_public_key",
    "encode_sender_key_distribution",
    "encode_sender_key_message_body",
    "encode_signal_message_body",
    "int_field",
    "optional_int",
    "parse_fields",
    "parse_pre_key_signal_message",
    "parse_sender_key_distribution",
    "parse_sender_key_message",
    "parse_signal_message",
    "required_bytes",
    "required_int",
]

#: protocols.md 1.1: ``KeyType::Djb``.
DJB_TYPE = 0x05
#: protocols.md 1.6: message version 3 (pre-Kyber) with current version 3, as the classic
#: libraries write it.
VERSION = 3
VERSION_BYTE = (VERSION << 4) | VERSION
MAC_LENGTH = 8
SIGNATURE_LENGTH = 64
UINT32 = 1 << 32

VARINT = 0
FIXED64 = 1
LENGTH = 2
FIXED32 = 5


def encode_public_key(key: bytes) -> bytes:
    """protocols.md 1.1: 0x05 followed by the 32-byte u-coordinate."""
    if len(key) != 32:
        raise InvalidKey("a Curve25519 public key is 32 bytes")
    return bytes([DJB_TYPE]) + key


def decode_public_key(data: bytes) -> bytes:
    """The 32-byte u-coordinate of a 33-byte serialized key (InvalidKey otherwise)."""
    if len(data) != 33:
        raise InvalidKey(f"a serialized public key is 33 bytes, not {len(data)}")
    if data[0] != DJB_TYPE:
        raise InvalidKey(f"unknown key type {data[0]:#x}")
    return data[1:]


def int_field(number: int, value: int) -> bytes:
    if not 0 <= value < UINT32:
        raise ValueError(f"field {number} does not fit a uint32")
    return encode_varint(number << 3 | VARINT) + encode_varint(value)


def bytes_field(number: int, value: bytes) -> bytes:
    return encode_varint(number << 3 | LENGTH) + encode_varint(len(value)) + value


def parse_fields(payload: bytes, known: dict[int, int]) -> dict[int, int | bytes]:
    """Field number -> value for the ``known`` fields (number -> wire type); others skipped."""
    fields: dict[int, int | bytes] = {}
    pos = 0
    while pos < len(payload):
        key, pos = decode_varint(payload, pos)
        number, wire_type = key >> 3, key & 7
        if number == 0:
            raise InvalidMessage("field number 0")
        value: int | bytes
        if wire_type == VARINT:
            value, pos = decode_varint(payload, pos)
        elif wire_type == LENGTH:
            length, pos = decode_varint(payload, pos)
            if length > len(payload) - pos:
                raise InvalidMessage("a length-delimited field runs past the end")
            value, pos = payload[pos : pos + length], pos + length
        elif wire_type in (FIXED64, FIXED32):
            size = 8 if wire_type == FIXED64 else 4
            if size > len(payload) - pos:
                raise InvalidMessage("a fixed-size field runs past the end")
            value, pos = payload[pos : pos + size], pos + size
        else:
            raise InvalidMessage(f"unsupported wire type {wire_type}")
        if number in known:
            if known[number] != wire_type:
                raise InvalidMessage(f"field {number} has wire type {wire_type}")
            fields[number] = value
    return fields


def required_int(fields: dict[int, int | bytes], number: int, what: str) -> int:
    value = fields.get(number)
    if value is None:
        raise InvalidMessage(f"missing {what}")
    return uint32(value, what)


def optional_int(fields: dict[int, int | bytes], number: int, what: str) -> int | None:
    value = fields.get(number)
    return None if value is None else uint32(value, what)


def uint32(value: int | bytes, what: str) -> int:
    if not isinstance(value, int) or value >= UINT32:
        raise InvalidMessage(f"{what} does not fit a uint32")
    return value


def required_bytes(fields: dict[int, int | bytes], number: int, what: str) -> bytes:
    value = fields.get(number)
    if not isinstance(value, bytes):
        raise InvalidMessage(f"missing {what}")
    return value


def _check_version(data: bytes, what: str) -> None:
    if not data:
        raise InvalidMessage(f"empty {what}")
    if data[0] >> 4 != VERSION:
        raise InvalidMessage(f"{what} version {data[0] >> 4} instead of {VERSION}")


# --- SignalMessage ---------------------------------------------------------------------------


@dataclass(frozen=True)
class SignalMessage:
    """A parsed SignalMessage; ``body`` (version byte and protobuf) is what the MAC covers."""

    ratchet_key: bytes  # 32 bytes
    counter: int
    previous_counter: int
    ciphertext: bytes
    body: bytes
    mac: bytes


def encode_signal_message_body(
    ratchet_key: bytes, counter: int, previous_counter: int, ciphertext: bytes
) -> bytes:
    """Version byte and protobuf SignalMessage, without the MAC (protocols.md 1.6)."""
    return (
        bytes([VERSION_BYTE])
        + bytes_field(1, encode_public_key(ratchet_key))
        + int_field(2, counter)
        + int_field(3, previous_counter)
        + bytes_field(4, ciphertext)
    )


def parse_signal_message(data: bytes) -> SignalMessage:
    """protocols.md 1.6 parse rules: at least 9 bytes; ratchet key, counter and ciphertext
    required; previous counter defaults to 0."""
    if len(data) < 1 + MAC_LENGTH:
        raise InvalidMessage("SignalMessage too short")
    _check_version(data, "SignalMessage")
    body, mac = data[:-MAC_LENGTH], data[-MAC_LENGTH:]
    fields = parse_fields(body[1:], {1: LENGTH, 2: VARINT, 3: VARINT, 4: LENGTH})
    return SignalMessage(
        ratchet_key=decode_public_key(required_bytes(fields, 1, "ratchet key")),
        counter=required_int(fields, 2, "counter"),
        previous_counter=optional_int(fields, 3, "previous counter") or 0,
        ciphertext=required_bytes(fields, 4, "ciphertext"),
        body=body,
        mac=mac,
    )


# --- PreKeySignalMessage ---------------------------------------------------------------------


@dataclass(frozen=True)
class PreKeySignalMessage:
    """A parsed PreKeySignalMessage; keys are the 32-byte u-coordinates."""

    registration_id: int
    pre_key_id: int | None
    signed_pre_key_id: int
    base_key: bytes
    identity_key: bytes
    message: bytes


def encode_pre_key_signal_message(
    registration_id: int,
    pre_key_id: int | None,
    signed_pre_key_id: int,
    base_key: bytes,
    identity_key: bytes,
    message: bytes,
) -> bytes:
    """Version byte and protobuf PreKeySignalMessage in field-number order (protocols.md 1.6);
    ``pre_key_id`` is left out when no one-time pre-key was used."""
    out = bytes([VERSION_BYTE])
    if pre_key_id is not None:
        out += int_field(1, pre_key_id)
    return (
        out
        + bytes_field(2, encode_public_key(base_key))
        + bytes_field(3, encode_public_key(identity_key))
        + bytes_field(4, message)
        + int_field(5, registration_id)
        + int_field(6, signed_pre_key_id)
    )


def parse_pre_key_signal_message(data: bytes) -> PreKeySignalMessage:
    """protocols.md 1.6: base key, identity key, message and signed pre-key id required;
    registration id defaults to 0; pre-key id optional."""
    _check_version(data, "PreKeySignalMessage")
    fields = parse_fields(
        data[1:],
        {1: VARINT, 2: LENGTH, 3: LENGTH, 4: LENGTH, 5: VARINT, 6: VARINT},
    )
    return PreKeySignalMessage(
        registration_id=optional_int(fields, 5, "registration id") or 0,
        pre_key_id=optional_int(fields, 1, "pre-key id"),
        signed_pre_key_id=required_int(fields, 6, "signed pre-key id"),
        base_key=decode_public_key(required_bytes(fields, 2, "base key")),
        identity_key=decode_public_key(required_bytes(fields, 3, "identity key")),
        message=required_bytes(fields, 4, "message"),
    )


# --- sender keys -----------------------------------------------------------------------------


@dataclass(frozen=True)
class SenderKeyDistributionMessage:
    key_id: int
    iteration: int
    chain_key: bytes
    signing_key: bytes  # 32 bytes


def encode_sender_key_distribution(
    key_id: int, iteration: int, chain_key: bytes, signing_key: bytes
) -> bytes:
    """Classic SenderKeyDistributionMessage {id 1, iteration 2, chainKey 3, signingKey 4}."""
    return (
        bytes([VERSION_BYTE])
        + int_field(1, key_id)
        + int_field(2, iteration)
        + bytes_field(3, chain_key)
        + bytes_field(4, encode_public_key(signing_key))
    )


def parse_sender_key_distribution(data: bytes) -> SenderKeyDistributionMessage:
    """All four fields required; the chain key is 32 bytes."""
    _check_version(data, "SenderKeyDistributionMessage")
    fields = parse_fields(data[1:], {1: VARINT, 2: VARINT, 3: LENGTH, 4: LENGTH})
    chain_key = required_bytes(fields, 3, "chain key")
    if len(chain_key) != 32:
        raise InvalidMessage("a sender chain key is 32 bytes")
    return SenderKeyDistributionMessage(
        key_id=required_int(fields, 1, "id"),
        iteration=required_int(fields, 2, "iteration"),
        chain_key=chain_key,
        signing_key=decode_public_key(required_bytes(fields, 4, "signing key")),
    )


@dataclass(frozen=True)
class SenderKeyMessage:
    """A parsed SenderKeyMessage; ``signed`` is what the signature covers."""

    key_id: int
    iteration: int
    ciphertext: bytes
    signed: bytes
    signature: bytes


def encode_sender_key_message_body(key_id: int, iteration: int, ciphertext: bytes) -> bytes:
    """Classic SenderKeyMessage {id 1, iteration 2, ciphertext 3}, before its signature."""
    return (
        bytes([VERSION_BYTE])
        + int_field(1, key_id)
        + int_field(2, iteration)
        + bytes_field(3, ciphertext)
    )


def parse_sender_key_message(data: bytes) -> SenderKeyMessage:
    """protocols.md 1.6: at least 65 bytes; all three fields required."""
    if len(data) < 1 + SIGNATURE_LENGTH:
        raise InvalidMessage("SenderKeyMessage too short")
    _check_version(data, "SenderKeyMessage")
    signed, signature = data[:-SIGNATURE_LENGTH], data[-SIGNATURE_LENGTH:]
    fields = parse_fields(signed[1:], {1: VARINT, 2: VARINT, 3: LENGTH})
    return SenderKeyMessage(
        key_id=required_int(fields, 1, "id"),
        iteration=required_int(fields, 2, "iteration"),
        ciphertext=required_bytes(fields, 3, "ciphertext"),
        signed=signed,
        signature=signature,
    )
