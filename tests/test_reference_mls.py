"""The reference MLS crypto tier (conformance/reference/mls) against values of the MLS working
group's published test vectors (mlswg/mls-implementations, test-vectors/*.json, the commits
named below; keys there carry the MLS varint length prefix, stripped here), RFC 9420's own
figures, and round trips."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from conformance.errors import (
    AuthenticationFailed,
    InvalidInput,
    InvalidKey,
    InvalidSignature,
    Unsupported,
)
from conformance.reference.mls.hpke_binding import ReferenceHpke
from conformance.reference.mls.pyca import PycaSignatures
from conformance.reference.mls.reference import MlsReference
from conformance.reference.mls.tls import Reader, opaque, varint

H = bytes.fromhex
ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def mls() -> MlsReference:
    return MlsReference(PycaSignatures(), ReferenceHpke())


def unprefix(hex_value: str) -> bytes:
    """A key as the working group's crypto-basics file writes it: opaque<V>."""
    r = Reader(H(hex_value))
    out = r.opaque()
    assert r.done()
    return out


# --- TLS varints (RFC 9420 §2.1.2) ----------------------------------------------------------


def test_varint_sizes_and_minimal_encoding() -> None:
    assert varint(63) == b"\x3f"
    assert varint(64) == b"\x40\x40"
    assert varint(16383) == b"\x7f\xff"
    assert varint(16384) == b"\x80\x00\x40\x00"
    assert Reader(b"\x25").varint() == 37
    assert Reader(b"\x7b\xbd").varint() == 15293
    with pytest.raises(InvalidInput):  # 37 in two bytes: not the minimal encoding
        Reader(b"\x40\x25").varint()
    with pytest.raises(InvalidInput):
        Reader(b"\xc0\x00\x00\x00\x00\x00\x00\x01").varint()
    assert opaque(b"ab") == b"\x02ab"


# --- tree math (RFC 9420 Appendix C; §4.2's eight-leaf figure) ------------------------------


def test_tree_math_eight_leaves(mls: MlsReference) -> None:
    node = mls.mls_tree_math(8, 3)
    assert node == {"n_nodes": 15, "root": 7, "left": 1, "right": 5, "parent": 7, "sibling": 11}
    assert mls.mls_tree_math(8, 7)["parent"] == -1
    assert mls.mls_tree_math(8, 7)["sibling"] == -1
    leaf = mls.mls_tree_math(8, 14)
    assert (leaf["left"], leaf["right"], leaf["parent"], leaf["sibling"]) == (-1, -1, 13, 12)


def test_tree_math_single_leaf_and_refusals(mls: MlsReference) -> None:
    assert mls.mls_tree_math(1, 0) == {
        "n_nodes": 1,
        "root": 0,
        "left": -1,
        "right": -1,
        "parent": -1,
        "sibling": -1,
    }
    for n_leaves, node in ((8, 15), (8, -1), (3, 0), (0, 0)):
        with pytest.raises(InvalidInput):
            mls.mls_tree_math(n_leaves, node)


@pytest.mark.parametrize("n_leaves", [1 << i for i in range(8)])
def test_tree_math_is_consistent(mls: MlsReference, n_leaves: int) -> None:
    for x in range(2 * n_leaves - 1):
        node = mls.mls_tree_math(n_leaves, x)
        if node["left"] != -1:
            assert mls.mls_tree_math(n_leaves, node["left"])["parent"] == x
            assert mls.mls_tree_math(n_leaves, node["right"])["parent"] == x
            assert mls.mls_tree_math(n_leaves, node["left"])["sibling"] == node["right"]


# --- crypto basics: crypto-basics.json at d8b8cd1d23600184ed108cdb2ae14b972480ccc7 ----------
# (derive_tree_secret from its version 78a6cfc908dc2260ccdef612383b0ec10a9f5d56), entries 0-6.

REF_HASH = {  # suite: (value, out), label "RefHash"
    1: (
        "7b06dc6e13fd38b414e6b69f65ff5584ec14ee4236042b147f114efa5d3856d1",
        "6676ea9e49b3a31e0341af80d5083f0c16ed33ea2e69289604fb6167419a32c5",
    ),
    2: (
        "ffda7e91389cf89152e833506de3fa843f248715f1b9e938a712a8937102797a",
        "a49afcfdb88934e66bb5f5bea64c120e226207b12eb11346ec41d54b3b548a19",
    ),
    3: (
        "ed446400f927985bb01a7ae0b753621d5deed847e746be974f6c14b8f90a8b22",
        "233048ac9a40e6252b0c1e4f048c106fb39536e7d58fdf4903957f6eca09ab1d",
    ),
    7: (
        "c598584b5f205f6a4ef6541f3fa564e5e0bf7164d6ced75e7703a690dc3cdef2e502db4760f1655cf8b966ef54efcf37",
        "bb5eb3e7d28049f38fe301d3e4a97537d4212bc08b7053b38b69e2f90a0f173d1b33243b994c4ad11633af397208be96",
    ),
    4: (
        "3d6cb3ba992696b5b47f028a347307ec4c15414ed4af5e19223600ee9a3d8b811446a500cc19a4b3f6e4a8d375be0c1668b2d8d97a56d03c4473d67f5f3fb6fd",
        "dc86b46dbf23d7bc99d8f7a7320af41d869813894c6534fe13e4e871933d5d75b1cc5d53ea10348edd048ec31a8f70c60c9ff091eb8652dce34bb93c65969d1c",
    ),
    5: (
        "911f438a99c436c6e32fde1c1918639587e1776d538ebcab92ce7de1b4f8a9fb83b046c5f373f9634b6478c3d6acbb08f828690ffe28e744dea2e5e648ddebca",
        "97e887067c30a6baa6570be579dbd537cac50363a032ad7d6d32c149396266c90be3ae5e44531b38bea5575dadfd2d8b0fc9a60b86e678699823b065b371ca6d",
    ),
}

EXPAND = {  # suite: (secret, context, length, out), label "ExpandWithLabel"
    1: (
        "55566f91303366cc1677e009b3506ead870add13254e4b3d413a8e716e44bdc2",
        "7f2601b53739cb940e9c59291f5431ececc186d93185f01d2c34fd23ecfe0393",
        16,
        "56f994cdab685d988cb9fce9c8873c80",
    ),
    2: (
        "95ac0a820509b87ba7ce3310a9b6e9c8e1b055bdbed7799ced83c810d74c351e",
        "c29f7c1258f1f914713f1fc658ef55abcf6bc479ad88bd2e50a022bff5b3948e",
        16,
        "0db1979cd4d2911f4260a731ae820586",
    ),
    3: (
        "6e3de65ec1bfe1c5d9e69adab19e6e91a2a0d40e1b40b08aefcb97b304236552",
        "bea5c79212065737ed7e86d0dc80f5d4203c9df7c0fb05386ca6d1810ad31104",
        32,
        "2f432d26340d3717c8378ba260953e7663a1c4a28551fe69d2b4d0dabe811f9e",
    ),
    7: (
        "a4933936cc98079b7b9cf61038b0c2e7a9b0e460dd7f552423086a6852e5357b201703788e9cde4023f6a27f0a1d5ce9",
        "e5dd49de16bcf1d7dc3b434586414068187ad6a5da93e288ad46174c4033e518df4711777d16469a5ff53bb92838e3da",
        32,
        "285e905653ce12c317c303a57d4a579e7e803a13f2b93da31fa1ff05e5beaf36",
    ),
    6: (
        "16a2430ad11a0bb1266229278e5ce5af24a16b882ea4b057a906c906914ab83d481529116b7ee02f0a76ea726eba449d6e751be8f19326ed2a602a9d3d5560e1",
        "1ff8a400daefc4433a9b9fff60b832f9b9daac67f1be8e22e69031243b9cd80c93dee10ee3facfca9edaa2513fbf4ad95394ffaf22dd00bf7628916e2fae3cd2",
        32,
        "40a34a3dd258a139d9e76977e2442ee3128492e38261523c21c3fa02a4e7a68e",
    ),
}

