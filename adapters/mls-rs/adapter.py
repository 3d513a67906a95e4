"""Stdio adapter for mls-rs (AWS's Rust MLS, RFC 9420) through its UniFFI Python binding.

The binding is the PyPI wheel ``agentvault-mls-rs-uniffi`` (mls-rs 0.55.0 over
mls-rs-crypto-openssl; its binding fork adds ``Message.to_bytes``/``from_bytes`` and
``Group.export_secret``). It runs in its own environment and speaks the adapter protocol
through the bundled host library, offering ``mls-group`` (``conformance/capabilities/
mls_group.py``) for cipher suite 1, MLS_128_DHKEMX25519_AES128GCM_SHA256_Ed25519, the only one
the binding exposes:

- key package: ``Client(identity, SignatureKeypair, ClientConfig)`` with the given Ed25519 key
  and a BasicCredential (§5.3.1), ``generate_key_package_message`` (§10);
- create, add, join, update, remove: ``create_group``, ``add_members``, ``join_group`` (tree
  from the GroupInfo's ratchet_tree extension, §12.4.3.3), ``commit`` (an empty commit, which
  carries an UpdatePath, §12.4), ``remove_members``; a committer applies its own commit by
  processing it, as the binding asks (§12.4);
- messages: ``encrypt_application_message`` (§6.3), ``process_incoming_message``;
- ``export_secret`` (MLS-Exporter, §8.5).

What the binding does not expose is read from bytes mls-rs hands out (``mlsrs_wire``): the
epoch, tree hash and epoch_authenticator (§8, §8.7) from the group state it writes to its
storage (checked: the exporter secret read from the same place must reproduce
``export_secret``), and the leaves from ``export_tree``.

Refusals: mls-rs's codec errors are InvalidMessage; its own errors by their message: a
signature that does not verify InvalidSignature, a membership or confirmation tag
AuthenticationFailed, an AEAD failure (OpenSSL's error) AuthenticationFailed, a consumed
generation DuplicateMessage, an unknown cipher suite Unsupported, and every other rule it
enforces InvalidMessage (what RFC 9420 forbids). Anything else propagates (an internal error).
"""

from __future__ import annotations

import hashlib
import hmac
import json
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import replace
from importlib.metadata import distribution, version
from typing import Any

import mls_rs_uniffi as mls  # type: ignore[import-untyped,import-not-found,unused-ignore]
from e2ee_host import Refusal, serve
from mlsrs_member import Member, client_for, new_client, open_group, save_group
from mlsrs_wire import Leaf, read_snapshot, read_tree_leaves

SUITE = 1  # MLS_128_DHKEMX25519_AES128GCM_SHA256_Ed25519 (RFC 9420 §17.1)
NH = 32  # its KDF's output size (SHA-256)
PUBLIC_MESSAGE = 1
PRIVATE_MESSAGE = 2
APPLICATION = 1
PROPOSAL = 2
COMMIT = 3


# --- refusals --------------------------------------------------------------------------------

# mls-rs's MlsError messages (its Display texts) and the suite's kinds; checked in this order.
_MLS_ERRORS: tuple[tuple[str, str], ...] = (
    ("invalid signature", "InvalidSignature"),
    ("membership tag", "AuthenticationFailed"),
    ("confirmation tag", "AuthenticationFailed"),
    ("key not available", "DuplicateMessage"),
    ("unsupported cipher suite", "Unsupported"),
    ("openssl", "AuthenticationFailed"),
)


def _kind(exc: Exception) -> str | None:
    if isinstance(exc, mls.Error.MlsCodecError):
        return "InvalidMessage"
    if isinstance(exc, mls.Error.MlsError):
        text = str(exc).lower()
        return next((kind for key, kind in _MLS_ERRORS if key in text), "InvalidMessage")
    return None


@contextmanager
def _refusals(state: Callable[[], bytes | None] = lambda: None) -> Iterator[None]:
    """mls-rs's deliberate rejections as the suite's kinds; ``state`` gives the member after
    the refused attempt (protocol 2)."""
    try:
        yield
    except Refusal:
        raise
    except mls.Error as exc:
        kind = _kind(exc)
        if kind is None:
            raise
        raise Refusal(kind, str(exc), state=state()) from exc


def _member(data: bytes) -> Member:
    try:
        return Member.decode(data)
    except (ValueError, KeyError, TypeError) as exc:
        raise Refusal("InvalidInput", f"not a member made by this adapter: {exc}") from exc


def _wire_format(wire_format: int) -> None:
    # mls-rs sends handshake messages as PublicMessages unless its MlsRules ask for
    # encryption, and the binding fixes those rules (DefaultMlsRules, encryption off).
    if wire_format == PRIVATE_MESSAGE:
        raise Refusal("Unsupported", "the mls-rs binding sends commits only as PublicMessages")
    if wire_format != PUBLIC_MESSAGE:
        raise Refusal("InvalidInput", f"wire_format {wire_format} is neither 1 nor 2")


