"""Running learner code in isolation, and reading back what it leaves as hostile data.

On Linux with bubblewrap (``bwrap``) the child runs in new user/PID/network/IPC/UTS namespaces, on a
file system made of read-only binds (the Python installation, numpy, the runner), two result files
bound one by one, and one writable folder, a tmpfs of ``Limits.disk`` bytes; every process it starts
dies with the namespace. When we are root, the runner switches
to an unprivileged uid before reading the learner's code. Without bubblewrap (another OS, user
namespaces disabled) the child still gets resource limits, a minimal environment and a supervisor that
kills every descendant and every process carrying the check's mark (``marker.py``), which the parent
looks for again when the check ends; a single warning says that the code then runs with the user's own rights.

The parent never trusts the child: standard output and error go to size-capped anonymous files, the
result is read only from a regular file (``O_NOFOLLOW``, non-blocking, size-capped) and schema-checked,
every failure becomes an ``error`` outcome, and the temporary folder is removed whatever happens
(folders left by a parent that was killed are swept by the next check).

``EINSUM_PUZZLES_SANDBOX``: ``auto`` (default: bubblewrap when it works, else the fallback),
``bwrap`` (refuse to run without it) or ``rlimits`` (the fallback, for platforms without bubblewrap).
"""

from __future__ import annotations

import contextlib
import errno
import itertools
import json
import math
import os
import shutil
import signal
import stat
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from ..terminal import printable
from . import marker

RUNNER = Path(__file__).with_name("sandbox.py")
PREFIX = "einsum-puzzles-"
NOBODY = 65534
MAX_RESULT = 1 << 20
"""Bytes of ``result.json`` the parent reads at most."""
MAX_VALUES = 1 << 20
"""Numbers the learner's function may return in all (8 MiB of float64)."""
MAX_OUTPUT = 16 * 1024
"""Bytes of the child's standard error the parent reads (the tail)."""
STARTUP = 1.0
"""Seconds allowed on top of the time limit for starting the sandbox and importing numpy."""
CLEANUP = 0.8
"""Seconds the fallback's supervisor gets, after the time is up, to kill what the code left."""
MIN_AGE = 120.0
"""A leftover folder must be this old (seconds) before another process sweeps it."""

ENV_MODE = "EINSUM_PUZZLES_SANDBOX"


@dataclass(frozen=True)
class Limits:
    time: float = 5.0
    """Wall-clock seconds for the learner's code (CPU seconds: this, rounded up, plus one)."""
    memory: int = 2 * 1024**3
    """Bytes of address space."""
    file_size: int = 16 * 1024**2
    """Largest file the child may write (its standard output and error included)."""
    disk: int = 32 * 1024**2
    """Bytes the child may write in all under bubblewrap (the size of its tmpfs)."""
    open_files: int = 64
    processes: int = 64


@dataclass(frozen=True)
class Isolation:
    mode: str
    """``bwrap`` or ``rlimits``."""
    reason: str = ""
    """Why bubblewrap is not used (empty when it is)."""


_isolation: Isolation | None = None
_warned = False
_lock = threading.Lock()
_serial = itertools.count()
RESULT_FILES = ("result.json", "outputs.f64")
"""What the runner writes into ``OUT``: under bubblewrap the only two files of OUT it can write to."""


def isolation() -> Isolation:
    """How learner code runs on this machine (probed once per process)."""
    global _isolation
    with _lock:
        if _isolation is None:
            _isolation = _probe()
        return _isolation


