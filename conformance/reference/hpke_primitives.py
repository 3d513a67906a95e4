"""The primitives :mod:`conformance.reference.hpke` is written over, implemented on
pyca/cryptography.

This is the one place the HPKE reference meets a crypto library: the protocol core
(RFC 9180 §4-§7 in :mod:`.hpke`) sees only the :class:`~.hpke.HpkePrimitives` interface, i.e.
Diffie-Hellman and public-key derivation per curve (§4.1 DH, §7.1.1-7.1.3), HKDF
Extract/Expand per hash (§7.2) and AEAD Seal/Open (§7.3).
"""

from __future__ import annotations

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes, hmac
from cryptography.hazmat.primitives.asymmetric import ec, x448, x25519
from cryptography.hazmat.primitives.ciphers.aead import AESGCM, ChaCha20Poly1305
from cryptography.hazmat.primitives.kdf.hkdf import HKDFExpand
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

from ..errors import AuthenticationFailed, InvalidInput, InvalidKey

__all__ = ["CryptographyHpkePrimitives"]

_CURVES: dict[str, ec.EllipticCurve] = {
    "P-256": ec.SECP256R1(),
    "P-384": ec.SECP384R1(),
    "P-521": ec.SECP521R1(),
}

_HASHES: dict[str, type[hashes.HashAlgorithm]] = {
    "SHA256": hashes.SHA256,
    "SHA384": hashes.SHA384,
    "SHA512": hashes.SHA512,
}


def _hash(name: str) -> hashes.HashAlgorithm:
    try:
        return _HASHES[name]()
    except KeyError:
        raise InvalidInput(f"unknown hash {name!r}") from None


def _ec_private(curve: str, sk: bytes) -> ec.EllipticCurvePrivateKey:
    try:
        return ec.derive_private_key(int.from_bytes(sk, "big"), _CURVES[curve])
    except ValueError as exc:
        raise InvalidKey(f"{curve} private key: {exc}") from None


class CryptographyHpkePrimitives:
    """:class:`~conformance.reference.hpke.HpkePrimitives` over pyca/cryptography.

    Curves: ``P-256``, ``P-384``, ``P-521`` (keys as big-endian scalars and SEC1 uncompressed
    points), ``X25519``, ``X448`` (raw RFC 7748 strings). Hashes: ``SHA256``, ``SHA384``,
    ``SHA512``. AEADs: ``AES-128-GCM``, ``AES-256-GCM``, ``ChaCha20Poly1305``.
    """

    def public_key(self, curve: str, sk: bytes) -> bytes:
        """The serialized public key of the serialized private key ``sk`` (RFC 9180 §7.1.1-2)."""
        try:
            if curve == "X25519":
                return (
                    x25519.X25519PrivateKey.from_private_bytes(sk).public_key().public_bytes_raw()
                )
            if curve == "X448":
                return x448.X448PrivateKey.from_private_bytes(sk).public_key().public_bytes_raw()
        except ValueError as exc:
            raise InvalidKey(f"{curve} private key: {exc}") from None
        if curve not in _CURVES:
            raise InvalidInput(f"unknown curve {curve!r}")
        return (
            _ec_private(curve, sk)
            .public_key()
            .public_bytes(Encoding.X962, PublicFormat.UncompressedPoint)
        )

    def dh(self, curve: str, sk: bytes, pk: bytes) -> bytes:
        """DH(sk, pk) (RFC 9180 §4.1): the X25519/X448 output, or the x-coordinate of sk * pk
        for a NIST curve (§7.1.1). An invalid or off-curve ``pk``, or an all-zero X25519/X448
        output (OpenSSL refuses it), raises InvalidKey."""
        try:
            if curve == "X25519":
                return x25519.X25519PrivateKey.from_private_bytes(sk).exchange(
                    x25519.X25519PublicKey.from_public_bytes(pk)
                )
            if curve == "X448":
                return x448.X448PrivateKey.from_private_bytes(sk).exchange(
                    x448.X448PublicKey.from_public_bytes(pk)
                )
            if curve not in _CURVES:
                raise InvalidInput(f"unknown curve {curve!r}")
            peer = ec.EllipticCurvePublicKey.from_encoded_point(_CURVES[curve], pk)
            return _ec_private(curve, sk).exchange(ec.ECDH(), peer)
        except ValueError as exc:
            raise InvalidKey(f"{curve} DH: {exc}") from None

    def hkdf_extract(self, hash_name: str, salt: bytes, ikm: bytes) -> bytes:
        """HKDF-Extract (RFC 5869 §2.2): HMAC-Hash(salt, ikm); an empty salt is the HMAC key
        of zero length, which HMAC pads to the same block as Nh zero bytes."""
        mac = hmac.HMAC(salt, _hash(hash_name))
        mac.update(ikm)
        return mac.finalize()

    def hkdf_expand(self, hash_name: str, prk: bytes, info: bytes, length: int) -> bytes:
        """HKDF-Expand (RFC 5869 §2.3); a length above 255 * Nh raises InvalidInput."""
        try:
            return HKDFExpand(_hash(hash_name), length, info).derive(prk)
        except ValueError as exc:
            raise InvalidInput(f"HKDF-Expand length {length}: {exc}") from None

    def aead_seal(self, aead: str, key: bytes, nonce: bytes, aad: bytes, pt: bytes) -> bytes:
        """AEAD Seal (RFC 9180 §7.3): ciphertext || tag."""
        return _aead(aead, key).encrypt(nonce, pt, aad)

    def aead_open(self, aead: str, key: bytes, nonce: bytes, aad: bytes, ct: bytes) -> bytes:
        """AEAD Open (RFC 9180 §7.3); a tag that does not verify raises AuthenticationFailed."""
        try:
            return _aead(aead, key).decrypt(nonce, ct, aad)
        except InvalidTag:
            raise AuthenticationFailed(f"{aead} open failed") from None


def _aead(aead: str, key: bytes) -> AESGCM | ChaCha20Poly1305:
    if aead in ("AES-128-GCM", "AES-256-GCM"):
        return AESGCM(key)
    if aead == "ChaCha20Poly1305":
        return ChaCha20Poly1305(key)
    raise InvalidInput(f"unknown AEAD {aead!r}")
