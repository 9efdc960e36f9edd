"""The ``einsum-puzzles`` command.

    einsum-puzzles list | show N | check N ANSWER [--json] | hint N | solution N | explain SUBSCRIPT SHAPE...
                   | play | progress [--export FILE | --import FILE] | reset [N] | cheatsheet [--grep WORD]
                   | quiz | backends | notebook | serve [--workers N] | teacher add EMAIL | db upgrade|check
                   | translate CODE NAME=SHAPE... | solve IN.npy... --out OUT.npy

Exit codes: 0 success (``check``: correct), 1 ``check`` not correct, 2 usage errors (unknown puzzle,
malformed shape, bad progress file, missing file, a library that cannot run here, a taken port...),
always with a message and never a traceback; 130 stopped with Ctrl-C; 141 the reader of the output
went away (``einsum-puzzles list | head -1``), quietly, like other Unix tools.

Built on argparse with lazy imports: ``--help``, ``list`` and ``check`` load nothing heavier than numpy
(see bench/cli.py). Colour is plain ANSI, off when the output is not a terminal or ``NO_COLOR`` is set.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any, ClassVar, TextIO

if TYPE_CHECKING:
    from .curriculum.model import Puzzle
    from .explainer import Explanation
    from .progress import Progress

EXIT_OK, EXIT_WRONG, EXIT_USAGE = 0, 1, 2


class UsageError(Exception):
    """A command-line argument that cannot be used (exit code 2)."""


# --- output ----------------------------------------------------------------------------------------
class Style:
    """ANSI styling, or none at all when the stream is not a terminal or NO_COLOR is set."""

    CODES: ClassVar[dict[str, str]] = {
        "bold": "1",
        "dim": "2",
        "green": "32",
        "red": "31",
        "yellow": "33",
        "cyan": "36",
        "magenta": "35",
    }

    def __init__(self, stream: TextIO) -> None:
        self.enabled = stream.isatty() and not os.environ.get("NO_COLOR") and os.environ.get("TERM") != "dumb"

    def __call__(self, text: str, *styles: str) -> str:
        if not self.enabled or not styles:
            return text
        codes = ";".join(self.CODES[s] for s in styles)
        return f"\033[{codes}m{text}\033[0m"


def out(text: str = "") -> None:
    print(text)


def parse_shape(text: str) -> tuple[int, ...]:
    """``'3x2'`` -> ``(3, 2)``; ``'scalar'`` -> ``()``; a UsageError (exit 2) otherwise."""
    from .shapes import ShapeSyntaxError
    from .shapes import parse_shape as parse

    try:
        return parse(text)
    except ShapeSyntaxError as error:
        raise UsageError(str(error)) from None


def _puzzle(number: str | int) -> Puzzle:
    from .curriculum import UnknownPuzzle, puzzle

    try:
        value = int(number)
    except ValueError:
        raise UsageError(f"{number!r} is not a puzzle number; see 'einsum-puzzles list'") from None
    try:
        return puzzle(value)
    except UnknownPuzzle as exc:
        raise UsageError(str(exc)) from None


def _progress() -> Progress:
    from .progress import Progress

    return Progress()


def _print_json(data: Any) -> None:
    print(json.dumps(data, indent=2, ensure_ascii=False))


# --- commands --------------------------------------------------------------------------------------
def cmd_list(args: argparse.Namespace) -> int:
    from .curriculum import sections

    with _progress() as progress:
        solved, attempted, revealed = progress.solved(), progress.attempted(), progress.revealed()
    all_ids = [p.id for s in sections() for p in s.puzzles]
    if args.json:
        _print_json(
            {
                "total": len(all_ids),
                "solved": len(solved & set(all_ids)),
                "sections": [
                    {
                        "id": s.id,
                        "title": s.title,
                        "puzzles": [
                            {
                                "id": p.id,
                                "title": p.title,
                                "kind": p.kind,
                                "solved": p.id in solved,
                                "attempted": p.id in attempted,
                                "revealed": p.id in revealed,
                            }
                            for p in s.puzzles
                        ],
                    }
                    for s in sections()
                ],
            }
        )
        return EXIT_OK
    style = Style(sys.stdout)
    for s in sections():
        if not s.puzzles:
            continue
        out(style(s.title, "bold"))
        for p in s.puzzles:
            mark = style("✓", "green") if p.id in solved else (style("•", "yellow") if p.id in attempted else "·")
            extra = style("  (code)", "dim") if p.kind == "code" else ""
            out(f"  {mark} {p.id:>2}  {p.title}{extra}")
    done = len(solved & set(all_ids))
    out()
    out(f"{done}/{len(all_ids)} solved ({100 * done / len(all_ids):.0f}%)")
    return EXIT_OK


def puzzle_text(p: Puzzle, style: Style, playing: bool = False) -> list[str]:
    """What ``show`` prints for a puzzle; ``playing``: as ``play`` shows it, where one types the answer."""
    import numpy as np

    from .curriculum import section

    sec = section(p.section)
    lines = [style(f"Puzzle {p.id}: {p.title}", "bold") + style(f"   [{sec.title}]", "dim"), "", p.prompt]
    if p.note:
        lines += ["", style("Note: ", "cyan") + p.note]
    lines.append("")
    inputs = p.inputs()
    for name, array in zip(p.input_names, inputs):
        arr = np.asarray(array)
        lines.append(f"  {name}.shape = {arr.shape}")
        if arr.size <= 24 and p.kind == "subscript":
            lines.extend("      " + row for row in np.array2string(arr, separator=", ").splitlines())
    lines.append("")
    if p.kind == "code":
        lines.append(f"Write {p.function_name}({', '.join(p.input_names)}) using np.einsum. Starter:")
        lines.extend("    " + row for row in p.starter.splitlines())
        if playing:
            lines.append("Type :edit to write it in your editor, or type the path of your .py file.")
        else:
            lines.append("Check it with: einsum-puzzles check " + f"{p.id} your_file.py")
    else:
        lines.append(f"Your answer is used as {p.call}; the target has shape {p.target_shape}.")
        if p.argument_note():
            lines.append(f"In diagrams and messages, {p.argument_note()}")
        if playing:
            lines.append("Type the subscript (for example ij,jk->ik) and press Enter.")
        else:
            lines.append(f"Check it with: einsum-puzzles check {p.id} 'SUBSCRIPT'")
    return lines


def solution_question(p: Puzzle) -> str:
    """The confirmation asked before an unsolved puzzle's solution is shown (``solution`` and ``play``)."""
    return f"Puzzle {p.id} is not solved yet. Show the solution anyway? [y/N] "


