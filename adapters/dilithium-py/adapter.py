"""Stdio adapter for dilithium-py, a pure-Python ML-DSA (FIPS 204).

Runs in its own environment (``dilithium-py==1.5.1``) and speaks the adapter protocol through
the bundled host library. It offers ``ml-dsa-44``, ``ml-dsa-65`` and ``ml-dsa-87`` from
``dilithium_py.ml_dsa`` with rnd injected (``:fixed-randomness``). It does not offer
``:external-mu``: dilithium-py signs over a caller's mu (``sign_external_mu``) but has no way to
verify over one (``verify`` and ``_verify_internal`` both compute mu themselves), and the
interface needs both.

Randomness: dilithium-py draws rnd through the ``random_bytes`` attribute of its module-level
parameter-set objects (``os.urandom`` unless a DRBG is seeded). The public ``sign`` is called
with that attribute replaced by a function that returns exactly the injected rnd once and fails
loudly on any other draw; the previous source is put back afterwards. Key generation from xi is
the public ``key_derive``.

Refusals: dilithium-py raises ValueError for a context over 255 bytes and for a key of the wrong
length, with its own messages, which the adapter maps (the context to InvalidInput, keys to
InvalidKey); ``verify`` returns False for every signature it rejects, which is InvalidSignature.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from importlib.metadata import version
from typing import Any

from dilithium_py.ml_dsa import ML_DSA_44, ML_DSA_65, ML_DSA_87  # type: ignore[import-untyped,import-not-found,unused-ignore]
from e2ee_host import Refusal, serve

_SEED = 32
_ML_DSA: dict[int, Any] = {44: ML_DSA_44, 65: ML_DSA_65, 87: ML_DSA_87}


def _size(name: str, value: bytes, size: int) -> None:
    if len(value) != size:
        raise Refusal("InvalidInput", f"{name} must be {size} bytes, not {len(value)}")


@contextmanager
def _injected(scheme: Any, rnd: bytes) -> Iterator[None]:
    draws: list[int] = []

    def random_bytes(n: int) -> bytes:
        draws.append(n)
        if n != len(rnd) or len(draws) > 1:
            raise RuntimeError(f"dilithium-py drew {n} random bytes beyond the injected rnd")
        return rnd

    previous = scheme.random_bytes
    scheme.random_bytes = random_bytes
    try:
        yield
    finally:
        scheme.random_bytes = previous


def _refuse(exc: ValueError) -> Refusal:
    """The kind of one of dilithium-py's ValueErrors: its context check, else a key's."""
    kind = "InvalidInput" if "ctx bytes" in str(exc) else "InvalidKey"
    return Refusal(kind, str(exc))


def _keygen(n: int, xi: bytes) -> dict[str, bytes]:
    _size("xi", xi, _SEED)
    pk, sk = _ML_DSA[n].key_derive(xi)
    return {"pk": pk, "sk": sk}


def _sign(n: int, sk: bytes, message: bytes, context: bytes, rnd: bytes) -> bytes:
    _size("rnd", rnd, _SEED)
    scheme = _ML_DSA[n]
    try:
        with _injected(scheme, rnd):
            return bytes(scheme.sign(sk, message, ctx=context))
    except ValueError as exc:
        raise _refuse(exc) from exc


def _verify(n: int, pk: bytes, message: bytes, context: bytes, signature: bytes) -> None:
    try:
        ok = _ML_DSA[n].verify(pk, message, signature, ctx=context)
    except ValueError as exc:
        raise _refuse(exc) from exc
    if not ok:
        raise Refusal("InvalidSignature", "verify returned False")


def _handlers(n: int) -> dict[str, Any]:
    cap = f"ml-dsa-{n}"

    def keygen(xi: bytes) -> dict[str, bytes]:
        return _keygen(n, xi)

    def sign(sk: bytes, message: bytes, context: bytes, rnd: bytes) -> bytes:
        return _sign(n, sk, message, context, rnd)

    def verify(pk: bytes, message: bytes, context: bytes, signature: bytes) -> None:
        _verify(n, pk, message, context, signature)

    return {
        f"{cap}.ml_dsa_keygen": keygen,
        f"{cap}.ml_dsa_sign": sign,
        f"{cap}.ml_dsa_verify": verify,
    }


CAPABILITIES = [c for n in (44, 65, 87) for c in (f"ml-dsa-{n}", f"ml-dsa-{n}:fixed-randomness")]

HANDLERS = {**_handlers(44), **_handlers(65), **_handlers(87)}


if __name__ == "__main__":
    serve(
        {
            "name": "dilithium-py",
            "implementation": "dilithium-py (pure Python ML-DSA)",
            "version": f"dilithium-py {version('dilithium-py')}",
            "capabilities": CAPABILITIES,
        },
        HANDLERS,
    )
