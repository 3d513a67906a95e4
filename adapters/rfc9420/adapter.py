"""Stdio adapter for rfc9420, a pure-Python MLS (RFC 9420) over ``cryptography`` and ``rfc9180``.

Runs in its own environment (``rfc9420==1.3.0``) and speaks the adapter protocol through the
bundled host library. It offers the six ``mls-*`` capabilities of
``conformance/capabilities/mls.py`` (the working group's crypto-tier vector categories) for the
seven RFC cipher suites, each through the library's own functions:

- tree math: ``rfc9420.protocol.tree.tree_math`` (node_width, root, level, left, right, parent,
  sibling); -1 where the relation does not exist (a leaf's children, the root's parent and
  sibling: the library would raise ``RFC9420Error`` there).
- crypto basics: ``DefaultCryptoProvider`` (expand_with_label, derive_secret, sign_with_label,
  verify_with_label, hash), ``messages.refs.encode_ref_hash_input`` and
  ``crypto.hpke_labels.encrypt_with_label`` / ``decrypt_with_label``. DeriveTreeSecret has no
  function of its own: it is ``expand_with_label(secret, label, uint32(generation), length)``,
  the call ``SecretTree._ratchet_step`` makes.
- secret tree: ``KeySchedule.sender_data_key_from_sample`` / ``sender_data_nonce_from_sample``
  and ``SecretTree.handshake_for`` / ``application_for``.
- key schedule: ``GroupContext``, ``KeySchedule`` (and its ``export``), and
  ``DefaultCryptoProvider.derive_key_pair(external_secret)`` for external_pub, the call
  ``MLSGroup._update_external_key_pair`` makes.
- PSK secret: one step of ``messages.messages.derive_psk_secret``, composed from the same calls
  (``PreSharedKeyID``, ``PSKLabel``, ``kdf_extract``, ``expand_with_label``), because the
  library's function always starts from the zero secret and runs the whole chain.
- transcript hashes: ``AuthenticatedContent.deserialize``, ``TranscriptState`` and
  ``validate_confirmation_tag``, in the order ``MLSGroup`` applies a commit.

KeySchedule methods that read one secret of the schedule (the exporter, the sender-data key and
nonce) are called on an instance made with ``object.__new__`` and given only that secret and the
provider, as the library's own ``KeySchedule.from_epoch_secret`` makes its instances.

Refusals: an unknown cipher suite is Unsupported (``UnsupportedCipherSuiteError``); a signature
that does not verify is InvalidSignature (``InvalidSignatureError``); an HPKE open failure is
AuthenticationFailed (the library's ``InvalidTag``); a key rfc9420 or rfc9180 refuses to decode
is InvalidKey (``RFC9420Error`` from the EC key loaders, rfc9180's ``DeserializeError``,
``ValidationError``, ``EncapError``, ``DecapError``); a confirmation tag that does not verify is
AuthenticationFailed (``CommitValidationError``). Anything else propagates (an internal error).
"""

from __future__ import annotations

from importlib.metadata import version
from typing import Any

