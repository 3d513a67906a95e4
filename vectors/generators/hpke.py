"""Generate the HPKE (RFC 9180) vector files in ``vectors/hpke/``.

Usage: ``PYTHONPATH=. python vectors/generators/hpke.py [--out DIR] [--check]``

Two files, each covering DHKEM(X25519, HKDF-SHA256) + HKDF-SHA256 with AES-128-GCM and with
ChaCha20Poly1305, in all four modes (Base, PSK, Auth, AuthPSK):

* ``hpke_test.json`` (``HpkeTest``): single-shot Seal/Open (RFC 9180 §6.1). The known-answer
  vectors of RFC 9180 Appendix A.1.1-A.1.4 and A.2.1-A.2.4 (setup and sequence number 0, values
  verbatim from the RFC), pseudo-random cases, tampered ciphertexts, tags, AAD, info, enc (one
  of them a second encoding of the same point, bit 255 set), PSKs and sender keys, and the
  low-order X25519 inputs that §7.1.4 requires to be rejected: an ``enc``, a ``pkS`` (opening)
  and a ``pkR`` (sealing) whose Diffie-Hellman output is all zero. Each of the 14 encodings
  (the seven low-order u-coordinates of ``_curve25519.LOW_ORDER_U``, each also with bit 255 set)
  is an ``enc`` and a ``pkR`` in Base mode and a ``pkS`` in Auth mode.
  The low-order ``enc`` and ``pkS`` cases carry a ciphertext that *is valid* under the all-zero
  DH value, so an implementation that skips the check opens it instead of failing by accident.
* ``hpke_export_test.json`` (``HpkeExport``): ReceiveExport (§6.2): the exported values of
  Appendix A.1.x.2 and A.2.x.2, pseudo-random contexts and lengths up to 255 * Nh (from 256 on,
  the high byte of I2OSP(L, 2) in LabeledExpand is not zero), lengths above it (§5.3), and
  low-order ``enc`` values.

Every expected value is computed twice, by pyhpke (not written here) and by the small reference
implementation below (RFC 9180 §4-§6 over the pure-Python X25519 ladder of ``_curve25519`` and
pyca/cryptography's AEADs), and both must reproduce the RFC's values; every invalid case is
refused by pyhpke and by the reference. Pseudo-random inputs come from
:class:`_common.ByteSource`, so the files are the same on every run; ``--check`` regenerates them
in a temporary folder and fails unless the committed files are identical.
"""

from __future__ import annotations

import functools
import hashlib
import hmac
import struct
import sys
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from pathlib import Path

# Run as a script from a checkout: make the repository root importable (for `conformance` and
# `vectors.generators`), whatever PYTHONPATH says.
sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM, ChaCha20Poly1305
from pyhpke import AEADId, CipherSuite, ContextInterface, KDFId, KEMId
from pyhpke.exceptions import PyHPKEError

from conformance.capabilities.hpke import HPKE_MODES, HPKE_SUITES
from vectors.generators import _curve25519 as curve
from vectors.generators._common import (
    ByteSource,
    CaseSource,
    FileBuilder,
    GeneratorError,
    GroupBuilder,
    NoteSpec,
    ResultName,
    SpecRefSpec,
    bit_flip,
    check,
    h,
    require_equal,
    run_generator,
    write,
)

GENERATOR = "vectors/generators/hpke.py"
SOURCE = {"generator": GENERATOR, "version": "1"}
SEED_LABEL = "e2ee-conformance/vectors/hpke/v1/"
RFC = "RFC 9180"

#: Observations about the implementations (printed, never asserted).
OBSERVATIONS: list[str] = []


def link(section: str) -> str:
    return f"https://www.rfc-editor.org/rfc/rfc9180#section-{section}"


# ---------------------------------------------------------------------------------------------
# Ciphersuites
# ---------------------------------------------------------------------------------------------

MODE_BASE, MODE_PSK, MODE_AUTH, MODE_AUTH_PSK = 0, 1, 2, 3
KEM_X25519 = 0x0020
NSECRET = NPK = NSK = NH = 32
NT = 16


@dataclass(frozen=True)
class Suite:
    kem_id: int
    kdf_id: int
    aead_id: int
    name: str
    section: str  # RFC 9180 Appendix A section of its vectors

    @property
    def short(self) -> str:
        return "AES-128-GCM" if self.aead_id == 0x0001 else "ChaCha20Poly1305"

    @property
    def suite_id(self) -> bytes:
        """suite_id of the key schedule (§5.1): "HPKE" || kem_id || kdf_id || aead_id."""
        return b"HPKE" + struct.pack(">HHH", self.kem_id, self.kdf_id, self.aead_id)

    def aead(self, key: bytes) -> AESGCM | ChaCha20Poly1305:
        return AESGCM(key) if self.aead_id == 0x0001 else ChaCha20Poly1305(key)

    @property
    def nk(self) -> int:
        return 16 if self.aead_id == 0x0001 else 32


SUITES = tuple(Suite(*ids, name, section) for ids, (name, section) in HPKE_SUITES.items())
for _s in SUITES:
    if (_s.kem_id, _s.kdf_id) != (KEM_X25519, 0x0001) or _s.aead_id not in (0x0001, 0x0003):
        raise GeneratorError(f"no generator for the HPKE suite {_s.name}")

MODE_SECTION = {MODE_BASE: "5.1.1", MODE_PSK: "5.1.2", MODE_AUTH: "5.1.3", MODE_AUTH_PSK: "5.1.4"}


def uses_psk(mode: int) -> bool:
    return mode in (MODE_PSK, MODE_AUTH_PSK)


def uses_auth(mode: int) -> bool:
    return mode in (MODE_AUTH, MODE_AUTH_PSK)


# ---------------------------------------------------------------------------------------------
# The reference implementation (RFC 9180 §4, §4.1, §5.1-5.3, §7.1.3), for DHKEM(X25519) only
# ---------------------------------------------------------------------------------------------


class Refused(Exception):
    """The reference implementation rejects the input (what an implementation must do)."""


KEM_SUITE_ID = b"KEM" + struct.pack(">H", KEM_X25519)


def labeled_extract(suite_id: bytes, salt: bytes, label: bytes, ikm: bytes) -> bytes:
    labeled_ikm = b"HPKE-v1" + suite_id + label + ikm
    return hmac.new(salt or bytes(NH), labeled_ikm, hashlib.sha256).digest()


def labeled_expand(suite_id: bytes, prk: bytes, label: bytes, info: bytes, length: int) -> bytes:
    if not 0 <= length <= 255 * NH:  # RFC 5869 §2.3; RFC 9180 §5.3
        raise Refused(f"L = {length} is above 255 * Nh")
    labeled_info = struct.pack(">H", length) + b"HPKE-v1" + suite_id + label + info
    out, block, counter = b"", b"", 1
    while len(out) < length:
        block = hmac.new(prk, block + labeled_info + bytes([counter]), hashlib.sha256).digest()
        out += block
        counter += 1
    return out[:length]


def ref_derive_key_pair(ikm: bytes) -> tuple[bytes, bytes]:
    """DeriveKeyPair for X25519 (§7.1.3): (skXm, pkXm)."""
    dkp_prk = labeled_extract(KEM_SUITE_ID, b"", b"dkp_prk", ikm)
    sk = labeled_expand(KEM_SUITE_ID, dkp_prk, b"sk", b"", NSK)
    return sk, curve.public_key(sk)


