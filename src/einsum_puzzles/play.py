"""``einsum-puzzles play``: solve puzzles one after another at a prompt.

Opens at the first unsolved puzzle from where the learner left off, takes answers with line editing
and history (prompt_toolkit; a plain prompt when the input is not a terminal), moves on when a puzzle
is solved, and records everything in the progress store, so the next session resumes there.

Commands at the prompt: ``:hint``, ``:solution``, ``:explain SUBSCRIPT [SHAPE...]``, ``:skip``, ``:list``,
``:goto N``, ``:edit`` (code puzzles: open $EDITOR on your file), ``:help``, ``:quit``.
"""

from __future__ import annotations

import os
import shlex
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

from .cli import Style, UsageError, explain_args, lesson_excerpt, puzzle_text, solution_question
from .curriculum import puzzles, sections
from .curriculum.model import Puzzle
from .grading import check
from .progress import Progress, home

HELP = """\
Type a subscript to check it (code puzzles: a path to your .py file, or :edit).
  :hint              the next hint            :solution     show a solution (asks first)
  :fix               the whole fix for your last wrong subscript (counts as a hint)
  :explain SUBSCRIPT what a subscript does on this puzzle's inputs
  :explain SUBSCRIPT SHAPE...   ... on operands of these shapes, e.g. :explain ij,jk->ik 2x3 3x4
  :skip              go to the next puzzle    :goto N       go to puzzle N
  :list              your progress (✓ solved, · not yet)
  :edit              edit your code (code puzzles, opens $EDITOR)
  :help              this text                :quit         leave (progress is saved)"""


def _reader() -> Callable[[str], str]:
    if not sys.stdin.isatty():
        return input
    from prompt_toolkit import PromptSession
    from prompt_toolkit.history import FileHistory

    folder = home()
    folder.mkdir(parents=True, exist_ok=True)
    session: PromptSession[str] = PromptSession(history=FileHistory(str(folder / "play_history")))
    return session.prompt


def start_puzzle(order: list[Puzzle], solved: set[int], position: int | None) -> Puzzle | None:
    """The first unsolved puzzle at or after ``position`` in course order (wrapping around)."""
    ids = [p.id for p in order]
    start = ids.index(position) if position in ids else 0
    for offset in range(len(order)):
        candidate = order[(start + offset) % len(order)]
        if candidate.id not in solved:
            return candidate
    return None


def play(read: Callable[[str], str] | None = None, backend: str = "numpy") -> int:
    style = Style(sys.stdout)
    order = puzzles()
    read = read or _reader()
    with Progress() as progress:
        current = start_puzzle(order, progress.solved(), progress.position())
        if current is None:
            print(style("Every puzzle is solved. Well done!", "green", "bold"))
            return 0
        print(style("einsum-puzzles: type :help for commands, :quit to leave.", "dim"))
        _introduce(current, style)
        progress.visit(current.id)
        last_fix: tuple[int, str | None] | None = None
        while current is not None:
            try:
                line = read(_prompt(current)).strip()
            except (EOFError, KeyboardInterrupt):
                print()
                break
            if not line:
                continue
            if line.startswith(":"):
                command, _, rest = line[1:].partition(" ")
                command = command.lower()
                if command in ("quit", "q", "exit"):
                    break
                if command == "help":
                    print(HELP)
                elif command == "hint":
                    shown = progress.next_hint(current.id, len(current.hints))
                    print(style(f"Hint {shown}/{len(current.hints)}:", "cyan"), current.hints[shown - 1])
                elif command == "fix":
                    if last_fix is None or last_fix[0] != current.id:
                        print(style("Check a subscript first: :fix shows the fix for your last wrong one.", "yellow"))
                    elif last_fix[1] is None:
                        print(style("No close fix was found for that answer; try :hint.", "yellow"))
                    else:
                        progress.next_hint(current.id, len(current.hints))  # a fix counts as a hint
                        print(style("Fix:", "cyan"), last_fix[1])
                elif command == "solution":
                    if current.id not in progress.solved() and not _confirm(read, solution_question(current)):
                        print("Not shown. Type :hint for a hint instead.")
                        continue
                    progress.reveal(current.id)
                    for solution in current.solutions:
                        print(solution)
                elif command == "explain":
                    _explain(rest.strip(), current, style)
                elif command in ("skip", "next"):
                    current = _next(order, current, progress)
                    if current is not None:
                        _introduce(current, style)
                elif command == "goto":
                    target = next((p for p in order if rest.strip().isdigit() and p.id == int(rest)), None)
                    if target is None:
                        print(style(f"No puzzle {rest.strip()!r}; see :list.", "yellow"))
                    else:
                        current = target
                        progress.visit(current.id)
                        _introduce(current, style)
                elif command == "list":
                    _list(progress.solved(), style)
                elif command == "edit" and current.kind == "code":
                    _edit(current, style)
                    _check_and_advance_code(current, _solution_file(current), progress, style)
                    if current.id in progress.solved():
                        current = _next(order, current, progress)
                        if current is not None:
                            _introduce(current, style)
                else:
                    print(style(f"Unknown command {line!r}; type :help.", "yellow"))
                continue
            answer = line
            if current.kind == "code":
                path = Path(os.path.expanduser(line))
                if not path.is_file():
                    print(style(f"No file {line!r}. Give the path of your .py file, or type :edit.", "yellow"))
                    continue
                answer = path.read_text(encoding="utf-8")
            verdict = check(current.id, answer, backend=backend)
            if verdict.kind != "unsolved":
                progress.record(current.id, answer, verdict.kind, verdict.correct)
            print(str(verdict).replace("✓", style("✓", "green")).replace("✗", style("✗", "red")))
            last_fix = (current.id, verdict.fix)
            if verdict.fix is not None:
                print(style("Type :fix to see the whole fixed subscript.", "dim"))
            if verdict.correct:
                current = _next(order, current, progress)
                if current is not None:
                    _introduce(current, style)
        else:
            print(style("Every puzzle is solved. Well done!", "green", "bold"))
    print("Progress saved. Run 'einsum-puzzles play' to continue.")
    return 0


