"""Isolated, cached environments for out-of-process adapters (``[environment]`` in adapter.toml).

Each bundled adapter can pin libraries that conflict with another's (``hpke`` pins
cryptography<44, python-axolotl needs the pure-Python protobuf, ts-mls pins @noble/ciphers), so
each gets its own folder under the cache: a copy of the adapter's files, the host library for its
language, and either a virtualenv with its pinned ``python`` requirements or ``node_modules``
from ``npm ci`` on its lockfile, plus the ``shared`` files it names in sibling adapter folders
(a version-matrix adapter that reuses another adapter's code against its own pinned library).
The folder is keyed by a digest of everything that goes into it,
built on first use (with progress on stderr) and reused after; ``--offline`` refuses to build.
"""

from __future__ import annotations

import contextlib
import fcntl
import hashlib
import os
import shutil
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TextIO

from .manifest import Manifest
from .quoting import file_name
from .resources import adapters_dir
from .stdio import child_env

__all__ = [
    "OFFLINE_VARIABLE",
    "Environment",
    "EnvironmentFailed",
    "cache_root",
    "environment_key",
    "prepare",
]

OFFLINE_VARIABLE = "E2EE_CONFORMANCE_OFFLINE"
_IGNORED = {"node_modules", "__pycache__", ".venv"}
_HOSTS = {
    "python": ("python/e2ee_host.py", "e2ee_host.py"),
    "npm": ("node/e2ee-host.mjs", "e2ee-host.mjs"),
}


class EnvironmentFailed(Exception):
    """The environment could not be built (or may not be, with --offline)."""


@dataclass(frozen=True)
class Environment:
    folder: Path
    python: str


def cache_root() -> Path:
    explicit = os.environ.get("E2EE_CONFORMANCE_CACHE")
    if explicit:
        return Path(explicit)
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "e2ee-conformance"


def _files(folder: Path) -> list[Path]:
    return sorted(
        p
        for p in folder.rglob("*")
        if p.is_file() and not (set(p.relative_to(folder).parts) & _IGNORED)
    )


def _shared(manifest: Manifest) -> list[Path]:
    """The ``environment.shared`` files (their form was checked with the manifest): each must
    exist and must not take the name of a file of the adapter's own folder."""
    own = {p.relative_to(manifest.folder).as_posix() for p in _files(manifest.folder)}
    found = []
    for path in manifest.shared:
        if not path.is_file():
            raise EnvironmentFailed(
                f"{manifest.name}: environment.shared file {file_name(path)} does not exist"
            )
        if path.name in own:
            raise EnvironmentFailed(
                f"{manifest.name}: environment.shared file {file_name(path)} has the name of "
                f"a file in {file_name(manifest.folder)}"
            )
        found.append(path)
    return found


def _kinds(manifest: Manifest) -> list[str]:
    env = manifest.environment
    kinds = []
    if env.get("python"):
        kinds.append("python")
    if env.get("npm"):
        kinds.append("npm")
    return kinds


def environment_key(manifest: Manifest) -> str:
    """A digest of the manifest, the adapter's files, its shared files, the host libraries it
    gets, and the Python that builds the venv: any change gives a new folder, so a stale one is
    never reused."""
    h = hashlib.sha256()
    h.update(manifest.sha256.encode())
    try:
        for path in _files(manifest.folder):
            h.update(str(path.relative_to(manifest.folder)).encode() + b"\0")
            h.update(hashlib.sha256(path.read_bytes()).digest())
        for path in _shared(manifest):
            h.update(b"shared\0" + path.name.encode() + b"\0")
            h.update(hashlib.sha256(path.read_bytes()).digest())
        for kind in _kinds(manifest):
            host = adapters_dir() / "_hosts" / _HOSTS[kind][0]
            if host.is_file():
                h.update(hashlib.sha256(host.read_bytes()).digest())
    except OSError as exc:
        # An unreadable file in the adapter's folder: the adapter's error, said in one line.
        where = exc.filename if exc.filename is not None else manifest.folder
        raise EnvironmentFailed(
            f"{manifest.name}: cannot read {where}: {exc.strerror or exc}"
        ) from None
    h.update(sys.version.encode())
    return h.hexdigest()[:16]