def explain_args(words: Sequence[str]) -> tuple[str, list[tuple[int, ...]]]:
    """``['ij,jk->ik', '2x3', '3x4']`` -> the subscript and its shapes (``explain`` and ``play``'s ``:explain``)."""
    subscript, *shape_texts = words
    if "\0" in subscript:
        raise UsageError("the subscript contains a NUL character; remove it")
    return subscript, [parse_shape(text) for text in shape_texts]


def lesson_excerpt(section_id: str) -> list[str]:
    """The first paragraph of a section's lesson, and its first worked example explained."""
    from .curriculum import section, worked_examples
    from .explainer import explain

    sec = section(section_id)
    paragraphs = [block.strip() for block in sec.lesson.split("\n\n") if block.strip()]
    body = next((block for block in paragraphs[1:] if not block.startswith(("```", "    "))), "")
    lines = [body]
    examples = worked_examples(sec.lesson)
    if examples:
        subscript, shapes = examples[0]
        lines += ["", "Example:", *("    " + row for row in explain(subscript, *shapes).diagram.splitlines())]
    return lines


def cmd_show(args: argparse.Namespace) -> int:
    p = _puzzle(args.n)
    style = Style(sys.stdout)
    if args.json:
        _print_json(p.to_dict())
        return EXIT_OK
    out("\n".join(lesson_excerpt(p.section)))
    out()
    out("\n".join(puzzle_text(p, style)))
    with _progress() as progress:
        progress.visit(p.id)
    return EXIT_OK


def _read_answer(p: Puzzle, answer: str) -> str:
    """For code puzzles the answer is a file (or '-' for standard input)."""
    if p.kind != "code":
        if "\0" in answer:
            raise UsageError("the answer contains a NUL character; remove it")
        return answer
    from .grading.code import MAX_SOURCE

    limit = 4 * MAX_SOURCE  # bytes: MAX_SOURCE characters of UTF-8 at most; read one more to tell
    if answer == "-":
        return _utf8(_capped(sys.stdin.buffer.read(limit + 1), limit, "standard input"), "standard input")
    if os.path.isfile(answer):
        with open(answer, "rb") as handle:
            return _utf8(_capped(handle.read(limit + 1), limit, answer), answer)
    if "def " in answer:
        return answer
    if os.path.isdir(answer):
        raise UsageError(f"{answer} is a folder; give the path of your .py file in it")
    if os.path.exists(answer):
        raise UsageError(f"{answer} is not a regular file; give the path of your .py file (or - for standard input)")
    if answer.endswith(".py") or os.sep in answer or "/" in answer:
        raise UsageError(f"{answer}: no such file; check the path of your .py file (or give - to read standard input)")
    raise UsageError(f"puzzle {p.id} is a code puzzle: give the path of a .py file (or - to read standard input)")


