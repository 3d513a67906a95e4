"""The vector types the suite understands: one table, the single source of truth.

Each entry names a group ``type`` (Wycheproof's word), its JSON Schema file in
``vectors/schemas/``, the group parameters and case fields with their encodings, and the
``algorithm`` values it may carry together with the capability each one exercises. The loader
decodes fields from this table, ``vectors/generators/schemas.py`` renders the JSON Schemas from
it, and the checks look their capability up here. See docs/formats.md.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

__all__ = [
    "BUG_TYPES",
    "CASE_COMMON",
    "FIELD_KINDS",
    "FILE_FIELDS",
    "RESULTS",
    "SPEC_LEVELS",
    "STEP_FIELDS",
    "STEP_RESULTS",
    "VECTOR_TYPES",
    "Field",
    "VectorType",
    "case_id",
    "vector_type",
]

FieldKind = Literal["hex", "int", "str", "steps"]
FIELD_KINDS: tuple[FieldKind, ...] = ("hex", "int", "str", "steps")

#: The keys a scenario step may carry, with their encodings. ``op`` and ``party`` are required;
#: which others an op uses is documented with each scenario type (docs/formats.md).
STEP_FIELDS: dict[str, Literal["hex", "int", "str"]] = {
    "op": "str",
    "party": "str",
    "plaintext": "hex",
    "message": "hex",
    "type": "int",
    "ratchetKey": "hex",
    "index": "int",
    "exported": "hex",
    "key": "hex",
    "random": "hex",
    "comment": "str",
    "result": "str",
}

#: The values a step's ``result`` may take: ``invalid``, a step before the last that must be
#: refused (the scenario goes on from the state returned with the refusal).
STEP_RESULTS = ("invalid",)

RESULTS = ("valid", "invalid", "acceptable")

#: Requirement levels of RFC 2119 that a spec reference may carry.
SPEC_LEVELS = ("MUST", "MUST NOT", "SHOULD", "SHOULD NOT", "MAY")

#: Wycheproof's bugType glossary (doc/formats.md there), plus the messaging-specific kinds
#: this suite adds. docs/formats.md explains each.
BUG_TYPES = (
    "BASIC",
    "AUTH_BYPASS",
    "CONFIDENTIALITY",
    "LEGACY",
    "FUNCTIONALITY",
    "WEAK_PARAMS",
    "CAN_OF_WORMS",
    "MALLEABILITY",
    "SIGNATURE_MALLEABILITY",
    "BER_ENCODING",
    "EDGE_CASE",
    "MISSING_STEP",
    "KNOWN_BUG",
    "WRONG_PRIMITIVE",
    "MODIFIED_PARAMETER",
    "DEFINED",
    "REPLAY",
    "KEY_REUSE",
    "OUT_OF_ORDER",
    "DENIAL_OF_SERVICE",
)

#: The top-level keys of a vector file, in the order generators write them.
FILE_FIELDS = ("algorithm", "schema", "numberOfTests", "header", "notes", "source", "testGroups")

#: Keys every test case carries besides its type's own fields.
CASE_COMMON = ("tcId", "id", "comment", "flags", "result", "source")


@dataclass(frozen=True)
class Field:
    """One group parameter or case field."""

    name: str
    kind: FieldKind
    description: str


@dataclass(frozen=True)
class VectorType:
    """A group type: its schema file, fields, and the capability each algorithm exercises."""

    name: str
    schema: str
    description: str
    group_fields: tuple[Field, ...]
    case_fields: tuple[Field, ...]
    algorithms: Mapping[str, str] = field(default_factory=dict)

    def field_kinds(self) -> dict[str, FieldKind]:
        return {f.name: f.kind for f in self.case_fields}

    def param_kinds(self) -> dict[str, FieldKind]:
        return {f.name: f.kind for f in self.group_fields}


def _f(name: str, kind: FieldKind, description: str) -> Field:
    return Field(name, kind, description)


_AEAD_SIZES = (
    _f("ivSize", "int", "nonce size in bits"),
    _f("keySize", "int", "key size in bits"),
    _f("tagSize", "int", "tag size in bits"),
)

_HPKE_SUITE = (
    _f("kemId", "int", "RFC 9180 §7.1 KEM identifier: 32 (0x0020) is DHKEM(X25519, HKDF-SHA256)"),
    _f("kdfId", "int", "RFC 9180 §7.2 KDF identifier: 1 (0x0001) is HKDF-SHA256"),
    _f(
        "aeadId",
        "int",
        "RFC 9180 §7.3 AEAD identifier: 1 (0x0001) AES-128-GCM, 3 (0x0003) ChaCha20Poly1305",
    ),
    _f("mode", "int", "RFC 9180 §5 mode: 0 Base, 1 PSK, 2 Auth, 3 AuthPSK"),
)

_OLM_PARTIES = (
    _f("aliceEd25519Seed", "hex", "Alice's Ed25519 identity key seed"),
    _f("aliceCurve25519", "hex", "Alice's Curve25519 identity key (private)"),
    _f("aliceIdentityKeys", "hex", "Alice's public identity keys: Curve25519 (32) || Ed25519 (32)"),
    _f("bobEd25519Seed", "hex", "Bob's Ed25519 identity key seed"),
    _f("bobCurve25519", "hex", "Bob's Curve25519 identity key (private)"),
    _f("bobIdentityKeys", "hex", "Bob's public identity keys: Curve25519 (32) || Ed25519 (32)"),
    _f("bobKeyKind", "str", "one-time or fallback: how Bob's key is added to his account"),
    _f("bobOneTimeKey", "hex", "the private key Bob publishes (one-time or fallback)"),
    _f("bobOneTimeKeyPublic", "hex", "its public key"),
)


def _signal_device(party: str) -> tuple[Field, ...]:
    who = party.capitalize()
    return (
        _f(f"{party}IdentityPrivate", "hex", f"{who}'s identity key (private)"),
        _f(f"{party}RegistrationId", "int", f"{who}'s registration id"),
        _f(f"{party}SignedPreKeyId", "int", f"{who}'s signed pre-key id"),
        _f(f"{party}SignedPreKeyPrivate", "hex", f"{who}'s signed pre-key (private)"),
        _f(f"{party}SignatureRandom", "hex", "the 64-byte XEdDSA nonce input Z of its signature"),
        _f(f"{party}PreKeyId", "int", f"{who}'s one-time pre-key id (0: none)"),
        _f(f"{party}PreKeyPrivate", "hex", f"{who}'s one-time pre-key (private), or empty"),
    )


VECTOR_TYPES: dict[str, VectorType] = {
    t.name: t
    for t in (
        VectorType(
            name="XdhComp",
            schema="xdh_comp_schema.json",
            description="X25519 function on a private scalar and a peer u-coordinate (RFC 7748 §5).",
            group_fields=(_f("curve", "str", "curve name: curve25519"),),
            case_fields=(
                _f("public", "hex", "peer u-coordinate, 32 bytes little-endian, as sent"),
                _f("private", "hex", "private scalar, 32 bytes, before clamping"),
                _f("shared", "hex", "expected output of X25519(private, public)"),
            ),
            algorithms={"X25519": "x25519"},
        ),
        VectorType(
            name="XdhIterated",
            schema="xdh_iterated_schema.json",
            description=(
                "Iterated X25519 (RFC 7748 §5.2): starting from k = private, u = public, "
                "repeat (k, u) <- (X25519(k, u), k); shared is the final k."
            ),
            group_fields=(_f("curve", "str", "curve name: curve25519"),),
            case_fields=(
                _f("private", "hex", "starting k"),
                _f("public", "hex", "starting u"),
                _f("iterations", "int", "number of iterations"),
                _f("shared", "hex", "k after the last iteration"),
            ),
            algorithms={"X25519": "x25519"},
        ),
        VectorType(
            name="EddsaVerify",
            schema="eddsa_verify_schema.json",
            description=(
                "Ed25519 signature verification (RFC 8032 §5.1.7); when the group carries the "
                "private key, valid cases are also signed and compared byte for byte (§5.1.6)."
            ),
            group_fields=(
                _f("publicKey", "hex", "encoded public key A, 32 bytes (possibly malformed)"),
                _f("privateKey", "hex", "32-byte private key seed, or empty when unknown"),
            ),
            case_fields=(
                _f("msg", "hex", "message"),
                _f("sig", "hex", "signature R || S as presented to the verifier"),
            ),
            algorithms={"ED25519": "ed25519"},
        ),
        VectorType(
            name="HkdfTest",
            schema="hkdf_schema.json",
            description="HKDF extract-and-expand (RFC 5869 §2).",
            group_fields=(_f("keySize", "int", "input keying material size in bits"),),
            case_fields=(
                _f("ikm", "hex", "input keying material"),
                _f("salt", "hex", "salt; empty means HashLen zero bytes (RFC 5869 §2.2)"),
                _f("info", "hex", "context and application specific information"),
                _f("size", "int", "output length L in bytes"),
                _f("okm", "hex", "expected output keying material (empty for invalid sizes)"),
            ),
            algorithms={"HKDF-SHA-256": "hkdf-sha256"},
        ),
        VectorType(
            name="MacTest",
            schema="mac_schema.json",
            description=(
                "HMAC (RFC 2104). The tag is the first tagSize bits of the MAC; when tagSize is "
                "the full MAC size the verifier is also asked to check the tag as given."
            ),
            group_fields=(
                _f("keySize", "int", "key size in bits"),
                _f("tagSize", "int", "expected tag size in bits"),
            ),
            case_fields=(
                _f("key", "hex", "MAC key"),
                _f("msg", "hex", "message"),
                _f("tag", "hex", "tag as presented to the verifier"),
            ),
            algorithms={"HMACSHA256": "hmac-sha256"},
        ),
        VectorType(
            name="AeadTest",
            schema="aead_schema.json",
            description="Authenticated encryption with associated data (RFC 5116 interface).",
            group_fields=_AEAD_SIZES,
            case_fields=(
                _f("key", "hex", "key"),
                _f("iv", "hex", "nonce"),
                _f("aad", "hex", "associated data"),
                _f("msg", "hex", "plaintext"),
                _f("ct", "hex", "ciphertext without the tag"),
                _f("tag", "hex", "authentication tag"),
            ),
            algorithms={
                "CHACHA20-POLY1305": "aead:chacha20-poly1305",
                "XCHACHA20-POLY1305": "aead:xchacha20-poly1305",
                "AES-256-GCM": "aead:aes-256-gcm",
            },
        ),
        VectorType(
            name="IndCpaTest",
            schema="ind_cpa_schema.json",
            description=(
                "AES-256 in CBC mode (NIST SP 800-38A §6.2), with PKCS#7 padding (RFC 5652 "
                "§6.3) when the group says so."
            ),
            group_fields=(
                _f("ivSize", "int", "IV size in bits"),
                _f("keySize", "int", "key size in bits"),
                _f("padding", "str", "PKCS7 or NONE"),
            ),
            case_fields=(
                _f("key", "hex", "key"),
                _f("iv", "hex", "initialisation vector"),
                _f("msg", "hex", "plaintext (empty for invalid cases)"),
                _f("ct", "hex", "ciphertext"),
            ),
            algorithms={"AES-256-CBC": "aes-256-cbc"},
        ),
        VectorType(
            name="CbcHmacTest",
            schema="cbc_hmac_schema.json",
            description=(
                "The Double Ratchet's recommended ENCRYPT (Signal Double Ratchet spec §5.2), as "
                "used by Signal and Olm: HKDF-SHA-256(salt zero, message key, info) gives an "
                "AES-256 key, an HMAC-SHA-256 key and a CBC IV; the tag is the HMAC of aad || ct "
                "truncated to tagSize bits; decryption checks the tag before the padding."
            ),
            group_fields=(
                _f("info", "hex", "HKDF info string, e.g. 'WhisperMessageKeys' or 'OLM_KEYS'"),
                _f("tagSize", "int", "tag size in bits"),
            ),
            case_fields=(
                _f("key", "hex", "32-byte message key"),
                _f("aad", "hex", "associated data the tag covers before the ciphertext"),
                _f("msg", "hex", "plaintext (empty for invalid cases)"),
                _f("ct", "hex", "AES-256-CBC ciphertext with PKCS#7 padding"),
                _f("tag", "hex", "truncated HMAC-SHA-256 tag"),
            ),
            algorithms={"AES-256-CBC-HMAC-SHA256": "aes-256-cbc-hmac-sha256"},
        ),
        VectorType(
            name="HpkeTest",
            schema="hpke_schema.json",
            description=(
                "RFC 9180 single-shot HPKE (§6.1) with the ephemeral key pair derived from ikmE "
                "(§7.1.3), as in RFC 9180 Appendix A. A valid case derives the recipient and "
                "sender key pairs from their ikm (when given), seals and compares enc || ct byte "
                "for byte, and opens. An invalid case with a recipient private key must be "
                "refused by Open; one without (a low-order pkR) must be refused by Seal."
            ),
            group_fields=_HPKE_SUITE,
            case_fields=(
                _f("ikmR", "hex", "DeriveKeyPair input of the recipient key pair, or empty"),
                _f("skR", "hex", "serialized recipient private key, or empty (seal-only case)"),
                _f("pkR", "hex", "serialized recipient public key"),
                _f("ikmS", "hex", "DeriveKeyPair input of the sender key pair (Auth modes)"),
                _f("skS", "hex", "serialized sender private key (Auth modes), else empty"),
                _f("pkS", "hex", "serialized sender public key (Auth modes), else empty"),
                _f("ikmE", "hex", "DeriveKeyPair input of the ephemeral key pair"),
                _f("psk", "hex", "pre-shared key (PSK modes), else empty"),
                _f("pskId", "hex", "pre-shared key identifier (PSK modes), else empty"),
                _f("info", "hex", "application info given to the key schedule"),
                _f("aad", "hex", "associated data of the AEAD"),
                _f("msg", "hex", "plaintext"),
                _f("enc", "hex", "encapsulated key (the serialized ephemeral public key)"),
                _f("ct", "hex", "AEAD ciphertext including the tag (empty for a seal refusal)"),
            ),
            algorithms={"HPKE": "hpke"},
        ),
        VectorType(
            name="HpkeExport",
            schema="hpke_export_schema.json",
            description=(
                "RFC 9180 secret export on the recipient side, ReceiveExport (§6.2, §5.3): the "
                "context is set up from enc and skR and Export(exporterContext, length) must "
                "equal exported; an invalid case must be refused."
            ),
            group_fields=_HPKE_SUITE,
            case_fields=(
                _f("skR", "hex", "serialized recipient private key"),
                _f("pkS", "hex", "serialized sender public key (Auth modes), else empty"),
                _f("psk", "hex", "pre-shared key (PSK modes), else empty"),
                _f("pskId", "hex", "pre-shared key identifier (PSK modes), else empty"),
                _f("info", "hex", "application info given to the key schedule"),
                _f("enc", "hex", "encapsulated key"),
                _f("exporterContext", "hex", "exporter_context"),
                _f("length", "int", "L, the number of bytes to export"),
                _f("exported", "hex", "expected exported value (empty for invalid cases)"),
            ),
            algorithms={"HPKE": "hpke"},
        ),
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
                _f("baseKey", "hex", "Alice's base key E_A (private, 32 bytes)"),
                _f("ratchetKey", "hex", "Alice's first ratchet key T_0 (private, 32 bytes)"),
                _f("steps", "steps", "the conversation, in order"),
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
                _f("bobEd25519Seed", "hex", "Bob's Ed25519 identity key seed"),
                _f("bobCurve25519", "hex", "Bob's Curve25519 identity key (private)"),
                _f("bobKeyKind", "str", "one-time or fallback: how Bob's key is added"),
                _f("bobOneTimeKey", "hex", "the private key Bob's account holds"),
                _f("aliceIdentityKey", "hex", "Alice's Curve25519 identity key (public)"),
                _f("steps", "steps", "Bob's receive steps, in order"),
            ),
            algorithms={"OLM": "olm"},
        ),
        VectorType(
            name="MegolmSession",
            schema="megolm_session_schema.json",
            description=(
                "A Megolm outbound session from a fixed initial ratchet and signing key "
                "(docs/megolm.md): the session key must be sessionKey byte for byte, each encrypt "
                "step must produce message at index, and an inbound session made from the "
                "session key must decrypt every decrypt step to plaintext at index."
            ),
            group_fields=(),
            case_fields=(
                _f("ratchet", "hex", "the initial ratchet R_0 (R_0,0 || R_0,1 || R_0,2 || R_0,3)"),
                _f("signingSeed", "hex", "the session's Ed25519 signing key seed"),
                _f("sessionKey", "hex", "expected session-sharing key (229 bytes)"),
                _f("steps", "steps", "encrypt and decrypt steps, in order"),
            ),
            algorithms={"MEGOLM": "megolm"},
        ),
        VectorType(
            name="MegolmReceive",
            schema="megolm_receive_schema.json",
            description=(
                "The receiving side of Megolm (docs/megolm.md). Steps: inbound (key: a 229-byte "
                "session key) or import (key: a 165-byte export) creates the session, decrypt "
                "(message must give plaintext and index), export (at index, must equal "
                "exported). In an invalid case the last step must be refused and every earlier "
                "one must succeed."
            ),
            group_fields=(),
            case_fields=(_f("steps", "steps", "receive steps, in order"),),
            algorithms={"MEGOLM": "megolm"},
        ),
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
                _f("bobIdentityKey", "hex", "Bob's identity key as published (33 bytes)"),
                _f("bobSignedPreKey", "hex", "Bob's signed pre-key as published (33 bytes)"),
                _f("bobSignedPreKeySignature", "hex", "its XEdDSA signature (64 bytes)"),
                _f("bobPreKey", "hex", "Bob's one-time pre-key as published, or empty"),
                _f("baseKey", "hex", "Alice's ephemeral key EK_A (private)"),
                _f("steps", "steps", "the conversation, in order"),
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
            case_fields=(*_signal_device("bob"), _f("steps", "steps", "Bob's steps, in order")),
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
                _f("keyId", "int", "the sender key id"),
                _f("iteration", "int", "the chain's first iteration"),
                _f("chainKey", "hex", "the chain key at that iteration"),
                _f("signingPrivate", "hex", "the sender's signing key (Curve25519 private)"),
                _f("distribution", "hex", "the expected SenderKeyDistributionMessage"),
                _f("steps", "steps", "encrypt, join and decrypt steps, in order"),
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
            group_fields=(_f("iterations", "int", "hash iterations"),),
            case_fields=(
                _f("localId", "hex", "the local stable identifier (e.g. an E.164 number)"),
                _f("localKey", "hex", "the local identity key (33 bytes)"),
                _f("remoteId", "hex", "the remote stable identifier"),
                _f("remoteKey", "hex", "the remote identity key (33 bytes)"),
                _f("display", "str", "the expected 60-digit safety number"),
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
                _f("aliceIdentityPrivate", "hex", "IK_A (private)"),
                _f("aliceIdentityKey", "hex", "IK_A (public, 32 bytes)"),
                _f("ephemeralPrivate", "hex", "EK_A (private)"),
                _f("ephemeralKey", "hex", "EK_A (public)"),
                _f("bobIdentityPrivate", "hex", "IK_B (private)"),
                _f("bobIdentityKey", "hex", "IK_B (public)"),
                _f("signedPreKeyPrivate", "hex", "SPK_B (private)"),
                _f("signedPreKey", "hex", "SPK_B (public)"),
                _f("preKeyPrivate", "hex", "OPK_B (private), or empty"),
                _f("preKey", "hex", "OPK_B (public), or empty"),
                _f("sk", "hex", "the expected 32-byte SK"),
            ),
            algorithms={"X3DH": "x3dh"},
        ),
    )
}


def vector_type(name: str) -> VectorType | None:
    return VECTOR_TYPES.get(name)


def case_id(group_type: str, params: Mapping[str, Any], fields: Mapping[str, Any]) -> str:
    """The stable, content-derived id of a case.

    It covers the group type, the group parameters and the case's own fields (inputs and expected
    outputs) in their JSON encoding, and nothing that a regeneration may renumber or reword:
    ``tcId``, ``comment``, ``flags``, ``result`` and ``source`` are left out. Expectations written
    against an id therefore survive renumbering (Wycheproof renumbers tcIds between releases).
    """
    payload = json.dumps(
        {"type": group_type, "params": dict(params), "fields": dict(fields)},
        sort_keys=True,
        separators=(",", ":"),
    )
    return hashlib.sha256(payload.encode()).hexdigest()[:16]
