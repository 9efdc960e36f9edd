"""Group commit of the web app's attempts (store/writer.py): one writer thread, one transaction per batch."""

from __future__ import annotations

import asyncio
import sqlite3
from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx

from einsum_puzzles.store import StoreError
from einsum_puzzles.store.writer import AttemptWriter
from einsum_puzzles.web import create_app

ANSWERS = ["ij,jk->ik", "ij,jk->ki", "ij,jk->ij", "ik,kj->ij", "ij,jk->i"]
RIGHT = {"ij,jk->ik", "ik,kj->ij"}


def count_attempts(path: Path) -> list[tuple[Any, ...]]:
    with sqlite3.connect(path) as conn:
        return list(conn.execute("SELECT learner, puzzle, answer, kind, correct FROM attempts ORDER BY id"))


async def many_checks(app: Any, count: int) -> list[httpx.Response]:
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://127.0.0.1") as client:
        return await asyncio.gather(
            *(client.post("/api/check", json={"puzzle": 21, "answer": ANSWERS[n % len(ANSWERS)]}) for n in range(count))
        )


def test_fifty_concurrent_checks_are_all_stored(tmp_path: Path) -> None:
    path = tmp_path / "progress.sqlite3"
    responses = asyncio.run(many_checks(create_app(path), 50))
    assert [r.status_code for r in responses] == [200] * 50
    rows = count_attempts(path)
    assert len(rows) == 50
    assert len({row[0] for row in rows}) == 50, "each new client is its own learner"
    for response in responses:
        verdict = response.json()
        assert (verdict["answer"], verdict["kind"], int(verdict["correct"])) in {(r[2], r[3], r[4]) for r in rows}
    with sqlite3.connect(path) as conn:
        solved = conn.execute("SELECT COUNT(*) FROM solved").fetchone()[0]
    assert solved == sum(r.json()["correct"] for r in responses) == 20


def test_a_failing_store_still_returns_every_verdict_with_its_503(tmp_path: Path) -> None:
    folder = tmp_path / "progress.sqlite3"
    folder.mkdir()  # a folder where the progress file should be: every write fails
    responses = asyncio.run(many_checks(create_app(folder), 50))
    assert [r.status_code for r in responses] == [503] * 50
    for n, response in enumerate(responses):
        body = response.json()
        assert body["error"] == "progress_store" and "not saved" in body["message"]
        assert body["verdict"]["answer"] == ANSWERS[n % len(ANSWERS)]
        assert body["verdict"]["correct"] is (ANSWERS[n % len(ANSWERS)] in RIGHT)
        assert str(tmp_path) not in response.text


async def wait_for(condition: Callable[[], bool]) -> None:
    for _ in range(1000):
        if condition():
            return
        await asyncio.sleep(0.01)
    raise AssertionError("the writer did not get there in 10 seconds")


def test_attempts_queued_while_the_store_is_busy_share_one_commit(tmp_path: Path) -> None:
    path = tmp_path / "progress.sqlite3"
    writer = AttemptWriter(f"sqlite:///{path}")

    async def scenario() -> None:
        await writer.record("web:first", 21, "ij,jk->ik", "correct", True)  # creates the file
        blocker = sqlite3.connect(path, isolation_level=None)
        blocker.execute("BEGIN IMMEDIATE")  # the writer's next transaction waits for this one
        try:
            tasks = [asyncio.create_task(writer.record("web:waits", 21, "ij,jk->ki", "order", False))]
            await asyncio.sleep(0)  # the task queues its attempt
            await wait_for(lambda: writer._queue.qsize() == 0)  # the writer took it and waits for the lock
            tasks += [
                asyncio.create_task(writer.record(f"web:l{n}", 21, "ij,jk->ki", "order", False)) for n in range(49)
            ]
            await wait_for(lambda: writer._queue.qsize() == 49)  # the other 49 queue up meanwhile
        finally:
            blocker.execute("COMMIT")
            blocker.close()
        await asyncio.gather(*tasks)

    asyncio.run(scenario())
    assert len(count_attempts(path)) == 51
    assert writer.batches == 3, "the first attempt, the one that waited, then the 49 queued behind it in one"