def ref_dh(sk: bytes, pk: bytes, validate: bool) -> bytes:
    """DH(sk, pk); with ``validate``, the all-zero output is rejected (§7.1.4)."""
    out = curve.x25519(sk, pk)
    if validate and out == bytes(32):
        raise Refused("the X25519 shared secret is all zero")
    return out


def extract_and_expand(dh: bytes, kem_context: bytes) -> bytes:
    eae_prk = labeled_extract(KEM_SUITE_ID, b"", b"eae_prk", dh)
    return labeled_expand(KEM_SUITE_ID, eae_prk, b"shared_secret", kem_context, NSECRET)


def ref_encap(pk_r: bytes, ikm_e: bytes, sk_s: bytes, validate: bool = True) -> tuple[bytes, bytes]:
    """Encap / AuthEncap (§4.1) with skE, pkE = DeriveKeyPair(ikm_e): (shared_secret, enc)."""
    sk_e, enc = ref_derive_key_pair(ikm_e)
    dh = ref_dh(sk_e, pk_r, validate)
    kem_context = enc + pk_r
    if sk_s:
        dh += ref_dh(sk_s, pk_r, validate)
        kem_context += curve.public_key(sk_s)
    return extract_and_expand(dh, kem_context), enc


def ref_decap(enc: bytes, sk_r: bytes, pk_s: bytes, validate: bool = True) -> bytes:
    """Decap / AuthDecap (§4.1). The kem_context holds enc as received (not re-encoded)."""
    dh = ref_dh(sk_r, enc, validate)
    kem_context = enc + curve.public_key(sk_r)
    if pk_s:
        dh += ref_dh(sk_r, pk_s, validate)
        kem_context += pk_s
    return extract_and_expand(dh, kem_context)


@dataclass(frozen=True)
class Context:
    key: bytes
    base_nonce: bytes
    exporter_secret: bytes


def key_schedule(
    suite: Suite, mode: int, shared_secret: bytes, info: bytes, psk: bytes, psk_id: bytes
) -> Context:
    """KeySchedule<ROLE>() of §5.1, VerifyPSKInputs included."""
    if bool(psk) != bool(psk_id):
        raise Refused("inconsistent PSK inputs")
    if bool(psk) != uses_psk(mode):
        raise Refused("PSK inputs do not match the mode")
    sid = suite.suite_id
    psk_id_hash = labeled_extract(sid, b"", b"psk_id_hash", psk_id)
    info_hash = labeled_extract(sid, b"", b"info_hash", info)
    context = bytes([mode]) + psk_id_hash + info_hash
    secret = labeled_extract(sid, shared_secret, b"secret", psk)
    return Context(
        labeled_expand(sid, secret, b"key", context, suite.nk),
        labeled_expand(sid, secret, b"base_nonce", context, 12),
        labeled_expand(sid, secret, b"exp", context, NH),
    )


@dataclass(frozen=True)
class Inputs:
    """Everything a single-shot operation takes besides the data (one suite and mode)."""

    suite: Suite
    mode: int
    info: bytes
    psk: bytes
    psk_id: bytes
    sk_s: bytes
    pk_s: bytes


def ref_seal(
    i: Inputs, pk_r: bytes, aad: bytes, pt: bytes, ikm_e: bytes, validate: bool = True
) -> bytes:
    """Seal<MODE> (§6.1): enc || ct."""
    if uses_auth(i.mode) != bool(i.sk_s):
        raise Refused("sender key does not match the mode")
    shared_secret, enc = ref_encap(pk_r, ikm_e, i.sk_s, validate)
    ctx = key_schedule(i.suite, i.mode, shared_secret, i.info, i.psk, i.psk_id)
    return enc + i.suite.aead(ctx.key).encrypt(ctx.base_nonce, pt, aad)


def ref_context(i: Inputs, sk_r: bytes, enc: bytes, validate: bool = True) -> Context:
    if uses_auth(i.mode) != bool(i.pk_s):
        raise Refused("sender key does not match the mode")
    shared_secret = ref_decap(enc, sk_r, i.pk_s, validate)
    return key_schedule(i.suite, i.mode, shared_secret, i.info, i.psk, i.psk_id)


def ref_open(
    i: Inputs, sk_r: bytes, enc: bytes, aad: bytes, ct: bytes, validate: bool = True
) -> bytes:
    """Open<MODE> (§6.1): the plaintext, or Refused."""
    ctx = ref_context(i, sk_r, enc, validate)
    try:
        return i.suite.aead(ctx.key).decrypt(ctx.base_nonce, ct, aad)
    except InvalidTag:
        raise Refused("OpenError") from None


def ref_export(
    i: Inputs, sk_r: bytes, enc: bytes, exporter_context: bytes, length: int, validate: bool = True
) -> bytes:
    """ReceiveExport<MODE> (§6.2, §5.3)."""
    ctx = ref_context(i, sk_r, enc, validate)
    return labeled_expand(i.suite.suite_id, ctx.exporter_secret, b"sec", exporter_context, length)


# ---------------------------------------------------------------------------------------------
# pyhpke, the independent implementation
# ---------------------------------------------------------------------------------------------

#: What pyhpke raises when it rejects an input: its own errors, cryptography's ValueError (an
#: all-zero X25519 output, a bad key size, an HKDF length) and struct.error (L >= 2^16).
PYHPKE_REFUSALS = (PyHPKEError, ValueError, struct.error)


def _pyhpke(suite: Suite) -> CipherSuite:
    return CipherSuite.new(KEMId(suite.kem_id), KDFId(suite.kdf_id), AEADId(suite.aead_id))


def py_derive_key_pair(suite: Suite, ikm: bytes) -> tuple[bytes, bytes]:
    kp = _pyhpke(suite).kem.derive_key_pair(ikm)
    return kp.private_key.to_private_bytes(), kp.public_key.to_public_bytes()


def _py_recipient(i: Inputs, sk_r: bytes, enc: bytes) -> ContextInterface:
    s = _pyhpke(i.suite)
    pks = s.kem.deserialize_public_key(i.pk_s) if i.pk_s else None
    skr = s.kem.deserialize_private_key(sk_r)
    return s.create_recipient_context(enc, skr, i.info, pks, i.psk, i.psk_id)


def py_seal(i: Inputs, pk_r: bytes, aad: bytes, pt: bytes, ikm_e: bytes) -> bytes:
    s = _pyhpke(i.suite)
    eks = s.kem.derive_key_pair(ikm_e)
    pkr = s.kem.deserialize_public_key(pk_r)
    sks = s.kem.deserialize_private_key(i.sk_s) if i.sk_s else None
    enc, ctx = s.create_sender_context(pkr, i.info, sks, i.psk, i.psk_id, eks)
    return enc + ctx.seal(pt, aad)


def py_open(i: Inputs, sk_r: bytes, enc: bytes, aad: bytes, ct: bytes) -> bytes:
    return _py_recipient(i, sk_r, enc).open(ct, aad)


def py_export(i: Inputs, sk_r: bytes, enc: bytes, exporter_context: bytes, length: int) -> bytes:
    return _py_recipient(i, sk_r, enc).export(exporter_context, length)


# ---------------------------------------------------------------------------------------------
# Checked operations: both implementations, or abort
# ---------------------------------------------------------------------------------------------


def derive_checked(suite: Suite, ikm: bytes) -> tuple[bytes, bytes]:
    pair = ref_derive_key_pair(ikm)
    require_equal(
        f"DeriveKeyPair({ikm.hex()}) pyhpke vs reference", pair, py_derive_key_pair(suite, ikm)
    )
    return pair


