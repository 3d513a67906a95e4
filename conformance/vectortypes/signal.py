"""Vector types of the classic Signal family: sessions, sender keys, safety numbers, X3DH."""

from __future__ import annotations

from ._base import Field, VectorType

__all__ = ["VECTOR_TYPES"]


def _signal_device(party: str) -> tuple[Field, ...]:
    who = party.capitalize()
    return (
        Field(f"{party}IdentityPrivate", "hex", f"{who}'s identity key (private)"),
        Field(f"{party}RegistrationId", "int", f"{who}'s registration id"),
        Field(f"{party}SignedPreKeyId", "int", f"{who}'s signed pre-key id"),
        Field(f"{party}SignedPreKeyPrivate", "hex", f"{who}'s signed pre-key (private)"),
        Field(
            f"{party}SignatureRandom", "hex", "the 64-byte XEdDSA nonce input Z of its signature"
        ),
        Field(f"{party}PreKeyId", "int", f"{who}'s one-time pre-key id (0: none)"),
        Field(f"{party}PreKeyPrivate", "hex", f"{who}'s one-time pre-key (private), or empty"),
    )


VECTOR_TYPES: tuple[VectorType, ...] = (
    VectorType(
        name="SignalSession",
        schema="signal_session_schema.json",
        description=(
            "A classic Signal conversation (X3DH + Double Ratchet, version-3 wire format) "
            "with every random value fixed: both devices are played by the implementation "
            "under test. Bob's bundle must carry exactly the expected keys and signature. "
            "Steps: initiate (Alice builds her session from Bob's bundle, its signed-pre-key "
            "signature replaced by key, with baseKey and ratchetKey), encrypt (party, "
            "plaintext; must produce type and message), decrypt (party, type, message, "
            "ratchetKey for a new DH ratchet step; must give plaintext). In an invalid case "
            "the last step must be refused and every earlier one must succeed."
        ),
        group_fields=(),
        case_fields=(
            *_signal_device("alice"),
            *_signal_device("bob"),
            Field("bobIdentityKey", "hex", "Bob's identity key as published (33 bytes)"),
            Field("bobSignedPreKey", "hex", "Bob's signed pre-key as published (33 bytes)"),
            Field("bobSignedPreKeySignature", "hex", "its XEdDSA signature (64 bytes)"),
            Field("bobPreKey", "hex", "Bob's one-time pre-key as published, or empty"),
            Field("baseKey", "hex", "Alice's ephemeral key EK_A (private)"),
            Field("steps", "steps", "the conversation, in order"),
        ),
        algorithms={"SIGNAL": "signal-send"},
    ),
    VectorType(
        name="SignalReceive",
        schema="signal_receive_schema.json",
        description=(
            "Bob's side of a classic Signal conversation: his device is built from fixed keys "
            "and he decrypts Alice's messages, given byte for byte, in the order of the steps "
            "(decrypt steps only). No randomness of the implementation under test shows in "
            "what is compared. In an invalid case the last step must be refused."
        ),
        group_fields=(),
        case_fields=(*_signal_device("bob"), Field("steps", "steps", "Bob's steps, in order")),
        algorithms={"SIGNAL": "signal"},
    ),
    VectorType(
        name="SenderKeyTest",
        schema="sender_key_schema.json",
        description=(
            "Signal sender keys in the classic version-3 format: the sender's state from "
            "keyId, iteration, chainKey and signingPrivate must give exactly distribution; "
            "steps: encrypt (plaintext with the signature nonce random; must produce "
            "message), join (a receiver from key, a distribution message), decrypt "
            "(message must give plaintext). In an invalid case the last step must be refused."
        ),
        group_fields=(),
        case_fields=(
            Field("keyId", "int", "the sender key id"),
            Field("iteration", "int", "the chain's first iteration"),
            Field("chainKey", "hex", "the chain key at that iteration"),
            Field("signingPrivate", "hex", "the sender's signing key (Curve25519 private)"),
            Field("distribution", "hex", "the expected SenderKeyDistributionMessage"),
            Field("steps", "steps", "encrypt, join and decrypt steps, in order"),
        ),
        algorithms={"SENDER-KEY": "signal-group"},
    ),
    VectorType(
        name="FingerprintTest",
        schema="fingerprint_schema.json",
        description=(
            "Signal safety numbers (libsignal fingerprint.rs): the 60-digit displayable "
            "number of two identities."
        ),
        group_fields=(Field("iterations", "int", "hash iterations"),),
        case_fields=(
            Field("localId", "hex", "the local stable identifier (e.g. an E.164 number)"),
            Field("localKey", "hex", "the local identity key (33 bytes)"),
            Field("remoteId", "hex", "the remote stable identifier"),
            Field("remoteKey", "hex", "the remote identity key (33 bytes)"),
            Field("display", "str", "the expected 60-digit safety number"),
        ),
        algorithms={"SIGNAL-FINGERPRINT": "signal-fingerprint"},
    ),
    VectorType(
        name="X3dhTest",
        schema="x3dh_schema.json",
        description=(
            "The X3DH shared secret with Signal's parameters (X3DH §2.1, §3.3): both sides "
            "must derive sk. A case without a one-time pre-key has no DH4."
        ),
        group_fields=(),
        case_fields=(
            Field("aliceIdentityPrivate", "hex", "IK_A (private)"),
            Field("aliceIdentityKey", "hex", "IK_A (public, 32 bytes)"),
            Field("ephemeralPrivate", "hex", "EK_A (private)"),
            Field("ephemeralKey", "hex", "EK_A (public)"),
            Field("bobIdentityPrivate", "hex", "IK_B (private)"),
            Field("bobIdentityKey", "hex", "IK_B (public)"),
            Field("signedPreKeyPrivate", "hex", "SPK_B (private)"),
            Field("signedPreKey", "hex", "SPK_B (public)"),
            Field("preKeyPrivate", "hex", "OPK_B (private), or empty"),
            Field("preKey", "hex", "OPK_B (public), or empty"),
            Field("sk", "hex", "the expected 32-byte SK"),
        ),
        algorithms={"X3DH": "x3dh"},
    ),
)