def test_only_the_attempt_that_cannot_be_written_fails(tmp_path: Path) -> None:
    path = tmp_path / "progress.sqlite3"
    writer = AttemptWriter(f"sqlite:///{path}")

    async def scenario() -> list[BaseException | None]:
        await writer.record("web:first", 21, "ij,jk->ik", "correct", True)
        with sqlite3.connect(path) as conn:  # the store refuses one answer, as a damaged page or a full disk would
            conn.execute(
                "CREATE TRIGGER refuse BEFORE INSERT ON attempts WHEN NEW.answer = 'bad' "
                "BEGIN SELECT RAISE(ABORT, 'refused'); END"
            )
        answers = ["ok1", "bad", "ok2"]
        results = await asyncio.gather(
            *(writer.record("web:x", 21, answer, "values", False) for answer in answers), return_exceptions=True
        )
        return [r if isinstance(r, BaseException) else None for r in results]

    results = asyncio.run(scenario())
    assert results[0] is None and results[2] is None
    assert isinstance(results[1], StoreError) and "refused" in str(results[1])
    assert [row[2] for row in count_attempts(path)] == ["ij,jk->ik", "ok1", "ok2"]


def inline_writer(path: Path) -> AttemptWriter:
    return AttemptWriter(f"sqlite:///{path}", inline=True)


async def ready(writer: AttemptWriter) -> None:
    """The first attempt goes through the thread, which then opens the event loop's own connection."""
    await writer.record("web:first", 21, "ij,jk->ik", "correct", True)
    await wait_for(lambda: writer._loop_db is not None)


def test_inline_the_attempts_of_one_turn_are_one_commit_on_the_event_loop(tmp_path: Path) -> None:
    path = tmp_path / "progress.sqlite3"
    writer = inline_writer(path)

    async def scenario() -> None:
        await ready(writer)
        before = writer.batches
        await asyncio.gather(*(writer.record(f"web:l{n}", 21, "ij,jk->ki", "order", False) for n in range(50)))
        assert writer.batches == before + 1 and writer.inline_batches == 1

    asyncio.run(scenario())
    rows = count_attempts(path)
    assert len(rows) == 51 and {row[0] for row in rows[1:]} == {f"web:l{n}" for n in range(50)}


def test_inline_a_locked_store_never_holds_up_the_event_loop(tmp_path: Path) -> None:
    path = tmp_path / "progress.sqlite3"
    writer = inline_writer(path)

    async def scenario() -> None:
        await ready(writer)
        blocker = sqlite3.connect(path, isolation_level=None)
        blocker.execute("BEGIN IMMEDIATE")  # another writer holds the lock
        try:
            tasks = [
                asyncio.create_task(writer.record(f"web:w{n}", 21, "ij,jk->ki", "order", False)) for n in range(10)
            ]
            started = asyncio.get_running_loop().time()
            await asyncio.sleep(0.05)  # the loop turns: the inline write found the lock taken and handed over
            assert asyncio.get_running_loop().time() - started < 1.0
            assert not any(task.done() for task in tasks), "acknowledged only once committed"
        finally:
            blocker.execute("COMMIT")
            blocker.close()
        await asyncio.gather(*tasks)  # the thread waited for the lock and wrote them

    asyncio.run(scenario())
    assert len(count_attempts(path)) == 11
    assert writer.inline_batches == 0


def test_inline_the_thread_checkpoints_the_log_for_the_loop(tmp_path: Path, monkeypatch: Any) -> None:
    import einsum_puzzles.store.writer as module

    monkeypatch.setattr(module, "CHECKPOINT_EVERY", 2)
    path = tmp_path / "progress.sqlite3"
    writer = inline_writer(path)

    async def scenario() -> None:
        await ready(writer)
        assert writer._loop_db is not None and writer._loop_db.rows("PRAGMA wal_autocheckpoint") == [(0,)]
        for n in range(4):
            await writer.record(f"web:c{n}", 21, "ij,jk->ki", "order", False)
        await wait_for(lambda: writer.checkpoints >= 1)  # two requests may be taken together: one checkpoint

    asyncio.run(scenario())
    assert writer.inline_batches == 4 and len(count_attempts(path)) == 5
