"""The pages' own endpoints and markup: the live preview as data, lessons through markdown-it-py with their
worked examples, hint/solution in place, the offline API docs, the home's guidance."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from einsum_puzzles import curriculum
from einsum_puzzles.curriculum import worked_examples
from einsum_puzzles.web import create_app
from einsum_puzzles.web.markdown import render


@pytest.fixture
def client(tmp_path: Path) -> Iterator[TestClient]:
    with TestClient(create_app(tmp_path / "web.sqlite3")) as test_client:
        yield test_client


def test_preview_answers_invalid_input_as_data_in_words(client: TestClient) -> None:
    bad = client.get("/api/preview", params={"subscript": "ij,jx->ik", "puzzle": 21})
    assert bad.status_code == 200
    data = bad.json()
    assert data["valid"] is False and "output label 'k'" in data["message"]
    assert data["message"] != "output" and "kind" not in data
    too_long = client.get("/api/preview", params={"subscript": "i\u0000", "shapes": "3"}).json()
    assert too_long["valid"] is False and "NUL" in too_long["message"]
    good = client.get("/api/preview", params={"subscript": "ij,jk->ik", "puzzle": 21}).json()
    assert good["valid"] and good["output_shape"] == [3, 4]
    assert "<svg" in good["html"] and "<math" in good["html"] and "<style>" not in good["html"]
    # the picture shows the puzzle's own numbers: out[1,2] of a @ b
    assert "out[1,2] = 2·1 + 3·9 = 29" in good["html"]


def test_every_lesson_renders_with_its_worked_examples() -> None:
    for section in curriculum.sections():
        html = render(section.lesson, skip_title=True)
        assert "<h1" not in html
        assert html.count('class="ep-example"') == len(worked_examples(section.lesson)), section.id
        assert "<script" not in html


def test_markdown_escapes_html_in_the_source() -> None:
    html = render("Text <script>alert(1)</script> and <b>bold</b>\n\n    indented <i>code</i>\n")
    assert "<script>" not in html and "<b>" not in html and "&lt;script&gt;" in html
    assert "<pre tabindex='0'><code>indented &lt;i&gt;code&lt;/i&gt;" in html
    table = render("| a | b |\n|---|---|\n| 1 | 2 |\n")
    assert '<div class="table-scroll">' in table and "<table>" in table


def test_lessons_one_and_two_pages_work(client: TestClient) -> None:
    for number in (1, 2, 3, 4):
        response = client.get(f"/puzzles/{number}")
        assert response.status_code == 200
        assert 'class="ep-example"' in response.text


def test_hint_and_solution_answer_json_for_the_script(client: TestClient) -> None:
    json = {"accept": "application/json"}
    first = client.post("/puzzles/21/hint", headers=json).json()
    assert first["more"] and first["total"] == 3 and len(first["hints"]) == 1
    second = client.post("/puzzles/21/hint", headers=json).json()
    assert len(second["hints"]) == 2
    assert "ij,jk->ik" in client.post("/puzzles/21/solution", headers=json).json()["solutions"]
    redirect = client.post("/puzzles/21/hint", follow_redirects=False)
    assert redirect.status_code == 303 and redirect.headers["location"] == "/puzzles/21#hints"


def test_docs_are_offline_under_a_strict_csp(client: TestClient) -> None:
    page = client.get("/docs")
    assert page.status_code == 200
    assert "cdn" not in page.text.lower() and "<script>" not in page.text and "style=" not in page.text
    policies = page.headers.get_list("content-security-policy")
    docs_policy = next(p for p in policies if "swagger-ui-bundle.js" in p)
    assert "unsafe-inline" not in docs_policy and "default-src 'none'" in docs_policy
    assert client.get("/docs-assets/swagger-ui-bundle.js").status_code == 200
    assert client.get("/docs-assets/swagger-ui.css").status_code == 200
    assert client.get("/redoc").status_code == 404


def test_home_guides_the_learner(client: TestClient) -> None:
    home = client.get("/").text
    assert 'id="continue-link" href="/puzzles/1"' in home and "Start: puzzle 1" in home
    assert "<progress" in home
    client.post("/api/check", json={"puzzle": 1, "answer": "i->i"})
    home = client.get("/").text
    assert 'id="continue-link" href="/puzzles/2"' in home and "Continue: puzzle 2" in home
    assert '<span class="mark">solved</span>' in home  # a word, not only a colour
    order = [p.id for p in curriculum.puzzles()]
    positions = [home.index(f'id="puzzle-link-{n}"') for n in order]
    assert positions == sorted(positions)  # course order


def test_puzzle_page_renders_a_fix_when_the_verdict_has_one(client: TestClient) -> None:
    page = client.post("/puzzles/21/check", data={"answer": "ij,jk->ki"}).text
    assert 'id="verdict"' in page and page.index('id="answer"') < page.index('id="verdict"')
    assert page.count('class="ep-explain"') == 1


def test_a_verdict_with_a_caret_keeps_it_under_the_subscript() -> None:
    from einsum_puzzles.web.app import message_blocks

    message = (
        "a subscript has at most one arrow '->'\n    ij->jk->ik\n          ^\nTo fix it: replace 'ij->jk' with 'ij,jk'."
    )
    assert message_blocks(message) == [
        (False, "a subscript has at most one arrow '->'"),
        (True, "ij->jk->ik\n      ^"),
        (False, "To fix it: replace 'ij->jk' with 'ij,jk'."),
    ]
    assert message_blocks("plain words") == [(False, "plain words")]
