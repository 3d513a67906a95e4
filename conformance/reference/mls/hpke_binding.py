"""The :class:`~.crypto.Hpke` interface over the suite's HPKE reference
(:mod:`conformance.reference.hpke`, RFC 9180): base-mode SealBase / OpenBase (§6.1) and
DeriveKeyPair (§7.1.3). The ephemeral key of SealBase is DeriveKeyPair of ``Nsk`` bytes drawn
from the injected ``random`` (the operating system's by default)."""

from __future__ import annotations

import os
from collections.abc import Callable

from ..hpke import HpkePrimitives, HpkeSuite

__all__ = ["ReferenceHpke"]

#: Any AEAD and KDF serve DeriveKeyPair, which uses only the KEM's own KDF (§7.1.3).
_ANY_KDF, _ANY_AEAD = 0x0001, 0x0001


class ReferenceHpke:
    """HPKE for the MLS reference over :class:`conformance.reference.hpke.HpkeSuite`."""

    def __init__(
        self,
        primitives: HpkePrimitives | None = None,
        random: Callable[[int], bytes] = os.urandom,
    ) -> None:
        self._p = primitives
        self._random = random

    def _suite(self, kem_id: int, kdf_id: int, aead_id: int) -> HpkeSuite:
        """The suite every operation runs on (a subclass may run another: the attacker of
        conformance.attacks.low_order_hpke)."""
        return HpkeSuite(kem_id, kdf_id, aead_id, self._p)

    def seal_base(
        self, kem_id: int, kdf_id: int, aead_id: int, pk: bytes, info: bytes, aad: bytes, pt: bytes
    ) -> tuple[bytes, bytes]:
        suite = self._suite(kem_id, kdf_id, aead_id)
        return suite.seal(pk, info, aad, pt, self._random(suite.kem.n_sk))

    def open_base(
        self,
        kem_id: int,
        kdf_id: int,
        aead_id: int,
        enc: bytes,
        sk: bytes,
        info: bytes,
        aad: bytes,
        ct: bytes,
    ) -> bytes:
        return self._suite(kem_id, kdf_id, aead_id).open(enc, sk, info, aad, ct)

    def receive_export_base(
        self,
        kem_id: int,
        kdf_id: int,
        aead_id: int,
        enc: bytes,
        sk: bytes,
        info: bytes,
        exporter_context: bytes,
        length: int,
    ) -> bytes:
        return self._suite(kem_id, kdf_id, aead_id).receive_export(
            enc, sk, info, exporter_context, length
        )

    def send_export_base(
        self,
        kem_id: int,
        kdf_id: int,
        aead_id: int,
        pk: bytes,
        info: bytes,
        exporter_context: bytes,
        length: int,
    ) -> tuple[bytes, bytes]:
        suite = self._suite(kem_id, kdf_id, aead_id)
        ikm = self._random(suite.kem.n_sk)
        return suite.send_export(pk, info, exporter_context, length, ikm)

    def derive_key_pair(self, kem_id: int, ikm: bytes) -> tuple[bytes, bytes]:
        return self._suite(kem_id, _ANY_KDF, _ANY_AEAD).derive_key_pair(ikm)