def _capped(data: bytes, limit: int, where: str) -> bytes:
    if len(data) > limit:
        raise UsageError(f"{where} is too long: the checker reads code of at most {limit // 4:,} characters")
    return data


def _utf8(data: bytes, where: str) -> str:
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as error:
        raise UsageError(
            f"{where} is not UTF-8 text (byte 0x{data[error.start]:02x} at position {error.start}); "
            "save it as UTF-8 and check again"
        ) from None


def cmd_check(args: argparse.Namespace) -> int:
    from .grading import check
    from .terminal import printable

    p = _puzzle(args.n)
    answer = _read_answer(p, args.answer)
    if args.backend != "numpy":  # a library that cannot run here: exit 2, nothing recorded
        from .backends import get as get_backend

        get_backend(args.backend)
    verdict = check(p.id, answer, backend=args.backend)
    if args.json:
        _print_json(verdict.to_dict())
    else:
        style = Style(sys.stdout)
        mark = style("✓", "green", "bold") if verdict.correct else style("✗", "red", "bold")
        out(f"{mark} Puzzle {p.id}: {style(verdict.title, 'bold')}")
        out(printable(verdict.message))  # the learner's code may have written these: no terminal controls
        for line in verdict.details:
            out(printable(line))
        if args.fix and verdict.fix is not None:
            out(f"{style('Fix:', 'cyan')} {verdict.fix}")
        elif args.fix and not verdict.correct and verdict.kind != "unsolved":
            what = "Fixes are found for subscripts, not for code" if p.kind == "code" else "No close fix was found"
            out(f"{what}; 'einsum-puzzles hint {p.id}' shows a hint.")
        elif verdict.fix is not None:
            out(style("Add --fix to see the whole fixed subscript (it counts as a hint).", "dim"))
        elif not verdict.correct and verdict.kind not in ("unsolved",):
            out(style("Stuck? 'einsum-puzzles hint " + str(p.id) + "' shows a hint.", "dim"))
    if verdict.kind != "unsolved":  # the verdict first: a store that fails cannot hide it
        from .progress import ProgressError

        try:
            with _progress() as progress:
                progress.record(p.id, answer, verdict.kind, verdict.correct)
                if args.fix and verdict.fix is not None:
                    progress.next_hint(p.id, len(p.hints))  # seeing the fix counts as taking a hint
        except ProgressError as exc:
            print(f"error: this attempt was not saved: {exc}", file=sys.stderr)
            return EXIT_USAGE
    return EXIT_OK if verdict.correct else EXIT_WRONG


def cmd_hint(args: argparse.Namespace) -> int:
    p = _puzzle(args.n)
    with _progress() as progress:
        shown = progress.next_hint(p.id, len(p.hints))
    if args.json:
        _print_json({"puzzle": p.id, "shown": shown, "total": len(p.hints), "hints": list(p.hints[:shown])})
        return EXIT_OK
    style = Style(sys.stdout)
    for number, hint in enumerate(p.hints[:shown], start=1):
        label = style(f"Hint {number}/{len(p.hints)}:", "cyan")
        out(f"{label} {hint}")
    if shown == len(p.hints):
        out(Style(sys.stdout)("That was the last hint; 'einsum-puzzles solution " + f"{p.id}' shows an answer.", "dim"))
    return EXIT_OK


def cmd_solution(args: argparse.Namespace) -> int:
    p = _puzzle(args.n)
    with _progress() as progress:
        solved = p.id in progress.solved()
        if not solved and not args.yes:
            if not sys.stdin.isatty():
                raise UsageError(f"puzzle {p.id} is not solved yet; add --yes to see the solution anyway")
            reply = input(solution_question(p)).strip().lower()
            if reply not in ("y", "yes"):
                out("Not shown. Try 'einsum-puzzles hint " + f"{p.id}' instead.")
                return EXIT_OK
        progress.reveal(p.id)
    if args.json:
        _print_json({"puzzle": p.id, "solutions": list(p.solutions)})
        return EXIT_OK
    style = Style(sys.stdout)
    out(style(f"Puzzle {p.id}: {p.title}", "bold"))
    for solution in p.solutions:
        out(solution if p.kind == "code" else f"  {solution}")
    return EXIT_OK


