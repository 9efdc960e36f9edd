"""A mark that the fallback sandbox sets on the learner's processes, which they cannot take off.

Without bubblewrap and without a switch to another uid, the learner's code runs under the same uid
as its supervisor and as the checking process: it can kill the supervisor, start a new session and
leave a process behind that neither a process group nor a subreaper finds. What such a process
cannot do is raise a hard resource limit (that needs ``CAP_SYS_RESOURCE``), and every process it
starts inherits its limits. So, before the learner's code is read, the runner sets two hard limits
that nothing in the sandbox uses to values that name the check:

- ``RLIMIT_LOCKS`` (file locks: not enforced by Linux since 2.4) to ``BASE + check``,
- ``RLIMIT_RTTIME`` (CPU time under a real-time policy, which the sandbox cannot get) to
  ``BASE + SPAN - check``.

A process can only lower them, so every process the code starts satisfies both
``locks <= BASE + check`` and ``rttime <= BASE + SPAN - check``, while the processes of another check
(another ``check``) fail one of the two and processes outside any sandbox (unlimited) fail both.
``kill_marked(check)`` kills every process that satisfies both (and the other limits the runner
always sets: no core file, a finite CPU time), found through ``/proc/PID/limits``.

Standalone on purpose (standard library only): the runner imports it from the folder it sits in.
"""

from __future__ import annotations

import contextlib
import os
import signal
import time

BASE = 1 << 40
SPAN = 1 << 32
MAX_CPU = 24 * 3600
"""A marked process's hard CPU limit is at most this (the runner sets a few seconds)."""
ROUNDS_SECONDS = 2.0
"""How long ``kill_marked`` keeps looking for processes a dying one may still have started."""

INF = float("inf")
_LOCKS = "Max file locks"
_RTTIME = "Max realtime timeout"
_CORE = "Max core file size"
_CPU = "Max cpu time"


def check_id(pid: int, serial: int) -> int:
    """The number a check is marked with: the checking process's pid and a per-process serial."""
    return ((pid & 0x3FFFFF) << 10) | (serial & 0x3FF)


def set_mark(check: int) -> bool:
    """Mark this process (and all it will start) with ``check``; False when the limits cannot be set."""
    try:
        import resource

        locks = getattr(resource, "RLIMIT_LOCKS", 10)  # Python does not name it; 10 on Linux
        resource.setrlimit(locks, (BASE + check, BASE + check))
        resource.setrlimit(resource.RLIMIT_RTTIME, (BASE + SPAN - check, BASE + SPAN - check))
    except (ImportError, AttributeError, ValueError, OSError):
        return False
    return True


def hard_limits(pid: int | str) -> dict[str, float] | None:
    """The hard limits of a live (not zombie) process from ``/proc/PID/limits`` (``inf``: unlimited)."""
    try:
        with open(f"/proc/{pid}/stat", "rb") as handle:
            state = handle.read().rsplit(b")", 1)[1].split()[0]
        if state in (b"Z", b"X", b"x"):
            return None
        with open(f"/proc/{pid}/limits", encoding="ascii", errors="replace") as handle:
            lines = handle.read().splitlines()[1:]
    except (OSError, IndexError):
        return None
    found: dict[str, float] = {}
    for line in lines:
        name, values = line[:26].strip(), line[26:].split()
        if len(values) >= 2:
            found[name] = INF if values[1] == "unlimited" else _number(values[1])
    return found


def _number(text: str) -> float:
    try:
        return float(int(text))
    except ValueError:
        return float("inf")


def is_marked(limits: dict[str, float], check: int | None) -> bool:
    """Whether ``limits`` carry the mark of ``check`` (of any check when None)."""
    core, cpu = limits.get(_CORE, INF), limits.get(_CPU, INF)
    locks, rttime = limits.get(_LOCKS, INF), limits.get(_RTTIME, INF)
    if core != 0 or cpu > MAX_CPU:
        return False
    if check is None:
        return locks <= BASE + SPAN and rttime <= BASE + SPAN
    return locks <= BASE + check and rttime <= BASE + SPAN - check


def is_abandoned(limits: dict[str, float], alive: set[int]) -> bool:
    """A marked process whose checking process is gone, or whose mark was lowered by hand (only the
    learner's code does that, and its check may then kill it at any time)."""
    if not is_marked(limits, None):
        return False
    low = limits.get(_LOCKS, INF) - BASE
    high = BASE + SPAN - limits.get(_RTTIME, INF)
    if low != high or low < 0:
        return True
    return (int(low) >> 10) not in alive


def _pids() -> list[int]:
    try:
        return [int(name) for name in os.listdir("/proc") if name.isdigit()]
    except OSError:
        return []


def kill_marked(check: int | None = None, abandoned_only: bool = False) -> int:
    """SIGKILL every process carrying the mark of ``check`` (None with ``abandoned_only``: the marked
    processes whose check is over), again until none is left; returns how many were signalled.
    Processes this one may not signal are left alone; without ``/proc`` nothing is found."""
    me, total = os.getpid(), 0
    end = time.monotonic() + ROUNDS_SECONDS
    while True:
        pids = _pids()
        alive = set(pids)
        found = []
        for pid in pids:
            if pid == me:
                continue
            limits = hard_limits(pid)
            if limits is None:
                continue
            if is_abandoned(limits, alive) if abandoned_only else is_marked(limits, check):
                found.append(pid)
        signalled = 0
        for pid in found:
            with contextlib.suppress(OSError):
                os.kill(pid, signal.SIGKILL)
                signalled += 1
        total += signalled
        if not signalled or time.monotonic() > end:
            return total
        time.sleep(0.005)