from cryptography.exceptions import InvalidTag
from e2ee_host import Refusal, serve
from rfc9180.exceptions import (  # type: ignore[import-untyped,import-not-found,unused-ignore]
    DecapError,
    DeserializeError,
    EncapError,
    ValidationError,
)
from rfc9420 import DefaultCryptoProvider  # type: ignore[import-untyped,import-not-found,unused-ignore]
from rfc9420.codec.tls import (  # type: ignore[import-untyped,import-not-found,unused-ignore]
    TLSDecodeError,
    read_opaque_varint,
    read_uint16,
    write_uint32,
)
from rfc9420.crypto.hpke_labels import (  # type: ignore[import-untyped,import-not-found,unused-ignore]
    decrypt_with_label,
    encrypt_with_label,
)
from rfc9420.messages.data_structures import (  # type: ignore[import-untyped,import-not-found,unused-ignore]
    GroupContext,
    PreSharedKeyID,
    PSKType,
)
from rfc9420.messages.messages import (  # type: ignore[import-untyped,import-not-found,unused-ignore]
    AuthenticatedContent,
    MLSPlaintext,
    PSKLabel,
)
from rfc9420.messages.refs import encode_ref_hash_input  # type: ignore[import-untyped,import-not-found,unused-ignore]
from rfc9420.mls.exceptions import (  # type: ignore[import-untyped,import-not-found,unused-ignore]
    CommitValidationError,
    InvalidSignatureError,
    RFC9420Error,
    UnsupportedCipherSuiteError,
)
from rfc9420.protocol import transcripts  # type: ignore[import-untyped,import-not-found,unused-ignore]
from rfc9420.protocol.schedule.key_schedule import KeySchedule  # type: ignore[import-untyped,import-not-found,unused-ignore]
from rfc9420.protocol.tree import tree_math  # type: ignore[import-untyped,import-not-found,unused-ignore]
from rfc9420.protocol.tree.secret_tree import SecretTree  # type: ignore[import-untyped,import-not-found,unused-ignore]
from rfc9420.protocol.validations import validate_confirmation_tag  # type: ignore[import-untyped,import-not-found,unused-ignore]

_KEY_ERRORS = (DeserializeError, ValidationError, EncapError, DecapError)


def _crypto(cipher_suite: int) -> Any:
    """The library's provider for one suite; a suite it does not know is Unsupported."""
    try:
        return DefaultCryptoProvider(cipher_suite)
    except UnsupportedCipherSuiteError as exc:
        raise Refusal("Unsupported", str(exc)) from exc


def _schedule_holding(crypto: Any, **secrets: bytes) -> Any:
    """A KeySchedule holding only the given secrets (as ``from_epoch_secret`` builds one)."""
    ks = object.__new__(KeySchedule)
    ks._crypto_provider = crypto
    ks._wiped = False
    for name, value in secrets.items():
        setattr(ks, f"_{name}", value)
    return ks


def _ec_key_error(exc: RFC9420Error) -> bool:
    # DefaultCryptoProvider._load_ec_private / _load_ec_public raise plain RFC9420Error.
    return type(exc) is RFC9420Error and "key encoding" in str(exc)


# --- mls-tree-math -------------------------------------------------------------------------


def mls_tree_math(n_leaves: int, node: int) -> dict[str, int]:
    # -1 exactly where Appendix C has no relation (a leaf's children, the root's parent and
    # sibling), decided with the library's own level() and root(); anything the library raises
    # otherwise propagates.
    root = tree_math.root(n_leaves)
    leaf = tree_math.level(node) == 0
    return {
        "n_nodes": tree_math.node_width(n_leaves),
        "root": root,
        "left": -1 if leaf else tree_math.left(node),
        "right": -1 if leaf else tree_math.right(node, n_leaves),
        "parent": -1 if node == root else tree_math.parent(node, n_leaves),
        "sibling": -1 if node == root else tree_math.sibling(node, n_leaves),
    }


# --- mls-crypto-basics ---------------------------------------------------------------------


def mls_ref_hash(cipher_suite: int, label: bytes, value: bytes) -> bytes:
    # RefHash takes its label verbatim (the library's constants carry "MLS 1.0 " themselves).
    return bytes(_crypto(cipher_suite).hash(encode_ref_hash_input(label, value)))


def _expand(crypto: Any, secret: bytes, label: bytes, context: bytes, length: int) -> bytes:
    try:
        return bytes(crypto.expand_with_label(secret, label, context, length))
    except ValueError as exc:
        # rfc9180's KDF refuses a length over 255 * Nh with this ValueError.
        if "exceeds maximum" in str(exc):
            raise Refusal("InvalidInput", str(exc)) from exc
        raise


