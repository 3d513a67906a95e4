"""Olm and Megolm wire formats (docs/olm.md "Olm Message" / "Olm Pre-Key Message", docs/megolm.md
"Message format" / "Session-sharing format" / "Session export format").

Message payloads are protobuf-style key/value pairs: a one-byte tag ``field << 3 | wire type``
followed by a varint (wire type 0) or a varint length and that many bytes (wire type 2); varints
are little-endian base-128 with the continuation bit 0x80. As in libolm's ``message.cpp``, fields
may come in any order, a repeated field keeps its last value, a field with an unknown tag is
skipped, and a pre-key message's outer version byte is not checked. Anything the parser cannot walk (a truncated varint or string, an unknown wire type, a
missing or mis-sized field, a wrong version byte) is refused with InvalidMessage, where libolm
would stop parsing and then report a bad format.
"""

from __future__ import annotations

from dataclasses import dataclass

from ..errors import InvalidMessage
from .varint import decode_varint, encode_varint

__all__ = [
    "MEGOLM_EXPORT_LENGTH",
    "MEGOLM_SESSION_KEY_LENGTH",
    "MEGOLM_VERSION",
    "OLM_MAC_LENGTH",
    "OLM_VERSION",
    "SIGNATURE_LENGTH",
    "MegolmMessage",
    "MegolmSessionKey",
    "OlmMessage",
    "PreKeyMessage",
    "decode_varint",
    "encode_megolm_export",
    "encode_megolm_message_body",
    "encode_megolm_session_key_body",
    "encode_olm_message_body",
    "encode_pre_key_message",
    "encode_varint",
    "parse_fields",
    "parse_megolm_export",
    "parse_megolm_message",
    "parse_megolm_session_key",
    "parse_olm_message",
    "parse_pre_key_message",
]

OLM_VERSION = 3
MEGOLM_VERSION = 3
OLM_MAC_LENGTH = 8
SIGNATURE_LENGTH = 64
SESSION_KEY_VERSION = 2
EXPORT_VERSION = 1
_RATCHET_LENGTH = 128
_KEY_LENGTH = 32
#: version(1) + index(4) + ratchet(128) + Ed25519 public key(32), then a 64-byte signature.
MEGOLM_EXPORT_LENGTH = 1 + 4 + _RATCHET_LENGTH + _KEY_LENGTH
MEGOLM_SESSION_KEY_LENGTH = MEGOLM_EXPORT_LENGTH + SIGNATURE_LENGTH

# docs/olm.md "Normal Message": Ratchet-Key 0x0A, Chain-Index 0x10, Cipher-Text 0x22.
_RATCHET_KEY = 0x0A
_CHAIN_INDEX = 0x10
_CIPHERTEXT = 0x22
# docs/olm.md "Pre-Key Message": One-Time-Key 0x0A, Base-Key 0x12, Identity-Key 0x1A, Message 0x22.
_ONE_TIME_KEY = 0x0A
_BASE_KEY = 0x12
_IDENTITY_KEY = 0x1A
_MESSAGE = 0x22
# docs/megolm.md "Message format": Message-Index 0x08, Cipher-Text 0x12.
_MESSAGE_INDEX = 0x08
_GROUP_CIPHERTEXT = 0x12


def _string(tag: int, value: bytes) -> bytes:
    return bytes([tag]) + encode_varint(len(value)) + value


def _int(tag: int, value: int) -> bytes:
    return bytes([tag]) + encode_varint(value)


def parse_fields(payload: bytes) -> dict[int, int | bytes]:
    """Tag -> value (an int for wire type 0, bytes for wire type 2); the last repeat wins."""
    fields: dict[int, int | bytes] = {}
    pos = 0
    while pos < len(payload):
        tag, pos = decode_varint(payload, pos)
        wire_type = tag & 7
        if wire_type == 0:
            value, pos = decode_varint(payload, pos)
            fields[tag] = value
        elif wire_type == 2:
            length, pos = decode_varint(payload, pos)
            if length > len(payload) - pos:
                raise InvalidMessage("a length-delimited field runs past the end")
            fields[tag] = payload[pos : pos + length]
            pos += length
        else:
            raise InvalidMessage(f"unknown wire type {wire_type}")
    return fields


