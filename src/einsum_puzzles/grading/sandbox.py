"""The child side of a code-puzzle check: ``python -I sandbox.py IN OUT``.

Standalone on purpose (it imports only numpy and the standard library, plus modules that sit next to
it): ``IN`` holds ``solution.py``, ``inputs.npz`` and ``job.json`` (read-only in the sandbox); this
writes ``outputs.f64`` (the raw float64 values of every output, one after another) and
``result.json`` into ``OUT``. The parent (``isolation.py``) treats both as hostile.

Before the learner's code is read: resource limits (CPU, address space, processes, file size, open
files, no core file, and without bubblewrap the check's mark of ``marker.py``), then, when the parent
runs as root, a switch to an unprivileged uid. Under bubblewrap this process is already in its own
namespaces, ``OUT`` holds only the two result files (bound one by one onto a read-only folder) and the
learner's code works in a size-limited tmpfs (``job["workdir"]``); without it (``job["supervise"]``)
this process forks, becomes a subreaper and kills every descendant the learner's code leaves behind,
and every process that carries the check's mark.
"""

import contextlib
import errno
import json
import os
import stat
import sys
import traceback
from pathlib import Path
from typing import Any

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))  # -I leaves out the script's folder

MAX_MESSAGE = 2000
MAX_DETAILS = 20


def limit_resources(job: dict) -> None:  # type: ignore[type-arg]
    try:
        import resource
    except ImportError:  # not a Unix: nothing to set
        return
    limits = {
        "RLIMIT_CPU": job["cpu"],
        "RLIMIT_AS": job["memory"],
        "RLIMIT_FSIZE": job["fsize"],
        "RLIMIT_NOFILE": job["nofile"],
        "RLIMIT_NPROC": job["nproc"],
        "RLIMIT_CORE": 0,
    }
    for name, value in limits.items():
        which = getattr(resource, name, None)
        if which is None:
            continue
        try:
            resource.setrlimit(which, (value, value))
        except (ValueError, OSError):  # a hard limit already lower than ours stays as it is
            _soft, hard = resource.getrlimit(which)
            if hard != resource.RLIM_INFINITY and hard < value:
                resource.setrlimit(which, (hard, hard))
    if job.get("marker") is not None:
        import marker  # type: ignore[import-not-found]

        marker.set_mark(job["marker"])


def drop_privileges(job: dict) -> None:  # type: ignore[type-arg]
    uid = job.get("uid")
    if uid is None or os.geteuid() != 0:
        return
    os.setgroups([])
    os.setresgid(uid, uid, uid)
    os.setresuid(uid, uid, uid)
    if os.geteuid() == 0 or os.getuid() == 0:  # never go on as root
        os._exit(70)


def no_new_privileges() -> None:
    try:
        import ctypes

        ctypes.CDLL(None, use_errno=True).prctl(38, 1, 0, 0, 0)  # PR_SET_NO_NEW_PRIVS
    except (OSError, AttributeError):
        pass


def supervise(deadline: float, check: "int | None" = None) -> None:
    """Fork; the parent half becomes a subreaper, waits at most ``deadline`` seconds, then kills
    every process left under it and every process marked with ``check`` (see marker.py: those that
    left it by a new session and the death of a parent), and exits with the learner process's status.
    Returns in the child."""
    import ctypes
    import signal
    import time

    libc = None
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(36, 1, 0, 0, 0)  # PR_SET_CHILD_SUBREAPER: orphans come back to us
    except (OSError, AttributeError):
        libc = None
    pid = os.fork()
    if pid == 0:
        if libc is not None:
            libc.prctl(1, signal.SIGKILL, 0, 0, 0)  # PR_SET_PDEATHSIG: die with the supervisor
        return
    end = time.monotonic() + deadline
    status = None
    while status is None:
        done, raw = os.waitpid(pid, os.WNOHANG)
        if done:
            status = raw
            break
        if time.monotonic() > end:
            os.kill(pid, signal.SIGKILL)
            status = os.waitpid(pid, 0)[1]
            break
        time.sleep(0.01)
    _kill_descendants()
    if check is not None:
        import marker

        marker.kill_marked(check)
    if os.WIFSIGNALED(status):
        os._exit(128 + os.WTERMSIG(status))
    os._exit(os.WEXITSTATUS(status) if os.WIFEXITED(status) else 1)


def _kill_descendants() -> None:
    """Kill and reap every child (orphans were re-parented to this subreaper) until none is left."""
    import signal

    for _ in range(100000):
        children = _children()
        if children is None:  # no /proc: the parent kills the process group
            return
        for child in children:
            with contextlib.suppress(OSError):
                os.kill(child, signal.SIGKILL)
        try:
            while os.waitpid(-1, os.WNOHANG)[0]:
                pass
        except ChildProcessError:
            if not children:
                return