DERIVE_SECRET = {  # suite: (secret, out), label "DeriveSecret"
    1: (
        "9f0eca8a66168ee9b6d06dde81123fac016ebcc6054b2315582401c33c86039c",
        "fe6a0135ca03991c02f74f3909b2728cd82e748046bf3e0b17f5878f7b5e2a85",
    ),
    2: (
        "c5a11dcddc3a92dab194be8704f4104077f9e615e7b1790f8b8d69048aae89b6",
        "7bc1e27ece9dc416b3a29ce05702ec0c8afaa6226d2978224fd196cc9a5b8f9b",
    ),
    3: (
        "820c5a4cf541eb2661ebae687a7c5bc428707ae828d7c3cec88cebe6b9fb65a7",
        "34248dea2acb1fa61a2dfd9100675a508b32ae05dfc119d502a2ee4360c66c03",
    ),
    7: (
        "f2acf5f31216040aa71011d7960f3901ef1bf13da8a23da927295d80fc8c04d67f7f37a5a533d3f5a669ec195dd35c5a",
        "0c6ec49daceb48973d0d7ffb1c01be0d48654a19aff5f1719a6d63e3f39d8d6873faf9d3a28687d0ee6ba880674a7508",
    ),
    4: (
        "a5bfba145876b21e485d9c58a60b35f6556f242ba5d5da02540a54f2ac6d9ce628797ca91190b820152833016b5588234dde5c926af3cad11ec4ee96e4f7f2e2",
        "0f65da18f32b918b82946ee2efbca02b24b55ffc3c6f028ad9c65bceef5925e4e46dd6f12449a2c317995022ee490966d720a9250d6896f4ab50c65d4d2bf1f5",
    ),
}

DERIVE_TREE_SECRET = {  # suite: (secret, generation, length, out), label "DeriveTreeSecret"
    1: (
        "7620af0827ddd6506a20fe3716458f48fd89715d1396ee578eff0750dd1ab926",
        2694881440,
        32,
        "f85fe97705982d10dbead53c4f83318479c2211e994bcf1ba615f0d8f66d6016",
    ),
    2: (
        "2c48370d905a462270452a6fdfa8c7cd3494527babe6b8767bb3129111e996e9",
        2694881440,
        32,
        "c13c3c45c696bb164305215c586371f362dc6be5c570d08d136d69b3af27f9a0",
    ),
    3: (
        "168b187171d90947aedac49980939b2dd71041e40350b046e540e0191cf99e0f",
        2694881440,
        32,
        "a59537e982b032f55b8f00eb853ca1200cf7c1ff7ce2898da85ccaf0ac9c0d69",
    ),
    4: (
        "7b1b32778cb07cfc51ca068043076bddb77041c3f28983d90b406a6a482f4f638ae30db1a46192c67f0f8607d6c46a3cd4ab059d5e77344ad875933daecd67fb",
        2694881440,
        64,
        "fdcf35e09cf83265f67d5a2a84eebaa94107e5fdce0cb55bafa32bd7b3c789d777deeefb54c8f24e7ebc77d94d6c920bf56032b598c29f34a2598626ef7892bc",
    ),
    6: (
        "2a2c4926f84f29398547f98a2fea4738a572dd70a92b9090e032bf8c68e6e089cdca564214a9d526fe3e344afdf88dceec6e3ac9bcdf14e8fed587b54f59fcca",
        2694881440,
        64,
        "b368f174cf474fb26c037f63861b2282b456c7596e05b6f26e9ce172ad8d3edbed2064bec12eae55acf174728f59583013cb2c60e9b48c0aa3606102e5610739",
    ),
}

SIGN = {  # suite: (pub, content, signature), label "SignWithLabel"
    1: (
        "20c838d9a9a5e567983552f8d99d38803014be9e42fe7590de6ba9a8cc54f2a475",
        "30af7b57e745f530d99f682d2e6ad4f2cdaa14c0bfa5dd9c3d4b6b6161dcd4d3",
        "e6d25105502f2b0aa1faaea4f87fb3c2d61155f79cc712a63794d433bbd0641a1eecaa47bdf81a3eebcd61cd7fe70c924a8fbbfbb33676b26331756565391b07",
    ),
    2: (
        "4041041f121c523b685e54b37f00ff1747a2f96441621294dcdd08bb1b5a58b897052494221feb68df9e7a3a8046704598a4481f2d056f9aab7b1a4e4f305abc6460a1",
        "14144ae1028debf6f1b6a796d39ba51907cb64571f5bee57f1963256c9127a79",
        "304402202d27ae06b7a809135ce7ce62d6145fbed5a91751d1c8770cedf0dd2a9bac179f022069340968bae78035db627ff2daaaf30ae1991400c144850878ea433796967dc5",
    ),
    4: (
        "39c28c5fc7287f40b01353e0c082ca8ad362e0e97db3a2c7988b7e8b43447a2a4cc57762ded5c71b18fdabe380b8b011a16a627f14c58fc63b80",
        "076839e28e79e961fd8cfd3b8ae8ab483c3bb6e50426cdfe3cad67910aeaca06f335e7d45a72b2ad2a24934a3575f035cbe978cc2af684696f32e26bca0606df",
        "de5e90b9984d2053ce1a0e53681c23d7409238d5fc12b4c71c0b63c310c3da7dc4ccdf185b08c7b8ca4841247eeca62174fdf18e1cebb8e380922475d274bb416925eef7f381703521bf84c889deb382e17d8dc4d42664d1393954cf9234b1f85a562b3af97a945670e2e00c162da24f2100",
    ),
    6: (
        "394cac3c8f6e0aaa5c845bea449630c2a67a1045c1f04fc0a109637bbd7ac41926878188864ba4443000c7fce5821e1366d16c7508196c205900",
        "795932e687a01b33a9a9486311507685664f699e7f53de8d2c2a13d96bbae36acff147246d27bf5c9ebfe09e69cfdcc0103d4105a4258b3f898c96ec40fee111",
        "28e6ab67ac35896d643f89d0e1cae4fe43503ec5f07df77f1f9166cd286c142158cb1e55b4b62de729f23da209dbc7dbd72bc17cb295d49880bc2c54473ec6dfdd88f7fa8c3bfe7567d5884455f813eeca57aa0e2590cdff5d9c50a6fd62d02cbe9a1b5596c721c3cad34a50e5847ca33d00",
    ),
}

