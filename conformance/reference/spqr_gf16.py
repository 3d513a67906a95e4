"""SPQR's erasure code: GF(2^16) polynomial encoding of a byte string into 32-byte chunks.

Written from the behaviour of ``spqr`` v1.5.3 (signalapp/SparsePostQuantumRatchet, tag v1.5.3,
``src/encoding/gf.rs`` and ``src/encoding/polynomial.rs``), as libsignal 0.103.0 runs it.

* The field is GF(2^16) with the reduction polynomial ``x^16 + x^12 + x^3 + x + 1`` (0x1100B,
  ``gf.rs`` ``POLY``); addition is XOR.
* A message of ``2m`` bytes is read as ``m`` big-endian 16-bit values; value ``i`` is the point
  ``(i // 16, v)`` of polynomial ``i % 16`` (``PolyEncoder::encode_bytes``). Chunk ``c`` carries,
  for each of the 16 polynomials ``j``, the value of polynomial ``j`` at ``x = c``, big-endian,
  so chunks below ``ceil(m / 16)`` are the message itself and the later ones are evaluations of
  the interpolating polynomial (``chunk_at``/``point_at``): any ``ceil(m / 16)`` distinct chunks
  rebuild the message.
* The decoder keeps, per polynomial, a set of points ordered by x (a later point with the same x
  replaces the earlier one, as ``sorted_vec::SortedSet::push`` does), adds a chunk's point only
  if its x is below the number of points that polynomial needs or the polynomial still lacks
  points (``PolyDecoder::add_chunk``), and decodes once every polynomial has enough points,
  interpolating through the first ``needed`` points by x for the values it did not receive
  (``decoded_message``).

Pure integer arithmetic: no crypto library.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

__all__ = [
    "CHUNK_SIZE",
    "NUM_POLYS",
    "POLY",
    "decoder_add_chunk",
    "decoder_decoded",
    "encoder_chunk",
    "gf_div",
    "gf_mul",
    "interpolate_at",
    "new_decoder",
]

#: gf.rs: the primitive polynomial x^16 + x^12 + x^3 + x + 1.
POLY = 0x1100B
#: polynomial.rs: chunk size in bytes, and 16-bit values (polynomials) per chunk.
CHUNK_SIZE = 32
NUM_POLYS = CHUNK_SIZE // 2

_ORDER = 0xFFFF


def _tables() -> tuple[list[int], list[int]]:
    """exp/log tables for the generator x (= 2), which POLY being primitive makes of order
    2^16 - 1."""
    exp = [0] * (2 * _ORDER)
    log = [0] * (1 << 16)
    v = 1
    for i in range(_ORDER):
        exp[i] = v
        log[v] = i
        v <<= 1
        if v & 0x10000:
            v ^= POLY
    for i in range(_ORDER, 2 * _ORDER):
        exp[i] = exp[i - _ORDER]
    return exp, log


_EXP, _LOG = _tables()


def gf_mul(a: int, b: int) -> int:
    """Product in GF(2^16) mod POLY (gf.rs ``unaccelerated::mul``: carry-less product, reduced)."""
    if a == 0 or b == 0:
        return 0
    return _EXP[_LOG[a] + _LOG[b]]


def gf_div(a: int, b: int) -> int:
    """``a / b`` in GF(2^16); ``b`` must not be zero."""
    if b == 0:
        raise ZeroDivisionError("division by zero in GF(2^16)")
    if a == 0:
        return 0
    return _EXP[_LOG[a] - _LOG[b] + _ORDER]


def interpolate_at(points: Sequence[tuple[int, int]], x: int) -> int:
    """The value at ``x`` of the unique polynomial of degree < len(points) through ``points``
    (distinct x values): Lagrange's formula, which gives what ``Poly::lagrange_interpolate``
    followed by ``compute_at`` gives. No points: the zero polynomial."""
    total = 0
    for i, (xi, yi) in enumerate(points):
        if yi == 0:
            continue
        num = 1
        den = 1
        for j, (xj, _) in enumerate(points):
            if j == i:
                continue
            num = gf_mul(num, x ^ xj)
            den = gf_mul(den, xi ^ xj)
        total ^= gf_mul(yi, gf_div(num, den))
    return total


def _values(data: bytes) -> list[int]:
    return [(data[i] << 8) | data[i + 1] for i in range(0, len(data), 2)]


def encoder_chunk(data: bytes, index: int) -> bytes:
    """The 32 data bytes of chunk ``index`` (0..65535) of ``data`` (``PolyEncoder::chunk_at``).
    ``data`` has an even length of at most 2^16 * 16 bytes (``encode_bytes_base``)."""
    values = _values(data)
    out = bytearray()
    for poly in range(NUM_POLYS):
        ys = values[poly::NUM_POLYS]
        y = ys[index] if index < len(ys) else interpolate_at(list(enumerate(ys)), index)
        out += y.to_bytes(2, "big")
    return bytes(out)


def new_decoder(length: int) -> dict[str, Any]:
    """An empty decoder for a message of ``length`` bytes (even; ``PolyDecoder::new``)."""
    if length % 2:
        raise ValueError("message length must be even")
    return {"needed": length // 2, "pts": [[] for _ in range(NUM_POLYS)]}


def _necessary(needed: int, poly: int) -> int:
    """``PolyDecoder::necessary_points``."""
    return needed // NUM_POLYS + (1 if poly < needed % NUM_POLYS else 0)


def decoder_add_chunk(decoder: dict[str, Any], index: int, data: bytes) -> None:
    """``PolyDecoder::add_chunk``: chunk ``index`` gives polynomial ``i`` the point
    ``(index, data[2i:2i+2])``, kept when it is useful (see the module docstring)."""
    needed: int = decoder["needed"]
    pts: list[list[list[int]]] = decoder["pts"]
    for i in range(NUM_POLYS):
        y = (data[2 * i] << 8) | data[2 * i + 1]
        want = _necessary(needed, i)
        bucket = pts[i]
        if index < want or len(bucket) < want:
            for k, (x, _) in enumerate(bucket):
                if x == index:
                    bucket[k] = [index, y]
                    break
                if x > index:
                    bucket.insert(k, [index, y])
                    break
            else:
                bucket.append([index, y])


def decoder_decoded(decoder: dict[str, Any]) -> bytes | None:
    """``PolyDecoder::decoded_message``: the message once every polynomial has its points."""
    needed: int = decoder["needed"]
    pts: list[list[list[int]]] = decoder["pts"]
    for i in range(NUM_POLYS):
        if len(pts[i]) < _necessary(needed, i):
            return None
    out = bytearray()
    for i in range(needed):
        poly = i % NUM_POLYS
        x = i // NUM_POLYS
        bucket = pts[poly]
        found = [y for (px, y) in bucket if px == x]
        if found:
            y = found[0]
        else:
            use = [(px, py) for (px, py) in bucket[: _necessary(needed, poly)]]
            y = interpolate_at(use, x)
        out += y.to_bytes(2, "big")
    return bytes(out)