def _children() -> "list[int] | None":
    me = os.getpid()
    try:  # the kernel's list of this process's children (CONFIG_PROC_CHILDREN)
        found = []
        for task in os.listdir(f"/proc/{me}/task"):
            with open(f"/proc/{me}/task/{task}/children", "rb") as handle:
                found += [int(pid) for pid in handle.read().split()]
        return found
    except OSError:
        pass
    try:  # else every process whose parent is this one
        found = []
        for entry in os.listdir("/proc"):
            if entry.isdigit():
                try:
                    with open(f"/proc/{entry}/stat", "rb") as handle:
                        fields = handle.read().rsplit(b")", 1)[1].split()
                except OSError:
                    continue
                if int(fields[1]) == me:
                    found.append(int(entry))
        return found
    except OSError:
        return None


def main(inbox: str, outbox: str) -> None:
    source_dir, base = Path(inbox), Path(outbox)
    job = json.loads((source_dir / "job.json").read_text(encoding="utf-8"))
    if job.get("supervise"):
        supervise(job["wall"], job.get("marker"))
    limit_resources(job)
    drop_privileges(job)
    no_new_privileges()
    os.chdir(job.get("workdir") or base)
    import numpy as np

    watch = _load_watch()  # the einsum-only rule at run time (grading/watch.py), before the learner's code
    with np.load(source_dir / "inputs.npz", allow_pickle=False) as data:
        trials = [[data[f"t{t}_{i}"] for i in range(job["arity"])] for t in range(job["trials"])]
    source = (source_dir / "solution.py").read_text(encoding="utf-8")
    namespace: dict[str, object] = {"__name__": "solution"}
    outputs = []
    try:
        exec(compile(source, "your code", "exec"), namespace)
        function = namespace.get(job["function"])
        if not callable(function):
            raise NameError(f"your code does not define {job['function']}()")
        for inputs in trials:
            result = function(*(watch.wrap(a) for a in inputs))
            try:
                outputs.append(np.ascontiguousarray(np.asarray(result, dtype=np.float64)))
            except (TypeError, ValueError):
                raise TypeError(f"{job['function']}() returned {type(result).__name__}, not an array") from None
            if sum(o.size for o in outputs) > job["max_values"]:
                raise ValueError(f"{job['function']}() returned more than {job['max_values']} numbers")
    except BaseException as error:  # everything the learner's code raises is reported, not re-raised
        frames = [frame for frame in traceback.extract_tb(error.__traceback__) if frame.filename == "your code"]
        source_lines = source.splitlines()
        lines = [
            f"  line {frame.lineno}, in {frame.name}: {source_lines[frame.lineno - 1].strip()}"
            for frame in frames
            if frame.lineno and 0 < frame.lineno <= len(source_lines)
        ][-MAX_DETAILS:]
        try:
            message = f"{type(error).__name__}: {error}"
        except BaseException:  # an exception whose str() raises
            message = type(error).__name__
        if isinstance(error, MemoryError):
            message = "MemoryError: your code used more memory than the checker allows"
        elif isinstance(error, OSError) and error.errno == errno.ENOSPC:
            space = job.get("disk")
            size = f" ({space // 1024**2} MiB)" if isinstance(space, int) else ""
            message = f"OSError: your code wrote more than the checker's folder holds{size}"
        elif isinstance(error, OSError) and error.errno == errno.EFBIG:
            message = f"OSError: your code wrote a file larger than the checker allows ({job['fsize'] // 1024**2} MiB)"
        elif isinstance(error, OSError) and error.errno == errno.EMFILE:
            message = f"OSError: your code opened more files at once than the checker allows ({job['nofile']})"
        _close_learner_files()
        write(
            base,
            {
                "status": "error",
                "message": message[:MAX_MESSAGE],
                "details": [x[:200] for x in lines],
                "watch": watch.report(),
            },
        )
        return
    _close_learner_files()
    replace(base / "outputs.f64", b"".join(o.astype("<f8").tobytes() for o in outputs))
    write(base, {"status": "ok", "shapes": [list(o.shape) for o in outputs], "watch": watch.report()})


def _close_learner_files() -> None:
    """Close every descriptor above standard error (what the learner's code left open: all 64 of them
    would leave none for the result). The runner itself keeps none open at this point."""
    with contextlib.suppress(OSError):
        os.closerange(3, 1 << 16)


def _load_watch() -> Any:
    """grading/watch.py, next to this runner (its folder is on sys.path): installed before the learner's code."""
    import watch  # type: ignore[import-not-found]

    watch.install()
    return watch


def replace(path: Path, data: bytes) -> None:
    """Write ``data`` to ``path`` as a regular file: a new one in place of whatever the learner left
    under that name, or, under bubblewrap (where the file is bound onto a read-only folder and cannot
    be removed), the bound file itself, emptied first."""
    try:
        if path.is_dir() and not path.is_symlink():
            os.rmdir(path)
        else:
            path.unlink()
    except OSError:
        pass
    flags = os.O_WRONLY | os.O_CREAT | os.O_TRUNC | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_NONBLOCK", 0)
    fd = os.open(path, flags, 0o600)
    with os.fdopen(fd, "wb") as handle:
        if not stat.S_ISREG(os.fstat(fd).st_mode):  # a FIFO or device the learner left: not written to
            raise OSError(f"{path.name} is not a regular file")
        handle.write(data)


def write(base: Path, result: dict) -> None:  # type: ignore[type-arg]
    replace(base / "result.json", json.dumps(result).encode("utf-8"))


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
