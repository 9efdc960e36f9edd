"""The content linter over the real course, plus the structure of the course itself."""

from __future__ import annotations

import ast
import inspect
from dataclasses import replace

import numpy as np
import pytest

import einsum_puzzles as ep
from einsum_puzzles.curriculum import (
    cheatsheet,
    lint,
    questions,
    section,
    sections,
    shape_questions,
    worked_examples,
)
from einsum_puzzles.curriculum.model import parse_example
from einsum_puzzles.curriculum.quiz import Question, ShapeQuestion

ALL = ep.puzzles()


def test_puzzles_1_to_32_and_at_least_16_more() -> None:
    ids = sorted(p.id for p in ALL)
    assert ids[:32] == list(range(1, 33))
    assert len([i for i in ids if i > 32]) >= 16
    assert len(ids) >= 70
    assert ids == list(range(1, len(ids) + 1))
    assert ep.puzzle(31).kind == ep.puzzle(32).kind == "code"
    assert ep.puzzle(31).function_name == "head" and ep.puzzle(31).input_names == ("x", "w_q", "w_k", "w_v", "mask")
    assert ep.puzzle(32).input_names == ("x", "w_q", "w_k", "w_v", "w_o", "mask")


def test_sections_follow_the_seed_order() -> None:
    order = [s.id for s in sections()]
    assert order[:13] == [
        "identity",
        "multiplication",
        "summation",
        "axis-sums",
        "diagonal",
        "broadcasting",
        "outer",
        "permutation",
        "matmul",
        "implicit",
        "ellipsis",
        "attention-head",
        "multi-head",
    ]
    seed_sections = {p.id: p.section for p in ALL if p.id <= 32}
    assert seed_sections[6] == "summation" and seed_sections[21] == "matmul" and seed_sections[29] == "ellipsis"


@pytest.mark.parametrize("puzzle", ALL, ids=[f"puzzle-{p.id}" for p in ALL])
def test_puzzle_passes_the_linter(puzzle: ep.Puzzle) -> None:
    assert lint.check_puzzle(puzzle) == []
    assert lint.check_prompts_and_hints(puzzle) == []
    assert lint.check_operand_names_are_not_labels(puzzle) == []


def test_lessons_give_no_answers_and_their_claims_run() -> None:
    assert lint.check_lessons_do_not_give_answers() == []
    assert lint.check_claims() == []
    assert lint.run_lesson_code() == []
    assert lint.check_explainer_names() == []
    assert lint.check_distinct_operands() == []


@pytest.mark.parametrize("puzzle", ALL, ids=[f"puzzle-{p.id}" for p in ALL])
def test_no_wrong_subscript_passes_the_shown_example(puzzle: ep.Puzzle) -> None:
    assert lint.check_no_wrong_candidate_passes_the_example(puzzle) == []


def test_no_two_puzzles_accept_the_same_answer() -> None:
    assert lint.check_no_duplicates() == []


def test_lessons_worked_examples_and_cheatsheet_run() -> None:
    assert lint.check_lessons() == []
    assert lint.check_cheatsheet() == []
    assert len(cheatsheet()) >= 30


def test_questions_hold() -> None:
    assert lint.check_questions() == []
    ids = [q.id for s in sections() for q in s.questions]  # numbered in course order, as the quiz lists them
    assert ids == [q.id for q in questions()] == [f"Q{i}" for i in range(1, len(ids) + 1)]
    # the seed's eight, in the summation, matmul, implicit and ellipsis lessons; its Q5-Q8 (why the matmul,
    # implicit and ellipsis answers are written as they are) keep the linter's exemption
    by_id = {q.id: q for q in questions()}
    seed = ["'i->i'", "'ij->ji'", "'ijk'", "add two", "'ij,kj->ik'", "'ij,jk->ik'", "without an arrow", "ellipsis"]
    assert [next(i for i, q in by_id.items() if snippet in q.text) for snippet in seed] == [
        "Q5", "Q6", "Q7", "Q8", "Q15", "Q16", "Q17", "Q18"
    ]  # fmt: skip
    assert {by_id[i].section for i in lint.SEED_QUESTIONS_ABOUT_ANSWERS} == {"matmul", "implicit", "ellipsis"}
    assert {"Q15", "Q16", "Q17", "Q18"} == lint.SEED_QUESTIONS_ABOUT_ANSWERS
    backwards = tuple(reversed(sections()))
    assert lint.question_id_problems(backwards, (questions(), shape_questions()))[0].startswith(
        "question ids are not Q1 to Q32 in course order: ['Q31', 'Q32', 'Q28'"
    )
    assert lint.question_id_problems(sections(), (tuple(reversed(questions())), shape_questions())) == [
        "quiz.py declares the Q questions out of course order; list them as numbered"
    ]


def test_every_section_has_questions_and_their_claims_are_computed() -> None:
    assert lint.check_question_coverage() == []
    assert lint.check_question_evidence() == []
    assert lint.check_questions_give_no_answers() == []
    # the sections the seed had no question for have 2 to 4 each now
    for section_id in ("identity", "multiplication", "permutation", "attention-head", "beyond", "from-numpy"):
        count = len(section(section_id).questions) + len(section(section_id).shape_questions)
        assert 2 <= count <= 4, section_id
    for section_id in ("cost", "dtype-views", "limits"):
        count = len(section(section_id).questions) + len(section(section_id).shape_questions)
        assert 2 <= count <= 4, section_id


