"""Code puzzles: shapes named, each einsum call validated with the project's own bind, the einsum-only
rule enforced while the function runs, typical attention mistakes named."""

from __future__ import annotations

import re

import pytest

import einsum_puzzles as ep
from einsum_puzzles.curriculum.catalog import ATTENTION_SOLUTION, HEAD_SOLUTION

MIX = 'return np.einsum("blm,bmk->blk", weights, v)'
MERGE = 'return np.einsum("blhk,hkd->bld", mixed, w_o)'
FLAT = "reshape(x.shape[0], x.shape[1], -1), w_o.reshape(-1, x.shape[2]))"


def test_a_head_returning_the_weights_has_the_wrong_shape_and_is_told_so() -> None:
    verdict = ep.check(31, HEAD_SOLUTION.replace(MIX, "return weights"))
    assert verdict.kind == "shape" and verdict.title == "Wrong shape"
    assert "returns shape (16, 10, 10), that is (b, l, l), the target has shape (16, 10, 8), that is (b, l, k)" in (
        verdict.message
    )
    assert "returns the attention weights" in verdict.message


def test_each_einsum_call_is_validated_with_its_line() -> None:
    source = HEAD_SOLUTION.replace('np.einsum("bld,dk->blk", x, w_q)', 'np.einsum("bld,kd->blk", x, w_q)')
    verdict = ep.check(31, source)
    assert verdict.kind == "size"
    assert verdict.message.startswith('line 5 (q = np.einsum("bld,kd->blk", x, w_q)): ')
    assert "label 'd' has size 32 in operand 0" in verdict.message and "broadcast" not in verdict.message.split(":")[0]
    assert "remapped shapes" not in verdict.message  # numpy's own wording is not shown
    broken = HEAD_SOLUTION.replace('"blk,bmk->blm"', '"blk,bmk->blm->"')
    assert ep.check(31, broken).kind == "syntax"


@pytest.mark.parametrize(
    ("change", "words"),
    [
        (
            ("    return np.einsum", "    np.outer(x[0, 0], x[0, 0])\n    return np.einsum"),
            "np.outer computes a product",
        ),
        (("    return np.einsum", "    np.kron(w_q, w_k)\n    return np.einsum"), "np.kron computes a product"),
        (
            ('np.einsum("blk,bmk->blm", q, k)', "(q[:, :, None, :] * k[:, None, :, :]).sum(-1)"),
            "summing the elementwise product made on line 8",
        ),
        (
            ('np.einsum("blk,bmk->blm", q, k)', "np.sum(q[:, :, None, :] * k[:, None, :, :], axis=-1)"),
            "summing the elementwise product",
        ),
        (
            ('np.einsum("blk,bmk->blm", q, k)', "(np.asarray(q)[:, :, None, :] * np.array(k)[:, None, :, :]).sum(-1)"),
            "summing the elementwise product",
        ),
    ],
)
def test_products_without_einsum_are_refused_while_the_code_runs(change: tuple[str, str], words: str) -> None:
    source = HEAD_SOLUTION.replace(*change)
    assert source != HEAD_SOLUTION
    verdict = ep.check(31, source)
    assert verdict.kind == "rules", verdict.message
    assert words in verdict.message


def test_einsum_in_dead_code_does_not_count() -> None:
    source = (
        "import numpy as np\n"
        "def head(x, w_q, w_k, w_v, mask):\n"
        "    if x is None:\n"
        "        return np.einsum('bld,dk->blk', x, w_q)\n"
        "    return x[:, :, :8]\n"
    )
    verdict = ep.check(31, source)
    assert verdict.kind == "rules" and "np.einsum is never called when head() runs" in verdict.message