@contextlib.contextmanager
def _locked(path: Path) -> Iterator[None]:
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w") as fh:
        fcntl.flock(fh, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(fh, fcntl.LOCK_UN)


def prepare(manifest: Manifest, progress: TextIO | None = None) -> Environment:
    """The adapter's environment, built if it is not in the cache yet."""
    kinds = _kinds(manifest)
    if not kinds:
        return Environment(manifest.folder, sys.executable)
    key = environment_key(manifest)
    folder = cache_root() / "envs" / f"{manifest.name}-{key}"
    python = str(folder / "venv" / "bin" / "python") if "python" in kinds else sys.executable
    ready = folder / ".ready"
    if ready.exists():
        return Environment(folder, python)
    if os.environ.get(OFFLINE_VARIABLE):
        raise EnvironmentFailed(
            f"environment for {manifest.name} is not built and --offline forbids building it "
            f"(run `e2ee-conformance adapters --prepare` first)"
        )
    out = progress if progress is not None else sys.stderr
    with _locked(folder.with_name(folder.name + ".lock")):
        if ready.exists():  # built by another process while we waited
            return Environment(folder, python)
        shutil.rmtree(folder, ignore_errors=True)
        folder.mkdir(parents=True)
        log = folder / "build.log"
        started = time.monotonic()
        out.write(f"e2ee-conformance: preparing environment for {manifest.name} in {folder} ...\n")
        out.flush()
        for path in _files(manifest.folder):
            target = folder / path.relative_to(manifest.folder)
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(path, target)
        for path in _shared(manifest):
            shutil.copy2(path, folder / path.name)
        for kind in kinds:
            host, name = _HOSTS[kind]
            shutil.copy2(adapters_dir() / "_hosts" / host, folder / name)
        if "python" in kinds:
            reqs = manifest.environment["python"]
            if not isinstance(reqs, list) or not all(isinstance(r, str) for r in reqs):
                raise EnvironmentFailed(f"{manifest.path}: environment.python must be a list")
            _step(log, [sys.executable, "-m", "venv", str(folder / "venv")], folder)
            _step(
                log,
                [python, "-m", "pip", "install", "--disable-pip-version-check", "-q", *reqs],
                folder,
            )
        if "npm" in kinds:
            if not (folder / "package-lock.json").is_file():
                raise EnvironmentFailed(
                    f"{manifest.path}: an npm environment needs package.json and "
                    "package-lock.json (pinned, built with `npm ci`)"
                )
            npm = shutil.which("npm")
            if npm is None:
                raise EnvironmentFailed(
                    "npm is not on PATH: it is needed to build " + manifest.name
                )
            _step(log, [npm, "ci", "--no-audit", "--no-fund", "--loglevel=error"], folder)
        ready.write_text(f"{time.time()}\n")
        out.write(
            f"e2ee-conformance: environment for {manifest.name} ready "
            f"({time.monotonic() - started:.1f} s)\n"
        )
        out.flush()
    return Environment(folder, python)


def _step(log: Path, command: list[str], cwd: Path) -> None:
    with log.open("a") as fh:
        fh.write("$ " + " ".join(command) + "\n")
        fh.flush()
        try:
            # The build sees none of the caller's PYTHONPATH: pip would take a package found
            # there as installed, and the venv would lack it once run without it.
            done = subprocess.run(
                command,
                cwd=cwd,
                stdout=fh,
                stderr=subprocess.STDOUT,
                timeout=1800,
                check=False,
                env=child_env(isolated_python=True),
            )
        except (OSError, subprocess.TimeoutExpired) as exc:
            raise EnvironmentFailed(f"{' '.join(command[:3])} ...: {exc}") from None
    if done.returncode != 0:
        tail = "\n".join(log.read_text(errors="replace").rstrip().splitlines()[-15:])
        raise EnvironmentFailed(
            f"`{' '.join(command[:4])} ...` failed with status {done.returncode}; "
            f"log {log}:\n{tail}"
        )
