"""MLS large groups (issue 19): the time per commit, per implementation, in one group of ten
members spread across implementations.

The story is the suite's own ``group/mls/large`` scenario (conformance/interop/mls_groups.py),
played once with each implementation as the creator (its rotations): the creator adds nine
members one commit at a time, then every member commits its own update, each commit processed by
every other member. For every implementation it prints the median time to make a commit (adds
and updates) and to process another member's commit, and each one's ratio to the fastest
implementation's, measured in the same run: the machines are small and noisy, so the ratios are
the figures to compare.

A group stops at the first commit a member refuses (the scenario's verdict says whose fault);
the times measured up to there still count, and the refusal is printed. ``--skip NAME`` leaves
an implementation out (one whose commits every other refuses ends every group early).

Usage: python benchmarks/bench_mls_groups.py [--adapter NAME ...] [--skip NAME ...] [--seed N]
"""

from __future__ import annotations

import argparse
import statistics
from collections import defaultdict

from conformance.adapter import LoadedAdapter
from conformance.engine import implementation_for
from conformance.errors import ProtocolError
from conformance.interop import PairFailure, Rng, rotations
from conformance.interop.mls_groups import LARGE, large_group
from conformance.registry import load_adapters

CAPABILITY = "mls-group"


def _blamed(adapter: LoadedAdapter) -> object:
    """The implementation as a scenario sees it, with the adapter's declared quirks."""

    class Party:
        def __init__(self) -> None:
            self.e2ee_quirks = adapter.manifest.quirks
            self.e2ee_name = adapter.name
            self._impl = implementation_for(adapter, CAPABILITY)

        def __getattr__(self, name: str) -> object:
            return getattr(self._impl, name)

    return Party()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--adapter", action="append", default=[], help="adapters (default: all)")
    parser.add_argument("--skip", action="append", default=[], help="adapters to leave out")
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()
    adapters = [
        a
        for a in load_adapters(args.adapter)
        if a.error is None and a.supports(CAPABILITY) and a.name not in args.skip
    ]
    if len(adapters) < 2:
        raise SystemExit("need at least two adapters with mls-group")
    times: dict[str, dict[str, list[float]]] = defaultdict(lambda: defaultdict(list))
    try:
        for group in rotations(adapters):
            names = [a.name for a in group]
            impls = tuple(_blamed(a) for a in group)

            def on_step(party: int, kind: str, seconds: float, names: list[str] = names) -> None:
                times[names[party]][kind].append(seconds)

            rng = Rng(f"{args.seed}/bench/{'/'.join(names)}")
            try:
                large_group(impls, rng, on_step)
                print(f"group created by {names[0]}: all {LARGE} members agree")
            except (PairFailure, ProtocolError) as exc:
                print(f"group created by {names[0]}: stopped: {str(exc)[:160]}")
    finally:
        for a in adapters:
            a.close()
    medians = {
        name: {k: statistics.median(v) for k, v in kinds.items()} for name, kinds in times.items()
    }
    fastest = {
        kind: min(m[kind] for m in medians.values() if kind in m) for kind in ("commit", "process")
    }
    print(f"\n{LARGE}-member groups, median milliseconds (ratio to the fastest):")
    print(f"{'implementation':<16} {'commits':>7} {'make':>16} {'processed':>9} {'process':>16}")
    for name in sorted(medians):
        m, n = medians[name], times[name]
        cells = []
        for kind in ("commit", "process"):
            if kind in m:
                cells.append(f"{m[kind] * 1000:8.1f} ({m[kind] / fastest[kind]:4.1f}x)")
            else:
                cells.append(f"{'-':>16}")
        print(
            f"{name:<16} {len(n['commit']):>7} {cells[0]:>16} {len(n['process']):>9} {cells[1]:>16}"
        )


if __name__ == "__main__":
    main()
