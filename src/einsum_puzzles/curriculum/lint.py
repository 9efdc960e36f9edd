"""The content linter: every rule the course must keep, as functions that return problems.

Run by the test suite (``tests/test_curriculum.py``). Each function returns a list of human-readable
problems; an empty list means the rule holds.
"""

from __future__ import annotations

import ast
import contextlib
import inspect
import io
import itertools
import re
import string
from collections.abc import Iterator, Sequence
from typing import Any

import numpy as np

from ..contraction import bind
from ..errors import EinsumError
from ..subscript import parse
from . import cheatsheet, puzzles, questions, sections, shape_questions, worked_examples
from .model import Puzzle, Section
from .quiz import Question, ShapeQuestion

CANDIDATE_AXIS_LIMIT = 7


def candidate_subscripts(shapes: Sequence[tuple[int, ...]]) -> Iterator[str]:
    """Every einsum over these shapes, up to renaming: each way to tie axes of equal size together,
    with each ordered choice of output labels. Spellings (ellipsis, implicit mode) are not repeated."""
    axes = [(i, k, size) for i, shape in enumerate(shapes) for k, size in enumerate(shape)]
    for blocks in _partitions(list(range(len(axes))), [size for _, _, size in axes]):
        label_of = {}
        for number, block in enumerate(blocks):
            for axis in block:
                label_of[axis] = string.ascii_letters[number]
        terms = []
        position = 0
        for shape in shapes:
            terms.append("".join(label_of[position + k] for k in range(len(shape))))
            position += len(shape)
        labels = [string.ascii_letters[n] for n in range(len(blocks))]
        inputs = ",".join(terms)
        for count in range(len(labels) + 1):
            for output in itertools.permutations(labels, count):
                yield f"{inputs}->{''.join(output)}"


def _partitions(items: list[int], sizes: list[int]) -> Iterator[list[list[int]]]:
    """Set partitions of ``items`` whose blocks hold axes of one size only, in canonical order."""
    if not items:
        yield []
        return
    first, rest = items[0], items[1:]
    for partition in _partitions(rest, sizes):
        yield [[first], *partition]
        for index, block in enumerate(partition):
            if sizes[block[0]] == sizes[first]:
                yield [*partition[:index], [first, *block], *partition[index + 1 :]]


def implicit_spelling(candidate: str) -> str | None:
    """The same einsum without an arrow, letters renamed so the sorted output has the right order;
    None when no arrowless spelling exists (a kept label used twice, or a summed one used once)."""
    sub = parse(candidate)
    counts: dict[str, int] = {}
    for term in sub.inputs:
        for label in term.labels:
            counts[label] = counts.get(label, 0) + 1
    output = sub.output.labels
    if {label for label, count in counts.items() if count == 1} != set(output):
        return None
    summed = [label for label in counts if label not in output]
    rename = dict(zip([*output, *summed], string.ascii_letters))
    return ",".join("".join(rename[label] for label in term.labels) for term in sub.inputs)


def uses_einsum(function: Any) -> bool:
    try:
        source = inspect.getsource(function)
    except (OSError, TypeError):
        return False
    tree = ast.parse(source.strip() if not source.startswith(" ") else "if True:\n" + source)
    return any(isinstance(n, ast.Attribute) and n.attr in ("einsum", "einsum_path") for n in ast.walk(tree))


