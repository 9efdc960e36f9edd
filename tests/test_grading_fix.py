"""Feedback that is always true: every fix is accepted by the grader, and following a message's
instructions gives an accepted answer. Generated mistakes over every subscript puzzle."""

from __future__ import annotations

import io
import json
import os
import re
import string
import subprocess
import sys
from contextlib import redirect_stdout
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import einsum_puzzles as ep
from einsum_puzzles.grading.fix import Form, normalize
from einsum_puzzles.subscript import parse

SUBSCRIPT_PUZZLES = [p for p in ep.puzzles() if p.kind == "subscript"]

TERM_CHANGE = re.compile(r"in (\w+)'s term change '(\w|\.\.\.)' to '(\w|\.\.\.)' \('([\w.]*)' becomes '([\w.]*)'\)")
TERM_WRITE = re.compile(r"write (\w+)'s term as '([\w.]*)' instead of '([\w.]*)'")
OUTPUT_WRITE = re.compile(r"write the output as '->([\w.]*)' instead of '->([\w.]*)'")
OUTPUT_ADD = re.compile(r"add '->([\w.]*)' at the end")
OUTPUT_REMOVE = re.compile(r"remove the arrow and the output \('->([\w.]*)'\)")
SYMBOL = re.compile(r"write '(->|,|\.\.\.)' instead of '([^']+)'")
REPAIR = re.compile(r"replace ('([^']*)'|\"([^\"]*)\") with ('([^']*)'|\"([^\"]*)\")")


def follow(puzzle: ep.Puzzle, answer: str, message: str) -> str:
    """Carry out the message's instructions on the answer, as a learner would, word for word."""
    text, _ = normalize(answer)
    for _right, wrong in SYMBOL.findall(message):
        assert wrong in answer, (wrong, answer)
    for _, old_single, old_double, _, new_single, new_double in REPAIR.findall(message):
        old, new = old_single or old_double, new_single or new_double
        assert text.count(old) == 1, (old, text)
        text = text.replace(old, new)
    form = Form.of(parse(text))
    terms = ["".join(t) for t in form.terms]
    output = None if form.output is None else "".join(form.output)
    names = list(puzzle.argument_names)
    for name, old, new, before, after in TERM_CHANGE.findall(message):
        index = names.index(name)
        assert terms[index] == before and before.count(old) == 1, (terms[index], before, old)
        terms[index] = before.replace(old, new)
        assert terms[index] == after
    for name, new, old in TERM_WRITE.findall(message):
        index = names.index(name)
        assert terms[index] == old, (terms[index], old)
        terms[index] = new
    for new, old in OUTPUT_WRITE.findall(message):
        assert output == old, (output, old)
        output = new
    for new in OUTPUT_ADD.findall(message):
        assert output is None
        output = new
    for old in OUTPUT_REMOVE.findall(message):
        assert output == old
        output = None
    return ",".join(terms) + ("" if output is None else "->" + output)


def mutations(solution: str, puzzle: ep.Puzzle) -> set[str]:
    """Typical wrong answers made from a right one."""
    sub = parse(solution)
    terms = [t.text() for t in sub.inputs]
    out = sub.output.text()
    letters = list(dict.fromkeys(c for t in terms for c in t if c.isalpha()))
    fresh = next(c for c in string.ascii_lowercase if c not in letters)
    found: set[str] = set()

    def add(new_terms: list[str], new_out: str | None) -> None:
        found.add(",".join(new_terms) + ("" if new_out is None else "->" + new_out))

    out_letters = [c for c in out if c.isalpha()]
    for i in range(len(out) - 1):  # swapped output letters
        if out[i].isalpha() and out[i + 1].isalpha():
            add(terms, out[:i] + out[i + 1] + out[i] + out[i + 2 :])
    add(terms, out[::-1] if "..." not in out else out)
    for c in out_letters:  # a dropped output letter
        add(terms, out.replace(c, ""))
    for c in letters:  # an added output letter
        if c not in out:
            add(terms, out + c)
    for c in letters:  # untied: one occurrence gets a letter of its own
        positions = [(i, j) for i, t in enumerate(terms) for j, x in enumerate(t) if x == c]
        for i, j in positions[1:] if len(positions) > 1 else []:
            changed = list(terms)
            changed[i] = changed[i][:j] + fresh + changed[i][j + 1 :]
            add(changed, out)
    for a in letters:  # tied: one letter replaced by another everywhere in the inputs
        for b in letters:
            if a != b:
                add([t.replace(a, b) for t in terms], out.replace(a, "") if b in out else out.replace(a, b))
    for i, t in enumerate(terms):  # a transposed operand
        if len(t) >= 2 and "..." not in t:
            changed = list(terms)
            changed[i] = t[::-1]
            add(changed, out)
    add(terms, None)  # the implicit form
    if sub.explicit and not any("..." in t for t in terms):  # ellipsis forms: the first letter as '...'
        first = terms[0][0] if terms[0] else ""
        if first and all(t.startswith(first) for t in terms) and out.startswith(first):
            add(["..." + t[1:] for t in terms], "..." + out[1:])
            add(["..." + t[1:] for t in terms], out[1:] + "...")
            add(["..." + t[1:] for t in terms], "")
        add([t[:-1] + "..." if len(t) > 1 else t for t in terms], out)
    found.discard(solution)
    return found


