"""Stdio adapter for pysodium, a ctypes binding of the system's libsodium.

Only what pysodium's Python API wraps is declared, and through its own functions:

- X25519 is ``crypto_scalarmult_curve25519``; libsodium refuses low-order public values (its
  result would be all zero), which the adapter reports as InvalidKey.
- Ed25519 is ``crypto_sign_seed_keypair``/``crypto_sign_detached``/``crypto_sign_verify_detached``.
- The IETF ChaCha20-Poly1305 and XChaCha20-Poly1305 AEADs are the combined-mode functions
  (ciphertext || tag).
- HMAC-SHA-256 is the one-shot ``crypto_auth_hmacsha256``, which pysodium (like libsodium's
  one-shot API) limits to 32-byte keys: other key sizes are refused as Unsupported. pysodium's
  verify copies the tag into a NUL-terminated buffer without checking its length, and libsodium
  reads 32 bytes from it; tags that are not 32 bytes are refused here before that call.
- Not declared: AES-256-GCM (pysodium wraps no ``crypto_aead_aes256gcm_*``) and HKDF-SHA-256
  (pysodium wraps ``crypto_kdf_hkdf_sha256_*`` only for libsodium >= 1.0.19).

pysodium reports every failure, a bad tag as much as a bad size, as a bare ValueError, so sizes are
checked here before calling it and a ValueError after that is the refusal of the input.
"""

from __future__ import annotations

import importlib.metadata

import pysodium
from e2ee_host import Refusal, serve

_TAG_SIZE = 16
_HMAC_SIZE = 32


def _libsodium_version() -> str:
    # pysodium declares sodium_version_string's restype (c_char_p) on the library it loaded.
    return str(pysodium.sodium.sodium_version_string().decode())


def x25519(private: bytes, public: bytes) -> bytes:
    try:
        return bytes(pysodium.crypto_scalarmult_curve25519(private, public))
    except ValueError as exc:
        # A wrong size, or libsodium's -1 for a low-order public value (all-zero result).
        raise Refusal("InvalidKey", str(exc) or "crypto_scalarmult_curve25519 failed") from exc


def _keypair(private: bytes) -> tuple[bytes, bytes]:
    try:
        public, secret = pysodium.crypto_sign_seed_keypair(private)
    except ValueError as exc:
        raise Refusal("InvalidKey", str(exc) or "crypto_sign_seed_keypair failed") from exc
    return bytes(public), bytes(secret)


def ed25519_public_key(private: bytes) -> bytes:
    return _keypair(private)[0]


def ed25519_sign(private: bytes, message: bytes) -> bytes:
    secret = _keypair(private)[1]
    return bytes(pysodium.crypto_sign_detached(message, secret))


def ed25519_verify(public: bytes, message: bytes, signature: bytes) -> None:
    if len(public) != pysodium.crypto_sign_PUBLICKEYBYTES:
        raise Refusal("InvalidKey", f"public key must be 32 bytes, not {len(public)}")
    try:
        pysodium.crypto_sign_verify_detached(signature, message, public)
    except ValueError as exc:
        # A signature that is not 64 bytes, or libsodium's -1 (which also covers the public keys
        # it refuses: small order, non-canonical).
        raise Refusal("InvalidSignature", str(exc) or "signature did not verify") from exc


class _Aead:
    def __init__(self, name: str, key_size: int, nonce_size: int) -> None:
        self._encrypt = getattr(pysodium, f"crypto_aead_{name}_encrypt")
        self._decrypt = getattr(pysodium, f"crypto_aead_{name}_decrypt")
        self._key_size = key_size
        self._nonce_size = nonce_size

    def _check(self, key: bytes, nonce: bytes) -> None:
        if len(key) != self._key_size:
            raise Refusal("InvalidInput", f"key must be {self._key_size} bytes, not {len(key)}")
        if len(nonce) != self._nonce_size:
            raise Refusal(
                "InvalidInput", f"nonce must be {self._nonce_size} bytes, not {len(nonce)}"
            )

    def encrypt(self, key: bytes, nonce: bytes, plaintext: bytes, aad: bytes) -> bytes:
        self._check(key, nonce)
        return bytes(self._encrypt(plaintext, aad, nonce, key))

    def decrypt(self, key: bytes, nonce: bytes, ciphertext: bytes, aad: bytes) -> bytes:
        self._check(key, nonce)
        if len(ciphertext) < _TAG_SIZE:
            # pysodium would ask ctypes for a buffer of negative size (a bare ValueError).
            raise Refusal("AuthenticationFailed", "ciphertext shorter than the 16-byte tag")
        try:
            return bytes(self._decrypt(ciphertext, aad, nonce, key))
        except ValueError as exc:
            raise Refusal("AuthenticationFailed", str(exc) or "tag mismatch") from exc


def _check_hmac_key(key: bytes) -> None:
    if len(key) != pysodium.crypto_auth_hmacsha256_KEYBYTES:
        raise Refusal(
            "Unsupported",
            f"pysodium's crypto_auth_hmacsha256 takes only 32-byte keys, not {len(key)}",
        )


def hmac_sha256(key: bytes, message: bytes) -> bytes:
    _check_hmac_key(key)
    return bytes(pysodium.crypto_auth_hmacsha256(message, key))


def hmac_sha256_verify(key: bytes, message: bytes, tag: bytes) -> None:
    _check_hmac_key(key)
    if len(tag) != _HMAC_SIZE:
        # pysodium would hand libsodium a buffer of len(tag) + 1 bytes to read 32 from.
        raise Refusal("AuthenticationFailed", f"tag must be 32 bytes, not {len(tag)}")
    try:
        pysodium.crypto_auth_hmacsha256_verify(tag, message, key)
    except ValueError as exc:
        raise Refusal("AuthenticationFailed", "HMAC tag mismatch") from exc


_VERSION = f"{importlib.metadata.version('pysodium')} (system libsodium {_libsodium_version()})"
_CHACHA = _Aead("chacha20poly1305_ietf", 32, 12)
_XCHACHA = _Aead("xchacha20poly1305_ietf", 32, 24)

DESCRIBE = {
    "name": "pysodium",
    "implementation": "pysodium (system libsodium)",
    "version": _VERSION,
    "capabilities": [
        "x25519",
        "ed25519",
        "hmac-sha256",
        "aead:chacha20-poly1305",
        "aead:xchacha20-poly1305",
    ],
    "notes": {
        "hmac-sha256": "pysodium wraps only the one-shot crypto_auth_hmacsha256, which takes "
        "32-byte keys: other key sizes are refused as Unsupported",
    },
}

HANDLERS = {
    "x25519.x25519": x25519,
    "ed25519.ed25519_public_key": ed25519_public_key,
    "ed25519.ed25519_sign": ed25519_sign,
    "ed25519.ed25519_verify": ed25519_verify,
    "hmac-sha256.hmac_sha256": hmac_sha256,
    "hmac-sha256.hmac_sha256_verify": hmac_sha256_verify,
    "aead:chacha20-poly1305.encrypt": _CHACHA.encrypt,
    "aead:chacha20-poly1305.decrypt": _CHACHA.decrypt,
    "aead:xchacha20-poly1305.encrypt": _XCHACHA.encrypt,
    "aead:xchacha20-poly1305.decrypt": _XCHACHA.decrypt,
}

if __name__ == "__main__":
    serve(DESCRIBE, HANDLERS)