def check_puzzle(p: Puzzle) -> list[str]:
    from ..grading import check

    problems: list[str] = []
    label = f"puzzle {p.id}"
    if not (2 <= len(p.hints) <= 3):
        problems.append(f"{label}: has {len(p.hints)} hints; give 2 or 3")
    if any(not hint.strip() for hint in p.hints) or len(set(p.hints)) != len(p.hints):
        problems.append(f"{label}: hints must be non-empty and different")
    if not p.prompt.strip() or not p.title.strip():
        problems.append(f"{label}: needs a title and a prompt")
    if uses_einsum(p.expected_fn):
        problems.append(f"{label}: expected() must not use einsum")
    # Dimensions held fixed (a size-1 axis that broadcasts, the 3 of a cross product) are exempt: the
    # search over wrong subscripts below covers coincidences of their sizes.
    sizes = [p.sizes[dim] for dim in p.dims if dim not in p.fixed_sizes]
    if len(set(sizes)) != len(sizes) or (sizes and min(sizes) < 2):
        problems.append(f"{label}: shown sizes must be 2 or more and differ per dimension, got {dict(p.sizes)}")
    if not p.seed_puzzle and not p.note:
        problems.append(f"{label}: a puzzle past the seed needs a note")
    for placeholder in ("", "<YOUR_ANSWER_HERE>"):
        if check(p.id, placeholder).kind != "unsolved":
            problems.append(f"{label}: an unanswered puzzle must report 'unsolved'")
    if p.kind == "code" and check(p.id, p.starter).kind != "unsolved":
        problems.append(f"{label}: the starter template must report 'unsolved'")
    for solution in p.solutions:
        verdict = check(p.id, solution)
        if not verdict.correct:
            problems.append(f"{label}: reference solution {solution!r} is not accepted: {verdict.message}")
    problems += check_answer_unique(p)
    return problems


def check_no_wrong_candidate_passes_the_example(p: Puzzle) -> list[str]:
    """For puzzles with few axes: every subscript that matches the shown example is truly right."""
    from ..grading import check

    shapes = p.argument_shapes()
    if p.kind != "subscript" or sum(len(s) for s in shapes) > CANDIDATE_AXIS_LIMIT:
        return []
    if p.vary_rank:
        # Fresh draws change the number of axes, so every letters-only subscript (all the candidates are)
        # fails there: the puzzle's rule, like implicit_only, rejects them whatever they compute here.
        return []
    inputs = p.einsum_arguments(p.inputs())
    expected = np.asarray(p.expected(*p.inputs()))
    problems = []
    for candidate in candidate_subscripts(shapes):
        got = np.einsum(candidate, *inputs)
        if p.implicit_only:
            spelling = implicit_spelling(candidate)
            if spelling is None:
                continue  # cannot be written without an arrow: the rule rejects it whatever it computes
            candidate = spelling
        if np.shape(got) == expected.shape and np.allclose(got, expected) and not check(p.id, candidate).correct:
            problems.append(f"puzzle {p.id}: the wrong subscript {candidate!r} matches the shown example")
    return problems


def check_answer_unique(p: Puzzle) -> list[str]:
    """With ``solve``: every subscript that reproduces the shown example (whatever the number of axes)
    is accepted by the puzzle, spelled as its rule asks, and the reference answer is among them."""
    from ..find.search import canonical, solve
    from ..grading import check

    if p.kind != "subscript":
        return []
    inputs = p.einsum_arguments(p.inputs())
    found = solve(inputs, p.expected(*p.inputs()), max_results=1000)
    problems = []
    stretched = any(p.sizes[dim] == 1 for dim in p.fixed_sizes)
    if canonical(p.solutions[0], *p.argument_shapes()) not in found and not (stretched and found):
        # (a size-1 axis that broadcasts: solve finds the same einsum spelled with the axis summed)
        problems.append(f"puzzle {p.id}: solve does not find the reference answer {p.solutions[0]!r}")
    if p.vary_rank:
        return problems  # fresh draws change the number of axes: only '...' passes, and solve writes letters
    for candidate in found:
        spelling = implicit_spelling(candidate) if p.implicit_only else candidate
        if spelling is not None and not check(p.id, spelling).correct:
            problems.append(f"puzzle {p.id}: the wrong subscript {spelling!r} matches the shown example")
    return problems


def check_no_duplicates() -> list[str]:
    """No answer is accepted by two puzzles that show the same inputs."""
    from ..grading import check

    problems = []
    subscript_puzzles = [p for p in puzzles() if p.kind == "subscript"]
    for p, q in itertools.permutations(subscript_puzzles, 2):
        if p.argument_shapes() != q.argument_shapes():
            continue  # different inputs: a general spelling (an ellipsis) may fit both
        for solution in q.solutions:
            try:
                bind(solution, *p.argument_shapes())
            except EinsumError:
                continue
            if check(p.id, solution).correct:
                problems.append(f"puzzles {p.id} and {q.id} both accept {solution!r}")
    return problems


