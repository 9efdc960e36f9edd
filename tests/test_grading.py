"""Grading: no false accepts, no false rejects, named mistakes, sandboxed code puzzles."""

from __future__ import annotations

import json
import time

import numpy as np
import pytest

import einsum_puzzles as ep
from einsum_puzzles.curriculum.catalog import ATTENTION_SOLUTION, HEAD_SOLUTION
from einsum_puzzles.curriculum.lint import CANDIDATE_AXIS_LIMIT, candidate_subscripts, implicit_spelling
from einsum_puzzles.grading import rule_problems

SMALL = [
    p
    for p in ep.puzzles()
    if p.kind == "subscript" and sum(len(s) for s in p.argument_shapes()) <= CANDIDATE_AXIS_LIMIT
]


def truly_right(puzzle: ep.Puzzle, subscript: str) -> bool:
    """Ground truth from an independent set of fresh draws (a seed the grader does not use)."""
    rng = np.random.default_rng(987654)
    for _ in range(3):
        inputs = puzzle.inputs(rng)
        try:
            got = np.einsum(subscript, *puzzle.einsum_arguments(inputs))
        except ValueError:
            return False
        expected = puzzle.expected(*inputs)
        if np.shape(got) != np.shape(expected) or not np.allclose(got, expected):
            return False
    return True


@pytest.mark.parametrize("puzzle", SMALL, ids=[f"puzzle-{p.id}" for p in SMALL])
def test_every_candidate_is_judged_right(puzzle: ep.Puzzle) -> None:
    accepted = rejected = 0
    for candidate in candidate_subscripts(puzzle.argument_shapes()):
        answer = candidate
        if puzzle.implicit_only:
            answer = implicit_spelling(candidate) or candidate
        right = truly_right(puzzle, answer) and (not puzzle.implicit_only or "->" not in answer)
        verdict = ep.check(puzzle.id, answer)
        assert verdict.correct == right, (answer, verdict.kind, verdict.message)
        accepted += verdict.correct
        rejected += not verdict.correct
    # Puzzles whose every answer needs '...' (the candidates never have one) accept none of them.
    assert (accepted >= 1 or all("..." in s for s in puzzle.solutions)) and rejected >= 1


# (puzzle, answer, kind, words the message must contain)
MISTAKES: list[tuple[int, str, str, list[str]]] = [
    (1, "i->", "shape", ["summed over 'i'", "keeps it"]),
    (2, "ijkl->lkji", "order", ["->ijkl"]),
    (2, "ijkl->ijk", "shape", ["summed over 'l'"]),
    (3, "i,j->ij", "shape", ["'i' and 'j'", "one axis"]),
    (3, "i,i->", "shape", ["summed over 'i'", "keeps it"]),
    (4, "ijk,ijk->kji", "order", ["->ijk"]),
    (4, "ijk,ijk->", "shape", ["summed over 'i'"]),
    (5, "i->i", "shape", ["kept 'i'", "sums over it"]),
    (6, "ij->i", "shape", ["kept 'i'"]),
    (6, "ii->", "size", ["'i'", "diagonal"]),
    (7, "i,i->i", "shape", ["kept 'i'"]),
    (7, "i,j->", "values", ["'i' and 'j'", "one axis"]),
    (8, "ij->j", "shape", ["kept 'j'", "summed over 'i'"]),
    (8, "ij->ji", "shape", ["kept 'j'"]),
    (9, "ij,ij->i", "shape", ["kept 'i'", "summed over 'j'"]),
    (9, "ij,ij->ij", "shape", ["kept 'i'"]),
    (10, "ijk->ij", "shape", ["kept 'j'", "summed over 'k'"]),
    (10, "ijk->ki", "order", ["->ik"]),
    (11, "ii->", "shape", ["summed over 'i'"]),
    (11, "ij->i", "values", ["'i' and 'j'", "diagonal"]),
    (12, "ii->i", "shape", ["kept 'i'"]),
    (12, "ij->", "values", ["'i' and 'j'", "diagonal"]),
    (13, "ij,j->ij", "shape", ["kept 'j'"]),
    (13, "ij,j->j", "shape", ["kept 'j'", "summed over 'i'"]),
    (14, "ijk,jk->ijk", "shape", ["kept 'j'", "kept 'k'"]),
    (15, "i,j->ji", "order", ["->ij"]),
    (15, "i,j->", "shape", ["summed over 'i'"]),
    (16, "i,jk->ikj", "order", ["->ijk"]),
    (17, "ij->ij", "order", ["->ji"]),
    (18, "ijk->kji", "order", ["->kij"]),
    (19, "ijkl->lkji", "order", ["->ljik"]),
    (20, "ijk,ijk->ijk", "order", ["->kij"]),
    (21, "ij,jk->ki", "order", ["->ik"]),
    (21, "ij,jk->ijk", "shape", ["kept 'j'", "sums over it"]),
    (21, "ij,kl->il", "values", ["'j' and 'k'", "one axis"]),
    (21, "ij,jk", "correct", []),
    (22, "ij,jk->ik", "order", ["->ki"]),
    (23, "ij,kj->ki", "order", ["->ik"]),
    (23, "ij,jk->ik", "size", ["'j'", "size 2", "size 4"]),
    (24, "ijk,kl->ij", "shape", ["summed over 'l'"]),
    (25, "bij,bjk->ik", "shape", ["summed over 'b'", "keeps it"]),
    (25, "bij,cjk->bik", "values", ["'b' and 'c'", "one axis"]),
    (26, "ijk,jl->il", "shape", ["summed over 'k'"]),
    (27, "ijk,li->jkl", "order", ["->kjl"]),
    (28, "ijk,jlm->im", "order", ["->mi"]),
    (29, "...ij->...ij", "order", ["->...ji"]),
    (30, "...j,jk->...j", "shape", ["kept 'j'", "summed over 'k'"]),
    (33, "bii->bi", "shape", ["kept 'i'"]),
    (35, "bct,bct->t", "shape", ["kept 't'", "summed over 'c'"]),
    (39, "ij,ij->i", "shape", ["'i'", "separate"]),
    (40, "i,ij,j->i", "shape", ["kept 'i'"]),
    (45, "ij,jk->ki", "rules", ["without an arrow"]),
    (45, "ij,jk", "order", ["sorted", "ij,jk->ik"]),
    (46, "ij", "order", ["sorted"]),
    (21, "ij,jk->ik->", "syntax", ["at most one arrow"]),
    (21, "ij->i", "operand_count", ["1 input term but 2 operands"]),
    (21, "ijk,jk->ik", "rank", ["3 labels", "2 dimensions"]),
    (21, "ij,jk->ix", "output", ["'x'", "does not appear"]),
    (21, "   ", "unsolved", ["not solved yet"]),
    (31, "", "unsolved", ["not solved yet"]),
]


