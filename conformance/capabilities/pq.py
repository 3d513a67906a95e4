"""Post-quantum primitives: ML-KEM (FIPS 203), ML-DSA (FIPS 204), X-Wing (the CFRG hybrid KEM
draft) and the round-3 Kyber1024 that libsignal's PQXDH uses.

One capability per parameter set (``ml-kem-768``, ``ml-dsa-65``, ...): an adapter returns the
object for that set, so a method never needs to be told which one it is. Every random input is
a parameter: key generation takes its seeds, encapsulation its message ``m`` (or X-Wing's
``eseed``), signing its ``rnd``. A library that draws its own randomness cannot take one of
those; it leaves the family's ``:fixed-randomness`` marker out, its outputs are then checked by
what the others make of them (decapsulation, verification) instead of byte for byte.
"""

from __future__ import annotations

from typing import Protocol, TypedDict, runtime_checkable

from ._markers import FixedRandomness

__all__ = [
    "KemEncapsulated",
    "KemKeyPair",
    "Kyber1024Round3",
    "MlDsa",
    "MlDsaExternalMu",
    "MlDsaKeyPair",
    "MlKem",
    "XWing",
]

FAMILY = "pq"


class KemKeyPair(TypedDict):
    """An encapsulation key and its decapsulation key, as the scheme encodes them."""

    ek: bytes
    dk: bytes


class KemEncapsulated(TypedDict):
    """A ciphertext and the shared key it carries."""

    c: bytes
    k: bytes


@runtime_checkable
class MlKem(Protocol):
    """ML-KEM (FIPS 203), one parameter set. Keys and ciphertexts are FIPS 203's byte encodings:
    ``ek`` 800/1184/1568 bytes, ``dk`` the expanded 1632/2400/3168-byte key, ``c``
    768/1088/1568 bytes, ``k`` 32 bytes."""

    def ml_kem_keygen(self, d: bytes, z: bytes) -> KemKeyPair:
        """ML-KEM.KeyGen_internal(d, z) (§6.1): the key pair from the two 32-byte seeds."""
        ...

    def ml_kem_encaps(self, ek: bytes, m: bytes) -> KemEncapsulated:
        """ML-KEM.Encaps_internal(ek, m) (§6.2) after the input check of §7.2: an ``ek`` of the
        wrong length, or one whose coefficients do not all decode below q (the modulus check),
        is refused with InvalidKey."""
        ...

    def ml_kem_decaps(self, dk: bytes, c: bytes) -> bytes:
        """ML-KEM.Decaps_internal(dk, c) (§6.3) after the input checks of §7.3: a ``c`` of the
        wrong length is refused with InvalidMessage, a ``dk`` of the wrong length or whose
        stored H(ek) does not match its ek (the hash check) with InvalidKey. A ciphertext that
        does not re-encrypt to itself gives the implicit-rejection key J(z || c), never an
        error."""
        ...


@runtime_checkable
class Kyber1024Round3(Protocol):
    """Kyber1024 as submitted to round 3 of the NIST process (v3.02), which libsignal's PQXDH
    uses (its key type byte 0x08). It differs from ML-KEM-1024: encapsulation hashes ``m``
    first and the shared key is KDF(K' || H(c)), and key generation has no domain separator, so
    the same seeds give other keys and another shared secret. Encodings are as ML-KEM-1024's."""

    def kyber_keygen(self, d: bytes, z: bytes) -> KemKeyPair:
        """Key generation from the 32-byte seed ``d`` and the 32-byte rejection value ``z``."""
        ...

    def kyber_encaps(self, ek: bytes, m: bytes) -> KemEncapsulated:
        """Encapsulation with the 32-byte ``m`` (hashed by the scheme before use)."""
        ...

    def kyber_decaps(self, dk: bytes, c: bytes) -> bytes:
        """Decapsulation; a ciphertext that does not re-encrypt gives the implicit-rejection
        key, never an error."""
        ...


class MlDsaKeyPair(TypedDict):
    """A public key and its private key, as FIPS 204 encodes them."""

    pk: bytes
    sk: bytes