def _next(order: list[Puzzle], current: Puzzle, progress: Progress) -> Puzzle | None:
    ids = [p.id for p in order]
    following = order[(ids.index(current.id) + 1) % len(order)]
    chosen = start_puzzle(order, progress.solved(), following.id)
    if chosen is not None:
        progress.visit(chosen.id)
    return chosen


def _prompt(p: Puzzle) -> str:
    """What the prompt asks for: a subscript, or (code puzzles) a file or :edit."""
    return f"[{p.id}] file or :edit > " if p.kind == "code" else f"[{p.id}] > "


def _confirm(read: Callable[[str], str], question: str) -> bool:
    try:
        return read(question).strip().lower() in ("y", "yes")
    except (EOFError, KeyboardInterrupt):
        print()
        return False


def _list(solved: set[int], style: Style) -> None:
    """Progress by section; the marks (✓ solved, · not yet) carry the meaning, colour only helps."""
    from .terminal import SOLVED, UNSOLVED, fit

    rows = [(s.title, s.puzzles) for s in sections() if s.puzzles]
    width = min(max(len(title) for title, _ in rows), 50)
    done = total = 0
    for title, items in rows:
        marks = " ".join(style(f"{SOLVED}{p.id}", "green") if p.id in solved else f"{UNSOLVED}{p.id}" for p in items)
        print(f"  {fit(title, width):{width}}  {marks}")
        done += sum(p.id in solved for p in items)
        total += len(items)
    print(f"{done}/{total} solved ({SOLVED} solved, {UNSOLVED} not yet)")


def _introduce(p: Puzzle, style: Style) -> None:
    print()
    print("\n".join(puzzle_text(p, style, playing=True)))
    if p.kind == "code":
        print(style(f"(:edit opens {_solution_file(p)})", "dim"))


def _explain(text: str, current: Puzzle, style: Style) -> None:
    from .errors import EinsumError
    from .explainer import explain

    words = text.split()
    if not words:
        print("\n".join(lesson_excerpt(current.section)))
        return
    # Shapes come last and have digits (2x3) or say 'scalar'; the rest is the subscript (spaces allowed).
    cut = len(words)
    while cut > 1 and (words[cut - 1] == "scalar" or any(ch.isdigit() for ch in words[cut - 1])):
        cut -= 1
    try:
        subscript, shapes = explain_args([" ".join(words[:cut]), *words[cut:]])
        if shapes:
            print(explain(subscript, *shapes).diagram)
        else:
            print(explain(subscript, *current.argument_shapes(), names=current.argument_names).diagram)
    except UsageError as error:
        print(style("shape: ", "red") + str(error))
    except EinsumError as error:
        print(style(f"{error.kind}: ", "red") + str(error))


def _solution_file(p: Puzzle) -> Path:
    return home() / "solutions" / f"puzzle_{p.id}.py"


def _edit(p: Puzzle, style: Style) -> None:
    path = _solution_file(p)
    path.parent.mkdir(parents=True, exist_ok=True)
    if not path.exists():
        path.write_text(p.starter, encoding="utf-8")
    editor = os.environ.get("VISUAL") or os.environ.get("EDITOR") or "vi"
    try:
        subprocess.run([*shlex.split(editor), str(path)], check=False)
    except OSError as error:
        print(style(f"Could not start the editor {editor!r}: {error}. Edit {path} and type its path.", "yellow"))


def _check_and_advance_code(p: Puzzle, path: Path, progress: Progress, style: Style) -> None:
    source = path.read_text(encoding="utf-8") if path.exists() else ""
    verdict = check(p.id, source)
    if verdict.kind != "unsolved":
        progress.record(p.id, source, verdict.kind, verdict.correct)
    print(verdict)