def mls_expand_with_label(
    cipher_suite: int, secret: bytes, label: bytes, context: bytes, length: int
) -> bytes:
    return _expand(_crypto(cipher_suite), secret, label, context, length)


def mls_derive_secret(cipher_suite: int, secret: bytes, label: bytes) -> bytes:
    return bytes(_crypto(cipher_suite).derive_secret(secret, label))


def mls_derive_tree_secret(
    cipher_suite: int, secret: bytes, label: bytes, generation: int, length: int
) -> bytes:
    # As SecretTree._ratchet_step: ExpandWithLabel(secret, label, uint32(generation), length).
    return _expand(_crypto(cipher_suite), secret, label, write_uint32(generation), length)


def mls_sign_with_label(
    cipher_suite: int, private_key: bytes, label: bytes, content: bytes
) -> bytes:
    crypto = _crypto(cipher_suite)
    try:
        return bytes(crypto.sign_with_label(private_key, label, content))
    except RFC9420Error as exc:
        if _ec_key_error(exc):
            raise Refusal("InvalidKey", str(exc)) from exc
        raise


def mls_verify_with_label(
    cipher_suite: int, public_key: bytes, label: bytes, content: bytes, signature: bytes
) -> None:
    crypto = _crypto(cipher_suite)
    try:
        crypto.verify_with_label(public_key, label, content, signature)
    except InvalidSignatureError as exc:
        raise Refusal("InvalidSignature", str(exc)) from exc
    except RFC9420Error as exc:
        if _ec_key_error(exc):
            raise Refusal("InvalidKey", str(exc)) from exc
        raise


def mls_encrypt_with_label(
    cipher_suite: int, public_key: bytes, label: bytes, context: bytes, plaintext: bytes
) -> dict[str, bytes]:
    crypto = _crypto(cipher_suite)
    try:
        # EncryptWithLabel seals with empty aad (RFC 9420 §5.1.3).
        kem_output, ciphertext = encrypt_with_label(
            crypto, public_key, label, context, b"", plaintext
        )
    except _KEY_ERRORS as exc:
        raise Refusal("InvalidKey", f"{type(exc).__name__}: {exc}") from exc
    return {"kem_output": bytes(kem_output), "ciphertext": bytes(ciphertext)}


def mls_decrypt_with_label(
    cipher_suite: int,
    private_key: bytes,
    label: bytes,
    context: bytes,
    kem_output: bytes,
    ciphertext: bytes,
) -> bytes:
    crypto = _crypto(cipher_suite)
    try:
        return bytes(
            decrypt_with_label(crypto, private_key, kem_output, label, context, b"", ciphertext)
        )
    except InvalidTag as exc:  # the library's mapping of rfc9180's OpenError
        raise Refusal("AuthenticationFailed", "HPKE open failed") from exc
    except _KEY_ERRORS as exc:
        raise Refusal("InvalidKey", f"{type(exc).__name__}: {exc}") from exc


# --- mls-secret-tree -----------------------------------------------------------------------


def mls_sender_data_keys(
    cipher_suite: int, sender_data_secret: bytes, ciphertext: bytes
) -> dict[str, bytes]:
    crypto = _crypto(cipher_suite)
    # As unprotect_content_*: the sample is ciphertext[:KDF.Nh].
    sample = ciphertext[: crypto.kdf_hash_len()]
    ks = _schedule_holding(crypto, sender_data_secret=sender_data_secret)
    return {
        "key": bytes(ks.sender_data_key_from_sample(sample)),
        "nonce": bytes(ks.sender_data_nonce_from_sample(sample)),
    }


