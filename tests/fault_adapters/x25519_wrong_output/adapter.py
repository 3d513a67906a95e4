"""Mock adapter (fault injection): X25519 answers with the last bit flipped."""

from __future__ import annotations

from cryptography.hazmat.primitives import hashes, hmac
from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey, X25519PublicKey

from conformance.adapter import Adapter
from conformance.errors import AuthenticationFailed, InvalidKey


class _BrokenX25519:
    def x25519(self, private: bytes, public: bytes) -> bytes:
        try:
            out = X25519PrivateKey.from_private_bytes(private).exchange(
                X25519PublicKey.from_public_bytes(public)
            )
        except ValueError as exc:
            raise InvalidKey(str(exc)) from exc
        return out[:-1] + bytes([out[-1] ^ 1])


class _Hmac:
    def hmac_sha256(self, key: bytes, message: bytes) -> bytes:
        h = hmac.HMAC(key, hashes.SHA256())
        h.update(message)
        return h.finalize()

    def hmac_sha256_verify(self, key: bytes, message: bytes, tag: bytes) -> None:
        if not __import__("hmac").compare_digest(self.hmac_sha256(key, message), tag):
            raise AuthenticationFailed("mismatch")


class MockX25519WrongOutput(Adapter):
    def version(self) -> str:
        return "0-mock"

    def capabilities(self) -> dict[str, object]:
        return {"x25519": _BrokenX25519(), "hmac-sha256": _Hmac()}
