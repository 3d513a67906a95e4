"""Known-answer checks of the ``primitives`` family, one function per vector type."""

from __future__ import annotations

from typing import cast

from ..capabilities.primitives import X25519, Aead, Aes256Cbc, Ed25519, HkdfSha256, HmacSha256
from ..model import Case, Group
from ..reference import cbc_hmac as dr_encrypt
from . import PASS, Attempt, CheckFn, Verdict, attempt, first_failure, judge

__all__ = ["CHECKS"]


def xdh_comp(group: Group, case: Case, impl: object) -> Verdict:
    """RFC 7748 §5: X25519(private, public) == shared."""
    x = cast(X25519, impl)
    return judge(
        case,
        attempt(x.x25519, case.bytes("private"), case.bytes("public")),
        case.bytes("shared"),
        "x25519",
    )


def xdh_iterated(group: Group, case: Case, impl: object) -> Verdict:
    """RFC 7748 §5.2: (k, u) <- (X25519(k, u), k), ``iterations`` times."""
    x = cast(X25519, impl)
    k, u = case.bytes("private"), case.bytes("public")
    for i in range(case.int("iterations")):
        step = attempt(x.x25519, k, u)
        if step.refused or not isinstance(step.value, bytes):
            return judge(case, step, case.bytes("shared"), f"x25519 iteration {i + 1}")
        k, u = step.value, k
    return judge(case, Attempt(k), case.bytes("shared"), "x25519 after the last iteration")


def eddsa_verify(group: Group, case: Case, impl: object) -> Verdict:
    """RFC 8032 §5.1.7 verification; §5.1.5-5.1.6 key derivation and signing when the group
    carries the private key (Ed25519 signatures are deterministic)."""
    ed = cast(Ed25519, impl)
    pk, msg, sig = group.bytes("publicKey"), case.bytes("msg"), case.bytes("sig")
    verified = judge(case, attempt(ed.ed25519_verify, pk, msg, sig), None, "ed25519_verify")
    seed = group.bytes("privateKey")
    if not seed or not case.valid:
        return verified
    return first_failure(
        verified,
        judge(case, attempt(ed.ed25519_public_key, seed), pk, "ed25519_public_key"),
        judge(case, attempt(ed.ed25519_sign, seed, msg), sig, "ed25519_sign"),
    )


def hkdf(group: Group, case: Case, impl: object) -> Verdict:
    """RFC 5869 §2.2-2.3; a length above 255 * HashLen must be refused."""
    h = cast(HkdfSha256, impl)
    out = attempt(
        h.hkdf_sha256, case.bytes("ikm"), case.bytes("salt"), case.bytes("info"), case.int("size")
    )
    return judge(case, out, case.bytes("okm"), "hkdf_sha256")


def mac(group: Group, case: Case, impl: object) -> Verdict:
    """HMAC-SHA-256 (RFC 2104, RFC 4231). The MAC truncated to tagSize must equal the tag of a
    valid case and differ from an invalid one; with a full-size tagSize the verifier must accept
    exactly the valid tags (so a truncated tag presented to it is refused)."""
    m = cast(HmacSha256, impl)
    key, msg, tag = case.bytes("key"), case.bytes("msg"), case.bytes("tag")
    size = group.int("tagSize") // 8
    computed = attempt(m.hmac_sha256, key, msg)
    if computed.refused:
        return judge(case, computed, tag, "hmac_sha256")
    truncated = cast(bytes, computed.value)[:size]
    if case.invalid:
        if truncated == tag:
            return Verdict("fail", "hmac_sha256: the computed MAC equals the invalid tag")
    elif truncated != tag:
        return judge(case, Attempt(truncated), tag, f"hmac_sha256 truncated to {size} bytes")
    if size != 32:
        return PASS
    return judge(case, attempt(m.hmac_sha256_verify, key, msg, tag), None, "hmac_sha256_verify")


def aead(group: Group, case: Case, impl: object) -> Verdict:
    """RFC 5116 §2.1-2.2 (encrypt and decrypt, the tag at the end of the ciphertext)."""
    a = cast(Aead, impl)
    key, iv, aad, msg = case.bytes("key"), case.bytes("iv"), case.bytes("aad"), case.bytes("msg")
    sealed = case.bytes("ct") + case.bytes("tag")
    opened = judge(case, attempt(a.decrypt, key, iv, sealed, aad), msg, "decrypt")
    if not case.valid:
        return opened
    return first_failure(
        judge(case, attempt(a.encrypt, key, iv, msg, aad), sealed, "encrypt"), opened
    )


def ind_cpa(group: Group, case: Case, impl: object) -> Verdict:
    """NIST SP 800-38A §6.2 CBC; PKCS#7 (RFC 5652 §6.3) when the group's padding says so."""
    c = cast(Aes256Cbc, impl)
    padding = group.str("padding") == "PKCS7"
    key, iv, msg, ct = case.bytes("key"), case.bytes("iv"), case.bytes("msg"), case.bytes("ct")
    opened = judge(case, attempt(c.aes_256_cbc_decrypt, key, iv, ct, padding), msg, "decrypt")
    if not case.valid:
        return opened
    encrypted = judge(case, attempt(c.aes_256_cbc_encrypt, key, iv, msg, padding), ct, "encrypt")
    return first_failure(encrypted, opened)


def cbc_hmac(group: Group, case: Case, impl: object) -> Verdict:
    """Double Ratchet §5.2 ENCRYPT/DECRYPT over the adapter's HKDF, AES-CBC and HMAC."""
    p = cast(dr_encrypt.CbcHmacPrimitives, impl)
    info, size = group.bytes("info"), group.int("tagSize") // 8
    key, aad, msg = case.bytes("key"), case.bytes("aad"), case.bytes("msg")
    ct, tag = case.bytes("ct"), case.bytes("tag")
    opened = judge(
        case, attempt(dr_encrypt.decrypt, p, key, info, aad, ct, tag, size), msg, "decrypt"
    )
    if not case.valid:
        return opened
    sealed = attempt(dr_encrypt.encrypt, p, key, info, aad, msg, size)
    return first_failure(judge(case, sealed, (ct, tag), "encrypt (ciphertext, tag)"), opened)


CHECKS: dict[str, CheckFn] = {
    "XdhComp": xdh_comp,
    "XdhIterated": xdh_iterated,
    "EddsaVerify": eddsa_verify,
    "HkdfTest": hkdf,
    "MacTest": mac,
    "AeadTest": aead,
    "IndCpaTest": ind_cpa,
    "CbcHmacTest": cbc_hmac,
}
