"""The web app's API and pages, through the ASGI test client, including bad input of every kind."""

from __future__ import annotations

import html
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest
import schemathesis
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, settings

from einsum_puzzles import curriculum
from einsum_puzzles.grading.steps import ATTENTION_STEPS
from einsum_puzzles.web import create_app
from einsum_puzzles.web.app import MAX_SUBSCRIPT

JSON = {"content-type": "application/json"}
RIGHT_STEPS = {spec.name: spec.reference for spec in ATTENTION_STEPS[31]}


@pytest.fixture
def client(tmp_path: Path) -> Iterator[TestClient]:
    with TestClient(create_app(tmp_path / "web.sqlite3")) as test_client:
        yield test_client


def test_pages_render(client: TestClient) -> None:
    for path in ["/", "/puzzles/21", "/puzzles/31", "/explain", "/cheatsheet", "/quiz"]:
        response = client.get(path)
        assert response.status_code == 200, path
        assert "<script>" not in response.text and "style=" not in response.text
        assert "script-src 'self'" in response.headers["content-security-policy"]


def test_cookie_is_httponly_and_samesite(client: TestClient) -> None:
    response = client.get("/")
    cookie = response.headers["set-cookie"].lower()
    assert "ep_learner=" in cookie and "httponly" in cookie and "samesite=strict" in cookie


def test_check_api_and_progress(client: TestClient) -> None:
    wrong = client.post("/api/check", json={"puzzle": 21, "answer": "ij,jk->ki"}).json()
    assert wrong["kind"] == "order" and "->ik" in wrong["message"]
    right = client.post("/api/check", json={"puzzle": 21, "answer": "ij,jk->ik"}).json()
    assert right["correct"] is True
    listing = client.get("/api/puzzles").json()
    assert next(p for p in listing if p["id"] == 21)["solved"] is True
    assert "✓" in client.get("/").text


def test_learners_are_separate(tmp_path: Path) -> None:
    app = create_app(tmp_path / "web.sqlite3")
    with TestClient(app) as alice, TestClient(app) as bob:
        alice.post("/api/check", json={"puzzle": 1, "answer": "i->i"})
        assert next(p for p in alice.get("/api/puzzles").json() if p["id"] == 1)["solved"]
        assert not next(p for p in bob.get("/api/puzzles").json() if p["id"] == 1)["solved"]


def test_code_puzzles_are_checked_step_by_step(client: TestClient) -> None:
    verdict = client.post("/api/check", json={"puzzle": 31, "steps": RIGHT_STEPS}).json()
    assert verdict["correct"]
    broken = dict(RIGHT_STEPS, scores="blk,bmk->bml")
    verdict = client.post("/api/check", json={"puzzle": 31, "steps": broken}).json()
    assert verdict["kind"] == "order" and "step 'scores'" in verdict["message"]
    invalid = dict(RIGHT_STEPS, q="bld,dk->blz")
    verdict = client.post("/api/check", json={"puzzle": 31, "steps": invalid}).json()
    assert verdict["kind"] == "output" and "step 'q'" in verdict["message"]
    assert client.post("/api/check", json={"puzzle": 31, "steps": {}}).json()["kind"] == "unsolved"
    refused = client.post("/api/check", json={"puzzle": 31, "answer": "def head(): pass"})
    assert refused.status_code == 422 and refused.json()["limit"] == "code"
    page = client.post("/puzzles/31/check", data={f"step_{k}": v for k, v in RIGHT_STEPS.items()})
    assert "every step is right" in page.text


def test_explain_api(client: TestClient) -> None:
    data = client.get("/api/explain", params={"subscript": "ij,jk,kl->il", "shapes": "2x3,3x4,4x5"}).json()
    assert data["operation"] == "chain of matrix products" and data["output_shape"] == [2, 5]
    assert 'class="ep-explain"' in data["html"]
    posted = client.post("/api/explain", json={"subscript": "ii", "shapes": [[3, 3]]}).json()
    assert posted["operation"] == "trace"
    error = client.get("/api/explain", params={"subscript": "ij,jk->ik", "shapes": "2x3,4x5"})
    assert error.status_code == 422 and error.json()["error"] == "size" and error.json()["position"] == 3


