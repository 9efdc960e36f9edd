"""The web app under hostile requests: Host and Origin checks, body limit, headers on every response
(500s included), work limits on every trial and every template step, grading off the event loop, and
a bounded load test (32 clients sending the heaviest allowed checks while /healthz is probed)."""

from __future__ import annotations

import sys
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from einsum_puzzles import curriculum
from einsum_puzzles.grading.steps import ATTENTION_STEPS
from einsum_puzzles.grading.subscript import trial_inputs
from einsum_puzzles.web import app as web_app
from einsum_puzzles.web import create_app
from einsum_puzzles.web.security import MAX_BODY, same_origin
from einsum_puzzles.web.work import answer_work, steps_work, subscript_work

sys.path.insert(0, str(Path(__file__).parents[1] / "bench"))
import web_load

RIGHT_32 = {spec.name: spec.reference for spec in ATTENTION_STEPS[32]}
HEADERS = ("content-security-policy", "x-content-type-options", "referrer-policy", "x-frame-options")


@pytest.fixture
def app(tmp_path: Path) -> FastAPI:
    return create_app(tmp_path / "web.sqlite3")


@pytest.fixture
def client(app: FastAPI) -> Iterator[TestClient]:
    with TestClient(app) as test_client:
        yield test_client


def test_a_body_over_64_kb_gets_413(client: TestClient) -> None:
    big = b'{"puzzle": 1, "answer": "' + b"i" * (10 * 1024**2) + b'"}'
    response = client.post("/api/check", content=big, headers={"content-type": "application/json"})
    assert response.status_code == 413
    assert all(name in response.headers for name in HEADERS)

    def chunks() -> Iterator[bytes]:  # no Content-Length: the limit applies while the body streams in
        yield b'{"puzzle": 1, "answer": "'
        for _ in range(20):
            yield b"i" * 8192
        yield b'"}'

    streamed = client.post("/api/check", content=chunks(), headers={"content-type": "application/json"})
    assert streamed.status_code == 413
    form = client.post(
        "/puzzles/21/check", content=chunks(), headers={"content-type": "application/x-www-form-urlencoded"}
    )
    assert form.status_code == 413
    small = client.post("/api/check", json={"puzzle": 1, "answer": "i" * 100})
    assert small.status_code == 200 and len(small.request.content) < MAX_BODY


def test_a_foreign_host_is_refused(client: TestClient) -> None:
    for host in ("evil.example", "attacker.test:8000", "127.0.0.1.nip.io"):
        response = client.get("/healthz", headers={"host": host})
        assert response.status_code == 400, host
        assert response.json()["error"] == "host"
        assert all(name in response.headers for name in HEADERS)
    for host in ("localhost", "127.0.0.1:8000", "[::1]:8000", "testserver"):
        assert client.get("/healthz", headers={"host": host}).status_code == 200, host


def test_allowed_hosts_are_configurable(tmp_path: Path) -> None:
    with TestClient(create_app(tmp_path / "db.sqlite3", allowed_hosts=["class.example.org"])) as client:
        assert client.get("/healthz", headers={"host": "class.example.org:8000"}).status_code == 200
        assert client.get("/healthz", headers={"host": "other.example.org"}).status_code == 400


def test_the_origin_must_match_scheme_host_and_port(client: TestClient) -> None:
    body = {"puzzle": 1, "answer": "i"}
    for origin in ("https://testserver", "http://testserver:8080", "http://evil.example", "null", "file://"):
        response = client.post("/api/check", json=body, headers={"origin": origin})
        assert response.status_code == 403, origin
    for origin in ("http://testserver", "http://testserver:80"):
        assert client.post("/api/check", json=body, headers={"origin": origin}).status_code == 200, origin
    referer = client.post("/api/check", json=body, headers={"referer": "https://testserver/puzzles/1"})
    assert referer.status_code == 403
    assert same_origin("http://127.0.0.1:8000", "http", "127.0.0.1:8000")
    assert not same_origin("http://127.0.0.1:8000", "https", "127.0.0.1:8000")
    assert not same_origin("http://127.0.0.1:9999", "http", "127.0.0.1:8000")
    assert not same_origin("http://127.0.0.1:99999999", "http", "127.0.0.1:8000")