def seal_checked(
    i: Inputs, pk_r: bytes, aad: bytes, pt: bytes, ikm_e: bytes
) -> tuple[bytes, bytes]:
    """(enc, ct): Seal by the reference, reproduced byte for byte by pyhpke."""
    sealed = ref_seal(i, pk_r, aad, pt, ikm_e)
    require_equal(
        f"{i.suite.short} mode {i.mode} seal pyhpke vs reference",
        sealed,
        py_seal(i, pk_r, aad, pt, ikm_e),
    )
    return sealed[:NPK], sealed[NPK:]


def open_checked(i: Inputs, sk_r: bytes, enc: bytes, aad: bytes, ct: bytes, pt: bytes) -> None:
    what = f"{i.suite.short} mode {i.mode} open"
    require_equal(f"{what} (reference)", pt, ref_open(i, sk_r, enc, aad, ct))
    require_equal(f"{what} (pyhpke)", pt, py_open(i, sk_r, enc, aad, ct))


def refused_by_both(
    what: str, reference: Callable[..., object], pyhpke: Callable[..., object], *args: object
) -> None:
    """Abort unless the reference and pyhpke both refuse ``args``."""
    try:
        reference(*args)
    except Refused:
        pass
    else:
        raise GeneratorError(f"{what}: the reference implementation accepts it")
    try:
        pyhpke(*args)
    except PYHPKE_REFUSALS:
        return
    raise GeneratorError(f"{what}: pyhpke accepts it")


# ---------------------------------------------------------------------------------------------
# RFC 9180 Appendix A (values verbatim from the RFC)
# ---------------------------------------------------------------------------------------------

#: Common to every Appendix A section: info = "Ode on a Grecian Urn", the plaintext "Beauty is
#: truth, truth beauty" and the associated data of sequence number 0, "Count-0".
RFC_INFO = h("4f6465206f6e2061204772656369616e2055726e")
RFC_PT = h("4265617574792069732074727574682c20747275746820626561757479")
RFC_AAD0 = h("436f756e742d30")
#: The exporter_context values of every "Exported Values" subsection, all with L = 32.
RFC_EXPORTER_CONTEXTS = (b"", b"\x00", b"TestContext")


@dataclass(frozen=True)
class RfcVector:
    """One "Setup Information" section: its keys, sequence number 0 and its exported values."""

    section: str
    mode: int
    ikm_e: bytes
    pk_em: bytes
    ikm_r: bytes
    pk_rm: bytes
    sk_rm: bytes
    enc: bytes
    ct: bytes
    exports: tuple[bytes, bytes, bytes]
    ikm_s: bytes = b""
    pk_sm: bytes = b""
    sk_sm: bytes = b""
    psk: bytes = b""
    psk_id: bytes = b""


