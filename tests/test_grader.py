"""The grading processes of the served app (web/grader.py, grading/worker.py): the same verdicts as grading
in-process, byte for byte; a child that dies or a deadline never loses a check."""

from __future__ import annotations

import asyncio
import json
import os
import signal
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from einsum_puzzles import curriculum
from einsum_puzzles.grading import check
from einsum_puzzles.grading.verdict import Verdict
from einsum_puzzles.grading.worker import render
from einsum_puzzles.web.grader import GradingFailed, GradingPool
from tests.webserver import served

WRONG = ["ij,jk->ki", "ij,jk", "ij,jk->ij", "ij,kj->ik", "i,j->ij", "ij->", "ij,jk->ik,", "ij→jk", "", "ii,jk->ik"]


def answers() -> list[tuple[int, str]]:
    """Every subscript puzzle's solutions and a set of wrong, invalid and empty answers."""
    found = []
    for p in curriculum.puzzles():
        if p.kind != "subscript":
            continue
        found += [(p.id, solution) for solution in p.solutions]
        found += [(p.id, answer) for answer in WRONG]
    return found


async def started(size: int = 1) -> GradingPool:
    pool = GradingPool(size)
    await replaced(pool, None)
    return pool


async def replaced(pool: GradingPool, gone: object) -> None:
    """Until the pool has a running first child that is not ``gone``."""
    for _ in range(500):
        if pool.ready() and pool._children[0] is not gone:
            return
        await asyncio.sleep(0.02)
    raise AssertionError("no grading process started in 10 seconds")


def test_a_child_gives_the_verdicts_and_json_of_in_process_grading() -> None:
    cases = answers()

    async def scenario() -> list[tuple[Verdict, bytes]]:
        pool = await started(2)
        try:
            return list(await asyncio.gather(*(pool.submit(n, answer, 30) for n, answer in cases)))
        finally:
            pool.close()

    results = asyncio.run(scenario())
    assert len(results) == len(cases) > 500
    for (number, answer), (verdict, body) in zip(cases, results):
        expected = check(number, answer)
        assert verdict == expected, (number, answer)
        assert body == render(expected.to_dict())
        assert json.loads(body) == expected.to_dict()


def test_verdict_round_trips_through_its_dict() -> None:
    from fastapi.responses import JSONResponse

    for number, answer in answers()[::7]:
        verdict = check(number, answer)
        assert Verdict.from_dict(json.loads(json.dumps(verdict.to_dict()))) == verdict
        assert render(verdict.to_dict()) == bytes(JSONResponse(verdict.to_dict()).body)  # what FastAPI would send


def test_a_child_that_dies_fails_its_answers_and_is_replaced() -> None:
    async def scenario() -> None:
        pool = await started(1)
        try:
            child = pool._children[0]
            pending = pool.submit(25, "abc,acf->abf", 30)
            os.kill(child.process.pid, signal.SIGKILL)
            with pytest.raises(GradingFailed):
                await pending  # the server then grades it itself
            await replaced(pool, child)
            verdict, _ = await pool.submit(25, "abc,acf->abf", 30)
            assert verdict == check(25, "abc,acf->abf")
        finally:
            pool.close()

    asyncio.run(scenario())


def test_an_answer_past_its_deadline_fails_and_its_child_is_replaced() -> None:
    async def scenario() -> None:
        pool = await started(1)
        try:
            late = pool._children[0]
            other = pool.submit(25, "abc,acf->abf", 30)
            with pytest.raises(TimeoutError):
                await pool.submit(21, "ij,jk->ki", 1e-9)
            with pytest.raises(GradingFailed):
                await other  # a child that is late is stopped: what it owed is graded by the server
            assert not late.alive and late.waiting == {}
            await replaced(pool, late)
            verdict, _ = await pool.submit(21, "ij,jk->ik", 30)
            assert verdict.correct and pool._children[0] is not late
        finally:
            pool.close()

    asyncio.run(scenario())


def test_a_child_skips_an_answer_whose_request_has_given_up() -> None:
    from einsum_puzzles.grading.worker import answer

    line = json.dumps({"id": 7, "puzzle": 21, "answer": "ij,jk->ik", "until": time.time() - 1}).encode()
    assert answer(line) == b"7\t!expired before it was graded\n"
    fresh = json.dumps({"id": 8, "puzzle": 21, "answer": "ij,jk->ik", "until": time.time() + 60}).encode()
    assert answer(fresh) == b"8\t" + render(check(21, "ij,jk->ik").to_dict()) + b"\n"


def children_of(pid: int) -> list[int]:
    found = []
    for task in os.listdir(f"/proc/{pid}/task"):
        found += [int(c) for c in Path(f"/proc/{pid}/task/{task}/children").read_text().split()]
    return found


def running(pid: int) -> bool:
    """The process exists and has not exited (an exited child waiting to be reaped is a zombie: 'Z')."""
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except (FileNotFoundError, ProcessLookupError, IndexError):
        return False
    return state != "Z"


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc")
def test_serve_grades_in_two_child_processes_that_end_with_it(tmp_path: Path) -> None:
    env = dict(os.environ, EINSUM_PUZZLES_HOME=str(tmp_path))
    cases = [
        (21, "ij,jk->ki"),
        (25, "abc,def->bacf"),
        (21, "ij,jk->ik"),
        (29, "ij...->ji..."),
        (21, "ij,jk"),
        (25, "abc,acf->abf"),
        (3, "ii->i"),
        (21, "ij,jk->ik,"),
    ]
    with served(env) as base:
        port = base.rsplit(":", 1)[1]
        server = int(subprocess.check_output(["pgrep", "-f", f"serve --port {port}"]).split()[0])
        bodies = []
        for number, answer in cases:  # the first may be graded in the server while the children start
            request = urllib.request.Request(
                base + "/api/check",
                data=json.dumps({"puzzle": number, "answer": answer}).encode(),
                headers={"Content-Type": "application/json"},
            )
            with urllib.request.urlopen(request, timeout=10) as response:
                bodies.append(response.read())
            time.sleep(0.3)
        kids = children_of(server)
        commands = [Path(f"/proc/{kid}/cmdline").read_bytes().replace(b"\0", b" ").decode() for kid in kids]
        assert sum("einsum_puzzles.grading.worker" in command for command in commands) == 2, commands
    for (number, answer), body in zip(cases, bodies):
        assert body == render(check(number, answer).to_dict()), (number, answer)
    deadline = time.monotonic() + 10
    while any(running(kid) for kid in kids) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert not any(running(kid) for kid in kids), "the grading processes end when the server does"


def test_children_that_cannot_start_leave_grading_to_the_server(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(sys, "executable", "/bin/false")  # every child exits at once

    async def scenario() -> int:
        pool = GradingPool(1)
        for _ in range(300):
            pool.ready()
            await asyncio.sleep(0.01)
        with pytest.raises(GradingFailed):
            pool.submit(21, "ij,jk->ik", 30)  # the app grades this one itself
        return pool._failed_starts

    assert asyncio.run(scenario()) == 3
