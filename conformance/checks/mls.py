"""Known-answer checks of the ``mls`` family: the functions the MLS working group's vectors
exercise (RFC 9420; mlswg/mls-implementations test-vectors.md), one check per vector type of
:mod:`conformance.vectortypes.mls`.

Where RFC 9420 lets an implementation draw randomness (ECDSA signatures, HPKE ephemerals), the
check runs the given answer one way (verify, decrypt) and what the implementation produces the
other way under the suite's reference (``adapters/reference``), which stands as the judge: a
signature or ciphertext the reference does not accept is the implementation's failure.
"""

from __future__ import annotations

from collections.abc import Mapping
from functools import cache
from typing import Any, cast

from ..capabilities.mls import (
    MlsCryptoBasics,
    MlsKeySchedule,
    MlsPskSecret,
    MlsSecretTree,
    MlsTranscriptHashes,
    MlsTreeMath,
)
from ..errors import ProtocolError
from ..model import Case, Group
from . import PASS, Attempt, CheckFn, Verdict, attempt, first_failure, judge, mismatch

__all__ = ["CHECKS", "decode_psks", "encode_psks"]


@cache
def _judge(capability: str) -> Any:
    """The suite's reference for ``capability``, in process: the judge of what an
    implementation produces with its own randomness. Tests may replace this function."""
    from ..registry import load_adapters

    (loaded,) = load_adapters(["reference"])
    if loaded.error is not None:
        raise RuntimeError(f"the reference adapter did not load: {loaded.error}")
    return loaded.get(capability)


def _suite(group: Group) -> int:
    return group.int("cipherSuite")


def _fields(case: Case, got: Attempt, expected: Mapping[str, str], what: str) -> Verdict:
    """Compare the named fields of a returned object with the case's fields."""
    verdict = judge(case, got, None, what)
    if verdict.outcome != "pass" or got.value is None:
        return verdict
    value = cast(Mapping[str, object], got.value)
    for key, field in expected.items():
        want = case.fields[field]
        if value.get(key) != want:
            return Verdict("fail", mismatch(f"{what} {key}", want, value.get(key)))
    return verdict


def tree_math(group: Group, case: Case, impl: object) -> Verdict:
    """RFC 9420 Appendix C: n_nodes, root, and the node's left, right, parent and sibling."""
    got = attempt(cast(MlsTreeMath, impl).mls_tree_math, case.int("nLeaves"), case.int("node"))
    names = ("n_nodes", "root", "left", "right", "parent", "sibling")
    fields = ("nNodes", "root", "left", "right", "parent", "sibling")
    return _fields(case, got, dict(zip(names, fields, strict=True)), "mls_tree_math")


def ref_hash(group: Group, case: Case, impl: object) -> Verdict:
    """RefHash (§5.2)."""
    c = cast(MlsCryptoBasics, impl)
    got = attempt(c.mls_ref_hash, _suite(group), case.bytes("label"), case.bytes("value"))
    return judge(case, got, case.bytes("out"), "mls_ref_hash")


def expand_with_label(group: Group, case: Case, impl: object) -> Verdict:
    """ExpandWithLabel (§8)."""
    c = cast(MlsCryptoBasics, impl)
    got = attempt(
        c.mls_expand_with_label,
        _suite(group),
        case.bytes("secret"),
        case.bytes("label"),
        case.bytes("context"),
        case.int("length"),
    )
    return judge(case, got, case.bytes("out"), "mls_expand_with_label")


def derive_secret(group: Group, case: Case, impl: object) -> Verdict:
    """DeriveSecret (§8)."""
    c = cast(MlsCryptoBasics, impl)
    got = attempt(c.mls_derive_secret, _suite(group), case.bytes("secret"), case.bytes("label"))
    return judge(case, got, case.bytes("out"), "mls_derive_secret")


def derive_tree_secret(group: Group, case: Case, impl: object) -> Verdict:
    """DeriveTreeSecret (§9)."""
    c = cast(MlsCryptoBasics, impl)
    got = attempt(
        c.mls_derive_tree_secret,
        _suite(group),
        case.bytes("secret"),
        case.bytes("label"),
        case.int("generation"),
        case.int("length"),
    )
    return judge(case, got, case.bytes("out"), "mls_derive_tree_secret")


