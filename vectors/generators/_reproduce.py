"""Reproducing freshly generated vector files on bundled adapters before they are kept.

A protocol vector is written from the suite's reference implementation and then run, case by
case, through the same checks the suite runs, on the reference and on a real implementation
not written here (libolm for Olm and Megolm). A case either passes on both or generation
stops, naming it: nothing ships that only the reference believes.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from pathlib import Path

from conformance import loader
from conformance.adapter import LoadedAdapter, load_adapter
from conformance.engine import implementation_for, judge_case
from conformance.manifest import load_manifest
from vectors.generators._common import GeneratorError

__all__ = ["bundled", "reproduce"]

ADAPTERS = Path(__file__).resolve().parents[2] / "adapters"


def bundled(name: str) -> LoadedAdapter:
    """A bundled adapter, its environment built if needed; an adapter that cannot start stops
    generation (a vector must not ship unreproduced)."""
    adapter = load_adapter(load_manifest(ADAPTERS / name / "adapter.toml"))
    if adapter.error is not None:
        raise GeneratorError(f"adapter {name} could not start: {adapter.error}")
    return adapter


def reproduce(paths: Sequence[Path], adapters: Sequence[LoadedAdapter]) -> list[str]:
    """Run every case of ``paths`` on every adapter; each must pass (an acceptable case may go
    either way, and the choice is returned as an observation line)."""
    notes: list[str] = []
    for path in paths:
        vf = loader.load(path, path.parent.parent)
        for adapter in adapters:
            if not adapter.supports(vf.capability):
                continue
            impl = implementation_for(adapter, vf.capability)
            chosen: Counter[str] = Counter()
            for group, case in vf.cases():
                outcome, detail, behaviour = judge_case(group, case, impl)
                if outcome != "pass":
                    raise GeneratorError(
                        f"{vf.name} tcId {case.tc_id} ({case.comment}) is not reproduced by "
                        f"{adapter.name} {adapter.version}: {outcome}: {detail}"
                    )
                if behaviour is not None:
                    chosen[f"{','.join(case.flags)} {behaviour}"] += 1
            notes.append(
                f"{vf.name}: all {vf.number_of_tests} cases reproduced by {adapter.name} "
                f"{adapter.version}"
                + (f"; acceptable cases: {dict(sorted(chosen.items()))}" if chosen else "")
            )
    return notes
