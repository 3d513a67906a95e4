"""Generate the primitive vector files in ``vectors/primitives/``.

Usage: ``PYTHONPATH=. python vectors/generators/primitives.py [--out DIR]``

Each file mixes published known-answer vectors, pseudo-random cases and crafted invalid or
edge cases:

* ``x25519_test.json``, ``x25519_iterated_test.json``: RFC 7748 §5 (X25519, non-canonical and
  masked u-coordinates), §5.2 and §6.1 vectors, and the low-order inputs of §6.1.
* ``ed25519_test.json``: RFC 8032 §7.1 vectors and the checks of §5.1.7 (S < L, canonical
  point decoding per §5.1.3, exact signature length).
* ``hkdf_sha256_test.json``: RFC 5869 Appendix A.1-A.3 and the output limit of §2.3.
* ``hmac_sha256_test.json``: RFC 4231 §4.2-4.8 (HMAC, RFC 2104) and tag tampering.
* ``chacha20_poly1305_test.json``, ``xchacha20_poly1305_test.json``, ``aes_256_gcm_test.json``:
  RFC 8439 §2.8.2, draft-irtf-cfrg-xchacha-03 Appendix A.3.1, the AES-256 test cases 13-16 of
  McGrew and Viega's GCM specification, and tampered ciphertexts, tags, AAD and nonces.
* ``aes_256_cbc_test.json``: NIST SP 800-38A F.2.5, PKCS#7 padding (RFC 5652 §6.3) and bad
  padding.
* ``aes_256_cbc_hmac_sha256_test.json``: the Double Ratchet's recommended ENCRYPT (Signal
  Double Ratchet spec §5.2) as used by Signal and Olm.

Everything is deterministic: pseudo-random inputs come from :class:`_common.ByteSource`. Every
published value is checked against pyca/cryptography (PyNaCl for XChaCha20-Poly1305), and every
computed expectation is reproduced by a second independent library (PyNaCl, pycryptodome) or by
the pure-Python reference in ``_curve25519`` / ``_edwards25519``; any disagreement aborts.
"""

from __future__ import annotations

import hashlib
import hmac
import sys
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

# Run as a script from a checkout: make the repository root importable (for `conformance` and
# `vectors.generators`), whatever PYTHONPATH says.
sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

import nacl.bindings
import nacl.exceptions
from Crypto.Cipher import AES, ChaCha20_Poly1305
from Crypto.Hash import HMAC as CryptoHMAC
from Crypto.Hash import SHA256 as CryptoSHA256
from Crypto.Protocol.KDF import HKDF as CryptoHKDF
from Crypto.Util.Padding import pad as crypto_pad
from Crypto.Util.Padding import unpad as crypto_unpad
from cryptography.exceptions import InvalidSignature, InvalidTag
from cryptography.hazmat.primitives import hashes, padding
from cryptography.hazmat.primitives import hmac as crypto_hmac
from cryptography.hazmat.primitives.asymmetric.ed25519 import (
    Ed25519PrivateKey,
    Ed25519PublicKey,
)
from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey, X25519PublicKey
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM, ChaCha20Poly1305
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

from vectors.generators import _curve25519 as curve
from vectors.generators import _edwards25519 as ed
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

GENERATOR = "vectors/generators/primitives.py"
SOURCE = {"generator": GENERATOR, "version": "1"}
SEED_LABEL = "e2ee-conformance/vectors/primitives/v1/"

#: Observations about how the libraries treat the non-valid cases (printed, never asserted).
OBSERVATIONS: list[str] = []


def rfc(number: int, section: str) -> str:
    return f"https://www.rfc-editor.org/rfc/rfc{number}#section-{section}"


KTV = NoteSpec("BASIC", "Known-answer vector published in the document named by the case source.")


# ---------------------------------------------------------------------------------------------
# X25519 (RFC 7748)
# ---------------------------------------------------------------------------------------------

X25519_BASE = curve.BASE_U

RFC7748_52 = (
    (
        h("a546e36bf0527c9d3b16154b82465edd62144c0ac1fc5a18506a2244ba449ac4"),
        h("e6db6867583030db3594c1a424b15f7c726624ec26b3353b10a903a6d0ab1c4c"),
        h("c3da55379de9c6908e94ea4df28d084f32eccf03491c71f754b4075577a28552"),
    ),
    (
        h("4b66e9d4d1b4673c5ad22691957d6af5c11b6421e0ea01d42ca4169e7918ba0d"),
        h("e5210f12786811d3f4b7959d0538ae2c31dbe7106fc03c3efc4cd549c715a493"),
        h("95cbde9476e8907d7aade45cb4b873f88b595a68799fa152e6f8f7647aac7957"),
    ),
)
ALICE_PRIV = h("77076d0a7318a57d3c16c17251b26645df4c2f87ebc0992ab177fba51db92c2a")
ALICE_PUB = h("8520f0098930a754748b7ddcb43ef75a0dbf3a0d26381af4eba4a98eaa9b4e6a")
BOB_PRIV = h("5dab087e624a8a4b79e17f8b83800ee66f3bb1292618b6fd1c2f8b27ff88e0eb")
BOB_PUB = h("de9edb7d7b7dc1b4d35b61c2ece435373f8343c85b78674dadfc7e146f882b4f")
RFC7748_K = h("4a5d9d5ba4ce2de1728e3bf480350f25e07e21c947d19e3376f09b3c1e161742")
RFC7748_ITERATED = (
    (1, h("422c8e7a6227d7bca1350b3e2bb7279f7897b87bb6854b783c60e80311ae3079")),
    (1000, h("684cf59ba83309552800ef566f2f4d3c1c3887c49360e3875f2eb94d99532c51")),
)

X25519_NOTES = {
    "Ktv": KTV,
    "Pseudorandom": NoteSpec(
        "BASIC",
        "X25519 of a pseudo-random private scalar and a real peer public key; the output was "
        "computed by pyca/cryptography and reproduced by PyNaCl and a pure-Python ladder.",
    ),
    "LowOrderPublic": NoteSpec(
        "EDGE_CASE",
        "The peer u-coordinate belongs to a point of small order, so X25519 returns the "
        "all-zero value for every private scalar. RFC 7748 §6.1 lets implementations check for "
        "it; key-agreement protocols (HPKE RFC 9180 §7.1.4, Signal, Olm) must abort.",
        effect="A party that keeps going derives a shared secret the attacker knows "
        "(non-contributory key exchange).",
        links=(rfc(7748, "6.1"), rfc(9180, "7.1.4")),
    ),
    "ZeroSharedSecret": NoteSpec(
        "EDGE_CASE",
        "The expected X25519 output is 32 zero bytes; computing it is correct for the bare "
        "function, a protocol using it must detect it and reject the peer key.",
        links=(rfc(7748, "6.1"),),
    ),
    "NonCanonicalPublic": NoteSpec(
        "EDGE_CASE",
        "The u-coordinate is not in canonical form (its value is >= p, or bit 255 is set). "
        "RFC 7748 §5 requires masking bit 255 and processing values >= p as if reduced modulo "
        "p; the expected output is that of the reduced value.",
        links=(rfc(7748, "5"),),
    ),
}


def x25519_checked(private: bytes, public: bytes) -> bytes:
    """X25519 by pyca/cryptography, reproduced by PyNaCl and the pure-Python ladder."""
    shared = X25519PrivateKey.from_private_bytes(private).exchange(
        X25519PublicKey.from_public_bytes(public)
    )
    what = f"X25519({private.hex()}, {public.hex()})"
    require_equal(
        f"{what} PyNaCl vs cryptography",
        shared,
        bytes(nacl.bindings.crypto_scalarmult(private, public)),
    )
    require_equal(f"{what} pure ladder vs cryptography", shared, curve.x25519(private, public))
    return shared


def x25519_public(private: bytes) -> bytes:
    public = X25519PrivateKey.from_private_bytes(private).public_key().public_bytes_raw()
    require_equal(
        "X25519 public key PyNaCl vs cryptography",
        public,
        bytes(nacl.bindings.crypto_scalarmult_base(private)),
    )
    return public