RFC_VECTORS: tuple[RfcVector, ...] = (
    RfcVector(
        "A.1.1",
        0,
        ikm_e=h("7268600d403fce431561aef583ee1613527cff655c1343f29812e66706df3234"),
        pk_em=h("37fda3567bdbd628e88668c3c8d7e97d1d1253b6d4ea6d44c150f741f1bf4431"),
        ikm_r=h("6db9df30aa07dd42ee5e8181afdb977e538f5e1fec8a06223f33f7013e525037"),
        pk_rm=h("3948cfe0ad1ddb695d780e59077195da6c56506b027329794ab02bca80815c4d"),
        sk_rm=h("4612c550263fc8ad58375df3f557aac531d26850903e55a9f23f21d8534e8ac8"),
        enc=h("37fda3567bdbd628e88668c3c8d7e97d1d1253b6d4ea6d44c150f741f1bf4431"),
        ct=h(
            "f938558b5d72f1a23810b4be2ab4f84331acc02fc97babc53a52ae8218a355a9"
            "6d8770ac83d07bea87e13c512a"
        ),
        exports=(
            h("3853fe2b4035195a573ffc53856e77058e15d9ea064de3e59f4961d0095250ee"),
            h("2e8f0b54673c7029649d4eb9d5e33bf1872cf76d623ff164ac185da9e88c21a5"),
            h("e9e43065102c3836401bed8c3c3c75ae46be1639869391d62c61f1ec7af54931"),
        ),
    ),
    RfcVector(
        "A.1.2",
        1,
        ikm_e=h("78628c354e46f3e169bd231be7b2ff1c77aa302460a26dbfa15515684c00130b"),
        pk_em=h("0ad0950d9fb9588e59690b74f1237ecdf1d775cd60be2eca57af5a4b0471c91b"),
        ikm_r=h("d4a09d09f575fef425905d2ab396c1449141463f698f8efdb7accfaff8995098"),
        pk_rm=h("9fed7e8c17387560e92cc6462a68049657246a09bfa8ade7aefe589672016366"),
        sk_rm=h("c5eb01eb457fe6c6f57577c5413b931550a162c71a03ac8d196babbd4e5ce0fd"),
        psk=h("0247fd33b913760fa1fa51e1892d9f307fbe65eb171e8132c2af18555a738b82"),
        psk_id=h("456e6e796e20447572696e206172616e204d6f726961"),
        enc=h("0ad0950d9fb9588e59690b74f1237ecdf1d775cd60be2eca57af5a4b0471c91b"),
        ct=h(
            "e52c6fed7f758d0cf7145689f21bc1be6ec9ea097fef4e959440012f4feb73fb"
            "611b946199e681f4cfc34db8ea"
        ),
        exports=(
            h("dff17af354c8b41673567db6259fd6029967b4e1aad13023c2ae5df8f4f43bf6"),
            h("6a847261d8207fe596befb52928463881ab493da345b10e1dcc645e3b94e2d95"),
            h("8aff52b45a1be3a734bc7a41e20b4e055ad4c4d22104b0c20285a7c4302401cd"),
        ),
    ),
    RfcVector(
        "A.1.3",
        2,
        ikm_e=h("6e6d8f200ea2fb20c30b003a8b4f433d2f4ed4c2658d5bc8ce2fef718059c9f7"),
        pk_em=h("23fb952571a14a25e3d678140cd0e5eb47a0961bb18afcf85896e5453c312e76"),
        ikm_r=h("f1d4a30a4cef8d6d4e3b016e6fd3799ea057db4f345472ed302a67ce1c20cdec"),
        pk_rm=h("1632d5c2f71c2b38d0a8fcc359355200caa8b1ffdf28618080466c909cb69b2e"),
        sk_rm=h("fdea67cf831f1ca98d8e27b1f6abeb5b7745e9d35348b80fa407ff6958f9137e"),
        ikm_s=h("94b020ce91d73fca4649006c7e7329a67b40c55e9e93cc907d282bbbff386f58"),
        pk_sm=h("8b0c70873dc5aecb7f9ee4e62406a397b350e57012be45cf53b7105ae731790b"),
        sk_sm=h("dc4a146313cce60a278a5323d321f051c5707e9c45ba21a3479fecdf76fc69dd"),
        enc=h("23fb952571a14a25e3d678140cd0e5eb47a0961bb18afcf85896e5453c312e76"),
        ct=h(
            "5fd92cc9d46dbf8943e72a07e42f363ed5f721212cd90bcfd072bfd9f44e06b8"
            "0fd17824947496e21b680c141b"
        ),
        exports=(
            h("28c70088017d70c896a8420f04702c5a321d9cbf0279fba899b59e51bac72c85"),
            h("25dfc004b0892be1888c3914977aa9c9bbaf2c7471708a49e1195af48a6f29ce"),
            h("5a0131813abc9a522cad678eb6bafaabc43389934adb8097d23c5ff68059eb64"),
        ),
    ),
    RfcVector(
        "A.1.4",
        3,
        ikm_e=h("4303619085a20ebcf18edd22782952b8a7161e1dbae6e46e143a52a96127cf84"),
        pk_em=h("820818d3c23993492cc5623ab437a48a0a7ca3e9639c140fe1e33811eb844b7c"),
        ikm_r=h("4b16221f3b269a88e207270b5e1de28cb01f847841b344b8314d6a622fe5ee90"),
        pk_rm=h("1d11a3cd247ae48e901939659bd4d79b6b959e1f3e7d66663fbc9412dd4e0976"),
        sk_rm=h("cb29a95649dc5656c2d054c1aa0d3df0493155e9d5da6d7e344ed8b6a64a9423"),
        ikm_s=h("62f77dcf5df0dd7eac54eac9f654f426d4161ec850cc65c54f8b65d2e0b4e345"),
        pk_sm=h("2bfb2eb18fcad1af0e4f99142a1c474ae74e21b9425fc5c589382c69b50cc57e"),
        sk_sm=h("fc1c87d2f3832adb178b431fce2ac77c7ca2fd680f3406c77b5ecdf818b119f4"),
        psk=h("0247fd33b913760fa1fa51e1892d9f307fbe65eb171e8132c2af18555a738b82"),
        psk_id=h("456e6e796e20447572696e206172616e204d6f726961"),
        enc=h("820818d3c23993492cc5623ab437a48a0a7ca3e9639c140fe1e33811eb844b7c"),
        ct=h(
            "a84c64df1e11d8fd11450039d4fe64ff0c8a99fca0bd72c2d4c3e0400bc14a40"
            "f27e45e141a24001697737533e"
        ),
        exports=(
            h("08f7e20644bb9b8af54ad66d2067457c5f9fcb2a23d9f6cb4445c0797b330067"),
            h("52e51ff7d436557ced5265ff8b94ce69cf7583f49cdb374e6aad801fc063b010"),
            h("a30c20370c026bbea4dca51cb63761695132d342bae33a6a11527d3e7679436d"),
        ),
    ),
    RfcVector(
        "A.2.1",
        0,
        ikm_e=h("909a9b35d3dc4713a5e72a4da274b55d3d3821a37e5d099e74a647db583a904b"),
        pk_em=h("1afa08d3dec047a643885163f1180476fa7ddb54c6a8029ea33f95796bf2ac4a"),
        ikm_r=h("1ac01f181fdf9f352797655161c58b75c656a6cc2716dcb66372da835542e1df"),
        pk_rm=h("4310ee97d88cc1f088a5576c77ab0cf5c3ac797f3d95139c6c84b5429c59662a"),
        sk_rm=h("8057991eef8f1f1af18f4a9491d16a1ce333f695d4db8e38da75975c4478e0fb"),
        enc=h("1afa08d3dec047a643885163f1180476fa7ddb54c6a8029ea33f95796bf2ac4a"),
        ct=h(
            "1c5250d8034ec2b784ba2cfd69dbdb8af406cfe3ff938e131f0def8c8b60b4db"
            "21993c62ce81883d2dd1b51a28"
        ),
        exports=(
            h("4bbd6243b8bb54cec311fac9df81841b6fd61f56538a775e7c80a9f40160606e"),
            h("8c1df14732580e5501b00f82b10a1647b40713191b7c1240ac80e2b68808ba69"),
            h("5acb09211139c43b3090489a9da433e8a30ee7188ba8b0a9a1ccf0c229283e53"),
        ),
    ),
    RfcVector(
        "A.2.2",
        1,
        ikm_e=h("35706a0b09fb26fb45c39c2f5079c709c7cf98e43afa973f14d88ece7e29c2e3"),
        pk_em=h("2261299c3f40a9afc133b969a97f05e95be2c514e54f3de26cbe5644ac735b04"),
        ikm_r=h("26b923eade72941c8a85b09986cdfa3f1296852261adedc52d58d2930269812b"),
        pk_rm=h("13640af826b722fc04feaa4de2f28fbd5ecc03623b317834e7ff4120dbe73062"),
        sk_rm=h("77d114e0212be51cb1d76fa99dd41cfd4d0166b08caa09074430a6c59ef17879"),
        psk=h("0247fd33b913760fa1fa51e1892d9f307fbe65eb171e8132c2af18555a738b82"),
        psk_id=h("456e6e796e20447572696e206172616e204d6f726961"),
        enc=h("2261299c3f40a9afc133b969a97f05e95be2c514e54f3de26cbe5644ac735b04"),
        ct=h(
            "4a177f9c0d6f15cfdf533fb65bf84aecdc6ab16b8b85b4cf65a370e07fc1d78d"
            "28fb073214525276f4a89608ff"
        ),
        exports=(
            h("813c1bfc516c99076ae0f466671f0ba5ff244a41699f7b2417e4c59d46d39f40"),
            h("2745cf3d5bb65c333658732954ee7af49eb895ce77f8022873a62a13c94cb4e1"),
            h("ad40e3ae14f21c99bfdebc20ae14ab86f4ca2dc9a4799d200f43a25f99fa78ae"),
        ),
    ),
    RfcVector(
        "A.2.3",
        2,
        ikm_e=h("938d3daa5a8904540bc24f48ae90eed3f4f7f11839560597b55e7c9598c996c0"),
        pk_em=h("f7674cc8cd7baa5872d1f33dbaffe3314239f6197ddf5ded1746760bfc847e0e"),
        ikm_r=h("64835d5ee64aa7aad57c6f2e4f758f7696617f8829e70bc9ac7a5ef95d1c756c"),
        pk_rm=h("1a478716d63cb2e16786ee93004486dc151e988b34b475043d3e0175bdb01c44"),
        sk_rm=h("3ca22a6d1cda1bb9480949ec5329d3bf0b080ca4c45879c95eddb55c70b80b82"),
        ikm_s=h("9d8f94537d5a3ddef71234c0baedfad4ca6861634d0b94c3007fed557ad17df6"),
        pk_sm=h("f0f4f9e96c54aeed3f323de8534fffd7e0577e4ce269896716bcb95643c8712b"),
        sk_sm=h("2def0cb58ffcf83d1062dd085c8aceca7f4c0c3fd05912d847b61f3e54121f05"),
        enc=h("f7674cc8cd7baa5872d1f33dbaffe3314239f6197ddf5ded1746760bfc847e0e"),
        ct=h(
            "ab1a13c9d4f01a87ec3440dbd756e2677bd2ecf9df0ce7ed73869b98e00c09be"
            "111cb9fdf077347aeb88e61bdf"
        ),
        exports=(
            h("070cffafd89b67b7f0eeb800235303a223e6ff9d1e774dce8eac585c8688c872"),
            h("2852e728568d40ddb0edde284d36a4359c56558bb2fb8837cd3d92e46a3a14a8"),
            h("1df39dc5dd60edcbf5f9ae804e15ada66e885b28ed7929116f768369a3f950ee"),
        ),
    ),
    RfcVector(
        "A.2.4",
        3,
        ikm_e=h("49d6eac8c6c558c953a0a252929a818745bb08cd3d29e15f9f5db5eb2e7d4b84"),
        pk_em=h("656a2e00dc9990fd189e6e473459392df556e9a2758754a09db3f51179a3fc02"),
        ikm_r=h("f3304ddcf15848488271f12b75ecaf72301faabf6ad283654a14c398832eb184"),
        pk_rm=h("a5099431c35c491ec62ca91df1525d6349cb8aa170c51f9581f8627be6334851"),
        sk_rm=h("7b36a42822e75bf3362dfabbe474b3016236408becb83b859a6909e22803cb0c"),
        ikm_s=h("20ade1d5203de1aadfb261c4700b6432e260d0d317be6ebbb8d7fffb1f86ad9d"),
        pk_sm=h("3ac5bd4dd66ff9f2740bef0d6ccb66daa77bff7849d7895182b07fb74d087c45"),
        sk_sm=h("90761c5b0a7ef0985ed66687ad708b921d9803d51637c8d1cb72d03ed0f64418"),
        psk=h("0247fd33b913760fa1fa51e1892d9f307fbe65eb171e8132c2af18555a738b82"),
        psk_id=h("456e6e796e20447572696e206172616e204d6f726961"),
        enc=h("656a2e00dc9990fd189e6e473459392df556e9a2758754a09db3f51179a3fc02"),
        ct=h(
            "9aa52e29274fc6172e38a4461361d2342585d3aeec67fb3b721ecd63f059577c"
            "7fe886be0ede01456ebc67d597"
        ),
        exports=(
            h("c23ebd4e7a0ad06a5dddf779f65004ce9481069ce0f0e6dd51a04539ddcbd5cd"),
            h("ed7ff5ca40a3d84561067ebc8e01702bc36cf1eb99d42a92004642b9dfaadd37"),
            h("d3bae066aa8da27d527d85c040f7dd6ccb60221c902ee36a82f70bcd62a60ee4"),
        ),
    ),
)


