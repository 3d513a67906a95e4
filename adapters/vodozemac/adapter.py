"""Stdio adapter for vodozemac (matrix-org's Rust Olm and Megolm) through its Python bindings.

State is vodozemac's own pickle, encrypted with a fixed pickle key and carried as the raw bytes
behind its unpadded base64: every call unpickles what it is given, works, and pickles the result,
so nothing survives in the process between calls.

vodozemac has no API to build an account or a group session from chosen keys, so the keys the
suite injects are written into the pickle itself. The pickle is AES-256-CBC (PKCS#7) and an
HMAC-SHA-256 tag truncated to 8 bytes over the ciphertext, with the AES key, HMAC key and IV taken
from HKDF-SHA-256(pickle key, no salt, info "Pickle", 80 bytes); the plaintext is serde JSON.
The adapter decrypts it with ``cryptography``, edits the JSON, encrypts it again and lets
vodozemac unpickle the result, which is what validates it:

- ``olm_account``: the Ed25519 seed and the Curve25519 private key become the identity keys; the
  public keys vodozemac then reports are compared with those ``cryptography`` derives.
- ``olm_add_one_time_key``: the key is added under the next key id and left out of the
  unpublished set, i.e. published.
- ``olm_add_fallback_key``: the key becomes the fallback key (published); the previous one moves
  to ``previous_fallback_key``, as vodozemac's own rotation does.
- ``megolm_outbound``: the 128-byte ratchet at counter 0 and the Ed25519 signing seed.

Not injected: the base key and the ratchet keys of ``olm_outbound`` and ``olm_encrypt``. vodozemac
draws those itself and its session pickles are not forged here, so the adapter does not declare
``olm:fixed-randomness``.

Refusals come from vodozemac's exception type and message text (its errors carry no code).
Only vodozemac's own exception classes (``_VZ_ERRORS``) are translated; anything else it or its
binding raises propagates and is answered as an internal error (a crash on malformed input is a
finding, not a refusal).

Protocol 2 (docs/adapter-protocol.md, "State after a refusal"): a refused ``olm_inbound``,
``olm_decrypt`` or ``megolm_decrypt`` carries vodozemac's pickle of the account or session object
the attempt ran on, taken after the error (:func:`_state_after`).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import importlib.metadata
import json
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any, NoReturn

import vodozemac as vz
from cryptography.hazmat.primitives import hashes, padding
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat
from e2ee_host import Refusal, serve

# Any fixed 32 bytes would do: the pickle only has to survive the round trip through the suite.
PICKLE_KEY = b"e2ee-conformance vodozemac state"
_PICKLE_MAC_SIZE = 8
_KEY_SIZE = 32
_MEGOLM_RATCHET_SIZE = 128
_USIZE = 2**64 - 1  # the binding's message-type integer

# (substring of vodozemac's message, kind), first match wins: the more specific texts come first
# ("invalid MAC length" before "invalid MAC", "signature couldn't be decoded" before "signature").
_MESSAGE_KINDS: tuple[tuple[str, str], ...] = (
    ("non-contributory", "InvalidKey"),
    ("lacked contributory behavior", "InvalidKey"),
    ("unknown one-time key", "InvalidKey"),
    ("identity key doesn't match", "InvalidKey"),
    ("invalid mac length", "InvalidMessage"),
    ("invalid mac", "AuthenticationFailed"),
    ("signature couldn't be decoded", "InvalidMessage"),
    ("signature", "InvalidSignature"),
    ("message gap was too big", "InvalidMessage"),
    ("unknown message index", "InvalidMessage"),
    # The chain has moved past this index and holds no skipped key for it: a message already
    # decrypted, or one whose skipped key was evicted (vodozemac keeps 40 per chain).
    ("message key with the given key can't be created", "DuplicateMessage"),
    ("invalid padding", "InvalidMessage"),
    # The Python binding drops the cause when the first message of a new session fails; with
    # the pre-key fields already parsed, what is left is its MAC (or a key it derived).
    ("used to establish the session couldn't be decrypted", "AuthenticationFailed"),
    ("session config doesn't match", "InvalidMessage"),
)

_TYPE_KINDS: tuple[tuple[type[Exception], str], ...] = (
    (vz.PickleException, "InvalidInput"),
    (vz.DecodeException, "InvalidMessage"),
    (vz.SessionKeyDecodeException, "InvalidMessage"),
    (vz.KeyException, "InvalidKey"),
)


def _refuse(exc: Exception) -> NoReturn:
    """Raise the neutral refusal for a vodozemac exception, or re-raise it unclassified."""
    text = str(exc)
    lowered = text.lower()
    for needle, kind in _MESSAGE_KINDS:
        if needle in lowered:
            raise Refusal(kind, text) from exc
    for exc_type, kind in _TYPE_KINDS:
        if isinstance(exc, exc_type):
            raise Refusal(kind, text) from exc
    raise exc


_VZ_ERRORS = (
    vz.KeyException,
    vz.SignatureException,
    vz.DecodeException,
    vz.SessionKeyDecodeException,
    vz.PickleException,
    vz.SessionCreationException,
    vz.OlmDecryptionException,
    vz.MegolmDecryptionException,
    # Raised by Session.encrypt when the ratchet step would be non-contributory (0.10.0).
    vz.OlmEncryptionException,
)


def _b64encode(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii").rstrip("=")


def _b64decode(text: str) -> bytes:
    return base64.b64decode(text + "=" * (-len(text) % 4))


# --- state: vodozemac pickles ---------------------------------------------------------------


def _pickle_keys() -> tuple[bytes, bytes, bytes]:
    okm = HKDF(algorithm=hashes.SHA256(), length=80, salt=None, info=b"Pickle").derive(PICKLE_KEY)
    return okm[:32], okm[32:64], okm[64:]


_AES_KEY, _MAC_KEY, _IV = _pickle_keys()


def _seal(document: dict[str, Any]) -> bytes:
    """The state bytes of a pickle whose plaintext is ``document``."""
    padder = padding.PKCS7(128).padder()
    plaintext = padder.update(json.dumps(document).encode()) + padder.finalize()
    encryptor = Cipher(algorithms.AES(_AES_KEY), modes.CBC(_IV)).encryptor()
    ciphertext = encryptor.update(plaintext) + encryptor.finalize()
    mac = hmac.new(_MAC_KEY, ciphertext, hashlib.sha256).digest()[:_PICKLE_MAC_SIZE]
    return ciphertext + mac


def _open(state: bytes) -> dict[str, Any]:
    """The JSON document inside state bytes; InvalidInput when they are not one of ours."""
    ciphertext, mac = state[:-_PICKLE_MAC_SIZE], state[-_PICKLE_MAC_SIZE:]
    expected = hmac.new(_MAC_KEY, ciphertext, hashlib.sha256).digest()[:_PICKLE_MAC_SIZE]
    if not ciphertext or not hmac.compare_digest(mac, expected):
        raise Refusal("InvalidInput", "state is not a pickle made by this adapter")
    try:
        decryptor = Cipher(algorithms.AES(_AES_KEY), modes.CBC(_IV)).decryptor()
        padded = decryptor.update(ciphertext) + decryptor.finalize()
        unpadder = padding.PKCS7(128).unpadder()
        document = json.loads(unpadder.update(padded) + unpadder.finalize())
    except ValueError as exc:  # bad length or padding, or not JSON
        raise Refusal("InvalidInput", f"state does not decrypt to a pickle: {exc}") from exc
    if not isinstance(document, dict):
        raise Refusal("InvalidInput", "state does not hold a pickle object")
    return document


def _state(obj: Any) -> bytes:
    return _b64decode(obj.pickle(PICKLE_KEY))


@contextmanager
def _state_after(obj: Any) -> Iterator[None]:
    """A refusal raised inside carries ``obj``'s pickle as it stands after the attempt."""
    try:
        yield
    except Refusal as exc:
        if exc.state is None:
            exc.state = _state(obj)
        raise


