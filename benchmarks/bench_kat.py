"""KAT throughput (primitives, and with --family pq the post-quantum family): the harness
against a bare loop, per adapter, in one run.

For every bundled in-process adapter (or the ``--adapter`` ones), the same primitive cases are
run twice over, interleaved and repeated:

- *harness*: the engine's ``run_task`` with the runner's own sink (result objects, JSON lines
  written to a file), exactly what ``e2ee-conformance run`` does after loading;
- *bare*: a plain loop calling the same capability methods on the same, already decoded inputs and
  comparing against the expected bytes, with nothing else.

It prints cases per second for both and their ratio (harness / bare; 1.0 means the harness is
free, the target is >= 0.5), overall and per capability. Ratios are the figures to compare: these
machines are small and noisy, so absolute numbers move between runs.

Usage: python benchmarks/bench_kat.py [--repeat N] [--adapter NAME ...] [--family pq]
"""

from __future__ import annotations

import argparse
import hmac
import tempfile
import time
from collections import defaultdict
from collections.abc import Callable
from pathlib import Path
from typing import Any

from conformance import loader
from conformance.adapter import LoadedAdapter
from conformance.checks.pq import KemOperations
from conformance.engine import Task, implementation_for, run_task
from conformance.errors import ProtocolError
from conformance.model import Case, Group, VectorFile
from conformance.reference import cbc_hmac
from conformance.registry import load_adapters
from conformance.results import CheckResult
from conformance.runner import ResultStream


def _call(fn: Callable[..., Any], *args: Any) -> Any:
    try:
        return fn(*args)
    except ProtocolError:
        return None


def _bare_op(group: Group, case: Case, impl: Any) -> Callable[[], object]:
    """The minimal work a hand-written KAT loop does for one case (inputs decoded up front)."""
    t = group.type.name
    f: dict[str, Any] = dict(case.fields)
    valid = case.valid
    if t == "XdhComp":
        return lambda: _call(impl.x25519, f["private"], f["public"]) == f["shared"]
    if t == "XdhIterated":

        def iterate() -> bool:
            k, u = f["private"], f["public"]
            for _ in range(case.int("iterations")):
                k, u = impl.x25519(k, u), k
            return bool(k == f["shared"])

        return iterate
    if t == "EddsaVerify":
        pk, seed = group.params["publicKey"], group.params["privateKey"]
        if valid and seed:
            return lambda: (
                _call(impl.ed25519_verify, pk, f["msg"], f["sig"]),
                impl.ed25519_public_key(seed) == pk,
                impl.ed25519_sign(seed, f["msg"]) == f["sig"],
            )
        return lambda: _call(impl.ed25519_verify, pk, f["msg"], f["sig"])
    if t == "HkdfTest":
        return lambda: (
            _call(impl.hkdf_sha256, f["ikm"], f["salt"], f["info"], f["size"]) == f["okm"]
        )
    if t == "MacTest":
        n = group.int("tagSize") // 8
        if n == 32:
            return lambda: (
                impl.hmac_sha256(f["key"], f["msg"])[:n] == f["tag"],
                _call(impl.hmac_sha256_verify, f["key"], f["msg"], f["tag"]),
            )
        return lambda: impl.hmac_sha256(f["key"], f["msg"])[:n] == f["tag"]
    if t == "AeadTest":
        sealed = case.bytes("ct") + case.bytes("tag")
        if valid:
            return lambda: (
                impl.encrypt(f["key"], f["iv"], f["msg"], f["aad"]) == sealed,
                _call(impl.decrypt, f["key"], f["iv"], sealed, f["aad"]) == f["msg"],
            )
        return lambda: _call(impl.decrypt, f["key"], f["iv"], sealed, f["aad"])
    if t == "IndCpaTest":
        pad = group.str("padding") == "PKCS7"
        if valid:
            return lambda: (
                impl.aes_256_cbc_encrypt(f["key"], f["iv"], f["msg"], pad) == f["ct"],
                _call(impl.aes_256_cbc_decrypt, f["key"], f["iv"], f["ct"], pad) == f["msg"],
            )
        return lambda: _call(impl.aes_256_cbc_decrypt, f["key"], f["iv"], f["ct"], pad)
    if t == "CbcHmacTest":
        info, n = group.bytes("info"), group.int("tagSize") // 8

        def open_() -> object:
            keys = cbc_hmac.derive_keys(impl, f["key"], info)
            tag = impl.mac.hmac_sha256(keys.mac_key, f["aad"] + f["ct"])[:n]
            if not hmac.compare_digest(tag, f["tag"]):
                return None
            return _call(impl.cbc.aes_256_cbc_decrypt, keys.encryption_key, keys.iv, f["ct"], True)

        if valid:
            return lambda: (cbc_hmac.encrypt(impl, f["key"], info, f["aad"], f["msg"], n), open_())
        return open_
    pq = _bare_pq(t, group, f, impl, valid)
    if pq is not None:
        return pq
    raise ValueError(f"no bare loop for {t}")


