"""The suite's HPKE reference (conformance/reference/hpke.py): RFC 9180 Appendix A vectors for
X25519 (A.1), P-256 (A.3) and P-521 (A.6); X448, which Appendix A does not cover, and every
KEM x KDF x AEAD combination of the seven MLS cipher suites cross-checked against pyhpke; the
rejection sampling of DeriveKeyPair (§7.1.3); the refusals (§7.1.4, §5.1, §5.3)."""

from __future__ import annotations

import pytest

from conformance.capabilities.hpke import Hpke
from conformance.errors import AuthenticationFailed, InvalidInput, InvalidKey, Unsupported
from conformance.reference.hpke import (
    MODE_AUTH,
    MODE_AUTH_PSK,
    MODE_BASE,
    MODE_PSK,
    HpkeReference,
    HpkeSuite,
)
from conformance.reference.hpke_primitives import CryptographyHpkePrimitives

h = bytes.fromhex

# RFC 9180 Appendix A: values shared by every vector.
INFO = h("4f6465206f6e2061204772656369616e2055726e")  # "Ode on a Grecian Urn"
PT = h("4265617574792069732074727574682c20747275746820626561757479")
AAD0 = h("436f756e742d30")  # "Count-0", the first encryption's aad
PSK = h("0247fd33b913760fa1fa51e1892d9f307fbe65eb171e8132c2af18555a738b82")
PSK_ID = h("456e6e796e20447572696e206172616e204d6f726961")

#: (section, kem, kdf, aead, mode, ikmE, ikmR, skRm, pkRm, enc, ct of sequence 0).
VECTORS = [
    (
        "A.1.1",
        0x0020,
        0x0001,
        0x0001,
        MODE_BASE,
        "7268600d403fce431561aef583ee1613527cff655c1343f29812e66706df3234",
        "6db9df30aa07dd42ee5e8181afdb977e538f5e1fec8a06223f33f7013e525037",
        "4612c550263fc8ad58375df3f557aac531d26850903e55a9f23f21d8534e8ac8",
        "3948cfe0ad1ddb695d780e59077195da6c56506b027329794ab02bca80815c4d",
        "37fda3567bdbd628e88668c3c8d7e97d1d1253b6d4ea6d44c150f741f1bf4431",
        "f938558b5d72f1a23810b4be2ab4f84331acc02fc97babc53a52ae8218a355a96d8770ac83d07bea87e13c512a",
    ),
    (
        "A.1.2",
        0x0020,
        0x0001,
        0x0001,
        MODE_PSK,
        "78628c354e46f3e169bd231be7b2ff1c77aa302460a26dbfa15515684c00130b",
        "d4a09d09f575fef425905d2ab396c1449141463f698f8efdb7accfaff8995098",
        "c5eb01eb457fe6c6f57577c5413b931550a162c71a03ac8d196babbd4e5ce0fd",
        "9fed7e8c17387560e92cc6462a68049657246a09bfa8ade7aefe589672016366",
        "0ad0950d9fb9588e59690b74f1237ecdf1d775cd60be2eca57af5a4b0471c91b",
        "e52c6fed7f758d0cf7145689f21bc1be6ec9ea097fef4e959440012f4feb73fb611b946199e681f4cfc34db8ea",
    ),
    (
        "A.3.1",
        0x0010,
        0x0001,
        0x0001,
        MODE_BASE,
        "4270e54ffd08d79d5928020af4686d8f6b7d35dbe470265f1f5aa22816ce860e",
        "668b37171f1072f3cf12ea8a236a45df23fc13b82af3609ad1e354f6ef817550",
        "f3ce7fdae57e1a310d87f1ebbde6f328be0a99cdbcadf4d6589cf29de4b8ffd2",
        "04fe8c19ce0905191ebc298a9245792531f26f0cece2460639e8bc39cb7f706a826a779b4cf969b8a0e539c7f62fb3d30ad6aa8f80e30f1d128aafd68a2ce72ea0",
        "04a92719c6195d5085104f469a8b9814d5838ff72b60501e2c4466e5e67b325ac98536d7b61a1af4b78e5b7f951c0900be863c403ce65c9bfcb9382657222d18c4",
        "5ad590bb8baa577f8619db35a36311226a896e7342a6d836d8b7bcd2f20b6c7f9076ac232e3ab2523f39513434",
    ),
    (
        "A.6.1",
        0x0012,
        0x0003,
        0x0002,
        MODE_BASE,
        "7f06ab8215105fc46aceeb2e3dc5028b44364f960426eb0d8e4026c2f8b5d7e7a986688f1591abf5ab753c357a5d6f0440414b4ed4ede71317772ac98d9239f70904",
        "2ad954bbe39b7122529f7dde780bff626cd97f850d0784a432784e69d86eccaade43b6c10a8ffdb94bf943c6da479db137914ec835a7e715e36e45e29b587bab3bf1",
        "01462680369ae375e4b3791070a7458ed527842f6a98a79ff5e0d4cbde83c27196a3916956655523a6a2556a7af62c5cadabe2ef9da3760bb21e005202f7b2462847",
        "0401b45498c1714e2dce167d3caf162e45e0642afc7ed435df7902ccae0e84ba0f7d373f646b7738bbbdca11ed91bdeae3cdcba3301f2457be452f271fa6837580e661012af49583a62e48d44bed350c7118c0d8dc861c238c72a2bda17f64704f464b57338e7f40b60959480c0e58e6559b190d81663ed816e523b6b6a418f66d2451ec64",
        "040138b385ca16bb0d5fa0c0665fbbd7e69e3ee29f63991d3e9b5fa740aab8900aaeed46ed73a49055758425a0ce36507c54b29cc5b85a5cee6bae0cf1c21f2731ece2013dc3fb7c8d21654bb161b463962ca19e8c654ff24c94dd2898de12051f1ed0692237fb02b2f8d1dc1c73e9b366b529eb436e98a996ee522aef863dd5739d2f29b0",
        "170f8beddfe949b75ef9c387e201baf4132fa7374593dfafa90768788b7b2b200aafcc6d80ea4c795a7c5b841a",
    ),
]

