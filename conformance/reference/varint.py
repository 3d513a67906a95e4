"""Protocol Buffers base-128 varints (protobuf encoding spec "Base 128 Varints"), the integer
encoding of both the Olm/Megolm and the Signal wire formats."""

from __future__ import annotations

from ..errors import InvalidMessage

__all__ = ["decode_varint", "encode_varint"]

_MAX_VARINT_BYTES = 10


def encode_varint(value: int) -> bytes:
    if value < 0:
        raise ValueError("varints are unsigned")
    out = bytearray()
    while value >= 0x80:
        out.append((value & 0x7F) | 0x80)
        value >>= 7
    out.append(value)
    return bytes(out)


def decode_varint(data: bytes, pos: int) -> tuple[int, int]:
    """The varint at ``pos`` and the position after it."""
    value = 0
    for i in range(_MAX_VARINT_BYTES):
        if pos + i >= len(data):
            raise InvalidMessage("truncated varint")
        byte = data[pos + i]
        value |= (byte & 0x7F) << (7 * i)
        if not byte & 0x80:
            return value, pos + i + 1
    raise InvalidMessage("varint longer than 10 bytes")
