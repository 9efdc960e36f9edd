"""Group commit for the web app's attempts: one writer thread, one transaction for everything queued.

A request hands its attempt to ``AttemptWriter.record`` and awaits it. The writer thread takes every
attempt queued at that moment (up to ``BATCH``), writes them in ONE transaction, commits, and then
settles each request's future on its event loop (``call_soon_threadsafe``). So an attempt is still
acknowledged only once it is durable, but 64 concurrent checks cost one commit instead of 64.

When the batch's transaction fails, each attempt of it is tried again on its own, so a request hears
``StoreError`` only when its own attempt could not be written (the caller then answers "not saved").
The thread stops after ``IDLE`` seconds without work and starts again on the next attempt.
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

    def __init__(self, url: str) -> None:
        self.url = url
        self._queue: queue.SimpleQueue[_Item] = queue.SimpleQueue()
        self._lock = threading.Lock()
        self._running = False
        self.batches = 0
        """Transactions committed so far (for tests and curiosity)."""

    async def record(self, learner: str, puzzle: int, answer: str, kind: str, correct: bool) -> None:
        """Store one attempt; returns once it is committed, raises ``StoreError`` when it could not be."""
        loop = asyncio.get_running_loop()
        future: asyncio.Future[None] = loop.create_future()
        item = (PendingAttempt(learner, puzzle, answer, kind, correct, time.time()), loop, future)
        with self._lock:
            self._queue.put(item)
            if not self._running:
                self._running = True
                threading.Thread(target=self._run, name="attempt-writer", daemon=True).start()
        await future

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
                batch = [first]
                while len(batch) < BATCH:
                    try:
                        batch.append(self._queue.get_nowait())
                    except queue.Empty:
                        break
                db = self._write(db, batch)
        finally:
            if db is not None:
                db.close()

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