def _bytes_field(fields: dict[int, int | bytes], tag: int, what: str, size: int = 0) -> bytes:
    value = fields.get(tag)
    if not isinstance(value, bytes):
        raise InvalidMessage(f"missing {what}")
    if size and len(value) != size:
        raise InvalidMessage(f"{what} is {len(value)} bytes instead of {size}")
    return value


def _uint32_field(fields: dict[int, int | bytes], tag: int, what: str) -> int:
    value = fields.get(tag)
    if not isinstance(value, int):
        raise InvalidMessage(f"missing {what}")
    if value >= 1 << 32:
        raise InvalidMessage(f"{what} does not fit 32 bits")
    return value


def _version(data: bytes, expected: int, what: str) -> None:
    if not data:
        raise InvalidMessage(f"empty {what}")
    if data[0] != expected:
        raise InvalidMessage(f"{what} version {data[0]} instead of {expected}")


@dataclass(frozen=True)
class OlmMessage:
    """A normal Olm message; ``body`` is what the MAC covers (version and payload)."""

    ratchet_key: bytes
    counter: int
    ciphertext: bytes
    body: bytes
    mac: bytes


def encode_olm_message_body(ratchet_key: bytes, counter: int, ciphertext: bytes) -> bytes:
    """docs/olm.md "Normal Message", without its MAC (libolm writes the fields in this order)."""
    return (
        bytes([OLM_VERSION])
        + _string(_RATCHET_KEY, ratchet_key)
        + _int(_CHAIN_INDEX, counter)
        + _string(_CIPHERTEXT, ciphertext)
    )


def parse_olm_message(data: bytes) -> OlmMessage:
    if len(data) < 1 + OLM_MAC_LENGTH:
        raise InvalidMessage("Olm message too short")
    _version(data, OLM_VERSION, "Olm message")
    body, mac = data[:-OLM_MAC_LENGTH], data[-OLM_MAC_LENGTH:]
    fields = parse_fields(body[1:])
    return OlmMessage(
        ratchet_key=_bytes_field(fields, _RATCHET_KEY, "ratchet key", _KEY_LENGTH),
        counter=_uint32_field(fields, _CHAIN_INDEX, "chain index"),
        ciphertext=_bytes_field(fields, _CIPHERTEXT, "ciphertext"),
        body=body,
        mac=mac,
    )


@dataclass(frozen=True)
class PreKeyMessage:
    """An Olm pre-key message; ``identity_key`` is None when the sender left it out."""

    one_time_key: bytes
    base_key: bytes
    identity_key: bytes | None
    message: bytes


def encode_pre_key_message(
    one_time_key: bytes, base_key: bytes, identity_key: bytes, message: bytes
) -> bytes:
    """docs/olm.md "Pre-Key Message" (no MAC of its own: the embedded message carries one)."""
    return (
        bytes([OLM_VERSION])
        + _string(_ONE_TIME_KEY, one_time_key)
        + _string(_BASE_KEY, base_key)
        + _string(_IDENTITY_KEY, identity_key)
        + _string(_MESSAGE, message)
    )