SIGN_PRIV = {  # suite: (priv, pub) for a sign-then-verify round trip
    1: (
        "209f6afca545e0ea67b5b8c4440d6355be4a321ed5cd422e68f46eef832082f8d7",
        "20c838d9a9a5e567983552f8d99d38803014be9e42fe7590de6ba9a8cc54f2a475",
    ),
    7: (
        "30b06fe6ed9e7a08838b930730bb2b05a5f9f40b22bf2fec4f12d7597936835796dcf4c1dfe2a06f0a880b98acbcf5e2d3",
        "406104c8d00545ac8ead86b25f0bc1d74731afd5627e74eb991f6c223fa67ee9474f85c517b03baa32035e0db64d42b34ed38918597276fe7378e828767e6fb4cea9522230425a77a6a8fe7f9a748e0da79d8d70490825ecc7622b510cc582b4136569",
    ),
}

ENCRYPT = {  # suite: (priv, context, kem_output, ciphertext, plaintext), label "EncryptWithLabel"
    1: (
        "209b1a15adf386aa22de4c19b7b1267ce3d7eee21a66c3bbafcf8750cad308e8f4",
        "4adad5a8ff163b5e9c9397728e94267f118cfb7471babf3b4b9c85419dd8ead4",
        "8acf7b2c1a8d4a6614ec844d1544c62f60993c2975fc8051a655406573feed06",
        "388491a9a82788528d7c8767b51327a0d401247cf102d04321ab7877177c710a16e776a46e2b74be529ecf2e35f1daa3",
        "b442c4606b97eca24b082479b2c187ee9661ece6ac061357e9db0edbb2a89a67",
    ),
    3: (
        "20272fdc99f665df517d470e403dba4ffb4e01700f2414deb9d18632d9308573a4",
        "f271148cb66564c09983c28189c33443757fa402aa2c7e4e46a55ae62eea4985",
        "089e4ac2988c0dbef2a573439b8ba75b0169c9a502a1a2d171b3775df0d53b41",
        "c52c358a78e622d9bda1a1df5530149f6958a268b8e5212e5d1e6a1a3028f99eab10b45e8c9f296881c489946652d36b",
        "d9c32b9b7d08900c523a4f74f07b94cd850d0be936f6a2d78d55e2998df6fa4e",
    ),
    2: (
        "2010beada9a6f7e1ef7f3f98340a1c1ff01ef90ee4152a0faef250806f24427950",
        "2d8cb7252906cc38f851f03bcd7160a71a3705690f3104eced94317e406eb28e",
        "04a93490b7e05d921dd1974b58555157cef8c61f42795d66b3a38d0c0bdc542249eadbd06e300cd239fa727da79cb8691d83c47f1371fd6152f2c7d7b2bb53df3f",
        "8f78d1afaa03ac04d8a89843c07f28e9a555f4110b9537001382b19842d93c320a7f7fe40352878c88ba7320e86196aa",
        "ae2035ebe567a27a009cd2d9eb21eba4029082ee859c12b906e229b18d2e86b2",
    ),
    4: (
        "3872b77a85db2667112c1b1d3ac9eb3d45b82d0e52fdc64e9fb54e2486a9452d949c36563ed3b887ba9ab194770ed558041669fa13fb3a0576",
        "6fd795207356ebaca011a72a80165311ec591dc284d6ce5a54f4d4abaaad63b75eda55edbb9279d6c83146064a38b17649273018a8c5d633fb76c1500565b1ac",
        "93be68b136cce316eb32c2d4834e63c40c8e6b0ccc5ab13b2d246a6348318da0e9f1cd3b279002da15c55fa66bae8cdda91c7e43a1aae423",
        "12f19c07c642c0ec6a6416794ca52bbbd0c4392acac06649850a2cb17e9e70ba4df9a4fb1f770510e787811cd6a3586284db373524543ed53982689819060b22c3197521875211fbe790cf36e60f0c53",
        "581c473cbd31a0e6d1a83b18f5e115671c3a99b4a49397958586853e210332d44ce6390d94d3bb63047a67ed93496033b171e1c45810e87df7b86b4b645df75f",
    ),
    5: (
        "404201318437a9ffb983be7a420913bccb419d4fda028671e541da842b62ce4890b4e2def22d885d833720fedc474810937b8bcdcf904169caf11460fbe721f1c86c0242",
        "1fd3d0089541e69ae2db6b40bbf0100a47c7f288ec2b80d156df6e07328c9cd9d58e34f431563c5712080f8dfd282e3e445ad005b88436c6b9d387a122bd7e27",
        "0401257db79fd3e6b187b748f3b08c79b85f285d8ba0f2c3046b1d46c54384301103a6d8d87fde3fb2db67fec7b468f0178e4c9d3b0438aa74fe8b56d8a7f02cac043b00842d09e5f287a0e0c19882057f0fa1d16d0ce21162f659e55be0c814f48a27a8cc7a90d9d03d1ce3ba412c3394bdf6a0dff409d822aae6ff292bbca53c93806961",
        "2d727897b9c53e5dd2836ed0e535f46c7ae4dac218704769fe7e3a99c7094cb788add52010faaaf98d5f636a11c1d639c997459eb675994b05b0db93dc1e5d8f571b19895ac5f37ef708424a37537956",
        "b35db22e22911ad01d46205dac4607f05128a381cbe5421b0e8786ef1a6048cd97920db0899ec32f142804790c48dbc857736da8023e701df1ceac61443fa0b6",
    ),
    6: (
        "383ee968ace31203acb7687eee6eaabea7ce502c9c61bb110b31a40fcf0430e74202bf5d2c2ce97436fa71a9cca5277221c7cf275757435ae6",
        "aa33fe9322a9f060e9c73e9a86605cf39ed71bab0f27e866d2770e68b38de24a44467fd7d0627c01db05dd478ee1345a6f6c8f5d3228d128b207f885945c55ef",
        "3977aa61b527041f8d827a00956f567d95f53af422ec37c9fb2e90df15a3c07f4742f4c8cb1238a2ee1b7de1eb2db3911de27cbddb6c7ad1",
        "02cd0c89cf1f3fa91834dbcd78fd8ed8eb3698b1edc94730774300707f31595e386d572686ebbfd0c24dcee5bcc6b16282735e96d37fce491a53440671ba1881d0202bacd9dcaaa329e64e71557a0e77",
        "8459fc0f281a1b0b096311aff7faade405455fb6a39eef24667a08dead1cacf5ce77c5ea1de0aa8a58eaea57d4b0ae37eb361697f5daaf1557e80057941d3251",
    ),
}


@pytest.mark.parametrize("suite", sorted(REF_HASH))
def test_ref_hash(mls: MlsReference, suite: int) -> None:
    value, out = REF_HASH[suite]
    assert mls.mls_ref_hash(suite, b"RefHash", H(value)) == H(out)


@pytest.mark.parametrize("suite", sorted(EXPAND))
def test_expand_with_label(mls: MlsReference, suite: int) -> None:
    secret, context, length, out = EXPAND[suite]
    got = mls.mls_expand_with_label(suite, H(secret), b"ExpandWithLabel", H(context), length)
    assert got == H(out)


@pytest.mark.parametrize("suite", sorted(DERIVE_SECRET))
def test_derive_secret(mls: MlsReference, suite: int) -> None:
    secret, out = DERIVE_SECRET[suite]
    assert mls.mls_derive_secret(suite, H(secret), b"DeriveSecret") == H(out)


@pytest.mark.parametrize("suite", sorted(DERIVE_TREE_SECRET))
def test_derive_tree_secret(mls: MlsReference, suite: int) -> None:
    secret, generation, length, out = DERIVE_TREE_SECRET[suite]
    got = mls.mls_derive_tree_secret(suite, H(secret), b"DeriveTreeSecret", generation, length)
    assert got == H(out)


