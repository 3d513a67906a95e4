"""ML-KEM (FIPS 203, August 2024) and round-3 Kyber (CRYSTALS-Kyber v3.02), written from the
specifications.

Pure integer arithmetic on polynomials of ``Z_q[X]/(X^256 + 1)``, q = 3329. The four hash
functions (SHA3-256 as H, SHA3-512 as G, SHAKE128 as the XOF, SHAKE256 as PRF, J and the
round-3 KDF) come in through :class:`KemHashes`; :data:`HASHLIB` is a default built on
:mod:`hashlib`. Every random input (d, z, m) is a parameter, so outputs can be compared byte
for byte.

ML-KEM (:func:`keygen`, :func:`encaps`, :func:`decaps`) is FIPS 203 §6's ``*_internal``
algorithms behind the input checks of §7.2 (length and modulus check of ``ek``) and §7.3
(length of ``c`` and ``dk``, hash check of ``dk``).

Round-3 Kyber (:func:`kyber_r3_keygen`, :func:`kyber_r3_encaps`, :func:`kyber_r3_decaps`; v3.02
Algorithms 4-9, as libsignal's PQXDH uses Kyber1024) shares K-PKE's encodings, sampling and
arithmetic with ML-KEM and differs in four places: key generation takes ``(rho, sigma) = G(d)``
with no domain-separator byte; encapsulation hashes ``m`` first (``m <- H(m)``); the shared key
is ``KDF(Kbar || H(c))`` with KDF = SHAKE256 to 32 bytes; implicit rejection gives
``KDF(z || H(c))``. Key and ciphertext layouts and sizes are ML-KEM's. Round 3 specifies no
input checks, so only lengths are checked there.

Not constant time: this is a reference for comparing outputs, not for protecting keys.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass
from typing import NamedTuple, Protocol

from ..capabilities.pq import KemEncapsulated, KemKeyPair
from ..errors import InvalidInput, InvalidKey, InvalidMessage

__all__ = [
    "HASHLIB",
    "ML_KEM_512",
    "ML_KEM_768",
    "ML_KEM_1024",
    "PARAMETER_SETS",
    "Encapsulated",
    "HashCheckFailed",
    "HashlibHashes",
    "InvalidCiphertext",
    "InvalidDecapsulationKey",
    "InvalidEncapsulationKey",
    "InvalidSeed",
    "KemHashes",
    "KeyPair",
    "Kyber1024Round3Reference",
    "MlKemReference",
    "ModulusCheckFailed",
    "ParameterSet",
    "check_decapsulation_key",
    "check_encapsulation_key",
    "decaps",
    "encaps",
    "keygen",
    "kyber_r3_decaps",
    "kyber_r3_encaps",
    "kyber_r3_keygen",
]

#: FIPS 203 §2.4: n = 256 coefficients, modulus q = 3329, and zeta = 17, a primitive 256-th
#: root of unity modulo q (§4.3).
N = 256
Q = 3329
ZETA = 17
#: 128^-1 mod q, the final scaling of NTT^-1 (§4.3 Algorithm 10).
_N_INV = 3303


# --------------------------------------------------------------------------------------------
# Errors


class InvalidEncapsulationKey(InvalidKey, ValueError):
    """An encapsulation key of the wrong length (§7.2 type check, or round 3's length)."""


class ModulusCheckFailed(InvalidEncapsulationKey):
    """§7.2 modulus check: ``ByteEncode_12(ByteDecode_12(ek[0:384k])) != ek[0:384k]``, some
    12-bit coefficient of ``ek`` is not below q."""


class InvalidDecapsulationKey(InvalidKey, ValueError):
    """A decapsulation key of the wrong length (§7.3 type check, or round 3's length)."""


class HashCheckFailed(InvalidDecapsulationKey):
    """§7.3 hash check: ``H(dk[384k : 768k + 32]) != dk[768k + 32 : 768k + 64]``."""


class InvalidCiphertext(InvalidMessage, ValueError):
    """A ciphertext of the wrong length (§7.3 ciphertext type check, or round 3's length)."""


class InvalidSeed(InvalidInput, ValueError):
    """A random input (d, z or m) that is not 32 bytes."""


# --------------------------------------------------------------------------------------------
# Hash functions (§4.1)


class KemHashes(Protocol):
    """The hash functions FIPS 203 §4.1 (and Kyber v3.02's symmetric primitives) are built from."""

    def sha3_256(self, data: bytes) -> bytes:
        """SHA3-256: H."""
        ...

    def sha3_512(self, data: bytes) -> bytes:
        """SHA3-512: G."""
        ...

    def shake128(self, data: bytes, length: int) -> bytes:
        """The first ``length`` bytes of SHAKE128(data): the XOF of SampleNTT."""
        ...

    def shake256(self, data: bytes, length: int) -> bytes:
        """The first ``length`` bytes of SHAKE256(data): PRF, J and round 3's KDF."""
        ...


class HashlibHashes:
    """:class:`KemHashes` from :mod:`hashlib`."""

    def sha3_256(self, data: bytes) -> bytes:
        return hashlib.sha3_256(data).digest()

    def sha3_512(self, data: bytes) -> bytes:
        return hashlib.sha3_512(data).digest()

    def shake128(self, data: bytes, length: int) -> bytes:
        return hashlib.shake_128(data).digest(length)

    def shake256(self, data: bytes, length: int) -> bytes:
        return hashlib.shake_256(data).digest(length)


HASHLIB: KemHashes = HashlibHashes()


# --------------------------------------------------------------------------------------------
# Parameter sets (§8, Table 2)


@dataclass(frozen=True)
class ParameterSet:
    """One row of FIPS 203 Table 2 (the same k, eta and d values as Kyber512/768/1024)."""

    name: str
    k: int
    eta1: int
    eta2: int
    du: int
    dv: int

    @property
    def ek_length(self) -> int:
        """Table 3: 384k + 32 bytes."""
        return 384 * self.k + 32

    @property
    def dk_length(self) -> int:
        """Table 3: 768k + 96 bytes."""
        return 768 * self.k + 96

    @property
    def ciphertext_length(self) -> int:
        """Table 3: 32 (du k + dv) bytes."""
        return 32 * (self.du * self.k + self.dv)


ML_KEM_512 = ParameterSet("ML-KEM-512", k=2, eta1=3, eta2=2, du=10, dv=4)
ML_KEM_768 = ParameterSet("ML-KEM-768", k=3, eta1=2, eta2=2, du=10, dv=4)
ML_KEM_1024 = ParameterSet("ML-KEM-1024", k=4, eta1=2, eta2=2, du=11, dv=5)
PARAMETER_SETS: dict[str, ParameterSet] = {p.name: p for p in (ML_KEM_512, ML_KEM_768, ML_KEM_1024)}


class KeyPair(NamedTuple):
    """An encapsulation key and the (expanded) decapsulation key ``dk_pke || ek || H(ek) || z``."""

    ek: bytes
    dk: bytes


class Encapsulated(NamedTuple):
    """A shared key and the ciphertext that carries it."""

    k: bytes
    c: bytes


# --------------------------------------------------------------------------------------------
# Polynomial arithmetic (§4.2.1, §4.3)

_Poly = list[int]


def _bitrev7(i: int) -> int:
    return int(f"{i:07b}"[::-1], 2)


#: §4.3: zeta^BitRev7(i) mod q for i = 0..127 (Appendix A), used by NTT and NTT^-1.
_ZETAS = [pow(ZETA, _bitrev7(i), Q) for i in range(128)]
#: §4.3.1: gamma_i = zeta^(2 BitRev7(i) + 1) mod q for i = 0..127, used by MultiplyNTTs.
_GAMMAS = [pow(ZETA, 2 * _bitrev7(i) + 1, Q) for i in range(128)]


def _ntt(f: Sequence[int]) -> _Poly:
    """§4.3 Algorithm 9: NTT(f)."""
    a = list(f)
    i = 1
    length = 128
    while length >= 2:
        for start in range(0, N, 2 * length):
            zeta = _ZETAS[i]
            i += 1
            for j in range(start, start + length):
                t = zeta * a[j + length] % Q
                a[j + length] = (a[j] - t) % Q
                a[j] = (a[j] + t) % Q
        length //= 2
    return a


def _ntt_inverse(f: Sequence[int]) -> _Poly:
    """§4.3 Algorithm 10: NTT^-1(f_hat)."""
    a = list(f)
    i = 127
    length = 2
    while length <= 128:
        for start in range(0, N, 2 * length):
            zeta = _ZETAS[i]
            i -= 1
            for j in range(start, start + length):
                t = a[j]
                a[j] = (t + a[j + length]) % Q
                a[j + length] = zeta * (a[j + length] - t) % Q
        length *= 2
    return [x * _N_INV % Q for x in a]


def _multiply_ntts(f: Sequence[int], g: Sequence[int]) -> _Poly:
    """§4.3.1 Algorithms 11 and 12: MultiplyNTTs, 128 BaseCaseMultiply of degree-one
    polynomials modulo X^2 - gamma_i."""
    h = [0] * N
    for i in range(128):
        a0, a1 = f[2 * i], f[2 * i + 1]
        b0, b1 = g[2 * i], g[2 * i + 1]
        h[2 * i] = (a0 * b0 + a1 * b1 % Q * _GAMMAS[i]) % Q
        h[2 * i + 1] = (a0 * b1 + a1 * b0) % Q
    return h


def _add(f: Sequence[int], g: Sequence[int]) -> _Poly:
    return [(a + b) % Q for a, b in zip(f, g, strict=True)]


def _sub(f: Sequence[int], g: Sequence[int]) -> _Poly:
    return [(a - b) % Q for a, b in zip(f, g, strict=True)]


def _dot_ntt(fs: Sequence[Sequence[int]], gs: Sequence[Sequence[int]]) -> _Poly:
    """The NTT-domain inner product sum_j MultiplyNTTs(fs[j], gs[j])."""
    acc = [0] * N
    for f, g in zip(fs, gs, strict=True):
        acc = _add(acc, _multiply_ntts(f, g))
    return acc


# --------------------------------------------------------------------------------------------
# Encoding and compression (§4.2.1)


def _byte_encode(f: Sequence[int], d: int) -> bytes:
    """§4.2.1 Algorithm 5: ByteEncode_d, coefficient i in bits d*i .. d*i + d - 1, little-endian
    (BitsToBytes of Algorithm 3). Coefficients must be below 2^d (below q for d = 12)."""
    x = 0
    for c in reversed(f):
        x = (x << d) | c
    return x.to_bytes(32 * d, "little")


def _byte_decode(b: bytes, d: int) -> _Poly:
    """§4.2.1 Algorithm 6: ByteDecode_d, the inverse of ByteEncode_d; for d = 12 each
    coefficient is reduced modulo q (m = q)."""
    x = int.from_bytes(b, "little")
    mask = (1 << d) - 1
    f = [(x >> (d * i)) & mask for i in range(N)]
    if d == 12:
        f = [c % Q for c in f]
    return f


def _compress(f: Sequence[int], d: int) -> _Poly:
    """§4.2.1: Compress_d(x) = round((2^d / q) x) mod 2^d (q is odd, so no ties)."""
    half, mask = Q // 2, (1 << d) - 1
    return [(((x << d) + half) // Q) & mask for x in f]


def _decompress(f: Sequence[int], d: int) -> _Poly:
    """§4.2.1: Decompress_d(y) = round((q / 2^d) y), halves rounded up."""
    half = 1 << (d - 1)
    return [(Q * y + half) >> d for y in f]


def _encode_vector(v: Sequence[Sequence[int]], d: int) -> bytes:
    return b"".join(_byte_encode(f, d) for f in v)


def _decode_vector(b: bytes, d: int, k: int) -> list[_Poly]:
    size = 32 * d
    return [_byte_decode(b[i * size : (i + 1) * size], d) for i in range(k)]


# --------------------------------------------------------------------------------------------
# Sampling (§4.2.2)

#: One SHAKE128 block, the unit SampleNTT squeezes.
_XOF_BLOCK = 168


def _sample_ntt(hashes: KemHashes, seed: bytes) -> _Poly:
    """§4.2.2 Algorithm 7: SampleNTT(B) for the 34-byte B = rho || j || i. Rejection sampling
    of 12-bit candidates from XOF(B); the interface gives fixed-length outputs, so when the
    bytes run out a longer prefix of the same stream is asked for and reading goes on."""
    a: _Poly = []
    stream = hashes.shake128(seed, 4 * _XOF_BLOCK)
    pos = 0
    while len(a) < N:
        if pos + 3 > len(stream):
            stream = hashes.shake128(seed, len(stream) + 2 * _XOF_BLOCK)
        c0, c1, c2 = stream[pos], stream[pos + 1], stream[pos + 2]
        pos += 3
        d1 = c0 + 256 * (c1 & 0x0F)
        d2 = (c1 >> 4) + 16 * c2
        if d1 < Q:
            a.append(d1)
        if d2 < Q and len(a) < N:
            a.append(d2)
    return a


def _cbd_table(eta: int) -> list[int]:
    """For each 2 eta-bit chunk, sum of its low eta bits minus sum of its high eta bits, mod q."""
    low = (1 << eta) - 1
    return [((x & low).bit_count() - (x >> eta).bit_count()) % Q for x in range(1 << (2 * eta))]


_CBD_TABLES = {eta: _cbd_table(eta) for eta in (2, 3)}


def _sample_poly_cbd(b: bytes, eta: int) -> _Poly:
    """§4.2.2 Algorithm 8: SamplePolyCBD_eta(B) for the 64 eta-byte B = PRF_eta(s, N);
    coefficient i uses bits 2 i eta .. 2 i eta + 2 eta - 1 of B (little-endian)."""
    table = _CBD_TABLES[eta]
    x = int.from_bytes(b, "little")
    width = 2 * eta
    mask = (1 << width) - 1
    return [table[(x >> (width * i)) & mask] for i in range(N)]


def _prf(hashes: KemHashes, eta: int, s: bytes, n: int) -> bytes:
    """§4.1: PRF_eta(s, b) = SHAKE256(s || b, 8 * 64 eta bits)."""
    return hashes.shake256(s + bytes([n]), 64 * eta)


def _sample_matrix_row(hashes: KemHashes, rho: bytes, i: int, k: int) -> list[_Poly]:
    """Row i of A_hat: A_hat[i, j] = SampleNTT(rho || j || i) (§5.1 Algorithm 13)."""
    return [_sample_ntt(hashes, rho + bytes([j, i])) for j in range(k)]


def _sample_matrix_column(hashes: KemHashes, rho: bytes, i: int, k: int) -> list[_Poly]:
    """Row i of A_hat^T: A_hat[j, i] = SampleNTT(rho || i || j) (§5.2 Algorithm 14)."""
    return [_sample_ntt(hashes, rho + bytes([i, j])) for j in range(k)]


# --------------------------------------------------------------------------------------------
# K-PKE (§5)


def _k_pke_keygen(
    params: ParameterSet, hashes: KemHashes, rho: bytes, sigma: bytes
) -> tuple[bytes, bytes]:
    """§5.1 Algorithm 13 K-PKE.KeyGen after line 1, given (rho, sigma): (ek_pke, dk_pke).
    Line 1, which derives (rho, sigma) from d, is where ML-KEM and round 3 differ."""
    k = params.k
    n = 0
    s: list[_Poly] = []
    for _ in range(k):
        s.append(_sample_poly_cbd(_prf(hashes, params.eta1, sigma, n), params.eta1))
        n += 1
    e: list[_Poly] = []
    for _ in range(k):
        e.append(_sample_poly_cbd(_prf(hashes, params.eta1, sigma, n), params.eta1))
        n += 1
    s_hat = [_ntt(f) for f in s]
    e_hat = [_ntt(f) for f in e]
    t_hat = [
        _add(_dot_ntt(_sample_matrix_row(hashes, rho, i, k), s_hat), e_hat[i]) for i in range(k)
    ]
    return _encode_vector(t_hat, 12) + rho, _encode_vector(s_hat, 12)


def _k_pke_encrypt(params: ParameterSet, hashes: KemHashes, ek: bytes, m: bytes, r: bytes) -> bytes:
    """§5.2 Algorithm 14: K-PKE.Encrypt(ek_pke, m, r)."""
    k = params.k
    t_hat = _decode_vector(ek[: 384 * k], 12, k)
    rho = ek[384 * k : 384 * k + 32]
    n = 0
    y: list[_Poly] = []
    for _ in range(k):
        y.append(_sample_poly_cbd(_prf(hashes, params.eta1, r, n), params.eta1))
        n += 1
    e1: list[_Poly] = []
    for _ in range(k):
        e1.append(_sample_poly_cbd(_prf(hashes, params.eta2, r, n), params.eta2))
        n += 1
    e2 = _sample_poly_cbd(_prf(hashes, params.eta2, r, n), params.eta2)
    y_hat = [_ntt(f) for f in y]
    u = [
        _add(_ntt_inverse(_dot_ntt(_sample_matrix_column(hashes, rho, i, k), y_hat)), e1[i])
        for i in range(k)
    ]
    mu = _decompress(_byte_decode(m, 1), 1)
    v = _add(_add(_ntt_inverse(_dot_ntt(t_hat, y_hat)), e2), mu)
    c1 = _encode_vector([_compress(f, params.du) for f in u], params.du)
    c2 = _byte_encode(_compress(v, params.dv), params.dv)
    return c1 + c2


def _k_pke_decrypt(params: ParameterSet, dk: bytes, c: bytes) -> bytes:
    """§5.3 Algorithm 15: K-PKE.Decrypt(dk_pke, c)."""
    k, du, dv = params.k, params.du, params.dv
    split = 32 * du * k
    u = [_decompress(f, du) for f in _decode_vector(c[:split], du, k)]
    v = _decompress(_byte_decode(c[split:], dv), dv)
    s_hat = _decode_vector(dk, 12, k)
    w = _sub(v, _ntt_inverse(_dot_ntt(s_hat, [_ntt(f) for f in u])))
    return _byte_encode(_compress(w, 1), 1)


# --------------------------------------------------------------------------------------------
# Input checks (§7.2, §7.3)


def _check_seed(name: str, value: bytes) -> None:
    if len(value) != 32:
        raise InvalidSeed(f"{name} must be 32 bytes, got {len(value)}")


def _check_ek_length(params: ParameterSet, ek: bytes) -> None:
    if len(ek) != params.ek_length:
        raise InvalidEncapsulationKey(
            f"{params.name} encapsulation key must be {params.ek_length} bytes, got {len(ek)}"
        )


def _check_dk_length(params: ParameterSet, dk: bytes) -> None:
    if len(dk) != params.dk_length:
        raise InvalidDecapsulationKey(
            f"{params.name} decapsulation key must be {params.dk_length} bytes, got {len(dk)}"
        )


def _check_c_length(params: ParameterSet, c: bytes) -> None:
    if len(c) != params.ciphertext_length:
        raise InvalidCiphertext(
            f"{params.name} ciphertext must be {params.ciphertext_length} bytes, got {len(c)}"
        )


def check_encapsulation_key(params: ParameterSet, ek: bytes) -> None:
    """§7.2 ML-KEM.Encaps input checking: the type check (length 384k + 32) and the modulus
    check ``ByteEncode_12(ByteDecode_12(ek[0:384k])) == ek[0:384k]``."""
    _check_ek_length(params, ek)
    t = ek[: 384 * params.k]
    if _encode_vector(_decode_vector(t, 12, params.k), 12) != t:
        raise ModulusCheckFailed(f"{params.name} encapsulation key has a coefficient >= q")


def check_decapsulation_key(params: ParameterSet, dk: bytes, hashes: KemHashes = HASHLIB) -> None:
    """§7.3 ML-KEM.Decaps input checking of dk: the type check (length 768k + 96) and the hash
    check ``H(dk[384k : 768k + 32]) == dk[768k + 32 : 768k + 64]``."""
    _check_dk_length(params, dk)
    k = params.k
    if hashes.sha3_256(dk[384 * k : 768 * k + 32]) != dk[768 * k + 32 : 768 * k + 64]:
        raise HashCheckFailed(f"{params.name} decapsulation key: H(ek) does not match")


# --------------------------------------------------------------------------------------------
# ML-KEM (§6, §7)


def keygen(params: ParameterSet, d: bytes, z: bytes, hashes: KemHashes = HASHLIB) -> KeyPair:
    """§6.1 Algorithm 16 ML-KEM.KeyGen_internal(d, z), with §5.1 Algorithm 13 line 1:
    ``(rho, sigma) = G(d || k)``. Returns ``(ek, dk)``, dk = dk_pke || ek || H(ek) || z."""
    _check_seed("d", d)
    _check_seed("z", z)
    g = hashes.sha3_512(d + bytes([params.k]))
    ek, dk_pke = _k_pke_keygen(params, hashes, g[:32], g[32:])
    return KeyPair(ek, dk_pke + ek + hashes.sha3_256(ek) + z)


def encaps(params: ParameterSet, ek: bytes, m: bytes, hashes: KemHashes = HASHLIB) -> Encapsulated:
    """§7.2 input checks (:func:`check_encapsulation_key`), then §6.2 Algorithm 17
    ML-KEM.Encaps_internal(ek, m): ``(K, r) = G(m || H(ek))``, ``c = K-PKE.Encrypt(ek, m, r)``.
    Returns ``(K, c)``."""
    _check_seed("m", m)
    check_encapsulation_key(params, ek)
    g = hashes.sha3_512(m + hashes.sha3_256(ek))
    return Encapsulated(g[:32], _k_pke_encrypt(params, hashes, ek, m, g[32:]))


def decaps(params: ParameterSet, dk: bytes, c: bytes, hashes: KemHashes = HASHLIB) -> bytes:
    """§7.3 input checks (ciphertext length, then :func:`check_decapsulation_key`), then §6.3
    Algorithm 18 ML-KEM.Decaps_internal(dk, c). A ciphertext that does not re-encrypt to itself
    gives the implicit-rejection key ``J(z || c) = SHAKE256(z || c, 32)``."""
    _check_c_length(params, c)
    check_decapsulation_key(params, dk, hashes)
    k = params.k
    dk_pke = dk[: 384 * k]
    ek_pke = dk[384 * k : 768 * k + 32]
    h = dk[768 * k + 32 : 768 * k + 64]
    z = dk[768 * k + 64 :]
    m2 = _k_pke_decrypt(params, dk_pke, c)
    g = hashes.sha3_512(m2 + h)
    if _k_pke_encrypt(params, hashes, ek_pke, m2, g[32:]) != c:
        return hashes.shake256(z + c, 32)
    return g[:32]


# --------------------------------------------------------------------------------------------
# Round-3 Kyber (CRYSTALS-Kyber v3.02)


def kyber_r3_keygen(
    params: ParameterSet, d: bytes, z: bytes, hashes: KemHashes = HASHLIB
) -> KeyPair:
    """Kyber v3.02 Algorithm 7 KYBER.CCAKEM.KeyGen over Algorithm 4 KYBER.CPAPKE.KeyGen:
    ``(rho, sigma) = G(d)`` (no domain-separator byte), then as ML-KEM. ``d`` is the CPAPKE seed
    and ``z`` the implicit-rejection value, drawn in that order by the reference code and
    kyber-py. Returns ``(pk, sk)``, sk = sk' || pk || H(pk) || z."""
    _check_seed("d", d)
    _check_seed("z", z)
    g = hashes.sha3_512(d)
    ek, dk_pke = _k_pke_keygen(params, hashes, g[:32], g[32:])
    return KeyPair(ek, dk_pke + ek + hashes.sha3_256(ek) + z)


def kyber_r3_encaps(
    params: ParameterSet, ek: bytes, m: bytes, hashes: KemHashes = HASHLIB
) -> Encapsulated:
    """Kyber v3.02 Algorithm 8 KYBER.CCAKEM.Enc: ``m <- H(m)``, ``(Kbar, r) = G(m || H(pk))``,
    ``c = CPAPKE.Enc(pk, m, r)``, ``K = KDF(Kbar || H(c))``. Only the length of ``pk`` is
    checked (round 3 has no modulus check). Returns ``(K, c)``."""
    _check_seed("m", m)
    _check_ek_length(params, ek)
    m = hashes.sha3_256(m)
    g = hashes.sha3_512(m + hashes.sha3_256(ek))
    c = _k_pke_encrypt(params, hashes, ek, m, g[32:])
    return Encapsulated(hashes.shake256(g[:32] + hashes.sha3_256(c), 32), c)


def kyber_r3_decaps(
    params: ParameterSet, dk: bytes, c: bytes, hashes: KemHashes = HASHLIB
) -> bytes:
    """Kyber v3.02 Algorithm 9 KYBER.CCAKEM.Dec: ``m' = CPAPKE.Dec(s, c)``,
    ``(Kbar', r') = G(m' || h)``, ``c' = CPAPKE.Enc(pk, m', r')``; ``KDF(Kbar' || H(c))`` when
    ``c == c'``, else ``KDF(z || H(c))``. Only lengths are checked (no hash check)."""
    _check_c_length(params, c)
    _check_dk_length(params, dk)
    k = params.k
    dk_pke = dk[: 384 * k]
    ek_pke = dk[384 * k : 768 * k + 32]
    h = dk[768 * k + 32 : 768 * k + 64]
    z = dk[768 * k + 64 :]
    m2 = _k_pke_decrypt(params, dk_pke, c)
    g = hashes.sha3_512(m2 + h)
    prefix = g[:32] if _k_pke_encrypt(params, hashes, ek_pke, m2, g[32:]) == c else z
    return hashes.shake256(prefix + hashes.sha3_256(c), 32)


# --------------------------------------------------------------------------------------------
# The capability interfaces (conformance.capabilities.pq) over the functions above


class MlKemReference:
    """:class:`~conformance.capabilities.pq.MlKem` for one parameter set; every seed injected."""

    def __init__(self, params: ParameterSet, hashes: KemHashes = HASHLIB) -> None:
        self.params = params
        self.hashes = hashes

    def ml_kem_keygen(self, d: bytes, z: bytes) -> KemKeyPair:
        pair = keygen(self.params, d, z, self.hashes)
        return {"ek": pair.ek, "dk": pair.dk}

    def ml_kem_encaps(self, ek: bytes, m: bytes) -> KemEncapsulated:
        out = encaps(self.params, ek, m, self.hashes)
        return {"c": out.c, "k": out.k}

    def ml_kem_decaps(self, dk: bytes, c: bytes) -> bytes:
        return decaps(self.params, dk, c, self.hashes)


class Kyber1024Round3Reference:
    """:class:`~conformance.capabilities.pq.Kyber1024Round3`: round-3 Kyber1024."""

    def __init__(self, hashes: KemHashes = HASHLIB) -> None:
        self.hashes = hashes

    def kyber_keygen(self, d: bytes, z: bytes) -> KemKeyPair:
        pair = kyber_r3_keygen(ML_KEM_1024, d, z, self.hashes)
        return {"ek": pair.ek, "dk": pair.dk}

    def kyber_encaps(self, ek: bytes, m: bytes) -> KemEncapsulated:
        out = kyber_r3_encaps(ML_KEM_1024, ek, m, self.hashes)
        return {"c": out.c, "k": out.k}

    def kyber_decaps(self, dk: bytes, c: bytes) -> bytes:
        return kyber_r3_decaps(ML_KEM_1024, dk, c, self.hashes)
