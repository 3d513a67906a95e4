"""Vector types of the Olm family."""

from __future__ import annotations

from ._base import Field, VectorType

__all__ = ["VECTOR_TYPES"]

_OLM_PARTIES = (
    Field("aliceEd25519Seed", "hex", "Alice's Ed25519 identity key seed"),
    Field("aliceCurve25519", "hex", "Alice's Curve25519 identity key (private)"),
    Field(
        "aliceIdentityKeys", "hex", "Alice's public identity keys: Curve25519 (32) || Ed25519 (32)"
    ),
    Field("bobEd25519Seed", "hex", "Bob's Ed25519 identity key seed"),
    Field("bobCurve25519", "hex", "Bob's Curve25519 identity key (private)"),
    Field("bobIdentityKeys", "hex", "Bob's public identity keys: Curve25519 (32) || Ed25519 (32)"),
    Field("bobKeyKind", "str", "one-time or fallback: how Bob's key is added to his account"),
    Field("bobOneTimeKey", "hex", "the private key Bob publishes (one-time or fallback)"),
    Field("bobOneTimeKeyPublic", "hex", "its public key"),
)


VECTOR_TYPES: tuple[VectorType, ...] = (
    VectorType(
        name="OlmSession",
        schema="olm_session_schema.json",
        description=(
            "An Olm conversation between Alice and Bob with every random value fixed "
            "(docs/olm.md): both parties are played by the implementation under test, which "
            "must produce every message byte for byte and decrypt every message. Alice's "
            "session is created with olm_outbound(baseKey, ratchetKey) to Bob's identity and "
            "one-time (or fallback) key. Steps: encrypt (party, plaintext, ratchetKey, "
            "expected type and message), inbound (Bob creates his session from a pre-key "
            "message and must get plaintext), decrypt (party decrypts message of type on its "
            "session and must get plaintext). In an invalid case the last step must be "
            "refused and every earlier one must succeed."
        ),
        group_fields=(),
        case_fields=(
            *_OLM_PARTIES,
            Field("baseKey", "hex", "Alice's base key E_A (private, 32 bytes)"),
            Field("ratchetKey", "hex", "Alice's first ratchet key T_0 (private, 32 bytes)"),
            Field("steps", "steps", "the conversation, in order"),
        ),
        algorithms={"OLM": "olm-send"},
    ),
    VectorType(
        name="OlmReceive",
        schema="olm_receive_schema.json",
        description=(
            "Bob's side of an Olm conversation (docs/olm.md): his account is built from fixed "
            "keys and he receives Alice's messages, given byte for byte, in the order of the "
            "steps. It needs no randomness from the implementation under test. Steps: inbound "
            "(a new session from a pre-key message, which must decrypt to plaintext), decrypt "
            "(on the current session). In an invalid case the last step must be refused and "
            "every earlier one must succeed."
        ),
        group_fields=(),
        case_fields=(
            Field("bobEd25519Seed", "hex", "Bob's Ed25519 identity key seed"),
            Field("bobCurve25519", "hex", "Bob's Curve25519 identity key (private)"),
            Field("bobKeyKind", "str", "one-time or fallback: how Bob's key is added"),
            Field("bobOneTimeKey", "hex", "the private key Bob's account holds"),
            Field("aliceIdentityKey", "hex", "Alice's Curve25519 identity key (public)"),
            Field("steps", "steps", "Bob's receive steps, in order"),
        ),
        algorithms={"OLM": "olm"},
    ),
)
