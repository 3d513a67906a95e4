"""``megolm``: Megolm group sessions (the Matrix Megolm spec), stateful like ``olm``."""

from __future__ import annotations

from typing import Protocol, TypedDict, runtime_checkable

__all__ = ["Megolm", "MegolmDecrypted", "MegolmEncrypted"]

FAMILY = "megolm"


class MegolmEncrypted(TypedDict):
    session: bytes
    message: bytes


class MegolmDecrypted(TypedDict):
    session: bytes
    plaintext: bytes
    index: int


@runtime_checkable
class Megolm(Protocol):
    """Megolm (libolm docs/megolm.md): outbound and inbound group sessions.

    State is opaque, as for ``olm``. ``session_key`` is the 229-byte session-sharing format
    (version 2, signed) and an export the 165-byte format (version 1, unsigned).

    Refusals: a bad MAC is AuthenticationFailed; a bad Ed25519 signature on a message or a session
    key is InvalidSignature; a message index below the first index the session knows is
    InvalidMessage, as is a malformed message or key. Replay is not the library's job
    (docs/megolm.md "Limitations"): a library may decrypt the same index again.
    """

    def megolm_outbound(self, ratchet: bytes, signing_seed: bytes) -> bytes:
        """An outbound session at index 0 with the initial ratchet R_0 (128 bytes) and the
        Ed25519 signing key seed given."""
        ...

    def megolm_session_key(self, session: bytes) -> bytes:
        """The outbound session's current session-sharing key (229 bytes)."""
        ...

    def megolm_encrypt(self, session: bytes, plaintext: bytes) -> MegolmEncrypted:
        """Encrypt one message at the current index and advance the ratchet."""
        ...

    def megolm_inbound(self, session_key: bytes) -> bytes:
        """An inbound session from a 229-byte session key, whose signature must verify."""
        ...

    def megolm_import(self, exported: bytes) -> bytes:
        """An inbound session from a 165-byte export."""
        ...

    def megolm_decrypt(self, session: bytes, message: bytes) -> MegolmDecrypted:
        """Decrypt one message: the plaintext and the message index it carried."""
        ...

    def megolm_export(self, session: bytes, index: int) -> bytes:
        """The inbound session exported at ``index`` (165 bytes)."""
        ...


CAPABILITIES: dict[str, type] = {"megolm": Megolm}
COMPOSITES: dict[str, tuple[str, ...]] = {}
