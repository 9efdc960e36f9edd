"""Attacks on the code-puzzle checker through the CLI, ``ep.check`` and the notebook helper.

For every attack and every entry point: no file appears outside the sandbox's folder, no process
outlives the check, the check returns within the time limit plus 2 s with a verdict (never a
traceback), the child learns nothing of the parent's environment, and the checking process's peak
RSS stays under 300 MB; under bubblewrap a check that writes far more than its folder holds gets a
clear verdict and leaves nothing on the host's disk. The fallback (no bubblewrap) is held to what it
promises: processes (also when the code runs under the checker's own uid, as it does here when the
Python installation is not readable by ``nobody``), hostile output and time.
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import pytest

from einsum_puzzles.grading import code
from einsum_puzzles.grading.isolation import HostileData, isolation, read_capped
from einsum_puzzles.grading.verdict import VERDICT_KINDS
from einsum_puzzles.terminal import printable

from .security_attacks import attacks, token

HERE = Path(__file__).parent
ROOT = HERE.parent
MODES = ("cli", "api", "notebook")
SECRET = "s3cret-token-that-must-not-leak"
FALLBACK_ATTACKS = (
    "fork_setsid",
    "fork_bomb",
    "kill_parent",
    "setsid_kill_supervisor",
    "lowered_mark",
    "stdout_flood",
    "fifo_result",
    "symlink_zero",
    "symlink_outputs",
    "malformed_json",
    "deep_json",
    "missing_outputs",
    "huge_output",
    "control_chars",
    "chmod_trap",
    "big_file",
    "environment",
    "memory",
    "infinite_loop",
)
needs_bwrap = pytest.mark.skipif(
    isolation().mode != "bwrap", reason=f"bubblewrap cannot run here: {isolation().reason}"
)


class Listener:
    """A TCP server on 127.0.0.1 that records whether anybody connected."""

    def __init__(self) -> None:
        self.server = socket.create_server(("127.0.0.1", 0))
        self.server.settimeout(0.2)
        self.port = self.server.getsockname()[1]
        self.connections = 0
        self.stop = threading.Event()
        self.thread = threading.Thread(target=self.serve, daemon=True)
        self.thread.start()

    def serve(self) -> None:
        while not self.stop.is_set():
            try:
                connection, _ = self.server.accept()
            except OSError:
                continue
            self.connections += 1
            connection.close()

    def close(self) -> None:
        self.stop.set()
        self.thread.join()
        self.server.close()


def command_lines() -> list[str]:
    """``PID: command line`` of every live process."""
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            line = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode("utf-8", "replace")
        except OSError:
            continue
        found.append(f"{entry.name}: {line}")
    return found


def survivors(names: list[str]) -> list[str]:
    """Command lines of live processes that carry an attack's token."""
    tokens = {token(name) for name in names}
    return [line for line in command_lines() if any(t in line for t in tokens)]