def test_the_mistake_table_is_large() -> None:
    assert len(MISTAKES) >= 40
    assert len({kind for _, _, kind, _ in MISTAKES}) >= 10


@pytest.mark.parametrize(("number", "answer", "kind", "words"), MISTAKES, ids=[f"{m[0]}:{m[1]}" for m in MISTAKES])
def test_typical_mistakes_are_named(number: int, answer: str, kind: str, words: list[str]) -> None:
    verdict = ep.check(number, answer)
    assert verdict.kind == kind, verdict.message
    for word in words:
        assert word in verdict.message, (word, verdict.message)
    assert "Traceback" not in verdict.message


def test_verdict_renderings() -> None:
    verdict = ep.check(21, "ij,jk->ki")
    assert not verdict.correct and verdict.kind == "order"
    text = str(verdict)
    assert text.startswith("✗ Puzzle 21: Right values, wrong axis order")
    assert "What your subscript computes:" in text and "ij,jk->ki" in text
    data = verdict.to_dict()
    assert json.loads(json.dumps(data))["kind"] == "order"
    assert data["expected_shape"] == [3, 4] and data["got_shape"] == [4, 3]
    assert "ep-verdict" in verdict._repr_html_()
    assert ep.check(21, "ij,jk->ik").correct


def test_any_spelling_of_a_right_answer_is_right() -> None:
    for answer in ["ij,jk->ik", "ab,bc->ac", "IJ,JK->IK", " i j , j k -> i k ", "ij,jk", "...j,jk->...k", "Ab,bc->Ac"]:
        assert ep.check(21, answer).correct, answer


def test_verdicts_are_reproducible() -> None:
    first = ep.check(25, "bij,bjk->bki")
    second = ep.check(25, "bij,bjk->bki")
    assert first == second


def test_unknown_puzzle_and_backend() -> None:
    with pytest.raises(ep.UnknownPuzzle):
        ep.check(0, "i->i")
    with pytest.raises(LookupError, match="unknown backend 'fortran'"):
        ep.check(1, "i->i", backend="fortran")


def test_non_string_answers_do_not_crash() -> None:
    assert ep.check(1, None).kind == "unsolved"
    assert ep.check(1, 42).kind == "syntax"
    assert ep.check(1, "i\0->i").kind == "syntax"


# --- code puzzles --------------------------------------------------------------------------------