#: (kem, kdf, aead) of MLS cipher suites 1-7 (RFC 9420 §17.1).
MLS_SUITES = [
    (0x0020, 0x0001, 0x0001),
    (0x0010, 0x0001, 0x0001),
    (0x0020, 0x0001, 0x0003),
    (0x0021, 0x0003, 0x0002),
    (0x0012, 0x0003, 0x0002),
    (0x0021, 0x0003, 0x0003),
    (0x0011, 0x0002, 0x0002),
]

PRIMS = CryptographyHpkePrimitives()


@pytest.mark.parametrize("vector", VECTORS, ids=[v[0] for v in VECTORS])
def test_appendix_a_vectors(
    vector: tuple[str, int, int, int, int, str, str, str, str, str, str],
) -> None:
    _, kem, kdf, aead, mode, ikm_e, ikm_r, sk_rm, pk_rm, enc, ct = vector
    suite = HpkeSuite(kem, kdf, aead, PRIMS)
    psk, psk_id = (PSK, PSK_ID) if mode == MODE_PSK else (b"", b"")
    assert suite.derive_key_pair(h(ikm_r)) == (h(sk_rm), h(pk_rm))
    got_enc, got_ct = suite.seal(h(pk_rm), INFO, AAD0, PT, h(ikm_e), mode, psk, psk_id)
    assert (got_enc.hex(), got_ct.hex()) == (enc, ct)
    assert suite.open(h(enc), h(sk_rm), INFO, AAD0, h(ct), mode, psk, psk_id) == PT


