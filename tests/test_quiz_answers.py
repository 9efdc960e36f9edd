"""Quiz answers: the spellings of a shape a learner types, an unreadable answer that is explained and not
counted (web: next to its question; terminal: asked again), and subscripts kept whole on narrow screens."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from einsum_puzzles.curriculum import shape_questions
from einsum_puzzles.shapes import SHAPE_ANSWER_FORMS, ShapeSyntaxError, parse_shape_answer
from einsum_puzzles.web import create_app
from einsum_puzzles.web.quizview import mark_subscripts


@pytest.mark.parametrize("text", ["2x4", "2 x 4", "2×4", "2X4", "(2, 4)", "2,4", "[2, 4]", " ( 2 , 4 ) ", "[2,4,]"])
def test_every_spelling_of_a_matrix_shape(text: str) -> None:
    assert parse_shape_answer(text) == (2, 4)


@pytest.mark.parametrize("text", ["()", "[]", "scalar", "Scalar"])
def test_every_spelling_of_a_0d_shape(text: str) -> None:
    assert parse_shape_answer(text) == ()


@pytest.mark.parametrize("text", ["5", "(5,)", "5,", "[5]"])
def test_every_spelling_of_a_1d_shape(text: str) -> None:
    assert parse_shape_answer(text) == (5,)


@pytest.mark.parametrize("text", ["2 by 4", "2 4", "(2,,4)", ",", "(,)", "2x", "2.0x4", "-2x4", "(2", "x"])
def test_unreadable_answers_say_what_and_how(text: str) -> None:
    with pytest.raises(ShapeSyntaxError) as caught:
        parse_shape_answer(text)
    assert repr(text.strip()) in str(caught.value) and SHAPE_ANSWER_FORMS in str(caught.value)


@pytest.fixture
def client(tmp_path: Path) -> Iterator[TestClient]:
    with TestClient(create_app(tmp_path / "web.sqlite3")) as test_client:
        yield test_client


def _result(page: str, question_id: str) -> str:
    start = page.index(f'id="{question_id}-result"')
    return page[start : page.index("</span>", start)]


def test_web_quiz_explains_an_unreadable_answer_and_grades_the_rest(client: TestClient) -> None:
    by_id = {sq.id: sq for sq in shape_questions()}
    matrix = next(sq for sq in by_id.values() if len(sq.answer) == 2)
    scalar = next(sq for sq in by_id.values() if sq.answer == ())
    other = next(sq for sq in by_id.values() if sq not in (matrix, scalar))
    spaced = f"{matrix.answer[0]} x {matrix.answer[1]}"
    page = client.get("/quiz").text
    assert f"Write a shape as {SHAPE_ANSWER_FORMS}." in page
    page = client.post("/quiz", data={matrix.id: spaced, scalar.id: "()", other.id: "two by four"}).text
    assert _result(page, matrix.id).endswith(f"Right: {matrix.why}.")
    assert _result(page, scalar.id).endswith(f"Right: {scalar.why}.")
    unread = _result(page, other.id)
    assert "Not graded: could not read &#39;two by four&#39; as a shape" in unread and "The answer is" not in unread
    assert 'aria-invalid="true"' in page and 'value="two by four"' in page  # kept, to fix and send again
    blank = len(by_id) - 3
    assert f"<strong>2 of 2 answered shapes right</strong>; 1 not graded (see below); {blank} left blank" in page
    wrong = client.post("/quiz", data={matrix.id: f"{matrix.answer[0] + 1}x{matrix.answer[1]}"}).text
    assert (
        "<strong>0 of 1 answered shape right</strong>" in wrong
        and "not graded" not in wrong.split("quiz-score")[1][:200]
    )
    assert "quiz-score" not in client.get("/quiz").text  # no score before anything is sent


def test_web_quiz_keeps_subscripts_whole(client: TestClient) -> None:
    page = client.get("/quiz").text
    assert '<code class="subscript">&#39;ij,kl-&gt;ljki&#39;</code>' in page
    marked = mark_subscripts("Is 'ij->ji' a's <transpose>? and ',blm->blm' too")
    assert marked == (
        'Is <code class="subscript">&#39;ij-&gt;ji&#39;</code> a&#39;s &lt;transpose&gt;? and '
        '<code class="subscript">&#39;,blm-&gt;blm&#39;</code> too'
    )


def test_terminal_quiz_asks_again_after_an_unreadable_answer(tmp_path: Path) -> None:
    first, second = shape_questions()[:2]
    wrong = "x".join(str(n + 1) for n in second.answer) or "7"
    replies = f"{'x'.join(map(str, first.answer)) or 'scalar'}\ntwo by four\n{wrong}\n"
    env = {**os.environ, "NO_COLOR": "1", "EINSUM_PUZZLES_HOME": str(tmp_path)}
    result = subprocess.run(
        [str(Path(sys.executable).with_name("einsum-puzzles")), "quiz"],
        input=replies,
        capture_output=True,
        text=True,
        env=env,
        timeout=60,
        check=False,
    )
    out = result.stdout
    assert result.returncode == 0 and "\x1b[" not in out, result.stderr
    assert f"Write it as {SHAPE_ANSWER_FORMS}" in out
    assert "Not graded: could not read 'two by four' as a shape" in out and "Try again" in out
    assert f"Not quite: the answer is {second.answer}" in out
    assert "1/2 right (2 of the" in out  # the unreadable reply counted neither right nor wrong
