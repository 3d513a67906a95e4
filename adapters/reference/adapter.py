"""The suite's reference Olm, Megolm, classic and current (PQXDH + SPQR) Signal, ML-KEM and
round-3 Kyber1024, HPKE and its MLS (RFC 9420) crypto tier as an in-process adapter.

The protocol code (conformance.reference) imports no crypto library; this adapter gives it the
primitives of the bundled cryptography adapter next door, loaded through its own manifest so the
same translation of native errors into the neutral kinds applies. HPKE's primitives (P-256/384/521,
X448, HKDF-SHA384/512, AES-256-GCM, which that adapter does not offer) come from the sibling
conformance.reference.hpke_primitives, and MLS's signatures (Ed448, ECDSA) from
conformance.reference.mls.pyca: the reference's two modules over pyca/cryptography.
"""

from __future__ import annotations

from pathlib import Path

import conformance
from conformance.adapter import Adapter, load_adapter
from conformance.manifest import load_manifest
from conformance.reference.fingerprint import SignalFingerprintReference
from conformance.reference.hpke import HpkeReference
from conformance.reference.hpke_primitives import CryptographyHpkePrimitives
from conformance.reference.megolm import MegolmReference
from conformance.reference.mlkem import (
    ML_KEM_512,
    ML_KEM_768,
    ML_KEM_1024,
    Kyber1024Round3Reference,
    MlKemReference,
)
from conformance.reference.mls.aead import PycaAead
from conformance.reference.mls.group_api import MlsGroupReference
from conformance.reference.mls.hpke_binding import ReferenceHpke
from conformance.reference.mls.passive import MlsPassiveReference
from conformance.reference.mls.protocol_framing import MlsFramingReference
from conformance.reference.mls.protocol_tree import MlsTreeReference
from conformance.reference.mls.pyca import PycaSignatures
from conformance.reference.mls.reference import MlsReference
from conformance.reference.olm import OlmReference
from conformance.reference.primitives import Primitives
from conformance.reference.sender_keys import SignalGroupReference
from conformance.reference.signal import SignalReference, X3dhReference
from conformance.reference.signal_pq import SignalPqReference

_CRYPTOGRAPHY = Path(__file__).resolve().parent.parent / "cryptography" / "adapter.toml"


class FixedRandomnessMarker:
    """``<family>:fixed-randomness``: the reference uses every random value it is given."""


class ReferenceAdapter(Adapter):
    implementation = "e2ee-conformance reference (Olm/Megolm/Signal over pyca/cryptography, ML-KEM)"
    #: Its refusals carry the state its object holds after the attempt (conformance.reference
    #: .state.state_after).
    protocol = 2

    def __init__(self) -> None:
        loaded = load_adapter(load_manifest(_CRYPTOGRAPHY))
        if loaded.error is not None:
            raise RuntimeError(f"the cryptography adapter did not load: {loaded.error}")
        self._primitives_adapter = loaded
        self._primitives = Primitives.of(loaded.get)

    def version(self) -> str:
        return f"{conformance.__version__} (cryptography {self._primitives_adapter.version})"

    def capabilities(self) -> dict[str, object]:
        # MLS: signatures over pyca/cryptography (conformance/reference/mls/pyca.py), HPKE from
        # conformance.reference.hpke; SHA-2, HMAC and HKDF from the standard library.
        signatures, hpke, aead = PycaSignatures(), ReferenceHpke(), PycaAead()
        mls = MlsReference(signatures, hpke)
        framing = MlsFramingReference(signatures, hpke, aead)
        trees = MlsTreeReference(signatures, hpke)
        return {
            "olm": OlmReference(self._primitives),
            "olm:fixed-randomness": FixedRandomnessMarker(),
            "megolm": MegolmReference(self._primitives),
            "signal": SignalReference(self._primitives),
            "signal:fixed-randomness": FixedRandomnessMarker(),
            "signal-pq": SignalPqReference(self._primitives),
            "signal-pq:fixed-randomness": FixedRandomnessMarker(),
            "signal-group": SignalGroupReference(self._primitives),
            "signal-fingerprint": SignalFingerprintReference(),
            "x3dh": X3dhReference(self._primitives),
            "ml-kem-512": MlKemReference(ML_KEM_512),
            "ml-kem-768": MlKemReference(ML_KEM_768),
            "ml-kem-1024": MlKemReference(ML_KEM_1024),
            "kyber1024-r3": Kyber1024Round3Reference(),
            "hpke": HpkeReference(CryptographyHpkePrimitives()),
            **dict.fromkeys(
                (
                    "mls-tree-math",
                    "mls-crypto-basics",
                    "mls-secret-tree",
                    "mls-key-schedule",
                    "mls-psk-secret",
                    "mls-transcript-hashes",
                ),
                mls,
            ),
            "mls-messages": framing,
            "mls-message-protection": framing,
            "mls-welcome": framing,
            "mls-tree-validation": trees,
            "mls-tree-operations": trees,
            "mls-treekem": trees,
            "mls-passive-client": MlsPassiveReference(signatures, hpke, aead),
            "mls-group": MlsGroupReference(),
            "mls-group:fixed-randomness": FixedRandomnessMarker(),
            **{
                f"{kem}:fixed-randomness": FixedRandomnessMarker()
                for kem in ("ml-kem-512", "ml-kem-768", "ml-kem-1024", "kyber1024-r3")
            },
        }

    def close(self) -> None:
        self._primitives_adapter.close()
