"""Signal safety numbers (protocols.md 1.8; libsignal ``fingerprint.rs``,
NumericFingerprintGenerator of libsignal-protocol-java).

For each side: h_0 = SHA-512(version 0 as two bytes || identity key (33) || stable id ||
identity key), h_i = SHA-512(h_(i-1) || identity key) up to ``iterations`` hashes; the
displayable half is six 5-digit groups, each a big-endian 40-bit chunk of h mod 100 000. The
60-digit number puts the smaller half first. SHA-512 comes from :mod:`hashlib`.
"""

from __future__ import annotations

import hashlib

from ..errors import InvalidInput
from . import signal_wire as wire

__all__ = ["FINGERPRINT_VERSION", "SignalFingerprintReference", "displayable_half"]

FINGERPRINT_VERSION = 0
#: libsignal ``fingerprint.rs``: the accepted iteration counts.
MIN_ITERATIONS = 2
MAX_ITERATIONS = 1_000_000


def _hash(iterations: int, key: bytes, stable_id: bytes) -> bytes:
    """``NumericFingerprintGenerator::get_fingerprint`` (protocols.md 1.8)."""
    h = FINGERPRINT_VERSION.to_bytes(2, "big") + key + stable_id
    for _ in range(iterations):
        h = hashlib.sha512(h + key).digest()
    return h


def displayable_half(iterations: int, key: bytes, stable_id: bytes) -> str:
    """The 30 digits of one side (``DisplayableFingerprint``'s encoded chunks)."""
    h = _hash(iterations, key, stable_id)
    return "".join(f"{int.from_bytes(h[i : i + 5], 'big') % 100_000:05d}" for i in range(0, 30, 5))


class SignalFingerprintReference:
    """The reference ``signal-fingerprint`` capability: identity keys are the 33-byte
    serialized keys (0x05 || u), stable ids raw bytes (libsignal tests use ASCII E.164).

    Its steps are hooks, so tests can build broken variants: :meth:`check_inputs` (the
    iteration range and key encoding), :meth:`half` (one side's digits) and :meth:`ordered`
    (which half comes first)."""

    def check_inputs(self, iterations: int, local_key: bytes, remote_key: bytes) -> None:
        """libsignal ``fingerprint.rs``: iterations in range, both keys deserialisable."""
        if not MIN_ITERATIONS <= iterations <= MAX_ITERATIONS:
            raise InvalidInput(f"iterations must be in {MIN_ITERATIONS}..={MAX_ITERATIONS}")
        wire.decode_public_key(local_key)
        wire.decode_public_key(remote_key)

    def half(self, iterations: int, key: bytes, stable_id: bytes) -> str:
        return displayable_half(iterations, key, stable_id)

    def ordered(self, local: str, remote: str) -> str:
        """``DisplayableFingerprint``: the smaller half first."""
        return "".join(sorted((local, remote)))

    def signal_fingerprint(
        self,
        iterations: int,
        local_id: bytes,
        local_key: bytes,
        remote_id: bytes,
        remote_key: bytes,
    ) -> bytes:
        """``Fingerprint::new(...).display_string()`` as ASCII."""
        self.check_inputs(iterations, local_key, remote_key)
        local = self.half(iterations, local_key, local_id)
        remote = self.half(iterations, remote_key, remote_id)
        return self.ordered(local, remote).encode("ascii")
