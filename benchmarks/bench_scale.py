"""The cost curve: the pair-and-property phase against the number of implementations in a family.

A family of n implementations (n = 2 to 8) is made of copies of the in-process reference adapter
under other names (temporary manifests pointing at adapters/reference/adapter.py), so every
ordered pair does the same work. For each n the phase (every pair scenario and property of the
family over the n x n ordered pairs, self-pairs included) runs with ``--jobs 1`` (in this process,
as the runner does) and ``--jobs 2`` (the runner's worker pool, spawning included), and the table
gives the ordered pairs, the total seconds and the seconds per ordered pair.

The suite's own overhead is measured in the ``--jobs 1`` run: each side's implementation is
wrapped (``run_pair``'s ``wrap``, what ``repro`` uses to record calls) by a proxy that adds up
the time spent inside its calls; everything else in the phase is the suite's (scenario and
property code, the independent judge where a check uses one, the random-conversation machine,
result building, and the proxy itself, so the figure is an upper bound). It is given twice: in
wall-clock seconds ("overhead"), and in this thread's CPU seconds ("cpu ovh"), which a busy
shared machine does not skew (the reference copies run in this thread; another process's time
slices land in a wall-clock figure on whichever side happened to be running). Target: the total
linear in the ordered pairs, and the overhead under 5% of the time inside the implementations.

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
    """Adds the time spent inside every call of ``inner`` to ``clock``: wall-clock seconds to
    ``clock[0]``, this thread's CPU seconds to ``clock[1]``."""

    def __init__(self, inner: object, clock: list[float]) -> None:
        self._inner = inner
        self._clock = clock

    def __getattr__(self, name: str) -> Any:
        value = getattr(self._inner, name)
        if not callable(value):
            return value
        clock = self._clock
        wall, cpu = time.perf_counter, time.thread_time

        def call(*args: Any, **kwargs: Any) -> Any:
            start, start_cpu = wall(), cpu()
            try:
                return value(*args, **kwargs)
            finally:
                clock[1] += cpu() - start_cpu
                clock[0] += wall() - start

        # Kept, as interop's _Blamed keeps its own: the proxy is the bench's, not the suite's,
        # and building it per call would be counted as the suite's overhead.
        self.__dict__[name] = call
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
) -> tuple[list[float], list[CheckResult]]:
    """The phase as ``--jobs 1`` runs it: ([wall seconds, wall seconds inside implementations,
    CPU seconds, CPU seconds inside], results); ``by_check`` gets the same four per check id.
    CPU seconds are this thread's, where the copies of the reference run."""
    clock = [0.0, 0.0]

    def wrap(name: str, impl: object) -> object:
        return _Timed(impl, clock)

    results = []
    start, start_cpu = time.perf_counter(), time.thread_time()
    for p in pairs:
        began, began_cpu = time.perf_counter(), time.thread_time()
        inside, inside_cpu = clock[0], clock[1]
        results.append(run_pair(p, seed, wrap=wrap))
        spent = by_check.setdefault(p.scenario.check, [0.0, 0.0, 0.0, 0.0])
        spent[0] += time.perf_counter() - began
        spent[1] += clock[0] - inside
        spent[2] += time.thread_time() - began_cpu
        spent[3] += clock[1] - inside_cpu
    wall, cpu = time.perf_counter() - start, time.thread_time() - start_cpu
    return [wall, clock[0], cpu, clock[1]], results


def _parallel(pairs: list[PairTask], seed: int, jobs: int) -> tuple[float, list[CheckResult]]:
    out: dict[int, CheckResult] = {}

    def on_pair(i: int, pair: PairTask, r: CheckResult) -> None:
        out[i] = r

    def on_done(*_: object) -> None:
        raise AssertionError("no task was given")

    start = time.perf_counter()
    run_parallel([], jobs, None, None, on_done, pairs=pairs, seed=seed, on_pair=on_pair)
    return time.perf_counter() - start, [out[i] for i in range(len(pairs))]


def _share(total: float, inside: float) -> str:
    """The time outside the implementations relative to the time inside them."""
    return f"{(total - inside) / inside:.0%}" if inside else "inf"


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
        f"{'in impl':>7} {'overhead':>8} {'cpu ovh':>7} | {'j2 s':>7} {'s/pair':>7} {'j1/j2':>5}"
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
                (serial, inside, cpu, cpu_inside), one = _serial(pairs, args.seed, by_check)
                parallel, two = _parallel(pairs, args.seed, 2)
                if [_record(r) for r in one] != [_record(r) for r in two]:
                    print(f"n={n}: --jobs 2 records differ from --jobs 1", file=sys.stderr)
                    return 1
                ordered = n * n
                print(
                    f"{n:>2} {ordered:>5} {len(pairs):>6} | {serial:>7.2f} "
                    f"{serial / ordered:>7.3f} {inside:>7.2f} {_share(serial, inside):>8} "
                    f"{_share(cpu, cpu_inside):>7} | "
                    f"{parallel:>7.2f} {parallel / ordered:>7.3f} {serial / parallel:>5.2f}"
                )
            print(
                f"\nn = {args.max_n}, --jobs 1, by check: wall seconds, inside implementations, "
                "overhead | the same in CPU seconds"
            )
            for check, (spent, inside, cpu, cpu_inside) in sorted(
                by_check.items(), key=lambda kv: -kv[1][0]
            ):
                print(
                    f"  {check:<40} {spent:>7.2f} {inside:>7.2f} {_share(spent, inside):>8} | "
                    f"{cpu:>7.2f} {cpu_inside:>7.2f} {_share(cpu, cpu_inside):>8}"
                )
        finally:
            for a in adapters:
                a.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
