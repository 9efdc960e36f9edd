"""A class on PostgreSQL with two worker processes, one of them killed mid-run (bounded: 100 learners in
4 classes, 20 checks each, through HTTP on loopback).

Every acknowledged attempt must be in the database afterwards, no response may be a 5xx (the killed
worker's in-flight requests end as dropped connections, never as a 5xx), and the teacher's totals must
equal what the database holds.
"""

from __future__ import annotations

import csv
import http.client
import io
import json
import os
import re
import signal
import subprocess
import sys
import threading
import time
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.cookies import SimpleCookie
from pathlib import Path
from urllib.parse import urlencode

import pytest

from einsum_puzzles.store import classes, open_database
from tests.postgres import Cluster, free_port

LEARNERS, CLASSES, CHECKS, THREADS = 100, 4, 20, 25
KILL_AFTER = LEARNERS * CHECKS // 3
PASSWORD = "a long teacher password"
ANSWERS = ["ij,jk->ik", "ij,jk->ki", "ij,jk->ij", "ik,kj->ij", "ij,jk", "ji,jk->ik"]
CLI = str(Path(sys.executable).with_name("einsum-puzzles"))


@dataclass
class Learner:
    name: str
    code: str
    cookies: dict[str, str] = field(default_factory=dict)
    acked: int = 0
    dropped: int = 0
    statuses: list[int] = field(default_factory=list)


class Browser:
    """A keep-alive HTTP connection with a cookie jar; reconnects after a dropped connection."""

    def __init__(self, port: int, cookies: dict[str, str]) -> None:
        self.port, self.cookies = port, cookies
        self.conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)

    def request(self, method: str, path: str, body: bytes | None = None, kind: str = "") -> tuple[int, str]:
        headers = {"Cookie": "; ".join(f"{k}={v}" for k, v in self.cookies.items())}
        if kind:
            headers["Content-Type"] = kind
        try:
            self.conn.request(method, path, body=body, headers=headers)
            response = self.conn.getresponse()
            text = response.read().decode()
        except (OSError, http.client.HTTPException):
            self.conn.close()
            self.conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
            raise
        for header in response.headers.get_all("set-cookie") or []:
            for key, morsel in SimpleCookie(header).items():
                self.cookies[key] = morsel.value
        return response.status, text

    def get(self, path: str) -> tuple[int, str]:
        """A GET, tried again once when the connection was on the killed worker."""
        try:
            return self.request("GET", path)
        except (OSError, http.client.HTTPException):
            return self.request("GET", path)

    def form(self, path: str, fields: dict[str, str]) -> tuple[int, str]:
        return self.request("POST", path, urlencode(fields).encode(), "application/x-www-form-urlencoded")

    def token(self, path: str) -> str:
        status, text = self.request("GET", path)
        assert status == 200, text
        found = re.search(r'name="csrf" value="([^"]+)"', text)
        assert found
        return found.group(1)

    def close(self) -> None:
        self.conn.close()


@pytest.fixture
def server(postgres: Cluster, tmp_path: Path) -> Iterator[tuple[int, subprocess.Popen[bytes], str]]:
    url = postgres.database()
    port = free_port()
    env = dict(os.environ, DATABASE_URL=url, EINSUM_PUZZLES_HOME=str(tmp_path))
    process = subprocess.Popen(
        [CLI, "serve", "--port", str(port), "--workers", "2"], env=env, stdout=subprocess.DEVNULL
    )
    deadline = time.monotonic() + 60
    while True:
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=2).close()
            if len(workers(process.pid)) == 2:
                break
        except OSError:
            pass
        if time.monotonic() > deadline or process.poll() is not None:
            process.kill()
            pytest.fail("the server did not start")
        time.sleep(0.2)
    try:
        yield port, process, url
    finally:
        process.send_signal(signal.SIGINT)
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def workers(pid: int) -> list[int]:
    """The server's worker processes (uvicorn spawns them; it also runs a resource tracker)."""
    try:
        children = Path(f"/proc/{pid}/task/{pid}/children").read_text().split()
    except OSError:
        return []
    found = []
    for child in children:
        try:
            command = Path(f"/proc/{child}/cmdline").read_bytes()
        except OSError:
            continue
        if b"multiprocessing.spawn" in command and b"resource_tracker" not in command:
            found.append(int(child))
    return found