@pytest.mark.parametrize(
    ("method", "path", "kwargs", "status", "key"),
    [
        ("post", "/api/check", {"content": b"{not json", "headers": JSON}, 422, "invalid_request"),
        ("post", "/api/check", {"json": {"puzzle": 21, "answer": "x" * (MAX_SUBSCRIPT + 1)}}, 422, "invalid_request"),
        ("post", "/api/check", {"json": {"puzzle": 21, "answer": "ij\u0000,jk"}}, 422, "limit"),
        ("post", "/api/check", {"json": {"puzzle": 21, "answer": "ïj,jk->ik"}}, 200, None),
        ("post", "/api/check", {"json": {"puzzle": 999, "answer": "i"}}, 404, "unknown_puzzle"),
        ("post", "/api/check", {"json": {"puzzle": "21", "answer": 5}}, 422, "invalid_request"),
        ("post", "/api/check", {"json": [1, 2, 3]}, 422, "invalid_request"),
        ("post", "/api/check", {"content": b"", "headers": JSON}, 422, "invalid_request"),
        ("post", "/api/check", {"content": b'{"puzzle": 21}', "headers": {"Content-Type": "text/plain"}}, 422, None),
        (
            "post",
            "/api/check",
            {"content": b'\xef\xbb\xbf{"puzzle": 21, "answer": "ij,jk->ik"}', "headers": JSON},
            200,
            None,
        ),
        (
            "post",
            "/api/check",
            {"content": '{"puzzle": 21, "answer": "ij"}'.encode("utf-16"), "headers": JSON},
            200,
            None,
        ),
        ("post", "/api/check", {"content": b'{"puzzle": 21, "answer": "ij"}'}, 200, None),
        ("post", "/api/explain", {"json": {"subscript": "i", "shapes": [[2]] * 100}}, 422, "invalid_request"),
        ("post", "/api/explain", {"json": {"subscript": "i", "shapes": [[10**12]]}}, 422, "invalid_request"),
        ("post", "/api/explain", {"json": {"subscript": "i", "shapes": [[2] * 40]}}, 422, "invalid_request"),
        ("get", "/api/explain", {"params": {"subscript": "i" * 1000}}, 422, "invalid_request"),
        ("get", "/api/explain", {"params": {"subscript": "i,j", "shapes": ",".join(["2"] * 100)}}, 422, "limit"),
        ("get", "/api/explain", {"params": {"subscript": "ij", "shapes": "3x"}}, 422, "limit"),
        ("get", "/api/explain", {"params": {"subscript": "i\u0000", "shapes": "3"}}, 422, "limit"),
        ("get", "/api/explain", {"params": {"subscript": "ij", "shapes": "2x3", "names": "1,2"}}, 422, "limit"),
        ("get", "/api/explain", {"params": {"subscript": "ij", "shapes": "9999999x9999999"}}, 422, "limit"),
        ("get", "/api/puzzles/0", {}, 422, "invalid_request"),
        ("get", "/api/puzzles/abc", {}, 422, "invalid_request"),
        ("get", "/api/puzzles/999", {}, 404, "unknown_puzzle"),
    ],
)
def test_bad_input_gets_a_4xx_that_says_what(
    client: TestClient, method: str, path: str, kwargs: dict[str, object], status: int, key: str | None
) -> None:
    response = getattr(client, method)(path, **kwargs)
    assert response.status_code == status, response.text
    if key is not None:
        assert response.json()["error"] == key
        assert response.json()["message"]


def test_cross_site_posts_are_refused(client: TestClient) -> None:
    response = client.post("/puzzles/21/check", data={"answer": "ij,jk->ik"}, headers={"origin": "http://evil.example"})
    assert response.status_code == 403 and response.json()["error"] == "cross_origin"
    response = client.post(
        "/api/check", json={"puzzle": 1, "answer": "i"}, headers={"referer": "http://evil.example/x"}
    )
    assert response.status_code == 403
    same = client.post("/api/check", json={"puzzle": 1, "answer": "i"}, headers={"origin": "http://testserver"})
    assert same.status_code == 200


def test_hint_solution_and_forms(client: TestClient) -> None:
    assert "Hint 1/3" not in client.get("/puzzles/21").text
    client.post("/puzzles/21/hint")
    assert "Hint 1/3" in client.get("/puzzles/21").text
    client.post("/puzzles/21/solution")
    assert "ij,jk-&gt;ik" in client.get("/puzzles/21").text
    page = client.post("/puzzles/21/check", data={"answer": "ij,jk->ki"}).text
    assert "Right values, wrong axis order" in page and "What your subscript computes" in page
    quiz = client.post("/quiz", data={"S2": "scalar", "S3": "9x9"}).text
    assert "Right" in quiz and "The answer is" in quiz
    # every lesson's questions under its title, in course order; new shape questions are checked too
    quiz = client.post("/quiz", data={"S1": "2x3x4", "S15": "1000x4"}).text
    titles = [s.title for s in curriculum.sections() if s.questions]
    positions = [quiz.index(f">{html.escape(title)}</h3>") for title in titles]
    assert positions == sorted(positions) and len(titles) == len(set(titles))
    assert 'id="Q32"' in quiz and "np.diag(v)" in quiz
    assert "Right: j is shared but kept" in quiz and "The answer is (1000, 1000)" in quiz
    shared = client.get("/explain", params={"s": "ij,jk,kl->il", "shapes": "2x3, 3x4, 4x5"}).text
    assert "chain of matrix products" in shared and "c.shape = (4, 5)" in shared
    assert "label" in client.get("/explain", params={"s": "ij,jk", "shapes": "2x3,4x5"}).text


SCHEMA_STORE = tempfile.TemporaryDirectory(prefix="einsum-puzzles-schemathesis-")
schema = schemathesis.openapi.from_asgi("/openapi.json", create_app(Path(SCHEMA_STORE.name) / "web.sqlite3"))


@schema.parametrize()
@settings(max_examples=40, deadline=None, suppress_health_check=list(HealthCheck))
def test_schemathesis_finds_no_server_error(case: schemathesis.Case) -> None:
    response = case.call()
    assert response.status_code < 500, (case.method, case.path, response.text[:300])


def test_api_check_documents_its_examples_and_its_verdict(client: TestClient) -> None:
    from einsum_puzzles.web.app import VerdictResponse

    operation = client.get("/openapi.json").json()["paths"]["/api/check"]["post"]
    assert operation["responses"]["200"]["content"]["application/json"]["schema"]["$ref"].endswith("/VerdictResponse")
    examples = operation["requestBody"]["content"]["application/json"]["examples"]
    for example in examples.values():  # every documented example works as sent
        response = client.post("/api/check", json=example["value"])
        assert response.status_code == 200, response.text
        VerdictResponse.model_validate(response.json())