def _always() -> bool:
    return True


def _runs_transpose() -> bool:
    return np.einsum("ij->ji", np.ones((2, 3))).shape == (3, 2)


def test_the_question_linter_catches_typed_claims() -> None:
    unrun = Question("Q1", "identity", "What does 'ij->ji' do?", "It transposes.", _always)
    assert lint.check_question_evidence([unrun]) == ["Q1: the question quotes 'ij->ji', which its check never runs"]
    original = np.einsum
    wrong_shape = Question("Q1", "identity", "What does 'ij->ji' do?", "It gives shape (3, 3).", _runs_transpose)
    assert lint.check_question_evidence([wrong_shape]) == [
        "Q1: the answer states shape (3, 3), which no einsum in its check has"
    ]
    right = Question("Q1", "identity", "What does 'ij->ji' do?", "It gives shape (3, 2).", _runs_transpose)
    assert lint.check_question_evidence([right]) == []
    assert np.einsum is original  # the recorder put numpy's function back


def test_the_question_linter_catches_given_away_answers_and_empty_sections() -> None:
    real = section("permutation")
    giveaway = ShapeQuestion("S99", "permutation", "ijkl->ljik", ((2, 3, 4, 5),), "reordered")
    leaky = replace(real, shape_questions=(giveaway,), questions=())
    assert any("an answer to puzzle 19" in problem for problem in lint.check_questions_give_no_answers([leaky]))
    attention = section("attention-head")
    quoting = Question("Q99", "attention-head", "Why is it 'blk,bmk->blm'?", "Because.", _always)
    assert lint.check_questions_give_no_answers([replace(attention, questions=(quoting,))]) == [
        "Q99: shows 'blk,bmk->blm', which the solution of puzzle 31 uses"
    ]
    empty = replace(real, questions=(), shape_questions=())
    assert lint.check_question_coverage([empty]) == [
        "section permutation: has no comprehension question; add one to quiz.py"
    ]
    shapes_only = replace(real, questions=())
    assert lint.check_question_coverage([shapes_only]) == [
        "section permutation: has no comprehension question; add one to quiz.py"
    ]
    assert lint.shape_question_problems([ShapeQuestion("S1", "identity", "ij->ji", ((2, 3),), " ")]) == [
        "S1: needs a short explanation (why)"
    ]


def test_q7_no_longer_claims_arrowless_cannot_transpose() -> None:
    q7 = next(q for q in questions() if q.id == "Q17")  # the seed's Q7
    assert "transposes" in q7.answer and "can't transpose" not in q7.answer


def test_shape_answers_are_computed() -> None:
    for question in shape_questions():
        assert question.answer == ep.bind(question.subscript, *question.shapes).output_shape
        assert question.subscript in question.text


def test_the_seed_errata_are_fixed() -> None:
    # 6 is no longer a copy of 3
    assert ep.puzzle(6).solutions != ep.puzzle(3).solutions
    assert not ep.check(6, "i,i->i").correct
    # 18: prompt and target agree on (4, 2, 3)
    p18 = ep.puzzle(18)
    assert "(4, 2, 3)" in p18.prompt and p18.target_shape == (4, 2, 3)
    # 23: a wrong transposed answer no longer passes
    assert ep.check(23, "ij,kj->ki").kind == "order"
    # 14 and 30 have clean task statements
    assert "allclose" not in ep.puzzle(14).prompt and ep.puzzle(30).prompt
    # distinct operands wherever the seed reused one array
    for number in (3, 4, 9, 20, 23):
        a, b = ep.puzzle(number).inputs()
        assert not np.array_equal(a, b)


def test_shown_inputs_are_reproducible_and_fresh_ones_differ() -> None:
    p = ep.puzzle(21)
    assert all(np.array_equal(x, y) for x, y in zip(p.inputs(), p.inputs()))
    rng = np.random.default_rng(0)
    fresh = p.inputs(rng)
    assert [np.shape(a) for a in fresh] != [np.shape(a) for a in p.inputs()]
    assert fresh[0].dtype.kind == "f"  # fresh values are random floats, not the shown integers
    for seed in range(20):
        sizes = p.fresh_sizes(np.random.default_rng(seed))
        assert len(set(sizes.values())) == len(sizes) and min(sizes.values()) >= 2


def test_worked_example_parsing() -> None:
    assert parse_example("ij,jk->ik 2x3 3x4") == ("ij,jk->ik", ((2, 3), (3, 4)))
    assert parse_example(",i->i scalar 3") == (",i->i", ((), (3,)))
    assert worked_examples("text\n```einsum\ni->i 3\n```\n") == [("i->i", ((3,),))]


def test_reference_code_uses_no_einsum() -> None:
    from einsum_puzzles.curriculum import reference

    tree = ast.parse(inspect.getsource(reference))
    assert not any(isinstance(n, ast.Attribute) and n.attr == "einsum" for n in ast.walk(tree))


def test_unknown_puzzle_lists_the_range() -> None:
    with pytest.raises(ep.UnknownPuzzle, match="numbered 1 to"):
        ep.puzzle(999)
