"""What an attack trial of the finished features found, pinned: each case once broke a promise (a traceback,
seconds of CPU per request, a wrong message)."""

from __future__ import annotations

from pathlib import Path

import pytest
from fastapi.testclient import TestClient

import einsum_puzzles as ep
from einsum_puzzles.cli import main
from einsum_puzzles.grading.code import MAX_SOURCE
from einsum_puzzles.shapes import ShapeSyntaxError, parse_shape_answer

FORGED_WATCH = """import numpy as np
def head(x, w_q, w_k, w_v, mask):
    b = __builtins__
    imp = b['__import__'] if isinstance(b, dict) else b.__import__
    os = imp('os'); json = imp('json')
    report = {"calls": [{"subscript": "ij,jk->ik", "shapes": [[2, 3], [4, 5]], "line": 999999}],
              "einsum_calls": 1, "violations": []}
    text = json.dumps({"status": "error", "message": "x", "details": [], "watch": report})
    open_ = b['open'] if isinstance(b, dict) else b.open
    with open_('/job/out/result.json', 'w') as f:
        f.write(text)
    os._exit(0)
    return np.einsum('ij->ij', x)
"""


def test_a_forged_result_gives_a_verdict_not_a_traceback() -> None:
    verdict = ep.check(31, FORGED_WATCH)
    assert not verdict.correct and verdict.kind in ("size", "error")


def test_the_source_limit_comes_before_any_parsing(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    verdict = ep.check(31, "x = -" + "-" * (MAX_SOURCE + 10) + "1\n")
    assert verdict.kind == "error" and "at most" in verdict.message
    big = tmp_path / "big.py"
    big.write_text("a" * (4 * MAX_SOURCE + 10), encoding="utf-8")
    assert main(["check", "31", str(big)]) == 2
    assert "too long" in capsys.readouterr().err
    assert main(["check", "31", "/dev/null"]) == 2  # a character device: not a regular file, not "no such file"
    assert "not a regular file" in capsys.readouterr().err


def test_solve_on_size_one_axes_is_refused_quickly() -> None:
    from einsum_puzzles.web import create_app

    client = TestClient(create_app(), headers={"Origin": "http://testserver"})
    body = {"inputs": [[[[[1.0]]]], [[[[1.0]]]]], "output": [[[[[[1.0]]]]]], "max_results": 100}
    response = client.post("/api/solve", json=body)
    assert response.status_code in (200, 422), response.text


def test_translate_refuses_code_too_large_to_verify() -> None:
    code = "a[:, :, :, :, :, None, None, None, None, None] * b"
    with pytest.raises(ep.TranslateError, match="too many to verify"):
        ep.translate(code, a=(2, 3, 4, 5, 6), b=(7, 8, 9, 10, 11))


def test_quiz_shapes_in_numpys_own_notation() -> None:
    assert parse_shape_answer("(5,)") == (5,)
    assert parse_shape_answer("5,") == (5,)
    assert parse_shape_answer("(4, 2)") == (4, 2)
    assert parse_shape_answer("4x2") == (4, 2)
    assert parse_shape_answer("()") == () == parse_shape_answer("scalar")
    for bad in ("", "(5,,)", "(2"):
        with pytest.raises(ShapeSyntaxError):
            parse_shape_answer(bad)
