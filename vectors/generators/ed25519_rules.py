"""Generate ``vectors/ed25519_rules.json``: Ed25519 inputs on which the
verification rule sets disagree, for the ``prop/primitives/ed25519-rules`` check.

Usage: ``PYTHONPATH=. python vectors/generators/ed25519_rules.py [--check]``

The cases follow the layout of C2SP CCTV's ``ed25519/ed25519vectors.json`` (fields ``number``,
``key``, ``sig``, ``msg``, ``flags``; flag names from CCTV's ed25519/README.md) inside an
envelope that cites the sources and gives, per case, the verdict of every rule set in
:mod:`conformance.reference.ed25519_rules` (``verdicts``). Built from first principles:

* A and R are each drawn from: an ordinary point [x]B; each of the eight torsion points (order
  1, 2, 4, 8; the order-8 generator is CCTV's ``26e8958f...fc05``); three mixed-order points
  [x]B + T (T of order 2, 4, 8); and the six non-canonical encodings of low-order points that
  RFC 8032 §5.1.3 refuses (y >= p, and "x = -0": the sign bit set where x = 0; CCTV README,
  "Low-order edwards25519 point encodings").
* S = r + k a mod L, so the cofactored equation ([8][S]B = [8]R + [8][k]A, RFC 8032 §5.1.7)
  always holds; the message is chosen (``ed25519rules N``) so that the low-order parts of R and
  [k]A cancel (cofactorless holds too) or not (flag ``low_order_residue``) when both happen.
* Two malleability cases (flag ``non_canonical_S``): an honest signature with S + L, which
  every rule set refuses (RFC 8032 §5.1.7: S in [0, L); ZIP-215: S < L).

These are "acceptable" inputs: no verdict is asserted of any one library. Each case's verdict per
rule set is computed by the suite's models, and the generator aborts unless (1) an independent
re-implementation of the equations (``_edwards25519.verify``: strict, cofactored, and lenient
decoding) agrees with the RFC 8032 and ZIP-215 models on every case, and (2) two real libraries
reproduce the model of the rule set they are documented to follow on every case: libsodium
(PyNaCl, ``crypto_sign_open``) the "strict" model, PyCryptodome (``eddsa``, whose verifier
multiplies by the cofactor) the "RFC 8032 cofactored" model, and OpenSSL (pyca/cryptography) the
"ref10" model (CCTV README, "Ecosystem behaviors"). The ZIP-215 verdicts are reproduced at run
time by noble (@noble/curves, whose verifier defaults to ZIP-215); RFC 8032 cofactorless has no
library here that follows it alone.
"""

from __future__ import annotations

import hashlib
import json
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

import nacl.bindings
import nacl.exceptions
from Crypto.Signature import eddsa
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

from conformance.reference import ed25519_rules as rules
from vectors.generators import _edwards25519 as ed
from vectors.generators._common import ByteSource, GeneratorError, dump_json

OUT = Path(__file__).resolve().parent.parent / "ed25519_rules.json"

#: CCTV's order-8 point (ed25519/README.md); its multiples are the eight torsion points.
_T8 = bytes.fromhex("26e8958fc2b227b045c3f489f2ef98f0d5dfac05d3c63339b13802886d53fc05")
#: Non-canonical encodings of low-order points (CCTV ed25519/README.md): y >= p, and x = -0.
NON_CANONICAL = (
    "edffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f",  # y = p (0), order 4
    "edffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff",  # y = p, sign set
    "0100000000000000000000000000000000000000000000000000000000000080",  # identity, x = -0
    "eeffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f",  # y = p + 1
    "eeffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff",  # y = p + 1, x = -0
    "ecffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff",  # order 2, x = -0
)

NOTES = {
    "low_order_A": "A is one of the eight points of order dividing 8 (CCTV flag).",
    "low_order_R": "R is one of the eight points of order dividing 8 (CCTV flag).",
    "non_canonical_A": "A is a non-canonical encoding RFC 8032 §5.1.3 refuses (CCTV flag).",
    "non_canonical_R": "R is a non-canonical encoding RFC 8032 §5.1.3 refuses (CCTV flag).",
    "low_order_component_A": "A has a low-order component (CCTV flag; mixed_A if not low-order).",
    "low_order_component_R": "R has a low-order component (CCTV flag; mixed_R if not low-order).",
    "mixed_A": "A = [x]B + T with T of order 2, 4 or 8: not in the prime-order subgroup.",
    "mixed_R": "R = [x]B + T with T of order 2, 4 or 8: not in the prime-order subgroup.",
    "low_order_residue": "Cofactored equation holds, cofactorless does not (CCTV flag).",
    "non_canonical_S": "S >= L: refused by every rule set (RFC 8032 §5.1.7, ZIP-215).",
}