def test_appendix_a_exports() -> None:
    """A.1.1 and A.6.1 exported values (L = 32) for exporter_context "", 0x00, "TestContext"."""
    a11 = HpkeSuite(0x0020, 0x0001, 0x0001, PRIMS)
    sk_r = h(VECTORS[0][7])
    enc = h(VECTORS[0][9])
    assert (
        a11.receive_export(enc, sk_r, INFO, b"TestContext", 32).hex()
        == "e9e43065102c3836401bed8c3c3c75ae46be1639869391d62c61f1ec7af54931"
    )
    a61 = HpkeSuite(0x0012, 0x0003, 0x0002, PRIMS)
    sk_r, enc = h(VECTORS[3][7]), h(VECTORS[3][9])
    got = [a61.receive_export(enc, sk_r, INFO, c, 32).hex() for c in (b"", b"\x00", b"TestContext")]
    assert got == [
        "05e2e5bd9f0c30832b80a279ff211cc65eceb0d97001524085d609ead60d0412",
        "fca69744bb537f5b7a1596dbf34eaa8d84bf2e3ee7f1a155d41bd3624aa92b63",
        "f389beaac6fcf6c0d9376e20f97e364f0609a88f1bc76d7328e9104df8477013",
    ]


def test_p256_derive_key_pair_rejection_sampling() -> None:
    """§7.1.3: this ikm's counter-0 candidate is >= the P-256 order; counter 1 is used, and
    pyhpke derives the same public key."""
    pyhpke = pytest.importorskip("pyhpke")
    labels: list[bytes] = []

    class Spy(CryptographyHpkePrimitives):
        def hkdf_expand(self, hash_name: str, prk: bytes, info: bytes, length: int) -> bytes:
            labels.append(info)
            return super().hkdf_expand(hash_name, prk, info, length)

    ikm = h("68706b652d656467652d703235362d72656a656374696f6e00000001c6be4ce7")
    _, pk = HpkeSuite(0x0010, 0x0001, 0x0001, Spy()).derive_key_pair(ikm)
    assert [x[-10:] for x in labels] == [b"candidate\x00", b"candidate\x01"]
    theirs = pyhpke.CipherSuite.new(
        pyhpke.KEMId(0x0010), pyhpke.KDFId(0x0001), pyhpke.AEADId(0x0001)
    )
    assert theirs.kem.derive_key_pair(ikm).public_key.to_public_bytes() == pk


@pytest.mark.parametrize("ids", MLS_SUITES, ids=[f"{k:#06x}-{d}-{a}" for k, d, a in MLS_SUITES])
@pytest.mark.parametrize("mode", [MODE_BASE, MODE_PSK, MODE_AUTH, MODE_AUTH_PSK])
def test_mls_suites_agree_with_pyhpke(ids: tuple[int, int, int], mode: int) -> None:
    """Seal, Open and Export of every MLS KEM x KDF x AEAD (X448 included) in every mode,
    byte for byte against pyhpke given the same DeriveKeyPair inputs."""
    pyhpke = pytest.importorskip("pyhpke")
    kem, kdf, aead = ids
    suite = HpkeSuite(kem, kdf, aead, PRIMS)
    theirs = pyhpke.CipherSuite.new(pyhpke.KEMId(kem), pyhpke.KDFId(kdf), pyhpke.AEADId(aead))
    ikm_r, ikm_e, ikm_s = bytes(range(66)), bytes(range(1, 67)), bytes(range(2, 68))
    sk_r, pk_r = suite.derive_key_pair(ikm_r)
    assert theirs.kem.derive_key_pair(ikm_r).public_key.to_public_bytes() == pk_r
    psk, psk_id = (PSK, PSK_ID) if mode in (MODE_PSK, MODE_AUTH_PSK) else (b"", b"")
    sk_s, pk_s = suite.derive_key_pair(ikm_s) if mode in (MODE_AUTH, MODE_AUTH_PSK) else (b"", b"")
    enc, ct = suite.seal(pk_r, INFO, AAD0, PT, ikm_e, mode, psk, psk_id, sk_s)
    their_enc, ctx = theirs.create_sender_context(
        theirs.kem.deserialize_public_key(pk_r),
        INFO,
        theirs.kem.derive_key_pair(ikm_s).private_key if sk_s else None,
        psk,
        psk_id,
        theirs.kem.derive_key_pair(ikm_e),
    )
    assert (their_enc, ctx.seal(PT, AAD0)) == (enc, ct)
    assert suite.open(enc, sk_r, INFO, AAD0, ct, mode, psk, psk_id, pk_s) == PT
    exported = suite.receive_export(enc, sk_r, INFO, b"ctx", 42, mode, psk, psk_id, pk_s)
    assert exported == ctx.export(b"ctx", 42)


