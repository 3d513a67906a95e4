"""Stdio adapter for Syndace's ``x3dh`` (the X3DH of python-omemo's stack, on ``xeddsa``).

Runs in its own environment (``x3dh``, ``doubleratchet``, ``xeddsa`` and what they pull in) and
speaks the adapter protocol through the bundled host library. Only the ``x3dh`` capability is
offered: the shared secret comes from the library's own ``BaseState.get_shared_secret_active`` and
``get_shared_secret_passive`` (its DH order, 32 x 0xFF padding, zero salt and HKDF), configured
with ``IdentityKeyFormat.CURVE_25519``, ``HashFunction.SHA_256`` and info ``b"WhisperText"``.

The suite's keys go in through the library's hooks, never around its arithmetic:

- identity keys through ``create(..., identity_key_pair=IdentityKeyPairPriv(private))``;
- every other private key (Alice's ephemeral key, Bob's signed and one-time pre-keys) through
  ``x3dh.base_state.secrets``, the module the library draws its randomness from, replaced for the
  length of one call by a queue of the suite's keys that refuses any draw it was not given;
- Bob's signed pre-key is signed by the library itself (XEdDSA with Bob's identity key) when his
  state is created, so the passive side runs unmodified.

The active side verifies the signed pre-key's signature before it agrees on anything, and the
``X3dh`` interface carries no signature (only Bob's public keys), so none that verifies can be
built. For that one call ``x3dh.base_state.xeddsa`` is replaced by a view of ``xeddsa`` whose
``ed25519_verify`` accepts: there is no lower-level function to call instead (the DH and HKDF
steps are inline in ``get_shared_secret_active``), and everything else still runs in the
library's code. Native errors become the suite's neutral kinds here: a key of the wrong size is
refused before the library sees it, and ``xeddsa``'s refusal of a public key (an all-zero
X25519 output) or of a key it cannot convert is InvalidKey.
"""

from __future__ import annotations

import asyncio
import contextlib
import types
from collections.abc import Coroutine, Iterator, Sequence
from importlib.metadata import version
from typing import Any, TypeVar

import x3dh
import x3dh.base_state
import xeddsa
from e2ee_host import Refusal, serve
from x3dh import Bundle, HashFunction, Header, IdentityKeyFormat
from x3dh.identity_key_pair import IdentityKeyPairPriv

T = TypeVar("T")

#: Signal's X3DH parameters (X3DH §2.1): the application info string of classic Signal.
INFO = b"WhisperText"
KEY_FORMAT = IdentityKeyFormat.CURVE_25519
HASH = HashFunction.SHA_256
#: libsignal's DJB_TYPE byte: public keys are encoded as 0x05 || 32 bytes.
DJB_TYPE = b"\x05"


class SignalState(x3dh.BaseState):  # type: ignore[misc,unused-ignore]
    """``BaseState`` with libsignal's public-key encoding (0x05 || Curve25519 key).

    The encoding is what the library signs for the signed pre-key and what it puts in the
    associated data; it does not enter the shared secret.
    """

    @staticmethod
    def _encode_public_key(key_format: IdentityKeyFormat, pub: bytes) -> bytes:
        if key_format is not IdentityKeyFormat.CURVE_25519:
            raise ValueError(f"only Curve25519 identity keys are used here, not {key_format}")
        return DJB_TYPE + pub


class _InjectedSecrets:
    """Stands in for the ``secrets`` module inside ``x3dh.base_state`` during one call."""

    def __init__(self, keys: Sequence[bytes]) -> None:
        self._keys = list(keys)

    def token_bytes(self, nbytes: int | None = None) -> bytes:
        if not self._keys:
            raise RuntimeError("x3dh drew a random value the adapter did not inject")
        key = self._keys.pop(0)
        if nbytes != len(key):
            raise RuntimeError(f"x3dh drew {nbytes} random bytes; the injected key has {len(key)}")
        return key

    def choice(self, seq: Sequence[T]) -> T:
        # Only get_shared_secret_active chooses: one of the bundle's one-time pre-keys. The
        # adapter's bundles hold at most one, so there is nothing left to chance.
        if len(seq) != 1:
            raise RuntimeError(f"x3dh chose among {len(seq)} pre-keys; the adapter gave one")
        return seq[0]

    def unused(self) -> int:
        return len(self._keys)


def _xeddsa_accepting_signatures() -> types.SimpleNamespace:
    """``xeddsa`` as ``x3dh.base_state`` uses it, but with a verifier that accepts."""
    view = types.SimpleNamespace(**{n: getattr(xeddsa, n) for n in dir(xeddsa) if n[0] != "_"})
    view.ed25519_verify = lambda sig, ed25519_pub, msg: True
    return view