def mls_leaf_keys(
    cipher_suite: int, encryption_secret: bytes, n_leaves: int, leaf: int, generation: int
) -> dict[str, bytes]:
    crypto = _crypto(cipher_suite)

    def tree() -> Any:
        # A fresh tree per ratchet, as a receiver's; the generation gap (default 1000) is
        # widened so that any generation can be asked for.
        return SecretTree(
            encryption_secret, crypto, n_leaves=n_leaves, max_generation_gap=generation + 1
        )

    hs_key, hs_nonce, _ = tree().handshake_for(leaf, generation)
    app_key, app_nonce, _ = tree().application_for(leaf, generation)
    return {
        "handshake_key": bytes(hs_key),
        "handshake_nonce": bytes(hs_nonce),
        "application_key": bytes(app_key),
        "application_nonce": bytes(app_nonce),
    }


# --- mls-key-schedule ----------------------------------------------------------------------


def mls_group_context(
    cipher_suite: int,
    group_id: bytes,
    epoch: int,
    tree_hash: bytes,
    confirmed_transcript_hash: bytes,
    extensions: bytes,
) -> bytes:
    _crypto(cipher_suite)
    # ``extensions`` is the serialised Extension vector with its length prefix; the library's
    # GroupContext holds the vector's content and writes the prefix itself.
    try:
        content, end = read_opaque_varint(extensions, 0)
    except TLSDecodeError as exc:
        raise Refusal("InvalidInput", f"extensions: {exc}") from exc
    if end != len(extensions):
        raise Refusal("InvalidInput", "extensions: bytes after the extension vector")
    gc = GroupContext(
        group_id, epoch, tree_hash, confirmed_transcript_hash, content, cipher_suite_id=cipher_suite
    )
    return bytes(gc.serialize())


def mls_key_schedule(
    cipher_suite: int,
    init_secret: bytes,
    commit_secret: bytes,
    psk_secret: bytes,
    group_context: bytes,
) -> dict[str, bytes]:
    crypto = _crypto(cipher_suite)
    try:
        # Lax: trailing bytes are ignored and a missing extensions field reads as empty; the
        # schedule then uses the re-serialised GroupContext.
        gc = GroupContext.deserialize(group_context)
    except TLSDecodeError as exc:
        raise Refusal("InvalidMessage", f"GroupContext: {exc}") from exc
    ks = KeySchedule(init_secret, commit_secret, gc, psk_secret, crypto)
    _, external_pub = crypto.derive_key_pair(ks.external_secret)
    return {
        "joiner_secret": bytes(ks.joiner_secret),
        "welcome_secret": bytes(ks.welcome_secret),
        "init_secret": bytes(ks.init_secret),
        "sender_data_secret": bytes(ks.sender_data_secret),
        "encryption_secret": bytes(ks.encryption_secret),
        "exporter_secret": bytes(ks.exporter_secret),
        "epoch_authenticator": bytes(ks.epoch_authenticator),
        "external_secret": bytes(ks.external_secret),
        "confirmation_key": bytes(ks.confirmation_key),
        "membership_key": bytes(ks.membership_key),
        "resumption_psk": bytes(ks.resumption_psk),
        "external_pub": bytes(external_pub),
    }


def mls_export(
    cipher_suite: int, exporter_secret: bytes, label: bytes, context: bytes, length: int
) -> bytes:
    crypto = _crypto(cipher_suite)
    ks = _schedule_holding(crypto, exporter_secret=exporter_secret)
    return bytes(ks.export(label, context, length))


# --- mls-psk-secret ------------------------------------------------------------------------


def mls_psk_secret_step(
    cipher_suite: int,
    previous: bytes,
    psk_id: bytes,
    psk: bytes,
    psk_nonce: bytes,
    index: int,
    count: int,
) -> bytes:
    crypto = _crypto(cipher_suite)
    hash_len = crypto.kdf_hash_len()
    pid = PreSharedKeyID(PSKType.EXTERNAL, psk_id=psk_id, psk_nonce=psk_nonce)
    # The loop body of derive_psk_secret, including its fallback for an empty PSK value.
    psk_val = psk if psk else crypto.kdf_extract(b"psk", pid.serialize())
    psk_extracted = crypto.kdf_extract(bytes(hash_len), psk_val)
    label = PSKLabel(psk_id=pid, index=index, count=count)
    psk_input = crypto.expand_with_label(psk_extracted, b"derived psk", label.serialize(), hash_len)
    return bytes(crypto.kdf_extract(psk_input, previous))