@pytest.mark.parametrize("suite", sorted(SIGN))
def test_verify_with_label(mls: MlsReference, suite: int) -> None:
    pub, content, signature = SIGN[suite]
    mls.mls_verify_with_label(suite, unprefix(pub), b"SignWithLabel", H(content), H(signature))
    with pytest.raises(InvalidSignature):
        mls.mls_verify_with_label(suite, unprefix(pub), b"SignWithLabeL", H(content), H(signature))


#: Entries 4 and 6 (suites 5, P-521, and 7, P-384) of that stored file: their signatures verify
#: with ECDSA over SHA-256, not the SHA-512 / SHA-384 of RFC 9420's ecdsa_secp521r1_sha512 and
#: ecdsa_secp384r1_sha384 (§17.1), so the reference refuses them.
STORED_SHA256_SIGNATURES = {
    5: (
        "408504011576fda3c3709de03e2bf9450641ad43283ef5324218a02e8393251c1a050b2616412dadc80aeb6f365f2f31595eb20a1a5da4a4400dca959f0a4a5ce29d88e5bb0001b5a6f6691e5354c30bda9cf00dc6fb836397afb6d74ce8e791d6de92b2979ea4849f98cce376ecfe237eb2e3dc62f9582f91163c7e8988a00b1a1fa29e3f3870",
        "e412692049fb487f5c84213b4803873900ca36f2d2a571483f3dc6ca3cefbd6212a2f7a661706017607c0e99339e417958b2bf89b57284989a5c2fbe9a486755",
        "308188024200cab2956156cb182e4df34308e9dc1a7e27030a385daedfee513a8b873fdddecd1d7047593771f827b3bd926d98b2d7c7781d60131772ee90ec659596a8deee05210242010cbfbd3ebd5f714f19399e0af594be4fc215d85dc8fedbf5e43c39b0e705469b1367086d88765f211ea3dbc566ab1291f8b304669baebdc38aa27c942c00507609",
    ),
    7: (
        "406104c8d00545ac8ead86b25f0bc1d74731afd5627e74eb991f6c223fa67ee9474f85c517b03baa32035e0db64d42b34ed38918597276fe7378e828767e6fb4cea9522230425a77a6a8fe7f9a748e0da79d8d70490825ecc7622b510cc582b4136569",
        "c4d5389455e8b30fff160baf9c4f4e12cf91d1f44ead971d77791750b26fe45b33063be5dd922482400c4d0cc445dc89",
        "306402304bdba4d234cd499e01c5198b47d683439725cbb29f1c4ac7446293909fac4b54b5cf96fe1d383a64f84240bb33b75c5102302728fe53a77de02610a33bfd17b3a07b2981e00af00a74aad1994ee9b1beb6d6a42c40df5eca8d89043175c7d580a414",
    ),
}


@pytest.mark.parametrize("suite", sorted(STORED_SHA256_SIGNATURES))
def test_stored_ecdsa_signatures_over_sha256_are_refused(mls: MlsReference, suite: int) -> None:
    pub, content, signature = STORED_SHA256_SIGNATURES[suite]
    with pytest.raises(InvalidSignature):
        mls.mls_verify_with_label(suite, unprefix(pub), b"SignWithLabel", H(content), H(signature))


@pytest.mark.parametrize("suite", sorted(SIGN_PRIV))
def test_sign_with_label_round_trip(mls: MlsReference, suite: int) -> None:
    priv, pub = (unprefix(k) for k in SIGN_PRIV[suite])
    sig = mls.mls_sign_with_label(suite, priv, b"label", b"content")
    mls.mls_verify_with_label(suite, pub, b"label", b"content", sig)
    with pytest.raises(InvalidKey):
        mls.mls_verify_with_label(suite, pub[:-1], b"label", b"content", sig)


@pytest.mark.parametrize("suite", sorted(ENCRYPT))
def test_decrypt_with_label(mls: MlsReference, suite: int) -> None:
    priv, context, kem_output, ciphertext, plaintext = ENCRYPT[suite]
    sk = unprefix(priv)
    got = mls.mls_decrypt_with_label(
        suite, sk, b"EncryptWithLabel", H(context), H(kem_output), H(ciphertext)
    )
    assert got == H(plaintext)
    with pytest.raises(AuthenticationFailed):
        mls.mls_decrypt_with_label(
            suite, sk, b"EncryptWithLabel", H(context)[1:], H(kem_output), H(ciphertext)
        )


@pytest.mark.parametrize("suite", range(1, 8))
def test_encrypt_with_label_round_trip(mls: MlsReference, suite: int) -> None:
    hpke = ReferenceHpke()
    from conformance.reference.mls.ciphersuites import SUITES

    sk, pk = hpke.derive_key_pair(SUITES[suite].kem_id, bytes(range(66)))
    sealed = mls.mls_encrypt_with_label(suite, pk, b"label", b"context", b"plaintext")
    opened = mls.mls_decrypt_with_label(
        suite, sk, b"label", b"context", sealed["kem_output"], sealed["ciphertext"]
    )
    assert opened == b"plaintext"


def test_unoffered_suite_is_unsupported(mls: MlsReference) -> None:
    with pytest.raises(Unsupported):
        mls.mls_derive_secret(8, bytes(32), b"x")


# --- secret tree: secret-tree.json at 42d003dd83c749a34c22ea691c66cfa192714249 -------------


def test_sender_data_keys_suite_7_entry_20(mls: MlsReference) -> None:
    keys = mls.mls_sender_data_keys(
        7,
        H(
            "637a6243441218ef0484e8372c7721411549ee8c9d4d78e5728f49e8103d9e8d0933b60d2611a7bdb337c812f65c6ccd"
        ),
        H(
            "1daced1c9dca097d90281bbb857a85194b984c917a76ff3832b1888039b1396579f53c719bd2d129c5e2b99a665310d600a5a015ad9317d6eae1fb61f236a6e6e1b553d514d8a5e30c180d90f0"
        ),
    )
    assert keys == {
        "key": H("0697be272b49410638e4007ce3fd3a1e5e7382e6724891fca4b9981672e17796"),
        "nonce": H("290367b2f71c47426ab091c7"),
    }


def test_sender_data_keys_entry_0(mls: MlsReference) -> None:
    keys = mls.mls_sender_data_keys(
        1,
        H("530eb44c6d216b3ecd6c9043fe4bae2b0ca46411bc27914e5519eb8eb352d43a"),
        H(
            "7fb6d93ee3e4ed5fe44b129fd73ae4b528feef3ed71c918a32be983f67d577ec186ec726b0d42fab07aa1485a00c0a2c402a023a6037074eea3f6dbf84c62245316261cd15f4d3cde7f6264e4d"
        ),
    )
    assert keys == {
        "key": H("dc0a4a17f3fcebae06c56b25448aef95"),
        "nonce": H("ebda7c8d58ce2b2c95024570"),
    }