def gen_x25519(out: Path) -> Path:
    rng = ByteSource(SEED_LABEL + "x25519")
    fb = FileBuilder(
        algorithm="X25519",
        type_name="XdhComp",
        header=[
            "X25519 (RFC 7748 §5): RFC 7748 vectors, pseudo-random key pairs, non-canonical",
            "u-coordinates that must be reduced, and low-order peer points giving a zero output.",
        ],
        notes=X25519_NOTES,
        source=SOURCE,
    )
    g = fb.group([SpecRefSpec("RFC 7748", "5", "MUST")], curve="curve25519")

    for i, (k, u, expected) in enumerate(RFC7748_52, 1):
        require_equal(f"RFC 7748 §5.2 vector {i}", expected, x25519_checked(k, u))
        comment = f"RFC 7748 §5.2 test vector {i}"
        if u[31] & 0x80:
            comment += " (bit 255 of u is set and must be masked)"
        g.add(
            comment,
            ["Ktv"],
            "valid",
            CaseSource("RFC 7748", "5.2"),
            public=u,
            private=k,
            shared=expected,
        )

    s61 = CaseSource("RFC 7748", "6.1")
    require_equal(
        "RFC 7748 §6.1 Alice's public key", ALICE_PUB, x25519_checked(ALICE_PRIV, X25519_BASE)
    )
    require_equal("RFC 7748 §6.1 Bob's public key", BOB_PUB, x25519_checked(BOB_PRIV, X25519_BASE))
    require_equal("RFC 7748 §6.1 K (Alice)", RFC7748_K, x25519_checked(ALICE_PRIV, BOB_PUB))
    require_equal("RFC 7748 §6.1 K (Bob)", RFC7748_K, x25519_checked(BOB_PRIV, ALICE_PUB))
    g.add(
        "RFC 7748 §6.1 Alice's public key: X25519(a, 9)",
        ["Ktv"],
        "valid",
        s61,
        public=X25519_BASE,
        private=ALICE_PRIV,
        shared=ALICE_PUB,
    )
    g.add(
        "RFC 7748 §6.1 Bob's public key: X25519(b, 9)",
        ["Ktv"],
        "valid",
        s61,
        public=X25519_BASE,
        private=BOB_PRIV,
        shared=BOB_PUB,
    )
    g.add(
        "RFC 7748 §6.1 shared secret K = X25519(a, X25519(b, 9))",
        ["Ktv"],
        "valid",
        s61,
        public=BOB_PUB,
        private=ALICE_PRIV,
        shared=RFC7748_K,
    )
    g.add(
        "RFC 7748 §6.1 shared secret K = X25519(b, X25519(a, 9))",
        ["Ktv"],
        "valid",
        s61,
        public=ALICE_PUB,
        private=BOB_PRIV,
        shared=RFC7748_K,
    )

    # Pseudo-random key pairs.
    for i in range(60):
        private = rng.bytes(32)
        public = x25519_public(rng.bytes(32))
        shared = x25519_checked(private, public)
        g.add(
            f"pseudo-random key pair {i + 1}",
            ["Pseudorandom"],
            "valid",
            public=public,
            private=private,
            shared=shared,
        )

    # Non-canonical u-coordinates: u + p for small u, and bit 255 set.
    for small in range(2, 19):
        private = rng.bytes(32)
        canonical = small.to_bytes(32, "little")
        expected = x25519_checked(private, canonical)
        for top, label in ((0, ""), (1 << 255, " with bit 255 set")):
            public = (small + curve.P + top).to_bytes(32, "little")
            require_equal(
                f"X25519 of u + p for u = {small}", expected, x25519_checked(private, public)
            )
            g.add(
                f"u = p + {small}{label}: processed as u = {small}",
                ["NonCanonicalPublic"],
                "valid",
                public=public,
                private=private,
                shared=expected,
            )
    for i in range(6):
        private = rng.bytes(32)
        real = x25519_public(rng.bytes(32))
        public = real[:31] + bytes([real[31] | 0x80])
        expected = x25519_checked(private, real)
        require_equal("X25519 with bit 255 set", expected, x25519_checked(private, public))
        g.add(
            f"real public key {i + 1} with bit 255 set: the bit must be masked",
            ["NonCanonicalPublic"],
            "valid",
            public=public,
            private=private,
            shared=expected,
        )

    # Low-order peer points: the all-zero output.
    zero = bytes(32)
    privates = (ALICE_PRIV, rng.bytes(32))
    refused: Counter[str] = Counter()
    total = 0
    for name, u_bytes in curve.LOW_ORDER_U:
        noncanonical = int.from_bytes(u_bytes, "little") >= curve.P
        for top in (False, True):
            public = u_bytes[:31] + bytes([u_bytes[31] | 0x80]) if top else u_bytes
            flags = ["LowOrderPublic", "ZeroSharedSecret"]
            if noncanonical or top:
                flags.append("NonCanonicalPublic")
            for j, private in enumerate(privates):
                require_equal(
                    f"pure X25519 of low-order {name}", zero, curve.x25519(private, public)
                )
                total += 1
                try:
                    pyca = X25519PrivateKey.from_private_bytes(private).exchange(
                        X25519PublicKey.from_public_bytes(public)
                    )
                    require_equal("cryptography X25519 of a low-order point", zero, pyca)
                except ValueError:
                    refused["pyca/cryptography"] += 1
                try:
                    sodium = bytes(nacl.bindings.crypto_scalarmult(private, public))
                    require_equal("PyNaCl X25519 of a low-order point", zero, sodium)
                except nacl.exceptions.RuntimeError:
                    refused["PyNaCl"] += 1
                who = "RFC 7748 §6.1 Alice's" if j == 0 else "a pseudo-random"
                label = f"{name} with bit 255 set" if top else name
                g.add(
                    f"low-order public value {label}, {who} private key",
                    flags,
                    "acceptable",
                    public=public,
                    private=private,
                    shared=zero,
                )
    OBSERVATIONS.append(
        f"X25519 low-order cases: pyca/cryptography refuses {refused['pyca/cryptography']}/{total}, "
        f"PyNaCl refuses {refused['PyNaCl']}/{total}"
    )
    return write(fb, out / "x25519_test.json")


def gen_x25519_iterated(out: Path) -> Path:
    fb = FileBuilder(
        algorithm="X25519",
        type_name="XdhIterated",
        header=["Iterated X25519 of RFC 7748 §5.2 (1 and 1,000 iterations; k = u = 9 initially)."],
        notes={"Ktv": KTV},
        source=SOURCE,
    )
    g = fb.group([SpecRefSpec("RFC 7748", "5.2", "MUST")], curve="curve25519")
    results: dict[int, bytes] = {}
    k = u = X25519_BASE
    for n in range(1, 1001):
        new_k = X25519PrivateKey.from_private_bytes(k).exchange(
            X25519PublicKey.from_public_bytes(u)
        )
        k, u = new_k, k
        results[n] = k
    k2 = u2 = X25519_BASE
    for _ in range(1000):
        k2, u2 = bytes(nacl.bindings.crypto_scalarmult(k2, u2)), k2
    require_equal("iterated X25519 x1000, PyNaCl vs cryptography", results[1000], k2)
    for n, expected in RFC7748_ITERATED:
        require_equal(f"RFC 7748 §5.2 iterated X25519, {n} iterations", expected, results[n])
        g.add(
            f"RFC 7748 §5.2 after {n:,} iteration{'s' if n > 1 else ''}",
            ["Ktv"],
            "valid",
            CaseSource("RFC 7748", "5.2"),
            private=X25519_BASE,
            public=X25519_BASE,
            iterations=n,
            shared=expected,
        )
    return write(fb, out / "x25519_iterated_test.json")


# ---------------------------------------------------------------------------------------------
# Ed25519 (RFC 8032)
# ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class EdKat:
    name: str
    seed: bytes
    pub: bytes
    msg: bytes
    sig: bytes


RFC8032_71 = (
    EdKat(
        "TEST 1",
        h("9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60"),
        h("d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a"),
        b"",
        h(
            "e5564300c360ac729086e2cc806e828a84877f1eb8e5d974d873e06522490155"
            "5fb8821590a33bacc61e39701cf9b46bd25bf5f0595bbe24655141438e7a100b"
        ),
    ),
    EdKat(
        "TEST 2",
        h("4ccd089b28ff96da9db6c346ec114e0f5b8a319f35aba624da8cf6ed4fb8a6fb"),
        h("3d4017c3e843895a92b70aa74d1b7ebc9c982ccf2ec4968cc0cd55f12af4660c"),
        h("72"),
        h(
            "92a009a9f0d4cab8720e820b5f642540a2b27b5416503f8fb3762223ebdb69da"
            "085ac1e43e15996e458f3613d0f11d8c387b2eaeb4302aeeb00d291612bb0c00"
        ),
    ),
    EdKat(
        "TEST 3",
        h("c5aa8df43f9f837bedb7442f31dcb7b166d38535076f094b85ce3a2e0b4458f7"),
        h("fc51cd8e6218a1a38da47ed00230f0580816ed13ba3303ac5deb911548908025"),
        h("af82"),
        h(
            "6291d657deec24024827e69c3abe01a30ce548a284743a445e3680d7db5ac3ac"
            "18ff9b538d16f290ae67f760984dc6594a7c15e9716ed28dc027beceea1ec40a"
        ),
    ),
    EdKat(
        "TEST SHA(abc)",
        h("833fe62409237b9d62ec77587520911e9a759cec1d19755b7da901b96dca3d42"),
        h("ec172b93ad5e563bf4932c70e1245034c35467ef2efd4d64ebf819683467e2bf"),
        hashlib.sha512(b"abc").digest(),
        h(
            "dc2a4459e7369633a52b1bf277839a00201009a3efbf3ecb69bea2186c26b589"
            "09351fc9ac90b3ecfdfbc7c66431e0303dca179c138ac17ad9bef1177331a704"
        ),
    ),
)
SHA512_ABC = h(
    "ddaf35a193617abacc417349ae20413112e6fa4e89a97ea20a9eeee64b55d39a"
    "2192992a274fc1a836ba3c23a3feebbd454d4423643ce80e2a9ac94fa54ca49f"
)

ED_NOTES = {
    "Ktv": KTV,
    "Pseudorandom": NoteSpec(
        "BASIC",
        "Signature of a pseudo-random message under a pseudo-random seed, made by "
        "pyca/cryptography and reproduced byte for byte by PyNaCl and a pure-Python signer "
        "(Ed25519 signing is deterministic, RFC 8032 §5.1.6).",
    ),
    "ModifiedMessage": NoteSpec("BASIC", "The message differs from the one that was signed."),
    "WrongPublicKey": NoteSpec(
        "BASIC", "A valid signature made with another key is checked under this public key."
    ),
    "ModifiedSignature": NoteSpec(
        "BASIC",
        "A bit of R or S is flipped, or the signature is all zero (Monocypher once accepted an "
        "all-zero signature).",
    ),
    "TruncatedSignature": NoteSpec(
        "MISSING_STEP",
        "The signature is shorter than 64 bytes; a verifier must check the length before "
        "decoding R and S.",
        links=(rfc(8032, "5.1.7"),),
    ),
    "SignatureWithGarbage": NoteSpec(
        "MISSING_STEP",
        "Bytes are appended to a valid signature; a verifier must require exactly 64 bytes "
        "instead of reading a 64-byte prefix.",
        links=(rfc(8032, "5.1.7"),),
    ),
    "SignatureMalleability": NoteSpec(
        "SIGNATURE_MALLEABILITY",
        "S is replaced by S + L. RFC 8032 §5.1.7 requires 0 <= S < L; a verifier that leaves "
        "out the check accepts a second signature for the same message and key.",
        effect="Signatures become malleable: anything that identifies or deduplicates messages "
        "by their signature can be fooled.",
        links=(rfc(8032, "5.1.7"), "https://github.com/novifinancial/ed25519-speccheck"),
        cves=("CVE-2024-45193", "CVE-2020-36843"),
    ),
    "ScalarOutOfRange": NoteSpec(
        "SIGNATURE_MALLEABILITY",
        "One of the top three bits of S is set, so S >= L; RFC 8032 §5.1.7 requires rejecting "
        "it. A verifier that masks or ignores those bits accepts it.",
        links=(rfc(8032, "5.1.7"),),
    ),
    "NonCanonicalPublicKey": NoteSpec(
        "EDGE_CASE",
        "The public key encodes the identity point with y = p + 1, which RFC 8032 §5.1.3 says "
        "must fail to decode (y >= p). With R = [r]B and S = r the signature verifies under a "
        "decoder that reduces y modulo p, so a strict verifier must reject it.",
        links=(rfc(8032, "5.1.3"), "https://github.com/novifinancial/ed25519-speccheck"),
    ),
    "NonCanonicalR": NoteSpec(
        "SIGNATURE_MALLEABILITY",
        "R encodes the identity point with y = p + 1 (non-canonical, must fail to decode per RFC "
        "8032 §5.1.3) and S = k*a mod L, so the verification equation holds for a verifier that "
        "reduces y; accepting it makes signatures malleable.",
        links=(rfc(8032, "5.1.3"), "https://github.com/novifinancial/ed25519-speccheck"),
    ),
    "SmallOrderPublicKey": NoteSpec(
        "EDGE_CASE",
        "The public key is the identity point, a small-order point encoded canonically. RFC 8032 "
        "§5.1.7 accepts R = [r]B, S = r for it and any message; libsodium and others refuse "
        "small-order keys. Either is acceptable for a bare verifier; protocols should refuse "
        "such keys.",
        links=(rfc(8032, "5.1.7"), "https://github.com/novifinancial/ed25519-speccheck"),
    ),
    "SmallOrderR": NoteSpec(
        "EDGE_CASE",
        "R is the identity point (small order, canonical encoding) and S = k*a mod L; the RFC "
        "8032 §5.1.7 equations hold, but libsodium refuses small-order R. Either is acceptable.",
        links=(rfc(8032, "5.1.7"), "https://github.com/novifinancial/ed25519-speccheck"),
    ),
}


