"""The out-of-process round trip: what the stdio adapter protocol costs against in-process calls.

One run, interleaved and repeated, on the X25519 known-answer cases (primitives/x25519_test),
with the same library (PyNaCl's libsodium) behind every path:

- *raw round trip*: ``StdioClient.call`` in a loop, one request line per call: mean microseconds
  per call, the protocol's latency (target < 150 us);
- *raw batched*: the same calls sent 256 to a line with ``StdioClient.batch``: microseconds per call;
- *engine*: ``run_task`` over the cases, checks judged and results recorded, for the in-process
  adapter, the stdio adapter with batching (the engine prefetches each chunk's calls in one
  line), and the stdio adapter without it. The figure to watch is in-process / batched
  throughput (target within 3x).

The stdio adapter is a small program on the bundled Python host (``adapters/_hosts/python``),
started with this interpreter, so both sides run the same libsodium.

Usage: python benchmarks/bench_stdio.py [--repeat N]
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from conformance import loader
from conformance.adapter import LoadedAdapter, load_adapter
from conformance.engine import Task, run_task
from conformance.manifest import load_manifest
from conformance.registry import load_adapters
from conformance.resources import adapters_dir, vectors_dir
from conformance.results import CheckResult
from conformance.stdio import StdioClient

_ADAPTER = """
from __future__ import annotations
import sys
import nacl.bindings as nb
import nacl.exceptions
from e2ee_host import Refusal, serve

def x25519(private: bytes, public: bytes) -> bytes:
    try:
        return nb.crypto_scalarmult(private, public)
    except (nacl.exceptions.RuntimeError, nacl.exceptions.ValueError, nacl.exceptions.TypeError) as e:
        raise Refusal("InvalidKey", str(e)) from None

serve({"name": NAME, "implementation": "PyNaCl over stdio (benchmark)", "version": "bench",
       "capabilities": ["x25519"], "batch": BATCH}, {"x25519.x25519": x25519})
"""


def _write_adapter(folder: Path, name: str, batch: bool) -> Path:
    folder.mkdir(parents=True)
    shutil.copy2(adapters_dir() / "_hosts" / "python" / "e2ee_host.py", folder / "e2ee_host.py")
    source = _ADAPTER.replace("NAME", repr(name)).replace("BATCH", repr(batch))
    (folder / "adapter.py").write_text(source)
    (folder / "adapter.toml").write_text(
        f'name = "{name}"\nimplementation = "bench"\ncapabilities = ["x25519"]\n'
        '[transport]\nkind = "command"\ncommand = ["{python}", "adapter.py"]\n'
    )
    return folder / "adapter.toml"


def _best(fn: Callable[[], object], repeat: int) -> float:
    times = []
    for _ in range(repeat):
        t = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t)
    return min(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=7)
    args = parser.parse_args()

    vf = loader.load(vectors_dir() / "primitives" / "x25519_test.json")
    cases = vf.cases()
    calls = [(c.bytes("private").hex(), c.bytes("public").hex()) for _, c in cases]
    with tempfile.TemporaryDirectory() as tmp:
        batched_m = _write_adapter(Path(tmp) / "b", "stdio-batched", True)
        single_m = _write_adapter(Path(tmp) / "s", "stdio-unbatched", False)
        (inproc,) = load_adapters(["pynacl"])
        adapters: dict[str, LoadedAdapter] = {
            "in-process": inproc,
            "stdio batched": load_adapter(load_manifest(batched_m)),
            "stdio unbatched": load_adapter(load_manifest(single_m)),
        }
        for name, a in adapters.items():
            if a.error:
                sys.exit(f"{name}: {a.error}")
        client = StdioClient(
            "raw", [sys.executable, "adapter.py"], cwd=batched_m.parent, timeout=30
        )
        client.start()

        def raw_single() -> None:
            for priv, pub in calls:
                try:
                    client.call("x25519.x25519", {"private": priv, "public": pub})
                except Exception:
                    continue

        def raw_batch() -> None:
            reqs = [("x25519.x25519", {"private": p, "public": u}) for p, u in calls]
            for i in range(0, len(reqs), 256):
                client.batch(reqs[i : i + 256])

        def engine(adapter: LoadedAdapter) -> Callable[[], None]:
            def go() -> None:
                out: list[CheckResult] = []
                run_task(Task(vf, adapter), out.append)
                assert sum(r.outcome == "pass" for r in out) == len(cases), adapter.name

            return go

        timings: dict[str, list[float]] = {}
        jobs: dict[str, Callable[[], object]] = {
            "raw round trip": raw_single,
            "raw batched": raw_batch,
            **{f"engine {k}": engine(a) for k, a in adapters.items()},
        }
        for _ in range(3):  # interleave rounds so drift hits every path alike
            for label, fn in jobs.items():
                timings.setdefault(label, []).append(_best(fn, args.repeat))
        client.close()
        for a in adapters.values():
            a.close()

    n = len(cases)
    per_call = {k: min(v) / n * 1e6 for k, v in timings.items()}
    print(f"X25519 known-answer cases: {n}, best of {args.repeat} x 3 interleaved rounds")
    print(f"{'path':<28} {'us/call':>10}")
    for label, us in per_call.items():
        print(f"{label:<28} {us:>10.1f}")
    inproc_us = per_call["engine in-process"]
    print()
    print(f"unbatched round trip: {per_call['raw round trip']:.1f} us per call (target < 150)")
    ratio = per_call["engine stdio batched"] / inproc_us
    print(f"engine, stdio batched / in-process: {ratio:.2f}x slower (target within 3x)")
    print(
        f"engine, stdio unbatched / in-process: "
        f"{per_call['engine stdio unbatched'] / inproc_us:.2f}x slower"
    )
    print(
        f"(spread of raw round trip over rounds: {statistics.pstdev(timings['raw round trip']) / n * 1e6:.1f} us)"
    )


if __name__ == "__main__":
    main()