def rfc_vector(suite: Suite, mode: int) -> RfcVector:
    section = f"{suite.section}.{mode + 1}"
    found = [v for v in RFC_VECTORS if v.section == section]
    if len(found) != 1 or found[0].mode != mode:
        raise GeneratorError(f"no RFC 9180 vector {section} for mode {mode}")
    return found[0]


@functools.cache
def check_rfc_vector(suite: Suite, v: RfcVector) -> Inputs:
    """Abort unless pyhpke and the reference both reproduce every value of an RFC section."""
    where = f"RFC 9180 {v.section}"
    require_equal(f"{where} (skRm, pkRm)", (v.sk_rm, v.pk_rm), derive_checked(suite, v.ikm_r))
    require_equal(f"{where} pkEm", v.pk_em, derive_checked(suite, v.ikm_e)[1])
    require_equal(f"{where} enc = pkEm", v.pk_em, v.enc)
    if v.ikm_s:
        require_equal(f"{where} (skSm, pkSm)", (v.sk_sm, v.pk_sm), derive_checked(suite, v.ikm_s))
    i = Inputs(suite, v.mode, RFC_INFO, v.psk, v.psk_id, v.sk_sm, v.pk_sm)
    require_equal(
        f"{where} enc, ct", (v.enc, v.ct), seal_checked(i, v.pk_rm, RFC_AAD0, RFC_PT, v.ikm_e)
    )
    open_checked(i, v.sk_rm, v.enc, RFC_AAD0, v.ct, RFC_PT)
    for context, value in zip(RFC_EXPORTER_CONTEXTS, v.exports, strict=True):
        require_equal(f"{where} export", value, export_checked(i, v.sk_rm, v.enc, context, 32))
    return i


def export_checked(i: Inputs, sk_r: bytes, enc: bytes, context: bytes, length: int) -> bytes:
    value = ref_export(i, sk_r, enc, context, length)
    require_equal(
        f"{i.suite.short} mode {i.mode} export pyhpke vs reference",
        value,
        py_export(i, sk_r, enc, context, length),
    )
    return value


# ---------------------------------------------------------------------------------------------
# Low-order X25519 points
# ---------------------------------------------------------------------------------------------


def low_order_points_for(mode: int, every_in: int) -> list[tuple[str, bytes, bool]]:
    """The low-order encodings a group offers in one place: all 14 (RFC 7748 §5 decodes every
    one of them to a point whose DH output is all zero, RFC 9180 §7.1.4) in mode ``every_in``,
    the first three canonical ones in the other modes."""
    return curve.low_order_points(True) if mode == every_in else curve.low_order_points(False)[:3]


def low_order_flags(flag: str, noncanonical: bool) -> list[str]:
    """``flag``, with NonCanonicalPublic for an encoding >= p or with bit 255 set."""
    return [flag, "NonCanonicalPublic"] if noncanonical else [flag]


def zero_dh_ciphertext(
    i: Inputs, sk_r: bytes, enc: bytes, aad: bytes, msg: bytes, what: str
) -> bytes:
    """A ciphertext that opens under the key schedule of an all-zero DH value (what a recipient
    that skips the §7.1.4 check computes), after checking that both implementations refuse it."""
    shared_secret = ref_decap(enc, sk_r, i.pk_s, validate=False)
    ctx = key_schedule(i.suite, i.mode, shared_secret, i.info, i.psk, i.psk_id)
    ct = i.suite.aead(ctx.key).encrypt(ctx.base_nonce, msg, aad)
    require_equal(f"{what}: opens without the check", msg, ref_open(i, sk_r, enc, aad, ct, False))
    refused_by_both(what, ref_open, py_open, i, sk_r, enc, aad, ct)
    return ct


# ---------------------------------------------------------------------------------------------
# hpke_test.json
# ---------------------------------------------------------------------------------------------

LOW_ORDER_LINKS = (link("7.1.4"), "https://www.rfc-editor.org/rfc/rfc7748#section-6.1")