def _probe() -> Isolation:
    wanted = os.environ.get(ENV_MODE, "auto").strip().lower() or "auto"
    if wanted == "rlimits":
        return Isolation("rlimits", f"{ENV_MODE}=rlimits")
    bwrap = shutil.which("bwrap") or ("/usr/bin/bwrap" if os.access("/usr/bin/bwrap", os.X_OK) else None)
    if not sys.platform.startswith("linux"):
        reason = f"bubblewrap needs Linux (this is {sys.platform})"
    elif bwrap is None:
        reason = "bubblewrap (bwrap) is not installed"
    else:
        program = seccomp_program()
        reader = None
        # the options every check uses (--size needs bubblewrap 0.5 or later): an older one means the fallback
        extra = ["--size", "1048576", "--perms", "1777", "--tmpfs", WORKDIR]
        extra += ["--remount-ro", "/", "--remount-ro", "/dev"]
        if program is not None:
            reader, writer = os.pipe()
            os.write(writer, program)
            os.close(writer)
            extra += ["--seccomp", str(reader)]
        command = [*_bwrap_prefix(bwrap, extra), "--", sys.executable, "-I", "-S", "-c", "pass"]
        try:
            done = subprocess.run(
                command,
                capture_output=True,
                timeout=20,
                env=_environment(),
                check=False,
                pass_fds=(reader,) if reader is not None else (),
            )
            reason = "" if done.returncode == 0 else _first_line(done.stderr) or f"bwrap exited {done.returncode}"
        except (OSError, subprocess.SubprocessError) as error:
            reason = str(error)
        finally:
            if reader is not None:
                os.close(reader)
        if not reason:
            return Isolation("bwrap")
    if wanted == "bwrap":
        return Isolation("unavailable", reason)
    return Isolation("rlimits", reason)


def _first_line(data: bytes) -> str:
    return printable(data.decode("utf-8", "replace").strip().splitlines()[0]) if data.strip() else ""


def _warn_once(reason: str) -> None:
    global _warned
    if not _warned:
        _warned = True
        print(
            f"warning: code puzzles run without isolation ({reason}): the code you check runs with your own "
            "user's rights, limited only in time, memory, processes and file size. Install bubblewrap to "
            "isolate it (see docs/security.md).",
            file=sys.stderr,
        )


# --- running --------------------------------------------------------------------------------------
def run(
    source: str, function_name: str, all_inputs: Sequence[tuple[Any, ...]], limits: Limits | None = None
) -> dict[str, Any]:
    """Run ``function_name`` from ``source`` on each input set, isolated.

    Returns ``{"status": "ok", "outputs": [...]}``, ``{"status": "timeout"}`` or
    ``{"status": "error", "message": ..., "details": [...]}``; never raises for anything the child does.
    """
    limits = limits or Limits()
    how = isolation()
    if how.mode == "unavailable":
        return _error(f"the checker cannot isolate your code ({how.reason}) and {ENV_MODE}=bwrap forbids running it")
    if how.mode == "rlimits":
        _warn_once(how.reason)
    _sweep()
    if how.mode == "rlimits":  # processes of checks whose checking process was killed
        marker.kill_marked(abandoned_only=True)
    check = marker.check_id(os.getpid(), next(_serial))
    folder: Path | None = None
    process: subprocess.Popen[bytes] | None = None
    previous = _exit_on_sigterm()
    try:
        folder = Path(tempfile.mkdtemp(prefix=f"{PREFIX}{os.getpid()}-"))
        inbox, outbox = folder / "in", folder / "out"
        inbox.mkdir()
        outbox.mkdir(mode=0o700)
        job = _write_job(inbox, source, function_name, all_inputs, limits, how.mode, check)
        made = RESULT_FILES if how.mode == "bwrap" else ()  # bubblewrap binds them one by one
        for name in made:
            os.close(os.open(outbox / name, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600))
        if job.get("uid") is not None:
            for path in (outbox, *(outbox / name for name in made)):
                os.chown(path, job["uid"], job["uid"])
            folder.chmod(0o711)
        with tempfile.TemporaryFile() as stdout, tempfile.TemporaryFile() as stderr:
            filter_fd = None
            if how.mode == "bwrap":
                program = seccomp_program()
                if program is not None:
                    filter_fd, writer = os.pipe()
                    os.write(writer, program)
                    os.close(writer)
                command = _bwrap_command(inbox, outbox, filter_fd, limits.disk)
            else:
                command = [sys.executable, "-I", str(RUNNER), str(inbox), str(outbox)]
            started = time.monotonic()
            try:
                process = _start(command, outbox, how.mode, stdout, stderr, filter_fd)
            finally:
                if filter_fd is not None:
                    os.close(filter_fd)
            try:
                code = process.wait(timeout=limits.time + STARTUP)
            except subprocess.TimeoutExpired:
                if how.mode == "rlimits":  # the supervisor is killing what the code left: a moment for it
                    with contextlib.suppress(subprocess.TimeoutExpired):
                        process.wait(timeout=CLEANUP)
                return {"status": "timeout"}
            finally:
                _kill(process)
            if code in (-signal.SIGXCPU, 128 + signal.SIGXCPU) or (
                how.mode == "rlimits" and code == 128 + signal.SIGKILL and time.monotonic() - started >= limits.time
            ):
                return {"status": "timeout"}
            return _read_result(outbox, len(all_inputs), code, _tail(stderr))
    except Exception as error:  # anything at all: an error outcome, never a traceback
        return _error(f"the checker could not run your code ({type(error).__name__}: {printable(str(error))[:300]})")
    finally:
        if process is not None:
            _kill(process)
            if how.mode == "rlimits":  # what left the supervisor's reach (new session, parent killed)
                marker.kill_marked(check)
        if folder is not None:
            _remove(folder)
        if previous is not None:
            signal.signal(signal.SIGTERM, previous)


