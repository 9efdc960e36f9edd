"""The wheel, installed into a fresh virtual environment with the runtime dependencies only (what `make run`
installs), runs every kind of command: list, check, explain, notebook and the web app.

The wheel is built from a copy of the sources (the checkout stays clean) and installed by the generated
notebook's own setup cell, so that cell's install path is tested too. pip resolves the runtime dependencies
from its configured index (PyPI in CI) and its cache.
"""

from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

from einsum_puzzles.notebook import build, wheel_name

ROOT = Path(__file__).resolve().parents[1]
OPTIONAL = ("torch", "jax", "jaxlib", "mlx", "tinygrad", "pytest", "playwright", "mypy", "ruff", "hypothesis")


def run(*args: str | Path, env: dict[str, str], timeout: float = 600) -> subprocess.CompletedProcess[str]:
    done = subprocess.run([str(a) for a in args], capture_output=True, text=True, env=env, timeout=timeout, check=False)
    assert "Traceback" not in done.stderr, done.stderr
    return done


def setuptools_is_recent() -> bool:
    try:
        import setuptools
    except ImportError:
        return False
    return int(setuptools.__version__.split(".")[0]) >= 77


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def get(url: str) -> tuple[int, str]:
    with urllib.request.urlopen(url, timeout=30) as response:
        return response.status, response.read().decode("utf-8")


def test_the_wheel_runs_with_runtime_dependencies_only(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "VIRTUAL_ENV", "PYTHONHOME")}
    env["EINSUM_PUZZLES_HOME"] = str(tmp_path / "home")

    # Build from a copy of what the package is made of.
    source = tmp_path / "source"
    shutil.copytree(ROOT / "src", source / "src", ignore=shutil.ignore_patterns("__pycache__", "*.egg-info"))
    for name in ("pyproject.toml", "README.md", "LICENSE"):
        if (ROOT / name).exists():
            shutil.copy(ROOT / name, source / name)
    isolation = ["--no-build-isolation"] if setuptools_is_recent() else []
    built = run(
        sys.executable, "-m", "pip", "wheel", "--quiet", "--no-deps", *isolation, "--wheel-dir", tmp_path / "dist",
        source, env=env,
    )  # fmt: skip
    assert built.returncode == 0, built.stderr
    wheel = tmp_path / "dist" / wheel_name()
    assert wheel.is_file(), sorted(p.name for p in (tmp_path / "dist").iterdir())  # the name the notebook expects

    # A fresh venv (no system site-packages); the notebook's setup cell installs the wheel into it.
    venv = tmp_path / "venv"
    assert run(sys.executable, "-m", "venv", venv, env=env).returncode == 0
    python, script = venv / "bin" / "python", venv / "bin" / "einsum-puzzles"
    setup = build(section_id="identity", source=str(wheel))["cells"][1]["source"]
    installed = run(python, "-c", setup + "\nprint(ep.__file__)", env=env, timeout=900)
    assert installed.returncode == 0, installed.stdout + installed.stderr
    assert installed.stdout.strip().splitlines()[-1].startswith(str(venv))
    listed = run(python, "-m", "pip", "list", "--format=json", env=env)
    names = {row["name"].lower() for row in json.loads(listed.stdout)}
    assert "einsum-puzzles" in names and "fastapi" in names and "numpy" in names
    assert not names & set(OPTIONAL), names & set(OPTIONAL)  # runtime dependencies only

    # Every kind of command.
    listing = run(script, "list", env=env)
    assert listing.returncode == 0 and "Vector identity" in listing.stdout
    checked = run(script, "check", "21", "ij,jk->ik", env=env)
    assert checked.returncode == 0 and "Correct" in checked.stdout
    wrong = run(script, "check", "21", "ij,jk->ki", env=env)
    assert wrong.returncode == 1
    missing = run(script, "check", "21", "ij,jk->ik", "--backend", "torch", env=env)
    assert missing.returncode == 2 and "pip install 'torch==2.13.0'" in missing.stderr
    explained = run(script, "explain", "ij,jk->ik", "2x3", "3x4", env=env)
    assert explained.returncode == 0 and "output: (2, 4)" in explained.stdout
    notebook = tmp_path / "course.ipynb"
    written = run(script, "notebook", "-o", notebook, env=env)
    assert written.returncode == 0 and notebook.is_file() and json.loads(notebook.read_text())["cells"]

    port = free_port()
    with subprocess.Popen(
        [str(script), "serve", "--port", str(port)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
    ) as server:
        try:
            deadline = time.monotonic() + 120
            while True:
                try:
                    status, home = get(f"http://127.0.0.1:{port}/")
                    break
                except OSError:
                    assert server.poll() is None, server.communicate()
                    assert time.monotonic() < deadline, "the web app did not start within 120 s"
                    time.sleep(0.3)
            assert status == 200 and "einsum" in home.lower()
            status, page = get(f"http://127.0.0.1:{port}/puzzles/1")
            assert status == 200 and "Vector identity" in page
        finally:
            server.terminate()
            _, errors = server.communicate(timeout=30)
    assert "Traceback" not in errors, errors
