"""Mock stdio adapter (fault injection) for the interruption tests: slow, and with a child of its
own that it never ends.

Answers ``x25519.x25519`` correctly, but 0.2 s per call (``E2EE_SLOW_DELAY`` seconds if set) and
never in batches, so a run over it is still going when the test interrupts it. At start-up it leaves a grandchild of the suite
(``sleep 1000``) holding its stdout, as a careless shim wrapping a daemon or a language server
would: only ending the adapter's whole process group ends that one. With ``E2EE_SLOW_MARKS`` set
to a folder, it creates a file named by its pid there on its first x25519 call, so a test can
wait until checks are under way.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path

from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey, X25519PublicKey

NAME = sys.argv[1] if len(sys.argv) > 1 else "mock-stdio-slow"
DELAY = float(os.environ.get("E2EE_SLOW_DELAY", "0.2"))
_marked = False


def x25519(private: str, public: str) -> str:
    key = X25519PrivateKey.from_private_bytes(bytes.fromhex(private))
    return key.exchange(X25519PublicKey.from_public_bytes(bytes.fromhex(public))).hex()


def mark() -> None:
    global _marked
    folder = os.environ.get("E2EE_SLOW_MARKS")
    if folder and not _marked:
        (Path(folder) / str(os.getpid())).touch()
        _marked = True


def answer(req: dict) -> dict:  # type: ignore[type-arg]
    rid, method, params = req["id"], req["method"], req.get("params", {})
    if method == "describe":
        result = {
            "protocol": 1,
            "name": NAME,
            "implementation": "mock: a slow x25519 that leaves a child behind",
            "version": "0-test",
            "capabilities": ["x25519"],
        }
        return {"jsonrpc": "2.0", "id": rid, "result": result}
    if method != "x25519.x25519":
        return {"jsonrpc": "2.0", "id": rid, "error": {"code": -32601, "message": method}}
    mark()
    time.sleep(DELAY)
    try:
        return {"jsonrpc": "2.0", "id": rid, "result": x25519(params["private"], params["public"])}
    except ValueError as exc:
        return {
            "jsonrpc": "2.0",
            "id": rid,
            "error": {"code": -32000, "message": str(exc), "data": {"kind": "InvalidKey"}},
        }


def main() -> None:
    # Inherits stdout (the pipe to the suite) and the environment; never waited for.
    subprocess.Popen(["sleep", "1000"], stdin=subprocess.DEVNULL, stdout=sys.stdout)
    for line in sys.stdin:
        sys.stdout.write(json.dumps(answer(json.loads(line))) + "\n")
        sys.stdout.flush()


if __name__ == "__main__":
    main()
