"""/translate's live preview (always 200: an unfinished expression is data, not an HTTP error) and the
message for an operand whose shape is missing, on every face (Python, command line, notebook, API, page)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

import einsum_puzzles as ep
from einsum_puzzles.find import MissingShape


@pytest.fixture
def client(tmp_path: Any) -> Any:
    from fastapi.testclient import TestClient

    from einsum_puzzles.web import create_app

    with TestClient(create_app(tmp_path / "web.sqlite3")) as test_client:
        yield test_client


def test_preview_answers_every_prefix_with_200(client: Any) -> None:
    code = "np.tensordot(a, b, axes=([1], [0])).sum(axis=1).T"
    operands = "a=2x3 b=3x4x5"
    for end in range(1, len(code) + 1):
        answer = client.get("/api/translate/preview", params={"code": code[:end], "operands": operands})
        assert answer.status_code == 200, code[:end]
        data = answer.json()
        assert isinstance(data["valid"], bool)
        if not data["valid"]:
            assert data["message"] and "Traceback" not in data["message"]
    assert data["valid"] is True and data["call"] == 'np.einsum("ij,jkl->li", a, b)'
    assert 'class="ep-explain"' in data["html"]
    for end in range(len(operands)):  # the shapes half-typed
        answer = client.get("/api/translate/preview", params={"code": code, "operands": operands[:end]})
        assert answer.status_code == 200 and isinstance(answer.json()["valid"], bool), operands[:end]
        if operands[:end] in ("a", "a=", "a=2x", "a=2x3 b", "a=2x3 b=", "a=2x3 b=3x4x"):
            assert answer.json()["valid"] is False and answer.json()["message"]


@pytest.mark.parametrize(
    ("code", "operands", "error", "message"),
    [
        ("", "", "empty", "Type numpy code to see its einsum."),
        ("np.sum(a", "a=2x3", "unfinished", "Not finished yet: “np.sum(a” — its ( at column 7 is still open."),
        ("np.sum(a))", "a=2x3", "translate", "np.sum(a)) at column 10: this is not valid Python (unmatched ')')"),
        ("a + b", "a=2 b=2", "translate", "a + b at column 1: einsum only multiplies and sums"),
        ("a", "a=2y", "operands", "a: cannot read the shape '2y'"),
        ("a", "a=2x3 b", "operands", "cannot read 'b': write each operand as NAME=SHAPE, e.g. a=2x5"),
        ("a * " * 600 + "a", "a=2", "limit", "at most 2000 can be translated"),
        ("a", "a=100000x100000", "operands", "at most 1000000 elements"),
    ],
)
def test_preview_refusals_are_data(client: Any, code: str, operands: str, error: str, message: str) -> None:
    answer = client.get("/api/translate/preview", params={"code": code, "operands": operands})
    assert answer.status_code == 200
    data = answer.json()
    assert data["valid"] is False and data["error"] == error
    assert message in data["message"], data["message"]


def test_preview_refusal_locates_the_operation(client: Any) -> None:
    data = client.get("/api/translate/preview", params={"code": "np.sum(a + b, axis=0)", "operands": "a=2 b=2"}).json()
    assert (data["operation"], data["line"], data["column"]) == ("a + b", 1, 8)


def test_public_api_keeps_its_422(client: Any) -> None:
    refused = client.post("/api/translate", json={"code": "a +", "operands": {"a": [2]}})
    assert refused.status_code == 422 and refused.json()["error"] == "translate"


# --- a missing shape, on every face -------------------------------------------------------------------


def test_python_says_the_shape_is_missing() -> None:
    with pytest.raises(MissingShape) as caught:
        ep.translate("a @ b", b=(3, 4))
    error = caught.value
    assert isinstance(error, ep.TranslateError) and error.name == "a" and error.given == ("b",)
    assert str(error) == (
        "a at column 1: a's shape is missing (shapes were given for b only); "
        "pass it as a keyword with its sizes, such as translate(code, a=(2, 3)), or pass the array itself"
    )
    # the way it says works
    assert ep.translate("a @ b", a=(2, 3), b=(3, 4)).subscript == "ij,jk->ik"


def test_python_names_the_first_missing_operand_when_none_is_given() -> None:
    with pytest.raises(MissingShape, match=r"^a at column 1: a's shape is missing; pass it"):
        ep.translate("a @ b")


def test_self_update_of_an_input_is_a_missing_shape() -> None:
    with pytest.raises(MissingShape, match=r"c at line 1, column 5: c's shape is missing"):
        ep.translate("c = c @ a\nc", a=(2, 2))


def test_a_name_used_before_its_assignment_is_not_called_missing() -> None:
    with pytest.raises(ep.TranslateError) as caught:
        ep.translate("d = c.T\nc = a @ b\nd", a=(2, 3), b=(3, 4))
    assert not isinstance(caught.value, MissingShape)
    assert str(caught.value) == "c at line 1, column 5: c is used before the line that assigns it; assign c first"


def test_command_line_says_how_to_give_the_shape() -> None:
    script = Path(sys.executable).with_name("einsum-puzzles")
    env = dict(os.environ, NO_COLOR="1")
    done = subprocess.run([str(script), "translate", "a @ b", "b=3x4"], capture_output=True, text=True, env=env)
    assert done.returncode == 2 and "Traceback" not in done.stderr
    assert done.stderr.startswith(
        "error: a at column 1: a's shape is missing (shapes were given for b only); "
        "add a=SHAPE after the code with its sizes, such as a=2x3 (or a=file.npy)\n"
    )
    fixed = subprocess.run(
        [str(script), "translate", "a @ b", "b=3x4", "a=2x3"], capture_output=True, text=True, env=env
    )
    assert fixed.returncode == 0 and 'np.einsum("ij,jk->ik", a, b)' in fixed.stdout


def test_notebook_says_how_to_give_the_shape(capsys: pytest.CaptureFixture[str]) -> None:
    import numpy as np

    from einsum_puzzles.jupyter import translate_magic

    assert translate_magic("a @ b -- b=3x4", namespace={}) is None
    out = capsys.readouterr().out
    assert "a's shape is missing (shapes were given for b only); define the array a in the notebook" in out
    assert "%einsum_translate a @ b -- b=3x4 a=2x3" in out
    assert translate_magic("a @ b -- b=3x4 a=2x3").subscript == "ij,jk->ik"  # the suggestion works
    assert translate_magic("b=3x4", cell="c = a @ b\nc.T") is None
    assert "on the %%einsum_translate line: %%einsum_translate b=3x4 a=2x3" in capsys.readouterr().out
    assert translate_magic("a @ b", namespace={"a": [[1.0, 2.0]], "b": np.ones((2, 3))}) is None
    assert "a in this notebook is a list, not a numpy array: make it one with np.asarray" in capsys.readouterr().out


def test_api_and_page_say_how_to_give_the_shape(client: Any) -> None:
    api = client.post("/api/translate", json={"code": "a @ b", "operands": {"b": [3, 4]}})
    assert api.status_code == 422
    assert api.json()["message"] == (
        "a at column 1: a's shape is missing (shapes were given for b only); "
        'add it to "operands" with its sizes, such as "a": [2, 3]'
    )
    live = client.get("/api/translate/preview", params={"code": "a @ b", "operands": "b=3x4"}).json()
    hint = (
        "a's shape is missing (shapes were given for b only); add it under Operand shapes with its sizes, such as a=2x3"
    )
    assert live["valid"] is False and hint in live["message"]
    page = client.get("/translate", params={"code": "a @ b", "operands": "b=3x4"})
    assert hint.replace("'", "&#39;") in page.text
    assert "not an operand" not in page.text
    assert client.get("/api/translate/preview", params={"code": "a @ b", "operands": "b=3x4 a=2x3"}).json()["valid"]