# --- mls-transcript-hashes -----------------------------------------------------------------


def mls_transcript_hashes(
    cipher_suite: int,
    confirmation_key: bytes,
    authenticated_content: bytes,
    interim_transcript_hash_before: bytes,
) -> dict[str, bytes]:
    crypto = _crypto(cipher_suite)
    # AuthenticatedContent = wire_format || FramedContent || FramedContentAuthData; the library
    # parses the part after wire_format (a PublicMessage body) and takes wire_format apart.
    try:
        wire_format, off = read_uint16(authenticated_content, 0)
        content = AuthenticatedContent.deserialize(
            authenticated_content[off:], wire_format=wire_format
        )
    except TLSDecodeError as exc:  # the library's decode error; anything else propagates
        raise Refusal("InvalidMessage", f"AuthenticatedContent: {exc}") from exc
    if content.membership_tag is not None:
        raise Refusal("InvalidMessage", "bytes after the AuthenticatedContent")
    tag = content.confirmation_tag
    if not tag:
        raise Refusal("InvalidMessage", "no confirmation tag (not a commit)")
    state = transcripts.TranscriptState(crypto, interim=interim_transcript_hash_before)
    confirmed = state.update_with_handshake(MLSPlaintext(content))
    try:
        # As MLSGroup applies a commit: compute, finalise, then check the sender's tag.
        state.finalize_confirmed(state.compute_confirmation_tag(confirmation_key))
        validate_confirmation_tag(crypto, confirmation_key, confirmed, tag)
    except CommitValidationError as exc:
        raise Refusal("AuthenticationFailed", str(exc)) from exc
    return {
        "confirmed_transcript_hash": bytes(state.confirmed),
        "interim_transcript_hash": bytes(state.interim),
    }


CAPABILITIES = [
    "mls-tree-math",
    "mls-crypto-basics",
    "mls-secret-tree",
    "mls-key-schedule",
    "mls-psk-secret",
    "mls-transcript-hashes",
]

HANDLERS = {
    "mls-tree-math.mls_tree_math": mls_tree_math,
    "mls-crypto-basics.mls_ref_hash": mls_ref_hash,
    "mls-crypto-basics.mls_expand_with_label": mls_expand_with_label,
    "mls-crypto-basics.mls_derive_secret": mls_derive_secret,
    "mls-crypto-basics.mls_derive_tree_secret": mls_derive_tree_secret,
    "mls-crypto-basics.mls_sign_with_label": mls_sign_with_label,
    "mls-crypto-basics.mls_verify_with_label": mls_verify_with_label,
    "mls-crypto-basics.mls_encrypt_with_label": mls_encrypt_with_label,
    "mls-crypto-basics.mls_decrypt_with_label": mls_decrypt_with_label,
    "mls-secret-tree.mls_sender_data_keys": mls_sender_data_keys,
    "mls-secret-tree.mls_leaf_keys": mls_leaf_keys,
    "mls-key-schedule.mls_group_context": mls_group_context,
    "mls-key-schedule.mls_key_schedule": mls_key_schedule,
    "mls-key-schedule.mls_export": mls_export,
    "mls-psk-secret.mls_psk_secret_step": mls_psk_secret_step,
    "mls-transcript-hashes.mls_transcript_hashes": mls_transcript_hashes,
}


if __name__ == "__main__":
    serve(
        {
            "name": "rfc9420",
            "implementation": "rfc9420 (pure-Python MLS)",
            "version": f"rfc9420 {version('rfc9420')}, rfc9180 {version('rfc9180')}, "
            f"cryptography {version('cryptography')}",
            "capabilities": CAPABILITIES,
        },
        HANDLERS,
    )