def parse_pre_key_message(data: bytes) -> PreKeyMessage:
    """The outer version byte is not checked: nothing authenticates it and libolm ignores it
    (``Session::new_inbound_session`` and ``Session::decrypt`` never read it); the embedded
    message's own version is checked when it is decrypted."""
    if not data:
        raise InvalidMessage("empty Olm pre-key message")
    fields = parse_fields(data[1:])
    identity = fields.get(_IDENTITY_KEY)
    if identity is not None and (not isinstance(identity, bytes) or len(identity) != _KEY_LENGTH):
        raise InvalidMessage("identity key is not 32 bytes")
    return PreKeyMessage(
        one_time_key=_bytes_field(fields, _ONE_TIME_KEY, "one-time key", _KEY_LENGTH),
        base_key=_bytes_field(fields, _BASE_KEY, "base key", _KEY_LENGTH),
        identity_key=identity if isinstance(identity, bytes) else None,
        message=_bytes_field(fields, _MESSAGE, "embedded message"),
    )


@dataclass(frozen=True)
class MegolmMessage:
    """A Megolm message: the MAC covers ``body``; the signature covers ``body || mac``."""

    index: int
    ciphertext: bytes
    body: bytes
    mac: bytes
    signature: bytes

    @property
    def signed(self) -> bytes:
        return self.body + self.mac


def encode_megolm_message_body(index: int, ciphertext: bytes) -> bytes:
    return (
        bytes([MEGOLM_VERSION])
        + _int(_MESSAGE_INDEX, index)
        + _string(_GROUP_CIPHERTEXT, ciphertext)
    )


def parse_megolm_message(data: bytes) -> MegolmMessage:
    if len(data) < 1 + OLM_MAC_LENGTH + SIGNATURE_LENGTH:
        raise InvalidMessage("Megolm message too short")
    _version(data, MEGOLM_VERSION, "Megolm message")
    end = len(data) - SIGNATURE_LENGTH - OLM_MAC_LENGTH
    body = data[:end]
    fields = parse_fields(body[1:])
    return MegolmMessage(
        index=_uint32_field(fields, _MESSAGE_INDEX, "message index"),
        ciphertext=_bytes_field(fields, _GROUP_CIPHERTEXT, "ciphertext"),
        body=body,
        mac=data[end : end + OLM_MAC_LENGTH],
        signature=data[end + OLM_MAC_LENGTH :],
    )


@dataclass(frozen=True)
class MegolmSessionKey:
    """A session-sharing key or an export; ``signed``/``signature`` are empty for an export."""

    index: int
    ratchet: bytes
    signing_key: bytes
    signed: bytes
    signature: bytes


def encode_megolm_session_key_body(index: int, ratchet: bytes, signing_key: bytes) -> bytes:
    """docs/megolm.md "Session-sharing format" up to (not including) the signature."""
    return bytes([SESSION_KEY_VERSION]) + index.to_bytes(4, "big") + ratchet + signing_key


def encode_megolm_export(index: int, ratchet: bytes, signing_key: bytes) -> bytes:
    """docs/megolm.md "Session export format"."""
    return bytes([EXPORT_VERSION]) + index.to_bytes(4, "big") + ratchet + signing_key


def _parse_key(data: bytes, version: int, length: int, what: str) -> MegolmSessionKey:
    if len(data) != length:
        raise InvalidMessage(f"{what} is {len(data)} bytes instead of {length}")
    _version(data, version, what)
    pos = 5 + _RATCHET_LENGTH
    return MegolmSessionKey(
        index=int.from_bytes(data[1:5], "big"),
        ratchet=data[5:pos],
        signing_key=data[pos : pos + _KEY_LENGTH],
        signed=data[:MEGOLM_EXPORT_LENGTH] if length == MEGOLM_SESSION_KEY_LENGTH else b"",
        signature=data[MEGOLM_EXPORT_LENGTH:],
    )


def parse_megolm_session_key(data: bytes) -> MegolmSessionKey:
    return _parse_key(data, SESSION_KEY_VERSION, MEGOLM_SESSION_KEY_LENGTH, "Megolm session key")


def parse_megolm_export(data: bytes) -> MegolmSessionKey:
    return _parse_key(data, EXPORT_VERSION, MEGOLM_EXPORT_LENGTH, "Megolm session export")