def _exit_on_sigterm() -> Any:
    """While a check runs in the main thread, SIGTERM exits through ``finally`` (the folder is removed)."""
    if threading.current_thread() is not threading.main_thread():
        return None
    try:
        if signal.getsignal(signal.SIGTERM) is not signal.SIG_DFL:
            return None
        return signal.signal(signal.SIGTERM, _terminate)
    except (ValueError, OSError):
        return None


def _terminate(signum: int, frame: Any) -> None:
    raise SystemExit(128 + signum)


def _start(
    command: list[str], outbox: Path, mode: str, stdout: Any, stderr: Any, filter_fd: int | None
) -> subprocess.Popen[bytes]:
    return subprocess.Popen(
        command,
        stdin=subprocess.DEVNULL,
        stdout=stdout,
        stderr=stderr,
        env=_environment(str(outbox) if mode == "rlimits" else WORKDIR),
        cwd=outbox,
        start_new_session=True,
        close_fds=True,
        pass_fds=(filter_fd,) if filter_fd is not None else (),
    )


def _write_job(
    inbox: Path,
    source: str,
    function_name: str,
    all_inputs: Sequence[tuple[Any, ...]],
    limits: Limits,
    mode: str,
    check: int | None = None,
) -> dict[str, Any]:
    arrays = {f"t{t}_{i}": np.asarray(a) for t, inputs in enumerate(all_inputs) for i, a in enumerate(inputs)}
    np.savez(inbox / "inputs.npz", **arrays)  # type: ignore[arg-type]
    (inbox / "solution.py").write_text(source, encoding="utf-8")
    job: dict[str, Any] = {
        "function": function_name,
        "trials": len(all_inputs),
        "arity": len(all_inputs[0]) if all_inputs else 0,
        "memory": limits.memory,
        "cpu": math.ceil(limits.time) + 1,
        "fsize": limits.file_size,
        "nofile": limits.open_files,
        "nproc": limits.processes,
        "max_values": MAX_VALUES,
        "uid": NOBODY if _can_drop_to_nobody(mode) else None,
        "supervise": mode == "rlimits" and sys.platform.startswith("linux"),
        "wall": limits.time + 0.5,
        "marker": check if mode == "rlimits" and sys.platform.startswith("linux") else None,
        "workdir": WORKDIR if mode == "bwrap" else None,
        "disk": limits.disk if mode == "bwrap" else None,
    }
    (inbox / "job.json").write_text(json.dumps(job), encoding="utf-8")
    for path in (inbox, *inbox.iterdir()):
        path.chmod(0o755 if path.is_dir() else 0o644)
    return job