SOURCES = [
    "RFC 8032 §5.1.3 (point decoding), §5.1.7 (verification; cofactored or cofactorless)",
    "ZIP-215: Explicitly Defining and Modifying Ed25519 Validation Rules (zips.z.cash)",
    "C2SP CCTV ed25519/README.md: vector format, flag names, low-order encodings, behaviours",
    "libsodium crypto_sign_verify_detached: refuses S >= L, small-order A and R, non-canonical A",
    "ed25519-dalek verify_strict: refuses small-order A and R, cofactorless",
]


def _torsion() -> list[ed.Point]:
    t8 = ed.decode_point(_T8)
    if t8 is None or not ed.point_equal(ed.scalar_mult(8, t8), ed.IDENTITY):
        raise GeneratorError("CCTV's order-8 point does not decode to a point of order 8")
    return [ed.scalar_mult(i, t8) for i in range(8)]


def _choices(src: ByteSource, role: str) -> list[tuple[int, ed.Point, bytes, list[str]]]:
    """(prime-order scalar, torsion part, encoding, flags) for every kind of A or R."""
    torsion = _torsion()
    out: list[tuple[int, ed.Point, bytes, list[str]]] = [
        (src.below(ed.L - 1) + 1, ed.IDENTITY, b"", [])
    ]
    for i, t in enumerate(torsion):
        flags = [f"low_order_{role}"] + ([f"low_order_component_{role}"] if i else [])
        out.append((0, t, ed.encode_point(t), flags))
    for i in (4, 2, 1):  # T of order 2, 4, 8
        out.append(
            (
                src.below(ed.L - 1) + 1,
                torsion[i],
                b"",
                [f"low_order_component_{role}", f"mixed_{role}"],
            )
        )
    for enc in NON_CANONICAL:
        pt = ed.decode_point(bytes.fromhex(enc), canonical=False)
        if pt is None:  # "x = -0": the sign bit is ignored on x = 0
            n = int.from_bytes(bytes.fromhex(enc), "little") & ((1 << 255) - 1)
            pt = ed.decode_point((n % ed.P).to_bytes(32, "little"))
        if pt is None or not ed.point_equal(ed.scalar_mult(8, pt), ed.IDENTITY):
            raise GeneratorError(f"{enc} is not an encoding of a low-order point")
        flags = [f"low_order_{role}", f"non_canonical_{role}"]
        if not ed.point_equal(pt, ed.IDENTITY):
            flags.append(f"low_order_component_{role}")
        out.append((0, pt, bytes.fromhex(enc), flags))
    return out


def _encoding(scalar: int, t: ed.Point, enc: bytes) -> tuple[ed.Point, bytes]:
    pt = ed.point_add(ed.scalar_mult(scalar, ed.BASE), t)
    return pt, enc or ed.encode_point(pt)


def _sign(a: int, r: int, a_enc: bytes, r_enc: bytes, msg: bytes) -> tuple[bytes, int]:
    k = int.from_bytes(hashlib.sha512(r_enc + a_enc + msg).digest(), "little") % ed.L
    return r_enc + ((r + k * a) % ed.L).to_bytes(32, "little"), k


def cases() -> list[dict[str, object]]:
    src = ByteSource("e2ee-conformance ed25519 rules")
    out: list[dict[str, object]] = []
    a_choices, r_choices = _choices(src, "A"), _choices(src, "R")
    for a, ta, a_enc0, a_flags in a_choices:
        _, a_enc = _encoding(a, ta, a_enc0)
        for r, tr, r_enc0, r_flags in r_choices:
            _, r_enc = _encoding(r, tr, r_enc0)
            seen: set[bool] = set()
            for n in range(64):
                msg = f"ed25519rules {n}".encode()
                sig, k = _sign(a, r, a_enc, r_enc, msg)
                residue = not ed.point_equal(ed.point_add(tr, ed.scalar_mult(k, ta)), ed.IDENTITY)
                if residue in seen:
                    continue
                seen.add(residue)
                flags = sorted({*a_flags, *r_flags} | ({"low_order_residue"} if residue else set()))
                out.append({"key": a_enc, "sig": sig, "msg": msg, "flags": flags})
                if len(seen) == 2:
                    break
    seed = src.bytes(32)
    pub = ed.public_key(seed)
    for n in range(2):
        msg = f"ed25519rules malleable {n}".encode()
        sig = ed.sign(seed, msg)
        s = int.from_bytes(sig[32:], "little") + ed.L
        out.append(
            {
                "key": pub,
                "sig": sig[:32] + s.to_bytes(32, "little"),
                "msg": msg,
                "flags": ["non_canonical_S"],
            }
        )
    return out