HPKE_NOTES = {
    "Ktv": NoteSpec(
        "BASIC",
        "Known-answer vector of RFC 9180 Appendix A, used verbatim: the setup of the section "
        "and its encryption with sequence number 0 (what the single-shot API computes).",
    ),
    "Pseudorandom": NoteSpec(
        "BASIC",
        "Pseudo-random keys, info, AAD and message; enc and ct were computed by pyhpke and "
        "reproduced by the reference implementation in vectors/generators/hpke.py.",
    ),
    "ModifiedCiphertext": NoteSpec(
        "AUTH_BYPASS", "A bit of the AEAD ciphertext is flipped; Open must fail (§5.2)."
    ),
    "ModifiedTag": NoteSpec(
        "AUTH_BYPASS",
        "A bit of the 16-byte AEAD tag (the end of ct) is flipped; Open must fail (§5.2).",
    ),
    "TruncatedCiphertext": NoteSpec(
        "AUTH_BYPASS",
        "ct lost its last byte, or is shorter than the 16-byte tag; Open must fail.",
    ),
    "ModifiedAad": NoteSpec(
        "AUTH_BYPASS", "The associated data differs from the sealed one; Open must fail."
    ),
    "ModifiedInfo": NoteSpec(
        "AUTH_BYPASS",
        "info differs from the sender's; the key schedule binds it (info_hash, §5.1), so Open "
        "must fail.",
    ),
    "ModifiedEnc": NoteSpec(
        "AUTH_BYPASS",
        "A bit of enc is flipped: another ephemeral public key, hence another shared secret; "
        "Open must fail.",
    ),
    "NonCanonicalEnc": NoteSpec(
        "MALLEABILITY",
        "enc has bit 255 set. X25519 masks that bit (RFC 7748 §5), so DH(skR, pkE) is unchanged, "
        "but kem_context holds enc as received (§4.1 Decap), so the shared secret differs and "
        "Open must fail.",
        effect="An implementation that re-encodes pkE to build kem_context accepts a second "
        "encoding of the same message.",
        links=(link("4.1"), "https://www.rfc-editor.org/rfc/rfc7748#section-5"),
    ),
    "WrongPsk": NoteSpec(
        "AUTH_BYPASS",
        "The PSK differs in one bit from the sender's; the key schedule extracts the secret "
        "with it (§5.1), so Open must fail.",
    ),
    "WrongPskId": NoteSpec(
        "AUTH_BYPASS",
        "psk_id differs in one bit from the sender's; the key schedule binds it (psk_id_hash, "
        "§5.1), so Open must fail.",
    ),
    "WrongSenderKey": NoteSpec(
        "AUTH_BYPASS",
        "Auth modes: pkS is another party's key, not the sender's; AuthDecap (§4.1) gives "
        "another shared secret, so Open must fail (sender authentication).",
    ),
    "LowOrderEnc": NoteSpec(
        "EDGE_CASE",
        "enc is a low-order X25519 point, so DH(skR, pkE) is all zero; §7.1.4: recipients MUST "
        "check whether the Diffie-Hellman shared secret is the all-zero value and abort. ct is "
        "valid under the key schedule of the all-zero value, so an implementation that skips "
        "the check opens it instead of failing by accident.",
        effect="Whoever chooses enc knows the KEM shared secret (in Base mode, everything): the "
        "key exchange is not contributory.",
        links=LOW_ORDER_LINKS,
    ),
    "LowOrderSenderKey": NoteSpec(
        "EDGE_CASE",
        "Auth modes: pkS is a low-order X25519 point, so DH(skR, pkS) is all zero and must be "
        "rejected (§7.1.4). ct is valid under the key schedule computed with that zero value, "
        "so an implementation that skips the check opens it.",
        effect="Sender authentication rests on a value anyone can compute.",
        links=LOW_ORDER_LINKS,
    ),
    "LowOrderRecipientKey": NoteSpec(
        "EDGE_CASE",
        "pkR is a low-order X25519 point, so DH(skE, pkR) is all zero; §7.1.4 requires X25519 "
        "Diffie-Hellman outputs to be validated, so Seal must refuse (EncapError) rather than "
        "encrypt under a key anyone can compute. enc and ct are empty.",
        effect="The message is encrypted under a key an eavesdropper can derive from enc alone.",
        links=LOW_ORDER_LINKS,
    ),
    "NonCanonicalPublic": NoteSpec(
        "EDGE_CASE",
        "The low-order u-coordinate is written non-canonically (a value >= p, or bit 255 set); "
        "X25519 reduces it (RFC 7748 §5), so the DH output is still all zero.",
    ),
}


@dataclass(frozen=True)
class KeyPair:
    ikm: bytes
    sk: bytes
    pk: bytes


NO_KEY = KeyPair(b"", b"", b"")


def new_key_pair(rng: ByteSource, suite: Suite, ikm_size: int = 32) -> KeyPair:
    ikm = rng.bytes(ikm_size)
    return KeyPair(ikm, *derive_checked(suite, ikm))


def add_case(
    g: GroupBuilder,
    comment: str,
    flags: Sequence[str],
    result: ResultName,
    *,
    i: Inputs,
    r: KeyPair,
    s: KeyPair,
    ikm_e: bytes,
    aad: bytes,
    msg: bytes,
    enc: bytes,
    ct: bytes,
    source: CaseSource | None = None,
) -> None:
    g.add(
        comment,
        flags,
        result,
        source,
        ikmR=r.ikm,
        skR=r.sk,
        pkR=r.pk,
        ikmS=s.ikm,
        skS=s.sk,
        pkS=s.pk,
        ikmE=ikm_e,
        psk=i.psk,
        pskId=i.psk_id,
        info=i.info,
        aad=aad,
        msg=msg,
        enc=enc,
        ct=ct,
    )


def seal_open_refs(mode: int) -> list[SpecRefSpec]:
    return [
        SpecRefSpec(RFC, MODE_SECTION[mode]),
        SpecRefSpec(RFC, "6.1"),
        SpecRefSpec(RFC, "7.1.3"),
        SpecRefSpec(RFC, "7.1.4", "MUST"),
    ]


def new_inputs(
    rng: ByteSource, suite: Suite, mode: int, info_size: int, n: int
) -> tuple[Inputs, KeyPair]:
    """Inputs for one pseudo-random case of ``mode``: info, PSK (32 or 64 bytes), sender key."""
    psk = psk_id = b""
    if uses_psk(mode):
        psk, psk_id = rng.bytes(64 if n % 3 == 2 else 32), rng.bytes(1 + rng.below(32))
    sender = new_key_pair(rng, suite) if uses_auth(mode) else NO_KEY
    return Inputs(suite, mode, rng.bytes(info_size), psk, psk_id, sender.sk, sender.pk), sender


#: (message, AAD, info, ikm) sizes of the pseudo-random valid cases of each group.
PSEUDORANDOM_SIZES = (
    (0, 0, 0, 32),
    (1, 7, 20, 64),
    (16, 0, 64, 32),
    (33, 32, 1, 48),
    (64, 1, 0, 32),
    (300, 13, 33, 33),
)
#: The pseudo-random case the tampered ones start from (non-empty message, AAD and info).
TAMPER_BASE = 3


