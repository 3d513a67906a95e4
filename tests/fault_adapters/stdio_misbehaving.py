"""Mock stdio adapter (fault injection) for the suite's own tests: protocol violations of the
kinds a hostile or half-written shim produces, one per mode named on the command line.

Answers ``x25519.x25519`` correctly with pyca/cryptography (and batches, protocol 2) except as
its mode says:

- ``deep-describe``: answers ``describe`` with an array nested 10,000 deep;
- ``deep-answer``: answers the RFC 7748 §5.2 first scalar with a result nested 10,000 deep;
- ``kind-list``: refuses that scalar with an error whose ``data.kind`` is a list;
- ``batch-wrong-ids``: answers every batch with ids that were not asked (single calls right);
- ``crash-two``: exits on that scalar and on one other input;
- ``hang-third``: after every start, never answers its third request;
- ``grandchild``: starts a grandchild that keeps its standard output open and sleeps;
- ``crash-all``: declares the capabilities named after the mode and exits on every call.
"""

from __future__ import annotations

import json
import subprocess
import sys
import time

from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey, X25519PublicKey

MODE = sys.argv[1]
TRIGGERS = {"a546e36bf0527c9d"}
if MODE == "crash-two":
    TRIGGERS.add("4b66e9d4d1b4673c")  # the RFC 7748 §5.2 second scalar
DEEP = "[" * 10_000 + "]" * 10_000


def x25519(private: str, public: str) -> str:
    key = X25519PrivateKey.from_private_bytes(bytes.fromhex(private))
    return key.exchange(X25519PublicKey.from_public_bytes(bytes.fromhex(public))).hex()


def answer(req: dict) -> str:  # type: ignore[type-arg]
    """The response to one request, as JSON text (so deep values can be written by hand)."""
    rid, method, params = req["id"], req["method"], req.get("params", {})
    if method == "describe":
        if MODE == "deep-describe":
            return f'{{"jsonrpc":"2.0","id":{rid},"result":{DEEP}}}'
        result = {
            "protocol": 2,
            "implementation": f"mock: x25519 whose adapter does {MODE}",
            "version": "0-test",
            "capabilities": sys.argv[2:] if MODE == "crash-all" else ["x25519"],
            # Call by call, so the third request is an x25519 call after every start.
            "batch": MODE != "hang-third",
        }
        return json.dumps({"jsonrpc": "2.0", "id": rid, "result": result})
    if MODE == "crash-all":
        print(f"FAULT-MARKER: {MODE} on {method}", file=sys.stderr, flush=True)
        sys.exit(5)
    if method != "x25519.x25519":
        return json.dumps({"jsonrpc": "2.0", "id": rid, "error": {"code": -32601, "message": "?"}})
    if params["private"][:16] in TRIGGERS:
        print(f"FAULT-MARKER: {MODE}", file=sys.stderr, flush=True)
        if MODE == "deep-answer":
            return f'{{"jsonrpc":"2.0","id":{rid},"result":{DEEP}}}'
        if MODE == "kind-list":
            error = {"code": -32000, "message": "no", "data": {"kind": ["InvalidKey"]}}
            return json.dumps({"jsonrpc": "2.0", "id": rid, "error": error})
        if MODE == "crash-two":
            sys.exit(3)
    try:
        return json.dumps({"jsonrpc": "2.0", "id": rid, "result": x25519(**params)})
    except ValueError as exc:
        error = {"code": -32000, "message": str(exc), "data": {"kind": "InvalidKey"}}
        return json.dumps({"jsonrpc": "2.0", "id": rid, "error": error})


def main() -> None:
    if MODE == "grandchild":
        # Inherits this process's standard output and holds it open after this process exits.
        subprocess.Popen([sys.executable, "-c", "import time; time.sleep(1000)"])
    for requests, line in enumerate(sys.stdin, start=1):
        if MODE == "hang-third" and requests == 3:
            time.sleep(3600)
        req = json.loads(line)
        if isinstance(req, list):
            if MODE == "batch-wrong-ids":
                for r in req:
                    r["id"] += 100_000
            out = "[" + ",".join(answer(r) for r in req) + "]"
        else:
            out = answer(req)
        sys.stdout.write(out + "\n")
        sys.stdout.flush()


if __name__ == "__main__":
    main()