def run_batch(mode: str, work: Path, sources: dict[str, str], extra_env: dict[str, str]) -> dict[str, Any]:
    work.mkdir(parents=True)
    (work / "spec.json").write_text(json.dumps({"sources": sources, "tmp": tempfile.gettempdir()}))
    env = {
        **os.environ,
        "PYTHONPATH": str(ROOT / "src"),
        "EINSUM_PUZZLES_HOME": str(work / "home"),
        "EP_SECRET_TOKEN": SECRET,
        **extra_env,
    }
    done = subprocess.run(
        [sys.executable, str(HERE / "security_attacks.py"), mode, str(work)],
        capture_output=True,
        text=True,
        env=env,
        timeout=600,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    data: dict[str, Any] = json.loads((work / "results.json").read_text())
    data["stderr"] = done.stderr
    return data


@pytest.fixture(scope="module")
def batches() -> Iterator[dict[str, Any]]:
    """Every attack through every entry point (and the fallback through ep.check), run in parallel."""
    work = Path(tempfile.mkdtemp(prefix="ep-attacks-"))
    outside = work / "outside"
    outside.mkdir()
    secret = work / "secret.txt"
    secret.write_text(SECRET)
    listener = Listener()
    sources = attacks(outside, listener.port, secret)
    jobs = {mode: (sources, {}) for mode in MODES}
    fallback = {name: sources[name] for name in FALLBACK_ATTACKS}
    jobs["fallback"] = (fallback, {"EINSUM_PUZZLES_SANDBOX": "rlimits"})
    try:
        with ThreadPoolExecutor(len(jobs)) as pool:
            futures = {
                mode: pool.submit(run_batch, mode if mode != "fallback" else "api", work / mode, s, env)
                for mode, (s, env) in jobs.items()
            }
            results = {mode: future.result() for mode, future in futures.items()}
        results["outside"] = sorted(p.name for p in outside.iterdir())
        results["survivors"] = survivors(list(sources))
        tmp = Path(tempfile.gettempdir())
        fill = f"*{token('fill_disk')}*"
        results["fill_files"] = [str(p) for p in (*tmp.glob(fill), *tmp.glob(f"*/{fill}"), *work.rglob(fill))]
        results["connections"] = listener.connections
        results["home_files"] = [
            p
            for p in (Path.home() / "einsum-puzzles-pwned", Path(tempfile.gettempdir()) / "einsum-puzzles-pwned")
            if p.exists()
        ]
        yield results
    finally:
        listener.close()
        for line in survivors(list(sources)):
            with contextlib.suppress(OSError):
                os.kill(int(line.split(":")[0]), 9)
        shutil.rmtree(work, ignore_errors=True)


@needs_bwrap
def test_no_file_appears_outside_the_sandbox(batches: dict[str, Any]) -> None:
    assert batches["outside"] == []
    assert batches["home_files"] == []


@needs_bwrap
def test_no_network(batches: dict[str, Any]) -> None:
    assert batches["connections"] == 0
    for mode in MODES:
        assert batches[mode]["results"]["network"]["kind"] == "error"


def test_no_process_outlives_a_check(batches: dict[str, Any]) -> None:
    assert batches["survivors"] == []


@pytest.mark.parametrize("mode", [*MODES, "fallback"])
def test_every_attack_gets_a_verdict_in_time_and_in_memory(batches: dict[str, Any], mode: str) -> None:
    if mode != "fallback" and isolation().mode != "bwrap":
        pytest.skip("bubblewrap cannot run here")
    batch = batches[mode]
    assert "Traceback" not in batch["stderr"]
    assert batch["peak_rss"] < 300 * 1024**2
    assert batch["leftovers"] == []
    for name, verdict in batch["results"].items():
        assert verdict["kind"] in VERDICT_KINDS and verdict["kind"] != "correct", (name, verdict)
        assert verdict["seconds"] < code.TIME_LIMIT + 2, (name, verdict["seconds"])
        text = verdict["message"] + "\n".join(verdict.get("details", []))
        assert SECRET not in text, name
        assert not any(ord(ch) < 32 or ord(ch) == 127 for ch in text.replace("\n", "").replace("\t", "")), (name, text)
        if mode == "cli":
            assert verdict["exit"] == 1
    results = batch["results"]
    assert results["infinite_loop"]["kind"] == "timeout"
    assert "MemoryError" in results["memory"]["message"]
    assert "more than" in results["huge_output"]["message"]
    for name in ("fifo_result", "symlink_zero", "symlink_outputs"):
        if mode == "fallback":
            assert "not a regular file" in results[name]["message"], results[name]
        else:  # the two result files are bound onto a read-only folder: nothing can take their place
            assert "File exists" in results[name]["message"], results[name]
    if mode == "fallback":
        assert batch["stderr"].count("run without isolation") == 1
    else:
        assert "without isolation" not in batch["stderr"]


@needs_bwrap
def test_a_check_that_fills_its_folder_gets_a_clear_verdict_and_leaves_no_file(batches: dict[str, Any]) -> None:
    for mode in MODES:
        verdict = batches[mode]["results"]["fill_disk"]  # 400 MB asked for, in files of 4 MB
        assert verdict["message"] == "OSError: your code wrote more than the checker's folder holds (32 MiB)", verdict
        assert verdict["seconds"] < code.TIME_LIMIT + 2
        assert batches[mode]["leftovers"] == []
    assert batches["fill_files"] == []


@needs_bwrap
def test_the_child_is_unprivileged_and_sees_no_secret(batches: dict[str, Any]) -> None:
    for mode in MODES:
        results = batches[mode]["results"]
        assert "No such file" in results["read_secret"]["message"]
        if os.geteuid() == 0:
            assert "uid=65534 euid=65534" in results["uid"]["message"]
        assert "unshare=-1 shell=" in results["user_namespace"]["message"]
        assert "shell=0" not in results["user_namespace"]["message"]
        environment = results["environment"]["message"]
        assert "EP_SECRET_TOKEN" not in environment and "PYTHONPATH" not in environment


def test_hostile_files_are_refused(tmp_path: Path) -> None:
    (tmp_path / "big").write_bytes(b"x" * 100)
    os.mkfifo(tmp_path / "fifo")
    os.symlink("/dev/zero", tmp_path / "link")
    assert read_capped(tmp_path / "big", 100) == b"x" * 100
    for name, cap in (("big", 99), ("fifo", 10), ("link", 10)):
        with pytest.raises(HostileData):
            read_capped(tmp_path / name, cap)


def test_printable_strips_terminal_controls() -> None:
    assert printable("a\x1b[31mb\x07c\td\ne\x9b\u202e") == "a[31mbc\td\ne"


def test_hostile_source_gets_a_message_not_a_traceback(tmp_path: Path) -> None:
    import einsum_puzzles as ep

    deep = "import numpy as np\n\ndef head(x, w_q, w_k, w_v, mask):\n    return " + "-" * 200_000 + "1\n"
    verdict = ep.check(31, deep)
    assert verdict.kind == "error" and "at most" in verdict.message
    nested = "import numpy as np\n\ndef head(x, w_q, w_k, w_v, mask):\n    return " + "-" * 50_000 + "1\n"
    verdict = ep.check(31, nested)
    assert verdict.kind == "error" and "nested too deeply" in verdict.message
    latin_bytes = "import numpy as np\n# caf\xe9\n".encode("latin-1")
    verdict = ep.check(31, latin_bytes)
    assert verdict.kind == "error" and "not UTF-8" in verdict.message
    latin = tmp_path / "latin.py"
    latin.write_bytes("import numpy as np\n# caf\xe9\ndef head(x, w_q, w_k, w_v, mask):\n    pass\n".encode("latin-1"))
    cli = Path(sys.executable).with_name("einsum-puzzles")
    env = {**os.environ, "EINSUM_PUZZLES_HOME": str(tmp_path / "home"), "PYTHONPATH": str(ROOT / "src")}
    for args in (["check", "31", str(latin)], ["check", "31", "-"]):
        stdin = latin.read_bytes() if args[-1] == "-" else None
        done = subprocess.run([str(cli), *args], input=stdin, capture_output=True, env=env, check=False)
        assert done.returncode == 2, done
        assert b"Traceback" not in done.stderr and b"UTF-8" in done.stderr


def test_the_cli_prints_no_control_characters(tmp_path: Path) -> None:
    source = tmp_path / "colour.py"
    source.write_text(
        "import numpy as np\n\ndef head(x, w_q, w_k, w_v, mask):\n"
        "    np.einsum('ij->i', x[0])\n    raise ValueError('\\x1b]0;owned\\x07\\x1b[2J')\n"
    )
    cli = Path(sys.executable).with_name("einsum-puzzles")
    env = {**os.environ, "EINSUM_PUZZLES_HOME": str(tmp_path / "home"), "PYTHONPATH": str(ROOT / "src")}
    done = subprocess.run([str(cli), "check", "31", str(source)], capture_output=True, env=env, check=False)
    assert done.returncode == 1
    assert b"\x1b" not in done.stdout and b"\x07" not in done.stdout
    assert b"ValueError" in done.stdout


def test_a_function_is_graded_from_its_source_in_the_sandbox(tmp_path: Path) -> None:
    import einsum_puzzles as ep
    from einsum_puzzles import jupyter

    module = tmp_path / "learner_head.py"
    module.write_text(
        "import numpy as np\n\ndef head(x, w_q, w_k, w_v, mask):\n"
        "    np.einsum('ij->i', x[0])\n    raise RuntimeError(f'pid={__import__(\"os\").getpid()}')\n"
    )
    sys.path.insert(0, str(tmp_path))
    try:
        from learner_head import head  # type: ignore[import-not-found]
    finally:
        sys.path.remove(str(tmp_path))
    for verdict in (ep.check(31, head), jupyter.check(31, head)):
        assert verdict.kind == "rules" or verdict.kind == "error", verdict
        assert f"pid={os.getpid()}" not in verdict.message  # it did not run in this process
    verdict = ep.check(31, print)
    assert verdict.kind == "error" and "cannot be read" in verdict.message


@pytest.mark.parametrize("how", ["sigterm", "sigkill"])
def test_no_folder_is_left_when_the_parent_is_killed(tmp_path: Path, how: str) -> None:
    import signal
    import time

    from einsum_puzzles.grading import isolation as iso

    source = tmp_path / "loop.py"
    source.write_text(
        "import numpy as np\n\ndef head(x, w_q, w_k, w_v, mask):\n"
        "    np.einsum('ij->i', x[0])\n    while True:\n        pass\n"
    )
    cli = Path(sys.executable).with_name("einsum-puzzles")
    env = {**os.environ, "EINSUM_PUZZLES_HOME": str(tmp_path / "home"), "PYTHONPATH": str(ROOT / "src")}
    parent = subprocess.Popen(
        [str(cli), "check", "31", str(source)], env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE
    )
    pattern = f"{iso.PREFIX}{parent.pid}-*"
    for _ in range(200):
        if list(Path(tempfile.gettempdir()).glob(pattern)):
            break
        time.sleep(0.05)
    folders = list(Path(tempfile.gettempdir()).glob(pattern))
    assert folders, "the check did not start"
    time.sleep(0.5)
    parent.send_signal(signal.SIGTERM if how == "sigterm" else signal.SIGKILL)
    _, stderr = parent.communicate(timeout=10)
    assert b"Traceback" not in stderr
    if how == "sigkill":  # nothing runs in a killed process: the next check sweeps what it left
        assert folders[0].exists()
        os.utime(folders[0], (0, 0))
        iso._sweep()
    time.sleep(0.2)
    assert not folders[0].exists()
    assert not [line for line in command_lines() if folders[0].name in line]  # bubblewrap went with its parent


@pytest.mark.skipif(not Path("/proc/self/limits").exists(), reason="needs Linux's /proc")
def test_the_mark_names_one_check_and_cannot_be_lowered_away() -> None:
    """marker.py: ``kill_marked(check)`` kills the processes of that check, also one that lowered its
    mark, and no other check's; ``abandoned_only`` kills those whose checking process is gone."""
    import time

    from einsum_puzzles.grading import marker

    def start(check: int, lower: bool = False) -> subprocess.Popen[bytes]:
        program = (
            "import os, resource, sys\n"
            f"sys.path.insert(0, {str(Path(marker.__file__).parent)!r})\n"
            "import marker\n"
            "resource.setrlimit(resource.RLIMIT_CORE, (0, 0))\n"
            "resource.setrlimit(resource.RLIMIT_CPU, (5, 5))\n"
            f"assert marker.set_mark({check})\n"
            + ("for limit in (10, resource.RLIMIT_RTTIME):\n    resource.setrlimit(limit, (0, 0))\n" if lower else "")
            + "os.execv('/bin/sleep', ['sleep', '60'])\n"
        )
        return subprocess.Popen([sys.executable, "-I", "-c", program])

    gone = subprocess.Popen(["true"])
    gone.wait()
    ours, other = marker.check_id(os.getpid(), 1000), marker.check_id(os.getpid(), 1001)
    mine, lowered, theirs = start(ours), start(ours, lower=True), start(other)
    orphan = start(marker.check_id(gone.pid, 0))
    children = (mine, lowered, theirs, orphan)
    try:
        for child in children:
            for _ in range(400):
                if Path(f"/proc/{child.pid}/cmdline").read_bytes().startswith(b"sleep"):
                    break
                time.sleep(0.01)
        assert marker.kill_marked(ours) >= 2
        assert mine.wait(timeout=5) == -9 and lowered.wait(timeout=5) == -9
        assert theirs.poll() is None and orphan.poll() is None
        marker.kill_marked(abandoned_only=True)
        assert orphan.wait(timeout=5) == -9
        assert theirs.poll() is None  # its checking process (this one) is alive
    finally:
        for child in children:
            child.kill()
            child.wait()