def _can_drop_to_nobody(mode: str) -> bool:
    """As root, the runner switches to ``nobody``: always under bubblewrap (it makes the folders above
    the binds traversable), without it only when that user can reach the Python installation."""
    if not hasattr(os, "geteuid") or os.geteuid() != 0:
        return False
    if mode == "bwrap":
        return True
    for path in _readable_paths():
        for folder in (Path(path), *Path(path).parents):
            try:
                if not folder.stat().st_mode & stat.S_IXOTH:
                    return False
            except OSError:
                return False
    return True


def _environment(tmp: str = "/tmp") -> dict[str, str]:
    """All the child sees of our environment: nothing of the user's (no HOME, no tokens)."""
    return {
        "PATH": "/usr/bin:/bin",
        "LANG": "C.UTF-8",
        "TMPDIR": tmp,
        "HOME": tmp,
        "OPENBLAS_NUM_THREADS": "1",
        "OMP_NUM_THREADS": "1",
        "MKL_NUM_THREADS": "1",
        "PYTHONDONTWRITEBYTECODE": "1",
    }


def _bwrap_prefix(bwrap: str, extra: list[str]) -> list[str]:
    """bubblewrap with new namespaces and a file system of read-only binds."""
    command = [bwrap]
    if os.geteuid() != 0:
        command += ["--unshare-user"]
    command += [
        "--unshare-pid",
        "--unshare-net",
        "--unshare-ipc",
        "--unshare-uts",
        "--unshare-cgroup-try",
        "--die-with-parent",
        "--new-session",
        "--clearenv",
        "--hostname",
        "sandbox",
    ]
    made: set[str] = {"/"}
    binds: list[str] = []
    for path in _readable_paths():
        for parent in reversed(Path(path).parents):
            if str(parent) not in made:
                made.add(str(parent))
                binds += ["--dir", str(parent)]
        binds += ["--ro-bind", path, path]
        made.add(path)
    for name in ("bin", "lib", "lib64", "sbin"):
        link = Path("/") / name
        if link.is_symlink() and f"/{name}" not in made:
            binds += ["--symlink", os.readlink(link), f"/{name}"]
        elif link.is_dir() and f"/{name}" not in made:
            binds += ["--ro-bind", str(link), str(link)]
    if Path("/etc/ld.so.cache").exists():
        binds += ["--dir", "/etc", "--ro-bind", "/etc/ld.so.cache", "/etc/ld.so.cache"]
    return [*command, *binds, "--proc", "/proc", "--dev", "/dev", *extra]


def _readable_paths() -> list[str]:
    """The folders the child needs to read: /usr, the Python installation, numpy, the runner."""
    import numpy

    wanted = {
        "/usr",
        sys.prefix,
        sys.base_prefix,
        sys.exec_prefix,
        sys.base_exec_prefix,
        str(Path(numpy.__file__).resolve().parent.parent),
        str(Path(sys.executable).resolve().parent.parent),
        str(RUNNER.resolve().parent),
    }
    paths = sorted({os.path.realpath(p) for p in wanted if p and os.path.isdir(p)} | {p for p in wanted if p})
    kept: list[str] = []
    for path in sorted(paths, key=lambda p: (p.count("/"), p)):
        if os.path.isdir(path) and not any(path == k or path.startswith(k.rstrip("/") + "/") for k in kept):
            kept.append(path)
    return kept


