"""Grading processes: the served app checks numpy subscript answers in child processes.

Grading an answer the server has not seen before is pure Python work (binding, the verified fix
search, the diagram): a third of a millisecond or more. On the event loop it held the interpreter
lock, so every other request (pages, /healthz, cached checks) waited behind it and the server used
one core. Here the event loop only hands the answer to a child process and reads back the verdict's
JSON, and the children grade on the other cores.

The children are ``python -m einsum_puzzles.grading.worker``: numpy and the grader, no web framework, no
learner code (subscripts only; code puzzles never reach them). One request per line on stdin
(``{"id", "puzzle", "answer"}`` as JSON), one answer per line on stdout: ``ID<TAB>`` and then the
verdict's JSON exactly as the API sends it, or ``ID<TAB>!`` and a message when grading raised.

The pool starts its children on first use and again after one dies; until one is running (or when
none can start) the app grades in its own process as before, so a check never fails because of the
pool. Answers go to the child with the fewest in flight.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

from ..grading.verdict import Verdict
from ..grading.worker import render

LINE_LIMIT = 1 << 22
"""Longest verdict line read back from a child (a verdict is a few KB; its diagram is bounded)."""
SPILL = 16
"""Answers waiting at the first grading process before others get new ones."""
MAX_FAILED_STARTS = 3
"""Starts that may fail before the pool stops trying (the app then grades in its own process)."""

Answer = tuple[Verdict, bytes]


class _Child(asyncio.Protocol):
    """One grading process, the answers it owes, and the reading end of its stdout (lines are settled as
    they arrive, in the event loop's own callback: no task per line)."""

    def __init__(self, process: subprocess.Popen[bytes], on_lost: Callable[[_Child], None]) -> None:
        self.process = process
        self.on_lost = on_lost
        self.answered = 0
        self.waiting: dict[int, asyncio.Future[Answer]] = {}
        self.buffer = b""
        self.outbox: list[bytes] = []
        self.open = True
        self.stdin: asyncio.WriteTransport | None = None

    async def connect(self) -> None:
        loop = asyncio.get_running_loop()
        assert self.process.stdout is not None and self.process.stdin is not None
        await loop.connect_read_pipe(lambda: self, self.process.stdout)
        self.stdin, _ = await loop.connect_write_pipe(asyncio.Protocol, self.process.stdin)

    @property
    def alive(self) -> bool:
        return self.open and self.stdin is not None and not self.stdin.is_closing()

    def send(self, number: int, puzzle: int, answer: str, deadline: float) -> asyncio.Future[Answer]:
        loop = asyncio.get_running_loop()
        future: asyncio.Future[Answer] = loop.create_future()
        self.waiting[number] = future
        timer = loop.call_later(deadline, _expire, future)
        future.add_done_callback(lambda _: timer.cancel())
        if not self.outbox:  # one write (and one wake-up of the child) per turn of the event loop
            loop.call_soon(self._flush)
        self.outbox.append(render({"id": number, "puzzle": puzzle, "answer": answer}) + b"\n")
        return future

    def _flush(self) -> None:
        lines, self.outbox = self.outbox, []
        if self.stdin is not None and not self.stdin.is_closing():
            self.stdin.write(b"".join(lines))

    def data_received(self, data: bytes) -> None:
        self.buffer += data
        if b"\n" not in data:
            if len(self.buffer) > LINE_LIMIT:
                self.stop()
            return
        *lines, self.buffer = self.buffer.split(b"\n")
        for line in lines:
            self._settle(line)

    def _settle(self, line: bytes) -> None:
        head, _, body = line.partition(b"\t")
        try:
            future = self.waiting.pop(int(head), None)
        except ValueError:
            return
        if future is None or future.done():
            return  # the request gave up waiting (deadline) or went away
        if body.startswith(b"!"):
            future.set_exception(GradingFailed(body[1:].decode(errors="replace")))
            return
        try:
            verdict = Verdict.from_dict(json.loads(body))
        except (ValueError, TypeError, KeyError) as error:
            future.set_exception(GradingFailed(f"unreadable verdict ({error})"))
            return
        self.answered += 1
        future.set_result((verdict, body))

    def connection_lost(self, exc: Exception | None) -> None:
        self.on_lost(self)
        self.open = False
        for future in self.waiting.values():
            if not future.done():
                future.set_exception(GradingFailed("the grading process stopped"))
        self.waiting.clear()
        self.stop()

    def stop(self) -> None:
        self.open = False
        if self.stdin is not None:
            self.stdin.close()
        with contextlib.suppress(ProcessLookupError):
            self.process.kill()
        with contextlib.suppress(subprocess.TimeoutExpired):
            self.process.wait(timeout=1)  # reaped: no zombie


def _expire(future: asyncio.Future[Answer]) -> None:
    if not future.done():
        future.set_exception(TimeoutError())


class GradingFailed(Exception):
    """A child could not grade an answer (it stopped, or grading raised there): grade it in-process."""


class GradingPool:
    """``size`` grading processes for one event loop (one server process)."""

    def __init__(self, size: int) -> None:
        self.size = size
        self._children: list[_Child] = []
        self._starting: asyncio.Task[None] | None = None
        self._failed_starts = 0
        self._number = 0

    def ready(self) -> bool:
        """True when a child can take an answer now; otherwise starts them (in the background)."""
        if not all(child.alive for child in self._children):
            self._children = [child for child in self._children if child.alive]
        if len(self._children) < self.size and self._starting is None and self._failed_starts < MAX_FAILED_STARTS:
            self._starting = asyncio.get_running_loop().create_task(self._start())
        return bool(self._children)

    def submit(self, puzzle: int, answer: str, deadline: float) -> asyncio.Future[Answer]:
        """A future for the verdict and its JSON; it fails with ``GradingFailed`` when the child stops
        and with ``TimeoutError`` after ``deadline`` seconds. ``GradingFailed`` right away when no child
        is running."""
        if not self.ready():
            raise GradingFailed("no grading process is running yet")
        # The first child takes answers until it has SPILL waiting (one process woken per turn, batches
        # stay large); past that, or while it is busy with a slow check, the least loaded one does.
        child = self._children[0]
        if len(child.waiting) >= SPILL:
            child = min(self._children, key=lambda c: len(c.waiting))
        self._number += 1
        return child.send(self._number, puzzle, answer, deadline)

    async def _start(self) -> None:
        try:
            while len(self._children) < self.size:
                # subprocess.Popen (fork-exec in one step, vfork where it can) rather than the event
                # loop's own spawning, which forks first: libraries loaded in the server (jax) warn on fork.
                process = subprocess.Popen(
                    [sys.executable, "-m", "einsum_puzzles.grading.worker"],
                    stdin=subprocess.PIPE,
                    stdout=subprocess.PIPE,
                    env=_child_environment(),
                )
                child = _Child(process, self._lost)
                try:
                    await child.connect()
                except BaseException:
                    child.stop()
                    raise
                self._children.append(child)
        except OSError as error:
            self._failed_starts += 1
            print(f"einsum-puzzles: grading in the server process (no grading process: {error})", file=sys.stderr)
        finally:
            self._starting = None

    def _lost(self, child: _Child) -> None:
        """A child stopped: one that never answered counts as a failed start (a broken installation must
        not be started again on every check)."""
        if child.open and not child.answered:
            self._failed_starts += 1
            if self._failed_starts == MAX_FAILED_STARTS:
                print(
                    "einsum-puzzles: the grading processes keep stopping; grading in the server process",
                    file=sys.stderr,
                )

    def close(self) -> None:
        for child in self._children:
            child.stop()
        self._children = []


def _child_environment() -> dict[str, str]:
    """The server's environment, with this package importable however the server found it."""
    here = str(Path(__file__).resolve().parents[2])
    path = os.environ.get("PYTHONPATH", "")
    return dict(os.environ, PYTHONPATH=here + (os.pathsep + path if path else ""))