@pytest.mark.parametrize(
    ("suite", "secret", "n_leaves", "leaf", "expected"),
    [
        (
            1,
            "98e17a91f59669d7a64bcfa706e3fe5c0bf0973c807c8aead326cc4dc368da1d",
            1,
            0,
            (
                "245bb77d170c9152f5093e436d76807c",
                "7259803ca33e47c942976c58",
                "d4f7ae974e8814bfb9f5afd60d691f74",
                "cd8d974348c3d739ae028726",
            ),
        ),
        (
            1,
            "01d0e99e8944f05e1ffba9c55a924aa3263fc2f736804ca6e18abebd9cfcf2a0",
            8,
            7,
            (
                "06aaa2796346525ff90d138ee3d368f7",
                "618b50f5b50cf25c4ae08338",
                "2116b494a35045ac65489e0474bfa028",
                "476ed52dbd106234e854a47e",
            ),
        ),
        (
            2,
            "0773920f0e117ce99f39b6cadf6aa60cbae935a49b115835daa268b2f58524de",
            1,
            0,
            (
                "aebf1760d80472d6bd41c212fb9a9f50",
                "6e8c375a37e49a00cd72dcb2",
                "f0f40f2c1b943f130d94e2cbd5be3c48",
                "70edb7e425992f95777646a6",
            ),
        ),
        (
            7,
            "2e668cd77d1ecc00d50b03246070e25bfe77f021f141735bb70a0317e5a336a9bd4d65115d415fbeb1764d20a7446ad9",
            1,
            0,
            (
                "0948b9828b61a832252d6728fe6f1e73c788a634857a66c45b88eff5a0561697",
                "32c566d0a672074d6bdc283f",
                "4369510d7ab135d5b30b591370f62c5953b3b874b3bf8c0ae7327466164d8ed1",
                "8184c5025ae343008555a0a6",
            ),
        ),
        (
            7,
            "b3634759925c37bd231fe71618b05af63857c9e09c1c538818b34634d0ab8c32e90a8f0cf3b1b4b39d391e4e2332c9ba",
            8,
            5,
            (
                "6b7b655dc6ca56a5742b96af9ecb570b562e2fdd5c01b3efff0b2bb9a1842e53",
                "8a634cf2511322f9b45fd2c0",
                "9d77c949daa055992f04664e6f75480953e6da6f9d2fc0d650c889eaa0bdabcf",
                "6552360724c11eb6fefc9eac",
            ),
        ),
        (
            7,
            "a12e24c7104290e79eb2da7fc8b2ad734400d37ba05cce50e386192d046a0381874f57b1d53fac0598e8dfd663dc92d4",
            32,
            29,
            (
                "24c96a3dd26bfefabd07d78d9e4688695a795ac8e4a114f2e1d353aaec000b55",
                "b6fee51e3b0a641ef60bc16d",
                "182a20aadeb56ef923fa6c2e30127682266048909e1c06129f90982620f158e3",
                "0a448eff948b33a33f5ad0c4",
            ),
        ),
    ],
)
def test_leaf_keys_generation_15(
    mls: MlsReference,
    suite: int,
    secret: str,
    n_leaves: int,
    leaf: int,
    expected: tuple[str, str, str, str],
) -> None:
    got = mls.mls_leaf_keys(suite, H(secret), n_leaves, leaf, 15)
    hk, hn, ak, an = (H(x) for x in expected)
    assert got == {
        "handshake_key": hk,
        "handshake_nonce": hn,
        "application_key": ak,
        "application_nonce": an,
    }


# --- key schedule: key-schedule.json at 60dd6f908576d6f9eff6b478ef21c72d6ead9785 -----------
# (that stored version's "exporter" values use the draft label "exporter"; RFC 9420 §8.5 says
# "exported", so they are not used here)