# --- mls-group -------------------------------------------------------------------------------


def mls_key_package(
    cipher_suite: int, identity: bytes, signature_priv: bytes, random: bytes
) -> dict[str, bytes]:
    # The binding draws its own randomness (OpenSSL's RNG): ``random`` is unused.
    if cipher_suite != SUITE:
        raise Refusal(
            "Unsupported", f"the mls-rs binding offers cipher suite 1 only, not {cipher_suite}"
        )
    if len(signature_priv) != 32:
        raise Refusal("InvalidKey", "an Ed25519 signature private key is 32 bytes")
    member, client, _ = new_client(Member(cipher_suite, identity, signature_priv))
    with _refusals():
        key_package = client.generate_key_package_message().to_bytes()
    return {"member": member.encode(), "key_package": key_package}


def mls_create(member: bytes, group_id: bytes, random: bytes) -> bytes:
    m = _member(member)
    if m.group_id is not None:
        raise Refusal("InvalidInput", "this member is already in a group")
    client, storage = client_for(m)
    with _refusals(lambda: member):
        group = client.create_group(group_id)
        return save_group(m, group, storage).encode()


def _committed(m: Member, group: Any, storage: Any, output: Any) -> dict[str, bytes]:
    commit = output.commit_message.to_bytes()
    # mls-rs keeps its own commit pending until it processes it (§12.4: the committer
    # merges its commit once it is accepted).
    group.process_incoming_message(output.commit_message)
    welcome = output.welcome_message
    return {
        "member": save_group(m, group, storage).encode(),
        "commit": commit,
        "welcome": b"" if welcome is None else welcome.to_bytes(),
    }


def mls_add(member: bytes, key_package: bytes, wire_format: int, random: bytes) -> dict[str, bytes]:
    m = _member(member)
    _wire_format(wire_format)
    group, storage = open_group(m)
    with _refusals(lambda: save_group(m, group, storage).encode()):
        message = mls.Message.from_bytes(key_package)
        return _committed(m, group, storage, group.add_members([message]))


def mls_join(member: bytes, welcome: bytes) -> bytes:
    m = _member(member)
    if m.group_id is not None:
        raise Refusal("InvalidInput", "this member is already in a group")
    client, storage = client_for(m)
    # A refused join leaves the client as it was (its key package kept).
    with _refusals(lambda: member):
        joined = client.join_group(None, mls.Message.from_bytes(welcome))
        return save_group(m, joined.group, storage).encode()


def mls_update(member: bytes, wire_format: int, random: bytes) -> dict[str, bytes]:
    m = _member(member)
    _wire_format(wire_format)
    group, storage = open_group(m)
    with _refusals(lambda: save_group(m, group, storage).encode()):
        return _committed(m, group, storage, group.commit())


def _signing_identity(leaf: Leaf) -> Any:
    """The binding's SigningIdentity for a leaf: ``remove_members`` looks a member up by its
    BasicCredential identity (mls-rs's ``member_with_identity``), and a SigningIdentity is made
    only by a Client, so a throwaway client with the leaf's identity and public key gives it
    (the client never signs: its secret key is a placeholder)."""
    keypair = mls.SignatureKeypair(
        cipher_suite=mls.CipherSuite.CURVE25519_AES128,
        public_key=mls.SignaturePublicKey(bytes=leaf.signature_key),
        secret_key=mls.SignatureSecretKey(bytes=bytes(64)),
    )
    config = mls.client_config_default()
    return mls.Client(leaf.identity, keypair, config).signing_identity()


def mls_remove(member: bytes, leaf_index: int, wire_format: int, random: bytes) -> dict[str, bytes]:
    m = _member(member)
    _wire_format(wire_format)
    group, storage = open_group(m)
    _, leaves = read_tree_leaves(group.export_tree().bytes)
    leaf = next((leaf for leaf in leaves if leaf.index == leaf_index), None)
    if leaf is None:
        raise Refusal("InvalidInput", f"leaf {leaf_index} is not a member of the group")
    if leaf.credential_type != 1:
        raise Refusal("Unsupported", "the binding removes members by BasicCredential identity")
    with _refusals(lambda: save_group(m, group, storage).encode()):
        return _committed(m, group, storage, group.remove_members([_signing_identity(leaf)]))


def mls_encrypt(member: bytes, plaintext: bytes, random: bytes) -> dict[str, bytes]:
    m = _member(member)
    group, storage = open_group(m)
    with _refusals(lambda: save_group(m, group, storage).encode()):
        message = group.encrypt_application_message(plaintext).to_bytes()
        return {"member": save_group(m, group, storage).encode(), "message": message}


