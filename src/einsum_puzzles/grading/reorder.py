"""Steps in the wrong order in a code puzzle: a value used on a line before the line that computes it.

The learner's function stops with ``UnboundLocalError`` (or ``NameError``) when a step uses a result
that a later line computes (``scores`` from ``k`` before ``k = ...``). Read from the syntax tree of the
function, the repair is to move the line that computes the value (and the lines that value needs which
also come too late) up to just before the line that uses it. A move is proposed only when it cannot
change what any other line computes: nothing between reads or rewrites what the moved lines write, and
the moved lines read nothing that the lines they jump over write. Lines inside ``if``/``for``/``with``
blocks are never moved.
"""

from __future__ import annotations

import ast
import re
from collections.abc import Sequence
from dataclasses import dataclass

UNBOUND = re.compile(r"^(?:UnboundLocalError: cannot access local variable|NameError: name) '(\w+)'")
LINE = re.compile(r"^\s*line (\d+), in (\w+):")


@dataclass(frozen=True)
class Move:
    names: tuple[str, ...]
    """The values used too early."""
    user: tuple[int, int]
    """First and last line of the statement that uses it."""
    moved: tuple[tuple[int, int], ...]
    """First and last line of each statement to move, in their order."""
    code: tuple[str, ...]
    """The first line of each statement to move, as written."""
    source: str
    """The source with the move made."""

    def _lines(self, span: tuple[int, int]) -> str:
        return f"line {span[0]}" if span[0] == span[1] else f"lines {span[0]}-{span[1]}"

    def text(self) -> str:
        values = " and ".join(self.names)
        makers = sorted({first for first, _ in self.moved})
        where = (
            ("lines " + ", ".join(map(str, makers[:-1])) + f" and {makers[-1]}")
            if len(makers) > 1
            else (f"line {makers[0]}")
        )
        verb = "compute" if len(makers) > 1 else "computes"
        reason = (
            f"Line {self.user[0]} uses {values} before {where} {verb} "
            f"{'them' if len(self.names) > 1 else 'it'}: the lines of a function run from top to bottom."
        )
        parts = [f"{self._lines(span)} ({code})" for span, code in zip(self.moved, self.code)]
        what = parts[0] if len(parts) == 1 else ", ".join(parts[:-1]) + " and " + parts[-1] + ", in this order,"
        return f"{reason} To fix it: move {what} up to just before line {self.user[0]}."


def _reads(node: ast.AST) -> set[str]:
    return {n.id for n in ast.walk(node) if isinstance(n, ast.Name) and isinstance(n.ctx, ast.Load)}


def _writes(node: ast.AST) -> set[str]:
    return {n.id for n in ast.walk(node) if isinstance(n, ast.Name) and isinstance(n.ctx, (ast.Store, ast.Del))}


def _simple(node: ast.stmt) -> bool:
    return isinstance(node, (ast.Assign, ast.AnnAssign, ast.Expr)) and not any(
        isinstance(n, (ast.Lambda, ast.NamedExpr, ast.Yield, ast.YieldFrom, ast.Await)) for n in ast.walk(node)
    )


def find_move(source: str, function_name: str, message: str, details: Sequence[str]) -> Move | None:
    """The move that puts the computation of the value the error names before its first use."""
    named = UNBOUND.match(message)
    if named is None:
        return None
    name = named.group(1)
    where = [LINE.match(line) for line in details]
    frames = [(int(m.group(1)), m.group(2)) for m in where if m is not None]
    if not frames or frames[-1][1] != function_name:
        return None
    line = frames[-1][0]
    try:
        tree = ast.parse(source)
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        return None
    function = next(
        (n for n in tree.body if isinstance(n, ast.FunctionDef) and n.name == function_name),
        None,
    )
    if function is None:
        return None
    body = function.body
    user = next(
        (i for i, s in enumerate(body) if s.lineno <= line <= (s.end_lineno or s.lineno)),
        None,
    )
    if user is None or name not in _reads(body[user]):
        return None
    arguments = function.args
    parameters = {a.arg for a in (*arguments.posonlyargs, *arguments.args, *arguments.kwonlyargs)}
    if name in parameters or any(name in _writes(s) for s in body[:user]):
        return None  # bound before: the error has another cause
    bound_before = parameters | set().union(*(_writes(s) for s in body[:user]))
    # Every value the line uses too early (the error names the first one Python met).
    makers: dict[str, int] = {}
    for early in sorted(_reads(body[user]) - bound_before):
        maker = next((i for i in range(user + 1, len(body)) if early in _writes(body[i])), None)
        if maker is not None:
            makers[early] = maker
    if name not in makers:
        return None
    for early, maker in makers.items():
        if not _simple(body[maker]) or early in _reads(body[maker]):
            return None
    moved = set(makers.values())
    maker = max(moved)
    changed = True
    while changed:  # the lines the moved ones need, among those they jump over
        changed = False
        needed = set().union(*(_reads(body[i]) for i in moved))
        for i in range(user, maker):
            if i not in moved and _writes(body[i]) & needed:
                if i == user or not _simple(body[i]):
                    return None
                moved.add(i)
                changed = True
    written = set().union(*(_writes(body[i]) for i in moved))
    for i in range(user, maker):
        if i in moved:
            continue
        # The order of two assignments to one name would change (the using line may overwrite what it
        # used: 'weights = weights / ...' after 'weights = np.exp(...)' is meant).
        if _writes(body[i]) & written - (set(makers) if i == user else set()):
            return None
        if _reads(body[i]) & written & bound_before:
            return None  # this line reads a value that the moved lines would replace
    order = sorted(moved)
    lines = source.splitlines(keepends=True)
    spans = [(body[i].lineno, body[i].end_lineno or body[i].lineno) for i in order]
    if any(_shares_a_line(body, i) for i in [*order, user]):
        return None
    start = body[user].lineno
    block = [line for first, last in spans for line in lines[first - 1 : last]]
    kept = [line for number, line in enumerate(lines, 1) if not any(a <= number <= b for a, b in spans)]
    insert_at = start - 1  # every moved line comes after the user's first line
    new = kept[:insert_at] + block + kept[insert_at:]
    end = body[user].end_lineno or body[user].lineno
    names = tuple(sorted(makers, key=lambda n: makers[n]))
    shown = tuple(lines[first - 1].strip() + (" ..." if last > first else "") for first, last in spans)
    return Move(names, (start, end), tuple(spans), shown, "".join(new))


def _shares_a_line(body: Sequence[ast.stmt], index: int) -> bool:
    """Statements joined with ';' on one line cannot be moved line by line."""
    node = body[index]
    first, last = node.lineno, node.end_lineno or node.lineno
    return any(
        other is not node and other.lineno <= last and (other.end_lineno or other.lineno) >= first for other in body
    )