def check_lessons() -> list[str]:
    from ..explainer import explain

    problems = []
    for section in sections():
        examples = worked_examples(section.lesson)
        if section.id not in ("attention-head", "multi-head", "beyond") and not examples:
            problems.append(f"section {section.id}: the lesson has no worked example")
        for subscript, shapes in examples:
            arrays = [np.random.default_rng(0).standard_normal(shape) for shape in shapes]
            try:
                explanation = explain(subscript, *shapes)
            except EinsumError as error:
                problems.append(f"section {section.id}: worked example {subscript!r} is invalid: {error.message}")
                continue
            from ..evaluate import einsum

            if not np.allclose(einsum(subscript, *arrays), np.einsum(subscript, *arrays)):
                problems.append(f"section {section.id}: {subscript!r} disagrees with numpy")
            equivalent = explanation.operation.equivalent
            if equivalent:
                value = eval(equivalent, {"np": np, **dict(zip(explanation.names, arrays))})
                if not np.allclose(value, np.einsum(subscript, *arrays)):
                    problems.append(f"section {section.id}: the numpy equivalent of {subscript!r} is wrong")
    return problems


def check_cheatsheet() -> list[str]:
    from .cheats import cheat_operands

    problems = []
    for entry, arrays in zip(cheatsheet(), cheat_operands()):
        scope = {"np": np, **dict(zip("xyz", arrays))}
        result = np.einsum(entry.subscript, *arrays)
        value = eval(entry.numpy, scope)
        if np.shape(value) != np.shape(result) or not np.allclose(value, result):
            problems.append(f"cheatsheet {entry.name!r}: {entry.subscript!r} is not {entry.numpy}")
    return problems


def check_questions() -> list[str]:
    problems = []
    for question in questions():
        if question.check is None:
            problems.append(f"{question.id}: has no check; every answer's claims must be proved by running")
        elif not question.check():
            problems.append(f"{question.id}: the claim in the answer does not hold")
    if len(questions()) < 8:
        problems.append("fewer than 8 comprehension questions")
    if len(shape_questions()) < 8:
        problems.append("fewer than 8 predict-the-shape questions")
    return problems + shape_question_problems(shape_questions())


# --- issue 16: what a read of the whole course found, as rules --------------------------------------------

_BACKTICKS = re.compile(r"`([^`]+)`")
_QUOTED = re.compile(r"\"([^\"]+)\"|'([^']+)'")
_SUBSCRIPT_CHARS = re.compile(r"^[A-Za-z.,\->]+$")
_INDEX_GROUP = re.compile(r"[\[(]\s*((?:\.\.\.|[A-Za-z])(?:\s*,\s*(?:\.\.\.|[A-Za-z]))+)\s*[\])]")


def subscript_tokens(text: str, code_blocks: bool = True) -> list[str]:
    """Every piece of ``text`` that reads as an einsum subscript: backticked code, and quoted strings
    inside fenced code blocks (``np.einsum("ij,jk->ik", ...)``) and ```einsum blocks."""
    found: list[str] = []
    prose = re.sub(r"```.*?```", " ", text, flags=re.S)
    candidates = [m.group(1) for m in _BACKTICKS.finditer(prose)]
    inside: str | None = None
    for line in text.splitlines():
        stripped = line.strip()
        if stripped.startswith("```"):
            inside = None if inside is not None else stripped[3:].strip()
            continue
        if inside == "einsum" and stripped:
            candidates.append(stripped.split()[0])
        elif inside is not None and code_blocks:
            candidates.extend(a or b for a, b in _QUOTED.findall(line))
    for candidate in candidates:
        token = candidate.strip()
        if not _SUBSCRIPT_CHARS.match(token) or not any(ch.isalpha() for ch in token) or len(token) < 2:
            continue  # a single letter in backticks is a name being talked about, not a subscript shown
        try:
            parse(token)
        except EinsumError:
            continue
        found.append(token)
    return found


def _accepted(p: Puzzle, token: str) -> bool:
    from ..grading import check

    try:
        bind(token, *p.argument_shapes())
    except EinsumError:
        return False
    return check(p.id, token).correct