def _load(cls: Any, state: bytes) -> Any:
    try:
        return cls.from_pickle(_b64encode(state), PICKLE_KEY)
    except vz.PickleException as exc:
        raise Refusal("InvalidInput", f"not a {cls.__name__} state: {exc}") from exc


def _check_size(name: str, value: bytes, size: int) -> None:
    if len(value) != size:
        raise Refusal("InvalidInput", f"{name} must be {size} bytes, not {len(value)}")


def _curve_public(key: bytes) -> Any:
    try:
        return vz.Curve25519PublicKey.from_bytes(key)
    except vz.KeyException as exc:
        raise Refusal("InvalidKey", str(exc)) from exc


def _curve_public_of(private: bytes) -> bytes:
    return bytes(vz.Curve25519SecretKey.from_bytes(private).public_key().to_bytes())


# --- olm ------------------------------------------------------------------------------------


def _account_identity(account: Any) -> bytes:
    curve = bytes(account.curve25519_key.to_bytes())
    return curve + _b64decode(account.ed25519_key.to_base64())


def olm_account(ed25519_seed: bytes, curve25519_private: bytes) -> bytes:
    _check_size("ed25519_seed", ed25519_seed, _KEY_SIZE)
    _check_size("curve25519_private", curve25519_private, _KEY_SIZE)
    document = {
        "signing_key": {"Normal": list(ed25519_seed)},
        "diffie_hellman_key": list(curve25519_private),
        "one_time_keys": {"next_key_id": 0, "public_keys": {}, "private_keys": {}},
        "fallback_keys": {"key_id": 0, "fallback_key": None, "previous_fallback_key": None},
    }
    account = _load(vz.Account, _seal(document))
    # Guards against a vodozemac release that reads these pickle fields differently.
    expected = X25519PrivateKey.from_private_bytes(curve25519_private).public_key().public_bytes(
        Encoding.Raw, PublicFormat.Raw
    ) + Ed25519PrivateKey.from_private_bytes(ed25519_seed).public_key().public_bytes(
        Encoding.Raw, PublicFormat.Raw
    )
    if _account_identity(account) != expected:
        raise RuntimeError("vodozemac did not take the injected identity keys from the pickle")
    return _state(account)