@contextlib.contextmanager
def _inject(keys: Sequence[bytes], skip_signature_check: bool = False) -> Iterator[None]:
    """Feed ``keys`` to the library's random draws (and optionally accept any signature)."""
    module = x3dh.base_state
    saved = (module.secrets, module.xeddsa)  # type: ignore[attr-defined,unused-ignore]
    injected = _InjectedSecrets(keys)
    module.secrets = injected  # type: ignore[attr-defined,unused-ignore]
    if skip_signature_check:
        module.xeddsa = _xeddsa_accepting_signatures()  # type: ignore[attr-defined,unused-ignore]
    try:
        yield
        if injected.unused():
            raise RuntimeError(f"x3dh left {injected.unused()} injected key(s) unused")
    finally:
        module.secrets, module.xeddsa = saved  # type: ignore[attr-defined,unused-ignore]


def _check_sizes(**keys: bytes) -> None:
    for name, key in keys.items():
        if len(key) != 32:
            raise Refusal("InvalidKey", f"{name} must be 32 bytes, not {len(key)}")


def _agree(run: Coroutine[Any, Any, bytes]) -> bytes:
    """Run one key agreement coroutine; the library's refusals become InvalidKey."""
    try:
        return asyncio.run(run)
    except (xeddsa.XEdDSAException, x3dh.KeyAgreementException, ValueError) as exc:
        raise Refusal("InvalidKey", f"{type(exc).__name__}: {exc}") from None


def x3dh_initiate(
    identity_private: bytes,
    ephemeral_private: bytes,
    identity_key: bytes,
    signed_prekey: bytes,
    prekey: bytes,
) -> bytes:
    """Alice's SK: get_shared_secret_active over a bundle of Bob's public keys."""
    _check_sizes(
        identity_private=identity_private,
        ephemeral_private=ephemeral_private,
        identity_key=identity_key,
        signed_prekey=signed_prekey,
    )
    if prekey:
        _check_sizes(prekey=prekey)

    async def run() -> bytes:
        # create() generates (and signs) a signed pre-key of Alice's own, which plays no part
        # in her side of the agreement: it gets a fixed value so that nothing is left random.
        with _inject([b"\x01" * 32]):
            alice = SignalState.create(
                KEY_FORMAT, HASH, INFO, identity_key_pair=IdentityKeyPairPriv(identity_private)
            )
        bundle = Bundle(
            identity_key=identity_key,
            signed_pre_key=signed_prekey,
            signed_pre_key_sig=b"\x00" * 64,  # never checked: see the module docstring
            pre_keys=frozenset({prekey}) if prekey else frozenset(),
        )
        with _inject([ephemeral_private], skip_signature_check=True):
            secret, _ad, header = await alice.get_shared_secret_active(
                bundle, require_pre_key=False
            )
        if header.pre_key != (prekey or None):
            raise RuntimeError("x3dh used another one-time pre-key than the one given")
        return bytes(secret)

    return _agree(run())


def x3dh_respond(
    identity_private: bytes,
    signed_prekey_private: bytes,
    prekey_private: bytes,
    identity_key: bytes,
    ephemeral_key: bytes,
) -> bytes:
    """Bob's SK: get_shared_secret_passive in a state holding exactly his keys."""
    _check_sizes(
        identity_private=identity_private,
        signed_prekey_private=signed_prekey_private,
        identity_key=identity_key,
        ephemeral_key=ephemeral_key,
    )
    if prekey_private:
        _check_sizes(prekey_private=prekey_private)

    async def run() -> bytes:
        with _inject([signed_prekey_private]):
            bob = SignalState.create(
                KEY_FORMAT, HASH, INFO, identity_key_pair=IdentityKeyPairPriv(identity_private)
            )
        if prekey_private:
            with _inject([prekey_private]):
                bob.generate_pre_keys(1)
        published = bob.bundle
        header = Header(
            identity_key=identity_key,
            ephemeral_key=ephemeral_key,
            signed_pre_key=published.signed_pre_key,
            pre_key=next(iter(published.pre_keys)) if prekey_private else None,
        )
        with _inject([]):
            secret, _ad, _spk = await bob.get_shared_secret_passive(header, require_pre_key=False)
        return bytes(secret)

    return _agree(run())


def _versions() -> str:
    names = ("X3DH", "DoubleRatchet", "XEdDSA")
    return ", ".join(f"{n.lower()} {version(n)}" for n in names)


def main() -> None:
    serve(
        {
            "name": "x3dh",
            "implementation": "x3dh + doubleratchet (Syndace, python-omemo's stack)",
            "version": _versions(),
            "capabilities": ["x3dh"],
        },
        {
            "x3dh.x3dh_initiate": x3dh_initiate,
            "x3dh.x3dh_respond": x3dh_respond,
        },
    )


if __name__ == "__main__":
    main()