def sign_with_label(group: Group, case: Case, impl: object) -> Verdict:
    """VerifyWithLabel of the given signature (§5.1.2); for a valid case, SignWithLabel too,
    its signature verified by the reference."""
    c = cast(MlsCryptoBasics, impl)
    suite, label, content = _suite(group), case.bytes("label"), case.bytes("content")
    verified = judge(
        case,
        attempt(
            c.mls_verify_with_label,
            suite,
            case.bytes("pub"),
            label,
            content,
            case.bytes("signature"),
        ),
        None,
        "mls_verify_with_label",
    )
    if not case.valid or verified.outcome != "pass":
        return verified
    made = attempt(c.mls_sign_with_label, suite, case.bytes("priv"), label, content)
    signed = judge(case, made, None, "mls_sign_with_label")
    if signed.outcome != "pass":
        return signed
    reference = cast(MlsCryptoBasics, _judge("mls-crypto-basics"))
    try:
        reference.mls_verify_with_label(
            suite, case.bytes("pub"), label, content, cast(bytes, made.value)
        )
    except ProtocolError as exc:
        return Verdict(
            "fail",
            f"mls_sign_with_label: the reference refuses its signature ({exc.kind}: {exc})",
        )
    return PASS


def encrypt_with_label(group: Group, case: Case, impl: object) -> Verdict:
    """DecryptWithLabel of the given ciphertext (§5.1.3); for a valid case, EncryptWithLabel
    too, its ciphertext decrypted by the reference."""
    c = cast(MlsCryptoBasics, impl)
    suite, label, context = _suite(group), case.bytes("label"), case.bytes("context")
    plaintext = case.bytes("plaintext")
    opened = judge(
        case,
        attempt(
            c.mls_decrypt_with_label,
            suite,
            case.bytes("priv"),
            label,
            context,
            case.bytes("kemOutput"),
            case.bytes("ciphertext"),
        ),
        plaintext,
        "mls_decrypt_with_label",
    )
    if not case.valid or opened.outcome != "pass":
        return opened
    made = attempt(c.mls_encrypt_with_label, suite, case.bytes("pub"), label, context, plaintext)
    sealed = judge(case, made, None, "mls_encrypt_with_label")
    if sealed.outcome != "pass":
        return sealed
    out = cast(Mapping[str, bytes], made.value)
    reference = cast(MlsCryptoBasics, _judge("mls-crypto-basics"))
    try:
        back = reference.mls_decrypt_with_label(
            suite, case.bytes("priv"), label, context, out["kem_output"], out["ciphertext"]
        )
    except ProtocolError as exc:
        return Verdict(
            "fail",
            f"mls_encrypt_with_label: the reference cannot decrypt it ({exc.kind}: {exc})",
        )
    if back != plaintext:
        return Verdict("fail", mismatch("mls_encrypt_with_label, decrypted", plaintext, back))
    return PASS


def sender_data(group: Group, case: Case, impl: object) -> Verdict:
    """sender_data_key and sender_data_nonce (§6.3.2)."""
    c = cast(MlsSecretTree, impl)
    got = attempt(
        c.mls_sender_data_keys,
        _suite(group),
        case.bytes("senderDataSecret"),
        case.bytes("ciphertext"),
    )
    return _fields(case, got, {"key": "key", "nonce": "nonce"}, "mls_sender_data_keys")


def leaf_keys(group: Group, case: Case, impl: object) -> Verdict:
    """A leaf's handshake and application key and nonce at a generation (§9.1)."""
    c = cast(MlsSecretTree, impl)
    got = attempt(
        c.mls_leaf_keys,
        _suite(group),
        case.bytes("encryptionSecret"),
        case.int("nLeaves"),
        case.int("leaf"),
        case.int("generation"),
    )
    expected = {
        "handshake_key": "handshakeKey",
        "handshake_nonce": "handshakeNonce",
        "application_key": "applicationKey",
        "application_nonce": "applicationNonce",
    }
    return _fields(case, got, expected, "mls_leaf_keys")


_EPOCH = {
    "joiner_secret": "joinerSecret",
    "welcome_secret": "welcomeSecret",
    "init_secret": "nextInitSecret",
    "sender_data_secret": "senderDataSecret",
    "encryption_secret": "encryptionSecret",
    "exporter_secret": "exporterSecret",
    "epoch_authenticator": "epochAuthenticator",
    "external_secret": "externalSecret",
    "confirmation_key": "confirmationKey",
    "membership_key": "membershipKey",
    "resumption_psk": "resumptionPsk",
    "external_pub": "externalPub",
}