def cmd_explain(args: argparse.Namespace) -> int:
    from .explainer import explain

    if "\0" in args.subscript:
        raise UsageError("the subscript contains a NUL character; remove it")
    shapes = [parse_shape(text) for text in args.shapes]
    explanation = explain(args.subscript, *shapes)
    if args.svg:
        try:
            with open(args.svg, "w", encoding="utf-8") as handle:
                handle.write(explanation.svg + "\n")
        except OSError as error:
            raise UsageError(f"cannot write the picture to {args.svg!r}: {error.strerror}") from None
        print(f"Wrote the picture to {args.svg} (open it in a browser).", file=sys.stderr)
    if args.json:
        _print_json(explanation.to_dict())
    else:
        out(render_explanation(explanation))
    return EXIT_OK


def render_explanation(explanation: Explanation) -> str:
    sections = [
        explanation.diagram,
        explanation.prose,
        explanation.formula,
        "As loops:\n" + _indent(explanation.loops),
        "In plain numpy (the steps einsum-puzzles runs):\n" + _indent(explanation.numpy_code),
    ]
    if explanation.backend_notes:
        sections.append("Other libraries:\n" + "\n".join(f"  - {note}" for note in explanation.backend_notes))
    return "\n\n".join(sections)


def _indent(source: str) -> str:
    return "\n".join("    " + line for line in source.splitlines())


def cmd_progress(args: argparse.Namespace) -> int:
    from pathlib import Path

    from .curriculum import sections
    from .progress import read_export

    with _progress() as progress:
        if args.export:
            data = progress.export()
            Path(args.export).write_text(json.dumps(data, indent=2), encoding="utf-8")
            out(f"Exported {len(data['attempts'])} attempts and {len(data['solved'])} solved puzzles to {args.export}")
            return EXIT_OK
        if args.import_:
            added = progress.import_(read_export(Path(args.import_)))
            out(f"Imported {added} new attempts from {args.import_}")
            return EXIT_OK
        solved, hints, revealed = progress.solved(), progress.hints_used(), progress.revealed()
        attempts = progress.attempts()
        path = progress.path
    rows: list[dict[str, Any]] = []
    for s in sections():
        ids = [p.id for p in s.puzzles]
        if ids:
            rows.append({"section": s.id, "title": s.title, "solved": len(set(ids) & solved), "total": len(ids)})
    total = sum(r["total"] for r in rows)
    data = {
        "solved": len(solved),
        "total": total,
        "attempts": len(attempts),
        "hints_used": sum(hints.values()),
        "solutions_revealed": sorted(revealed),
        "sections": rows,
        "file": str(path),
    }
    if args.json:
        _print_json(data)
        return EXIT_OK
    style = Style(sys.stdout)
    out(
        style(f"{len(solved)}/{total} puzzles solved", "bold")
        + f", {len(attempts)} attempt{'' if len(attempts) == 1 else 's'}, "
        f"{sum(hints.values())} hints, {len(revealed)} solutions revealed"
    )
    from .terminal import fit

    width = min(max((len(row["title"]) for row in rows), default=0), 50)
    for row in rows:
        bar = "█" * row["solved"] + "·" * (row["total"] - row["solved"])
        out(f"  {fit(row['title'], width):{width}} {bar} {row['solved']}/{row['total']}")
    out(style(f"(stored in {path})", "dim"))
    return EXIT_OK


def cmd_reset(args: argparse.Namespace) -> int:
    target = f"puzzle {args.n}" if args.n is not None else "all your progress"
    if args.n is not None:
        _puzzle(args.n)
    if not args.yes:
        if not sys.stdin.isatty():
            raise UsageError(f"this would erase {target}; add --yes to confirm")
        if input(f"Erase {target}? [y/N] ").strip().lower() not in ("y", "yes"):
            out("Nothing erased.")
            return EXIT_OK
    with _progress() as progress:
        progress.reset(None if args.n is None else int(args.n))
    out(f"Erased {target}.")
    return EXIT_OK


