"""Vector types of the HPKE family (RFC 9180)."""

from __future__ import annotations

from ._base import Field, VectorType

__all__ = ["VECTOR_TYPES"]

_HPKE_SUITE = (
    Field(
        "kemId", "int", "RFC 9180 §7.1 KEM identifier: 32 (0x0020) is DHKEM(X25519, HKDF-SHA256)"
    ),
    Field("kdfId", "int", "RFC 9180 §7.2 KDF identifier: 1 (0x0001) is HKDF-SHA256"),
    Field(
        "aeadId",
        "int",
        "RFC 9180 §7.3 AEAD identifier: 1 (0x0001) AES-128-GCM, 3 (0x0003) ChaCha20Poly1305",
    ),
    Field("mode", "int", "RFC 9180 §5 mode: 0 Base, 1 PSK, 2 Auth, 3 AuthPSK"),
)


VECTOR_TYPES: tuple[VectorType, ...] = (
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
            Field("ikmR", "hex", "DeriveKeyPair input of the recipient key pair, or empty"),
            Field("skR", "hex", "serialized recipient private key, or empty (seal-only case)"),
            Field("pkR", "hex", "serialized recipient public key"),
            Field("ikmS", "hex", "DeriveKeyPair input of the sender key pair (Auth modes)"),
            Field("skS", "hex", "serialized sender private key (Auth modes), else empty"),
            Field("pkS", "hex", "serialized sender public key (Auth modes), else empty"),
            Field("ikmE", "hex", "DeriveKeyPair input of the ephemeral key pair"),
            Field("psk", "hex", "pre-shared key (PSK modes), else empty"),
            Field("pskId", "hex", "pre-shared key identifier (PSK modes), else empty"),
            Field("info", "hex", "application info given to the key schedule"),
            Field("aad", "hex", "associated data of the AEAD"),
            Field("msg", "hex", "plaintext"),
            Field("enc", "hex", "encapsulated key (the serialized ephemeral public key)"),
            Field("ct", "hex", "AEAD ciphertext including the tag (empty for a seal refusal)"),
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
            Field("skR", "hex", "serialized recipient private key"),
            Field("pkS", "hex", "serialized sender public key (Auth modes), else empty"),
            Field("psk", "hex", "pre-shared key (PSK modes), else empty"),
            Field("pskId", "hex", "pre-shared key identifier (PSK modes), else empty"),
            Field("info", "hex", "application info given to the key schedule"),
            Field("enc", "hex", "encapsulated key"),
            Field("exporterContext", "hex", "exporter_context"),
            Field("length", "int", "L, the number of bytes to export"),
            Field("exported", "hex", "expected exported value (empty for invalid cases)"),
        ),
        algorithms={"HPKE": "hpke"},
    ),
)
