"""The seven cipher suites of RFC 9420 §17.1 (Table 18) and their parameters: the hash of
KDF and MAC, the HPKE identifiers (RFC 9180 §7), the AEAD key and nonce sizes, the signature
scheme (§5.1.2)."""

from __future__ import annotations

from dataclasses import dataclass

from ...errors import Unsupported

__all__ = ["SUITES", "CipherSuite", "suite"]


@dataclass(frozen=True)
class CipherSuite:
    code: int
    name: str
    #: The hashlib name of the suite's hash (KDF, MAC, RefHash, transcript hashes).
    hash_name: str
    #: KDF.Nh, the hash output size (§5.1).
    nh: int
    #: RFC 9180 §7.1, §7.2, §7.3 identifiers.
    kem_id: int
    kdf_id: int
    aead_id: int
    #: AEAD.Nk and AEAD.Nn (§5.1).
    nk: int
    nn: int
    #: Signature scheme: "ed25519", "ed448", "p256", "p384" or "p521" (ECDSA with the suite's
    #: hash, DER-encoded signature).
    signature: str
    #: The KEM's curve ("X25519", "X448", "P-256", "P-384", "P-521").
    kem_curve: str


SUITES: dict[int, CipherSuite] = {
    s.code: s
    for s in (
        CipherSuite(
            1,
            "MLS_128_DHKEMX25519_AES128GCM_SHA256_Ed25519",
            "sha256",
            32,
            0x0020,
            0x0001,
            0x0001,
            16,
            12,
            "ed25519",
            "X25519",
        ),
        CipherSuite(
            2,
            "MLS_128_DHKEMP256_AES128GCM_SHA256_P256",
            "sha256",
            32,
            0x0010,
            0x0001,
            0x0001,
            16,
            12,
            "p256",
            "P-256",
        ),
        CipherSuite(
            3,
            "MLS_128_DHKEMX25519_CHACHA20POLY1305_SHA256_Ed25519",
            "sha256",
            32,
            0x0020,
            0x0001,
            0x0003,
            32,
            12,
            "ed25519",
            "X25519",
        ),
        CipherSuite(
            4,
            "MLS_256_DHKEMX448_AES256GCM_SHA512_Ed448",
            "sha512",
            64,
            0x0021,
            0x0003,
            0x0002,
            32,
            12,
            "ed448",
            "X448",
        ),
        CipherSuite(
            5,
            "MLS_256_DHKEMP521_AES256GCM_SHA512_P521",
            "sha512",
            64,
            0x0012,
            0x0003,
            0x0002,
            32,
            12,
            "p521",
            "P-521",
        ),
        CipherSuite(
            6,
            "MLS_256_DHKEMX448_CHACHA20POLY1305_SHA512_Ed448",
            "sha512",
            64,
            0x0021,
            0x0003,
            0x0003,
            32,
            12,
            "ed448",
            "X448",
        ),
        CipherSuite(
            7,
            "MLS_256_DHKEMP384_AES256GCM_SHA384_P384",
            "sha384",
            48,
            0x0011,
            0x0002,
            0x0002,
            32,
            12,
            "p384",
            "P-384",
        ),
    )
}


def suite(code: int) -> CipherSuite:
    """The suite of IANA code point ``code``; any other is Unsupported."""
    try:
        return SUITES[code]
    except KeyError:
        raise Unsupported(f"cipher suite {code} is not offered") from None