def check_lessons_do_not_give_answers() -> list[str]:
    """No subscript a lesson shows (worked example, inline code, code block) answers one of its own
    section's puzzles."""
    problems = []
    for section in sections():
        puzzles_here = [p for p in section.puzzles if p.kind == "subscript"]
        for token in dict.fromkeys(subscript_tokens(section.lesson)):
            for p in puzzles_here:
                if _accepted(p, token):
                    problems.append(f"section {section.id}: the lesson shows {token!r}, an answer to puzzle {p.id}")
    return problems


def index_groups(text: str) -> list[str]:
    """Letter tuples written in ``text`` as indices or shapes: ``out[b, h, t]`` and ``(b, g, m, d)`` give
    ``'bht'`` and ``'bgmd'``."""
    return ["".join(part.strip() for part in m.group(1).split(",")) for m in _INDEX_GROUP.finditer(text)]


def check_prompts_and_hints(p: Puzzle) -> list[str]:
    """The prompt describes the computation in words or numpy, never the answer's letters; no prompt or
    hint contains a whole answer."""
    if p.kind != "subscript":
        return []
    problems = []
    terms: set[str] = set()
    for solution in p.solutions:
        sub = parse(solution)
        for term in (*sub.inputs, sub.output):
            labels = "".join(term.labels)
            if len(labels) >= 2:
                terms.add(("..." if term.has_ellipsis else "") + labels)
                terms.add(labels)
    for group in index_groups(p.prompt):
        if group.replace("...", "") in terms:
            problems.append(f"puzzle {p.id}: the prompt spells the answer's letters: {group!r}")
    for word in re.findall(r"[A-Za-z.,>\-]{2,}", p.prompt):
        if word in terms or word.strip(".,") in p.solutions:
            problems.append(f"puzzle {p.id}: the prompt contains the answer's letters {word!r}")
    for where, text in [("prompt", p.prompt), *((f"hint {i + 1}", hint) for i, hint in enumerate(p.hints))]:
        words = re.findall(r"[A-Za-z.]+(?:,[A-Za-z.]+)*(?:->[A-Za-z.]*)?", text)
        tokens = subscript_tokens(text) + [_strip_period(word) for word in words]
        for token in dict.fromkeys(tokens):
            if ("," in token or "->" in token or "..." in token) and _is_subscript(token) and _accepted(p, token):
                problems.append(f"puzzle {p.id}: the {where} contains a full answer, {token!r}")
    return problems


def _strip_period(word: str) -> str:
    """A sentence's full stop is not part of the subscript before it (an ellipsis is)."""
    while word.endswith(".") and not word.endswith("..."):
        word = word[:-1]
    return word


def _is_subscript(token: str) -> bool:
    try:
        parse(token)
    except EinsumError:
        return False
    return True


def check_operand_names_are_not_labels(p: Puzzle) -> list[str]:
    """The explainer names operands after the puzzle's inputs when it explains a learner's answer: the
    reference solutions never use one of those names as a label (so no "'b' is in a and b")."""
    if p.kind != "subscript":
        return []
    problems = []
    for solution in p.solutions:
        labels = {label for term in parse(solution).inputs for label in term.labels}
        clash = sorted(labels & set(p.argument_names))
        if clash:
            problems.append(f"puzzle {p.id}: solution {solution!r} uses the input name(s) {clash} as labels")
    return problems


def check_explainer_names() -> list[str]:
    """Every worked example and every reference solution, explained with default names: no name is a label."""
    from ..explainer import explain

    problems = []
    cases = [example for section in sections() for example in worked_examples(section.lesson)]
    cases += [(s, p.argument_shapes()) for p in puzzles() if p.kind == "subscript" for s in p.solutions]
    for subscript, shapes in cases:
        e = explain(subscript, *shapes)
        labels = set(e.contraction.labels)
        if set(e.names) & labels:
            problems.append(f"explain({subscript!r}) names its operands {e.names}, which are also labels")
    return problems


