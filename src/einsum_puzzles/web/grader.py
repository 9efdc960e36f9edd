"""Grading processes: the served app checks numpy subscript answers in child processes.

Grading an answer the server has not seen before is pure Python work (binding, the verified fix
search, the diagram): a third of a millisecond or more. On the event loop it held the interpreter
lock, so every other request (pages, /healthz, cached checks) waited behind it and the server used
one core. Here the event loop only hands the answer to a child process and reads back the verdict's
JSON, and the children grade on the other cores.

The children run ``einsum_puzzles.grading.worker``: numpy and the grader, no web framework, no
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
import subprocess
import sys
import time
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

_BOOT = "import sys; sys.path.append(sys.argv[1]); from einsum_puzzles.grading.worker import main; sys.exit(main())"
"""The child's command (``python -P -c``): no current folder on its path, this package found however the
server found it (appended, so nothing shadows the standard library)."""


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
        self.stdout: asyncio.BaseTransport | None = None

    async def connect(self) -> None:
        loop = asyncio.get_running_loop()
        assert self.process.stdout is not None and self.process.stdin is not None
        await loop.connect_read_pipe(lambda: self, self.process.stdout)
        self.stdin, _ = await loop.connect_write_pipe(asyncio.Protocol, self.process.stdin)

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self.stdout = transport

    @property
    def alive(self) -> bool:
        return self.open and self.stdin is not None and not self.stdin.is_closing()

    def send(self, number: int, puzzle: int, answer: str, deadline: float) -> asyncio.Future[Answer]:
        # Encoded first: an answer that cannot be (a lone surrogate) raises before anything is registered.
        line = render({"id": number, "puzzle": puzzle, "answer": answer, "until": time.time() + deadline}) + b"\n"
        loop = asyncio.get_running_loop()
        future: asyncio.Future[Answer] = loop.create_future()
        self.waiting[number] = future
        timer = loop.call_later(deadline, self._expire, number)
        future.add_done_callback(lambda _: timer.cancel())
        if not self.outbox:  # one write (and one wake-up of the child) per turn of the event loop
            loop.call_soon(self._flush)
        self.outbox.append(line)
        return future

    def _expire(self, number: int) -> None:
        """An answer is ``deadline`` seconds late: its request gets 503, and the child, stuck or hopelessly
        behind, is stopped (the others it owes are graded by the server; a new child starts)."""
        future = self.waiting.pop(number, None)
        if future is not None and not future.done():
            future.set_exception(TimeoutError())
            self.stop()

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
        self._fail_waiting()
        self.stop()

    def _fail_waiting(self) -> None:
        waiting, self.waiting = self.waiting, {}
        for future in waiting.values():
            if not future.done():
                future.set_exception(GradingFailed("the grading process stopped"))

    def stop(self) -> None:
        """Kill the child (never waiting for it here: it is reaped by polling, off this call)."""
        self.open = False
        for transport in (self.stdin, self.stdout):
            if transport is not None:
                transport.close()
        with contextlib.suppress(ProcessLookupError):
            self.process.kill()
        self._fail_waiting()
        self._reap()

    def _reap(self, tries: int = 50) -> None:
        if self.process.poll() is None and tries:
            with contextlib.suppress(RuntimeError):  # no running loop: the interpreter reaps it at exit
                asyncio.get_running_loop().call_later(0.1, self._reap, tries - 1)


class GradingFailed(Exception):
    """A child could not grade an answer (it stopped, or grading raised there): grade it in-process."""


class GradingPool:
    """``size`` grading processes for one event loop (one server process)."""

    def __init__(self, size: int) -> None:
        self.size = size
        self._children: list[_Child] = []
        self._stopped: list[_Child] = []
        """Children stopped but perhaps not reaped yet (``close`` waits for them)."""
        self._starting: asyncio.Task[None] | None = None
        self._failed_starts = 0
        self._number = 0

    def ready(self) -> bool:
        """True when a child can take an answer now; otherwise starts them (in the background)."""
        if not all(child.alive for child in self._children):
            self._stopped += [child for child in self._children if not child.alive]
            self._children = [child for child in self._children if child.alive]
            self._stopped = [child for child in self._stopped if child.process.poll() is None]
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
        try:
            return child.send(self._number, puzzle, answer, deadline)
        except UnicodeEncodeError as error:
            raise GradingFailed(f"the answer cannot be sent ({error.reason})") from None

    async def _start(self) -> None:
        try:
            while len(self._children) < self.size:
                # subprocess.Popen (fork-exec in one step, vfork where it can) rather than the event
                # loop's own spawning, which forks first: libraries loaded in the server (jax) warn on fork.
                process = subprocess.Popen(
                    [sys.executable, "-P", "-c", _BOOT, str(Path(__file__).resolve().parents[2])],
                    stdin=subprocess.PIPE,
                    stdout=subprocess.PIPE,
                )
                child = _Child(process, self._lost)
                try:
                    await child.connect()
                except BaseException:
                    child.stop()
                    raise
                self._children.append(child)
        except Exception as error:  # any failure to start counts (the server grades meanwhile)
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
        """Stop every child and reap it (at shutdown: waits up to a second for each)."""
        for child in self._children + self._stopped:
            child.stop()
            with contextlib.suppress(subprocess.TimeoutExpired):
                child.process.wait(timeout=1)
        self._children, self._stopped = [], []
