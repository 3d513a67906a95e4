"""Bundled adapter for pyca/cryptography (OpenSSL underneath).

Native exceptions are translated into the suite's neutral kinds here and nowhere else: ValueError
on key decoding is InvalidKey, InvalidTag is AuthenticationFailed, InvalidSignature stays
InvalidSignature, padding errors are InvalidMessage.
"""

from __future__ import annotations

import cryptography
from cryptography.exceptions import InvalidSignature as NativeInvalidSignature
from cryptography.exceptions import InvalidTag
from cryptography.hazmat.backends.openssl.backend import backend
from cryptography.hazmat.primitives import hashes, hmac
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey, X25519PublicKey
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM, ChaCha20Poly1305
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from cryptography.hazmat.primitives.padding import PKCS7

from conformance.adapter import Adapter
from conformance.capabilities.pq import KemEncapsulated, KemKeyPair, MlDsaKeyPair
from conformance.errors import (
    AuthenticationFailed,
    InvalidInput,
    InvalidKey,
    InvalidMessage,
    InvalidSignature,
    Unsupported,
)

try:  # ML-KEM and ML-DSA are in recent pyca/cryptography only.
    from cryptography.hazmat.primitives.asymmetric import mldsa, mlkem

    _PQ = True
except ImportError:  # pragma: no cover - an older cryptography: the capabilities are absent
    _PQ = False

#: Why key generation and the operations on a private key are Unsupported: the interfaces carry
#: FIPS 203's and FIPS 204's expanded private keys, which pyca/cryptography neither exports nor
#: imports (only the seed, from_seed_bytes / private_bytes_raw).
NO_EXPANDED_KEY = "pyca/cryptography takes and gives only the seed form of the private key"


class _X25519:
    def x25519(self, private: bytes, public: bytes) -> bytes:
        try:
            key = X25519PrivateKey.from_private_bytes(private)
            peer = X25519PublicKey.from_public_bytes(public)
            return key.exchange(peer)
        except ValueError as exc:
            # OpenSSL refuses an all-zero shared secret (RFC 7748 §6.1 allows the check).
            raise InvalidKey(str(exc)) from exc


class _Ed25519:
    def ed25519_public_key(self, private: bytes) -> bytes:
        try:
            return Ed25519PrivateKey.from_private_bytes(private).public_key().public_bytes_raw()
        except ValueError as exc:
            raise InvalidKey(str(exc)) from exc

    def ed25519_sign(self, private: bytes, message: bytes) -> bytes:
        try:
            return Ed25519PrivateKey.from_private_bytes(private).sign(message)
        except ValueError as exc:
            raise InvalidKey(str(exc)) from exc

    def ed25519_verify(self, public: bytes, message: bytes, signature: bytes) -> None:
        try:
            key = Ed25519PublicKey.from_public_bytes(public)
        except ValueError as exc:
            raise InvalidKey(str(exc)) from exc
        try:
            key.verify(signature, message)
        except NativeInvalidSignature as exc:
            raise InvalidSignature("signature did not verify") from exc


class _Hkdf:
    def hkdf_sha256(self, ikm: bytes, salt: bytes, info: bytes, length: int) -> bytes:
        try:
            return HKDF(hashes.SHA256(), length, salt or None, info).derive(ikm)
        except ValueError as exc:
            raise InvalidInput(str(exc)) from exc


class _Hmac:
    def hmac_sha256(self, key: bytes, message: bytes) -> bytes:
        h = hmac.HMAC(key, hashes.SHA256())
        h.update(message)
        return h.finalize()

    def hmac_sha256_verify(self, key: bytes, message: bytes, tag: bytes) -> None:
        h = hmac.HMAC(key, hashes.SHA256())
        h.update(message)
        try:
            h.verify(tag)
        except NativeInvalidSignature as exc:
            raise AuthenticationFailed("HMAC tag mismatch") from exc


class _Aead:
    def __init__(self, cls: type[ChaCha20Poly1305] | type[AESGCM], nonce_size: int) -> None:
        self._cls = cls
        self._nonce_size = nonce_size

    def _cipher(self, key: bytes, nonce: bytes) -> ChaCha20Poly1305 | AESGCM:
        # AESGCM accepts other nonce sizes; the capability is the 96-bit-nonce AEAD of RFC 5116.
        if len(nonce) != self._nonce_size:
            raise InvalidInput(f"nonce must be {self._nonce_size} bytes")
        try:
            return self._cls(key)
        except ValueError as exc:
            raise InvalidInput(str(exc)) from exc

    def encrypt(self, key: bytes, nonce: bytes, plaintext: bytes, aad: bytes) -> bytes:
        return self._cipher(key, nonce).encrypt(nonce, plaintext, aad)

    def decrypt(self, key: bytes, nonce: bytes, ciphertext: bytes, aad: bytes) -> bytes:
        cipher = self._cipher(key, nonce)
        try:
            return cipher.decrypt(nonce, ciphertext, aad)
        except InvalidTag as exc:
            raise AuthenticationFailed("tag mismatch") from exc