def ed_sign_checked(seed: bytes, msg: bytes) -> tuple[bytes, bytes]:
    """(public key, signature) by pyca/cryptography, reproduced by PyNaCl and pure Python."""
    sk = Ed25519PrivateKey.from_private_bytes(seed)
    pub = sk.public_key().public_bytes_raw()
    sig = sk.sign(msg)
    nacl_pk, nacl_sk = nacl.bindings.crypto_sign_seed_keypair(seed)
    require_equal("Ed25519 public key, PyNaCl vs cryptography", pub, bytes(nacl_pk))
    nacl_sig = bytes(nacl.bindings.crypto_sign(msg, nacl_sk))[:64]
    require_equal(f"Ed25519 signature of {msg.hex()!r}, PyNaCl vs cryptography", sig, nacl_sig)
    require_equal("Ed25519 signature, pure Python vs cryptography", sig, ed.sign(seed, msg))
    require_equal("Ed25519 public key, pure Python vs cryptography", pub, ed.public_key(seed))
    return pub, sig


def ed_lib_accepts(pub: bytes, msg: bytes, sig: bytes) -> tuple[bool, bool]:
    """Whether pyca/cryptography and PyNaCl accept (informational only)."""
    try:
        Ed25519PublicKey.from_public_bytes(pub).verify(sig, msg)
        pyca = True
    except (InvalidSignature, ValueError):
        pyca = False
    sodium = False
    if len(sig) == 64:
        try:
            nacl.bindings.crypto_sign_open(sig + msg, pub)
            sodium = True
        except (nacl.exceptions.BadSignatureError, nacl.exceptions.ValueError):
            sodium = False
    return pyca, sodium


def gen_ed25519(out: Path) -> Path:
    rng = ByteSource(SEED_LABEL + "ed25519")
    fb = FileBuilder(
        algorithm="ED25519",
        type_name="EddsaVerify",
        header=[
            "Ed25519 verification (RFC 8032 §5.1.7): RFC 8032 §7.1 vectors, pseudo-random",
            "signatures, and malformed, malleable, non-canonical and small-order inputs.",
        ],
        notes=ED_NOTES,
        source=SOURCE,
    )
    refs = [SpecRefSpec("RFC 8032", "5.1.7", "MUST")]
    require_equal("SHA-512('abc') (RFC 8032 TEST SHA(abc) message)", SHA512_ABC, RFC8032_71[3].msg)
    # (result, flags, pub, msg, sig) for the final consistency pass.
    crafted: list[tuple[ResultName, tuple[str, ...], bytes, bytes, bytes]] = []

    def add(
        group_pub: bytes,
        group_seed: bytes,
        comment: str,
        flags: Sequence[str],
        result: ResultName,
        msg: bytes,
        sig: bytes,
        source: CaseSource | None = None,
    ) -> None:
        g = fb.group(refs, publicKey=group_pub, privateKey=group_seed)
        g.add(comment, flags, result, source, msg=msg, sig=sig)
        crafted.append((result, tuple(flags), group_pub, msg, sig))

    for i, kat in enumerate(RFC8032_71):
        pub, sig = ed_sign_checked(kat.seed, kat.msg)
        require_equal(f"RFC 8032 §7.1 {kat.name} public key", kat.pub, pub)
        require_equal(f"RFC 8032 §7.1 {kat.name} signature", kat.sig, sig)
        a, _ = ed.secret_expand(kat.seed)
        name = kat.name

        def case(
            comment: str,
            flags: Sequence[str],
            result: ResultName,
            msg: bytes,
            sig: bytes,
            source: CaseSource | None = None,
            kat: EdKat = kat,
        ) -> None:
            add(kat.pub, kat.seed, comment, flags, result, msg, sig, source)

        case(
            f"RFC 8032 §7.1 {name}",
            ["Ktv"],
            "valid",
            kat.msg,
            kat.sig,
            CaseSource("RFC 8032", "7.1"),
        )
        if kat.msg:
            case(
                f"{name} signature, bit 0 of the message flipped",
                ["ModifiedMessage"],
                "invalid",
                bit_flip(kat.msg, 0),
                kat.sig,
            )
        else:
            case(
                f"{name} signature of the empty message, checked on a one-byte message",
                ["ModifiedMessage"],
                "invalid",
                b"\x00",
                kat.sig,
            )
        other = RFC8032_71[(i + 1) % len(RFC8032_71)]
        add(
            other.pub,
            b"",
            f"{name} signature checked under the public key of RFC 8032 {other.name}",
            ["WrongPublicKey"],
            "invalid",
            kat.msg,
            kat.sig,
        )
        for n in (63, 32, 0):
            case(
                f"{name} signature truncated to {n} bytes",
                ["TruncatedSignature"],
                "invalid",
                kat.msg,
                kat.sig[:n],
            )
        case(
            f"{name} signature with one zero byte appended (65 bytes)",
            ["SignatureWithGarbage"],
            "invalid",
            kat.msg,
            kat.sig + b"\x00",
        )
        case(
            f"{name} signature repeated twice (128 bytes)",
            ["SignatureWithGarbage"],
            "invalid",
            kat.msg,
            kat.sig + kat.sig,
        )
        s = int.from_bytes(kat.sig[32:], "little")
        case(
            f"{name} signature with S replaced by S + L",
            ["SignatureMalleability"],
            "invalid",
            kat.msg,
            kat.sig[:32] + (s + ed.L).to_bytes(32, "little"),
        )
        for bit in (253, 254, 255):
            case(
                f"{name} signature with bit {bit} of S set (S >= L)",
                ["ScalarOutOfRange"],
                "invalid",
                kat.msg,
                kat.sig[:32] + (s | (1 << bit)).to_bytes(32, "little"),
            )
        for bit, where in (
            (0, "bit 0 of R"),
            (255, "bit 255 of R (sign of x)"),
            (256, "bit 0 of S"),
            (500, "bit 244 of S"),
        ):
            case(
                f"{name} signature with {where} flipped",
                ["ModifiedSignature"],
                "invalid",
                kat.msg,
                bit_flip(kat.sig, bit),
            )
        case(
            f"all-zero signature under the {name} key",
            ["ModifiedSignature"],
            "invalid",
            kat.msg,
            bytes(64),
        )
        # Non-canonical and small-order R, with S chosen so the equations hold.
        lenient_r: tuple[tuple[bytes, str, ResultName, str], ...] = (
            (
                ed.encode_point_noncanonical(ed.IDENTITY),
                "NonCanonicalR",
                "invalid",
                "R = identity encoded with y = p + 1",
            ),
            (
                ed.encode_point(ed.IDENTITY),
                "SmallOrderR",
                "acceptable",
                "R = identity (canonical encoding)",
            ),
        )
        for r_enc, flag, result, what in lenient_r:
            k = int.from_bytes(hashlib.sha512(r_enc + kat.pub + kat.msg).digest(), "little") % ed.L
            forged = r_enc + (k * a % ed.L).to_bytes(32, "little")
            case(f"{name} key and message, {what}, S = k*a mod L", [flag], result, kat.msg, forged)

    # The identity as public key: non-canonical (y = p + 1) and canonical (small order).
    bad_a = ed.encode_point_noncanonical(ed.IDENTITY)
    small_a = ed.encode_point(ed.IDENTITY)
    for i in range(3):
        r = rng.below(ed.L - 1) + 1
        msg = rng.bytes(rng.below(48))
        sig = ed.encode_point(ed.scalar_mult(r, ed.BASE)) + r.to_bytes(32, "little")
        add(
            bad_a,
            b"",
            f"public key = identity encoded with y = p + 1; R = [r]B, S = r ({i + 1})",
            ["NonCanonicalPublicKey"],
            "invalid",
            msg,
            sig,
        )
        add(
            small_a,
            b"",
            f"public key = identity (small order); R = [r]B, S = r ({i + 1})",
            ["SmallOrderPublicKey"],
            "acceptable",
            msg,
            sig,
        )

    # Pseudo-random seeds and messages.
    for i in range(20):
        seed = rng.bytes(32)
        for j in range(2):
            msg = rng.bytes(rng.choice((0, 1, 31, 32, 33, 64, 100, 128, 255, 1000)))
            pub, sig = ed_sign_checked(seed, msg)
            add(
                pub,
                seed,
                f"pseudo-random key {i + 1}, message {j + 1} ({len(msg)} bytes)",
                ["Pseudorandom"],
                "valid",
                msg,
                sig,
            )

    # Consistency: the strict pure verifier agrees with every result; each crafted lenient case
    # is really accepted by the lenient reading it targets.
    by_flag: Counter[str] = Counter()
    pyca_ok: Counter[str] = Counter()
    sodium_ok: Counter[str] = Counter()
    for result, flags, pub, msg, sig in crafted:
        strict = ed.verify(pub, msg, sig)
        want = result in ("valid", "acceptable")
        if strict != want:
            raise GeneratorError(
                f"Ed25519 {flags} case: strict verifier says {strict}, result {result}"
            )
        if "NonCanonicalR" in flags or "NonCanonicalPublicKey" in flags:
            require_equal(
                f"lenient decoding accepts {flags}", True, ed.verify(pub, msg, sig, canonical=False)
            )
        if "SignatureMalleability" in flags:
            require_equal("S mod L accepts S + L", True, ed.verify(pub, msg, sig, reduce_s=True))
        if result == "valid":
            pyca, sodium = ed_lib_accepts(pub, msg, sig)
            if not (pyca and sodium):
                raise GeneratorError(f"Ed25519 valid case {flags} refused by a library")
            continue
        for flag in flags:
            by_flag[flag] += 1
            pyca, sodium = ed_lib_accepts(pub, msg, sig)
            pyca_ok[flag] += pyca
            sodium_ok[flag] += sodium
    for flag in sorted(by_flag):
        OBSERVATIONS.append(
            f"Ed25519 {flag}: pyca/cryptography accepts {pyca_ok[flag]}/{by_flag[flag]}, "
            f"PyNaCl accepts {sodium_ok[flag]}/{by_flag[flag]}"
        )
    return write(fb, out / "ed25519_test.json")