def gen_seal_open(out: Path) -> Path:
    rng = ByteSource(SEED_LABEL + "hpke")
    fb = FileBuilder(
        algorithm="HPKE",
        type_name="HpkeTest",
        header=[
            "HPKE single-shot Seal/Open (RFC 9180 §6.1), DHKEM(X25519, HKDF-SHA256), HKDF-SHA256,",
            "AES-128-GCM and ChaCha20Poly1305, modes Base, PSK, Auth and AuthPSK: RFC 9180",
            "Appendix A.1 and A.2 vectors, pseudo-random cases, tampered inputs, and low-order",
            "X25519 points whose all-zero DH output must be rejected (§7.1.4).",
        ],
        notes=HPKE_NOTES,
        source=SOURCE,
    )
    refused: Counter[str] = Counter()
    for suite in SUITES:
        for mode, mode_name in HPKE_MODES.items():
            g = fb.group(
                seal_open_refs(mode),
                kemId=suite.kem_id,
                kdfId=suite.kdf_id,
                aeadId=suite.aead_id,
                mode=mode,
            )
            label = f"{suite.short}, {mode_name}"

            # RFC 9180 Appendix A.
            v = rfc_vector(suite, mode)
            i = check_rfc_vector(suite, v)
            add_case(
                g,
                f"RFC 9180 {v.section} ({mode_name} Setup Information), encryption with sequence "
                f"number 0 ({v.section}.1)",
                ["Ktv"],
                "valid",
                i=i,
                r=KeyPair(v.ikm_r, v.sk_rm, v.pk_rm),
                s=KeyPair(v.ikm_s, v.sk_sm, v.pk_sm),
                ikm_e=v.ikm_e,
                aad=RFC_AAD0,
                msg=RFC_PT,
                enc=v.enc,
                ct=v.ct,
                source=CaseSource(RFC, f"{v.section}.1"),
            )

            # Pseudo-random cases.
            bases = []
            for n, (msg_size, aad_size, info_size, ikm_size) in enumerate(PSEUDORANDOM_SIZES):
                recipient = new_key_pair(rng, suite, ikm_size)
                i, sender = new_inputs(rng, suite, mode, info_size, n)
                ikm_e, aad, msg = rng.bytes(ikm_size), rng.bytes(aad_size), rng.bytes(msg_size)
                enc, ct = seal_checked(i, recipient.pk, aad, msg, ikm_e)
                open_checked(i, recipient.sk, enc, aad, ct, msg)
                add_case(
                    g,
                    f"{label}: pseudo-random {msg_size}-byte message, {aad_size}-byte AAD, "
                    f"{info_size}-byte info, {ikm_size}-byte ikm",
                    ["Pseudorandom"],
                    "valid",
                    i=i,
                    r=recipient,
                    s=sender,
                    ikm_e=ikm_e,
                    aad=aad,
                    msg=msg,
                    enc=enc,
                    ct=ct,
                )
                bases.append((i, recipient, sender, ikm_e, aad, msg, enc, ct))

            # Tampered inputs, from one of the pseudo-random cases.
            i, recipient, sender, ikm_e, aad, msg, enc, ct = bases[TAMPER_BASE]
            tag_bits = 8 * len(ct)
            tampered: list[tuple[str, str, Inputs, bytes, bytes, bytes]] = [
                (
                    "bit 0 of the ciphertext flipped",
                    "ModifiedCiphertext",
                    i,
                    aad,
                    enc,
                    bit_flip(ct, 0),
                ),
                (
                    "last bit of the ciphertext (before the tag) flipped",
                    "ModifiedCiphertext",
                    i,
                    aad,
                    enc,
                    bit_flip(ct, 8 * len(msg) - 1),
                ),
                (
                    "first bit of the tag flipped",
                    "ModifiedTag",
                    i,
                    aad,
                    enc,
                    bit_flip(ct, tag_bits - 8 * NT),
                ),
                (
                    "last bit of the tag flipped",
                    "ModifiedTag",
                    i,
                    aad,
                    enc,
                    bit_flip(ct, tag_bits - 1),
                ),
                ("last byte of ct removed", "TruncatedCiphertext", i, aad, enc, ct[:-1]),
                (
                    "ct cut to 15 bytes, shorter than the tag",
                    "TruncatedCiphertext",
                    i,
                    aad,
                    enc,
                    ct[:15],
                ),
                ("bit 0 of the AAD flipped", "ModifiedAad", i, bit_flip(aad, 0), enc, ct),
                (
                    "info differs in bit 0",
                    "ModifiedInfo",
                    replace(i, info=bit_flip(i.info, 0)),
                    aad,
                    enc,
                    ct,
                ),
                ("bit 0 of enc flipped", "ModifiedEnc", i, aad, bit_flip(enc, 0), ct),
                (
                    "enc with bit 255 set (same X25519 point)",
                    "NonCanonicalEnc",
                    i,
                    aad,
                    bit_flip(enc, 255),
                    ct,
                ),
            ]
            if uses_psk(mode):
                tampered.append(
                    (
                        "PSK differs in bit 0",
                        "WrongPsk",
                        replace(i, psk=bit_flip(i.psk, 0)),
                        aad,
                        enc,
                        ct,
                    )
                )
                tampered.append(
                    (
                        "psk_id differs in bit 0",
                        "WrongPskId",
                        replace(i, psk_id=bit_flip(i.psk_id, 0)),
                        aad,
                        enc,
                        ct,
                    )
                )
            if uses_auth(mode):
                other = new_key_pair(rng, suite)
                tampered.append(
                    (
                        "pkS is another party's key",
                        "WrongSenderKey",
                        replace(i, pk_s=other.pk),
                        aad,
                        enc,
                        ct,
                    )
                )
            for comment, flag, ti, taad, tenc, tct in tampered:
                what = f"{label}: {comment}"
                if flag == "ModifiedEnc" and curve.x25519(recipient.sk, tenc) == bytes(32):
                    raise GeneratorError(f"{what}: the flipped enc is a low-order point")
                refused_by_both(what, ref_open, py_open, ti, recipient.sk, tenc, taad, tct)
                refused["tampered"] += 1
                add_case(
                    g,
                    f"{what}; Open must fail",
                    [flag],
                    "invalid",
                    i=ti,
                    r=recipient,
                    s=KeyPair(sender.ikm, sender.sk, ti.pk_s),
                    ikm_e=ikm_e,
                    aad=taad,
                    msg=msg,
                    enc=tenc,
                    ct=tct,
                )

            # Low-order enc: the all-zero DH(skR, pkE).
            every = mode == MODE_BASE
            for name, point, noncanonical in curve.low_order_points(every):
                recipient = new_key_pair(rng, suite)
                i, sender = new_inputs(rng, suite, mode, 16, 0)
                aad, msg = rng.bytes(8), rng.bytes(24)
                what = f"{label}: enc is the low-order {name}"
                ct = zero_dh_ciphertext(i, recipient.sk, point, aad, msg, what)
                refused["low-order enc"] += 1
                add_case(
                    g,
                    f"{what}; ct is valid under the all-zero DH value; Open must refuse",
                    low_order_flags("LowOrderEnc", noncanonical),
                    "invalid",
                    i=i,
                    r=recipient,
                    s=sender,
                    ikm_e=b"",
                    aad=aad,
                    msg=msg,
                    enc=point,
                    ct=ct,
                )

            # Low-order pkS (Auth modes): the all-zero DH(skR, pkS). Every encoding in Auth
            # mode, the first three canonical ones in AuthPSK.
            if uses_auth(mode):
                for name, point, noncanonical in low_order_points_for(mode, MODE_AUTH):
                    recipient = new_key_pair(rng, suite)
                    i, _sender = new_inputs(rng, suite, mode, 16, 0)
                    i = replace(i, sk_s=b"", pk_s=point)
                    ikm_e, aad, msg = rng.bytes(32), rng.bytes(8), rng.bytes(24)
                    enc = derive_checked(suite, ikm_e)[1]
                    what = f"{label}: pkS is the low-order {name}"
                    ct = zero_dh_ciphertext(i, recipient.sk, enc, aad, msg, what)
                    refused["low-order pkS"] += 1
                    add_case(
                        g,
                        f"{what}; ct is valid under DH(skR, pkS) = 0; Open must refuse",
                        low_order_flags("LowOrderSenderKey", noncanonical),
                        "invalid",
                        i=i,
                        r=recipient,
                        s=KeyPair(b"", b"", point),
                        ikm_e=ikm_e,
                        aad=aad,
                        msg=msg,
                        enc=enc,
                        ct=ct,
                    )

            # Low-order pkR: Seal must refuse. Every encoding in Base mode, the first three
            # canonical ones in the others.
            for name, point, noncanonical in low_order_points_for(mode, MODE_BASE):
                i, sender = new_inputs(rng, suite, mode, 16, 0)
                ikm_e, aad, msg = rng.bytes(32), rng.bytes(8), rng.bytes(24)
                what = f"{label}: pkR is the low-order {name}"
                refused_by_both(what, ref_seal, py_seal, i, point, aad, msg, ikm_e)
                refused["low-order pkR"] += 1
                add_case(
                    g,
                    f"{what}; Seal must refuse",
                    low_order_flags("LowOrderRecipientKey", noncanonical),
                    "invalid",
                    i=i,
                    r=KeyPair(b"", b"", point),
                    s=sender,
                    ikm_e=ikm_e,
                    aad=aad,
                    msg=msg,
                    enc=b"",
                    ct=b"",
                )
    OBSERVATIONS.append(
        "HpkeTest invalid cases refused by pyhpke and the reference: "
        + ", ".join(f"{k} {v}" for k, v in sorted(refused.items()))
    )
    return write(fb, out / "hpke_test.json")