class _Cbc:
    def aes_256_cbc_encrypt(self, key: bytes, iv: bytes, plaintext: bytes, padding: bool) -> bytes:
        if padding:
            padder = PKCS7(128).padder()
            plaintext = padder.update(plaintext) + padder.finalize()
        try:
            enc = Cipher(algorithms.AES256(key), modes.CBC(iv)).encryptor()
            return enc.update(plaintext) + enc.finalize()
        except ValueError as exc:
            raise InvalidInput(str(exc)) from exc

    def aes_256_cbc_decrypt(self, key: bytes, iv: bytes, ciphertext: bytes, padding: bool) -> bytes:
        if len(ciphertext) % 16 or (padding and not ciphertext):
            raise InvalidMessage("ciphertext length is not a positive multiple of 16")
        try:
            dec = Cipher(algorithms.AES256(key), modes.CBC(iv)).decryptor()
            data = dec.update(ciphertext) + dec.finalize()
        except ValueError as exc:
            raise InvalidInput(str(exc)) from exc
        if not padding:
            return data
        unpadder = PKCS7(128).unpadder()
        try:
            return unpadder.update(data) + unpadder.finalize()
        except ValueError as exc:
            raise InvalidMessage("bad padding") from exc


class _MlKem:
    """Encapsulation (m drawn by OpenSSL: no fixed-randomness marker) to any ek, with the
    FIPS 203 §7.2 check at import; nothing that needs the expanded dk."""

    def __init__(self, n: int) -> None:
        self._public = getattr(mlkem, f"MLKEM{n}PublicKey")

    def ml_kem_keygen(self, d: bytes, z: bytes) -> KemKeyPair:
        raise Unsupported(NO_EXPANDED_KEY)

    def ml_kem_encaps(self, ek: bytes, m: bytes) -> KemEncapsulated:
        try:
            key = self._public.from_public_bytes(ek)
        except ValueError as exc:
            # The modulus check fails here too, with a message about the length.
            raise InvalidKey(str(exc)) from exc
        k, c = key.encapsulate()
        return {"c": c, "k": k}

    def ml_kem_decaps(self, dk: bytes, c: bytes) -> bytes:
        raise Unsupported(NO_EXPANDED_KEY)


class _MlDsa:
    """Verification only: signing needs the expanded sk (and pyca signs hedged, rnd drawn)."""

    def __init__(self, n: int) -> None:
        self._public = getattr(mldsa, f"MLDSA{n}PublicKey")

    def ml_dsa_keygen(self, xi: bytes) -> MlDsaKeyPair:
        raise Unsupported(NO_EXPANDED_KEY)

    def ml_dsa_sign(self, sk: bytes, message: bytes, context: bytes, rnd: bytes) -> bytes:
        raise Unsupported(NO_EXPANDED_KEY)

    def ml_dsa_verify(self, pk: bytes, message: bytes, context: bytes, signature: bytes) -> None:
        try:
            key = self._public.from_public_bytes(pk)
        except ValueError as exc:
            raise InvalidKey(str(exc)) from exc
        try:
            key.verify(signature, message, context)
        except NativeInvalidSignature as exc:
            raise InvalidSignature("signature did not verify") from exc
        except ValueError as exc:  # a context over 255 bytes
            raise InvalidInput(str(exc)) from exc


def _pq() -> dict[str, object]:
    if not _PQ:
        return {}
    return {
        **{f"ml-kem-{n}": _MlKem(n) for n in (768, 1024)},
        **{f"ml-dsa-{n}": _MlDsa(n) for n in (44, 65, 87)},
    }


class CryptographyAdapter(Adapter):
    implementation = "pyca/cryptography (OpenSSL)"
    #: Stateless primitives only: contract 2 asks nothing more of them than 1.
    protocol = 2

    def version(self) -> str:
        return f"{cryptography.__version__} ({backend.openssl_version_text()})"

    def capabilities(self) -> dict[str, object]:
        return {
            "x25519": _X25519(),
            "ed25519": _Ed25519(),
            "hkdf-sha256": _Hkdf(),
            "hmac-sha256": _Hmac(),
            "aead:chacha20-poly1305": _Aead(ChaCha20Poly1305, 12),
            "aead:aes-256-gcm": _Aead(AESGCM, 12),
            "aes-256-cbc": _Cbc(),
            **_pq(),
        }