def test_two_workers_on_postgresql_lose_no_acknowledged_attempt(
    server: tuple[int, subprocess.Popen[bytes], str],
) -> None:
    port, process, url = server
    with open_database(url) as db:
        classes.add_teacher(db, "lead@school.example", PASSWORD)
    teacher = Browser(port, {})
    status, _ = teacher.form(
        "/teacher/signin", {"csrf": teacher.token("/teacher"), "email": "lead@school.example", "password": PASSWORD}
    )
    assert status == 303
    ids, codes = [], []
    for number in range(CLASSES):
        status, _ = teacher.form("/teacher/classes", {"csrf": teacher.token("/teacher"), "name": f"Group {number}"})
        assert status == 303
    with open_database(url) as db:
        for info in classes.classes_of(db, 1):
            ids.append(info.id)
            codes.append(info.code)
    assert len(codes) == CLASSES

    learners = [Learner(f"learner {n}", codes[n % CLASSES]) for n in range(LEARNERS)]
    sent = [0]
    lock = threading.Lock()
    killed: list[int] = []

    def maybe_kill() -> None:
        with lock:
            sent[0] += 1
            if sent[0] == KILL_AFTER and not killed:
                victim = workers(process.pid)[0]
                os.kill(victim, signal.SIGKILL)
                killed.append(victim)

    def run(mine: list[Learner]) -> None:
        for learner in mine:
            browser = Browser(port, learner.cookies)
            for _ in range(5):  # joining is repeatable: retry when the connection drops
                try:
                    token = browser.token("/class")
                    status, _ = browser.form("/class/join", {"csrf": token, "code": learner.code, "name": learner.name})
                    learner.statuses.append(status)
                    if status == 303:
                        break
                except (OSError, http.client.HTTPException):
                    time.sleep(0.1)
            for number in range(CHECKS):
                body = json.dumps({"puzzle": 21, "answer": ANSWERS[(number + len(learner.name)) % len(ANSWERS)]})
                maybe_kill()
                try:
                    status, _ = browser.request("POST", "/api/check", body.encode(), "application/json")
                except (OSError, http.client.HTTPException):
                    learner.dropped += 1
                    continue
                learner.statuses.append(status)
                if status == 200:
                    learner.acked += 1
            browser.close()

    threads = [threading.Thread(target=run, args=(learners[i::THREADS],)) for i in range(THREADS)]
    started = time.monotonic()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=300)
    assert not any(t.is_alive() for t in threads), "the load did not finish in time"
    elapsed = time.monotonic() - started

    assert killed, "no worker was killed"
    statuses = [s for learner in learners for s in learner.statuses]
    assert not [s for s in statuses if s >= 500], "a 5xx response"
    assert all(learner.statuses[0] == 303 or 303 in learner.statuses for learner in learners), "a learner never joined"
    acked = sum(learner.acked for learner in learners)
    dropped = sum(learner.dropped for learner in learners)
    assert acked + dropped == LEARNERS * CHECKS
    assert dropped <= THREADS, "more dropped requests than could be in flight on the killed worker"

    with open_database(url) as db:
        per_learner = dict(
            db.rows(
                "SELECT m.name, COUNT(a.id) FROM members m LEFT JOIN attempts a ON a.learner = m.learner "
                "GROUP BY m.name"
            )
        )
    assert len(per_learner) == LEARNERS
    for learner in learners:
        stored = int(per_learner[learner.name])
        assert learner.acked <= stored <= learner.acked + learner.dropped, learner
    stored_total = sum(int(v) for v in per_learner.values())

    # the teacher's view, through a surviving worker: totals equal what is stored
    teacher_total = 0
    for class_id in ids:
        status, text = teacher.get(f"/teacher/classes/{class_id}/attempts.csv")
        assert status == 200
        teacher_total += len(list(csv.reader(io.StringIO(text)))) - 1
        status, page = teacher.get(f"/teacher/classes/{class_id}")
        assert status == 200 and f"{LEARNERS // CLASSES} learners" in page
    teacher.close()
    assert teacher_total == stored_total
    assert acked <= stored_total <= acked + dropped
    deadline = time.monotonic() + 30
    while len(workers(process.pid)) < 2 and time.monotonic() < deadline:
        time.sleep(0.2)
    assert len(workers(process.pid)) == 2, "the killed worker was not replaced"
    print(
        f"\n{LEARNERS * CHECKS} checks in {elapsed:.1f} s; {acked} acknowledged, {dropped} dropped by the kill; "
        f"{stored_total} stored, {teacher_total} in the teacher's CSV"
    )