@pytest.mark.parametrize("puzzle", SUBSCRIPT_PUZZLES, ids=[f"puzzle-{p.id}" for p in SUBSCRIPT_PUZZLES])
def test_every_fix_is_accepted_and_every_message_leads_to_it(puzzle: ep.Puzzle) -> None:
    tried = set()
    for solution in puzzle.solutions:
        tried |= mutations(solution, puzzle)
    wrong = found = 0
    for answer in sorted(tried):
        verdict = ep.check(puzzle.id, answer)
        if verdict.correct:
            continue
        if verdict.kind in ("order", "shape", "values"):
            wrong += 1
            found += verdict.fix is not None
        if verdict.fix is None:
            continue
        assert ep.check(puzzle.id, verdict.fix).correct, (answer, verdict.fix)
        if puzzle.implicit_only:
            assert "->" not in verdict.fix
        followed = follow(puzzle, answer, verdict.message)
        assert followed == verdict.fix, (answer, verdict.message, followed, verdict.fix)
        assert json.loads(json.dumps(verdict.to_dict()))["fix"] == verdict.fix
    assert wrong == 0 or found / wrong >= 0.9, (puzzle.id, found, wrong)


def test_fixes_are_found_for_nearly_all_generated_mistakes() -> None:
    wrong = found = 0
    for puzzle in SUBSCRIPT_PUZZLES:
        for answer in sorted(set().union(*(mutations(s, puzzle) for s in puzzle.solutions))):
            verdict = ep.check(puzzle.id, answer)
            if verdict.kind in ("order", "shape", "values"):
                wrong += 1
                found += verdict.fix is not None
    assert wrong > 300
    assert found / wrong >= 0.9


def test_a_right_answer_has_no_fix() -> None:
    for puzzle in SUBSCRIPT_PUZZLES:
        for solution in puzzle.solutions:
            verdict = ep.check(puzzle.id, solution)
            assert verdict.correct and verdict.fix is None


# The examples of issue 13, with what the grader says now: (puzzle, answer, kind, fix, words in the message).
PINNED: list[tuple[int, str, str, str, list[str]]] = [
    (
        29,
        "ij...->ji...",
        "order",
        "...ij->...ji",
        [
            "'...' keeps the axes it stands for together and in their order, so a's axis 4 and a's axis 5 need "
            "letters of their own to move",
            "write a's term as '...ij' instead of 'ij...'",
            "write the output as '->...ji' instead of '->ji...'",
        ],
    ),
    (
        18,
        "i...->...i",
        "order",
        "ij...->...ij",
        ["so a's axis 1 needs a letter of its own", "write a's term as 'ij...' instead of 'i...'", "'->...ij'"],
    ),
    (
        45,
        "ij,jk",
        "order",
        "ij,jh",
        ["the output letters are sorted", "in b's term change 'k' to 'h' ('jk' becomes 'jh')"],
    ),
    (
        43,
        "ii,ik,il->kl",
        "values",
        "ij,ik,jl->kl",
        [
            "You used 'i' for A's axis 0, A's axis 1, P's axis 0 and P_2's axis 0, but the target has 2 separate "
            "axes there: A's axis 0 with P's axis 0; A's axis 1 with P_2's axis 0.",
            "write A's term as 'ij' instead of 'ii'",
            "in P_2's term change 'i' to 'j' ('il' becomes 'jl')",
        ],
    ),
    (
        21,
        "ij,kl->ik",
        "shape",
        "ij,jl->il",
        [
            "In the target, a's axis 1 and b's axis 0 are one axis",
            "'j' and 'k'",
            "in b's term change 'k' to 'j' ('kl' becomes 'jl')",
            "write the output as '->il' instead of '->ik'",
        ],
    ),
    (
        39,
        "if,if->i",
        "shape",
        "if,jf->ij",
        [
            "You used 'i' for x's axis 0 and x_2's axis 0",
            "in x_2's term change 'i' to 'j' ('if' becomes 'jf')",
            "write the output as '->ij' instead of '->i'",
        ],
    ),
    (5, "...->", "output", "i->", ["cannot sum the axes under '...'", "write a's term as 'i' instead of '...'"]),
    (
        34,
        "i...->...i",
        "shape",
        "i...ij->i...j",
        [
            "In the target, a's axis 0 and a's axis 2 are tied",
            "An axis under '...' cannot be tied to a lettered axis or take a diagonal",
            "write a's term as 'i...ij' instead of 'i...'",
        ],
    ),
    (
        45,
        "ij,jk->ki",
        "rules",
        "ij,jh",
        ["without an arrow", "remove the arrow and the output ('->ki')", "change 'k' to 'h'"],
    ),
    (21, "IJ,JK->ik", "output", "IJ,JK->IK", ["case-sensitive: 'i' is not 'I'", "'->IK' instead of '->ik'"]),
    (21, "ij,jk→ik", "syntax", "ij,jk->ik", ["write '->' instead of '→'"]),
    (21, "ij，jk->ik", "syntax", "ij,jk->ik", ["write ',' instead of '，'"]),
    (21, "ij,jk=>ik", "syntax", "ij,jk->ik", ["write '->' instead of '=>'"]),
]