KEY_SCHEDULE = [  # (entry index, suite, group_id, init, epochs...)
    (
        0,
        1,
        "EE415C0B5ADDA6D9D81706CFFB733A35",
        "9344D74B4A874EDD48AB8D6D7FFAE6C098B104D0748F0BBEEB9B24F5E29D28B9",
        [
            {
                "tree_hash": "C5FA9927FF000150C49AC028A6BE55A6FA4E80D4B6EF561767C6FF12E306967B",
                "commit_secret": "715E27CEF059D8482D3D39DDB6BEDE39CAEDADDF41446D3BA515B95F85252703",
                "psk_secret": "9A1408E6816ACCAA928E4081121AA076F7E6AA7FEE78E91E0B76B98C786F9B4F",
                "confirmed_transcript_hash": "39CB042542C9ED52307554BF77D8E704F9F1D882E9CCE03B95F1B9E96F1968E2",
                "joiner_secret": "FC294C28B68EA9CBDBC5CFE8EE957F668186837D8B6BE772DF89E3606858756E",
                "init_secret": "6C890AF57D11B034C5D8CEB941EF417FC3F09B57B3003EA22710B7267E8094A4",
                "epoch_authenticator": "74C3E7B084DA632EB40C304DB7686446AD385DF82CC85EC16E22253E9B3076A0",
                "external_pub": "AF4CC508700E8273298E85220F55A8ADD1D871AEFB160482EAB6378D6257DE2D",
            },
            {
                "tree_hash": "B72B8173D7F60CFB69195464B9F9B5BDC4244181DC51D582B0B2A458F084D6C6",
                "commit_secret": "5CA64CB28F8D9208518193BDC99B908197058A4B12614936EC341FC9ADBD899F",
                "psk_secret": "00" * 32,
                "confirmed_transcript_hash": "E97ADF65A223F3E76145F3D1DBFBD55E0E30CD3915607B031209301D5ABD2BD7",
                "resumption_psk": "5BA5DFE8B12E7E4358BCB8665956FFB7469AB59F3A4EF564C6C37384E58B10D1",
                "membership_key": "778491F9FFD45EAACCA9ADC216F80B56A524101CA627F7070264706AF43CBB80",
                "external_pub": "EE5EAF2E13683A256D5D5A277709D53B7F4D68219645EA29861EE9E141BD124D",
            },
        ],
    ),
    (
        2,
        2,
        "E8ABD0B47A48F2AFFBC4E04BCAD2F3B3",
        "CE747384701AFCAF1B1B15A5EA7919291AEFCEFCC06373367F049EE09E12483E",
        [
            {
                "tree_hash": "98D812E4EC3C7CB7432E313EEFCA6C9FC59F74BDD0A560BB764D4194E3CB0BB1",
                "commit_secret": "E04DBB63F7C0D5C55F1776C3B49ECCC9AF78867CBE7BCDD304A80DE44709AEB5",
                "psk_secret": "C06CAF92A60ADFB4F25EF47A43ED312D32B9742A2039D8629C1B0C194AB942A3",
                "confirmed_transcript_hash": "863179BB142B21EB8E5933E089BE02F5F161DDA4435A4218D108D49248EF3E86",
                "welcome_secret": "F5252979F1E337776C1459E80B85633B2EC31704D11FE4E7EC11E61F349FF645",
                "sender_data_secret": "329A710DB070B6B311EC8109DB064BB287BD6BE103DF1A17BD707707DEAB561F",
                "external_pub": "040998F5B71CFA3CD404945B719B3E69E93095E9607FCB77252C7AC0E9E69AE3417FB03A42D5F5301F415212B53AB0DF3BF6FD1EE77C2FFCDAC26C694FF5872AB0",
            },
        ],
    ),
    (
        3,
        4,
        "6d792067726f75702035",
        "60110252b0d88af945b6001d5542d74a2cbd0bc7a83811add25168f2bec0d9aa4f4de7343e99d9e4e6e1e70d39c166d84a2a9b37d5919897641f1c36d6e41942",
        [
            {
                "tree_hash": "eb7fe4fc7b461bdb5c3050f6519e9426a1aecc0d3ee774074a11bb1e9440d3469bb30f22fa8c90d2cef82ce1dc7405337adeb92b261608ccbe3c558d4086039d",
                "commit_secret": "18a67662add4a0a8c17773e509744cbae7812b337e9aded05fb5263f01d5d47628adb37fd9d2efcb8fd9f0a0961a7a3f1c18c21dec9adf580b93391f85c99558",
                "psk_secret": "00" * 64,
                "confirmed_transcript_hash": "105ff21f575751a6a11763b4a199e6b69efc643718018f4d70bcb44bceeabdb71e7cca5d427a991591cf93a8fae8103b9a4397f6db96c661e4ea19f5e5de9cfe",
                "encryption_secret": "3ab2e4215e1f71fe726c9e8d7a44c5b04f4165aeb7255e48d7b9d31b7d5b3707cf4f6560130cd02583d4c68c146c57f973bba12ed32e1dc64fa8bbb371556399",
                "confirmation_key": "5d3573bb14a8518faf61959c1181a3e30359e1ecfd5447cea375e96494d54057e6bda07cc9b247c22aba374456a6f3fded8a8fbd7276df03c9e55e26aa973dcb",
                "external_pub": "2ed89aa9e73bc779b7dd7e3925786edbf1d73ae3ef82074f0f5b703cc7964161bd0e2bb97cd1a6170dfb04b75e32146ef3f10598c5dc8a76",
            },
        ],
    ),
    (
        4,
        5,
        "6d792067726f75702035",
        "d124d1698e250805816d13a5f630af5a34e6723ca00dd92b698f022e6e51f935790cd08e70853612e5ffd767c51fb67f2b58da0895be1e2dda36848c621d3158",
        [
            {
                "tree_hash": "ad2a769ad76ee338d5f2ec7e3a819151798feef7944fd2e9c6cf99dcfae8c7d70318f166ec089de654ab7f92cd1999c2ff125c41b4cafbcbb52c636a3ce81caf",
                "commit_secret": "2f516aff0703ff8d1702f6850161d28e1d4d4bd30493ab51a33b2fd833064914c4a1016d2ce476e66048c7d50e055181f160186d06d66091034855f92d4787bc",
                "psk_secret": "00" * 64,
                "confirmed_transcript_hash": "4e087fc304dc38d810c9c60a719c3419b4a4391d9ca8de9b823c0fe683dd58d78d88c717c7cdb3170e07d9ff5bf0df96845b163fbe3ca4914a4886dc917fa68d",
                "welcome_secret": "f9a0efae268d7ee34dbb99e5f544857c8916c3195ffedfd20e236b80e5477aebd313be1e49410e0eaf9873fd7277fb5e57fe06699aaefbae765ac4ab8b94ba2e",
                "exporter_secret": "f2a4991fd0dc712f177f748f54725767cb5ff6ed50aa830a7a578860758df7cfce0333f9b8fac47ac643a32e2e94e00b7f22ff8fd5f2d3e1dbc1783b3fed3deb",
                "external_pub": "04005b544ef719c825d2dd4c4001b85bd91b639d72249f4183e68c163805095e57b75a6301daf5de728315b95247a115793bc31ecffa4ffe533fa8b309537f5b773ac200d2b2fe6ac5942983e6efff7f3ae08a8aa11bf7441771a130e027c53c500c5a1889035f61b888daacaaf104216549ec5897c018003a7e3878cbc48f11748c687aa3",
            },
        ],
    ),
    (
        5,
        6,
        "6d792067726f75702035",
        "4ed3af321a245bbbfa04d599fff13908dbf8561d2042d2b3492a3b662137336683a759d45a85848355969cf0bed5f1e030425a97da7a127279aea2d705a06206",
        [
            {
                "tree_hash": "ffc975037966e28b2a13add18383f2951aec92044ba00d96ef4a7329ae700db620bd8e9f216d92840f7f774707adb7b315da45028a1689cd88107c0f8925960d",
                "commit_secret": "0c2f7c9195275c47793fd78bd7ea19e037285b7f4b4329a61fa17529f2318bb7a05fa4e3cb9e960de2f9c2ecf5c0e7dff5f6e0b265b35e51018f7419d28c7a32",
                "psk_secret": "00" * 64,
                "confirmed_transcript_hash": "1e3c1111463944ebf7854d3f0b84859af14390bb102100fab61444c71c31eec5ccc638d694b389758717a4844c6364ac1ffafab873186271d0ea15bfc76609a9",
                "init_secret": "40064453d69f3e02b19f521e8108d6903eb350bb7ceb5ca9d2236b1cd75473d82a69595f804c8e0b27b09cd97c3f7d9856ba6c302eb1dedf7e5614efe5476c7e",
                "external_pub": "5cb67e5047187b16114993914c335e96a6235fc144d29cba6b2564e7fb55ba24d6ea66b624ed0f91fd49a3a59974216364a7c12819d55ff0",
            },
        ],
    ),
    (
        6,
        7,
        "6d792067726f75702035",
        "b5ee6ea0eea73ac309f7277ff8e8633735532eb331db8474e3d128de447f4ac29a1289ccf53e2250729277cab938c963",
        [
            {
                "tree_hash": "6eb75416501b7359730008fbaabb194e8acbd5e5f30448c82ab06469a8e932840a5fe43d59c55e5a011eb09c453863ca",
                "commit_secret": "7e287e2cf1d20200e0ddeece6a357413bcc66b3b61c8caa441f446d3bda0c0370a8b33927d6a636d704c69f0f0bcfaab",
                "psk_secret": "00" * 48,
                "confirmed_transcript_hash": "1df9f31ec4c04734f6725836d5692c85e3f198a398e86b68d376aaf78f66d3b14d9404b39f757a40abd388d7ba7de1af",
                "joiner_secret": "527675c930f19cfbfe2aca49ded010b0007bca8b3fb42347a9caf605a31746240234aa733f681e1c0cb0d75b08801ba8",
                "external_pub": "045e2a2a4ce2054ffb1711c7bf4bd5ce8d4d84f2d58abcd28f43c10c3ebb49c7d4830a38303a33c27c13f49fb296fa4f20de9d56df6d27ae1a0687d57fdf08bc74f2d1512f572233167dc75b7f99b69ec4aaa38219e92a24dc0c13080b3552fa65",
            },
            {
                "tree_hash": "78dac4a129db05dffe5b5af788b6141ac433ea1992a035c38320e9666977917d862d8824c8b901a153b3fa7ddea28d61",
                "commit_secret": "a3279ba38d8add01dc943f6e8122d72b3f285ccb1fc0a8f4a4adc03404305e2759decb4854902990833027b03f2f548c",
                "psk_secret": "00" * 48,
                "confirmed_transcript_hash": "30ff849e597538f03c87fee9a2d82d7aa96aa33ff4ee213277edf6c5a6e81a827ff31422821750befd74760e3b9f5142",
                "membership_key": "8809aebaf5cc48730c146713bc4239c9db70f2bc2d68c8c21ce8ac4b973818aa7a9a45baefada3508f4870eec19187af",
                "external_pub": "04aba46c7e20589bad4089b1f42daef4f7524d1373e964d5a52df7eea83f9e42b98b968c74d67190587a769a89a9c537ae5a8a131598f20e70f076deab69d1c936b853ade5fe2752a62edfc3d857442f1fb0a4ea52bb2ea566d050d1855db866c2",
            },
        ],
    ),
]

