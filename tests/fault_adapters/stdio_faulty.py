"""Mock stdio adapter (fault injection) for the suite's own tests.

Answers ``x25519.x25519`` correctly with pyca/cryptography, except for the RFC 7748 §5.2 first
scalar, where it misbehaves in the way named on its command line: ``crash`` (exits), ``hang``
(never answers), ``garbage`` (prints a non-JSON line) or ``wrong-id`` (answers another id).
It speaks the protocol by hand, without the host library, like a third-party shim would.
"""

from __future__ import annotations

import json
import sys
import time

from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey, X25519PublicKey

TRIGGER = "a546e36bf0527c9d"
MODE = sys.argv[1]
WHAT = {
    "crash": "crashes",
    "hang": "hangs",
    "garbage": "prints garbage",
    "wrong-id": "answers the wrong id",
}


def x25519(private: str, public: str) -> str:
    key = X25519PrivateKey.from_private_bytes(bytes.fromhex(private))
    return key.exchange(X25519PublicKey.from_public_bytes(bytes.fromhex(public))).hex()


def answer(req: dict) -> dict:  # type: ignore[type-arg]
    rid, method, params = req["id"], req["method"], req.get("params", {})
    if method == "describe":
        return {
            "jsonrpc": "2.0",
            "id": rid,
            "result": {
                "protocol": 1,
                "name": f"mock-stdio-{MODE}",
                "implementation": f"mock: x25519 that {WHAT[MODE]} on one input",
                "version": "0-test",
                "capabilities": ["x25519"],
                "batch": True,
            },
        }
    if method != "x25519.x25519":
        return {"jsonrpc": "2.0", "id": rid, "error": {"code": -32601, "message": method}}
    if params["private"].startswith(TRIGGER):
        print(f"FAULT-MARKER: {MODE} on the RFC 7748 scalar", file=sys.stderr, flush=True)
        if MODE == "crash":
            sys.exit(3)
        if MODE == "hang":
            time.sleep(3600)
        if MODE == "garbage":
            return {"garbage": True}
        if MODE == "wrong-id":
            return {"jsonrpc": "2.0", "id": rid + 1000, "result": "00" * 32}
    try:
        return {"jsonrpc": "2.0", "id": rid, "result": x25519(params["private"], params["public"])}
    except ValueError as exc:
        return {
            "jsonrpc": "2.0",
            "id": rid,
            "error": {"code": -32000, "message": str(exc), "data": {"kind": "InvalidKey"}},
        }


def main() -> None:
    for line in sys.stdin:
        req = json.loads(line)
        if isinstance(req, list):
            replies = [answer(r) for r in req]
            if any("garbage" in r for r in replies):
                sys.stdout.write("this is not JSON\n")
            else:
                sys.stdout.write(json.dumps(replies) + "\n")
        else:
            reply = answer(req)
            sys.stdout.write(
                "this is not JSON\n" if "garbage" in reply else json.dumps(reply) + "\n"
            )
        sys.stdout.flush()


if __name__ == "__main__":
    main()