def check_distinct_operands() -> list[str]:
    """No two shown inputs of a puzzle are equal, and the cheatsheet operands are drawn distinct (a wrong
    line such as ``x * x`` for ``x * y`` cannot pass by equal operands)."""
    from .cheats import cheat_operands

    problems = []
    for p in puzzles():
        inputs = [np.asarray(a) for a in p.inputs()]
        for i, j in itertools.combinations(range(len(inputs)), 2):
            if inputs[i].shape == inputs[j].shape and np.array_equal(inputs[i], inputs[j]):
                problems.append(f"puzzle {p.id}: inputs {p.input_names[i]} and {p.input_names[j]} are equal")
    for entry, operands in zip(cheatsheet(), cheat_operands()):
        for i, j in itertools.combinations(range(len(operands)), 2):
            if operands[i].shape == operands[j].shape and np.array_equal(operands[i], operands[j]):
                problems.append(f"cheatsheet {entry.subscript!r}: operands {i} and {j} are equal")
    return problems


_CLAIM = re.compile(r"`([^`]+)`\s*(?:is the same as|is|equals|does what|gives the same as)\s+`([^`]+)`")
_NUMPY_MARKS = ("(", "@", "*", ".T", "np.")
_INTRODUCES = re.compile(r"(?:\bis|\bequals|same as|\()\s*$")


def claims(text: str) -> list[tuple[str, str]]:
    """Sentences that say an einsum is some numpy (or another einsum): "`X` is `Y`", "`X` does what `Y`
    does", "`X` keeps the rows (`Y`)", "`X` ..., which is `Y`" (but not "..., not `Y`")."""
    flat = " ".join(re.sub(r"```.*?```", " ", text, flags=re.S).split())
    found: list[tuple[str, str]] = []
    for match in _CLAIM.finditer(flat):
        left, right = match.group(1).strip(), match.group(2).strip()
        if _is_subscript(left) and _SUBSCRIPT_CHARS.match(left) and len(left) > 1:
            found.append((left, right))
    for sentence in re.split(r"(?<=[.;])\s+", flat):
        spans = list(_BACKTICKS.finditer(sentence))
        subscripts = [
            m
            for m in spans
            if _SUBSCRIPT_CHARS.match(m.group(1)) and _is_subscript(m.group(1)) and re.search(r"[,>]", m.group(1))
        ]
        if not subscripts:
            continue
        left = subscripts[0].group(1)
        for m in spans:
            code = m.group(1)
            if m.start() < subscripts[0].end() or not any(mark in code for mark in _NUMPY_MARKS):
                continue
            before, after = sentence[: m.start()], sentence[m.end() :]
            negated = before.rstrip().endswith("not") or re.match(r"\s*(raises|refuses|fails|would)", after)
            if _INTRODUCES.search(before) and not negated:
                pair = (left, code)
                if pair not in found:
                    found.append(pair)
    return found


def _operands_for(subscript: str) -> list[np.ndarray]:
    sub = parse(subscript)
    sizes: dict[str, int] = {}
    for term in sub.inputs:
        for label in term.labels:
            sizes.setdefault(label, 2 + len(sizes))
    rng = np.random.default_rng(7)
    arrays = []
    for term in sub.inputs:
        labels = list(term.labels)
        shape = [sizes[label] for label in labels]
        if term.has_ellipsis:
            shape = [3, *shape]
        arrays.append(rng.standard_normal(shape))
    return arrays


def check_claims() -> list[str]:
    """Every "`X` is `Y`" sentence in the lessons and notes holds when run (X an einsum, Y numpy over a,
    b, c, or another subscript)."""
    problems = []
    texts = [(f"section {s.id}", s.lesson) for s in sections()] + [(f"puzzle {p.id}", p.note) for p in puzzles()]
    for where, text in texts:
        for left, right in claims(text):
            arrays = _operands_for(left)
            try:
                value = np.einsum(left, *arrays)
                if _is_subscript(right) and _SUBSCRIPT_CHARS.match(right):
                    other = np.einsum(right, *arrays)
                else:
                    other = eval(right, {"np": np, **dict(zip("abcdefgh", arrays))})
                holds = np.shape(value) == np.shape(other) and np.allclose(value, other)
            except Exception as error:  # a claim that cannot even run is a false claim
                problems.append(f"{where}: the claim {left!r} = {right!r} does not run: {error}")
                continue
            if not holds:
                problems.append(f"{where}: the claim {left!r} = {right!r} is false")
    return problems