def _pycryptodome_accepts(key: bytes, sig: bytes, msg: bytes) -> bool:
    try:
        eddsa.new(eddsa.import_public_key(key), "rfc8032").verify(msg, sig)
    except ValueError:
        return False
    return True


def _library_verdicts(key: bytes, sig: bytes, msg: bytes) -> tuple[bool, bool]:
    """(libsodium via PyNaCl, OpenSSL via pyca/cryptography) acceptance."""
    try:
        nacl.bindings.crypto_sign_open(sig + msg, key)
        sodium = True
    except (nacl.exceptions.BadSignatureError, ValueError):
        sodium = False
    try:
        Ed25519PublicKey.from_public_bytes(key).verify(sig, msg)
        openssl = True
    except (InvalidSignature, ValueError):
        openssl = False
    return sodium, openssl


def build() -> dict[str, object]:
    by_name = {rs.name: rs for rs in rules.RULE_SETS}
    vectors = []
    for number, case in enumerate(cases()):
        key, sig, msg = case["key"], case["sig"], case["msg"]
        if not (isinstance(key, bytes) and isinstance(sig, bytes) and isinstance(msg, bytes)):
            raise GeneratorError(f"case {number}: not bytes")
        judged = rules.judge(key, msg, sig)
        verdicts = {name: rules.verdict(rs, judged) for name, rs in by_name.items()}
        # An independent implementation of the equations and decodings must agree.
        independent = {
            "RFC 8032 cofactorless": ed.verify(key, msg, sig),
            "RFC 8032 cofactored": ed.verify(key, msg, sig, cofactored=True),
        }
        for name, got in independent.items():
            if got != verdicts[name]:
                raise GeneratorError(f"case {number}: {name} model and _edwards25519 disagree")
        flags = case["flags"]
        assert isinstance(flags, list)
        sodium, openssl = _library_verdicts(key, sig, msg)
        if sodium != verdicts["strict"]:
            raise GeneratorError(f"case {number}: libsodium gives {sodium}, strict model not")
        if _pycryptodome_accepts(key, sig, msg) != verdicts["RFC 8032 cofactored"]:
            raise GeneratorError(f"case {number}: PyCryptodome and the cofactored model differ")
        if openssl != verdicts["ref10"]:
            raise GeneratorError(f"case {number}: OpenSSL gives {openssl}, ref10 model not")
        vectors.append(
            {
                "number": number,
                "key": key.hex(),
                "sig": sig.hex(),
                "msg": msg.decode(),
                "flags": flags,
                "verdicts": verdicts,
            }
        )
    return {
        "generator": "vectors/generators/ed25519_rules.py",
        "format": "C2SP CCTV ed25519vectors.json cases (number, key, sig, msg, flags) + verdicts",
        "sources": SOURCES,
        "ruleSets": {rs.name: _describe(rs) for rs in rules.RULE_SETS},
        "notes": NOTES,
        "numberOfTests": len(vectors),
        "vectors": vectors,
    }


def _describe(rs: rules.RuleSet) -> str:
    parts = [
        "canonical A" if rs.canonical_a else "non-canonical A reduced",
        "canonical R" if rs.canonical_r else "non-canonical R reduced",
        "small-order A and R refused" if rs.refuse_small_order else "small-order A and R allowed",
        "cofactored" if rs.cofactored else "cofactorless",
        "S < L",
    ]
    return ", ".join(parts) + ("" if rs.conforming else " (not RFC 8032: §5.1.3)")


def main(argv: list[str]) -> int:
    text = dump_json(build())
    if "--check" in argv:
        if not OUT.is_file() or OUT.read_text(encoding="utf-8") != text:
            print(
                f"ed25519_rules.py: {OUT} is out of date (rerun without --check)", file=sys.stderr
            )
            return 1
        return 0
    OUT.parent.mkdir(parents=True, exist_ok=True)
    OUT.write_text(text, encoding="utf-8")
    counts = json.loads(text)["vectors"]
    print(f"wrote {OUT} ({len(counts)} cases)")
    return 0


if __name__ == "__main__":
    try:
        sys.exit(main(sys.argv[1:]))
    except GeneratorError as exc:
        print(f"ed25519_rules.py: aborted: {exc}", file=sys.stderr)
        sys.exit(1)
