"""Vector types of the primitives family: X25519, Ed25519, HKDF, HMAC, the AEADs, AES-CBC and the
Double Ratchet's CBC+HMAC ENCRYPT."""

from __future__ import annotations

from ._base import Field, VectorType

__all__ = ["VECTOR_TYPES"]

_AEAD_SIZES = (
    Field("ivSize", "int", "nonce size in bits"),
    Field("keySize", "int", "key size in bits"),
    Field("tagSize", "int", "tag size in bits"),
)


VECTOR_TYPES: tuple[VectorType, ...] = (
    VectorType(
        name="XdhComp",
        schema="xdh_comp_schema.json",
        description="X25519 function on a private scalar and a peer u-coordinate (RFC 7748 §5).",
        group_fields=(Field("curve", "str", "curve name: curve25519"),),
        case_fields=(
            Field("public", "hex", "peer u-coordinate, 32 bytes little-endian, as sent"),
            Field("private", "hex", "private scalar, 32 bytes, before clamping"),
            Field("shared", "hex", "expected output of X25519(private, public)"),
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
        group_fields=(Field("curve", "str", "curve name: curve25519"),),
        case_fields=(
            Field("private", "hex", "starting k"),
            Field("public", "hex", "starting u"),
            Field("iterations", "int", "number of iterations"),
            Field("shared", "hex", "k after the last iteration"),
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
            Field("publicKey", "hex", "encoded public key A, 32 bytes (possibly malformed)"),
            Field("privateKey", "hex", "32-byte private key seed, or empty when unknown"),
        ),
        case_fields=(
            Field("msg", "hex", "message"),
            Field("sig", "hex", "signature R || S as presented to the verifier"),
        ),
        algorithms={"ED25519": "ed25519"},
    ),
    VectorType(
        name="HkdfTest",
        schema="hkdf_schema.json",
        description="HKDF extract-and-expand (RFC 5869 §2).",
        group_fields=(Field("keySize", "int", "input keying material size in bits"),),
        case_fields=(
            Field("ikm", "hex", "input keying material"),
            Field("salt", "hex", "salt; empty means HashLen zero bytes (RFC 5869 §2.2)"),
            Field("info", "hex", "context and application specific information"),
            Field("size", "int", "output length L in bytes"),
            Field("okm", "hex", "expected output keying material (empty for invalid sizes)"),
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
            Field("keySize", "int", "key size in bits"),
            Field("tagSize", "int", "expected tag size in bits"),
        ),
        case_fields=(
            Field("key", "hex", "MAC key"),
            Field("msg", "hex", "message"),
            Field("tag", "hex", "tag as presented to the verifier"),
        ),
        algorithms={"HMACSHA256": "hmac-sha256"},
    ),
    VectorType(
        name="AeadTest",
        schema="aead_schema.json",
        description="Authenticated encryption with associated data (RFC 5116 interface).",
        group_fields=_AEAD_SIZES,
        case_fields=(
            Field("key", "hex", "key"),
            Field("iv", "hex", "nonce"),
            Field("aad", "hex", "associated data"),
            Field("msg", "hex", "plaintext"),
            Field("ct", "hex", "ciphertext without the tag"),
            Field("tag", "hex", "authentication tag"),
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
            Field("ivSize", "int", "IV size in bits"),
            Field("keySize", "int", "key size in bits"),
            Field("padding", "str", "PKCS7 or NONE"),
        ),
        case_fields=(
            Field("key", "hex", "key"),
            Field("iv", "hex", "initialisation vector"),
            Field("msg", "hex", "plaintext (empty for invalid cases)"),
            Field("ct", "hex", "ciphertext"),
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
            Field("info", "hex", "HKDF info string, e.g. 'WhisperMessageKeys' or 'OLM_KEYS'"),
            Field("tagSize", "int", "tag size in bits"),
        ),
        case_fields=(
            Field("key", "hex", "32-byte message key"),
            Field("aad", "hex", "associated data the tag covers before the ciphertext"),
            Field("msg", "hex", "plaintext (empty for invalid cases)"),
            Field("ct", "hex", "AES-256-CBC ciphertext with PKCS#7 padding"),
            Field("tag", "hex", "truncated HMAC-SHA-256 tag"),
        ),
        algorithms={"AES-256-CBC-HMAC-SHA256": "aes-256-cbc-hmac-sha256"},
    ),
)
