"""Stdio adapter for kyber-py, a pure-Python ML-KEM (FIPS 203) and round-3 Kyber.

Runs in its own environment (``kyber-py==1.2.0``) and speaks the adapter protocol through the
bundled host library. It offers ``ml-kem-512``, ``ml-kem-768`` and ``ml-kem-1024`` from
``kyber_py.ml_kem`` and ``kyber1024-r3`` from ``kyber_py.kyber`` (the round-3 submission,
v3.02), every one with its random inputs injected.

Randomness: kyber-py draws every random value through the ``random_bytes`` attribute of its
module-level parameter-set objects (``os.urandom`` unless a DRBG is seeded). Key generation from
seeds is public for ML-KEM (``key_derive(d || z)``); encapsulation, and everything of round 3,
draws its values itself, so a handler replaces that attribute with :class:`_Injected`, which
hands out exactly the injected values in order and fails loudly on any other draw, and puts the
previous source back afterwards.

Refusals: kyber-py reports every rejection as ``ValueError``; the adapter maps the library's own
messages to the kinds (the ciphertext type check to InvalidMessage, the encapsulation-key type
and modulus checks and the decapsulation-key type and hash checks to InvalidKey). Round-3 Kyber
has no input checks in kyber-py (none are specified for it) and the adapter adds none: a key or
ciphertext of the wrong length makes the library's byte decoding raise ValueError, which is
refused (its kind taken from which input has the wrong length); a key whose coefficients are not
reduced is used as it is.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from importlib.metadata import version
from typing import Any

from e2ee_host import Refusal, serve
from kyber_py.kyber import Kyber1024  # type: ignore[import-untyped,import-not-found,unused-ignore]
from kyber_py.ml_kem import ML_KEM_512, ML_KEM_768, ML_KEM_1024  # type: ignore[import-untyped,import-not-found,unused-ignore]

_SEED = 32
_R3_DK = 3168
_ML_KEM: dict[int, Any] = {512: ML_KEM_512, 768: ML_KEM_768, 1024: ML_KEM_1024}


class _Injected:
    """A ``random_bytes`` that returns the given values in order, each only for a draw of its
    own length, and raises on anything else."""

    def __init__(self, *values: bytes) -> None:
        self._values = list(values)

    def __call__(self, n: int) -> bytes:
        if not self._values:
            raise RuntimeError(f"kyber-py drew {n} random bytes beyond the injected values")
        value = self._values.pop(0)
        if len(value) != n:
            raise RuntimeError(f"kyber-py drew {n} random bytes where {len(value)} were injected")
        return value

    def done(self) -> None:
        if self._values:
            raise RuntimeError(f"kyber-py left {len(self._values)} injected value(s) unused")


@contextmanager
def _injected(scheme: Any, *values: bytes) -> Iterator[None]:
    source = _Injected(*values)
    previous = scheme.random_bytes
    scheme.random_bytes = source
    try:
        yield
    finally:
        scheme.random_bytes = previous
    source.done()


def _size(name: str, value: bytes, size: int) -> None:
    if len(value) != size:
        raise Refusal("InvalidInput", f"{name} must be {size} bytes, not {len(value)}")


def _ml_kem_keygen(n: int, d: bytes, z: bytes) -> dict[str, bytes]:
    _size("d", d, _SEED)
    _size("z", z, _SEED)
    ek, dk = _ML_KEM[n].key_derive(d + z)
    return {"ek": ek, "dk": dk}


def _ml_kem_encaps(n: int, ek: bytes, m: bytes) -> dict[str, bytes]:
    _size("m", m, _SEED)
    scheme = _ML_KEM[n]
    try:
        with _injected(scheme, m):
            k, c = scheme.encaps(ek)
    except ValueError as exc:
        # "Validation of encapsulation key failed": the §7.2 type (length) or modulus check.
        raise Refusal("InvalidKey", str(exc)) from exc
    return {"c": c, "k": k}


def _ml_kem_decaps(n: int, dk: bytes, c: bytes) -> bytes:
    try:
        return bytes(_ML_KEM[n].decaps(dk, c))
    except ValueError as exc:
        # kyber-py wraps its checks in one message; the ciphertext type check comes first.
        kind = "InvalidMessage" if "ciphertext type check" in str(exc) else "InvalidKey"
        raise Refusal(kind, str(exc)) from exc


def _kyber_keygen(d: bytes, z: bytes) -> dict[str, bytes]:
    _size("d", d, _SEED)
    _size("z", z, _SEED)
    # keygen() draws d inside the CPA key generation, then z.
    with _injected(Kyber1024, d, z):
        ek, dk = Kyber1024.keygen()
    return {"ek": ek, "dk": dk}


def _kyber_encaps(ek: bytes, m: bytes) -> dict[str, bytes]:
    _size("m", m, _SEED)
    try:
        with _injected(Kyber1024, m):
            k, c = Kyber1024.encaps(ek)
    except ValueError as exc:
        # Only from decoding an ek of the wrong length; nothing checks its coefficients.
        raise Refusal("InvalidKey", str(exc)) from exc
    return {"c": c, "k": k}


def _kyber_decaps(dk: bytes, c: bytes) -> bytes:
    try:
        return bytes(Kyber1024.decaps(dk, c))
    except ValueError as exc:
        # Only from decoding a dk or c of the wrong length; the message does not say which,
        # so the kind follows dk's length (3168 bytes).
        raise Refusal("InvalidKey" if len(dk) != _R3_DK else "InvalidMessage", str(exc)) from exc


def _ml_kem_handlers(n: int) -> dict[str, Any]:
    cap = f"ml-kem-{n}"

    def keygen(d: bytes, z: bytes) -> dict[str, bytes]:
        return _ml_kem_keygen(n, d, z)

    def encaps(ek: bytes, m: bytes) -> dict[str, bytes]:
        return _ml_kem_encaps(n, ek, m)

    def decaps(dk: bytes, c: bytes) -> bytes:
        return _ml_kem_decaps(n, dk, c)

    return {
        f"{cap}.ml_kem_keygen": keygen,
        f"{cap}.ml_kem_encaps": encaps,
        f"{cap}.ml_kem_decaps": decaps,
    }


CAPABILITIES = [
    *(c for n in (512, 768, 1024) for c in (f"ml-kem-{n}", f"ml-kem-{n}:fixed-randomness")),
    "kyber1024-r3",
    "kyber1024-r3:fixed-randomness",
]

HANDLERS = {
    **_ml_kem_handlers(512),
    **_ml_kem_handlers(768),
    **_ml_kem_handlers(1024),
    "kyber1024-r3.kyber_keygen": _kyber_keygen,
    "kyber1024-r3.kyber_encaps": _kyber_encaps,
    "kyber1024-r3.kyber_decaps": _kyber_decaps,
}


if __name__ == "__main__":
    serve(
        {
            "name": "kyber-py",
            "implementation": "kyber-py (pure Python ML-KEM and round-3 Kyber)",
            "version": f"kyber-py {version('kyber-py')}",
            "capabilities": CAPABILITIES,
        },
        HANDLERS,
    )
