"""The command line: explain, its JSON, exit codes and bad input."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from einsum_puzzles.cli import UsageError, main, parse_shape


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = main(list(args))
    out, err = capsys.readouterr()
    return code, out, err


def test_explain_text(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "explain", "ij,jk->ik", "2x3", "3x4")
    assert code == 0
    assert "a.shape = (2, 3); i=2, j=3" in out
    assert "output: (2, 4)" in out
    assert "'j' is not in the output: it is summed over" in out
    assert "Matrix product" in out
    assert "out[i, k] = Σ_j a[i, j] · b[j, k]" in out
    assert "t0 = np.tensordot(a, b, axes=([1], [0]))" in out


def test_explain_json_schema(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "explain", "ii", "3x3", "--json")
    assert code == 0
    data = json.loads(out)
    assert data["canonical"] == "ii->"
    assert data["output_shape"] == []
    assert data["roles"]["i"]["diagonal"] == ["a"]
    assert data["operation"] == "trace"
    assert [step["kind"] for step in data["steps"]] == ["diagonal", "sum"]
    assert set(data) >= {"diagram", "prose", "formula", "loops", "numpy_code", "sizes", "shapes"}


def test_scalar_shape(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "explain", ",i->i", "scalar", "3")
    assert code == 0
    assert "output: (3,)" in out


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["explain", "ij,jk->ik", "2x3", "4x5"], "error (size): label 'j' has size 3"),
        (["explain", "ij", "3x"], "cannot read the shape '3x'"),
        (["explain", "i,j", "3"], "error (operand_count)"),
        (["explain", "i->j", "3"], "error (output)"),
        (["explain", "i\0", "3"], "NUL character"),
    ],
)
def test_bad_input_exits_2_with_a_message(capsys: pytest.CaptureFixture[str], args: list[str], message: str) -> None:
    code, _, err = run(capsys, *args)
    assert code == 2
    assert message in err
    assert "Traceback" not in err


def test_parse_shape() -> None:
    assert parse_shape("3x2") == (3, 2)
    assert parse_shape("scalar") == ()
    assert parse_shape("7") == (7,)
    with pytest.raises(UsageError):
        parse_shape("3x-1")


def test_console_script_runs() -> None:
    done = subprocess.run(
        [sys.executable, "-m", "einsum_puzzles.cli", "explain", "i,i", "3", "3"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert "output: ()" in done.stdout
