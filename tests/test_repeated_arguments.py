"""An input passed twice (``np.einsum(ANSWER, x, x)``) is drawn as ``x`` and ``x_2``: wherever that made-up
name is first shown (terminal ``show`` and ``check``, the puzzle page, verdicts, /translate), it is said
once what it stands for."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from html import unescape
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

import einsum_puzzles as ep
from einsum_puzzles import curriculum
from einsum_puzzles.argnames import distinct_names, repeat_note
from einsum_puzzles.web import create_app

REPEATING = [p.id for p in curriculum.puzzles() if len(set(p.argument_indices)) < len(p.argument_indices)]
X_2 = "x_2 is the second argument: the same array x, passed again."


def test_the_course_has_puzzles_that_pass_an_input_twice() -> None:
    assert 35 in REPEATING and 43 in REPEATING and len(REPEATING) >= 5


@pytest.mark.parametrize("number", REPEATING)
def test_the_note_names_each_made_up_name_by_its_position(number: int) -> None:
    p = curriculum.puzzle(number)
    arguments = [p.input_names[i] for i in p.argument_indices]
    assert distinct_names(arguments) == p.argument_names  # the note explains the names the diagrams use
    note = p.argument_note()
    made_up = [name for name, base in zip(p.argument_names, arguments) if name != base]
    assert made_up and note.count(" passed again.") == len(made_up)
    for name in made_up:
        position = p.argument_names.index(name)
        base = arguments[position]
        inputs = p.inputs()
        assert p.einsum_arguments(inputs)[position] is inputs[p.input_names.index(base)]  # truly the same array
        assert f"{name} is the " in note and f"the same array {base}, passed again." in note


def test_repeat_note_cases() -> None:
    assert repeat_note(["x", "x"]) == X_2
    assert repeat_note(["A", "P", "P"]) == "P_2 is the third argument: the same array P, passed again."
    assert repeat_note(["x", "x", "x"], "x_3 only") == "x_3 is the third argument: the same array x, passed again."
    assert repeat_note(["x", "x"], "nothing about it; x_22 and ax_2 are other names") == ""
    assert repeat_note(["a", "b"]) == ""
    assert curriculum.puzzle(1).argument_note() == ""


def _cli(*args: str, home: Path) -> subprocess.CompletedProcess[str]:
    script = Path(sys.executable).with_name("einsum-puzzles")
    env = dict(os.environ, NO_COLOR="1", EINSUM_PUZZLES_HOME=str(home))
    return subprocess.run([str(script), *args], capture_output=True, text=True, env=env, check=False)


def test_terminal_show_and_check_say_it_once(tmp_path: Path) -> None:
    show = _cli("show", "35", home=tmp_path)
    assert show.returncode == 0 and "\033[" not in show.stdout
    assert "Your answer is used as np.einsum(ANSWER, x, x);" in show.stdout
    assert f"In diagrams and messages, {X_2}" in show.stdout and show.stdout.count("passed again") == 1
    wrong = _cli("check", "35", "ijk,ijk->i", home=tmp_path)
    assert wrong.returncode == 1 and "x_2.shape = (2, 3, 5)" in wrong.stdout
    assert wrong.stdout.count(X_2) == 1
    assert wrong.stdout.index(X_2) < wrong.stdout.index("x_2.shape")  # said before the diagram uses it
    unrelated = _cli("check", "35", "ijk,ijk->ii", home=tmp_path)  # a verdict that names no x_2 says nothing of it
    assert unrelated.returncode == 1 and "x_2" not in unrelated.stdout
    plain = _cli("show", "21", home=tmp_path)
    assert "passed again" not in plain.stdout


def test_verdict_details_carry_the_note_for_python_and_the_api() -> None:
    verdict = ep.check(43, "ij,ik,il->kl")
    text = str(verdict)
    assert "P_2's term" in verdict.message and "P_2.shape" in text
    assert verdict.details[0] == "P_2 is the third argument: the same array P, passed again."
    assert text.count("passed again") == 1
    assert verdict.to_dict()["details"][0] == verdict.details[0]  # what POST /api/check returns
    right = ep.check(35, "ijk,ijk->j")
    assert right.correct and "passed again" not in str(right)


@pytest.fixture
def client(tmp_path: Path) -> Iterator[TestClient]:
    with TestClient(create_app(tmp_path / "web.sqlite3")) as test_client:
        yield test_client


def test_puzzle_page_says_it_once(client: TestClient) -> None:
    page = unescape(client.get("/puzzles/35").text)
    assert "used as <code>np.einsum(ANSWER, x, x)</code>" in page  # the call as written, not x, x_2
    assert f'<p class="muted" id="argument-note">In the pictures and messages below, {X_2}</p>' in page
    assert 'aria-describedby="argument-note"' in page
    checked = unescape(client.post("/puzzles/35/check", data={"answer": "ijk,ijk->i"}).text)
    assert checked.count("passed again") == 1  # the page's note; the verdict does not repeat it
    assert "argument-note" not in client.get("/puzzles/21").text


def test_translate_says_what_v_2_is(client: TestClient) -> None:
    translation = ep.translate("np.outer(v, v)", v=(3,))
    assert translation.names_note() == "v_2 is the second argument: the same array v, passed again."
    assert ep.translate("a @ b", a=(2, 3), b=(3, 4)).names_note() == ""
    assert f"<p>{translation.names_note()}</p>" in translation._repr_html_()  # in a notebook
    data = client.get("/api/translate/preview", params={"code": "np.outer(v, v)", "operands": "v=3"}).json()
    assert data["names_note"] == translation.names_note() and "v_2" in data["html"]
    page = unescape(client.get("/translate", params={"code": "np.outer(v, v)", "operands": "v=3"}).text)
    assert f"In the picture and text below, {translation.names_note()}" in page
    script = Path(sys.executable).with_name("einsum-puzzles")
    done = subprocess.run(
        [str(script), "translate", "np.outer(v, v)", "v=3"],
        capture_output=True,
        text=True,
        env=dict(os.environ, NO_COLOR="1"),
        check=False,
    )
    assert done.returncode == 0 and f"below, {translation.names_note()}" in done.stdout
