"""Vector types of the current Signal family (``signal-pq``): PQXDH bundles as Alice checks
them, and Bob's side of a version-4 first flight."""

from __future__ import annotations

from ._base import Field, VectorType

__all__ = ["VECTOR_TYPES"]


def _device(party: str) -> tuple[Field, ...]:
    who = party.capitalize()
    return (
        Field(f"{party}IdentityPrivate", "hex", f"{who}'s identity key (private)"),
        Field(f"{party}RegistrationId", "int", f"{who}'s registration id"),
        Field(f"{party}SignedPreKeyId", "int", f"{who}'s signed pre-key id"),
        Field(f"{party}SignedPreKeyPrivate", "hex", f"{who}'s signed pre-key (private)"),
        Field(f"{party}PreKeyId", "int", f"{who}'s one-time pre-key id (0: none)"),
        Field(f"{party}PreKeyPrivate", "hex", f"{who}'s one-time pre-key (private), or empty"),
        Field(f"{party}KyberPreKeyId", "int", f"{who}'s Kyber pre-key id"),
        Field(
            f"{party}KyberPreKeySecret",
            "hex",
            f"{who}'s Kyber pre-key: the 3,168-byte round-3 Kyber1024 secret key",
        ),
        Field(f"{party}KyberLastResort", "int", "1: the Kyber pre-key is last-resort (kept)"),
        Field(
            f"{party}SignatureRandom",
            "hex",
            "the XEdDSA nonce inputs Z of the two pre-key signatures (64 + 64 bytes)",
        ),
    )


VECTOR_TYPES: tuple[VectorType, ...] = (
    VectorType(
        name="SignalPqReceive",
        schema="signal_pq_receive_schema.json",
        description=(
            "Bob's side of a current Signal first flight (PQXDH with a Kyber1024 pre-key, the "
            "triple ratchet, version 4): his device is built from fixed keys and he decrypts "
            "Alice's messages, given byte for byte, in the order of the steps (decrypt steps: "
            "type, message, ratchetKey and random (the injected ratchet key and SPQR "
            "randomness, used only by implementations that can), plaintext). The messages "
            "were made by one implementation and decrypted by another. In an invalid case the "
            "last step must be refused."
        ),
        group_fields=(),
        case_fields=(*_device("bob"), Field("steps", "steps", "Bob's steps, in order")),
        algorithms={"SIGNAL-PQ": "signal-pq"},
    ),
    VectorType(
        name="SignalPqBundle",
        schema="signal_pq_bundle_schema.json",
        description=(
            "Alice checks Bob's published PQXDH bundle (PQXDH §3.3): her device is built from "
            "fixed keys and she initiates a session from the bundle's fields as given. A valid "
            "case must be accepted; an invalid one (a bad signature on either pre-key, a key "
            "of the wrong type or length, a missing Kyber pre-key) must be refused."
        ),
        group_fields=(),
        case_fields=(
            *_device("alice"),
            Field("bobRegistrationId", "int", "Bob's registration id"),
            Field("bobIdentityKey", "hex", "Bob's identity key as published (33 bytes)"),
            Field("bobSignedPreKeyId", "int", "its id"),
            Field("bobSignedPreKey", "hex", "Bob's signed pre-key as published (33 bytes)"),
            Field("bobSignedPreKeySignature", "hex", "its XEdDSA signature (64 bytes)"),
            Field("bobPreKeyId", "int", "Bob's one-time pre-key id (0: none)"),
            Field("bobPreKey", "hex", "Bob's one-time pre-key as published, or empty"),
            Field("bobKyberPreKeyId", "int", "its id"),
            Field("bobKyberPreKey", "hex", "Bob's Kyber pre-key as published (0x08 || pk)"),
            Field("bobKyberPreKeySignature", "hex", "its XEdDSA signature (64 bytes)"),
            Field("baseKey", "hex", "Alice's ephemeral key EK_A (private)"),
            Field("ratchetKey", "hex", "Alice's first ratchet key (private)"),
            Field("kyberRandom", "hex", "the Kyber encapsulation input m (32 bytes)"),
            Field("pqRandom", "hex", "SPQR randomness (64 bytes)"),
        ),
        algorithms={"SIGNAL-PQ": "signal-pq"},
    ),
)
