"""Group commit for the web app's attempts: one writer thread, one transaction for everything queued.

A request hands its attempt to ``AttemptWriter.record`` and awaits it. The writer thread takes every
attempt queued at that moment (up to ``BATCH``), writes them in ONE transaction, commits, and then
settles each request's future on its event loop (``call_soon_threadsafe``). So an attempt is still
acknowledged only once it is durable, but 64 concurrent checks cost one commit instead of 64.

When the batch's transaction fails, each attempt of it is tried again on its own, so a request hears
``StoreError`` only when its own attempt could not be written (the caller then answers "not saved").
The thread stops after ``IDLE`` seconds without work and starts again on the next attempt.

``inline=True`` (the web app on SQLite): the attempts recorded during one turn of the event loop are
written right there, at the end of that turn, in one transaction of the loop's own connection: no
hand-off to the thread and back. That connection never waits for a lock (busy timeout 0) and never
checkpoints the write-ahead log itself (the thread does, every ``CHECKPOINT_EVERY`` commits), so the
loop is never held up by the disk or by another writer: a batch it cannot write at once (another
process or thread holds the lock, or anything fails) goes to the thread, which waits and retries as
described above. SQLite in WAL mode with ``synchronous=NORMAL`` commits without an fsync, so writing
inline costs tens of microseconds; PostgreSQL always goes through the thread (a network round trip).
"""

from __future__ import annotations

import asyncio
import contextlib
import queue
import threading
import time
from collections.abc import Sequence
from dataclasses import dataclass

from .database import Database, StoreError, open_database
from .progress import INSERT_ATTEMPT, INSERT_SOLVED

BATCH = 512
"""Most attempts written in one transaction."""
IDLE = 2.0
"""Seconds the writer thread waits for work before it stops (it restarts on demand)."""
CHECKPOINT_EVERY = 500
"""Inline commits between two checkpoints of the write-ahead log (run by the thread)."""


@dataclass(frozen=True)
class PendingAttempt:
    """One attempt to store (``learner`` as stored, e.g. ``web:ID``)."""

    learner: str
    puzzle: int
    answer: str
    kind: str
    correct: bool
    at: float


_Item = tuple[PendingAttempt, asyncio.AbstractEventLoop, "asyncio.Future[None]"]
_CHECKPOINT = None
"""Queued instead of an item: the thread checkpoints the write-ahead log."""


def write_attempts(db: Database, attempts: Sequence[PendingAttempt]) -> None:
    """Store ``attempts`` (and their solves) in one transaction; StoreError when it fails."""
    rows = [
        {
            "learner": a.learner,
            "puzzle": a.puzzle,
            "answer": a.answer,
            "kind": a.kind,
            "correct": int(a.correct),
            "at": a.at,
        }
        for a in attempts
    ]
    with db.transaction() as tx:
        tx.run_many(INSERT_ATTEMPT, rows)
        tx.run_many(INSERT_SOLVED, [row for row in rows if row["correct"]])