# --- system calls the child may not make (seccomp, loaded by bubblewrap) ---------------------------
CLONE_NEWUSER = 0x10000000
SECCOMP_RET_ALLOW = 0x7FFF0000
SECCOMP_RET_ERRNO = 0x00050000
ARCHES = {
    # machine: (AUDIT_ARCH, unshare, clone, clone3, {refused system call: errno})
    "x86_64": (0xC000003E, 272, 56, 435, {248: 1, 249: 1, 250: 1, 298: 1, 101: 1, 321: 1, 323: 1, 425: 38}),
    "aarch64": (0xC00000B7, 97, 220, 435, {217: 1, 218: 1, 219: 1, 241: 1, 117: 1, 280: 1, 282: 1, 425: 38}),
}
"""Refused: add_key, request_key, keyctl, perf_event_open, ptrace, bpf, userfaultfd (EPERM) and
io_uring_setup (ENOSYS); clone/unshare with CLONE_NEWUSER (EPERM); clone3 (ENOSYS: its flags cannot be
inspected, and the C library falls back to clone)."""


def seccomp_program(machine: str | None = None) -> bytes | None:
    """A classic BPF program for bubblewrap's ``--seccomp``: no new user namespaces (the way to mount
    file systems of one's own and the usual door to kernel bugs), none of the system calls above.
    None on an architecture it does not know."""
    import platform
    import struct

    spec = ARCHES.get(machine or platform.machine())
    if spec is None:
        return None
    arch, unshare, clone, clone3, refused = spec
    ld, jeq, jset, ret = 0x20, 0x15, 0x45, 0x06  # BPF_LD|W|ABS, BPF_JMP|JEQ|K, BPF_JMP|JSET|K, BPF_RET|K
    program: list[tuple[int, int, int, int]] = [(ld, 0, 0, 4), (jeq, 1, 0, arch), (ret, 0, 0, SECCOMP_RET_ERRNO | 1)]
    program.append((ld, 0, 0, 0))
    if arch == 0xC000003E:  # x32 system calls (nr | 0x40000000) on x86_64: refused
        program += [(jset, 0, 1, 0x40000000), (ret, 0, 0, SECCOMP_RET_ERRNO | 1)]
    program += [(jeq, 0, 1, clone3), (ret, 0, 0, SECCOMP_RET_ERRNO | 38)]
    for number, error in refused.items():
        program += [(jeq, 0, 1, number), (ret, 0, 0, SECCOMP_RET_ERRNO | error)]
    for number in (unshare, clone):  # flags are the first argument (its low 32 bits at offset 16)
        program += [(jeq, 0, 4, number), (ld, 0, 0, 16), (jset, 0, 1, CLONE_NEWUSER)]
        program += [(ret, 0, 0, SECCOMP_RET_ERRNO | 1), (ld, 0, 0, 0)]
    program.append((ret, 0, 0, SECCOMP_RET_ALLOW))
    return b"".join(struct.pack("=HBBI", code, jt, jf, k) for code, jt, jf, k in program)


WORKDIR = "/job/work"
"""The learner's folder under bubblewrap (working directory, HOME, TMPDIR): a tmpfs of ``Limits.disk`` bytes."""


def _bwrap_command(inbox: Path, outbox: Path, filter_fd: int | None = None, disk: int = Limits.disk) -> list[str]:
    """The runner under bubblewrap. Writable: the two result files (host files, each capped by the
    file-size rlimit; the folder around them is read-only, so no other file can be made there) and a
    private tmpfs of ``disk`` bytes, which lives in memory and goes with the sandbox."""
    bwrap = shutil.which("bwrap") or "/usr/bin/bwrap"
    extra = ["--dir", "/job", "--ro-bind", str(inbox), "/job/in", "--dir", "/job/out"]
    for name in RESULT_FILES:
        extra += ["--bind", str(outbox / name), f"/job/out/{name}"]
    extra += ["--size", str(disk), "--perms", "1777", "--tmpfs", WORKDIR]
    extra += ["--remount-ro", "/", "--remount-ro", "/dev", "--chdir", WORKDIR]  # --dev's tmpfs: no size limit
    if filter_fd is not None:
        extra += ["--seccomp", str(filter_fd)]
    for key, value in _environment(WORKDIR).items():
        extra += ["--setenv", key, value]
    return [*_bwrap_prefix(bwrap, extra), "--", sys.executable, "-I", str(RUNNER.resolve()), "/job/in", "/job/out"]


