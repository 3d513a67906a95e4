"""The :class:`~.crypto.Signatures` interface over pyca/cryptography: Ed25519 and Ed448
(RFC 8032, raw keys) and ECDSA over P-256/SHA-256, P-384/SHA-384 and P-521/SHA-512 (private
keys as big-endian scalars, public keys as SEC1 uncompressed points, signatures DER-encoded as
the working group's crypto-basics vectors carry them; RFC 9420 §5.1.1, §5.1.2)."""

from __future__ import annotations

from cryptography.exceptions import InvalidSignature as _PycaInvalidSignature
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec, ed448, ed25519
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

from ...errors import InvalidInput, InvalidKey, InvalidSignature

__all__ = ["PycaSignatures"]

_ECDSA: dict[str, tuple[ec.EllipticCurve, type[hashes.HashAlgorithm], int]] = {
    "p256": (ec.SECP256R1(), hashes.SHA256, 32),
    "p384": (ec.SECP384R1(), hashes.SHA384, 48),
    "p521": (ec.SECP521R1(), hashes.SHA512, 66),
}


def _ec_private(scheme: str, private_key: bytes) -> ec.EllipticCurvePrivateKey:
    curve, _, size = _ECDSA[scheme]
    if len(private_key) != size:
        raise InvalidKey(f"{scheme} private key of {len(private_key)} bytes, not {size}")
    try:
        return ec.derive_private_key(int.from_bytes(private_key, "big"), curve)
    except ValueError as exc:
        raise InvalidKey(f"{scheme} private key: {exc}") from None


class PycaSignatures:
    """Signature.Sign / Signature.Verify of the five RFC 9420 signature schemes. ECDSA nonces
    are OpenSSL's random draw, or RFC 6979's deterministic ones with ``deterministic`` (the
    vector generator's choice, so that its files are reproducible)."""

    def __init__(self, *, deterministic: bool = False) -> None:
        self._deterministic = deterministic

    def public_key(self, scheme: str, private_key: bytes) -> bytes:
        """The public key of ``private_key`` in RFC 9420 §5.1.1's serialisation."""
        if scheme == "ed25519":
            key = ed25519.Ed25519PrivateKey.from_private_bytes(private_key)
            return key.public_key().public_bytes_raw()
        if scheme == "ed448":
            return (
                ed448.Ed448PrivateKey.from_private_bytes(private_key)
                .public_key()
                .public_bytes_raw()
            )
        public = _ec_private(scheme, private_key).public_key()
        return public.public_bytes(Encoding.X962, PublicFormat.UncompressedPoint)

    def sign(self, scheme: str, private_key: bytes, message: bytes) -> bytes:
        try:
            if scheme == "ed25519":
                return ed25519.Ed25519PrivateKey.from_private_bytes(private_key).sign(message)
            if scheme == "ed448":
                return ed448.Ed448PrivateKey.from_private_bytes(private_key).sign(message)
        except ValueError as exc:
            raise InvalidKey(f"{scheme} private key: {exc}") from None
        if scheme not in _ECDSA:
            raise InvalidInput(f"unknown signature scheme {scheme!r}")
        key = _ec_private(scheme, private_key)
        algorithm = ec.ECDSA(_ECDSA[scheme][1](), deterministic_signing=self._deterministic)
        return key.sign(message, algorithm)

    def verify(self, scheme: str, public_key: bytes, message: bytes, signature: bytes) -> None:
        try:
            if scheme == "ed25519":
                ed25519.Ed25519PublicKey.from_public_bytes(public_key).verify(signature, message)
                return
            if scheme == "ed448":
                ed448.Ed448PublicKey.from_public_bytes(public_key).verify(signature, message)
                return
            if scheme not in _ECDSA:
                raise InvalidInput(f"unknown signature scheme {scheme!r}")
            curve, hash_cls, size = _ECDSA[scheme]
            if len(public_key) != 1 + 2 * size or public_key[0] != 0x04:
                raise InvalidKey(f"{scheme} public key is not an uncompressed SEC1 point")
            key = ec.EllipticCurvePublicKey.from_encoded_point(curve, public_key)
        except ValueError as exc:
            raise InvalidKey(f"{scheme} public key: {exc}") from None
        except _PycaInvalidSignature:
            raise InvalidSignature(f"{scheme} signature does not verify") from None
        try:
            key.verify(signature, message, ec.ECDSA(hash_cls()))
        except _PycaInvalidSignature:
            raise InvalidSignature(f"{scheme} signature does not verify") from None