_INPUTS = ("tree_hash", "commit_secret", "psk_secret", "confirmed_transcript_hash")


@pytest.mark.parametrize("entry", KEY_SCHEDULE, ids=lambda e: f"entry{e[0]}-suite{e[1]}")
def test_key_schedule(mls: MlsReference, entry: tuple) -> None:  # type: ignore[type-arg]
    _, suite, group_id, init_secret, epochs = entry
    init = H(init_secret)
    for n, epoch in enumerate(epochs):
        gc = mls.mls_group_context(
            suite, H(group_id), n, H(epoch["tree_hash"]), H(epoch["confirmed_transcript_hash"]), b""
        )
        out = mls.mls_key_schedule(
            suite, init, H(epoch["commit_secret"]), H(epoch["psk_secret"]), gc
        )
        for name, value in epoch.items():
            if name not in _INPUTS:
                assert out[name] == H(value), name  # type: ignore[literal-required]
        init = out["init_secret"]


def test_group_context_suite_1_entry_0(mls: MlsReference) -> None:
    gc = mls.mls_group_context(
        1,
        H("EE415C0B5ADDA6D9D81706CFFB733A35"),
        0,
        H("C5FA9927FF000150C49AC028A6BE55A6FA4E80D4B6EF561767C6FF12E306967B"),
        H("39CB042542C9ED52307554BF77D8E704F9F1D882E9CCE03B95F1B9E96F1968E2"),
        b"\x00",
    )
    assert gc == H(
        "0001000110EE415C0B5ADDA6D9D81706CFFB733A35000000000000000020C5FA9927FF000150C49AC028A6BE55"
        "A6FA4E80D4B6EF561767C6FF12E306967B2039CB042542C9ED52307554BF77D8E704F9F1D882E9CCE03B95F1B9"
        "E96F1968E200"
    )
    with pytest.raises(InvalidInput):
        mls.mls_group_context(1, b"g", 0, b"", b"", b"\x02\x00")


def test_exporter_is_rfc_9420_exported(mls: MlsReference) -> None:
    """RFC 9420 §8.5 written out: ExpandWithLabel(DeriveSecret(s, label), "exported",
    Hash(context), length)."""
    import hashlib

    s = bytes(range(32))
    inner = mls.mls_derive_secret(1, s, b"lbl")
    want = mls.mls_expand_with_label(1, inner, b"exported", hashlib.sha256(b"ctx").digest(), 40)
    assert mls.mls_export(1, s, b"lbl", b"ctx", 40) == want


# --- PSK secret: psk_secret.json at d582130757223c7135c61d003eb68db4e88870cf, entries 1-2 ---

PSKS = [
    (
        [
            (
                "55c388e0e99fba6c1633d6b70c50ec3def72563aec7ce787847574bc27ed9d71",
                "e0a059e7da3660c691b5accb5342a0940f0ac7ea4ae4c886186249698d845860",
                "66b25bdc9086da6e266ed0828040d7a9547d20ddcfd2988d48113a10afb5a23d",
            )
        ],
        "aa6ee4e7ac86bec0a39c185ad88995e9b86eea9ecca113691090c53bcc86344c",
    ),
    (
        [
            (
                "4e96d00ea2059b6c70d0e8777970e65677abee0c4b90e881c4cf7b4aaa8d9184",
                "62e3157cbb3799d0f54fb873e7f7e46257a01e9e4297413e769c4f0afeb1a206",
                "924a5371246476aca6a92eec7d295af3c9ed3f905aaeb97dc4748ac4cdc889fd",
            ),
            (
                "8034d46a6150c7c4817f7584edf51006ec8432c55ae1de77d0ccd51c523ed97d",
                "27f5dd47bf87802cdfac24f1bfde71595a62ea8bc6a9ab335ba23c98d5fee267",
                "07ade6664316831d1ceddc1f7f8b26ff132f7130f4c6c6c51f07191d8f2a328e",
            ),
        ],
        "e582f70f0b6a48dc9a50583895bc90012147e59bf7ba90b29673075fdb646ff2",
    ),
]


#: Entry 73 (suite 7, seven PSKs).
PSKS_SUITE_7 = (
    [
        (
            "3c681f784c2caba862a1292384686f9f50bfbd66f8246bb9397f4328101c938f0b197344f28521548ee3f4f965ea4cf2",
            "17a2c055fda49efb99a5be68168f124989f60d4b1f2c647478e1ac7fcf9840883940fc37bbb00332dff1418e08d3413c",
            "48b66ae6023b81db583398996f39fc637ab5dbc30a011bc15df7f0d5c782a5a9aa394ff74a55dd05ab7a45e4bbcdfc0d",
        ),
        (
            "13f41f817c0678c356a398922ae358755e5aed1510fae4c728c12e0709f440666bd64c854b788450ba71780360aed63c",
            "101791c1735903fd70cc7dbe3420f07537d43aa832237cfd1ba2bb7b9b4b13e9f663939d3aa0bf52bd30811811e393a5",
            "c4551c219e9e9aa109946900c282967bb6c29686441ae9f6ba10d3bab1e4c0969051165b84c41d325327d386011acb27",
        ),
        (
            "bc100e16b9addadbc77f7647faa4f49d5ce30e07a201bf0e908b8b94a163b1ef80dcb73c28a5821ad9d142dabdcf6d25",
            "8993453bbf22db167db4399976172262cb9dd4e5d6dec38980c905ceb51bc6f9c1a35d9170fc3f8a151d5dbe2f4c8702",
            "3024743905863ebf2862c8d79116b45b935e973d8b74c3ee1263ec0dc861ee992ee6af047bb12b7a87cf1ed26909becb",
        ),
        (
            "b37206b15f7e3d3581924f4e6493f1f5ae0f6c7973d7d6c6c43470cce1af01731b7ec2677e3554564c15c4dae1f5b3cc",
            "3b9aa7fb717013f231620f58851b7b154b5b190e67081244223b752da820d06966626d9db0011ef9444a8b2b82b5fd4a",
            "5631cece943b7ebdae53052e8359965ec7497e5c74c4387baeefa2ab1aaeb1e17535e32caeb03951759f204dfa60f485",
        ),
        (
            "a72189d69a7a5914938cfe2b8c4f2665defb92752fa9c3ee44a55ad3835a69f6c2f9fcf65aad0471a0b987097935ede0",
            "dd9f17025a43e1242d5b52ca22d0a8d507268dd3f7dd7327138084b8deb11159bd6f6f3d3783eff0adaefa1c909afe52",
            "be4e47a6026413c99cbf78218fb76b547f916bc3149969e7ee715d63c6cfae3ccc2579a287c7f57dcc52181feecc99aa",
        ),
        (
            "512dfba26e0505173470d72f003748adc0bcf2cb82200af40c72f2a846884ef9f935076af5d4fa465753e012557f4dfd",
            "7646f072a3288e575b73a254ae83cd012e0c2caf547b921815a9c286f810ff0ce297e87a2fea866e51a7c77452dbda73",
            "5f326db95564275695710d276572052869d926b5a0b8693676fab09f0d928eee680d2946bf97ad2e255eae84bf43c4c0",
        ),
        (
            "0cae03f1dc7d7b6ea80c817586a3d9464a8d241c10dfe82491ff99e79f0346c5ca57e811d514d82d65c611e21d203de8",
            "02545bdc919c7d44abc683277de6fb95920c672fdbd497f8211d20ad666a6abff44e92c7259e9cd025ce9cce10474b4d",
            "6b9e68570a5b284ab4e414f5652fc7751cffef5703ab21ebf339ba8163aaa2b71b9636292dc0a3b0e1c507b3e50c53ed",
        ),
    ],
    "a86e3e79b720134c0d4821b555622aee300c24aa7338c72cb83a4cd76a836c61fccedab2d89ba28587092226e88e2e93",
)


