"""TLS presentation-language encoding as RFC 9420 uses it (§2.1): fixed-width big-endian
integers and variable-length vectors ``opaque data<V>`` whose length is the MLS variable-size
integer of §2.1.2 (1, 2 or 4 bytes, the top two bits of the first byte giving the size)."""

from __future__ import annotations

from ...errors import InvalidInput

__all__ = ["Reader", "opaque", "uint8", "uint16", "uint32", "uint64", "varint"]

_MAX_VARINT = (1 << 30) - 1


def varint(value: int) -> bytes:
    """The §2.1.2 variable-size length: the shortest of 1, 2 or 4 bytes (prefix 00, 01, 10)."""
    if value < 0 or value > _MAX_VARINT:
        raise InvalidInput(f"length {value} does not fit an MLS varint")
    if value < 1 << 6:
        return bytes([value])
    if value < 1 << 14:
        return (value | 0x4000).to_bytes(2, "big")
    return (value | 0x8000_0000).to_bytes(4, "big")


def opaque(data: bytes) -> bytes:
    """``opaque data<V>`` (§2.1.2): the varint length, then the bytes."""
    return varint(len(data)) + data


def uint8(value: int) -> bytes:
    return value.to_bytes(1, "big")


def uint16(value: int) -> bytes:
    return value.to_bytes(2, "big")


def uint32(value: int) -> bytes:
    return value.to_bytes(4, "big")


def uint64(value: int) -> bytes:
    return value.to_bytes(8, "big")


class Reader:
    """A cursor over serialised bytes; running out of input, a non-minimal varint (§2.1.2:
    "the length MUST be encoded in the smallest number of bytes") or the reserved prefix 11
    raises InvalidInput."""

    def __init__(self, data: bytes) -> None:
        self.data = data
        self.pos = 0

    def done(self) -> bool:
        return self.pos == len(self.data)

    def take(self, n: int) -> bytes:
        if n < 0 or self.pos + n > len(self.data):
            raise InvalidInput("truncated TLS structure")
        out = self.data[self.pos : self.pos + n]
        self.pos += n
        return out

    def uint(self, width: int) -> int:
        return int.from_bytes(self.take(width), "big")

    def varint(self) -> int:
        first = self.take(1)[0]
        prefix = first >> 6
        if prefix == 3:
            raise InvalidInput("varint with the reserved prefix 11")
        size = 1 << prefix
        value = int.from_bytes(bytes([first & 0x3F]) + self.take(size - 1), "big")
        if size > 1 and value < 1 << (8 * (size // 2) - 2):
            raise InvalidInput("varint not in its minimal encoding")
        return value

    def opaque(self) -> bytes:
        return self.take(self.varint())