def cmd_cheatsheet(args: argparse.Namespace) -> int:
    from .curriculum import cheatsheet

    entries = [
        e
        for e in cheatsheet()
        if not args.grep or any(args.grep.lower() in field.lower() for field in (e.group, e.name, e.subscript, e.numpy))
    ]
    if args.json:
        _print_json(
            [
                {
                    "group": e.group,
                    "name": e.name,
                    "subscript": e.subscript,
                    "numpy": e.numpy,
                    "shapes": [list(s) for s in e.shapes],
                }
                for e in entries
            ]
        )
        return EXIT_OK
    if not entries:
        out(f"Nothing in the cheatsheet matches {args.grep!r}.")
        return EXIT_OK
    style = Style(sys.stdout)
    group = None
    for e in entries:
        if e.group != group:
            group = e.group
            out(style(group, "bold"))
        out(f"  {e.subscript:22} {e.numpy:55} {style(e.name, 'dim')}")
    out(style("(operands are x, y, z in order)", "dim"))
    return EXIT_OK


def cmd_quiz(args: argparse.Namespace) -> int:
    from .curriculum import sections, shape_questions
    from .shapes import parse_shape_answer

    style = Style(sys.stdout)
    if args.answers:  # lesson by lesson, in course order
        for sec in sections():
            if not (sec.questions or sec.shape_questions):
                continue
            out(style(f"== {sec.title} ==", "bold"))
            for q in sec.questions:
                out(style(f"{q.id}. {q.text}", "bold"))
                out(f"   {q.answer}")
            for sq in sec.shape_questions:
                out(style(f"{sq.id}. {sq.text}", "bold"))
                out(f"   {sq.answer}: {sq.why}")
        return EXIT_OK
    right = answered = 0
    items = list(shape_questions())
    out(style("Predict the output shape. Answer like 3x4, or 'scalar'. An empty line stops.", "dim"))
    for sq in items:
        out(style(f"{sq.id}. {sq.text}", "bold"))
        try:
            reply = input("> ").strip()
        except EOFError:
            break
        if not reply:
            break
        answered += 1
        try:
            guess = parse_shape_answer(reply)
        except ValueError:
            out(style("Could not read that shape.", "yellow") + f" The answer is {sq.answer}: {sq.why}.")
            continue
        if guess == sq.answer:
            right += 1
            out(style("Right:", "green") + f" {sq.why}.")
        else:
            out(style("Not quite:", "red") + f" the answer is {sq.answer}; {sq.why}.")
    if answered < len(items):
        out(f"{right}/{answered} right ({answered} of the {len(items)} questions answered).")
    else:
        out(f"{right}/{answered} right.")
    out("'einsum-puzzles quiz --answers' lists every question with its answer.")
    return EXIT_OK


def cmd_backends(args: argparse.Namespace) -> int:
    from .backends import BACKENDS, statuses

    if args.compare:
        return _compare_backends(args)
    rows: list[dict[str, Any]] = [
        {
            **status.to_dict(),
            "install": None if status.installed else BACKENDS[status.name].install_hint(),
            "differences": [d.summary for d in BACKENDS[status.name].differences],
        }
        for status in statuses()
    ]
    if args.json:
        _print_json(rows)
        return EXIT_OK
    style = Style(sys.stdout)
    for row in rows:
        if row["available"]:
            out(f"  {row['name']:10} {style(row['version'], 'green')}")
        elif not row["installed"]:
            out(f"  {row['name']:10} {style('not installed', 'yellow')}   ({row['fix']})")
        else:
            out(f"  {row['name']:10} {style(row['version'] + ', cannot run here', 'red')}: {row['reason']}.")
            out(f"  {'':10} {row['fix']}.")
        for difference in row["differences"]:
            out(style(f"      differs: {difference}", "dim"))
    return EXIT_OK


