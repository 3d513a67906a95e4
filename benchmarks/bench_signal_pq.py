"""What current Signal costs through the suite: libsignal over stdio against libsignal in process.

One run, on this machine, of the same operations three ways:

- *libsignal in process*: ``adapters/libsignal-client/bench.mjs`` in the adapter's own
  environment (node, the library's calls with minimal stores, no JSON or hex);
- *libsignal over stdio*: the bundled ``libsignal-client`` adapter driven by the suite (the
  party's state rebuilt into the library's stores on every call, hex over the pipe);
- *reference in process*: the suite's own PQXDH + triple ratchet (pure Python over
  pyca/cryptography), for scale.

The figure to watch is stdio / in-process per message: it is the adapter protocol's price for
keeping no state in the adapter (docs/adapter-protocol.md, "Stateful families").

Usage: python benchmarks/bench_signal_pq.py [-n N]
"""

from __future__ import annotations

import argparse
import re
import subprocess
import sys
import time
from collections.abc import Callable
from typing import Any

from conformance.environments import prepare
from conformance.interop import Rng
from conformance.interop.drivers import SignalPqDriver
from conformance.registry import load_adapters


def _in_process(n: int) -> dict[str, float]:
    """bench.mjs's lines ("label   0.123 ms"), by label."""
    (adapter,) = load_adapters(["libsignal-client"])
    env = prepare(adapter.manifest)
    adapter.close()
    node = "node"
    out = subprocess.run(
        [node, "bench.mjs", str(n)], cwd=env.folder, capture_output=True, text=True, check=True
    ).stdout
    return {
        m.group(1).strip(): float(m.group(2))
        for m in re.finditer(r"^(.*?)\s+([0-9.]+) ms$", out, re.MULTILINE)
    }


def _per_call(fn: Callable[[], Any], n: int) -> float:
    start = time.perf_counter()
    for _ in range(n):
        fn()
    return (time.perf_counter() - start) / n * 1000


def _through_suite(impl: object, n: int) -> dict[str, float]:
    """Per-call milliseconds of the suite's driver over ``impl`` in both roles."""
    d = SignalPqDriver(impl, impl, Rng("bench_signal_pq"))
    d.establish()
    bundle = d.bundle_of(impl, d.states["bob"])
    alices = iter([d.new_party(impl, (200 + i, 30, 31)) for i in range(20)])
    setup = _per_call(lambda: d.initiate_with(impl, next(alices), bundle), 20)
    d.deliver(d.encrypt("alice"))
    d.deliver(d.encrypt("bob"))
    queue = []
    encrypt = _per_call(lambda: queue.append(d.encrypt("alice")), n)
    it = iter(queue)
    decrypt = _per_call(lambda: d.deliver(next(it)), n)

    turn = iter(range(n))

    def alternate() -> None:
        sender = "alice" if next(turn) % 2 else "bob"
        d.deliver(d.encrypt(sender))

    both = _per_call(alternate, n)
    return {"setup": setup, "encrypt": encrypt, "decrypt": decrypt, "alternating": both}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("-n", type=int, default=300, help="messages per measurement")
    args = parser.parse_args(argv)
    native = _in_process(args.n)
    (libsignal, reference) = load_adapters(["libsignal-client", "reference"])
    try:
        stdio = _through_suite(libsignal.get("signal-pq"), args.n)
        ref = _through_suite(reference.get("signal-pq"), args.n)
    finally:
        libsignal.close()
        reference.close()
    rows = [
        ("encrypt", "signalEncrypt (one direction)", "encrypt"),
        ("decrypt", "signalDecrypt (one direction, in order)", "decrypt"),
        (
            "encrypt + decrypt, alternating",
            "encrypt + decrypt, alternating directions",
            "alternating",
        ),
        ("initiate (PQXDH, Alice)", "processPreKeyBundle (PQXDH, Alice)", "setup"),
    ]
    print(f"{'operation':36} {'in process':>11} {'over stdio':>11} {'ratio':>6} {'reference':>10}")
    for label, native_label, key in rows:
        inproc = native.get(native_label, float("nan"))
        print(
            f"{label:36} {inproc:9.3f} ms {stdio[key]:8.3f} ms {stdio[key] / inproc:6.1f} "
            f"{ref[key]:7.3f} ms"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