def test_softmax_glue_is_not_mistaken_for_a_product() -> None:
    scaled = HEAD_SOLUTION.replace(
        "weights = weights / weights.sum(axis=-1, keepdims=True)",
        "weights = weights * (1.0 / weights.sum(axis=-1, keepdims=True))",
    )
    assert scaled != HEAD_SOLUTION
    assert ep.check(31, scaled).correct
    # The mask applied by multiplying, then the weights normalised: an elementwise product, not a contraction.
    multiplied = HEAD_SOLUTION.replace(" + mask", "").replace(
        "weights = weights / weights.sum(axis=-1, keepdims=True)",
        "weights = weights * (mask == 0)\n    weights = weights / weights.sum(axis=-1, keepdims=True)",
    )
    assert multiplied.count("mask == 0") == 1
    assert ep.check(31, multiplied).correct


@pytest.mark.parametrize(
    ("number", "change", "reason"),
    [
        (31, (" + mask", ""), "without the causal mask"),
        (31, (MIX, 'return np.einsum("blm,bmk->blk", weights + mask, v)'), "mask added after the softmax"),
        (31, ("np.sqrt(q.shape[-1])", "np.sqrt(x.shape[-1])"), "divided by sqrt(d)"),
        (31, ("np.sqrt(q.shape[-1])", "q.shape[-1]"), "divided by k instead of sqrt(k)"),
        (31, ('"blk,bmk->blm", q, k', '"blk,bmk->bml", q, k'), "scores transposed"),
        (31, ("axis=-1", "axis=-2"), "softmax over the query axis"),
        (31, (MIX, 'return np.einsum("blm,blk->bmk", weights, v)'), "values mixed over the query letter"),
        (31, (MIX, 'return np.einsum("blm,blk->blk", weights, v)'), "weights summed away"),
        (32, (" + mask", ""), "without the causal mask"),
        (32, (" / np.sqrt(q.shape[-1])", ""), "without dividing the scores by sqrt(k)"),
        (
            32,
            (MERGE, 'return np.einsum("blf,fd->bld", np.einsum("blhk->blkh", mixed).' + FLAT),
            "heads merged in the wrong order",
        ),
    ],
)
def test_attention_mistakes_are_named(number: int, change: tuple[str, str], reason: str) -> None:
    solution = HEAD_SOLUTION if number == 31 else ATTENTION_SOLUTION
    source = solution.replace(*change)
    _assert_named(number, solution, source, reason)


def test_heads_merged_without_moving_the_head_axis() -> None:
    source = ATTENTION_SOLUTION.replace('"bhlm,bmhk->blhk", weights, v', '"bhlm,bmhk->bhlk", weights, v').replace(
        MERGE, 'return np.einsum("blf,fd->bld", mixed.' + FLAT
    )
    _assert_named(32, ATTENTION_SOLUTION, source, "heads merged without moving the head axis")


def _assert_named(number: int, solution: str, source: str, reason: str) -> None:
    assert source != solution
    verdict = ep.check(number, source)
    assert verdict.kind == "values", verdict.message
    assert reason in verdict.message, verdict.message
    assert verdict.fix is None


# --- steps in the wrong order: a value used before the line that computes it ---------------------

MOVE = re.compile(r"To fix it: move (.+?),?(?: in this order,)? up to just before line (\d+)\.")
SPAN = re.compile(r"lines? (\d+)(?:-(\d+))? \(")


def follow_move(source: str, message: str) -> str:
    """Carry out 'move line A (...) and line B (...) up to just before line U' word for word."""
    found = MOVE.search(message)
    assert found is not None, message
    spans = [(int(a), int(b or a)) for a, b in SPAN.findall(found.group(1))]
    before = int(found.group(2))
    lines = source.split("\n")
    for first, _last in spans:  # each quoted line is the one the message names
        code = lines[first - 1].strip()
        assert f"({code}" in found.group(1), (code, message)
    block = [line for first, last in spans for line in lines[first - 1 : last]]
    kept = [line for n, line in enumerate(lines, 1) if not any(a <= n <= b for a, b in spans)]
    assert all(before < first for first, _ in spans)
    return "\n".join(kept[: before - 1] + block + kept[before - 1 :])


def _reordered(solution: str, start: str, after: str) -> str:
    lines = solution.split("\n")
    index = next(i for i, line in enumerate(lines) if line.strip().startswith(start))
    line = lines.pop(index)
    target = next(i for i, line in enumerate(lines) if line.strip().startswith(after))
    lines.insert(target + 1, line)
    return "\n".join(lines)


