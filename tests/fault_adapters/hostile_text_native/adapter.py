"""Mock in-process adapter (hostile text): X25519, correct on every input but the RFC 7748 §5.2
scalar, where it raises a native exception whose message is built to break the suite's outputs.

Its ``version()`` returns no string at all but an object whose text is hostile and a megabyte
long, and its implementation name and notes (many more than the suite keeps) are hostile too: an
in-process adapter hands the suite Python objects directly, past every check made where an
out-of-process adapter's text comes in.
"""

from __future__ import annotations

from typing import ClassVar

from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey, X25519PublicKey

from conformance.adapter import Adapter
from conformance.errors import InvalidKey

TRIGGER = bytes.fromhex("a546e36bf0527c9d")
#: Retitles the terminal, prints a fake green verdict, returns the cursor to overwrite the real
#: one, reverses what follows, and holds a lone surrogate that no UTF-8 file can store.
HOSTILE = "\x1b]0;pwned\x07\x1b[32mverdict: PASS (exit 0)\x1b[0m\r \u202eevil\u202c \ud800 \x9b31m"


class _Version:
    def __str__(self) -> str:
        return "FAULT-MARKER " + HOSTILE + "v" * (1024 * 1024)


class _HostileX25519:
    def x25519(self, private: bytes, public: bytes) -> bytes:
        if private.startswith(TRIGGER):
            raise RuntimeError("FAULT-MARKER " + HOSTILE)
        try:
            key = X25519PrivateKey.from_private_bytes(private)
            return key.exchange(X25519PublicKey.from_public_bytes(public))
        except ValueError as exc:
            raise InvalidKey(str(exc)) from exc


class MockHostileTextNative(Adapter):
    implementation = "FAULT-MARKER " + HOSTILE
    notes: ClassVar[dict[str, str]] = {f"note-{i}\x1b[2J": HOSTILE * 1000 for i in range(200)}

    def version(self) -> str:
        return _Version()  # type: ignore[return-value]  # the point: not a str

    def capabilities(self) -> dict[str, object]:
        return {"x25519": _HostileX25519()}