def test_refusals() -> None:
    suite = HpkeSuite(0x0020, 0x0001, 0x0001, PRIMS)
    sk_r, pk_r = suite.derive_key_pair(b"r" * 32)
    enc, ct = suite.seal(pk_r, b"", b"", b"pt", b"e" * 32)
    # §7.1.4: a low-order X25519 point gives an all-zero DH output.
    for low_order in (bytes(32), b"\x01" + bytes(31)):
        with pytest.raises(InvalidKey):
            suite.seal(low_order, b"", b"", b"pt", b"e" * 32)
        with pytest.raises(InvalidKey):
            suite.open(low_order, sk_r, b"", b"", ct)
    with pytest.raises(AuthenticationFailed):
        suite.open(enc, sk_r, b"", b"x", ct)
    with pytest.raises(InvalidKey):
        suite.seal(pk_r[:31], b"", b"", b"pt", b"e" * 32)
    with pytest.raises(InvalidInput):  # §5.3: L > 255 * Nh
        suite.receive_export(enc, sk_r, b"", b"", 255 * 32 + 1)
    with pytest.raises(InvalidInput):  # §5.1 VerifyPSKInputs
        suite.seal(pk_r, b"", b"", b"pt", b"e" * 32, MODE_PSK, PSK, b"")
    with pytest.raises(InvalidInput):
        suite.seal(pk_r, b"", b"", b"pt", b"e" * 32, MODE_BASE, PSK, PSK_ID)
    with pytest.raises(InvalidInput):
        HpkeSuite(0x0020, 0x0001, 0x0004, PRIMS)
    p256 = HpkeSuite(0x0010, 0x0001, 0x0001, PRIMS)
    _, pk = p256.derive_key_pair(b"r" * 32)
    off_curve = pk[:-1] + bytes([pk[-1] ^ 1])
    with pytest.raises(InvalidKey):
        p256.seal(off_curve, b"", b"", b"pt", b"e" * 32)
    with pytest.raises(InvalidKey):  # SEC1 compressed form is not the §7.1.1 serialization
        p256.seal(b"\x02" + pk[1:33] + bytes(32), b"", b"", b"pt", b"e" * 32)


def test_export_only_aead() -> None:
    suite = HpkeSuite(0x0020, 0x0001, 0xFFFF, PRIMS)
    sk_r, pk_r = suite.derive_key_pair(b"r" * 32)
    enc, secret = suite.send_export(pk_r, INFO, b"ctx", 32, b"e" * 32)
    assert suite.receive_export(enc, sk_r, INFO, b"ctx", 32) == secret
    with pytest.raises(InvalidInput):
        suite.seal(pk_r, INFO, b"", b"pt", b"e" * 32)


def test_capability() -> None:
    ref = HpkeReference(PRIMS)
    assert isinstance(ref, Hpke)
    pair = ref.hpke_derive_key_pair(0x0020, h(VECTORS[0][6]))
    assert pair == h(VECTORS[0][7]) + h(VECTORS[0][8])
    with pytest.raises(Unsupported):
        ref.hpke_derive_key_pair(0x0030, b"")
    with pytest.raises(Unsupported):
        ref.hpke_seal(0x0020, 0x0001, 0x0001, 4, pair[32:], b"", b"", b"", b"", b"", b"", b"")