@pytest.mark.parametrize(("number", "answer", "kind", "fix", "words"), PINNED, ids=[f"{p[0]}:{p[1]}" for p in PINNED])
def test_the_issue_examples(number: int, answer: str, kind: str, fix: str, words: list[str]) -> None:
    verdict = ep.check(number, answer)
    assert verdict.kind == kind, verdict.message
    assert verdict.fix == fix, verdict.message
    for word in words:
        assert word in verdict.message, (word, verdict.message)
    assert ep.check(number, fix).correct
    assert follow(ep.puzzle(number), answer, verdict.message) == fix


def test_instructions_never_suggest_two_ellipses_or_the_identity() -> None:
    for number, answer in [(18, "i...->...i"), (19, "i...->...i"), (20, "i...,i...->...i"), (29, "ij...->ji...")]:
        verdict = ep.check(number, answer)
        assert verdict.fix is not None and ep.check(number, verdict.fix).correct
        assert "...i..." not in verdict.message and "'->ij...'" not in verdict.message


def test_a_library_bug_never_makes_a_wrong_answer_right() -> None:
    pytest.importorskip("tinygrad")
    verdict = ep.check(34, "ipiq->qip", backend="tinygrad")
    assert not verdict.correct and verdict.kind == "order"
    assert "tinygrad happens to give the target" in verdict.message
    assert verdict.fix == "ipiq->ipq"
    assert ep.check(34, "ipiq->ipq", backend="tinygrad").correct


# --- the fix on request: CLI, play, web ---------------------------------------------------------


