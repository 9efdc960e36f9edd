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