def _kill(process: subprocess.Popen[bytes]) -> None:
    """Kill the child's whole process group (bubblewrap takes its PID namespace down with it)."""
    with contextlib.suppress(OSError):
        os.killpg(process.pid, signal.SIGKILL)
    with contextlib.suppress(OSError):
        process.kill()
    with contextlib.suppress(subprocess.TimeoutExpired):
        process.wait(timeout=2)


def _tail(handle: Any) -> list[str]:
    handle.seek(0, os.SEEK_END)
    size = handle.tell()
    handle.seek(max(0, size - MAX_OUTPUT))
    text = handle.read(MAX_OUTPUT).decode("utf-8", "replace")
    return [printable(line)[:200] for line in text.strip().splitlines()[-3:]]


# --- reading what the child left --------------------------------------------------------------------
class HostileData(Exception):
    """What the child left cannot be used."""


def read_capped(path: Path, cap: int) -> bytes:
    """The bytes of ``path`` if it is a regular file (not a link, FIFO or device) of at most ``cap`` bytes."""
    flags = os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_NONBLOCK", 0)
    try:
        fd = os.open(path, flags)
    except OSError as error:
        if error.errno == errno.ENOENT:
            raise FileNotFoundError(path.name) from None
        raise HostileData(f"{path.name} is not a regular file") from None
    try:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode):
            raise HostileData(f"{path.name} is not a regular file")
        if info.st_size > cap:
            raise HostileData(f"{path.name} is larger than {cap} bytes")
        chunks, total = [], 0
        while total <= cap:
            chunk = os.read(fd, min(65536, cap + 1 - total))
            if not chunk:
                break
            chunks.append(chunk)
            total += len(chunk)
        if total > cap:
            raise HostileData(f"{path.name} is larger than {cap} bytes")
        return b"".join(chunks)
    finally:
        os.close(fd)


def _read_result(outbox: Path, trials: int, code: int | None, stderr_tail: list[str]) -> dict[str, Any]:
    try:
        raw = read_capped(outbox / "result.json", MAX_RESULT)
        if not raw:  # the file the parent made, left empty: the runner did not get to write it
            raise FileNotFoundError("result.json")
    except FileNotFoundError:
        if code in (-signal.SIGXFSZ, 128 + signal.SIGXFSZ):
            return _error("your code wrote more than the checker allows (a file or the printed output is too large)")
        message = "your code stopped the checker (it may have used too much memory, or ended the process)"
        return _error(message, stderr_tail)
    except HostileData as error:
        return _error(f"the checker could not read your code's result: {error}")
    try:
        result = json.loads(raw.decode("utf-8"))
    except (ValueError, RecursionError):
        return _error("the checker could not read your code's result: it is not valid JSON")
    if not isinstance(result, dict) or result.get("status") not in ("ok", "error"):
        return _error("the checker could not read your code's result: it does not have the expected form")
    watch = _watch_report(result.get("watch"))
    if result["status"] == "error":
        said = result.get("message")
        details = result.get("details", [])
        if not isinstance(said, str) or not isinstance(details, list):
            return {**_error("your code raised an error"), **watch}
        lines = [printable(line)[:200] for line in details[:20] if isinstance(line, str)]
        return {**_error(printable(said)[:2000] or "your code raised an error", lines), **watch}
    shapes = result.get("shapes")
    if (
        not isinstance(shapes, list)
        or len(shapes) != trials
        or not all(
            isinstance(shape, list)
            and len(shape) <= 64
            and all(isinstance(n, int) and not isinstance(n, bool) and 0 <= n <= MAX_VALUES for n in shape)
            for shape in shapes
        )
    ):
        return _error("the checker could not read your code's result: it does not have the expected form")
    sizes = [math.prod(shape) for shape in shapes]
    if sum(sizes) > MAX_VALUES:
        return _error(f"your function returned more than {MAX_VALUES} numbers")
    try:
        data = read_capped(outbox / "outputs.f64", 8 * MAX_VALUES)
    except FileNotFoundError:
        return _error("the checker could not read your code's outputs: outputs.f64 is missing")
    except HostileData as error:
        return _error(f"the checker could not read your code's outputs: {error}")
    if len(data) != 8 * sum(sizes):
        return _error("the checker could not read your code's outputs: their size does not match their shapes")
    values = np.frombuffer(data, dtype="<f8")
    outputs, start = [], 0
    for shape, size in zip(shapes, sizes):
        outputs.append(values[start : start + size].reshape(shape).astype(np.float64))
        start += size
    return {"status": "ok", "outputs": outputs, **watch}


