"""``olm``: Olm sessions (the Matrix Olm spec), stateful.

State travels as opaque bytes that the adapter alone understands (its pickle, say): every
operation takes the state it works on and returns the new state, and never changes the one it
was given, so a check can keep a snapshot of a party and try it again later. Operations that
return several values return a JSON object (a ``TypedDict`` here).

The marker ``olm:fixed-randomness`` declares that the adapter's ``olm`` operations use the
random values the suite passes in, byte for byte, so its messages can be compared with known
answers. An adapter whose library draws its own randomness (vodozemac) still declares ``olm``
and takes part in every receive-side and pair check.
"""

from __future__ import annotations

from typing import Protocol, TypedDict, runtime_checkable

from ._markers import FixedRandomness

__all__ = ["Olm", "OlmDecrypted", "OlmEncrypted", "OlmInbound", "OlmKey"]

FAMILY = "olm"


class OlmKey(TypedDict):
    """An account with a key added, and the key's public part."""

    account: bytes
    key: bytes


class OlmInbound(TypedDict):
    account: bytes
    session: bytes
    plaintext: bytes


class OlmEncrypted(TypedDict):
    """``type`` is the Olm message type: 0 a pre-key message, 1 a normal message."""

    session: bytes
    type: int
    message: bytes


class OlmDecrypted(TypedDict):
    session: bytes
    plaintext: bytes


@runtime_checkable
class Olm(Protocol):
    """Olm (libolm docs/olm.md): accounts, the 3DH handshake, the Olm ratchet and its messages.

    ``account`` and ``session`` are opaque state (see the module docstring). Keys are raw 32-byte
    Curve25519 and Ed25519 values; messages are the raw wire bytes (not base64). Random values are
    passed in as 32-byte Curve25519 private keys; an adapter that cannot use them uses its own
    and does not declare ``olm:fixed-randomness``.

    Refusals: a message that fails its MAC is AuthenticationFailed; a malformed, truncated or
    wrong-version message, or a counter beyond the receiver's limits, is InvalidMessage; a
    pre-key message for a one-time key the account does not hold is InvalidKey; a message the
    session has already decrypted is DuplicateMessage or AuthenticationFailed (its key is gone).
    """

    def olm_account(self, ed25519_seed: bytes, curve25519_private: bytes) -> bytes:
        """A new account with these identity keys (an Ed25519 seed and a Curve25519 private
        key) and no one-time keys."""
        ...

    def olm_identity_keys(self, account: bytes) -> bytes:
        """The account's Curve25519 identity key (32) followed by its Ed25519 key (32)."""
        ...

    def olm_add_one_time_key(self, account: bytes, private: bytes) -> OlmKey:
        """Add a one-time key (docs/olm.md "Initial setup") with this private key, marked as
        published."""
        ...

    def olm_add_fallback_key(self, account: bytes, private: bytes) -> OlmKey:
        """Make this private key the account's fallback key."""
        ...

    def olm_outbound(
        self,
        account: bytes,
        identity_key: bytes,
        one_time_key: bytes,
        base_key: bytes,
        ratchet_key: bytes,
    ) -> bytes:
        """Alice's session to the owner of ``identity_key`` and ``one_time_key`` (docs/olm.md
        "Initial setup"), with the base key E_A and the first ratchet key T_0 given."""
        ...

    def olm_inbound(self, account: bytes, identity_key: bytes, message: bytes) -> OlmInbound:
        """Bob's session from Alice's pre-key message, sent by ``identity_key``, with the first
        message decrypted. The one-time key is removed from the returned account when the
        message decrypts (a fallback key stays)."""
        ...

    def olm_encrypt(self, session: bytes, plaintext: bytes, ratchet_key: bytes) -> OlmEncrypted:
        """Encrypt one message. ``ratchet_key`` is the new ratchet key T_i, used only when the
        session starts a new sending chain (docs/olm.md "Advancing the root key")."""
        ...

    def olm_decrypt(self, session: bytes, type: int, message: bytes) -> OlmDecrypted:
        """Decrypt one message of ``type`` 0 (pre-key) or 1 (normal)."""
        ...


CAPABILITIES: dict[str, type] = {"olm": Olm, "olm:fixed-randomness": FixedRandomness}
#: Sending known-answer messages: the session operations with the randomness injected.
COMPOSITES: dict[str, tuple[str, ...]] = {"olm-send": ("olm", "olm:fixed-randomness")}