def _compare_backends(args: argparse.Namespace) -> int:
    import numpy as np

    from .backends import BACKENDS, installed, status
    from .contraction import bind

    subscript, *shape_texts = args.compare
    shapes = [parse_shape(text) for text in shape_texts]
    ours = None
    try:
        bind(subscript, *shapes)
    except Exception as error:  # our message first, then what each library does with it
        ours = str(error)
    rng = np.random.default_rng(0)
    arrays = [rng.integers(1, 5, size=shape).astype(args.dtype) for shape in shapes]
    try:
        reference: Any = np.einsum(subscript, *arrays)
    except ValueError:
        reference = None
    numpy_dtype = None if reference is None else str(np.asarray(reference).dtype)
    rows: list[dict[str, Any]] = []

    def add_row(name: str, result: Any = None, error: str | None = None, unavailable: str | None = None) -> None:
        rows.append(
            {
                "backend": name,
                "shape": None if result is None else list(result.shape),
                "dtype": None if result is None else str(result.dtype),
                "agrees_with_numpy": result is not None
                and reference is not None
                and result.shape == np.shape(reference)
                and bool(np.allclose(result, reference)),
                "same_dtype": result is not None and str(result.dtype) == numpy_dtype,
                "error": error,
                "unavailable": unavailable,
            }
        )

    for name in installed():
        state = status(name)
        if not state.usable:
            add_row(name, unavailable=state.message())
            continue
        try:
            result = np.asarray(BACKENDS[name].einsum(subscript, *arrays))
        except Exception as error:  # each library's own refusal is the information we show
            add_row(name, error=f"{type(error).__name__}: {str(error).splitlines()[0][:160] if str(error) else ''}")
        else:
            add_row(name, result)
    if args.json:
        _print_json(
            {
                "subscript": subscript,
                "shapes": [list(s) for s in shapes],
                "dtype": args.dtype,
                "einsum_puzzles": ours or "valid",
                "results": rows,
            }
        )
        return EXIT_OK
    out(f"{subscript} on {', '.join(str(s) for s in shapes)} ({args.dtype})")
    out(f"  einsum-puzzles: {ours.splitlines()[0] if ours else 'valid'}")
    for row in rows:
        if row["unavailable"]:
            out(f"  {row['backend']:10} {row['unavailable']}")
        elif row["error"]:
            out(f"  {row['backend']:10} raises {row['error']}")
        else:
            if row["backend"] == "numpy":
                verdict = "(the reference)"
            elif not row["agrees_with_numpy"]:
                verdict = "DIFFERS from numpy"
            elif row["same_dtype"]:
                verdict = "same as numpy"
            else:
                verdict = f"same values as numpy, but {row['dtype']} where numpy gives {numpy_dtype}"
            out(f"  {row['backend']:10} shape {tuple(row['shape'])} {row['dtype']:8} {verdict}")
    return EXIT_OK


def cmd_notebook(args: argparse.Namespace) -> int:
    from pathlib import Path

    from .backends import get as get_backend
    from .notebook import build, dumps

    get_backend(args.backend)  # an unknown or missing library: a LookupError, reported by main() (exit 2)
    default = "einsum-puzzles-solutions.ipynb" if args.solutions else "einsum-puzzles.ipynb"
    path = Path(args.output or default)
    if path.exists() and not args.force:
        raise UsageError(f"{path} exists; choose another name with -o, or add --force to replace it")
    try:
        notebook = build(
            solutions=args.solutions, backend=args.backend, section_id=args.section, source=args.install_from
        )
    except LookupError as exc:
        raise UsageError(str(exc)) from None
    path.write_text(dumps(notebook), encoding="utf-8")
    out(f"Wrote {path} ({len(notebook['cells'])} cells).")
    from .terminal import notebook_openers

    ways = notebook_openers(path)
    if ways:
        out("Open it with: " + ways[0])
        for way in ways[1:]:
            out("          or: " + way)
    else:
        out(f"No Jupyter here: install it (pip install jupyterlab), then: jupyter lab {path}")
    out("Or upload it to Google Colab (File > Upload notebook); its first cell says how einsum-puzzles gets installed.")
    return EXIT_OK


def cmd_serve(args: argparse.Namespace) -> int:
    try:
        import uvicorn

        from .web import create_app
    except ImportError as exc:
        raise UsageError(f"the web app needs its dependencies ({exc.name}); run 'make install'") from None
    if args.workers < 1:
        raise UsageError("--workers must be 1 or more")
    from .admin import prepare_store
    from .terminal import port_problem

    prepare_store()  # migrate once, and refuse a foreign or damaged store with a message, before any worker
    problem = port_problem(args.host, args.port)
    if problem is not None:
        raise UsageError(problem)
    from .web.security import ENV_HOSTS

    hosts = [args.host, *(args.allow_host or [])]
    if args.host not in ("127.0.0.1", "localhost", "::1"):
        print(f"warning: serving on {args.host}, reachable from other machines", file=sys.stderr)
        if not args.allow_host:
            print(
                "warning: only requests for localhost and the bound address are answered; add the name learners "
                "type in their browser with --allow-host NAME",
                file=sys.stderr,
            )
    os.environ[ENV_HOSTS] = ",".join(hosts)  # the worker processes build their app from it
    out(f"einsum-puzzles on http://{args.host}:{args.port}/ (Ctrl-C stops it)")
    if args.workers > 1:
        uvicorn.run(
            "einsum_puzzles.web.app:served_app",
            factory=True,
            host=args.host,
            port=args.port,
            workers=args.workers,
            log_level="warning",
        )
    else:
        from .grading.worker import tune_gc
        from .web.app import GRADE_PROCESSES, start_probe

        # Find out now which libraries can run (importing each takes a moment), not on the first puzzle page.
        start_probe()
        tune_gc()
        app = create_app(allowed_hosts=hosts, grading_processes=GRADE_PROCESSES)
        uvicorn.run(app, host=args.host, port=args.port, log_level="warning")
    return EXIT_OK


