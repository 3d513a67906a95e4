"""Known-answer checks of the ``hpke`` family (RFC 9180), one function per vector type."""

from __future__ import annotations

from typing import cast

from ..capabilities.hpke import Hpke
from ..model import Case, Group
from . import CheckFn, Verdict, attempt, first_failure, judge

__all__ = ["CHECKS"]


def _suite(group: Group) -> tuple[int, int, int, int]:
    return group.int("kemId"), group.int("kdfId"), group.int("aeadId"), group.int("mode")


def hpke_test(group: Group, case: Case, impl: object) -> Verdict:
    """RFC 9180 single-shot Seal/Open (§6.1) with the ephemeral key pair DeriveKeyPair(ikmE).

    A valid (or acceptable) case: DeriveKeyPair(ikmR) and DeriveKeyPair(ikmS), when given, must
    give skR || pkR and skS || pkS (§7.1.3); Seal must give exactly enc || ct; Open must give the
    plaintext back. An invalid case must be refused: by Open when it carries a recipient private
    key (a tampered ciphertext, a low-order enc, a wrong PSK or sender key...), by Seal when it
    does not (a low-order pkR; §7.1.4 requires the all-zero DH output to be rejected).
    """
    h = cast(Hpke, impl)
    kem, kdf, aead, mode = _suite(group)
    sk_r, pk_r, sk_s, pk_s = (case.bytes(n) for n in ("skR", "pkR", "skS", "pkS"))
    psk, psk_id, info, aad = (case.bytes(n) for n in ("psk", "pskId", "info", "aad"))
    msg, enc, ct = case.bytes("msg"), case.bytes("enc"), case.bytes("ct")

    def open_() -> Verdict:
        opened = attempt(
            h.hpke_open, kem, kdf, aead, mode, sk_r, enc, info, aad, ct, psk, psk_id, pk_s
        )
        return judge(case, opened, msg, "hpke_open")

    def seal() -> Verdict:
        ikm_e = case.bytes("ikmE")
        sealed = attempt(
            h.hpke_seal, kem, kdf, aead, mode, pk_r, info, aad, msg, ikm_e, psk, psk_id, sk_s
        )
        return judge(case, sealed, enc + ct, "hpke_seal (enc || ct)")

    if case.invalid:
        return open_() if sk_r else seal()
    verdicts: list[Verdict] = []
    for role, ikm, sk, pk in (
        ("recipient", case.bytes("ikmR"), sk_r, pk_r),
        ("sender", case.bytes("ikmS"), sk_s, pk_s),
    ):
        if ikm:
            derived = attempt(h.hpke_derive_key_pair, kem, ikm)
            verdicts.append(judge(case, derived, sk + pk, f"hpke_derive_key_pair ({role})"))
    verdicts.append(seal())
    if sk_r:
        verdicts.append(open_())
    return first_failure(*verdicts)


def hpke_export(group: Group, case: Case, impl: object) -> Verdict:
    """RFC 9180 ReceiveExport (§6.2): the recipient's context exports exactly ``exported``; an
    invalid case (a length above 255 * Nh, §5.3; a low-order enc, §7.1.4) must be refused."""
    h = cast(Hpke, impl)
    kem, kdf, aead, mode = _suite(group)
    sk_r, enc, info, pk_s = (case.bytes(n) for n in ("skR", "enc", "info", "pkS"))
    psk, psk_id, context = (case.bytes(n) for n in ("psk", "pskId", "exporterContext"))
    length = case.int("length")
    exported = attempt(
        h.hpke_export, kem, kdf, aead, mode, sk_r, enc, info, context, length, psk, psk_id, pk_s
    )
    return judge(case, exported, case.bytes("exported"), "hpke_export")


CHECKS: dict[str, CheckFn] = {
    "HpkeTest": hpke_test,
    "HpkeExport": hpke_export,
}