def mls_process(member: bytes, message: bytes) -> dict[str, Any]:
    m = _member(member)
    if m.removed:
        raise Refusal("InvalidInput", "this member was removed from its group")
    group, storage = open_group(m)
    # After a refusal the member is what mls-rs's group object holds then.
    with _refusals(lambda: save_group(m, group, storage).encode()):
        received = group.process_incoming_message(mls.Message.from_bytes(message))
        after = save_group(m, group, storage)
    if received.is_application_message():
        return {
            "member": after.encode(),
            "content_type": APPLICATION,
            "application_data": received.data,
        }
    if received.is_commit():
        if received.effect.is_removed():
            after = replace(after, removed=True)
        return {"member": after.encode(), "content_type": COMMIT, "application_data": b""}
    if received.is_received_proposal():
        return {"member": after.encode(), "content_type": PROPOSAL, "application_data": b""}
    raise Refusal("InvalidMessage", f"not a message for a group member: {received}")


def mls_export(member: bytes, label: bytes, context: bytes, length: int) -> bytes:
    m = _member(member)
    if not 0 <= length <= 255 * NH:
        raise Refusal("InvalidInput", f"an MLS-Exporter length is at most {255 * NH}")
    group, _ = open_group(m)
    try:
        return bytes(group.export_secret(label, context, length))
    except mls.Error.MlsError as exc:
        # Only the parameters can be at fault here (OpenSSL's HKDF refuses length 0).
        raise Refusal("InvalidInput", str(exc)) from exc


def _expand_with_label(secret: bytes, label: bytes, context: bytes, length: int) -> bytes:
    """ExpandWithLabel (RFC 9420 §8) over HKDF-SHA256, to check the secrets read from
    mls-rs's group state against what mls-rs itself exports."""
    full = b"MLS 1.0 " + label
    info = length.to_bytes(2, "big") + bytes([len(full)]) + full + bytes([len(context)]) + context
    out, block = b"", b""
    for i in range(1, -(-length // NH) + 1):
        block = hmac.new(secret, block + info + bytes([i]), hashlib.sha256).digest()
        out += block
    return out[:length]


def mls_epoch(member: bytes) -> dict[str, Any]:
    m = _member(member)
    group, _ = open_group(m)
    view = read_snapshot(m.state, m.signer, NH)
    label, context = b"e2ee-conformance mls-rs adapter", b""
    mine = _expand_with_label(
        _expand_with_label(view.exporter_secret, label, b"", NH),
        b"exported",
        hashlib.sha256(context).digest(),
        NH,
    )
    with _refusals():
        theirs = bytes(group.export_secret(label, context, NH))
    if mine != theirs:
        raise RuntimeError("the key schedule read from mls-rs's group state is not its own")
    _, leaves = read_tree_leaves(group.export_tree().bytes)
    own = [
        leaf.index
        for leaf in leaves
        if leaf.signature_key == m.signature_public and leaf.identity == m.identity
    ]
    return {
        "epoch": view.epoch,
        "epoch_authenticator": view.authentication_secret,
        "tree_hash": view.tree_hash,
        "leaf_index": own[0] if own else -1,
        "member_count": len(leaves),
    }


CAPABILITIES = ["mls-group"]

HANDLERS = {
    "mls-group.mls_key_package": mls_key_package,
    "mls-group.mls_create": mls_create,
    "mls-group.mls_add": mls_add,
    "mls-group.mls_join": mls_join,
    "mls-group.mls_update": mls_update,
    "mls-group.mls_remove": mls_remove,
    "mls-group.mls_encrypt": mls_encrypt,
    "mls-group.mls_process": mls_process,
    "mls-group.mls_export": mls_export,
    "mls-group.mls_epoch": mls_epoch,
}


def _versions() -> str:
    """The wheel's version and, from the SBOM it ships, the Rust crates built into it."""
    wheel = "agentvault-mls-rs-uniffi"
    sbom = distribution(wheel).read_text("sboms/mls-rs-uniffi.cyclonedx.json") or "{}"
    crates = {c.get("name"): c.get("version") for c in json.loads(sbom).get("components", [])}
    inside = ", ".join(f"{n} {crates[n]}" for n in _CRATES if crates.get(n))
    return f"{wheel} {version(wheel)} ({inside})"


_CRATES = ("mls-rs", "mls-rs-crypto-openssl", "openssl-src")


if __name__ == "__main__":
    serve(
        {
            "name": "mls-rs",
            "implementation": "mls-rs (Rust, UniFFI Python binding)",
            "version": _versions(),
            "capabilities": CAPABILITIES,
        },
        HANDLERS,
    )