# ---------------------------------------------------------------------------------------------
# hpke_export_test.json
# ---------------------------------------------------------------------------------------------

EXPORT_NOTES = {
    "Ktv": NoteSpec(
        "BASIC",
        "Known-answer vector of RFC 9180 Appendix A, used verbatim: an exported value of the "
        'section\'s "Exported Values" (L = 32) for the context set up in that section.',
    ),
    "Pseudorandom": NoteSpec(
        "BASIC",
        "Pseudo-random keys, info and exporter_context; the exported value was computed by "
        "pyhpke and reproduced by the reference implementation in vectors/generators/hpke.py.",
    ),
    "TwoByteLength": NoteSpec(
        "EDGE_CASE",
        "L >= 256, so the high byte of I2OSP(L, 2) at the start of LabeledExpand's labeled_info "
        "(§4) is not zero; an implementation that encodes L in one byte (L mod 256) derives "
        "another value. Pseudo-random keys and context; the value was computed by pyhpke and "
        "reproduced by the reference implementation.",
        effect="Exported secrets of 256 bytes or more differ from every other implementation's.",
        links=(link("4"),),
    ),
    "MaxLength": NoteSpec(
        "EDGE_CASE",
        "L = 255 * Nh = 8160 bytes, the largest export §5.3 allows for HKDF-SHA256.",
        links=(link("5.3"),),
    ),
    "LengthTooLarge": NoteSpec(
        "EDGE_CASE",
        "L is above 255 * Nh = 8160 (§5.3, RFC 5869 §2.3); Export must refuse. L = 65536 does "
        "not even fit the two bytes of I2OSP(L, 2) in LabeledExpand (§4).",
        effect="An implementation that lets the HKDF block counter wrap, or truncates L to 16 "
        "bits, returns repeated or too-short key material.",
        links=(link("5.3"), "https://www.rfc-editor.org/rfc/rfc5869#section-2.3"),
    ),
    "LowOrderEnc": NoteSpec(
        "EDGE_CASE",
        "enc is a low-order X25519 point, so DH(skR, pkE) is all zero; §7.1.4: recipients MUST "
        "abort. Any exported value is a failure.",
        effect="The exported secret is one that whoever chose enc can compute.",
        links=LOW_ORDER_LINKS,
    ),
}


def export_flags(length: int) -> list[str]:
    if length == 255 * NH:
        return ["TwoByteLength", "MaxLength"]
    return ["TwoByteLength"] if length >= 256 else ["Pseudorandom"]


def export_refs(mode: int) -> list[SpecRefSpec]:
    return [
        SpecRefSpec(RFC, MODE_SECTION[mode]),
        SpecRefSpec(RFC, "5.3", "MUST"),
        SpecRefSpec(RFC, "6.2"),
        SpecRefSpec(RFC, "7.1.4", "MUST"),
    ]


#: (exporter_context size, L) of the pseudo-random valid cases of each group.
EXPORT_SIZES = ((0, 1), (1, 16), (32, 32), (100, 42), (7, 64), (16, 255), (5, 256), (0, 8160))


def gen_export(out: Path) -> Path:
    rng = ByteSource(SEED_LABEL + "hpke-export")
    fb = FileBuilder(
        algorithm="HPKE",
        type_name="HpkeExport",
        header=[
            "HPKE secret export on the recipient side (RFC 9180 §6.2 ReceiveExport, §5.3),",
            "DHKEM(X25519, HKDF-SHA256), HKDF-SHA256, AES-128-GCM and ChaCha20Poly1305, all four",
            "modes: RFC 9180 Appendix A exported values, pseudo-random contexts and lengths up to",
            "255 * Nh, lengths above it, and low-order enc values (§7.1.4).",
        ],
        notes=EXPORT_NOTES,
        source=SOURCE,
    )
    for suite in SUITES:
        for mode, mode_name in HPKE_MODES.items():
            g = fb.group(
                export_refs(mode),
                kemId=suite.kem_id,
                kdfId=suite.kdf_id,
                aeadId=suite.aead_id,
                mode=mode,
            )
            label = f"{suite.short}, {mode_name}"

            def add(
                comment: str,
                flags: Sequence[str],
                result: ResultName,
                i: Inputs,
                sk_r: bytes,
                enc: bytes,
                context: bytes,
                length: int,
                exported: bytes,
                source: CaseSource | None = None,
                g: GroupBuilder = g,
            ) -> None:
                g.add(
                    comment,
                    flags,
                    result,
                    source,
                    skR=sk_r,
                    pkS=i.pk_s,
                    psk=i.psk,
                    pskId=i.psk_id,
                    info=i.info,
                    enc=enc,
                    exporterContext=context,
                    length=length,
                    exported=exported,
                )

            v = rfc_vector(suite, mode)
            i = check_rfc_vector(suite, v)
            for context, value in zip(RFC_EXPORTER_CONTEXTS, v.exports, strict=True):
                shown = f"0x{context.hex()}" if context else "empty"
                add(
                    f"RFC 9180 {v.section}.2 ({mode_name}): exporter_context {shown}, L = 32",
                    ["Ktv"],
                    "valid",
                    i,
                    v.sk_rm,
                    v.enc,
                    context,
                    32,
                    value,
                    CaseSource(RFC, f"{v.section}.2"),
                )

            recipient = new_key_pair(rng, suite)
            i, _ = new_inputs(rng, suite, mode, 24, 1)
            enc = derive_checked(suite, rng.bytes(32))[1]
            for context_size, length in EXPORT_SIZES:
                context = rng.bytes(context_size)
                value = export_checked(i, recipient.sk, enc, context, length)
                add(
                    f"{label}: {context_size}-byte exporter_context, L = {length}",
                    export_flags(length),
                    "valid",
                    i,
                    recipient.sk,
                    enc,
                    context,
                    length,
                    value,
                )
            for length in (8161, 65536) if mode == MODE_BASE else (8161,):
                what = f"{label}: L = {length} is above 255 * Nh = 8160"
                refused_by_both(what, ref_export, py_export, i, recipient.sk, enc, b"", length)
                add(what, ["LengthTooLarge"], "invalid", i, recipient.sk, enc, b"", length, b"")
            for name, point, _ in (
                curve.low_order_points(False)[0],
                curve.low_order_points(False)[2],
            ):
                what = f"{label}: enc is the low-order {name}"
                refused_by_both(what, ref_export, py_export, i, recipient.sk, point, b"", 32)
                value = ref_export(i, recipient.sk, point, b"", 32, validate=False)
                add(
                    f"{what}; without the §7.1.4 check the export would be {value.hex()[:16]}...",
                    ["LowOrderEnc"],
                    "invalid",
                    i,
                    recipient.sk,
                    point,
                    b"",
                    32,
                    b"",
                )
    return write(fb, out / "hpke_export_test.json")


# ---------------------------------------------------------------------------------------------


def generate(out: Path) -> list[Path]:
    """Write the HPKE vector files into ``out`` and check them; return the paths."""
    OBSERVATIONS.clear()
    check_rfc_vector.cache_clear()
    paths = [gen_seal_open(out), gen_export(out)]
    check(paths)
    return paths


def main(argv: Sequence[str] | None = None) -> int:
    description = __doc__.splitlines()[0] if __doc__ else None
    return run_generator("hpke.py", description, "hpke", generate, OBSERVATIONS, argv)


if __name__ == "__main__":
    sys.exit(main())
