"""Issue 16, the course's second edition: each false sentence the review found is pinned as fixed, the
lost cheatsheet lines are back, and the new linter rules catch what they are meant to catch."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import numpy as np
import pytest

import einsum_puzzles as ep
from einsum_puzzles import curriculum
from einsum_puzzles.curriculum import cheatsheet, lint, section
from einsum_puzzles.curriculum.cheats import CheatEntry
from einsum_puzzles.curriculum.model import Puzzle, Section
from einsum_puzzles.curriculum.reference import attention_reference, causal_mask, head_reference
from einsum_puzzles.errors import EinsumError
from einsum_puzzles.notebook import CHEATSHEET_CELL


def test_puzzle_41_no_longer_says_einsum_chooses_the_order() -> None:
    note = ep.puzzle(41).note
    assert "chooses the order" not in note
    assert "optimize=False" in note and "optimize=True" in note
    a = np.ones((20, 20))
    _, report = np.einsum_path("ij,jk,kl->il", a, a, a, optimize="optimal")
    naive = float(re.search(r"Naive FLOP count:\s+(\S+)", report).group(1))  # type: ignore[union-attr]
    paired = float(re.search(r"Optimized FLOP count:\s+(\S+)", report).group(1))  # type: ignore[union-attr]
    assert naive > 10 * paired  # the default's single loop does far more work


def test_dropped_ellipsis_error_says_it_depends_on_optimize() -> None:
    with pytest.raises(EinsumError, match="optimize=False") as caught:
        ep.bind("...ij->ij", (2, 3, 4))
    assert "optimize=True it does" in caught.value.message
    assert np.einsum("...ij->ij", np.ones((2, 3, 4)), optimize=True).shape == (3, 4)
    with pytest.raises(ValueError):
        np.einsum("...ij->ij", np.ones((2, 3, 4)))


def test_ellipsis_lesson_says_the_rule_depends_on_optimize() -> None:
    lesson = section("ellipsis").lesson
    assert "optimize=False" in lesson and "optimize=True" in lesson


def test_implicit_rule_puts_the_ellipsis_first() -> None:
    lesson = section("implicit").lesson
    assert "ellipsis dimensions (if any), then every letter" in " ".join(lesson.split())
    assert np.einsum("ji...", np.ones((2, 3, 5))).shape == (5, 3, 2)
    assert np.einsum("ij...", np.ones((2, 3, 5))).shape == ep.bind("ij...", (2, 3, 5)).output_shape == (5, 2, 3)
    examples = [subscript for subscript, _ in curriculum.worked_examples(lesson)]
    for surprise in ("kij", "ii", "ij..."):
        assert surprise in examples


def test_matmul_and_implicit_examples_are_not_square() -> None:
    for section_id in ("matmul", "implicit"):
        for subscript, shapes in curriculum.worked_examples(section(section_id).lesson):
            out = ep.bind(subscript, *shapes).output_shape
            if len(out) == 2:
                assert out[0] != out[1], (subscript, shapes)


SEVEN = ["ij,ij->ij", "ij,ij->j", "ij,ij->i", "ik,jk->", "ik,jk->j", "ikl,jkl->j", "ijm,lkm->il"]


def test_the_seven_lost_cheatsheet_lines_are_back() -> None:
    subscripts = [entry.subscript for entry in cheatsheet()]
    for line in SEVEN:
        assert line in subscripts
    assert len(subscripts) == len(set(subscripts))
    assert lint.check_cheatsheet() == []


def _run_cell(entries: tuple[CheatEntry, ...], monkeypatch: pytest.MonkeyPatch) -> str:
    import contextlib
    import io

    monkeypatch.setattr(curriculum, "cheatsheet", lambda: entries)
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        exec(compile(CHEATSHEET_CELL, "<cell>", "exec"), {"np": np})
    return out.getvalue()


def test_notebook_cheatsheet_cell_fails_on_a_wrong_line(monkeypatch: pytest.MonkeyPatch) -> None:
    good = CheatEntry("two matrices", "elementwise product", "ij,ij->ij", "x * y", ((3, 2), (3, 2)))
    assert "ok" in _run_cell((good,), monkeypatch)
    wrong = CheatEntry("two matrices", "elementwise product", "ij,ij->ij", "x * x", ((3, 2), (3, 2)))
    with pytest.raises(AssertionError, match="ij,ij->ij"):
        _run_cell((good, wrong), monkeypatch)


def test_lessons_show_the_plain_numpy_attention_and_it_agrees_with_the_reference() -> None:
    rng = np.random.default_rng(3)
    scope: dict[str, Any] = {}
    for block in re.findall(r"```python\n(.*?)```", section("attention-head").lesson, flags=re.S):
        exec(block, scope)
    x, w = rng.standard_normal((2, 6, 4)), rng.standard_normal((3, 4, 3))
    np.testing.assert_allclose(scope["head_numpy"](x, *w, causal_mask(6)), head_reference(x, *w, causal_mask(6)))
    scope = {}
    for block in re.findall(r"```python\n(.*?)```", section("multi-head").lesson, flags=re.S):
        exec(block, scope)
    x, w, w_o = rng.standard_normal((2, 6, 8)), rng.standard_normal((3, 8, 4, 3)), rng.standard_normal((4, 3, 8))
    np.testing.assert_allclose(
        scope["attention_numpy"](x, *w, w_o, causal_mask(6)), attention_reference(x, *w, w_o, causal_mask(6))
    )


def test_lesson_14_and_the_new_lessons_have_content() -> None:
    ids = [s.id for s in curriculum.sections()]
    assert ids.index("beyond") < ids.index("cost") < ids.index("dtype-views") < ids.index("limits")
    for section_id in ("beyond", "cost", "dtype-views", "limits", "attention-head", "multi-head"):
        lesson = section(section_id).lesson
        assert len(lesson.split()) > 120, section_id
        assert curriculum.worked_examples(lesson), section_id
    assert "einsum_path" in section("cost").lesson
    assert "einops" in section("limits").lesson


def test_puzzle_30_requires_the_ellipsis() -> None:
    assert ep.check(30, "...j,jk->...k").correct
    verdict = ep.check(30, "ijk,kl->ijl")
    assert not verdict.correct
    assert "let '...' stand for the axes you do not name" in verdict.message
    assert "same size" not in verdict.message
    assert ep.check(44, "...ij,...j->...i").correct
    assert not ep.check(44, "bij,bj->bi").correct


@pytest.mark.parametrize(
    ("number", "cheap", "costly"),
    [(66, "ni,nj->ij", "id,jd->ij"), (67, "ij,ji->", "ij,jk->ik"), (68, "ni,ij,nj->n", "ni,ij,mj->nm")],
)
def test_read_this_cost_puzzles_check_the_choice(number: int, cheap: str, costly: str) -> None:
    assert ep.puzzle(number).kind == "subscript"
    assert ep.check(number, cheap).correct
    assert not ep.check(number, costly).correct


def test_replaced_near_duplicates_are_new_skills() -> None:
    assert ep.puzzle(35).solutions == ("bct,bct->c",)
    assert ep.puzzle(36).solutions == ("ii,i->",)
    assert ep.puzzle(51).solutions == ("bhnd,bhne->bhde",)
    assert ep.puzzle(52).solutions == ("bid,ijd->bij",)


def test_worked_examples_are_not_answers_of_their_section() -> None:
    for number, section_id in [(1, "identity"), (3, "multiplication"), (21, "matmul"), (29, "ellipsis")]:
        for subscript, _ in curriculum.worked_examples(section(section_id).lesson):
            assert subscript not in ep.puzzle(number).solutions


# --- the linter rules catch what they are for -----------------------------------------------------------


def _fixture(prompt: str, hints: tuple[str, ...]) -> Puzzle:
    return Puzzle(
        id=990,
        section="fx",
        title="Fixture product",
        prompt=prompt,
        operands=(("a", "ij"), ("b", "jk")),
        sizes={"i": 2, "j": 3, "k": 4},
        expected_fn=lambda a, b: a @ b,
        solutions=("ij,jk->ik",),
        hints=hints,
    )


@pytest.fixture
def fixture_course() -> Iterator[None]:
    yield
    curriculum.use_course(None)


@pytest.mark.parametrize(
    ("prompt", "hints", "problem"),
    [
        ("Compute out[i, k] for a and b.", ("Share a letter.", "Sum it."), "spells the answer's letters"),
        ("Compute a @ b.", ("Share a letter.", "Write ij,jk->ik."), "hint 2 contains a full answer"),
        ("Compute a @ b, that is `ab,bc->ac`.", ("Share a letter.", "Sum it."), "prompt contains a full answer"),
    ],
)
def test_prompt_and_hint_rules_catch_giveaways(
    fixture_course: None, prompt: str, hints: tuple[str, ...], problem: str
) -> None:
    p = _fixture(prompt, hints)
    curriculum.use_course((Section("fx", "Fixture", "# Fixture\n", (p,)),))
    assert any(problem in found for found in lint.check_prompts_and_hints(p))
    clean = _fixture("Compute a @ b.", ("Share a letter.", "Sum it."))
    curriculum.use_course((Section("fx", "Fixture", "# Fixture\n", (clean,)),))
    assert lint.check_prompts_and_hints(clean) == []


def test_lesson_rule_catches_an_example_that_answers_a_puzzle(fixture_course: None) -> None:
    p = _fixture("Compute a @ b.", ("Share a letter.", "Sum it."))
    lesson = "# Fixture\n\nA product:\n\n```einsum\nxy,yz->xz 2x3 3x4\n```\n"
    curriculum.use_course((Section("fx", "Fixture", lesson, (p,)),))
    assert lint.check_lessons_do_not_give_answers() == [
        "section fx: the lesson shows 'xy,yz->xz', an answer to puzzle 990"
    ]


def test_claim_rule_runs_the_claims() -> None:
    assert lint.claims("so `ij,jk->ik` is `a @ b` here") == [("ij,jk->ik", "a @ b")]
    assert lint.claims("`abc->abc` does what `ijk->ijk` does") == [("abc->abc", "ijk->ijk")]
    assert lint.claims("`ij,ji->ij` pairs them, which is `a * b.T`, not `a * b`.") == [("ij,ji->ij", "a * b.T")]
    assert lint.claims("`ij,jk->ik` is no product (`a @ b` raises there).") == []
    assert any(claim[0] == "ijk->i" for section in curriculum.sections() for claim in lint.claims(section.lesson))


def test_claim_rule_catches_a_false_claim(fixture_course: None) -> None:
    lesson = "# Fixture\n\nNote that `ij,jk->ik` is `a @ b.T`.\n"
    curriculum.use_course((Section("fx", "Fixture", lesson, ()),))
    assert lint.check_claims() == ["section fx: the claim 'ij,jk->ik' = 'a @ b.T' does not run: " + _matmul_error()]


def _matmul_error() -> str:
    try:
        np.ones((2, 3)) @ np.ones((4, 3)).T.T
    except ValueError as error:
        return str(error)
    raise AssertionError("expected numpy to refuse")


def test_every_lesson_renders_for_the_web() -> None:
    from einsum_puzzles.web.markdown import render

    for sec in curriculum.sections():
        html = render(sec.lesson, skip_title=True, examples=True)
        assert "<pre tabindex='0'><code>" in html or "ep-example" in html, sec.id
    assert "<pre tabindex='0'><code>np.einsum(&quot;INPUTS-&gt;OUTPUT&quot;, a, ...)\n</code></pre>" in render(
        section("identity").lesson
    )
