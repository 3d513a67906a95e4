"""Mock adapter (fault injection): every HMAC call raises a native RuntimeError."""

from __future__ import annotations

from conformance.adapter import Adapter


class _LeakyHmac:
    def hmac_sha256(self, key: bytes, message: bytes) -> bytes:
        raise RuntimeError("native library exploded")

    def hmac_sha256_verify(self, key: bytes, message: bytes, tag: bytes) -> None:
        raise RuntimeError("native library exploded")


class MockHmacNativeException(Adapter):
    def version(self) -> str:
        return "0-mock"

    def capabilities(self) -> dict[str, object]:
        return {"hmac-sha256": _LeakyHmac()}