class AttemptWriter:
    """The single writer of one store (``url``); see the module's docstring."""

    def __init__(self, url: str, inline: bool = False) -> None:
        self.url = url
        self._queue: queue.SimpleQueue[_Item | None] = queue.SimpleQueue()
        self._lock = threading.Lock()
        self._running = False
        self.inline = inline and url.startswith("sqlite:///")
        self._pending: list[_Item] = []
        self._loop_db: Database | None = None
        """The event loop's own connection (inline mode), opened by the thread on first use."""
        self._inline_commits = 0
        self.batches = 0
        """Transactions committed so far (for tests and curiosity)."""
        self.inline_batches = 0
        """Of those, the ones written by the event loop itself (inline mode)."""
        self.checkpoints = 0
        """Checkpoints of the write-ahead log the thread ran for the loop (inline mode)."""

    async def record(self, learner: str, puzzle: int, answer: str, kind: str, correct: bool) -> None:
        """Store one attempt; returns once it is committed, raises ``StoreError`` when it could not be."""
        loop = asyncio.get_running_loop()
        future: asyncio.Future[None] = loop.create_future()
        item = (PendingAttempt(learner, puzzle, answer, kind, correct, time.time()), loop, future)
        if self.inline:
            if not self._pending:
                loop.call_soon(self._flush)
            self._pending.append(item)
        else:
            self._enqueue(item)
        await future

    def _enqueue(self, item: _Item | None) -> None:
        with self._lock:
            self._queue.put(item)
            if not self._running:
                self._running = True
                threading.Thread(target=self._run, name="attempt-writer", daemon=True).start()

    def _flush(self) -> None:
        """Inline mode: write this turn's attempts now, or hand them to the thread."""
        batch, self._pending = self._pending, []
        try:
            self._write_inline(batch)
        except Exception as error:  # never leave a request waiting
            _resolve([future for _, _, future in batch], StoreError(f"the attempt could not be stored ({error})"))

    def _write_inline(self, batch: list[_Item]) -> None:
        db = self._loop_db
        if db is not None:
            try:
                write_attempts(db, [attempt for attempt, _, _ in batch])
            except Exception:  # busy or failing: the thread waits, retries and finds out whose attempt fails
                # A failed COMMIT may leave its transaction open: this connection is not used again (the
                # thread opens a new one after its next write).
                self._loop_db = None
                with contextlib.suppress(Exception):
                    db.close()
            else:
                self.batches += 1
                self.inline_batches += 1
                _resolve([future for _, _, future in batch], None)
                self._inline_commits += 1
                if self._inline_commits % CHECKPOINT_EVERY == 0:
                    self._enqueue(_CHECKPOINT)
                return
        for item in batch:
            self._enqueue(item)

    def _run(self) -> None:
        db: Database | None = None
        try:
            while True:
                try:
                    first = self._queue.get(timeout=IDLE)
                except queue.Empty:
                    with self._lock:
                        if self._queue.empty():
                            self._running = False
                            return
                    continue
                batch = [first] if first is not None else []
                checkpoint = first is None
                while len(batch) < BATCH:
                    try:
                        item = self._queue.get_nowait()
                    except queue.Empty:
                        break
                    if item is None:
                        checkpoint = True
                    else:
                        batch.append(item)
                if batch:
                    db = self._write(db, batch)
                elif db is None:
                    with contextlib.suppress(StoreError):
                        db = open_database(self.url)
                if db is not None:
                    self._after_write(db, checkpoint)
        finally:
            if db is not None:
                db.close()

    def _after_write(self, db: Database, checkpoint: bool) -> None:
        """Inline mode: open the event loop's connection once the thread's works (so the loop never opens
        or migrates the store itself); checkpoint the write-ahead log when the loop asked for it."""
        if not self.inline:
            return
        try:
            if self._loop_db is None:
                loop_db = open_database(self.url)
                loop_db.run("PRAGMA busy_timeout = 0")
                loop_db.run("PRAGMA wal_autocheckpoint = 0")
                self._loop_db = loop_db
            if checkpoint:
                db.rows("PRAGMA wal_checkpoint(PASSIVE)")
                self.checkpoints += 1
        except StoreError:
            pass  # the loop keeps handing its attempts to this thread

    def _write(self, db: Database | None, batch: list[_Item]) -> Database | None:
        try:
            if db is None:
                db = open_database(self.url)
            write_attempts(db, [attempt for attempt, _, _ in batch])
        except StoreError as error:
            if len(batch) == 1 or db is None:
                _settle(batch, error)
                return db
            for item in batch:  # find out whose attempt cannot be written
                db = self._write(db, [item])
            return db
        except Exception as error:  # never leave a request waiting, never stop the writer
            _settle(batch, StoreError(f"the attempt could not be stored ({type(error).__name__})"))
            return db
        self.batches += 1
        _settle(batch, None)
        return db


def _settle(batch: list[_Item], error: BaseException | None) -> None:
    """Resolve the batch's futures: one wake-up call per event loop, not one per request."""
    by_loop: dict[asyncio.AbstractEventLoop, list[asyncio.Future[None]]] = {}
    for _, loop, future in batch:
        by_loop.setdefault(loop, []).append(future)
    for loop, futures in by_loop.items():
        with contextlib.suppress(RuntimeError):  # a closed event loop: nobody is waiting any more
            loop.call_soon_threadsafe(_resolve, futures, error)


def _resolve(futures: list[asyncio.Future[None]], error: BaseException | None) -> None:
    for future in futures:
        if future.done():  # the request went away (client disconnected)
            continue
        if error is None:
            future.set_result(None)
        else:
            future.set_exception(error)