def key_schedule(group: Group, case: Case, impl: object) -> Verdict:
    """One epoch (§8): its GroupContext, every secret and external_pub, and an exporter."""
    c = cast(MlsKeySchedule, impl)
    suite = _suite(group)
    context = attempt(
        c.mls_group_context,
        suite,
        case.bytes("groupId"),
        case.int("epoch"),
        case.bytes("treeHash"),
        case.bytes("confirmedTranscriptHash"),
        b"\x00",  # no extensions: an empty vector (RFC 9420 §2.1.2)
    )
    epoch = attempt(
        c.mls_key_schedule,
        suite,
        case.bytes("initSecret"),
        case.bytes("commitSecret"),
        case.bytes("pskSecret"),
        case.bytes("groupContext"),
    )
    exported = attempt(
        c.mls_export,
        suite,
        case.bytes("exporterSecret"),
        case.bytes("exporterLabel"),
        case.bytes("exporterContext"),
        case.int("exporterLength"),
    )
    return first_failure(
        judge(case, context, case.bytes("groupContext"), "mls_group_context"),
        _fields(case, epoch, _EPOCH, "mls_key_schedule"),
        judge(case, exported, case.bytes("exported"), "mls_export"),
    )


def encode_psks(psks: list[tuple[bytes, bytes, bytes]]) -> bytes:
    """The ``psks`` field: each (psk_id, psk, psk_nonce) value as an MLS variable-length opaque
    (RFC 9420 §2.1.2), concatenated."""
    out = b""
    for triple in psks:
        for value in triple:
            out += _mls_varint(len(value)) + value
    return out


def _mls_varint(n: int) -> bytes:
    """RFC 9420 §2.1.2: 1, 2 or 4 bytes, the top two bits giving the length."""
    if n < 1 << 6:
        return bytes([n])
    if n < 1 << 14:
        return (n | 0x4000).to_bytes(2, "big")
    if n < 1 << 30:
        return (n | 0x80000000).to_bytes(4, "big")
    raise ValueError("too long for an MLS varint")


def decode_psks(data: bytes) -> list[tuple[bytes, bytes, bytes]]:
    """The inverse of :func:`encode_psks`; raises ValueError on anything else."""
    values: list[bytes] = []
    pos = 0
    while pos < len(data):
        prefix = data[pos] >> 6
        if prefix == 3:
            raise ValueError("an MLS varint with prefix 0b11")
        size = 1 << prefix
        if pos + size > len(data):
            raise ValueError("a length cut short")
        n = int.from_bytes(data[pos : pos + size], "big") & ((1 << (8 * size - 2)) - 1)
        pos += size
        if pos + n > len(data):
            raise ValueError("a value cut short")
        values.append(data[pos : pos + n])
        pos += n
    if len(values) % 3:
        raise ValueError("not a list of (psk_id, psk, psk_nonce) triples")
    return [(values[i], values[i + 1], values[i + 2]) for i in range(0, len(values), 3)]


def psk_secret(group: Group, case: Case, impl: object) -> Verdict:
    """psk_secret over the case's external PSKs (§8.4), folded one step at a time from KDF.Nh
    zero bytes (the length of the expected secret)."""
    c = cast(MlsPskSecret, impl)
    suite, psks = _suite(group), decode_psks(case.bytes("psks"))
    expected = case.bytes("pskSecret")
    secret = bytes(len(expected))
    for index, (psk_id, psk, nonce) in enumerate(psks):
        step = attempt(c.mls_psk_secret_step, suite, secret, psk_id, psk, nonce, index, len(psks))
        verdict = judge(case, step, None, f"mls_psk_secret_step {index}")
        if verdict.outcome != "pass" or step.value is None:
            return verdict
        secret = cast(bytes, step.value)
    if secret != expected:
        return Verdict("fail", mismatch("psk_secret", expected, secret))
    return PASS


def transcript_hashes(group: Group, case: Case, impl: object) -> Verdict:
    """The transcript hashes after a commit (§8.2), its confirmation tag checked first."""
    c = cast(MlsTranscriptHashes, impl)
    got = attempt(
        c.mls_transcript_hashes,
        _suite(group),
        case.bytes("confirmationKey"),
        case.bytes("authenticatedContent"),
        case.bytes("interimTranscriptHashBefore"),
    )
    expected = {
        "confirmed_transcript_hash": "confirmedTranscriptHashAfter",
        "interim_transcript_hash": "interimTranscriptHashAfter",
    }
    return _fields(case, got, expected, "mls_transcript_hashes")


CHECKS: dict[str, CheckFn] = {
    "MlsTreeMath": tree_math,
    "MlsRefHash": ref_hash,
    "MlsExpandWithLabel": expand_with_label,
    "MlsDeriveSecret": derive_secret,
    "MlsDeriveTreeSecret": derive_tree_secret,
    "MlsSignWithLabel": sign_with_label,
    "MlsEncryptWithLabel": encrypt_with_label,
    "MlsSenderData": sender_data,
    "MlsLeafKeys": leaf_keys,
    "MlsKeySchedule": key_schedule,
    "MlsPskSecret": psk_secret,
    "MlsTranscriptHashes": transcript_hashes,
}