def cmd_play(args: argparse.Namespace) -> int:
    from .backends import get as get_backend
    from .play import play

    get_backend(args.backend)  # an unknown or missing library: a LookupError, reported by main() (exit 2)
    return play(backend=args.backend)


# --- parser ----------------------------------------------------------------------------------------
COMMANDS = (
    "list",
    "show",
    "check",
    "hint",
    "solution",
    "explain",
    "play",
    "progress",
    "reset",
    "cheatsheet",
    "quiz",
    "backends",
    "notebook",
    "serve",
    "teacher",
    "db",
    "translate",
    "solve",
)


def build_parser(only: str | None = None) -> argparse.ArgumentParser:
    """The argument parser; with ``only``, just that command's (argparse is slow to build them all)."""
    parser = argparse.ArgumentParser(
        prog="einsum-puzzles",
        description="Learn numpy's einsum with checked puzzles, and see what any einsum does.",
    )
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    def add(name: str, run: Callable[[argparse.Namespace], int], help: str, json_flag: bool = True) -> Any:
        if only is not None and name != only:
            return _Ignored()
        command = commands.add_parser(name, help=help, description=help)
        command.set_defaults(run=run)
        if json_flag:
            command.add_argument("--json", action="store_true", help="print a JSON document instead of text")
        return command

    add("list", cmd_list, "list the sections and puzzles with your progress")
    add("show", cmd_show, "show a puzzle: lesson excerpt, prompt, inputs").add_argument("n", metavar="N")
    check = add("check", cmd_check, "check an answer (exit 0 when correct, 1 when not)")
    check.add_argument("n", metavar="N")
    check.add_argument("answer", metavar="ANSWER", help="a subscript, or a .py file for the code puzzles")
    check.add_argument("--backend", default="numpy", help="the library that evaluates the answer")
    check.add_argument(
        "--fix", action="store_true", help="also show the whole fixed subscript for a wrong one (counts as a hint)"
    )
    add("hint", cmd_hint, "show the next hint for a puzzle").add_argument("n", metavar="N")
    solution = add("solution", cmd_solution, "show a puzzle's solution")
    solution.add_argument("n", metavar="N")
    solution.add_argument("--yes", action="store_true", help="do not ask for confirmation")
    explain = add("explain", cmd_explain, "explain what an einsum does with operands of the given shapes")
    explain.add_argument("subscript", help="an einsum subscript, e.g. 'ij,jk->ik'")
    explain.add_argument("shapes", nargs="*", metavar="SHAPE", help="one shape per operand, e.g. 3x2 (or 'scalar')")
    explain.add_argument("--svg", metavar="FILE", help="also write the picture (cells and tensor network) as SVG")
    play = add("play", cmd_play, "interactive mode: solve puzzles one after another", json_flag=False)
    play.add_argument("--backend", default="numpy", help="the library that evaluates your answers")
    progress = add("progress", cmd_progress, "your progress; export or import it as JSON")
    progress.add_argument("--export", metavar="FILE", help="write your progress to a JSON file")
    progress.add_argument("--import", dest="import_", metavar="FILE", help="merge progress from a JSON file")
    reset = add("reset", cmd_reset, "erase your progress (all of it, or one puzzle's)", json_flag=False)
    reset.add_argument("n", metavar="N", nargs="?")
    reset.add_argument("--yes", action="store_true", help="do not ask for confirmation")
    cheat = add("cheatsheet", cmd_cheatsheet, "einsum next to the numpy it replaces")
    cheat.add_argument("--grep", metavar="WORD", help="only lines that mention WORD")
    quiz = add("quiz", cmd_quiz, "predict-the-shape quiz and the comprehension questions", json_flag=False)
    quiz.add_argument("--answers", action="store_true", help="list every question with its answer")
    backends = add("backends", cmd_backends, "the libraries that can evaluate answers, and how they differ")
    backends.add_argument("--compare", nargs="+", metavar="ARG", help="SUBSCRIPT SHAPE...: run it on every backend")
    backends.add_argument("--dtype", default="float64", help="operand dtype for --compare (default float64)")
    notebook = add("notebook", cmd_notebook, "write the course as a Jupyter/Colab notebook", json_flag=False)
    notebook.add_argument("-o", "--output", metavar="FILE", help="where to write it (default einsum-puzzles.ipynb)")
    notebook.add_argument("--solutions", action="store_true", help="fill in every answer")
    notebook.add_argument("--backend", default="numpy", help="the library the notebook's checks use")
    notebook.add_argument("--section", metavar="S", help="only this section (see 'einsum-puzzles list')")
    notebook.add_argument("--force", action="store_true", help="replace FILE if it exists")
    notebook.add_argument(
        "--install-from",
        metavar="SOURCE",
        help="where the setup cell installs einsum-puzzles from when the kernel lacks it (Colab): a wheel's path "
        "or URL (default: the wheel's file name, next to the notebook; 'make wheel' builds it)",
    )
    serve = add("serve", cmd_serve, "start the web app", json_flag=False)
    serve.add_argument(
        "--host", default="127.0.0.1", help="address to listen on (default 127.0.0.1: this machine only)"
    )
    serve.add_argument("--port", type=int, default=8000, help="port (default 8000)")
    serve.add_argument("--workers", type=int, default=1, help="server processes (they share the progress store)")
    serve.add_argument(
        "--allow-host",
        action="append",
        metavar="HOST",
        help="also answer requests for this host name (repeatable; default: the bound address, localhost, 127.0.0.1)",
    )
    from .admin import register

    register(add)
    if only in (None, "translate", "solve"):
        from .find import cli as find_cli

        find_cli.register(add)
    return parser