# ---------------------------------------------------------------------------------------------
# HKDF-SHA-256 (RFC 5869)
# ---------------------------------------------------------------------------------------------

HKDF_NOTES = {
    "Ktv": KTV,
    "Pseudorandom": NoteSpec(
        "BASIC",
        "Pseudo-random IKM, salt and info; the output was computed by pyca/cryptography and "
        "reproduced by pycryptodome and the standard library's hmac module.",
    ),
    "EmptySalt": NoteSpec(
        "EDGE_CASE",
        "The salt is empty, which RFC 5869 §2.2 treats as HashLen zero bytes.",
        links=(rfc(5869, "2.2"),),
    ),
    "SizeTooLarge": NoteSpec(
        "EDGE_CASE",
        "L = 8161 exceeds 255 * HashLen = 8160 bytes, the limit of RFC 5869 §2.3; the "
        "implementation must refuse (the one-byte block counter would wrap). okm is empty.",
        links=(rfc(5869, "2.3"),),
    ),
}


def hkdf_stdlib(ikm: bytes, salt: bytes, info: bytes, size: int) -> bytes:
    prk = hmac.new(salt or bytes(32), ikm, hashlib.sha256).digest()
    out = b""
    block = b""
    counter = 1
    while len(out) < size:
        block = hmac.new(prk, block + info + bytes([counter]), hashlib.sha256).digest()
        out += block
        counter += 1
    return out[:size]


def hkdf_checked(ikm: bytes, salt: bytes, info: bytes, size: int) -> bytes:
    okm = HKDF(algorithm=hashes.SHA256(), length=size, salt=salt, info=info).derive(ikm)
    other = CryptoHKDF(ikm, size, salt, CryptoSHA256, context=info)
    assert isinstance(other, bytes)
    require_equal("HKDF pycryptodome vs cryptography", okm, other)
    require_equal("HKDF stdlib vs cryptography", okm, hkdf_stdlib(ikm, salt, info, size))
    return okm


def gen_hkdf(out: Path) -> Path:
    rng = ByteSource(SEED_LABEL + "hkdf-sha256")
    fb = FileBuilder(
        algorithm="HKDF-SHA-256",
        type_name="HkdfTest",
        header=[
            "HKDF-SHA-256 (RFC 5869): Appendix A.1-A.3, pseudo-random inputs with output sizes",
            "from 1 to 8160 bytes, empty salts, and the invalid size 8161 (over 255 * HashLen).",
        ],
        notes=HKDF_NOTES,
        source=SOURCE,
    )
    refs = [SpecRefSpec("RFC 5869", "2.3", "MUST")]

    def add(
        comment: str,
        flags: Sequence[str],
        ikm: bytes,
        salt: bytes,
        info: bytes,
        size: int,
        okm: bytes,
        source: CaseSource | None = None,
    ) -> None:
        g = fb.group(refs, keySize=8 * len(ikm))
        g.add(
            comment,
            flags,
            "valid" if okm else "invalid",
            source,
            ikm=ikm,
            salt=salt,
            info=info,
            size=size,
            okm=okm,
        )

    kats = (
        (
            "A.1",
            b"\x0b" * 22,
            bytes(range(13)),
            bytes(range(0xF0, 0xFA)),
            42,
            h(
                "3cb25f25faacd57a90434f64d0362f2a2d2d0a90cf1a5a4c5db02d56ecc4c5bf34007208d5b887185865"
            ),
        ),
        (
            "A.2",
            bytes(range(0x50)),
            bytes(range(0x60, 0xB0)),
            bytes(range(0xB0, 0x100)),
            82,
            h(
                "b11e398dc80327a1c8e7f78c596a49344f012eda2d4efad8a050cc4c19afa97c"
                "59045a99cac7827271cb41c65e590e09da3275600c2f09b8367793a9aca3db71"
                "cc30c58179ec3e87c14c01d5c1f3434f1d87"
            ),
        ),
        (
            "A.3",
            b"\x0b" * 22,
            b"",
            b"",
            42,
            h(
                "8da4e775a563c18f715f802a063c5a31b8a11f5c5ee1879ec3454e5f3c738d2d9d201395faa4b61a96c8"
            ),
        ),
    )
    for section, ikm, salt, info, size, okm in kats:
        require_equal(f"RFC 5869 {section} OKM", okm, hkdf_checked(ikm, salt, info, size))
        flags = ["Ktv", "EmptySalt"] if not salt else ["Ktv"]
        add(
            f"RFC 5869 Appendix {section}",
            flags,
            ikm,
            salt,
            info,
            size,
            okm,
            CaseSource("RFC 5869", section),
        )

    ikm_sizes = (16, 22, 32, 33, 64, 80, 128)
    sizes = [
        1,
        16,
        20,
        31,
        32,
        33,
        42,
        63,
        64,
        65,
        80,
        82,
        100,
        128,
        255,
        256,
        1000,
        4096,
        8159,
        8160,
    ]
    sizes += [rng.below(8160) + 1 for _ in range(10)]
    for i, size in enumerate(sizes):
        ikm = rng.bytes(ikm_sizes[i % len(ikm_sizes)])
        salt = rng.bytes(rng.choice((1, 13, 16, 32, 64, 80, 100)))
        info = rng.bytes(rng.choice((0, 1, 10, 32, 80, 200)))
        add(
            f"pseudo-random inputs, L = {size}",
            ["Pseudorandom"],
            ikm,
            salt,
            info,
            size,
            hkdf_checked(ikm, salt, info, size),
        )
    for i, size in enumerate((1, 32, 42, 64, 80, 100, 1000, 8160)):
        ikm = rng.bytes(ikm_sizes[(i + 3) % len(ikm_sizes)])
        info = rng.bytes(rng.choice((0, 5, 32)))
        add(
            f"empty salt, L = {size}",
            ["Pseudorandom", "EmptySalt"],
            ikm,
            b"",
            info,
            size,
            hkdf_checked(ikm, b"", info, size),
        )

    for ikm_size in (16, 32):
        ikm, salt, info = rng.bytes(ikm_size), rng.bytes(32), rng.bytes(10)
        try:
            HKDF(algorithm=hashes.SHA256(), length=8161, salt=salt, info=info).derive(ikm)
        except ValueError:
            pass
        else:
            raise GeneratorError("cryptography derived 8161 bytes of HKDF-SHA-256")
        try:
            CryptoHKDF(ikm, 8161, salt, CryptoSHA256, context=info)
        except ValueError:
            pass
        else:
            raise GeneratorError("pycryptodome derived 8161 bytes of HKDF-SHA-256")
        add("L = 8161 = 255 * 32 + 1 is too large", ["SizeTooLarge"], ikm, salt, info, 8161, b"")
    return write(fb, out / "hkdf_sha256_test.json")


# ---------------------------------------------------------------------------------------------
# HMAC-SHA-256 (RFC 2104, RFC 4231)
# ---------------------------------------------------------------------------------------------

HMAC_NOTES = {
    "Ktv": KTV,
    "Pseudorandom": NoteSpec(
        "BASIC",
        "Pseudo-random key and message; the tag was computed by pyca/cryptography and reproduced "
        "by pycryptodome and the standard library's hmac module.",
    ),
    "ModifiedTag": NoteSpec(
        "AUTH_BYPASS",
        "One bit of the correct tag is flipped, or the tag is all zero; verification must fail.",
    ),
    "TruncatedTag": NoteSpec(
        "AUTH_BYPASS",
        "The tag is a prefix of the correct tag (16, 8, 1 or 0 bytes); a verifier that expects "
        "tagSize bits must reject a shorter tag instead of comparing only the bytes supplied.",
        effect="A verifier comparing only the supplied bytes accepts an empty tag for any message.",
    ),
}


def hmac_checked(key: bytes, msg: bytes) -> bytes:
    mac = crypto_hmac.HMAC(key, hashes.SHA256())
    mac.update(msg)
    tag = mac.finalize()
    other = CryptoHMAC.new(key, msg, CryptoSHA256).digest()
    require_equal("HMAC-SHA-256 pycryptodome vs cryptography", tag, other)
    require_equal(
        "HMAC-SHA-256 stdlib vs cryptography", tag, hmac.new(key, msg, hashlib.sha256).digest()
    )
    return tag


