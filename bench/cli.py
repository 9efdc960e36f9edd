"""Start-up cost of the command line: ``einsum-puzzles check 21 "ij,jk->ik"`` against ``import numpy``.

Runs both commands alternately, many times, each in a fresh process, and prints the medians and their
ratio (goal: <= 1.5). Progress goes to a temporary EINSUM_PUZZLES_HOME. PYTHONDONTWRITEBYTECODE is
removed for the runs: pip compiles numpy's modules at install time, so ours must be compiled too
(``make install`` runs compileall) for a fair comparison.

    python bench/cli.py [--runs N]
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path


def timed(command: list[str], env: dict[str, str]) -> float:
    start = time.perf_counter()
    subprocess.run(command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=False)
    return time.perf_counter() - start


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=30)
    args = parser.parse_args(argv)
    script = shutil.which("einsum-puzzles", path=str(Path(sys.executable).parent))
    if script is None:
        print("einsum-puzzles is not installed next to this Python; run 'make install' first")
        return 2
    with tempfile.TemporaryDirectory() as home:
        env = dict(os.environ, EINSUM_PUZZLES_HOME=home)
        # Measure what a user sees: compiled modules cached (numpy's are, since pip compiles it).
        env.pop("PYTHONDONTWRITEBYTECODE", None)
        commands = {
            "import numpy": [sys.executable, "-c", "import numpy"],
            "check 21": [script, "check", "21", "ij,jk->ik"],
            "list": [script, "list"],
            "--help": [script, "--help"],
        }
        times: dict[str, list[float]] = {name: [] for name in commands}
        for command in commands.values():
            timed(command, env)  # warm the file cache and the .pyc files
        for _ in range(args.runs):
            for name, command in commands.items():
                times[name].append(timed(command, env))
    base = statistics.median(times["import numpy"])
    for name, values in times.items():
        median = statistics.median(values)
        print(f"{name:14} median {median * 1e3:7.1f} ms   ratio to import numpy {median / base:5.2f}")
    print(f"\ncheck / import numpy = {statistics.median(times['check 21']) / base:.2f}  (goal <= 1.5)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