NUMPY_HEAD = """
import numpy as np

def head(x, w_q, w_k, w_v, mask):
    q, k, v = x @ w_q, x @ w_k, x @ w_v
    s = q @ k.transpose(0, 2, 1) / np.sqrt(k.shape[-1]) + mask
    w = np.exp(s - s.max(-1, keepdims=True))
    return (w / w.sum(-1, keepdims=True)) @ v
"""


def test_reference_solutions_pass() -> None:
    assert ep.check(31, HEAD_SOLUTION).correct
    assert ep.check(32, ATTENTION_SOLUTION).correct


def test_numpy_reference_without_einsum_breaks_the_rules() -> None:
    verdict = ep.check(31, NUMPY_HEAD)
    assert verdict.kind == "rules"
    assert "@ operator is not allowed" in verdict.message and "must use np.einsum" in verdict.message
    assert (
        "matmul is not allowed" in rule_problems("import numpy as np\ndef head(x):\n    np.matmul(x, x)\n", "head")[0]
    )


@pytest.mark.parametrize(
    ("number", "change", "reason"),
    [
        (31, (" + mask", ""), "without the causal mask"),
        (31, (" / np.sqrt(q.shape[-1])", ""), "without dividing the scores by sqrt(k)"),
        (31, ("axis=-1", "axis=-2"), "softmax over the query axis"),
        (32, (" + mask", ""), "without the causal mask"),
        (32, (" / np.sqrt(q.shape[-1])", ""), "without dividing the scores by sqrt(k)"),
    ],
)
def test_typical_attention_mistakes_fail_with_values(number: int, change: tuple[str, str], reason: str) -> None:
    solution = HEAD_SOLUTION if number == 31 else ATTENTION_SOLUTION
    verdict = ep.check(number, solution.replace(*change))
    assert verdict.kind == "values"
    assert reason in verdict.message


def test_an_infinite_loop_times_out_within_the_limit() -> None:
    source = (
        "import numpy as np\ndef head(x, w_q, w_k, w_v, mask):\n"
        "    np.einsum('i->i', x[0, 0])\n    while True:\n        pass\n"
    )
    start = time.monotonic()
    verdict = ep.check(31, source)
    assert verdict.kind == "timeout"
    assert time.monotonic() - start < 8


def test_a_raising_function_reports_its_own_line() -> None:
    source = (
        "import numpy as np\ndef head(x, w_q, w_k, w_v, mask):\n"
        "    q = np.einsum('bld,dk->blk', x, w_q)\n    return q[99]\n"
    )
    verdict = ep.check(31, source)
    assert verdict.kind == "error"
    assert "IndexError" in verdict.message
    assert any("line 4, in head: return q[99]" in line for line in verdict.details)
    assert not any("sandbox" in line for line in verdict.details)


def test_memory_hogs_and_syntax_errors_are_reported() -> None:
    hog = (
        "import numpy as np\ndef head(x, w_q, w_k, w_v, mask):\n"
        "    np.einsum('i->i', x[0, 0])\n    return np.ones(10**11)\n"
    )
    assert ep.check(31, hog).kind == "error"
    broken = "def head(x, w_q, w_k, w_v, mask)\n    return x\n"
    verdict = ep.check(31, broken)
    assert verdict.kind == "error" and "not valid Python" in verdict.message


def test_wrong_shape_and_rule_escapes() -> None:
    wrong = HEAD_SOLUTION.replace(
        'return np.einsum("blm,bmk->blk", weights, v)', 'return np.einsum("blm,bmk->bl", weights, v)'
    )
    assert ep.check(31, wrong).kind == "shape"
    sneaky = HEAD_SOLUTION.replace("import numpy as np", "import numpy as np\nimport os")
    assert ep.check(31, sneaky).kind == "rules"
    assert (
        ep.check(31, HEAD_SOLUTION.replace('np.einsum("bld,dk->blk", x, w_q)', "getattr(np, 'matmul')(x, w_q)")).kind
        == "rules"
    )


def test_refusals_name_the_operands_as_the_puzzle_does() -> None:
    import einsum_puzzles as ep

    assert "b has no term" in ep.check(21, "ijjk->ik").message  # not "operand 1"
    assert "a '.' in a's term is not part of an ellipsis" in ep.check(29, "..ij->..ji").message
    message = ep.check(25, "i,j->ij").message
    assert message.startswith("a's term ('i') has 1 label but a has 3 dimensions") and "operand" not in message
    assert "x_2 has no term" in ep.check(35, "ijk->j").message  # the second argument, named as shown
    assert "term 2 ('kl') has no operand" in ep.check(21, "ij,jk,kl->il").message  # no name to give it