def gen_hmac(out: Path) -> Path:
    rng = ByteSource(SEED_LABEL + "hmac-sha256")
    fb = FileBuilder(
        algorithm="HMACSHA256",
        type_name="MacTest",
        header=[
            "HMAC-SHA-256 (RFC 2104): RFC 4231 test cases, pseudo-random keys of 0 to 131 bytes,",
            "and tags with flipped bits or truncated below the expected size.",
        ],
        notes=HMAC_NOTES,
        source=SOURCE,
    )

    def group_refs(tag_bits: int) -> list[SpecRefSpec]:
        refs = [SpecRefSpec("RFC 2104", "2")]
        if tag_bits < 256:
            refs.append(SpecRefSpec("RFC 2104", "5", "SHOULD"))
        return refs

    def add(
        comment: str,
        flags: Sequence[str],
        result: ResultName,
        key: bytes,
        msg: bytes,
        tag: bytes,
        tag_bits: int = 256,
        source: CaseSource | None = None,
    ) -> None:
        g = fb.group(group_refs(tag_bits), keySize=8 * len(key), tagSize=tag_bits)
        g.add(comment, flags, result, source, key=key, msg=msg, tag=tag)

    kats = (
        (
            "1",
            "4.2",
            b"\x0b" * 20,
            b"Hi There",
            256,
            "b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7",
        ),
        (
            "2",
            "4.3",
            b"Jefe",
            b"what do ya want for nothing?",
            256,
            "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843",
        ),
        (
            "3",
            "4.4",
            b"\xaa" * 20,
            b"\xdd" * 50,
            256,
            "773ea91e36800e46854db8ebd09181a72959098b3ef8c122d9635514ced565fe",
        ),
        (
            "4",
            "4.5",
            bytes(range(1, 26)),
            b"\xcd" * 50,
            256,
            "82558a389a443c0ea4cc819899f2083a85f0faa3e578f8077a2e3ff46729665b",
        ),
        (
            "5",
            "4.6",
            b"\x0c" * 20,
            b"Test With Truncation",
            128,
            "a3b6167473100ee06e0c796c2955552b",
        ),
        (
            "6",
            "4.7",
            b"\xaa" * 131,
            b"Test Using Larger Than Block-Size Key - Hash Key First",
            256,
            "60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54",
        ),
        (
            "7",
            "4.8",
            b"\xaa" * 131,
            b"This is a test using a larger than block-size key and a larger than block-size data. "
            b"The key needs to be hashed before being used by the HMAC algorithm.",
            256,
            "9b09ffa71b942fcb27635fbcd5b0e944bfdc63644f0713938a7f51535c3a35e2",
        ),
    )
    for number, section, key, msg, bits, tag_hex in kats:
        tag = h(tag_hex)
        require_equal(f"RFC 4231 test case {number}", tag, hmac_checked(key, msg)[: bits // 8])
        add(
            f"RFC 4231 test case {number}" + (" (truncated to 128 bits)" if bits < 256 else ""),
            ["Ktv"],
            "valid",
            key,
            msg,
            tag,
            bits,
            CaseSource("RFC 4231", section),
        )
    tc5_key, tc5_msg, tc5_tag = kats[4][2], kats[4][3], h(kats[4][5])
    for bit in (0, 127):
        add(
            f"RFC 4231 test case 5 tag (128 bits) with bit {bit} flipped",
            ["ModifiedTag"],
            "invalid",
            tc5_key,
            tc5_msg,
            bit_flip(tc5_tag, bit),
            128,
        )
    add(
        "RFC 4231 test case 5 tag truncated to 8 bytes",
        ["TruncatedTag"],
        "invalid",
        tc5_key,
        tc5_msg,
        tc5_tag[:8],
        128,
    )

    key_sizes = (0, 16, 32, 64, 65, 131)
    msg_sizes = (0, 1, 55, 56, 63, 64, 65, 100, 128, 1000)
    bases: list[tuple[bytes, bytes, bytes]] = []
    for i in range(30):
        key = rng.bytes(key_sizes[i % len(key_sizes)])
        msg = rng.bytes(msg_sizes[(i * 7) % len(msg_sizes)])
        tag = hmac_checked(key, msg)
        add(
            f"pseudo-random {len(key)}-byte key, {len(msg)}-byte message",
            ["Pseudorandom"],
            "valid",
            key,
            msg,
            tag,
        )
        if i in (1, 2, 3, 4, 5, 6):
            bases.append((key, msg, tag))
    for n, (key, msg, tag) in enumerate(bases):
        flip_bits = (0, 1, 7, 8, 127, 128, 248, 255) if n < 3 else (0, 255)
        for bit in flip_bits:
            add(
                f"{len(key)}-byte key: bit {bit} of the tag flipped",
                ["ModifiedTag"],
                "invalid",
                key,
                msg,
                bit_flip(tag, bit),
            )
        add(f"{len(key)}-byte key: all-zero tag", ["ModifiedTag"], "invalid", key, msg, bytes(32))
        for size in (16, 8, 1, 0):
            what = "empty tag" if size == 0 else f"tag truncated to {size} byte{'s' * (size > 1)}"
            add(f"{len(key)}-byte key: {what}", ["TruncatedTag"], "invalid", key, msg, tag[:size])
    return write(fb, out / "hmac_sha256_test.json")


# ---------------------------------------------------------------------------------------------
# AEADs: ChaCha20-Poly1305 (RFC 8439), XChaCha20-Poly1305, AES-256-GCM
# ---------------------------------------------------------------------------------------------

SealFn = Callable[[bytes, bytes, bytes, bytes], bytes]  # (key, nonce, aad, msg) -> ct || tag
OpenFn = Callable[[bytes, bytes, bytes, bytes], bool]  # (key, nonce, aad, ct || tag) -> ok


def _seal_pyca_chacha(key: bytes, nonce: bytes, aad: bytes, msg: bytes) -> bytes:
    return ChaCha20Poly1305(key).encrypt(nonce, msg, aad)


def _seal_nacl_chacha(key: bytes, nonce: bytes, aad: bytes, msg: bytes) -> bytes:
    return bytes(nacl.bindings.crypto_aead_chacha20poly1305_ietf_encrypt(msg, aad, nonce, key))


def _seal_nacl_xchacha(key: bytes, nonce: bytes, aad: bytes, msg: bytes) -> bytes:
    return bytes(nacl.bindings.crypto_aead_xchacha20poly1305_ietf_encrypt(msg, aad, nonce, key))


def _seal_pycryptodome_chacha(key: bytes, nonce: bytes, aad: bytes, msg: bytes) -> bytes:
    cipher = ChaCha20_Poly1305.new(key=key, nonce=nonce)
    cipher.update(aad)
    ct, tag = cipher.encrypt_and_digest(msg)
    return ct + tag


def _seal_pyca_gcm(key: bytes, nonce: bytes, aad: bytes, msg: bytes) -> bytes:
    return AESGCM(key).encrypt(nonce, msg, aad)


def _seal_pycryptodome_gcm(key: bytes, nonce: bytes, aad: bytes, msg: bytes) -> bytes:
    cipher = AES.new(key, AES.MODE_GCM, nonce=nonce, mac_len=16)
    cipher.update(aad)
    ct, tag = cipher.encrypt_and_digest(msg)
    return ct + tag


def _open_pyca_chacha(key: bytes, nonce: bytes, aad: bytes, data: bytes) -> bool:
    try:
        ChaCha20Poly1305(key).decrypt(nonce, data, aad)
    except InvalidTag:
        return False
    return True


def _open_pyca_gcm(key: bytes, nonce: bytes, aad: bytes, data: bytes) -> bool:
    try:
        AESGCM(key).decrypt(nonce, data, aad)
    except InvalidTag:
        return False
    return True


def _open_nacl(fn: Callable[..., Any]) -> OpenFn:
    def opener(key: bytes, nonce: bytes, aad: bytes, data: bytes) -> bool:
        try:
            fn(data, aad, nonce, key)
        except (nacl.exceptions.CryptoError, nacl.exceptions.ValueError, ValueError):
            return False
        return True

    return opener


def _open_pycryptodome(make: Callable[[bytes, bytes], Any]) -> OpenFn:
    def opener(key: bytes, nonce: bytes, aad: bytes, data: bytes) -> bool:
        if len(data) < 16:
            return False
        cipher = make(key, nonce)
        cipher.update(aad)
        try:
            cipher.decrypt_and_verify(data[:-16], data[-16:])
        except ValueError:
            return False
        return True

    return opener


@dataclass(frozen=True)
class AeadSpec:
    algorithm: str
    file_name: str
    label: str
    iv_size: int
    header: tuple[str, ...]
    refs: tuple[SpecRefSpec, ...]
    seals: tuple[tuple[str, SealFn], ...]
    opens: tuple[tuple[str, OpenFn], ...]


AEADS = (
    AeadSpec(
        "CHACHA20-POLY1305",
        "chacha20_poly1305_test.json",
        "ChaCha20-Poly1305",
        12,
        (
            "AEAD_CHACHA20_POLY1305 (RFC 8439 §2.8): the §2.8.2 vector, pseudo-random cases with",
            "message lengths around block boundaries, and tampered ciphertexts, tags, AAD, nonces.",
        ),
        (SpecRefSpec("RFC 8439", "2.8", "MUST"),),
        (
            ("cryptography", _seal_pyca_chacha),
            ("PyNaCl", _seal_nacl_chacha),
            ("pycryptodome", _seal_pycryptodome_chacha),
        ),
        (
            ("cryptography", _open_pyca_chacha),
            ("PyNaCl", _open_nacl(nacl.bindings.crypto_aead_chacha20poly1305_ietf_decrypt)),
            (
                "pycryptodome",
                _open_pycryptodome(lambda k, n: ChaCha20_Poly1305.new(key=k, nonce=n)),
            ),
        ),
    ),
    AeadSpec(
        "XCHACHA20-POLY1305",
        "xchacha20_poly1305_test.json",
        "XChaCha20-Poly1305",
        24,
        (
            "XChaCha20-Poly1305 (draft-irtf-cfrg-xchacha §2): the Appendix A.3.1 vector,",
            "pseudo-random cases, and tampered ciphertexts, tags, AAD and nonces.",
        ),
        (
            SpecRefSpec("draft-irtf-cfrg-xchacha-03", "2", "MUST"),
            SpecRefSpec("RFC 8439", "2.8", "MUST"),
        ),
        (("PyNaCl", _seal_nacl_xchacha), ("pycryptodome", _seal_pycryptodome_chacha)),
        (
            ("PyNaCl", _open_nacl(nacl.bindings.crypto_aead_xchacha20poly1305_ietf_decrypt)),
            (
                "pycryptodome",
                _open_pycryptodome(lambda k, n: ChaCha20_Poly1305.new(key=k, nonce=n)),
            ),
        ),
    ),
    AeadSpec(
        "AES-256-GCM",
        "aes_256_gcm_test.json",
        "AES-256-GCM",
        12,
        (
            "AES-256-GCM with 96-bit nonces (NIST SP 800-38D §7): McGrew-Viega test cases 13-16,",
            "pseudo-random cases, and tampered ciphertexts, tags, AAD and nonces.",
        ),
        (SpecRefSpec("NIST SP 800-38D", "7", "MUST"),),
        (("cryptography", _seal_pyca_gcm), ("pycryptodome", _seal_pycryptodome_gcm)),
        (
            ("cryptography", _open_pyca_gcm),
            (
                "pycryptodome",
                _open_pycryptodome(lambda k, n: AES.new(k, AES.MODE_GCM, nonce=n, mac_len=16)),
            ),
        ),
    ),
)

SUNSCREEN = (
    b"Ladies and Gentlemen of the class of '99: If I could offer you only one tip for the "
    b"future, sunscreen would be it."
)
AEAD_KATS: dict[
    str, tuple[tuple[str, CaseSource, bytes, bytes, bytes, bytes, bytes, bytes], ...]
] = {
    "CHACHA20-POLY1305": (
        (
            "RFC 8439 §2.8.2 AEAD_CHACHA20_POLY1305 example",
            CaseSource("RFC 8439", "2.8.2"),
            bytes(range(0x80, 0xA0)),
            h("070000004041424344454647"),
            h("50515253c0c1c2c3c4c5c6c7"),
            SUNSCREEN,
            h(
                "d31a8d34648e60db7b86afbc53ef7ec2a4aded51296e08fea9e2b5a736ee62d6"
                "3dbea45e8ca9671282fafb69da92728b1a71de0a9e060b2905d6a5b67ecd3b36"
                "92ddbd7f2d778b8c9803aee328091b58fab324e4fad675945585808b4831d7bc"
                "3ff4def08e4b7a9de576d26586cec64b6116"
            ),
            h("1ae10b594f09e26a7e902ecbd0600691"),
        ),
    ),
    "XCHACHA20-POLY1305": (
        (
            "draft-irtf-cfrg-xchacha-03 Appendix A.3.1 AEAD_XCHACHA20_POLY1305 example",
            CaseSource("draft-irtf-cfrg-xchacha-03", "A.3.1"),
            bytes(range(0x80, 0xA0)),
            bytes(range(0x40, 0x58)),
            h("50515253c0c1c2c3c4c5c6c7"),
            SUNSCREEN,
            h(
                "bd6d179d3e83d43b9576579493c0e939572a1700252bfaccbed2902c21396cbb"
                "731c7f1b0b4aa6440bf3a82f4eda7e39ae64c6708c54c216cb96b72e1213b452"
                "2f8c9ba40db5d945b11b69b982c1bb9e3f3fac2bc369488f76b2383565d3fff9"
                "21f9664c97637da9768812f615c68b13b52e"
            ),
            h("c0875924c1c7987947deafd8780acf49"),
        ),
    ),
    "AES-256-GCM": (
        (
            "GCM spec Test Case 13: zero key and nonce, empty plaintext and AAD",
            CaseSource("McGrew-Viega GCM spec", "Appendix B, Test Case 13"),
            bytes(32),
            bytes(12),
            b"",
            b"",
            b"",
            h("530f8afbc74536b9a963b4f1c4cb738b"),
        ),
        (
            "GCM spec Test Case 14: zero key and nonce, one zero block",
            CaseSource("McGrew-Viega GCM spec", "Appendix B, Test Case 14"),
            bytes(32),
            bytes(12),
            b"",
            bytes(16),
            h("cea7403d4d606b6e074ec5d3baf39d18"),
            h("d0d1c8a799996bf0265b98b5d48ab919"),
        ),
        (
            "GCM spec Test Case 15: 64-byte plaintext, no AAD",
            CaseSource("McGrew-Viega GCM spec", "Appendix B, Test Case 15"),
            h("feffe9928665731c6d6a8f9467308308feffe9928665731c6d6a8f9467308308"),
            h("cafebabefacedbaddecaf888"),
            b"",
            h(
                "d9313225f88406e5a55909c5aff5269a86a7a9531534f7da2e4c303d8a318a72"
                "1c3c0c95956809532fcf0e2449a6b525b16aedf5aa0de657ba637b391aafd255"
            ),
            h(
                "522dc1f099567d07f47f37a32a84427d643a8cdcbfe5c0c97598a2bd2555d1aa"
                "8cb08e48590dbb3da7b08b1056828838c5f61e6393ba7a0abcc9f662898015ad"
            ),
            h("b094dac5d93471bdec1a502270e3cc6c"),
        ),
        (
            "GCM spec Test Case 16: 60-byte plaintext, 20-byte AAD",
            CaseSource("McGrew-Viega GCM spec", "Appendix B, Test Case 16"),
            h("feffe9928665731c6d6a8f9467308308feffe9928665731c6d6a8f9467308308"),
            h("cafebabefacedbaddecaf888"),
            h("feedfacedeadbeeffeedfacedeadbeefabaddad2"),
            h(
                "d9313225f88406e5a55909c5aff5269a86a7a9531534f7da2e4c303d8a318a72"
                "1c3c0c95956809532fcf0e2449a6b525b16aedf5aa0de657ba637b39"
            ),
            h(
                "522dc1f099567d07f47f37a32a84427d643a8cdcbfe5c0c97598a2bd2555d1aa"
                "8cb08e48590dbb3da7b08b1056828838c5f61e6393ba7a0abcc9f662"
            ),
            h("76fc6ece0f4e1768cddf8853bb2d551b"),
        ),
    ),
}

AEAD_NOTES = {
    "Ktv": KTV,
    "Pseudorandom": NoteSpec(
        "BASIC",
        "Pseudo-random key, nonce, AAD and message; ciphertext and tag were computed by one "
        "library and reproduced by at least one other (cryptography, PyNaCl, pycryptodome).",
    ),
    "ModifiedCiphertext": NoteSpec(
        "AUTH_BYPASS",
        "A bit of the ciphertext is flipped; decryption must fail and release no plaintext.",
    ),
    "ModifiedTag": NoteSpec(
        "AUTH_BYPASS", "A bit of the tag is flipped, or the tag is all zero; decryption must fail."
    ),
    "ModifiedAad": NoteSpec(
        "AUTH_BYPASS",
        "The associated data differs from what was authenticated; decryption must fail.",
    ),
    "ModifiedNonce": NoteSpec(
        "AUTH_BYPASS",
        "The nonce (of the right size) differs from the one used to encrypt; decryption must fail.",
    ),
    "TruncatedTag": NoteSpec(
        "AUTH_BYPASS",
        "The tag is a prefix (12, 8 or 0 bytes) of the correct 16-byte tag; a decryptor must "
        "reject it rather than compare only the bytes supplied.",
        effect="Comparing only the supplied bytes lets an empty tag authenticate anything.",
    ),
}


def aead_seal_checked(
    spec: AeadSpec, key: bytes, nonce: bytes, aad: bytes, msg: bytes
) -> tuple[bytes, bytes]:
    first_name, first = spec.seals[0]
    sealed = first(key, nonce, aad, msg)
    for name, fn in spec.seals[1:]:
        require_equal(f"{spec.label} {name} vs {first_name}", sealed, fn(key, nonce, aad, msg))
    for name, opener in spec.opens:
        if not opener(key, nonce, aad, sealed):
            raise GeneratorError(f"{spec.label}: {name} cannot open its own ciphertext")
    return sealed[:-16], sealed[-16:]


def gen_aead(spec: AeadSpec, out: Path) -> Path:
    rng = ByteSource(SEED_LABEL + spec.algorithm.lower())
    fb = FileBuilder(
        algorithm=spec.algorithm,
        type_name="AeadTest",
        header=spec.header,
        notes=AEAD_NOTES,
        source=SOURCE,
    )
    g = fb.group(spec.refs, ivSize=8 * spec.iv_size, keySize=256, tagSize=128)

    def invalid(
        comment: str,
        flag: str,
        key: bytes,
        iv: bytes,
        aad: bytes,
        msg: bytes,
        ct: bytes,
        tag: bytes,
    ) -> None:
        for name, opener in spec.opens:
            if opener(key, iv, aad, ct + tag):
                raise GeneratorError(f"{spec.label}: {name} accepts the invalid case {comment!r}")
        g.add(comment, [flag], "invalid", key=key, iv=iv, aad=aad, msg=msg, ct=ct, tag=tag)

    def tamper(
        label: str, key: bytes, iv: bytes, aad: bytes, msg: bytes, ct: bytes, tag: bytes, full: bool
    ) -> None:
        if ct:
            invalid(
                f"{label}: bit 0 of the ciphertext flipped",
                "ModifiedCiphertext",
                key,
                iv,
                aad,
                msg,
                bit_flip(ct, 0),
                tag,
            )
            if full:
                last = 8 * len(ct) - 1
                invalid(
                    f"{label}: last bit of the ciphertext flipped",
                    "ModifiedCiphertext",
                    key,
                    iv,
                    aad,
                    msg,
                    bit_flip(ct, last),
                    tag,
                )
        for bit in (0, 127) if full else (0,):
            invalid(
                f"{label}: bit {bit} of the tag flipped",
                "ModifiedTag",
                key,
                iv,
                aad,
                msg,
                ct,
                bit_flip(tag, bit),
            )
        if full:
            invalid(f"{label}: all-zero tag", "ModifiedTag", key, iv, aad, msg, ct, bytes(16))
        if aad:
            invalid(
                f"{label}: bit 0 of the AAD flipped",
                "ModifiedAad",
                key,
                iv,
                bit_flip(aad, 0),
                msg,
                ct,
                tag,
            )
        else:
            invalid(
                f"{label}: one zero byte of AAD added",
                "ModifiedAad",
                key,
                iv,
                b"\x00",
                msg,
                ct,
                tag,
            )
        invalid(
            f"{label}: bit 0 of the nonce flipped",
            "ModifiedNonce",
            key,
            bit_flip(iv, 0),
            aad,
            msg,
            ct,
            tag,
        )
        if full:
            for size in (12, 8, 0):
                what = "tag removed" if size == 0 else f"tag truncated to {size} bytes"
                invalid(f"{label}: {what}", "TruncatedTag", key, iv, aad, msg, ct, tag[:size])

    for comment, source, key, iv, aad, msg, ct, tag in AEAD_KATS[spec.algorithm]:
        got_ct, got_tag = aead_seal_checked(spec, key, iv, aad, msg)
        require_equal(f"{comment}: ciphertext", ct, got_ct)
        require_equal(f"{comment}: tag", tag, got_tag)
        g.add(comment, ["Ktv"], "valid", source, key=key, iv=iv, aad=aad, msg=msg, ct=ct, tag=tag)
    for comment, _, key, iv, aad, msg, ct, tag in AEAD_KATS[spec.algorithm]:
        tamper(comment.split(":")[0], key, iv, aad, msg, ct, tag, full=False)

    msg_sizes = (0, 1, 15, 16, 17, 63, 64, 65, 255, 256, 1000)
    aad_sizes = (1, 12, 16, 17, 64, 100)
    bases = []
    n = 0
    for i, msg_size in enumerate(msg_sizes):
        for aad_size in (0, aad_sizes[i % len(aad_sizes)], aad_sizes[(i + 3) % len(aad_sizes)]):
            n += 1
            key, iv = rng.bytes(32), rng.bytes(spec.iv_size)
            aad, msg = rng.bytes(aad_size), rng.bytes(msg_size)
            ct, tag = aead_seal_checked(spec, key, iv, aad, msg)
            g.add(
                f"pseudo-random case {n}: {msg_size}-byte message, {aad_size}-byte AAD",
                ["Pseudorandom"],
                "valid",
                key=key,
                iv=iv,
                aad=aad,
                msg=msg,
                ct=ct,
                tag=tag,
            )
            wanted_aad = 0 if msg_size in (0, 17, 255) else aad_sizes[i % len(aad_sizes)]
            if msg_size in (0, 1, 16, 17, 64, 255) and aad_size == wanted_aad:
                bases.append((f"pseudo-random case {n}", key, iv, aad, msg, ct, tag))
    for label, key, iv, aad, msg, ct, tag in bases:
        tamper(label, key, iv, aad, msg, ct, tag, full=True)
    return write(fb, out / spec.file_name)


# ---------------------------------------------------------------------------------------------
# AES-256-CBC (NIST SP 800-38A, PKCS#7 per RFC 5652 §6.3)
# ---------------------------------------------------------------------------------------------

CBC_NOTES = {
    "Ktv": KTV,
    "Pseudorandom": NoteSpec(
        "BASIC",
        "Pseudo-random key, IV and message; the ciphertext was computed by pyca/cryptography and "
        "reproduced by pycryptodome.",
    ),
    "FullPaddingBlock": NoteSpec(
        "BASIC",
        "The plaintext is a whole number of blocks, so PKCS#7 appends a full block of 0x10 bytes "
        "(RFC 5652 §6.3).",
        links=(rfc(5652, "6.3"),),
    ),
    "BadPadding": NoteSpec(
        "CONFIDENTIALITY",
        "The last decrypted block does not end in valid PKCS#7 padding (a pad byte of 0 or above "
        "16, pad bytes that disagree, or padding longer than a block); decryption must fail.",
        effect="Telling bad padding apart from other failures (by error or timing) gives a "
        "padding oracle that decrypts ciphertexts (Vaudenay 2002); protocols MAC before they "
        "unpad.",
        links=(rfc(5652, "6.3"),),
    ),
    "InvalidCiphertextSize": NoteSpec(
        "CONFIDENTIALITY",
        "The ciphertext is empty or not a multiple of 16 bytes; it must be rejected before any "
        "padding is examined (libsignal rejects both).",
        effect="Lenient handling of odd lengths has fed padding-oracle and out-of-bounds bugs.",
    ),
}


def cbc_raw(key: bytes, iv: bytes, data: bytes) -> bytes:
    """Unpadded AES-256-CBC encryption by cryptography, reproduced by pycryptodome."""
    enc = Cipher(algorithms.AES(key), modes.CBC(iv)).encryptor()
    ct = enc.update(data) + enc.finalize()
    require_equal(
        "AES-CBC pycryptodome vs cryptography", ct, AES.new(key, AES.MODE_CBC, iv=iv).encrypt(data)
    )
    return ct


def cbc_pkcs7(key: bytes, iv: bytes, msg: bytes) -> bytes:
    padder = padding.PKCS7(128).padder()
    padded = padder.update(msg) + padder.finalize()
    require_equal(
        "PKCS#7 padding pycryptodome vs cryptography", padded, crypto_pad(msg, 16, style="pkcs7")
    )
    return cbc_raw(key, iv, padded)


def cbc_unpad_fails(key: bytes, iv: bytes, ct: bytes) -> bool:
    """True when both libraries refuse to decrypt and unpad ``ct``."""
    failures = 0
    try:
        dec = Cipher(algorithms.AES(key), modes.CBC(iv)).decryptor()
        padded = dec.update(ct) + dec.finalize()
        unpadder = padding.PKCS7(128).unpadder()
        unpadder.update(padded)
        unpadder.finalize()
    except ValueError:
        failures += 1
    try:
        crypto_unpad(AES.new(key, AES.MODE_CBC, iv=iv).decrypt(ct), 16, style="pkcs7")
    except ValueError:
        failures += 1
    return failures == 2


def gen_cbc(out: Path) -> Path:
    rng = ByteSource(SEED_LABEL + "aes-256-cbc")
    fb = FileBuilder(
        algorithm="AES-256-CBC",
        type_name="IndCpaTest",
        header=[
            "AES-256-CBC (NIST SP 800-38A §6.2) without padding and with PKCS#7 padding",
            "(RFC 5652 §6.3): NIST and libsignal vectors, pseudo-random cases, bad padding.",
        ],
        notes=CBC_NOTES,
        source=SOURCE,
    )
    none = fb.group(
        [SpecRefSpec("NIST SP 800-38A", "6.2", "MUST")], ivSize=128, keySize=256, padding="NONE"
    )
    pkcs7 = fb.group(
        [SpecRefSpec("NIST SP 800-38A", "6.2", "MUST"), SpecRefSpec("RFC 5652", "6.3", "MUST")],
        ivSize=128,
        keySize=256,
        padding="PKCS7",
    )

    nist_key = h("603deb1015ca71be2b73aef0857d77811f352c073b6108d72d9810a30914dff4")
    nist_iv = bytes(range(16))
    nist_pt = h(
        "6bc1bee22e409f96e93d7e117393172aae2d8a571e03ac9c9eb76fac45af8e51"
        "30c81c46a35ce411e5fbc1191a0a52eff69f2445df4f9b17ad2b417be66c3710"
    )
    nist_ct = h(
        "f58c4c04d6e5f1ba779eabfb5f7bfbd69cfc4e967edb808d679f777bc6702c7d"
        "39f23369a9d9bacfa530e26304231461b2eb05e2c39be9fcda6c19078c6a9d1b"
    )
    require_equal(
        "NIST SP 800-38A F.2.5 CBC-AES256.Encrypt", nist_ct, cbc_raw(nist_key, nist_iv, nist_pt)
    )
    none.add(
        "NIST SP 800-38A F.2.5 CBC-AES256.Encrypt (F.2.6 decrypts the same blocks)",
        ["Ktv"],
        "valid",
        CaseSource("NIST SP 800-38A", "F.2.5"),
        key=nist_key,
        iv=nist_iv,
        msg=nist_pt,
        ct=nist_ct,
    )
    padded_ct = cbc_pkcs7(nist_key, nist_iv, nist_pt)
    require_equal("PKCS#7 CBC of the F.2.5 plaintext starts with F.2.5", nist_ct, padded_ct[:64])
    pkcs7.add(
        "the F.2.5 plaintext with PKCS#7: the first 64 bytes of ct are F.2.5's, then a full "
        "padding block",
        ["FullPaddingBlock"],
        "valid",
        key=nist_key,
        iv=nist_iv,
        msg=nist_pt,
        ct=padded_ct,
    )

    sig_key = h("4e22eb16d964779994222e82192ce9f747da72dc4abe49dfdeeb71d0ffe3796e")
    sig_iv = h("6f8a557ddc0a140c878063a6d5f31d3d")
    sig_pt = h("30736294a124482a4159")
    sig_ct = h("dd3f573ab4508b9ed0e45e0baf5608f3")
    require_equal("libsignal aes_cbc.rs KAT", sig_ct, cbc_pkcs7(sig_key, sig_iv, sig_pt))
    pkcs7.add(
        "libsignal AES-256-CBC known answer",
        ["Ktv"],
        "valid",
        CaseSource("libsignal rust/crypto/src/aes_cbc.rs", "tests"),
        key=sig_key,
        iv=sig_iv,
        msg=sig_pt,
        ct=sig_ct,
    )

    for size in (16, 32, 48, 80, 256):
        key, iv, msg = rng.bytes(32), rng.bytes(16), rng.bytes(size)
        none.add(
            f"pseudo-random {size}-byte message, no padding",
            ["Pseudorandom"],
            "valid",
            key=key,
            iv=iv,
            msg=msg,
            ct=cbc_raw(key, iv, msg),
        )
    for size in (15, 17):
        key, iv = rng.bytes(32), rng.bytes(16)
        none.add(
            f"{size}-byte ciphertext (not a whole block)",
            ["InvalidCiphertextSize"],
            "invalid",
            key=key,
            iv=iv,
            msg=b"",
            ct=rng.bytes(size),
        )

    sizes = (
        0,
        1,
        2,
        3,
        7,
        8,
        14,
        15,
        16,
        17,
        18,
        23,
        31,
        32,
        33,
        40,
        47,
        48,
        49,
        55,
        63,
        64,
        65,
        70,
        79,
        80,
        81,
        90,
        95,
        96,
        100,
    )
    for size in sizes:
        key, iv, msg = rng.bytes(32), rng.bytes(16), rng.bytes(size)
        flags = ["Pseudorandom", "FullPaddingBlock"] if size % 16 == 0 else ["Pseudorandom"]
        pkcs7.add(
            f"pseudo-random {size}-byte message",
            flags,
            "valid",
            key=key,
            iv=iv,
            msg=msg,
            ct=cbc_pkcs7(key, iv, msg),
        )

    for comment, tail_len, tail in bad_padding_tails():
        key, iv = rng.bytes(32), rng.bytes(16)
        body = rng.bytes(tail_len - len(tail)) + tail
        ct = cbc_raw(key, iv, body)
        if not cbc_unpad_fails(key, iv, ct):
            raise GeneratorError(f"AES-CBC bad padding case {comment!r} unpads")
        pkcs7.add(comment, ["BadPadding"], "invalid", key=key, iv=iv, msg=b"", ct=ct)
    for size, comment in (
        (0, "empty ciphertext"),
        (31, "31-byte ciphertext"),
        (33, "33-byte ciphertext"),
        (8, "8-byte ciphertext"),
    ):
        key, iv = rng.bytes(32), rng.bytes(16)
        ct = (
            cbc_pkcs7(key, iv, rng.bytes(20))[:size]
            if size <= 32
            else cbc_pkcs7(key, iv, rng.bytes(20)) + b"\x00"
        )
        pkcs7.add(
            f"{comment} (not a positive multiple of 16)",
            ["InvalidCiphertextSize"],
            "invalid",
            key=key,
            iv=iv,
            msg=b"",
            ct=ct,
        )
    return write(fb, out / "aes_256_cbc_test.json")


def bad_padding_tails() -> list[tuple[str, int, bytes]]:
    """(comment, plaintext length, required final bytes) of plaintexts with bad PKCS#7 padding."""
    return [
        ("last byte 0x00 (pad length 0)", 16, b"\x00"),
        ("last byte 0x00, two blocks", 32, b"\x00"),
        ("last byte 0x11 (17), seventeen 0x11 bytes", 32, b"\x11" * 17),
        ("last byte 0x11 (17) in a single block", 16, b"\x11" * 16),
        ("pad bytes disagree: ... 04 03 03", 16, b"\x04\x03\x03"),
        ("pad bytes disagree: ... 01 02", 32, b"\x01\x02"),
        ("pad length 16 but the first pad byte is 0x0f", 16, b"\x0f" + b"\x10" * 15),
        ("pad length 8, one middle pad byte wrong", 32, b"\x08\x08\x08\x09\x08\x08\x08\x08"),
        ("32 bytes of 0x20: padding longer than a block", 32, b"\x20" * 32),
        ("pad byte 0x20 exceeds the 16-byte plaintext", 16, b"\x20" * 16),
        ("pad byte 0xff", 16, b"\xff"),
        ("pad byte 0x80, 48-byte plaintext", 48, b"\x80" * 48),
        ("pad byte 0x41 ('A')", 16, b"\x41"),
    ]


# ---------------------------------------------------------------------------------------------
# AES-256-CBC + HMAC-SHA-256 (Signal Double Ratchet spec §5.2; Signal and Olm)
# ---------------------------------------------------------------------------------------------

CBC_HMAC_NOTES = {
    "Pseudorandom": NoteSpec(
        "BASIC",
        "Pseudo-random message key, AAD and message; computed with pyca/cryptography (HKDF, "
        "AES-CBC, HMAC) and reproduced with pycryptodome.",
    ),
    "DerivedKeysKtv": NoteSpec(
        "BASIC",
        "The message key comes from a published key-derivation vector and the derived AES key "
        "and MAC key match it; the ciphertext and tag themselves are computed.",
    ),
    "ModifiedCiphertext": NoteSpec(
        "AUTH_BYPASS",
        "A bit of the ciphertext is flipped under the original tag; the MAC check must fail.",
    ),
    "ModifiedTag": NoteSpec(
        "AUTH_BYPASS", "A bit of the 8-byte tag is flipped; the MAC check must fail."
    ),
    "ModifiedAad": NoteSpec(
        "AUTH_BYPASS",
        "The associated data differs from what the tag covers; the MAC check must fail.",
    ),
    "TruncatedTag": NoteSpec(
        "AUTH_BYPASS",
        "The tag is 4 bytes, a prefix of the correct 8-byte tag. The Double Ratchet spec §6.6 "
        "says the HMAC should never be truncated below 64 bits; a receiver must not compare only "
        "the bytes it was given.",
    ),
    "BadPaddingValidMac": NoteSpec(
        "CONFIDENTIALITY",
        "The tag is valid, but the decrypted CBC plaintext has bad PKCS#7 padding; the receiver "
        "must reject the message, not return unpadded or truncated plaintext.",
        effect="Padding errors reported differently from MAC errors, or a padding check made "
        "before the MAC check, give a padding oracle (Vaudenay 2002).",
        links=(rfc(5652, "6.3"),),
    ),
    "AadNotAuthenticated": NoteSpec(
        "AUTH_BYPASS",
        "The tag was computed over the ciphertext alone, leaving out the associated data that "
        "§5.2 puts before it in the HMAC input; a receiver that also leaves it out accepts.",
        effect="Associated data (identity keys, headers) could be swapped without detection.",
    ),
}

CHAIN_KEY = h("8ab72d6f4cc5ac0d387eaf463378ddb28edd07385b1cb01250c715982e7ad48f")
CHAIN_CIPHER_KEY = h("bf51e9d75e0e31031051f82a2491ffc084fa298b7793bd9db620056febf45217")
CHAIN_MAC_KEY = h("c6c77d6a73a354337a56435e34607dfe48e3ace14e77314dc6abc172e7a7030b")
CHAIN_IV = h("afa8207986b692a116d4b40bbff72d6c")  # computed in the reference notes, not published
CHAIN_NEXT = h("28e8f8fee54b801eef7c5cfb2f17f32c7b334485bbb70fac6ec10342a246d15d")


def cbc_hmac_keys(key: bytes, info: bytes) -> tuple[bytes, bytes, bytes]:
    """(AES key, MAC key, IV) = HKDF-SHA-256(salt zero, key, info, 80), split 32/32/16."""
    okm = hkdf_checked(key, b"", info, 80)
    return okm[:32], okm[32:64], okm[64:]


def mac8(mac_key: bytes, data: bytes) -> bytes:
    return hmac_checked(mac_key, data)[:8]


def cbc_hmac_seal(key: bytes, info: bytes, aad: bytes, msg: bytes) -> tuple[bytes, bytes]:
    enc_key, mac_key, iv = cbc_hmac_keys(key, info)
    ct = cbc_pkcs7(enc_key, iv, msg)
    tag = mac8(mac_key, aad + ct)
    # Second implementation end to end: pycryptodome only.
    okm = CryptoHKDF(key, 80, None, CryptoSHA256, context=info)
    assert isinstance(okm, bytes)
    ct2 = AES.new(okm[:32], AES.MODE_CBC, iv=okm[64:]).encrypt(crypto_pad(msg, 16))
    tag2 = CryptoHMAC.new(okm[32:64], aad + ct2, CryptoSHA256).digest()[:8]
    require_equal("CBC-HMAC ciphertext pycryptodome vs cryptography", ct, ct2)
    require_equal("CBC-HMAC tag pycryptodome vs cryptography", tag, tag2)
    return ct, tag


def gen_cbc_hmac(out: Path) -> Path:
    rng = ByteSource(SEED_LABEL + "aes-256-cbc-hmac-sha256")
    fb = FileBuilder(
        algorithm="AES-256-CBC-HMAC-SHA256",
        type_name="CbcHmacTest",
        header=[
            "The Double Ratchet's ENCRYPT (Signal Double Ratchet spec §5.2) with Signal's and Olm's",
            "HKDF info strings: HKDF-SHA-256 -> AES-256-CBC/PKCS#7 + HMAC-SHA-256(aad || ct)[:8].",
        ],
        notes=CBC_HMAC_NOTES,
        source=SOURCE,
    )
    refs = [
        SpecRefSpec("Signal Double Ratchet spec", "5.2", "MUST"),
        SpecRefSpec("Signal Double Ratchet spec", "6.6", "SHOULD"),
    ]

    # libsignal keys.rs test_chain_key_derivation.
    seed = hmac_checked(CHAIN_KEY, b"\x01")
    require_equal("libsignal next chain key", CHAIN_NEXT, hmac_checked(CHAIN_KEY, b"\x02"))
    enc_key, mac_key, iv = cbc_hmac_keys(seed, b"WhisperMessageKeys")
    require_equal("libsignal chain-key vector cipher_key", CHAIN_CIPHER_KEY, enc_key)
    require_equal("libsignal chain-key vector mac_key", CHAIN_MAC_KEY, mac_key)
    require_equal("libsignal chain-key vector iv (reference-notes value)", CHAIN_IV, iv)

    for info, label in ((b"WhisperMessageKeys", "Signal"), (b"OLM_KEYS", "Olm")):
        g = fb.group(refs, info=info, tagSize=64)

        def invalid(
            comment: str,
            flag: str,
            key: bytes,
            aad: bytes,
            ct: bytes,
            tag: bytes,
            g: GroupBuilder = g,
        ) -> None:
            g.add(comment, [flag], "invalid", key=key, aad=aad, msg=b"", ct=ct, tag=tag)

        if label == "Signal":
            aad, msg = rng.bytes(66), rng.bytes(33)
            ct, tag = cbc_hmac_seal(seed, info, aad, msg)
            g.add(
                "message key = libsignal keys.rs test_chain_key_derivation message key seed "
                "(HMAC-SHA256(chain key 8ab72d6f..., 0x01)); derived cipher_key and mac_key "
                "match that test",
                ["DerivedKeysKtv"],
                "valid",
                key=seed,
                aad=aad,
                msg=msg,
                ct=ct,
                tag=tag,
            )
        msg_sizes = (0, 1, 15, 16, 17, 31, 32, 33, 47, 48, 64, 65, 80, 99, 100)
        aad_sizes = (0, 1, 33, 66, 100)
        bases = []
        for i, msg_size in enumerate(msg_sizes):
            key = rng.bytes(32)
            aad = rng.bytes(aad_sizes[i % len(aad_sizes)])
            msg = rng.bytes(msg_size)
            ct, tag = cbc_hmac_seal(key, info, aad, msg)
            g.add(
                f"{label}: pseudo-random {msg_size}-byte message, {len(aad)}-byte AAD",
                ["Pseudorandom"],
                "valid",
                key=key,
                aad=aad,
                msg=msg,
                ct=ct,
                tag=tag,
            )
            if msg_size in (1, 33, 64) or (msg_size == 17 and aad):
                bases.append((key, aad, msg, ct, tag))
        for key, aad, msg, ct, tag in bases:
            what = f"{label}: {len(msg)}-byte message, {len(aad)}-byte AAD"
            invalid(
                f"{what}: bit 0 of the ciphertext flipped",
                "ModifiedCiphertext",
                key,
                aad,
                bit_flip(ct, 0),
                tag,
            )
            invalid(
                f"{what}: last bit of the ciphertext flipped",
                "ModifiedCiphertext",
                key,
                aad,
                bit_flip(ct, 8 * len(ct) - 1),
                tag,
            )
            invalid(
                f"{what}: bit 0 of the tag flipped", "ModifiedTag", key, aad, ct, bit_flip(tag, 0)
            )
            invalid(
                f"{what}: bit 63 of the tag flipped", "ModifiedTag", key, aad, ct, bit_flip(tag, 63)
            )
            if aad:
                invalid(
                    f"{what}: bit 0 of the AAD flipped",
                    "ModifiedAad",
                    key,
                    bit_flip(aad, 0),
                    ct,
                    tag,
                )
            else:
                invalid(f"{what}: one AAD byte added", "ModifiedAad", key, b"\x00", ct, tag)
            invalid(f"{what}: tag truncated to 4 bytes", "TruncatedTag", key, aad, ct, tag[:4])
        for comment, tail_len, tail in bad_padding_tails()[:6]:
            key, aad = rng.bytes(32), rng.bytes(rng.choice((0, 20, 66)))
            enc_key, mac_key, iv = cbc_hmac_keys(key, info)
            ct = cbc_raw(enc_key, iv, rng.bytes(tail_len - len(tail)) + tail)
            if not cbc_unpad_fails(enc_key, iv, ct):
                raise GeneratorError(f"CBC-HMAC bad padding case {comment!r} unpads")
            invalid(
                f"{label}: valid tag, bad padding: {comment}",
                "BadPaddingValidMac",
                key,
                aad,
                ct,
                mac8(mac_key, aad + ct),
            )
        for size in (5, 40):
            key, aad, msg = rng.bytes(32), rng.bytes(rng.choice((33, 66))), rng.bytes(size)
            ct, _ = cbc_hmac_seal(key, info, aad, msg)
            _, mac_key, _ = cbc_hmac_keys(key, info)
            invalid(
                f"{label}: tag over the ciphertext only, {len(aad)}-byte AAD left out",
                "AadNotAuthenticated",
                key,
                aad,
                ct,
                mac8(mac_key, ct),
            )
    return write(fb, out / "aes_256_cbc_hmac_sha256_test.json")


# ---------------------------------------------------------------------------------------------


def generate(out: Path) -> list[Path]:
    """Write every primitive vector file into ``out`` and check it; return the paths."""
    OBSERVATIONS.clear()
    paths = [
        gen_x25519(out),
        gen_x25519_iterated(out),
        gen_ed25519(out),
        gen_hkdf(out),
        gen_hmac(out),
        *(gen_aead(spec, out) for spec in AEADS),
        gen_cbc(out),
        gen_cbc_hmac(out),
    ]
    check(paths)
    return paths


def main(argv: Sequence[str] | None = None) -> int:
    description = __doc__.splitlines()[0] if __doc__ else None
    return run_generator("primitives.py", description, "primitives", generate, OBSERVATIONS, argv)


if __name__ == "__main__":
    sys.exit(main())