def test_psk_secret_suite_7_entry_73(mls: MlsReference) -> None:
    psks, expected = PSKS_SUITE_7
    secret = bytes(48)
    for i, (psk_id, psk, nonce) in enumerate(psks):
        secret = mls.mls_psk_secret_step(7, secret, H(psk_id), H(psk), H(nonce), i, len(psks))
    assert secret == H(expected)


@pytest.mark.parametrize(("psks", "expected"), PSKS)
def test_psk_secret_suite_1(
    mls: MlsReference, psks: list[tuple[str, str, str]], expected: str
) -> None:
    secret = bytes(32)
    for i, (psk_id, psk, nonce) in enumerate(psks):
        secret = mls.mls_psk_secret_step(1, secret, H(psk_id), H(psk), H(nonce), i, len(psks))
    assert secret == H(expected)


# --- transcript hashes: transcript-hashes.json at ba68d843e6d388142ed758e80d25678674c86235 --

TRANSCRIPTS = [
    (
        1,
        "229F064459029672CFE1AC495C38F88C",
        "000110B32BD71693601B62C80C5F2BC81C8B19C5A6AECB13046C6801E5DCBF940DD885C2E9D5B2B8889B450D2D3403220220B90FE86F2CCF62B47ED58C60B6F6949518ABCEC2934874444A3F92219FD696A8004040B8571E18E2E18DF468C8CB6D2090241E8C89DDF70F84C027F7DDEB4D0BDC920206731A67BF7C70643D74222891794DF9B62BE713690F42003412B72F24DA6605204CAD42F593A5A64490BBF6676CBD51A7B4D222DB564288DEB20D826E9B33FAB2",
        "55DADC05484AA055549D9D93003E033E3277F0CC9C40BC8D5F64919627D9FB9C",
        "BCF376D83899A2F5A76CCD7FD0DD0844ABF4FD06E9C5561F6FA88C480DBB3B0D",
        "B75CA0C83191C8A8EADB29673F505FBC72EC0F827FB0BE818193E6DAB3D3F0DF",
    ),
    (
        2,
        "85C37033735ACCF563A7F6FBC6E17B69",
        "000110AFBE2ED22F2AB14B85AD93EC9EE212EC3E78E15317D0323F01AB768DEB0D0CFDA090E070EC8937D6E284CB03220220B90FE86F2CCF62B47ED58C60B6F6949518ABCEC2934874444A3F92219FD696A80040473045022071E5D61FF71D4800E2B6592B5E2D99F2AAC9B9C6D28348348100693CB92DE7DC022100B0ED0599CC89AFCDB2D1B31DB3A745151642E8DCA461B9F5DFEE7CC291CAA148207BCEB73512110D318163A93C29542E39B79D4C4422900063B3EA70A91D925042",
        "C72550569C15580840CBFAB09EA40F73BFA05ABA857C3040B54D276A3962FA4C",
        "78EFB9F60E5884DDDF124DB14291D940D9DCBD5775F4E1CB6DA06969B9399187",
        "1A1371A4160E9008DAA4F6F90A52C4CCEB54D74099B3F4D66B870BBDF2C63534",
    ),
]


@pytest.mark.parametrize("case", TRANSCRIPTS, ids=lambda c: f"suite{c[0]}")
def test_transcript_hashes(mls: MlsReference, case: tuple[int, str, str, str, str, str]) -> None:
    suite, key, content, before, confirmed, interim = case
    got = mls.mls_transcript_hashes(suite, H(key), H(content), H(before))
    assert got == {"confirmed_transcript_hash": H(confirmed), "interim_transcript_hash": H(interim)}
    with pytest.raises(AuthenticationFailed):
        mls.mls_transcript_hashes(suite, H(key)[1:], H(content), H(before))
    with pytest.raises(InvalidInput):
        mls.mls_transcript_hashes(suite, H(key), H(content)[:-1], H(before))


# --- the working group format writer ----------------------------------------------------------


def test_generator_writes_files_the_reference_re_derives(tmp_path: Path, mls: MlsReference) -> None:
    subprocess.run(
        [sys.executable, str(ROOT / "vectors" / "generators" / "mls_wg.py"), str(tmp_path)],
        check=True,
        cwd=ROOT,
        env={"PYTHONPATH": str(ROOT)},
    )
    names = sorted(p.name for p in tmp_path.iterdir())
    assert names == [
        "crypto-basics.json",
        "key-schedule.json",
        "psk_secret.json",
        "secret-tree.json",
        "transcript-hashes.json",
        "tree-math.json",
    ]
    tree = json.loads((tmp_path / "tree-math.json").read_text())
    for entry in tree:
        for i, parent in enumerate(entry["parent"]):
            node = mls.mls_tree_math(entry["n_leaves"], i)
            assert node["parent"] == (-1 if parent is None else parent)
    for entry in json.loads((tmp_path / "transcript-hashes.json").read_text()):
        hashes = mls.mls_transcript_hashes(
            entry["cipher_suite"],
            H(entry["confirmation_key"]),
            H(entry["authenticated_content"]),
            H(entry["interim_transcript_hash_before"]),
        )
        assert hashes["confirmed_transcript_hash"] == H(entry["confirmed_transcript_hash_after"])
    for entry in json.loads((tmp_path / "crypto-basics.json").read_text()):
        s = entry["sign_with_label"]
        mls.mls_verify_with_label(
            entry["cipher_suite"],
            unprefix(s["pub"]),
            s["label"].encode(),
            H(s["content"]),
            H(s["signature"]),
        )
        e = entry["encrypt_with_label"]
        assert mls.mls_decrypt_with_label(
            entry["cipher_suite"],
            unprefix(e["priv"]),
            e["label"].encode(),
            H(e["context"]),
            H(e["kem_output"]),
            H(e["ciphertext"]),
        ) == H(e["plaintext"])


def test_malformed_keys_and_inputs_are_neutral_refusals(mls: MlsReference) -> None:
    with pytest.raises(InvalidKey):
        mls.mls_decrypt_with_label(1, bytes(31), b"l", b"c", bytes(32), bytes(20))
    with pytest.raises(InvalidKey):
        mls.mls_encrypt_with_label(5, b"\x04" + b"\x01" * 132, b"l", b"c", b"p")
    with pytest.raises(InvalidKey):
        mls.mls_sign_with_label(2, bytes(32), b"l", b"c")
    with pytest.raises(InvalidKey):
        mls.mls_verify_with_label(2, b"\x04" + bytes(64), b"l", b"c", bytes(64))
    with pytest.raises(InvalidInput):
        mls.mls_leaf_keys(1, bytes(32), 8, 8, 0)
    with pytest.raises(InvalidInput):
        mls.mls_expand_with_label(1, bytes(32), b"l", b"", 1 << 16)
    with pytest.raises(InvalidInput):
        mls.mls_psk_secret_step(1, bytes(32), b"", b"", b"", 2, 2)
