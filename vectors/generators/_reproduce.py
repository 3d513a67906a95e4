"""Reproducing freshly generated vector files on bundled adapters before they are kept.

A protocol vector is written from the suite's reference implementation and then run, case by
case, through the same checks the suite runs, on the reference and on real implementations not
written here (libolm for Olm and Megolm; python-axolotl, the x3dh library and the TypeScript
Signal library for Signal). A case passes on the reference and on at least one of them, or
generation stops naming it: nothing ships that only the reference believes. The bar is the same
for every case: a published value (a case with a ``source``) is reproduced like any other, so a
``source`` never lowers it.
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
    """Run every case of ``paths`` on every adapter that declares its capability.

    The first adapter is the reference: it must pass every case. Of the others (implementations
    not written here), at least one must pass every case, published values (cases with a
    ``source``) included, or generation stops naming it; one that fails a case the others
    reproduce is a finding about that implementation, returned as an observation line with the
    acceptable cases' choices.
    """
    reference, others = adapters[0], adapters[1:]
    notes: list[str] = []
    for path in paths:
        vf = loader.load(path, path.parent.parent)
        able = [a for a in others if a.supports(vf.capability)]
        if not able:
            raise GeneratorError(f"{vf.name}: no implementation besides the reference runs it")
        judged: dict[str, dict[int, tuple[str, str | None, str | None]]] = {}
        for adapter in (reference, *able):
            impl = implementation_for(adapter, vf.capability)
            judged[adapter.name] = {
                case.tc_id: judge_case(group, case, impl) for group, case in vf.cases()
            }
        for group, case in vf.cases():
            del group
            outcome, detail, _ = judged[reference.name][case.tc_id]
            if outcome != "pass":
                raise GeneratorError(
                    f"{vf.name} tcId {case.tc_id} ({case.comment}) fails on the reference: "
                    f"{outcome}: {detail}"
                )
            if not any(judged[a.name][case.tc_id][0] == "pass" for a in able):
                why = "; ".join(f"{a.name}: {judged[a.name][case.tc_id][1]}" for a in able)
                raise GeneratorError(
                    f"{vf.name} tcId {case.tc_id} ({case.comment}) is reproduced by no "
                    f"implementation besides the reference ({why})"
                )
        for adapter in (reference, *able):
            results = judged[adapter.name]
            passed = sum(1 for o, _, _ in results.values() if o == "pass")
            chosen: Counter[str] = Counter()
            failed = []
            for _group, case in vf.cases():
                outcome, detail, behaviour = results[case.tc_id]
                if outcome != "pass":
                    failed.append(f"tcId {case.tc_id} {outcome}: {detail}")
                elif behaviour is not None:
                    chosen[f"{','.join(case.flags)} {behaviour}"] += 1
            line = (
                f"{path.name}: {passed} of {vf.number_of_tests} cases reproduced by "
                f"{adapter.name} {adapter.version}"
            )
            if chosen:
                line += f"; acceptable cases: {dict(sorted(chosen.items()))}"
            notes.append(line)
            notes.extend(f"  {adapter.name} differs: {f}" for f in failed)
    return notes