def _bare_pq(
    t: str, group: Group, f: dict[str, Any], impl: Any, valid: bool
) -> Callable[[], object] | None:
    """The post-quantum kinds (conformance/checks/pq.py), called as a hand-written loop would."""
    if t.startswith("Kem"):
        kem = KemOperations(group, impl)
        keygen, encaps, decaps = kem.keygen, kem.encaps, kem.decaps
        if t == "KemKeyGen":
            return lambda: _call(keygen, f["d"], f["z"]) == {"ek": f["ek"], "dk": f["dk"]}
        if t == "KemEncaps":
            return lambda: _call(encaps, f["ek"], f["m"]) == {"c": f["c"], "k": f["k"]}
        if t == "KemDecaps":
            return lambda: _call(decaps, f["dk"], f["c"]) == f["k"]
        if t == "KemSeedDecaps":

            def seed_decaps() -> object:
                pair = _call(keygen, f["seed"][:32], f["seed"][32:])
                return pair and _call(decaps, pair["dk"], f["c"]) == f["k"]

            return seed_decaps
        if t == "KemEncapsKeyCheck":

            def key_check() -> object:
                out = _call(encaps, f["ek"], f["m"])
                return out and f["dk"] and _call(decaps, f["dk"], out["c"]) == out["k"]

            return key_check
    if t == "MlDsaKeyGen":
        return lambda: _call(impl.ml_dsa_keygen, f["xi"]) == {"pk": f["pk"], "sk": f["sk"]}
    if t in ("MlDsaSign", "MlDsaSignMu"):
        xi, pk = group.bytes("xi"), group.bytes("pk")

        def sign() -> object:
            sk = impl.ml_dsa_keygen(xi)["sk"] if xi else group.bytes("sk")
            if t == "MlDsaSign":
                sig = _call(impl.ml_dsa_sign, sk, f["msg"], f["ctx"], f["rnd"])
                return sig == f["sig"] and _call(impl.ml_dsa_verify, pk, f["msg"], f["ctx"], sig)
            sig = _call(impl.ml_dsa_sign_mu, sk, f["mu"], f["rnd"])
            return sig == f["sig"] and _call(impl.ml_dsa_verify_mu, pk, f["mu"], sig)

        return sign
    if t == "MlDsaVerify":
        pk = group.bytes("pk")
        return lambda: _call(impl.ml_dsa_verify, pk, f["msg"], f["ctx"], f["sig"])
    if t == "XWingKeyGen":
        return lambda: _call(impl.x_wing_keygen, f["seed"]) == {"ek": f["ek"], "dk": f["seed"]}
    if t == "XWingEncaps":
        return lambda: _call(impl.x_wing_encaps, f["ek"], f["eseed"]) == {"c": f["c"], "k": f["k"]}
    if t == "XWingDecaps":
        return lambda: _call(impl.x_wing_decaps, f["seed"], f["c"]) == f["k"]
    return None


