"""``einsum-puzzles play`` end to end in a pseudo-terminal (pexpect)."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import pexpect
import pytest

SCRIPT = Path(sys.executable).with_name("einsum-puzzles")


def spawn(home: Path) -> pexpect.spawn:
    env = dict(os.environ, EINSUM_PUZZLES_HOME=str(home), NO_COLOR="1", PROMPT_TOOLKIT_NO_CPR="1", TERM="xterm")
    child = pexpect.spawn(str(SCRIPT), ["play"], env=env, encoding="utf-8", timeout=30, dimensions=(50, 160))
    return child


@pytest.mark.skipif(not SCRIPT.exists(), reason="the console script is not installed next to this Python")
def test_play_solves_hints_quits_and_resumes(tmp_path: Path) -> None:
    child = spawn(tmp_path)
    child.expect("Puzzle 1: Vector identity")
    child.expect(r"\[1\] >")
    child.sendline("i->")
    child.expect("Wrong shape")
    child.expect(r"\[1\] >")
    child.sendline("i->i")
    child.expect("Correct")
    child.expect("Puzzle 2: Tensor identity")
    child.expect(r"\[2\] >")
    child.sendline(":hint")
    child.expect("Hint 1/2")
    child.expect(r"\[2\] >")
    child.sendline("abcd->abcd")
    child.expect("Correct")
    child.expect("Puzzle 3: Multiply two vectors")
    child.expect(r"\[3\] >")
    child.sendline(":quit")
    child.expect("Progress saved")
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 0

    again = spawn(tmp_path)
    again.expect("Puzzle 3: Multiply two vectors")
    again.expect(r"\[3\] >")
    again.sendline(":explain i,j->ij")
    again.expect("output: \\(10, 10\\)")
    again.expect(r"\[3\] >")
    again.sendcontrol("d")
    again.expect("Progress saved")
    again.expect(pexpect.EOF)
    again.close()
    assert again.exitstatus == 0


# --- in-process, with a scripted reader (fast) ------------------------------------------------------
def scripted(lines: list[str]) -> object:
    replies = iter(lines)

    def read(prompt: str) -> str:
        print(prompt, end="")
        try:
            return next(replies)
        except StopIteration:
            raise EOFError from None

    return read


def play_lines(
    lines: list[str], home: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> str:
    from einsum_puzzles.play import play

    monkeypatch.setenv("EINSUM_PUZZLES_HOME", str(home))
    monkeypatch.setenv("NO_COLOR", "1")
    assert play(read=scripted(lines)) == 0  # type: ignore[arg-type]
    return capsys.readouterr().out


def test_list_marks_solved_puzzles_without_colour(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    out = play_lines(["i->i", ":list", ":quit"], tmp_path, capsys, monkeypatch)
    assert "\033[" not in out
    listing = out.split("[2] > ", 1)[1]
    assert "Identity: naming the axes" in listing and "✓1 ·2" in listing
    from einsum_puzzles import puzzles

    assert f"1/{len(puzzles())} solved (✓ solved, · not yet)" in listing


def test_explain_takes_shapes_like_the_explain_command(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    out = play_lines(
        [":explain ij,jk->ik 2x3 3x4", ":explain ij,jk->ik 2x", ":explain i->i"], tmp_path, capsys, monkeypatch
    )
    assert "output: (2, 4)" in out  # the shapes typed
    assert "cannot read the shape '2x'" in out
    assert "output: (10,)" in out  # without shapes: the puzzle's own inputs


def test_prompts_say_what_to_type(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    out = play_lines([":goto 31", ":quit"], tmp_path, capsys, monkeypatch)
    assert "Type the subscript (for example ij,jk->ik) and press Enter." in out
    assert "einsum-puzzles check" not in out  # one types the answer here, no command
    assert "Type :edit to write it in your editor, or type the path of your .py file." in out
    assert "[31] file or :edit > " in out


def test_solution_asks_first_as_the_command_does(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    from einsum_puzzles.cli import solution_question
    from einsum_puzzles.curriculum import puzzle
    from einsum_puzzles.progress import Progress

    out = play_lines([":solution", "n"], tmp_path, capsys, monkeypatch)
    assert solution_question(puzzle(1)) in out and "Not shown." in out and "i->i" not in out.split("[y/N]")[1]
    with Progress() as progress:
        assert progress.revealed() == set()
    out = play_lines([":solution", "y"], tmp_path, capsys, monkeypatch)
    assert "i->i" in out.split("[y/N]")[1]
    with Progress() as progress:
        assert progress.revealed() == {1}
    out = play_lines(["i->i", ":goto 1", ":solution"], tmp_path, capsys, monkeypatch)  # solved: no question
    assert "[y/N]" not in out


def test_an_empty_answer_names_what_the_learner_sees() -> None:
    import einsum_puzzles as ep

    empty = ep.check(21, "")
    assert empty.kind == "unsolved" and "the answer is empty" in empty.message and "placeholder" not in empty.message
    placeholder = ep.check(21, "<YOUR_ANSWER_HERE>")
    assert "replace '<YOUR_ANSWER_HERE>' with a subscript" in placeholder.message