def test_cli_shows_the_fix_on_request_and_counts_it_as_a_hint(tmp_path: Path) -> None:
    cli = Path(sys.executable).with_name("einsum-puzzles")
    env = {**os.environ, "EINSUM_PUZZLES_HOME": str(tmp_path), "NO_COLOR": "1"}

    def run(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run([str(cli), *args], capture_output=True, text=True, env=env, check=False)

    plain = run("check", "21", "ij,kl->ik")
    assert plain.returncode == 1 and "ij,jl->il" not in plain.stdout and "Add --fix" in plain.stdout
    shown = run("check", "21", "ij,kl->ik", "--fix")
    assert shown.returncode == 1 and "Fix: ij,jl->il" in shown.stdout
    data = json.loads(run("check", "21", "ij,kl->ik", "--json").stdout)
    assert data["fix"] == "ij,jl->il"
    hints = json.loads(run("hint", "21", "--json").stdout)
    assert hints["shown"] == 2  # one for the fix, one now
    assert json.loads(run("check", "21", "ij,jk->ik", "--json").stdout)["fix"] is None


def test_play_shows_the_fix_of_the_last_answer(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("EINSUM_PUZZLES_HOME", str(tmp_path))
    monkeypatch.setenv("NO_COLOR", "1")
    from einsum_puzzles.play import play
    from einsum_puzzles.progress import Progress

    with Progress() as progress:
        progress.visit(21)
    lines = iter([":fix", "ij,kl->ik", ":fix", ":quit"])
    output = io.StringIO()
    with redirect_stdout(output):
        play(read=lambda prompt: next(lines))
    text = output.getvalue()
    assert "Check a subscript first" in text
    assert "Type :fix" in text and "Fix: ij,jl->il" in text
    with Progress() as progress:
        assert progress.hints_shown(21) == 1


def test_web_fix_button_and_api(tmp_path: Path) -> None:
    from fastapi.testclient import TestClient

    from einsum_puzzles.web import create_app

    with TestClient(create_app(tmp_path / "web.sqlite3")) as client:
        page = client.post("/puzzles/21/check", data={"answer": "ij,kl->ik"}).text
        assert 'id="fix-button"' in page and "ij,jl-&gt;il" not in page
        page = client.post("/puzzles/21/fix", data={"answer": "ij,kl->ik"}).text
        assert 'id="fix"' in page and "ij,jl-&gt;il" in page and 'value="ij,kl-&gt;ik"' in page
        assert "Hint 1/" in page  # the fix counted as a hint
        checked = client.post("/api/check", json={"puzzle": 45, "answer": "ij,jk"}).json()
        assert checked["fix"] == "ij,jh"
        fixed = client.post("/api/fix", json={"puzzle": 45, "answer": "ij,jk"}).json()
        assert fixed["fix"] == "ij,jh" and fixed["kind"] == "order"
        page = client.get("/puzzles/45").text
        assert "Hint 1/" in page


@pytest.mark.parametrize(
    ("number", "answer", "fix"),
    [(21, "ijk,jk->ik", "ij,jk->ik"), (21, "i,jk->ik", "ij,jk->ik"), (1, "ij->ij", "i->i")],
)
def test_a_term_with_a_letter_too_many_or_too_few_gets_a_fix(number: int, answer: str, fix: str) -> None:
    verdict = ep.check(number, answer)
    assert verdict.kind == "rank" and verdict.fix == fix
    assert follow(ep.puzzle(number), answer, verdict.message) == fix


def test_a_symmetric_target_gets_the_output_reordered_rather_than_letters_renamed() -> None:
    verdict = ep.check(43, "ji,ik,jl->kl")
    assert verdict.kind == "order" and verdict.fix == "ji,ik,jl->lk"
    assert verdict.message.endswith("To fix it: write the output as '->lk' instead of '->kl'.")


def test_an_unknown_output_letter_is_not_called_an_order_problem() -> None:
    verdict = ep.check(37, "b,bi...->ij")
    assert verdict.kind == "output" and "another order" not in verdict.message
    assert verdict.fix is not None and ep.check(37, verdict.fix).correct


def _levenshtein(a: list[str], b: list[str]) -> int:
    previous = list(range(len(b) + 1))
    for i, x in enumerate(a, 1):
        current = [i]
        for j, y in enumerate(b, 1):
            current.append(min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (x != y)))
        previous = current
    return previous[-1]


@given(
    st.lists(st.sampled_from(["i", "j", "k", "...", ",", "->", "A"]), max_size=14),
    st.lists(st.sampled_from(["i", "j", "k", "...", ",", "->", "A"]), max_size=14),
)
def test_token_distance_is_the_levenshtein_distance(a: list[str], b: list[str]) -> None:
    from einsum_puzzles.grading.fix import distance

    assert distance(a, b) == _levenshtein(a, b) == distance(tuple(b), tuple(a))


# --- syntax errors: small repairs of the text ---------------------------------------------------


def typos(solution: str) -> set[str]:
    """Typing slips that numpy cannot read, made from a right answer."""
    found = {f'"{solution}"', solution.replace("...", "..")}
    if "->" in solution:
        found |= {solution.replace("->", "-"), solution.replace("->", ">"), solution.replace("->", "- >")}
        inputs, output = solution.split("->")
        found.add(inputs + ",->" + output)  # a trailing comma
        found.add(solution + ",")  # a comma in the output
        if "," in inputs:
            head, last = inputs.rsplit(",", 1)
            found.add(f"{head}->{last}->{output}")  # an arrow for the last comma
    if "," in solution:
        found |= {solution.replace(",", "", 1), solution.replace(",", ";", 1), solution.replace(",", " ", 1)}
    letters = [i for i, c in enumerate(solution) if c.isalpha()]
    if len(letters) >= 2:
        at = letters[1]
        found.add(solution[:at] + "'" + solution[at:])  # a stray character inside a term
    found.discard(solution)
    return found


@pytest.mark.parametrize("puzzle", SUBSCRIPT_PUZZLES, ids=[f"puzzle-{p.id}" for p in SUBSCRIPT_PUZZLES])
def test_syntax_errors_get_a_repair_that_the_grader_accepts(puzzle: ep.Puzzle) -> None:
    tried = set().union(*(typos(s) for s in puzzle.solutions))
    refused = fixed = 0
    for answer in sorted(tried):
        verdict = ep.check(puzzle.id, answer)
        if verdict.kind not in ("syntax", "operand_count"):
            continue
        refused += 1
        if verdict.fix is None:
            continue
        fixed += 1
        assert ep.check(puzzle.id, verdict.fix).correct, (answer, verdict.fix)
        assert "To fix it: " in verdict.message
        assert follow(puzzle, answer, verdict.message) == verdict.fix, (answer, verdict.message, verdict.fix)
    assert refused and fixed / refused >= 0.9, (puzzle.id, fixed, refused)


REPAIRED: list[tuple[int, str, str, str]] = [
    (21, "ij->jk->ik", "ij,jk->ik", "replace 'ij->jk' with 'ij,jk'"),
    (21, "ij,jk-ik", "ij,jk->ik", "replace 'jk-ik' with 'jk->ik'"),
    (21, "ij,jk>ik", "ij,jk->ik", "replace 'jk>ik' with 'jk->ik'"),
    (21, "ij,jk- >ik", "ij,jk->ik", "replace 'jk- >ik' with 'jk->ik'"),
    (21, "ij,j'k->ik", "ij,jk->ik", "replace \"j'k\" with 'jk'"),
    (21, "ij;jk->ik", "ij,jk->ik", "replace 'ij;jk' with 'ij,jk'"),
    (21, "ijjk->ik", "ij,jk->ik", "replace 'ijjk' with 'ij,jk'"),
    (21, "ij jk->ik", "ij,jk->ik", "replace 'ij jk' with 'ij,jk'"),
    (21, "ij,jk,->ik", "ij,jk->ik", "replace 'jk,->ik' with 'jk->ik'"),
    (21, "ij,jk->ik,", "ij,jk->ik", "replace 'ik,' with 'ik'"),
    (40, "iijj->", "i,ij,j->", "replace 'iijj' with 'i,ij,j'"),
    (29, "..ij->..ji", "...ij->...ji", "replace '..ij' with '...ij'; and replace '..ji' with '...ji'"),
    (21, "ij,kl-ik", "ij,jl->il", "replace 'kl-ik' with 'kl->ik'; in b's term change 'k' to 'j'"),
]


@pytest.mark.parametrize(("number", "answer", "fix", "words"), REPAIRED, ids=[f"{r[0]}:{r[1]}" for r in REPAIRED])
def test_named_syntax_errors_are_repaired(number: int, answer: str, fix: str, words: str) -> None:
    verdict = ep.check(number, answer)
    assert verdict.kind in ("syntax", "operand_count") and verdict.fix == fix, verdict.message
    assert "To fix it: " + words in verdict.message
    assert follow(ep.puzzle(number), answer, verdict.message) == fix
    assert ep.check(number, fix).correct


def test_a_repair_is_never_offered_when_the_grader_refuses_every_candidate() -> None:
    verdict = ep.check(21, "ab,cd,ef-")
    assert verdict.kind == "syntax" and verdict.fix is None and "To fix it" not in verdict.message


def test_a_long_term_is_split_only_where_the_operands_fit() -> None:
    # 1000 letters cannot be three operands of 1, 2 and 1 axes: no repair, and the search stays bounded.
    for answer in ["ab" * 500 + "->", "a..." + "ab" * 500 + "->"]:
        verdict = ep.check(40, answer)
        assert verdict.kind == "operand_count" and verdict.fix is None


@settings(max_examples=150, deadline=None)
@given(
    st.sampled_from([12, 21, 30, 40, 45, 55]),
    st.lists(st.sampled_from(["i", "j", "k", "I", ",", "->", "-", ">", ".", "...", " ", ";", "'"]), max_size=10),
)
def test_any_repair_offered_is_accepted_and_its_message_leads_to_it(number: int, tokens: list[str]) -> None:
    answer = "".join(tokens)
    verdict = ep.check(number, answer)
    if verdict.fix is None or verdict.kind not in ("syntax", "operand_count"):
        return
    assert ep.check(number, verdict.fix).correct
    assert follow(ep.puzzle(number), answer, verdict.message) == verdict.fix, verdict.message