def run_lesson_code() -> list[str]:
    """Every ```python block of a lesson that is a program (it imports or asserts something) runs; its
    asserts are the lesson's claims. Blocks of bare expressions (the translations of the from-numpy
    lesson, checked by its own tests) are not programs."""
    problems = []
    for section in sections():
        blocks = re.findall(r"```python\n(.*?)```", section.lesson, flags=re.S)
        for number, block in enumerate(blocks, 1):
            if not re.search(r"^(import |from |assert )", block, flags=re.M):
                continue
            scope: dict[str, Any] = {"__name__": f"lesson_{section.id}_{number}"}
            try:
                with contextlib.redirect_stdout(io.StringIO()):
                    exec(compile(block, f"<lesson {section.id} block {number}>", "exec"), scope)
            except Exception as error:
                problems.append(f"section {section.id}: python block {number} fails: {type(error).__name__}: {error}")
    return problems


# --- the quiz: every section has questions, every quoted subscript and stated shape is computed --------

_QUOTED_SINGLE = re.compile(r"'([^'\s]+)'")
_STATED_SHAPE = re.compile(r"\bshapes? \(((?:\d+, )*\d*,?)\)")


def quoted_subscripts(text: str) -> list[str]:
    """The einsum subscripts a question quotes in single quotes (``'ij,jk->ik'``, ``'ii'``): tokens of two or
    more characters made of letters, commas, dots and arrows that parse as a subscript."""
    found = []
    for token in _QUOTED_SINGLE.findall(text):
        readable = len(token) >= 2 and _SUBSCRIPT_CHARS.match(token) and any(ch.isalpha() for ch in token)
        if readable and _is_subscript(token):
            found.append(token)
    return found


def stated_shapes(text: str) -> list[tuple[int, ...]]:
    """Every shape written as "shape (2, 3)" (or "shapes", "shape ()") in ``text``."""
    return [tuple(int(n) for n in m.group(1).replace(",", " ").split()) for m in _STATED_SHAPE.finditer(text)]


@contextlib.contextmanager
def _einsum_calls() -> Iterator[list[tuple[str, list[tuple[int, ...]]]]]:
    """Record every ``np.einsum`` and ``np.einsum_path`` call made inside: its subscript and the shapes of
    its operands and result (a call that raises records its operands only)."""
    calls: list[tuple[str, list[tuple[int, ...]]]] = []
    original_einsum, original_path = np.einsum, np.einsum_path

    def recorder(original: Any, keep_result: bool) -> Any:
        def call(*args: Any, **kwargs: Any) -> Any:
            if not (args and isinstance(args[0], str)):
                return original(*args, **kwargs)  # the interleaved form (arrays and axis lists) is not quoted
            shapes = [np.shape(a) for a in args[1:]]
            calls.append((args[0], shapes))
            result = original(*args, **kwargs)
            if keep_result:
                shapes.append(np.shape(result))
            return result

        return call

    np.einsum = recorder(original_einsum, True)
    np.einsum_path = recorder(original_path, False)
    try:
        yield calls
    finally:
        np.einsum, np.einsum_path = original_einsum, original_path


def check_question_evidence(items: Sequence[Question] | None = None) -> list[str]:
    """Every subscript a comprehension question quotes is run by its check, and every shape it states
    ("of shape (2, 3)") is the shape of an operand or a result of an einsum the check ran: nothing the
    question says about einsum is typed without being computed."""
    problems = []
    for question in questions() if items is None else items:
        if question.check is None:
            continue  # check_questions reports it
        with _einsum_calls() as calls:
            question.check()
        run = {subscript for subscript, _ in calls}
        seen = {shape for _, shapes in calls for shape in shapes}
        for part, text in (("question", question.text), ("answer", question.answer)):
            for token in dict.fromkeys(quoted_subscripts(text)):
                if token not in run:
                    problems.append(f"{question.id}: the {part} quotes {token!r}, which its check never runs")
            for shape in dict.fromkeys(stated_shapes(text)):
                if shape not in seen:
                    problems.append(f"{question.id}: the {part} states shape {shape}, which no einsum in its check has")
    return problems


