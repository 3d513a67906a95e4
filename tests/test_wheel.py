"""A built wheel installed into a clean venv works as well as the checkout: vectors, schemas and
bundled adapters travel inside it."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import sysconfig
import venv
from pathlib import Path

import pytest

from conformance import buildinfo

ROOT = Path(__file__).resolve().parent.parent


@pytest.mark.slow
@pytest.mark.skipif(not (ROOT / "pyproject.toml").is_file(), reason="needs the source tree")
def test_wheel_in_a_clean_venv_runs_the_suite(tmp_path: Path) -> None:
    dist = tmp_path / "dist"
    subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "wheel",
            "--no-deps",
            "--no-build-isolation",
            "-q",
            "-w",
            str(dist),
            str(ROOT),
        ],
        check=True,
    )
    (wheel,) = dist.glob("e2ee_conformance-*.whl")
    env_dir = tmp_path / "venv"
    venv.EnvBuilder(with_pip=False).create(env_dir)
    py = env_dir / "bin" / "python"
    target = subprocess.run(
        [str(py), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()
    # Install the wheel alone into the clean venv; its dependencies come from this test run's
    # environment through PYTHONPATH (which does not process the editable install's .pth file).
    subprocess.run(
        [sys.executable, "-m", "pip", "install", "--no-deps", "-q", "--target", target, str(wheel)],
        check=True,
    )
    env = {**os.environ, "PYTHONPATH": sysconfig.get_paths()["purelib"]}
    work = tmp_path / "elsewhere"
    work.mkdir()
    where = subprocess.run(
        [str(py), "-c", "import conformance.resources as r; print(r.data_root())"],
        capture_output=True,
        text=True,
        check=True,
        env=env,
        cwd=work,
    ).stdout.strip()
    assert where.startswith(target), where
    run = subprocess.run(
        [
            str(py),
            "-m",
            "conformance",
            "run",
            "--adapter",
            "pynacl",
            "--no-progress",
            "--out",
            "out",
        ],
        capture_output=True,
        text=True,
        env=env,
        cwd=work,
    )
    assert run.returncode == 0, run.stdout[-2000:] + run.stderr[-2000:]
    report = json.loads((work / "out" / "report.json").read_text())
    assert report["summary"]["outcomes"]["pass"] > 600
    # Built from a clone, the wheel carries the commit (hatch_build.py); nothing otherwise.
    built_from = buildinfo.from_checkout(ROOT)
    assert report["suite"]["commit"] == (built_from.commit if built_from else None)
    assert report["suite"]["modified"] == (built_from.modified if built_from else False)
    listed = subprocess.run(
        [str(py), "-m", "conformance", "adapters"],
        capture_output=True,
        text=True,
        env=env,
        cwd=work,
        check=True,
    ).stdout
    assert all(name in listed for name in ("cryptography", "pynacl", "pycryptodome"))
    check = subprocess.run(
        [str(py), "-m", "conformance", "vectors", "check"],
        capture_output=True,
        text=True,
        env=env,
        cwd=work,
    )
    assert check.returncode == 0, check.stdout + check.stderr

    # The same seed gives the same result records from the wheel as from this checkout (the
    # random-conversation machine once drew on constants from "local" source files, which an
    # editable install has and a wheel does not).
    same = [
        "run",
        "--adapter",
        "reference",
        "--adapter",
        "vodozemac",
        "--case",
        "prop/olm/random-conversation",
        "--case",
        "prop/olm/tampering",
        "--seed",
        "7",
        "--format",
        "json",
        "--no-progress",
    ]
    from_wheel = subprocess.run(
        [str(py), "-m", "conformance", *same, "--out", "wheel"],
        capture_output=True,
        text=True,
        env=env,
        cwd=work,
    )
    from_checkout = subprocess.run(
        [sys.executable, "-m", "conformance", *same, "--out", "checkout"],
        capture_output=True,
        text=True,
        cwd=work,
    )
    assert from_wheel.returncode in (0, 1), from_wheel.stderr[-2000:]
    assert from_checkout.returncode == from_wheel.returncode, from_checkout.stderr[-2000:]
    # Each reproduce line starts the way its own installation was started; the rest is equal.
    records = [
        [
            {k: v for k, v in r.items() if k not in ("reproduce", "duration")}
            for r in json.loads((work / out / "report.json").read_text())["results"]
        ]
        for out in ("wheel", "checkout")
    ]
    assert records[0] == records[1]
    assert any(r["outcome"] == "fail" for r in records[0])