def test_a_500_carries_the_security_headers(app: FastAPI) -> None:
    @app.get("/boom")
    def boom() -> None:
        raise RuntimeError("a bug")

    with TestClient(app, raise_server_exceptions=False) as client:
        response = client.get("/boom")
    assert response.status_code == 500
    assert all(name in response.headers for name in HEADERS)
    assert "a bug" not in response.text


def test_shapes_take_ascii_digits_only(client: TestClient) -> None:
    response = client.get("/api/explain", params={"subscript": "ij", "shapes": "²x³"})
    assert response.status_code == 422
    assert "0-9" in response.json()["message"]
    page = client.get("/explain", params={"s": "ij", "shapes": "²x³"})
    assert page.status_code == 200 and "0-9" in page.text


def test_every_template_step_is_work_limited(client: TestClient) -> None:
    heavy = {**RIGHT_32, "scores": "blhk,enop->blhkenop"}  # 26 million multiply-adds
    response = client.post("/api/check", json={"puzzle": 32, "steps": heavy})
    assert response.status_code == 422
    assert response.json()["limit"] == "work"
    page = client.post("/puzzles/32/check", data={f"step_{k}": v for k, v in heavy.items()})
    assert page.status_code == 200 and "multiply-adds" in page.text
    assert client.post("/api/check", json={"puzzle": 32, "steps": RIGHT_32}).json()["correct"]


def test_work_counts_every_fresh_draw_and_the_learners_own_shapes() -> None:
    p = curriculum.puzzle(47)
    answer = "abcde,fghi->abcdefghi"
    per_trial = [
        subscript_work(answer, [np.shape(a) for a in p.einsum_arguments(inputs)]) for inputs in trial_inputs(p, 4)
    ]
    assert answer_work(p, answer) == max(per_trial)
    assert max(per_trial) > per_trial[0]  # a fresh draw costs more than the shown inputs
    p32 = curriculum.puzzle(32)
    # A wrong 'scores' shape makes the next step cheap or impossible: the estimate follows the learner's shapes.
    assert steps_work(p32, {**RIGHT_32, "scores": "blhk,enop->blhkenop"}) == 5120 * 5120
    assert steps_work(p32, RIGHT_32) < 1_000_000


def test_heavy_grading_runs_off_the_event_loop(client: TestClient, monkeypatch: pytest.MonkeyPatch) -> None:
    threads: list[str] = []
    real = web_app.check_steps

    def recording(*args: Any, **kwargs: Any) -> Any:
        threads.append(threading.current_thread().name)
        return real(*args, **kwargs)

    monkeypatch.setattr(web_app, "check_steps", recording)
    body = web_load.heavy_bodies()[0]
    response = client.post("/api/check", content=body, headers={"content-type": "application/json"})
    assert response.status_code == 200 and response.json()["kind"] == "shape"
    assert threads and all(name.startswith("grade") for name in threads)


def test_a_check_past_its_deadline_gets_503(client: TestClient, monkeypatch: pytest.MonkeyPatch) -> None:
    release = threading.Event()
    monkeypatch.setattr(web_app, "GRADE_DEADLINE", 0.2)
    monkeypatch.setattr(web_app, "check_steps", lambda *args, **kwargs: release.wait(5))
    try:
        response = client.post(
            "/api/check", content=web_load.heavy_bodies()[1], headers={"content-type": "application/json"}
        )
    finally:
        release.set()
    assert response.status_code == 503
    assert response.json()["limit"] == "busy"


def test_load_heavy_checks_do_not_starve_healthz(tmp_path: Path) -> None:
    """32 clients with the heaviest allowed checks for 2 s: every probe and every check is answered
    (200, or 503 when busy). The probe's latency is reported by bench/web_load.py, not asserted here."""
    server, base = web_load.start_server(tmp_path)
    try:
        result = web_load.load(base, clients=32, seconds=2.0)
    finally:
        server.terminate()
        server.wait(timeout=10)
    assert result["probes"] > 0 and set(result["probe_statuses"]) == {200}
    assert sum(result["heavy_statuses"].values()) > 0
    assert set(result["heavy_statuses"]) <= {200, 503}
