"""Throughput of the randomised-conversation property: machine steps per second, per ordered
pair of the bundled implementations of each ratcheting family.

A step is one rule of the machine (send, deliver, drop, replay, tamper, snapshot), each one or
two adapter calls; the figure includes the machine's own bookkeeping and, for a pair that
fails, the shrinking of the failure (marked). Ratios between pairs measured in one run are
what to compare: the machines here are small and noisy.

Usage: python benchmarks/bench_properties.py [--family olm|megolm|signal ...]
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from conformance.adapter import LoadedAdapter
from conformance.interop import PairTask, run_pair, scenarios
from conformance.properties.machine import steps_run
from conformance.registry import load_adapters

BUNDLED = {
    "olm": ("reference", "python-olm", "vodozemac"),
    "megolm": ("reference", "python-olm", "vodozemac"),
    "signal": ("reference", "python-axolotl", "libsignal-protocol-typescript"),
}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--family", action="append", choices=sorted(BUNDLED))
    args = parser.parse_args(argv)
    names = sorted({n for f in args.family or BUNDLED for n in BUNDLED[f]})
    adapters: dict[str, LoadedAdapter] = {a.name: a for a in load_adapters(names)}
    print(f"{'family':<8} {'first -> second':<48} {'steps':>6} {'s':>7} {'steps/s':>8}")
    for family in args.family or BUNDLED:
        sc = next(s for s in scenarios() if s.check == f"prop/{family}/random-conversation")
        for first in BUNDLED[family]:
            for second in BUNDLED[family]:
                before, start = steps_run(), time.perf_counter()
                r = run_pair(PairTask(sc, adapters[first], adapters[second]), 7)
                took, steps = time.perf_counter() - start, steps_run() - before
                mark = "" if r.outcome == "pass" else f"  ({r.outcome}, shrunk)"
                print(
                    f"{family:<8} {first + ' -> ' + second:<48} {steps:>6} {took:>7.2f} "
                    f"{steps / took:>8.0f}{mark}"
                )
    for a in adapters.values():
        a.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
