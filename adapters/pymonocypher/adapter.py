"""Stdio adapter for pymonocypher, the Python binding of Monocypher 4 (compiled from its sdist).

Only what the binding's Python API exposes is declared:

- ``monocypher.x25519`` is the raw ``crypto_x25519`` (the deprecated ``key_exchange`` hashes its
  output and is not used). Monocypher never refuses a public value, so neither does this adapter.
- ``monocypher.lock``/``unlock`` are ``crypto_aead_lock``/``unlock``: XChaCha20-Poly1305 with a
  24-byte nonce, the same construction as libsodium's ``xchacha20poly1305_ietf``. They return the
  MAC and the ciphertext separately; the adapter sends ``ciphertext || mac``.
- Not declared: Ed25519 (``signature_sign``/``signature_check`` are Monocypher's EdDSA with
  BLAKE2b; the SHA-512 Ed25519 of Monocypher's optional part is not compiled into the binding),
  IETF ChaCha20-Poly1305 (Monocypher 4's ``crypto_aead_init_ietf`` is in the extension module but
  not wrapped: the binding's incremental API is fixed to XChaCha20), HMAC-SHA-256 and HKDF (no
  SHA-256 in Monocypher).
"""

from __future__ import annotations

import importlib.metadata

import monocypher
from e2ee_host import Refusal, serve

_KEY_SIZE = 32
_NONCE_SIZE = 24
_TAG_SIZE = 16


def x25519(private: bytes, public: bytes) -> bytes:
    try:
        return bytes(monocypher.x25519(private, public))
    except ValueError as exc:  # the binding refuses a private or public value not 32 bytes long
        raise Refusal("InvalidKey", str(exc)) from exc


def _check(key: bytes, nonce: bytes) -> None:
    # The binding checks these sizes too, with a bare ValueError; check before calling.
    if len(key) != _KEY_SIZE:
        raise Refusal("InvalidInput", f"key must be {_KEY_SIZE} bytes, not {len(key)}")
    if len(nonce) != _NONCE_SIZE:
        raise Refusal("InvalidInput", f"nonce must be {_NONCE_SIZE} bytes, not {len(nonce)}")


def xchacha_encrypt(key: bytes, nonce: bytes, plaintext: bytes, aad: bytes) -> bytes:
    _check(key, nonce)
    mac, ciphertext = monocypher.lock(key, nonce, plaintext, aad)
    return bytes(ciphertext) + bytes(mac)


def xchacha_decrypt(key: bytes, nonce: bytes, ciphertext: bytes, aad: bytes) -> bytes:
    _check(key, nonce)
    if len(ciphertext) < _TAG_SIZE:
        raise Refusal("AuthenticationFailed", "ciphertext shorter than the 16-byte tag")
    body, mac = ciphertext[:-_TAG_SIZE], ciphertext[-_TAG_SIZE:]
    plaintext = monocypher.unlock(key, nonce, mac, body, aad)
    if plaintext is None:  # unlock's only failure signal
        raise Refusal("AuthenticationFailed", "crypto_aead_unlock: tag mismatch")
    return bytes(plaintext)


DESCRIBE = {
    "name": "pymonocypher",
    "implementation": "pymonocypher (Monocypher)",
    "version": f"{importlib.metadata.version('pymonocypher')} (bundled Monocypher)",
    "capabilities": ["x25519", "aead:xchacha20-poly1305"],
    "notes": {
        "x25519": "monocypher.x25519 (raw crypto_x25519); Monocypher refuses no public value, "
        "so all-zero shared secrets are returned, not refused",
        "aead:xchacha20-poly1305": "monocypher.lock/unlock (crypto_aead_lock/unlock) return the "
        "MAC and the ciphertext separately; the adapter joins them as ciphertext || MAC",
    },
}

HANDLERS = {
    "x25519.x25519": x25519,
    "aead:xchacha20-poly1305.encrypt": xchacha_encrypt,
    "aead:xchacha20-poly1305.decrypt": xchacha_decrypt,
}

if __name__ == "__main__":
    serve(DESCRIBE, HANDLERS)