def _renamed(subscript: str) -> str:
    """A subscript with its letters renamed in order of first appearance: equal for equal einsums."""
    names: dict[str, str] = {}
    out = []
    for ch in subscript:
        if ch.isalpha():
            names.setdefault(ch, string.ascii_letters[len(names)])
            out.append(names[ch])
        else:
            out.append(ch)
    return "".join(out)


SEED_QUESTIONS_ABOUT_ANSWERS = frozenset({"Q15", "Q16", "Q17", "Q18"})
"""The seed's own questions (its Q5-Q8, here Q15-Q18: matmul, implicit, ellipsis) ask why their section's
answers are written as they are (why a @ b.T is 'ij,kj->ik'): they discuss those answers on purpose and come
after the puzzles in the notebook."""


def check_questions_give_no_answers(course: Sequence[Section] | None = None) -> list[str]:
    """No question (the subscripts it quotes; a shape question's subscript) answers a puzzle of its own
    section: a subscript puzzle that accepts it, or a code puzzle whose reference solution runs it."""
    problems = []
    for section in sections() if course is None else course:
        shown: list[tuple[str, str]] = []
        for question in section.questions:
            if question.id in SEED_QUESTIONS_ABOUT_ANSWERS:
                continue
            shown += [(question.id, token) for token in quoted_subscripts(question.text + " " + question.answer)]
        shown += [(sq.id, sq.subscript) for sq in section.shape_questions]
        for where, token in dict.fromkeys(shown):
            for p in section.puzzles:
                if p.kind == "subscript" and _accepted(p, token):
                    problems.append(f"{where}: shows {token!r}, an answer to puzzle {p.id}")
                elif p.kind == "code":
                    used = {_renamed(a or b) for solution in p.solutions for a, b in _QUOTED.findall(solution)}
                    if _renamed(token) in used:
                        problems.append(f"{where}: shows {token!r}, which the solution of puzzle {p.id} uses")
    return problems


def check_question_coverage(course: Sequence[Section] | None = None) -> list[str]:
    """Every section has at least one comprehension question (its lesson is understood, not only its shapes
    predicted), and question ids are unique and numbered in course order (Q1, Q2, ...; S1, S2, ...), lesson
    by lesson as the quiz lists them, and in that order in quiz.py too."""
    problems = []
    for section in sections() if course is None else course:
        if not section.questions:
            problems.append(f"section {section.id}: has no comprehension question; add one to quiz.py")
    return problems + question_id_problems(sections(), (questions(), shape_questions()))


def question_id_problems(
    course: Sequence[Section], declared: Sequence[Sequence[Question | ShapeQuestion]]
) -> list[str]:
    """The ids, listed lesson by lesson as the quiz shows them, run Q1, Q2, ... and S1, S2, ...; ``declared``
    (quiz.py's QUESTIONS and SHAPE_QUESTIONS) lists them in that same order."""
    problems = []
    listed = ([q.id for s in course for q in s.questions], [q.id for s in course for q in s.shape_questions])
    for prefix, ids, in_file in zip("QS", listed, declared, strict=True):
        if ids != [f"{prefix}{n}" for n in range(1, len(ids) + 1)]:
            problems.append(f"question ids are not {prefix}1 to {prefix}{len(ids)} in course order: {ids}")
        elif [item.id for item in in_file] != ids:
            problems.append(f"quiz.py declares the {prefix} questions out of course order; list them as numbered")
    return problems


def shape_question_problems(items: Sequence[ShapeQuestion]) -> list[str]:
    """A shape question needs an explanation; its answer is computed, and numpy must agree with it."""
    problems = []
    for sq in items:
        if not sq.why.strip():
            problems.append(f"{sq.id}: needs a short explanation (why)")
        arrays = [np.ones(shape) for shape in sq.shapes]
        if np.einsum(sq.subscript, *arrays).shape != sq.answer:
            problems.append(f"{sq.id}: the computed answer disagrees with numpy")
    return problems
