"""TEST FIXTURE, not an adapter of the suite: ML-KEM and ML-DSA from pycryptodome (>= 4.5), in
process, for the Wycheproof ingestion tests (tests/test_wycheproof.py) to run the pq files end
to end. It uses pycryptodome's private derandomised entry points (``_encaps(coins=)``,
``_sign(rnd, external_mu=)``), as the research notes (issue 16) describe them.

:func:`capabilities` gives the capability objects by name, for ``helpers.adapter_from``; the
``Broken*`` wrappers are deliberately wrong implementations whose failures the tests expect.
"""

from __future__ import annotations

import hashlib
from typing import Any

from conformance.capabilities.pq import KemEncapsulated, KemKeyPair, MlDsaKeyPair
from conformance.errors import InvalidInput, InvalidKey, InvalidMessage, InvalidSignature

MAX_CONTEXT = 255


class FixtureMlKem:
    """ML-KEM of one parameter set (``MLKEM.ML_KEM_768`` ...)."""

    def __init__(self, param_set: Any) -> None:
        self._ps = param_set

    def _mlkem(self) -> Any:
        from Crypto.PublicKey import MLKEM

        return MLKEM

    def ml_kem_keygen(self, d: bytes, z: bytes) -> KemKeyPair:
        try:
            key = self._mlkem().construct(param_set=self._ps, seed=d + z)
        except ValueError as exc:
            raise InvalidKey(str(exc)) from None
        return {"ek": bytes(key.ek), "dk": bytes(key.expanded_dk)}

    def ml_kem_encaps(self, ek: bytes, m: bytes) -> KemEncapsulated:
        try:
            key = self._mlkem().construct(param_set=self._ps, ek=ek)
        except ValueError as exc:
            raise InvalidKey(str(exc)) from None
        k, c = key._encaps(coins=m)
        return {"c": bytes(c), "k": bytes(k)}

    def ml_kem_decaps(self, dk: bytes, c: bytes) -> bytes:
        try:
            key = self._mlkem().construct(param_set=self._ps, expanded_dk=dk)
        except ValueError as exc:
            raise InvalidKey(str(exc)) from None
        try:
            return bytes(key._decaps(c))
        except ValueError as exc:
            raise InvalidMessage(str(exc)) from None


class FixtureMlDsa:
    """ML-DSA of one parameter set, pure signing, and over an external mu."""

    def __init__(self, param_set: Any) -> None:
        self._ps = param_set

    def _key(self, **kw: bytes) -> Any:
        from Crypto.PublicKey import MLDSA

        try:
            return MLDSA.construct(param_set=self._ps, **kw)
        except ValueError as exc:
            raise InvalidKey(str(exc)) from None

    def ml_dsa_keygen(self, xi: bytes) -> MlDsaKeyPair:
        key = self._key(seed=xi)
        return {"pk": bytes(key._pk), "sk": bytes(key._sk)}

    @staticmethod
    def _prefix(context: bytes) -> bytes:
        if len(context) > MAX_CONTEXT:
            raise InvalidInput(f"context of {len(context)} bytes")
        return b"\x00" + bytes([len(context)]) + context

    def ml_dsa_sign(self, sk: bytes, message: bytes, context: bytes, rnd: bytes) -> bytes:
        prefix = self._prefix(context)
        return bytes(self._key(sk=sk)._sign(message, rnd, prefix=prefix))

    def ml_dsa_verify(self, pk: bytes, message: bytes, context: bytes, signature: bytes) -> None:
        prefix = self._prefix(context)
        if not self._key(pk=pk)._verify(message, signature, prefix=prefix):
            raise InvalidSignature("not authentic")

    def ml_dsa_sign_mu(self, sk: bytes, mu: bytes, rnd: bytes) -> bytes:
        return bytes(self._key(sk=sk)._sign(mu, rnd, external_mu=True))

    def ml_dsa_verify_mu(self, pk: bytes, mu: bytes, signature: bytes) -> None:
        if not self._key(pk=pk)._verify(mu, signature, external_mu=True):
            raise InvalidSignature("not authentic")


class BrokenDecapsWrongRejectionKey(FixtureMlKem):
    """Implicit rejection done wrong: where the right answer is the rejection key J(z || c)
    (the ciphertext does not re-encrypt), it returns that key with its first byte flipped."""

    def ml_kem_decaps(self, dk: bytes, c: bytes) -> bytes:
        k = super().ml_kem_decaps(dk, c)
        z = dk[-32:]  # FIPS 203 dk = dk_PKE || ek || H(ek) || z
        if k == hashlib.shake_256(z + c).digest(32):
            return bytes([k[0] ^ 1]) + k[1:]
        return k


class BrokenVerifyAcceptsAll(FixtureMlDsa):
    """A verifier that accepts every signature."""

    def ml_dsa_verify(self, pk: bytes, message: bytes, context: bytes, signature: bytes) -> None:
        return None


def capabilities(
    kem: type[FixtureMlKem] = FixtureMlKem, dsa: type[FixtureMlDsa] = FixtureMlDsa
) -> dict[str, object]:
    """Every ML-KEM and ML-DSA capability, the fixed-randomness markers and external mu."""
    from Crypto.PublicKey import MLDSA, MLKEM

    caps: dict[str, object] = {}
    for n in (512, 768, 1024):
        caps[f"ml-kem-{n}"] = kem(getattr(MLKEM, f"ML_KEM_{n}"))
        caps[f"ml-kem-{n}:fixed-randomness"] = object()
    for n in (44, 65, 87):
        impl = dsa(getattr(MLDSA, f"ML_DSA_{n}"))
        caps[f"ml-dsa-{n}"] = impl
        caps[f"ml-dsa-{n}:fixed-randomness"] = object()
        caps[f"ml-dsa-{n}:external-mu"] = impl
    return caps
