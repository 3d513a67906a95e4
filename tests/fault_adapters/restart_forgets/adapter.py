"""Mock adapters (fault injection) whose persisted state does not survive a restart
(tests/test_attacks_restart.py). Each is the suite's reference with one thing kept in the
adapter object's memory instead of in the state it returns."""

from __future__ import annotations

import hashlib
from typing import Any

from conformance.adapter import Adapter
from conformance.attacks import reference_primitives
from conformance.errors import InvalidInput, ProtocolError
from conformance.reference.mls.group_api import MlsGroupReference
from conformance.reference.olm import OlmReference


class _Delegating:
    def __init__(self, inner: OlmReference) -> None:
        self._inner = inner

    def __getattr__(self, name: str) -> Any:
        return getattr(self._inner, name)


class _HandlesOlm(_Delegating):
    """Every account and session it returns is a 16-byte handle to the real state, kept in
    this object: a new object knows none of them."""

    def __init__(self, inner: OlmReference) -> None:
        super().__init__(inner)
        self._kept: dict[bytes, bytes] = {}

    def _keep(self, state: bytes) -> bytes:
        handle = hashlib.sha256(state).digest()[:16]
        self._kept[handle] = state
        return handle

    def _real(self, handle: bytes) -> bytes:
        if handle not in self._kept:
            raise InvalidInput("unknown handle")
        return self._kept[handle]

    def olm_account(self, ed25519_seed: bytes, curve25519_private: bytes) -> bytes:
        return self._keep(self._inner.olm_account(ed25519_seed, curve25519_private))

    def olm_identity_keys(self, account: bytes) -> bytes:
        return self._inner.olm_identity_keys(self._real(account))

    def olm_add_one_time_key(self, account: bytes, private: bytes) -> Any:
        out = dict(self._inner.olm_add_one_time_key(self._real(account), private))
        return {**out, "account": self._keep(out["account"])}

    def olm_add_fallback_key(self, account: bytes, private: bytes) -> Any:
        out = dict(self._inner.olm_add_fallback_key(self._real(account), private))
        return {**out, "account": self._keep(out["account"])}

    def olm_outbound(
        self, account: bytes, identity: bytes, one_time: bytes, base: bytes, ratchet: bytes
    ) -> bytes:
        made = self._inner.olm_outbound(self._real(account), identity, one_time, base, ratchet)
        return self._keep(made)

    def olm_inbound(self, account: bytes, identity_key: bytes, message: bytes) -> Any:
        try:
            out = dict(self._inner.olm_inbound(self._real(account), identity_key, message))
        except ProtocolError as exc:
            if exc.state is not None:
                exc.state = self._keep(exc.state)
            raise
        return {**out, "account": self._keep(out["account"]), "session": self._keep(out["session"])}

    def olm_encrypt(self, session: bytes, plaintext: bytes, ratchet_key: bytes) -> Any:
        out = dict(self._inner.olm_encrypt(self._real(session), plaintext, ratchet_key))
        return {**out, "session": self._keep(out["session"])}

    def olm_decrypt(self, session: bytes, type: int, message: bytes) -> Any:
        try:
            out = dict(self._inner.olm_decrypt(self._real(session), type, message))
        except ProtocolError as exc:
            # A refusal's state (protocol 2) is a handle like every other.
            if exc.state is not None:
                exc.state = self._keep(exc.state)
            raise
        return {**out, "session": self._keep(out["session"])}


class _ChainInMemoryOlm(_Delegating):
    """olm_encrypt returns the session as it was before the message (one message behind) and
    keeps the moved-on one in memory, used by the next call on what it returned: right until a
    restart, after which the sender encrypts again at its last message's chain position."""

    def __init__(self, inner: OlmReference) -> None:
        super().__init__(inner)
        self._ahead: dict[bytes, bytes] = {}

    def olm_encrypt(self, session: bytes, plaintext: bytes, ratchet_key: bytes) -> Any:
        live = self._ahead.pop(session, session)
        out = dict(self._inner.olm_encrypt(live, plaintext, ratchet_key))
        self._ahead[live] = out["session"]
        return {**out, "session": live}

    def olm_decrypt(self, session: bytes, type: int, message: bytes) -> Any:
        return self._inner.olm_decrypt(self._ahead.pop(session, session), type, message)


class MockOlmStateInMemory(Adapter):
    def version(self) -> str:
        return "0-mock"

    def capabilities(self) -> dict[str, object]:
        return {"olm": _HandlesOlm(OlmReference(reference_primitives()))}


class MockOlmChainInMemory(Adapter):
    def version(self) -> str:
        return "0-mock"

    def capabilities(self) -> dict[str, object]:
        return {"olm": _ChainInMemoryOlm(OlmReference(reference_primitives()))}


class MockMlsStateInMemory(Adapter):
    def version(self) -> str:
        return "0-mock"

    def capabilities(self) -> dict[str, object]:
        return {"mls-group": MlsGroupReference()}