@runtime_checkable
class MlDsa(Protocol):
    """ML-DSA (FIPS 204), one parameter set, pure (not pre-hashed) signing. Encodings: ``pk``
    1312/1952/2592 bytes, ``sk`` 2560/4032/4896, signatures 2420/3309/4627."""

    def ml_dsa_keygen(self, xi: bytes) -> MlDsaKeyPair:
        """ML-DSA.KeyGen_internal(xi) (§6.1) from the 32-byte seed."""
        ...

    def ml_dsa_sign(self, sk: bytes, message: bytes, context: bytes, rnd: bytes) -> bytes:
        """ML-DSA.Sign (§5.2) with the 32-byte ``rnd`` (all zero: the deterministic variant);
        a ``context`` over 255 bytes is refused with InvalidInput."""
        ...

    def ml_dsa_verify(self, pk: bytes, message: bytes, context: bytes, signature: bytes) -> None:
        """ML-DSA.Verify (§5.3): returns for a valid signature, refuses anything else
        (a wrong length, a malformed hint, a wrong context) with InvalidSignature."""
        ...


@runtime_checkable
class MlDsaExternalMu(Protocol):
    """ML-DSA over a message representative ``mu`` the caller computed (FIPS 204 §6.2,
    Algorithm 7 line 6: mu = H(BytesToBits(tr) || M', 64)), where a library offers it."""

    def ml_dsa_sign_mu(self, sk: bytes, mu: bytes, rnd: bytes) -> bytes:
        """ML-DSA.Sign_internal with the 64-byte ``mu`` given."""
        ...

    def ml_dsa_verify_mu(self, pk: bytes, mu: bytes, signature: bytes) -> None:
        """ML-DSA.Verify_internal with the 64-byte ``mu`` given; refuses with InvalidSignature."""
        ...


@runtime_checkable
class XWing(Protocol):
    """X-Wing, the hybrid of ML-KEM-768 and X25519 (draft-connolly-cfrg-xwing-kem). ``sk`` is the
    32-byte seed, ``ek`` 1216 bytes (ML-KEM-768's then X25519's), ``c`` 1120 bytes."""

    def x_wing_keygen(self, seed: bytes) -> KemKeyPair:
        """The key pair expanded from the 32-byte seed."""
        ...

    def x_wing_encaps(self, ek: bytes, eseed: bytes) -> KemEncapsulated:
        """Encapsulation with the 64-byte ``eseed``: ML-KEM-768's m, then the ephemeral X25519
        private key."""
        ...

    def x_wing_decaps(self, dk: bytes, c: bytes) -> bytes:
        """The shared secret; ML-KEM's implicit rejection carries through, never an error."""
        ...


CAPABILITIES: dict[str, type] = {
    **{f"ml-kem-{n}": MlKem for n in (512, 768, 1024)},
    **{f"ml-kem-{n}:fixed-randomness": FixedRandomness for n in (512, 768, 1024)},
    **{f"ml-dsa-{n}": MlDsa for n in (44, 65, 87)},
    **{f"ml-dsa-{n}:fixed-randomness": FixedRandomness for n in (44, 65, 87)},
    **{f"ml-dsa-{n}:external-mu": MlDsaExternalMu for n in (44, 65, 87)},
    "x-wing": XWing,
    "x-wing:fixed-randomness": FixedRandomness,
    "kyber1024-r3": Kyber1024Round3,
    "kyber1024-r3:fixed-randomness": FixedRandomness,
}

#: Exact known answers of what a library makes with injected randomness.
COMPOSITES: dict[str, tuple[str, ...]] = {
    **{
        f"ml-kem-{n}-encaps": (f"ml-kem-{n}", f"ml-kem-{n}:fixed-randomness")
        for n in (512, 768, 1024)
    },
    **{f"ml-dsa-{n}-sign": (f"ml-dsa-{n}", f"ml-dsa-{n}:fixed-randomness") for n in (44, 65, 87)},
    **{
        f"ml-dsa-{n}-sign-mu": (
            f"ml-dsa-{n}",
            f"ml-dsa-{n}:fixed-randomness",
            f"ml-dsa-{n}:external-mu",
        )
        for n in (44, 65, 87)
    },
    "x-wing-encaps": ("x-wing", "x-wing:fixed-randomness"),
    "kyber1024-r3-encaps": ("kyber1024-r3", "kyber1024-r3:fixed-randomness"),
}