class _Ignored:
    """Stands in for a command parser that ``build_parser(only=...)`` skips."""

    def add_argument(self, *args: Any, **kwargs: Any) -> None:
        return None


def main(argv: Sequence[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    first = argv[0] if argv else None
    wants_help = any(arg in ("-h", "--help") for arg in argv)
    parser = build_parser(first if first in COMMANDS and not wants_help else None)
    try:
        args = parser.parse_args(argv)
    except SystemExit as exc:  # argparse has printed its usage message
        return EXIT_USAGE if exc.code not in (0, None) else EXIT_OK
    from .errors import EinsumError
    from .progress import ProgressError

    try:
        code: int = args.run(args)
        sys.stdout.flush()  # a closed pipe shows here, not in the interpreter's last flush
    except BrokenPipeError:  # the reader went away (| head): stop quietly, as other Unix tools do
        from .terminal import EXIT_BROKEN_PIPE, silence_stdout

        silence_stdout()
        return EXIT_BROKEN_PIPE
    except (UsageError, EinsumError, ProgressError, LookupError) as exc:
        # Every user mistake (bad argument, subscript, progress file, unknown puzzle or backend): a message, exit 2.
        label = f"error ({exc.kind})" if isinstance(exc, EinsumError) else "error"
        text = exc.args[0] if isinstance(exc, LookupError) and exc.args else exc
        print(f"{label}: {text}", file=sys.stderr)
        if isinstance(exc, EinsumError) and any(_cut_at_arrow(arg) for arg in argv):
            # ij,jk->ik unquoted: the shell took '>ik' as a redirection (and made a file called ik).
            print(
                "hint: quote the subscript ('ij,jk->ik'): unquoted, the shell reads '>' as a redirection",
                file=sys.stderr,
            )
        return EXIT_USAGE
    except OSError as exc:  # a file that cannot be read or written (missing folder, no permission)
        where = f"{exc.filename}: " if exc.filename else ""
        print(f"error: {where}{exc.strerror or exc}", file=sys.stderr)
        return EXIT_USAGE
    except KeyboardInterrupt:
        return 130
    return code


def _cut_at_arrow(arg: str) -> bool:
    """A subscript that ends in '-': what the shell leaves of an unquoted 'ij,jk->ik'."""
    return len(arg) > 1 and arg.endswith("-") and all(c.isalpha() or c in ",. " for c in arg[:-1])


if __name__ == "__main__":
    sys.exit(main())