def olm_identity_keys(account: bytes) -> bytes:
    return _account_identity(_load(vz.Account, account))


def _edit_account(account: bytes, private: bytes, edit: Any) -> dict[str, Any]:
    _check_size("private", private, _KEY_SIZE)
    document = _open(account)
    try:
        edit(document)
    except (KeyError, TypeError, ValueError, AttributeError) as exc:
        raise Refusal("InvalidInput", f"state is not an account pickle: {exc!r}") from exc
    updated = _load(vz.Account, _seal(document))
    return {"account": _state(updated), "key": _curve_public_of(private)}


def olm_add_one_time_key(account: bytes, private: bytes) -> dict[str, Any]:
    def edit(document: dict[str, Any]) -> None:
        keys = document["one_time_keys"]
        key_id = int(keys["next_key_id"])
        # Published keys are the ones absent from "public_keys" (vodozemac's unpublished set).
        keys["private_keys"][str(key_id)] = list(private)
        keys["next_key_id"] = key_id + 1

    return _edit_account(account, private, edit)


def olm_add_fallback_key(account: bytes, private: bytes) -> dict[str, Any]:
    def edit(document: dict[str, Any]) -> None:
        fallback = document["fallback_keys"]
        key_id = int(fallback["key_id"])
        fallback["previous_fallback_key"] = fallback["fallback_key"]
        fallback["fallback_key"] = {"key_id": key_id, "key": list(private), "published": True}
        fallback["key_id"] = key_id + 1

    return _edit_account(account, private, edit)


def olm_outbound(
    account: bytes,
    identity_key: bytes,
    one_time_key: bytes,
    base_key: bytes,
    ratchet_key: bytes,
) -> bytes:
    # base_key and ratchet_key are not used: vodozemac draws E_A and T_0 itself.
    del base_key, ratchet_key
    acc = _load(vz.Account, account)
    their_identity = _curve_public(identity_key)
    their_one_time = _curve_public(one_time_key)
    try:
        session = acc.create_outbound_session(their_identity, their_one_time)
    except _VZ_ERRORS as exc:
        _refuse(exc)
    return _state(session)


def olm_inbound(account: bytes, identity_key: bytes, message: bytes) -> dict[str, Any]:
    acc = _load(vz.Account, account)
    with _state_after(acc):
        sender = _curve_public(identity_key)
        try:
            pre_key = vz.AnyOlmMessage.from_parts(0, message).to_pre_key()
            # vodozemac itself refuses a pre-key message whose identity key is not ``sender``,
            # and removes the one-time key only once the first message has decrypted.
            session, plaintext = acc.create_inbound_session(sender, pre_key)
        except _VZ_ERRORS as exc:
            _refuse(exc)
    return {"account": _state(acc), "session": _state(session), "plaintext": bytes(plaintext)}


def olm_encrypt(session: bytes, plaintext: bytes, ratchet_key: bytes) -> dict[str, Any]:
    # ratchet_key is not used: vodozemac draws each new ratchet key itself.
    del ratchet_key
    sess = _load(vz.Session, session)
    try:
        message_type, raw = sess.encrypt(plaintext).to_parts()
    except _VZ_ERRORS as exc:
        _refuse(exc)
    return {"session": _state(sess), "type": int(message_type), "message": bytes(raw)}


def olm_decrypt(session: bytes, type: int, message: bytes) -> dict[str, Any]:
    sess = _load(vz.Session, session)
    with _state_after(sess):
        if not isinstance(type, int) or isinstance(type, bool):
            raise Refusal("InvalidInput", f"type must be 0 or 1, not {type!r}")
        if not 0 <= type <= _USIZE:
            # The binding's integer conversion would raise OverflowError; vodozemac itself
            # refuses every other type but 0 and 1 (DecodeException).
            raise Refusal("InvalidMessage", f"message type {type} out of range")
        try:
            plaintext = sess.decrypt(vz.AnyOlmMessage.from_parts(type, message))
        except _VZ_ERRORS as exc:
            _refuse(exc)
    return {"session": _state(sess), "plaintext": bytes(plaintext)}