@pytest.mark.parametrize(
    ("number", "moves", "used"),
    [
        (31, [("k =", "scores =")], "Line 7 uses k before line 8 computes it"),
        (31, [("weights = np.exp", "weights = weights /")], "Line 9 uses weights before line 10"),
        (32, [("q =", "scores ="), ("k =", "q =")], "Line 6 uses q and k before lines 7 and 8 compute them"),
        (32, [("v =", "mixed =")], "Line 10 uses v before line 11 computes it"),
    ],
)
def test_a_value_used_before_it_is_computed_gets_a_move_that_passes(
    number: int, moves: list[tuple[str, str]], used: str
) -> None:
    source = HEAD_SOLUTION if number == 31 else ATTENTION_SOLUTION
    for start, after in moves:
        source = _reordered(source, start, after)
    verdict = ep.check(number, source)
    assert verdict.kind == "error" and "UnboundLocalError" in verdict.message, verdict.message
    assert used in verdict.message and "To fix it: move line" in verdict.message
    assert "passes the check" in verdict.message
    followed = follow_move(source, verdict.message)
    assert ep.check(number, followed).correct, followed


ERROR = "UnboundLocalError: cannot access local variable 'b' where it is not associated with a value"


@pytest.mark.parametrize(
    ("body", "moved"),
    [
        (["c = a + b", "b = a * 2", "return c"], ["b = a * 2", "c = a + b", "return c"]),
        # the line that computes b needs t, which also comes too late: both move, in their order
        (["c = a + b", "t = a + 1", "b = t * 2", "return c"], ["t = a + 1", "b = t * 2", "c = a + b", "return c"]),
        (["b = b + 1", "b = a * 2", "return b"], ["b = a * 2", "b = b + 1", "return b"]),
        # a line jumped over reads a, which the moved line would change first
        (["c = a + b", "d = a", "b, a = a, 0", "return c + d"], None),
        # two assignments to one name would swap
        (["c = a + b", "e = 1", "b, e = a, 2", "return c + e"], None),
        # the value is computed inside a block: not moved
        (["c = a + b", "if a:", "    b = a", "return c"], None),
        # two statements on one line
        (["c = a + b; d = 1", "b = a", "return c + d"], None),
    ],
)
def test_a_move_is_proposed_only_when_it_changes_nothing_else(body: list[str], moved: list[str] | None) -> None:
    from einsum_puzzles.grading.reorder import find_move

    source = "def f(a):\n" + "".join(f"    {line}\n" for line in body)
    move = find_move(source, "f", ERROR, ["  line 2, in f: " + body[0]])
    if moved is None:
        assert move is None
        return
    assert move is not None
    assert move.source == "def f(a):\n" + "".join(f"    {line}\n" for line in moved)
    assert follow_move(source, "x. " + move.text()) == move.source


STEP_FIX = re.compile(r"To fix it: write step '(\w+)' as '([\w,>-]+)' instead of '([\w,>-]+)'\.")


@pytest.mark.parametrize("number", [31, 32])
def test_a_step_with_its_axes_in_another_order_gets_a_fix_that_the_grader_accepts(number: int) -> None:
    import numpy as np

    from einsum_puzzles.grading.steps import ATTENTION_STEPS, check_steps

    puzzle = ep.puzzle(number)
    right = {spec.name: spec.reference for spec in ATTENTION_STEPS[number]}
    for spec in ATTENTION_STEPS[number]:
        inputs, output = spec.reference.split("->")
        steps = dict(right, **{spec.name: f"{inputs}->{output[::-1]}"})
        verdict = check_steps(puzzle, steps, np.einsum)
        assert verdict.kind == "order" and f"step '{spec.name}'" in verdict.message, verdict.message
        found = STEP_FIX.search(verdict.message)
        assert found is not None, verdict.message
        name, new, old = found.groups()
        assert name == spec.name and steps[name] == old
        assert check_steps(puzzle, dict(steps, **{name: new}), np.einsum).correct