def _bare_loop(ops: list[Callable[[], object]]) -> float:
    start = time.perf_counter()
    for op in ops:
        op()
    return time.perf_counter() - start


def _harness(tasks: list[Task], out: Path) -> float:
    stream = ResultStream(out)
    results: list[CheckResult] = []

    def sink(r: CheckResult) -> None:
        results.append(r)
        stream.write(r)

    start = time.perf_counter()
    for task in tasks:
        run_task(task, sink)
        stream.flush()
    elapsed = time.perf_counter() - start
    stream.close()
    errors = [r for r in results if r.outcome == "error"]
    if errors:
        # An error short-cuts the work, so the comparison would flatter the harness.
        raise SystemExit(
            f"benchmark needs an adapter without errors; {errors[0].check}: {errors[0].detail}"
        )
    return elapsed


def measure(adapter: LoadedAdapter, files: list[VectorFile], repeat: int) -> dict[str, Any]:
    per_cap: dict[str, dict[str, Any]] = {}
    by_cap: dict[str, list[VectorFile]] = defaultdict(list)
    for vf in files:
        if adapter.supports(vf.capability):
            by_cap[vf.capability].append(vf)
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "results.jsonl"
        for cap, vfs in sorted(by_cap.items()):
            impl = implementation_for(adapter, cap)
            ops = [_bare_op(g, c, impl) for vf in vfs for g, c in vf.cases()]
            tasks = [Task(vf, adapter) for vf in vfs]
            harness, bare = [], []
            for _ in range(repeat):  # interleaved, best of N: the least disturbed run of each
                harness.append(_harness(tasks, out))
                bare.append(_bare_loop(ops))
            per_cap[cap] = {"cases": len(ops), "harness": min(harness), "bare": min(bare)}
    cases = sum(v["cases"] for v in per_cap.values())
    h = sum(v["harness"] for v in per_cap.values())
    b = sum(v["bare"] for v in per_cap.values())
    return {"cases": cases, "harness": h, "bare": b, "per_capability": per_cap}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--adapter", action="append", default=[])
    parser.add_argument(
        "--family", action="append", default=[], help="primitives (default) and/or pq"
    )
    args = parser.parse_args()
    files = loader.load_many(loader.discover(families=args.family or ["primitives"]))
    print(
        f"{'adapter':<14} {'capability':<26} {'cases':>6} {'harness c/s':>12} "
        f"{'bare c/s':>10} {'ratio':>6}"
    )
    worst = 1.0
    adapters = load_adapters(args.adapter)
    if not args.adapter:
        # In-process ones only: the out-of-process round trip is bench_stdio.py's subject.
        adapters = [a for a in adapters if a.manifest.transport == "python"]
    for adapter in adapters:
        m = measure(adapter, files, args.repeat)
        if not m["cases"]:
            print(f"{adapter.name:<14} declares no capability of these families; skipped\n")
            continue
        for cap, v in m["per_capability"].items():
            ratio = v["bare"] / v["harness"]
            print(
                f"{adapter.name:<14} {cap:<26} {v['cases']:>6} {v['cases'] / v['harness']:>12.0f} "
                f"{v['cases'] / v['bare']:>10.0f} {ratio:>6.2f}"
            )
        ratio = m["bare"] / m["harness"]
        worst = min(worst, ratio)
        print(
            f"{adapter.name:<14} {'ALL':<26} {m['cases']:>6} {m['cases'] / m['harness']:>12.0f} "
            f"{m['cases'] / m['bare']:>10.0f} {ratio:>6.2f}\n"
        )
    print(
        f"lowest overall ratio (harness throughput / bare-loop throughput): {worst:.2f} "
        f"(target >= 0.5)"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