def _watch_report(raw: Any) -> dict[str, Any]:
    """What grading/watch.py saw in the child (einsum calls, refused products), kept only in the expected
    form and size: the child wrote it, so it is as hostile as the rest."""
    if not isinstance(raw, dict):
        return {}
    count = raw.get("einsum_calls")
    calls = []
    for call in raw.get("calls", [])[-200:] if isinstance(raw.get("calls"), list) else []:
        if not isinstance(call, dict):
            continue
        subscript, shapes, line = call.get("subscript"), call.get("shapes"), call.get("line")
        if not isinstance(subscript, str) or not isinstance(shapes, list) or len(shapes) > 64:
            continue
        if not all(
            isinstance(shape, list)
            and len(shape) <= 64
            and all(isinstance(n, int) and not isinstance(n, bool) and 0 <= n <= MAX_VALUES for n in shape)
            for shape in shapes
        ):
            continue
        calls.append(
            {
                "subscript": subscript[:200],
                "shapes": shapes,
                "line": line if isinstance(line, int) and not isinstance(line, bool) else None,
            }
        )
    violations = raw.get("violations")
    return {
        "watch": {
            "calls": calls,
            "einsum_calls": count if isinstance(count, int) and not isinstance(count, bool) and count >= 0 else 0,
            "violations": [printable(v)[:300] for v in violations[:5] if isinstance(v, str)]
            if isinstance(violations, list)
            else [],
        }
    }


def _error(message: str, details: Sequence[str] = ()) -> dict[str, Any]:
    return {"status": "error", "message": message, "details": list(details)}


# --- cleaning up ----------------------------------------------------------------------------------
def _remove(folder: Path) -> None:
    """Remove ``folder`` even if the child made parts of it unreadable."""

    def retry(function: Any, path: str, _info: Any) -> None:
        try:
            os.chmod(os.path.dirname(path), 0o700)
            if os.path.isdir(path) and not os.path.islink(path):
                os.chmod(path, 0o700)
                shutil.rmtree(path, ignore_errors=True)
            else:
                os.unlink(path)
        except OSError:
            pass

    for _ in range(3):
        shutil.rmtree(folder, onerror=retry)
        if not os.path.lexists(folder):
            return


def _sweep() -> None:
    """Remove the folders of checks whose process died before cleaning up (killed, power cut...)."""
    root = Path(tempfile.gettempdir())
    now = time.time()
    try:
        entries = list(os.scandir(root))
    except OSError:
        return
    for entry in entries:
        if not entry.name.startswith(PREFIX):
            continue
        try:
            pid = int(entry.name[len(PREFIX) :].split("-", 1)[0])
            info = entry.stat(follow_symlinks=False)
        except (ValueError, OSError):
            continue
        if not stat.S_ISDIR(info.st_mode) or now - info.st_mtime < MIN_AGE or _alive(pid):
            continue
        if hasattr(os, "geteuid") and info.st_uid != os.geteuid():
            continue
        _remove(Path(entry.path))


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except OSError:
        return True
    return True
