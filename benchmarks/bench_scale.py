"""The cost curve: the pair-and-property phase against the number of implementations in a family.

A family of n implementations (n = 2 to 8) is made of copies of the in-process reference adapter
under other names (temporary manifests pointing at adapters/reference/adapter.py), so every
ordered pair does the same work. For each n the phase (every pair scenario and property of the
family over the n x n ordered pairs, self-pairs included) runs with ``--jobs 1`` (in this process,
as the runner does) and ``--jobs 2`` (the runner's worker pool, spawning included), and the table
gives the ordered pairs, the total seconds and the seconds per ordered pair.

The suite's own overhead is measured in the ``--jobs 1`` run: each side's implementation is
wrapped (``run_pair``'s ``wrap``, what ``repro`` uses to record calls) by a proxy that adds up
the wall-clock time spent inside its calls; everything else in the phase is the suite's
(scenario and property code, the independent judge where a check uses one, Hypothesis, result
building, and the proxy itself, so the figure is an upper bound). Target: the total linear in the
ordered pairs, and the overhead under 5% of the time inside the implementations.

Usage: python benchmarks/bench_scale.py [--family megolm|olm|signal] [--max-n N] [--seed N]
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from conformance.adapter import LoadedAdapter, load_adapter
from conformance.interop import PairTask, plan_pairs, run_pair
from conformance.manifest import load_manifest
from conformance.parallel import run_parallel
from conformance.resources import adapters_dir
from conformance.results import CheckResult


class _Timed:
    """Adds the time spent inside every call of ``inner`` to ``clock[0]``."""

    def __init__(self, inner: object, clock: list[float]) -> None:
        self._inner = inner
        self._clock = clock

    def __getattr__(self, name: str) -> Any:
        value = getattr(self._inner, name)
        if not callable(value):
            return value
        clock = self._clock

        def call(*args: Any, **kwargs: Any) -> Any:
            start = time.perf_counter()
            try:
                return value(*args, **kwargs)
            finally:
                clock[0] += time.perf_counter() - start

        return call


def _copies(folder: Path, n: int) -> list[Path]:
    """n manifests, ``ref-1`` .. ``ref-n``, each the reference adapter under another name."""
    reference = adapters_dir() / "reference"
    text = (reference / "adapter.toml").read_text(encoding="utf-8")
    entry = f'entry = "{(reference / "adapter.py").as_posix()}:ReferenceAdapter"'
    text = text.replace('entry = "adapter.py:ReferenceAdapter"', entry)
    paths = []
    for k in range(1, n + 1):
        sub = folder / f"ref-{k}"
        sub.mkdir(exist_ok=True)
        path = sub / "adapter.toml"
        path.write_text(text.replace('name = "reference"', f'name = "ref-{k}"', 1), "utf-8")
        paths.append(path)
    return paths


def _serial(
    pairs: list[PairTask], seed: int, by_check: dict[str, list[float]]
) -> tuple[float, float, list[CheckResult]]:
    """The phase as ``--jobs 1`` runs it: (seconds, seconds inside implementations, results);
    ``by_check`` gets [seconds, seconds inside] per check id."""
    clock = [0.0]

    def wrap(name: str, impl: object) -> object:
        return _Timed(impl, clock)

    results = []
    start = time.perf_counter()
    for p in pairs:
        began, inside = time.perf_counter(), clock[0]
        results.append(run_pair(p, seed, wrap=wrap))
        spent = by_check.setdefault(p.scenario.check, [0.0, 0.0])
        spent[0] += time.perf_counter() - began
        spent[1] += clock[0] - inside
    return time.perf_counter() - start, clock[0], results


def _parallel(pairs: list[PairTask], seed: int, jobs: int) -> tuple[float, list[CheckResult]]:
    out: dict[int, CheckResult] = {}

    def on_pair(i: int, pair: PairTask, r: CheckResult) -> None:
        out[i] = r

    def on_done(*_: object) -> None:
        raise AssertionError("no task was given")

    start = time.perf_counter()
    run_parallel([], jobs, None, None, on_done, pairs=pairs, seed=seed, on_pair=on_pair)
    return time.perf_counter() - start, [out[i] for i in range(len(pairs))]


def _record(r: CheckResult) -> tuple[object, ...]:
    return (r.check, r.adapters, r.outcome, r.detail, r.fault, r.seed)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--family", default="megolm", choices=("olm", "megolm", "signal"))
    parser.add_argument("--max-n", type=int, default=8)
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args(argv)
    print(
        f"family {args.family}: pair scenarios and properties over n copies of the reference\n"
        f"{'n':>2} {'pairs':>5} {'checks':>6} | {'j1 s':>7} {'s/pair':>7} "
        f"{'in impl':>7} {'overhead':>8} | {'j2 s':>7} {'s/pair':>7} {'j1/j2':>5}"
    )
    with tempfile.TemporaryDirectory() as tmp:
        manifests = _copies(Path(tmp), args.max_n)
        adapters: list[LoadedAdapter] = [load_adapter(load_manifest(m)) for m in manifests]
        try:
            broken = [a.name for a in adapters if a.error is not None]
            if broken:
                print(f"could not start: {', '.join(broken)}", file=sys.stderr)
                return 1
            by_check: dict[str, list[float]] = {}
            for n in range(2, args.max_n + 1):
                pairs = plan_pairs(adapters[:n], [args.family])
                by_check.clear()
                serial, inside, one = _serial(pairs, args.seed, by_check)
                parallel, two = _parallel(pairs, args.seed, 2)
                if [_record(r) for r in one] != [_record(r) for r in two]:
                    print(f"n={n}: --jobs 2 records differ from --jobs 1", file=sys.stderr)
                    return 1
                ordered = n * n
                overhead = (serial - inside) / inside if inside else float("inf")
                print(
                    f"{n:>2} {ordered:>5} {len(pairs):>6} | {serial:>7.2f} "
                    f"{serial / ordered:>7.3f} {inside:>7.2f} {overhead:>8.0%} | "
                    f"{parallel:>7.2f} {parallel / ordered:>7.3f} {serial / parallel:>5.2f}"
                )
            print(
                f"\nn = {args.max_n}, --jobs 1, by check: seconds, inside implementations, overhead"
            )
            for check, (spent, inside) in sorted(by_check.items(), key=lambda kv: -kv[1][0]):
                share = (spent - inside) / inside if inside else float("inf")
                print(f"  {check:<40} {spent:>7.2f} {inside:>7.2f} {share:>8.0%}")
        finally:
            for a in adapters:
                a.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