# --- megolm ---------------------------------------------------------------------------------


def megolm_outbound(ratchet: bytes, signing_seed: bytes) -> bytes:
    _check_size("ratchet", ratchet, _MEGOLM_RATCHET_SIZE)
    _check_size("signing_seed", signing_seed, _KEY_SIZE)
    document = {
        "ratchet": {"inner": list(ratchet), "counter": 0},
        "signing_key": {"Normal": list(signing_seed)},
        "config": {"version": "V1"},
    }
    session = _load(vz.GroupSession, _seal(document))
    # session key = version ‖ index ‖ ratchet ‖ public key ‖ signature: check the fields we set.
    key = _b64decode(session.session_key.to_base64())
    public = Ed25519PrivateKey.from_private_bytes(signing_seed).public_key()
    if key[5:133] != ratchet or key[133:165] != public.public_bytes(Encoding.Raw, PublicFormat.Raw):
        raise RuntimeError("vodozemac did not take the injected ratchet and key from the pickle")
    return _state(session)


def megolm_session_key(session: bytes) -> bytes:
    return _b64decode(_load(vz.GroupSession, session).session_key.to_base64())


def megolm_encrypt(session: bytes, plaintext: bytes) -> dict[str, Any]:
    sess = _load(vz.GroupSession, session)
    message = sess.encrypt(plaintext)
    return {"session": _state(sess), "message": bytes(message.to_bytes())}


def megolm_inbound(session_key: bytes) -> bytes:
    try:
        session = vz.InboundGroupSession(vz.SessionKey(_b64encode(session_key)))
    except _VZ_ERRORS as exc:
        _refuse(exc)
    return _state(session)


def megolm_import(exported: bytes) -> bytes:
    try:
        key = vz.ExportedSessionKey(_b64encode(exported))
        session = vz.InboundGroupSession.import_session(key)
    except _VZ_ERRORS as exc:
        _refuse(exc)
    return _state(session)


def megolm_decrypt(session: bytes, message: bytes) -> dict[str, Any]:
    sess = _load(vz.InboundGroupSession, session)
    with _state_after(sess):
        try:
            decrypted = sess.decrypt(vz.MegolmMessage.from_bytes(message))
        except _VZ_ERRORS as exc:
            _refuse(exc)
    return {
        "session": _state(sess),
        "plaintext": bytes(decrypted.plaintext),
        "index": int(decrypted.message_index),
    }


def megolm_export(session: bytes, index: int) -> bytes:
    sess = _load(vz.InboundGroupSession, session)
    if not isinstance(index, int) or isinstance(index, bool) or not 0 <= index <= 0xFFFFFFFF:
        raise Refusal("InvalidInput", f"index must be a 32-bit unsigned integer, not {index!r}")
    exported = sess.export_at(index)
    if exported is None:
        raise Refusal(
            "InvalidMessage",
            f"index {index} is below the session's first known index {sess.first_known_index}",
        )
    return _b64decode(exported.to_base64())


_VERSION = (
    f"vodozemac {importlib.metadata.version('vodozemac')} "
    f"(cryptography {importlib.metadata.version('cryptography')} for the pickle edits)"
)

DESCRIBE = {
    "name": "vodozemac",
    "implementation": "vodozemac (matrix-org, Rust; Python bindings)",
    "version": _VERSION,
    "capabilities": ["olm", "megolm"],
}

HANDLERS: dict[str, Callable[..., object]] = {
    "olm.olm_account": olm_account,
    "olm.olm_identity_keys": olm_identity_keys,
    "olm.olm_add_one_time_key": olm_add_one_time_key,
    "olm.olm_add_fallback_key": olm_add_fallback_key,
    "olm.olm_outbound": olm_outbound,
    "olm.olm_inbound": olm_inbound,
    "olm.olm_encrypt": olm_encrypt,
    "olm.olm_decrypt": olm_decrypt,
    "megolm.megolm_outbound": megolm_outbound,
    "megolm.megolm_session_key": megolm_session_key,
    "megolm.megolm_encrypt": megolm_encrypt,
    "megolm.megolm_inbound": megolm_inbound,
    "megolm.megolm_import": megolm_import,
    "megolm.megolm_decrypt": megolm_decrypt,
    "megolm.megolm_export": megolm_export,
}

if __name__ == "__main__":
    serve(DESCRIBE, HANDLERS)
