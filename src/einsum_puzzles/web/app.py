"""The web app: puzzles with live checking and the explainer, over a JSON API and server-rendered pages.

Safety: every input has a limit (subscript length, operand count, dimensions, sizes, work per check)
and breaking one gives a 4xx JSON error that names it; the server never runs learner code (code
puzzles are checked step by step, from subscripts); a Content-Security-Policy without inline script or
style; the learner cookie is HttpOnly and SameSite=Strict; state-changing requests from another origin
are refused. The outer guard (Host allowlist, same-origin check, body limit, headers on every response)
is ``security.py``; the work limit covers every trial and every step (``work.py``). Served
(``serve``), numpy subscript answers are graded in child processes (``grader.py``), the other libraries
and the code-puzzle steps in a small thread pool, all with a deadline; only cached verdicts and (without
grading processes) small numpy checks are graded on the event loop.
"""

from __future__ import annotations

import asyncio
import gc
import json
import sys
import threading
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Annotated, Any

import numpy as np
from fastapi import FastAPI, Query, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import HTMLResponse, JSONResponse, RedirectResponse, Response
from fastapi.staticfiles import StaticFiles
from fastapi.templating import Jinja2Templates
from pydantic import BaseModel, Field, ValidationError
from starlette.concurrency import run_in_threadpool

from .. import backends, curriculum
from ..argnames import named_operands
from ..curriculum.model import Puzzle
from ..errors import EinsumError
from ..explainer import explain
from ..explainer.html import STYLE
from ..grading import check as grade
from ..grading import evaluator
from ..grading.steps import check_steps, step_specs
from ..grading.verdict import Verdict
from ..grading.worker import render as render_json
from ..grading.worker import tune_gc
from ..progress import Progress, ProgressError
from ..shapes import SHAPE_ANSWER_FORMS, ShapeSyntaxError, parse_shape, parse_shape_answer
from ..store import store_url
from ..store.writer import AttemptWriter
from .classes import router as classes_router
from .docs import install_docs
from .grader import GradingFailed, GradingPool
from .guide import course_progress, puzzle_operands, verdict_explanation
from .ids import new_learner_id
from .markdown import render
from .quizview import mark_subscripts
from .security import CSP, SecurityMiddleware
from .translate import find_router
from .work import answer_work, steps_work

HERE = Path(__file__).parent
COOKIE = "ep_learner"
MAX_SUBSCRIPT = 200
MAX_OPERANDS = 16
MAX_NDIM = 16
MAX_SIZE = 1_000_000
VERDICT_CACHE = 4096
MAX_WORK = 10_000_000
"""Multiply-adds one einsum of a check may cost, on the shown inputs and on every fresh draw."""
INLINE_WORK = 50_000
"""Without grading processes (``create_app()`` in tests and notebooks, or while they start), checks with
numpy up to this many multiply-adds run on the event loop: numpy's loop takes 0.02-0.2 ms per draw at
this size, less than the hand-off to a grading thread and back (which also contends for the GIL)."""
GRADE_THREADS = 2
"""Checks graded at the same time (each may hold tens of MB); the others wait for a free thread."""
GRADE_PROCESSES = 2
"""Grading processes of a single-process ``serve`` (``grader.py``); each ``--workers`` process has one."""
GRADE_DEADLINE = 10.0
"""Seconds a check may wait and run before the server answers 503 (busy)."""
__all__ = ["CSP", "create_app"]

Size = Annotated[int, Field(ge=0, le=MAX_SIZE)]
ShapeModel = Annotated[list[Size], Field(max_length=MAX_NDIM)]
SubscriptText = Annotated[str, Field(max_length=MAX_SUBSCRIPT)]


class LimitError(Exception):
    def __init__(self, limit: str, message: str, status: int = 422) -> None:
        super().__init__(message)
        self.limit, self.message, self.status = limit, message, status


class CheckRequest(BaseModel):
    puzzle: int = Field(ge=1, le=1_000_000, description="puzzle number")
    answer: SubscriptText | None = Field(default=None, description="a subscript (subscript puzzles)")
    steps: dict[Annotated[str, Field(max_length=16)], SubscriptText] | None = Field(
        default=None, max_length=8, description="code puzzles: the subscript of each einsum step"
    )
    backend: Annotated[str, Field(max_length=16)] = Field(default="numpy", description="library that evaluates")


class VerdictResponse(BaseModel):
    """A verdict, as ``POST /api/check`` and ``POST /api/fix`` answer it (``Verdict.to_dict()``)."""

    puzzle: int
    answer: str = Field(description="the answer as graded")
    correct: bool
    kind: str = Field(description="correct, syntax, shape, order, values, rules, ... (docs/grading.md)")
    title: str
    message: str = Field(description="what is wrong and, when there is a fix, 'To fix it: ...' in words")
    details: list[str] = Field(description="more lines: the diagram of what the answer computes, ...")
    expected_shape: list[int] | None
    got_shape: list[int] | None
    trials: int = Field(description="input sets compared: the shown one and fresh draws")
    fix: str | None = Field(description="the closest subscript the grader accepts, in the answer's letters")


CHECK_EXAMPLES = {
    "subscript": {"summary": "a subscript puzzle", "value": {"puzzle": 21, "answer": "ij,jk->ki"}},
    "steps": {"summary": "a code puzzle, step by step", "value": {"puzzle": 31, "steps": {"q": "bld,dk->bkl"}}},
}
CHECK_OPENAPI = {
    "requestBody": {
        "required": True,
        "content": {
            "application/json": {"schema": {"$ref": "#/components/schemas/CheckRequest"}, "examples": CHECK_EXAMPLES}
        },
    },
    "responses": {
        "422": {
            "description": "Validation Error",
            "content": {"application/json": {"schema": {"$ref": "#/components/schemas/HTTPValidationError"}}},
        }
    },
}
"""POST /api/check's body and 422 in the OpenAPI document, as FastAPI writes them for a declared body
(the route reads its body itself; /api/fix declares the same model, so the schema is in components)."""


class ExplainRequest(BaseModel):
    subscript: SubscriptText
    shapes: Annotated[list[ShapeModel], Field(max_length=MAX_OPERANDS)] = []
    names: Annotated[list[Annotated[str, Field(max_length=16)]], Field(max_length=MAX_OPERANDS)] | None = None


def _clean_subscript(text: str) -> str:
    if len(text) > MAX_SUBSCRIPT:
        raise LimitError("subscript_length", f"the subscript is longer than {MAX_SUBSCRIPT} characters")
    if "\0" in text:
        raise LimitError("nul", "the subscript contains a NUL character")
    return text


def _check_shapes(shapes: list[tuple[int, ...]]) -> None:
    if len(shapes) > MAX_OPERANDS:
        raise LimitError("operands", f"at most {MAX_OPERANDS} operands, got {len(shapes)}")
    for shape in shapes:
        if len(shape) > MAX_NDIM:
            raise LimitError("ndim", f"at most {MAX_NDIM} dimensions per operand, got {len(shape)}")
        if any(size < 0 or size > MAX_SIZE for size in shape):
            raise LimitError("size", f"sizes must be between 0 and {MAX_SIZE}")


def parse_shapes(text: str) -> list[tuple[int, ...]]:
    """``'3x2,2x4'`` -> ``[(3, 2), (2, 4)]``; ``scalar`` for a 0-d operand."""
    if len(text) > 400:
        raise LimitError("shapes_length", "the shapes text is longer than 400 characters")
    shapes: list[tuple[int, ...]] = []
    for part in [p.strip() for p in text.replace(" ", ",").split(",") if p.strip()]:
        if any(len(size) > 7 for size in part.split("x")):
            raise LimitError("size", f"sizes must be between 0 and {MAX_SIZE}, got {part!r}")
        try:
            shapes.append(parse_shape(part))
        except ShapeSyntaxError as error:
            raise LimitError("shape_syntax", str(error)) from None
    _check_shapes(shapes)
    return shapes


def message_blocks(message: str) -> list[tuple[bool, str]]:
    """A verdict's message as blocks of prose and of code: lines indented by four spaces (a subscript
    with a caret under the place it points at) stay one block, shown preformatted so the caret lines up."""
    blocks: list[tuple[bool, str]] = []
    for line in message.split("\n"):
        code = line.startswith("    ")
        text = line[4:] if code else line
        if blocks and blocks[-1][0] == code:
            blocks[-1] = (code, blocks[-1][1] + "\n" + text)
        else:
            blocks.append((code, text))
    return blocks


def _is_json(content_type: str) -> bool:
    kind = content_type.split(";", 1)[0].strip().lower()
    return kind == "application/json" or (kind.startswith("application/") and kind.endswith("+json"))


def _in_body(error: ValidationError) -> list[dict[str, Any]]:
    """Pydantic's problems located in the request body, as FastAPI reports a declared body's."""
    return [{**problem, "loc": ("body", *problem["loc"])} for problem in error.errors()]


def _error_json(status: int, kind: str, message: str, **extra: Any) -> JSONResponse:
    return JSONResponse({"error": kind, "message": message, **extra}, status_code=status)


class RenderedJSON(JSONResponse):
    """A JSON response whose body may be given already rendered (bytes)."""

    def render(self, content: Any) -> bytes:
        return content if isinstance(content, bytes) else super().render(content)


def create_app(
    db_path: Path | str | None = None, allowed_hosts: Sequence[str] | None = None, grading_processes: int = 0
) -> FastAPI:
    """The app; ``allowed_hosts`` adds host names to the allowlist (see ``security.py``);
    ``grading_processes`` child processes grade numpy subscript answers (``grader.py``; 0: in-process)."""
    app = FastAPI(
        title="einsum-puzzles",
        version="0.1.0",
        description="Puzzles, checking and the explainer for numpy's einsum.",
        docs_url=None,
        redoc_url=None,
    )
    app.add_middleware(SecurityMiddleware, hosts=allowed_hosts)
    graders = ThreadPoolExecutor(GRADE_THREADS, thread_name_prefix="grade")
    install_docs(app)
    app.mount("/static", StaticFiles(directory=HERE / "static"), name="static")
    templates = Jinja2Templates(directory=str(HERE / "templates"))
    templates.env.filters["subscripts"] = mark_subscripts
    templates.env.filters["message_blocks"] = message_blocks
    store = Path(db_path) if db_path is not None else None
    attempts = AttemptWriter(store_url(store), inline=True)
    verdicts: dict[tuple[int, str | None, tuple[tuple[str, str], ...], str], Verdict] = {}
    verdicts_lock = threading.Lock()
    pool = GradingPool(grading_processes) if grading_processes > 0 else None
    if pool is not None:
        app.router.on_shutdown.append(pool.close)  # the children also end by themselves when stdin closes

    def progress(learner: str) -> Progress:
        return Progress(store, learner=f"web:{learner}", reuse=True)

    def learner_of(request: Request) -> tuple[str, bool]:
        value = request.cookies.get(COOKIE, "")
        if 16 <= len(value) <= 64 and value.replace("-", "").replace("_", "").isalnum():
            return value, False
        return new_learner_id(), True

    def page(request: Request, name: str, context: dict[str, Any], status: int = 200) -> HTMLResponse:
        learner, new = learner_of(request)
        with progress(learner) as p:
            solved = p.solved()
        response = templates.TemplateResponse(
            request, name, {"solved": solved, "sections": curriculum.sections(), **context}, status_code=status
        )
        if new:
            _set_cookie(response, learner)
        return response

    def _set_cookie(response: Response, learner: str) -> None:
        response.set_cookie(COOKIE, learner, httponly=True, samesite="strict", max_age=365 * 24 * 3600)

    @app.exception_handler(LimitError)
    async def limit_error(request: Request, exc: LimitError) -> JSONResponse:
        return _error_json(exc.status, "limit", exc.message, limit=exc.limit)

    @app.exception_handler(EinsumError)
    async def einsum_error(request: Request, exc: EinsumError) -> JSONResponse:
        return _error_json(422, exc.kind, exc.message, position=exc.position, detail=str(exc))

    @app.exception_handler(ProgressError)
    async def store_error(request: Request, exc: ProgressError) -> Response:
        # The message names files and addresses: it goes to the server's log, never to the learner.
        print(f"einsum-puzzles: progress store error: {exc}", file=sys.stderr)
        message = "The progress store is unavailable right now; try again in a moment."
        if request.url.path.startswith("/api/"):
            return _error_json(503, "progress_store", message)
        return HTMLResponse(templates.get_template("error.html").render(message=message), status_code=503)

    @app.exception_handler(curriculum.UnknownPuzzle)
    async def unknown_puzzle(request: Request, exc: curriculum.UnknownPuzzle) -> Response:
        if request.url.path.startswith("/api/"):
            return _error_json(404, "unknown_puzzle", str(exc))
        return HTMLResponse(templates.get_template("error.html").render(message=str(exc)), status_code=404)

    @app.exception_handler(RequestValidationError)
    async def invalid_request(request: Request, exc: RequestValidationError) -> JSONResponse:
        problems = [f"{'.'.join(str(p) for p in e['loc'])}: {e['msg']}" for e in exc.errors()]
        return _error_json(422, "invalid_request", "; ".join(problems)[:500])

    app.include_router(find_router(page))

    # --- JSON API ----------------------------------------------------------------------------------
    @app.get("/healthz", tags=["api"])
    async def healthz() -> dict[str, str]:
        """``status`` ok while the server answers; ``backends`` is ``probing`` while ``serve`` is still
        importing the other libraries at start (a moment of heavy work), then ``ready``."""
        return {"status": "ok", "backends": "probing" if PROBING.is_set() else "ready"}

    @app.get("/api/puzzles", tags=["api"])
    def api_puzzles(request: Request) -> list[dict[str, Any]]:
        learner, _ = learner_of(request)
        with progress(learner) as p:
            solved = p.solved()
        return [
            {"id": pz.id, "section": pz.section, "title": pz.title, "kind": pz.kind, "solved": pz.id in solved}
            for pz in curriculum.puzzles()
        ]

    @app.get("/api/puzzles/{number}", tags=["api"])
    def api_puzzle(number: Annotated[int, Field(ge=1, le=1_000_000)]) -> dict[str, Any]:
        return puzzle_json(curriculum.puzzle(number))

    @app.post("/api/check", tags=["api"], openapi_extra=CHECK_OPENAPI, response_model=VerdictResponse)
    async def api_check(request: Request) -> JSONResponse:
        """Grade an answer (a subscript, or the steps of a code puzzle) and record the attempt."""
        # The hottest route: the body is validated by pydantic-core straight from its bytes (the same
        # CheckRequest model and the same 422 as a declared body parameter, for less work per request).
        # New numpy answers are graded by the grading processes (grader.py), other libraries in the
        # grading threads; the attempt is committed in one batch per turn (store/writer.py).
        body = await _check_request(request)
        learner, new = learner_of(request)
        puzzle, backend = curriculum.puzzle(body.puzzle), _backend(body.backend)
        verdict = await _grade_async(puzzle, body.answer, body.steps, backend)
        if verdict.kind != "unsolved":
            try:  # group commit: acknowledged once the writer thread's transaction holding it commits
                await attempts.record(f"web:{learner}", body.puzzle, verdict.answer, verdict.kind, verdict.correct)
            except ProgressError as exc:
                print(f"einsum-puzzles: attempt not saved: {exc}", file=sys.stderr)
                message = "The verdict is below, but the attempt was not saved: the progress store is unavailable."
                return _error_json(503, "progress_store", message, verdict=verdict.to_dict())
        response = RenderedJSON(_verdict_json(verdict))
        if new:
            _set_cookie(response, learner)
        return response

    async def _check_request(request: Request) -> CheckRequest:
        """The body as FastAPI reads a declared JSON body (the same model, the same 422), validated by
        pydantic-core straight from the bytes in the common case."""
        raw = await request.body()
        kind = request.headers.get("content-type")
        if not raw:
            problem = {"type": "missing", "loc": ("body",), "msg": "Field required", "input": None}
            raise RequestValidationError([problem])
        if kind is not None and not _is_json(kind):
            message = f"the body must be JSON (Content-Type: application/json), not {kind[:40]!r}"
            raise RequestValidationError([{"type": "model_attributes_type", "loc": ("body",), "msg": message}])
        try:
            return CheckRequest.model_validate_json(raw)
        except ValidationError as error:
            if all(problem["type"] != "json_invalid" for problem in error.errors()):
                raise RequestValidationError(_in_body(error)) from None
        try:  # JSON that only Python's reader takes (a byte-order mark, UTF-16): as FastAPI did
            data = json.loads(raw)
        except ValueError as error:
            problem = {"type": "json_invalid", "loc": ("body",), "msg": f"Invalid JSON: {error}", "input": None}
            raise RequestValidationError([problem]) from None
        try:
            return CheckRequest.model_validate(data)
        except ValidationError as error:
            raise RequestValidationError(_in_body(error)) from None

    rendered: dict[int, tuple[Verdict, bytes]] = {}  # id -> (the cached verdict, its JSON body)

    def _verdict_json(verdict: Verdict) -> bytes:
        """The verdict as JSON, rendered once per cached verdict (the same bytes JSONResponse makes)."""
        found = rendered.get(id(verdict))
        if found is not None and found[0] is verdict:
            return found[1]
        body = render_json(verdict.to_dict())  # the renderer the grading processes use: one JSON for both
        _remember_json(verdict, body)
        return body

    def _remember_json(verdict: Verdict, body: bytes) -> None:
        if len(rendered) >= VERDICT_CACHE:
            rendered.clear()
        rendered[id(verdict)] = (verdict, body)

    @app.get("/api/preview", tags=["api"])
    def api_preview(
        subscript: Annotated[str, Query(max_length=MAX_SUBSCRIPT)],
        puzzle: Annotated[int | None, Query(ge=1, le=1_000_000)] = None,
        shapes: Annotated[str, Query(max_length=400)] = "",
    ) -> dict[str, Any]:
        """What a subscript typed so far does, for the live preview: an invalid subscript is an answer
        too (``valid: false`` and a message in words), not an error. With ``puzzle``, the picture uses
        that puzzle's operands and names."""
        try:
            subscript = _clean_subscript(subscript)
            if puzzle is not None:
                p = curriculum.puzzle(puzzle)
                operands = puzzle_operands(p) if p.kind == "subscript" else list(p.argument_shapes())
                e = explain(subscript, *operands, names=p.argument_names)
            else:
                e = explain(subscript, *parse_shapes(shapes))
        except EinsumError as error:
            return {"valid": False, "message": error.message, "position": error.position}
        except LimitError as error:
            return {"valid": False, "message": error.message, "position": None}
        return {
            "valid": True,
            "operation": e.operation.name,
            "output_shape": list(e.output_shape),
            "sizes": {label: size for label, size in e.contraction.sizes.items() if not label.startswith("...")},
            "html": e.html(include_style=False),
        }

    @app.post("/api/fix", tags=["api"], response_model=VerdictResponse)
    async def api_fix(body: CheckRequest, request: Request) -> JSONResponse:
        """The verdict with its "fix" for the learner to see; showing a fix counts as taking a hint."""
        learner, new = learner_of(request)
        puzzle, backend = curriculum.puzzle(body.puzzle), _backend(body.backend)
        verdict = await run_in_threadpool(_grade, puzzle, body.answer, body.steps, backend)
        if verdict.fix is not None:
            await run_in_threadpool(_count_fix, learner, puzzle)
        response = JSONResponse(verdict.to_dict())
        if new:
            _set_cookie(response, learner)
        return response

    def _count_fix(learner: str, puzzle: Puzzle) -> None:
        with progress(learner) as p:
            p.next_hint(puzzle.id, len(puzzle.hints))  # seeing the fix counts as taking a hint

    @app.get("/api/explain", tags=["api"])
    def api_explain_get(
        subscript: Annotated[str, Query(max_length=MAX_SUBSCRIPT)],
        shapes: Annotated[str, Query(max_length=400)] = "",
        names: Annotated[str, Query(max_length=200)] = "",
    ) -> dict[str, Any]:
        name_list = [n for n in names.split(",") if n] or None
        return _explain(subscript, parse_shapes(shapes), name_list)

    @app.post("/api/explain", tags=["api"])
    def api_explain_post(body: ExplainRequest) -> dict[str, Any]:
        shapes = [tuple(shape) for shape in body.shapes]
        _check_shapes(shapes)
        return _explain(body.subscript, shapes, body.names)

    def _explain(subscript: str, shapes: list[tuple[int, ...]], names: list[str] | None) -> dict[str, Any]:
        subscript = _clean_subscript(subscript)
        try:
            e = explain(subscript, *shapes, names=names)
        except ValueError as error:
            if isinstance(error, EinsumError):
                raise
            raise LimitError("names", str(error)) from None
        data = e.to_dict()
        data["html"] = e.html(include_style=False)
        data["valid"] = True
        return data

    usable: set[str] = set()  # backends found installed (looking one up searches sys.path each time)

    def _backend(name: str) -> str:
        if name in usable:
            return name
        try:
            backends.get(name)
        except backends.BackendUnavailable as error:
            raise LimitError("backend", str(error)) from None
        usable.add(name)
        return name

    async def _grade_async(p: Puzzle, answer: str | None, steps: dict[str, str] | None, backend: str) -> Verdict:
        """The verdict: cached ones right here; new numpy subscript answers in the grading processes when
        the app has them (else cheap ones here); the rest in the grading threads."""
        key = (p.id, answer, tuple(sorted((steps or {}).items())), backend)
        cached = verdicts.get(key)
        if cached is not None:
            return cached
        work = _work(p, answer, steps)
        if pool is not None and backend == "numpy" and p.kind == "subscript" and answer is not None:
            try:
                pending = pool.submit(p.id, answer, GRADE_DEADLINE)
            except GradingFailed:
                pass  # none running yet: graded here, below
            else:
                try:
                    verdict, body = await pending
                except TimeoutError:
                    raise LimitError(
                        "busy", "the server is busy checking other answers; try again", status=503
                    ) from None
                except GradingFailed as error:
                    print(f"einsum-puzzles: grading here instead ({error})", file=sys.stderr)
                else:
                    _remember(key, verdict)
                    _remember_json(verdict, body)
                    return verdict
        if backend == "numpy" and work <= INLINE_WORK:
            return _grade(p, answer, steps, backend, True)
        future = asyncio.get_running_loop().run_in_executor(graders, _grade, p, answer, steps, backend, True)
        try:
            return await asyncio.wait_for(future, GRADE_DEADLINE)
        except TimeoutError:
            raise LimitError("busy", "the server is busy checking other answers; try again", status=503) from None

    def _work(p: Puzzle, answer: str | None, steps: dict[str, str] | None) -> int:
        """Multiply-adds the check costs at most (LimitError when it is over MAX_WORK)."""
        if p.kind == "code":
            work = steps_work(p, steps or {})
            if work > MAX_WORK:
                raise LimitError("work", f"a step would take more than {MAX_WORK:,} multiply-adds to check")
            return work
        work = answer_work(p, _clean_subscript(answer or ""))
        if work > MAX_WORK:
            raise LimitError("work", f"this subscript would take more than {MAX_WORK:,} multiply-adds to check")
        return work

    def _grade(
        p: Puzzle, answer: str | None, steps: dict[str, str] | None, backend: str = "numpy", weighed: bool = False
    ) -> Verdict:
        # Verdicts are a pure function of (puzzle, answer, backend): a class typing the same
        # mistakes is graded once per distinct answer. ``weighed``: the caller already ran _work.
        key = (p.id, answer, tuple(sorted((steps or {}).items())), backend)
        cached = verdicts.get(key)
        if cached is None:
            cached = _grade_uncached(p, answer, steps, backend, weighed)
            _remember(key, cached)
        return cached

    def _remember(key: tuple[int, str | None, tuple[tuple[str, str], ...], str], verdict: Verdict) -> None:
        with verdicts_lock:  # the thread pool grades too (slow backends)
            if len(verdicts) >= VERDICT_CACHE:
                verdicts.pop(next(iter(verdicts)))
            verdicts[key] = verdict

    def _grade_uncached(
        p: Puzzle, answer: str | None, steps: dict[str, str] | None, backend: str, weighed: bool = False
    ) -> Verdict:
        if p.kind == "code":
            if answer:
                raise LimitError(
                    "code", "the web app never runs code: send the subscript of each step in 'steps'", status=422
                )
            if not weighed:
                _work(p, answer, steps)
            return check_steps(p, steps or {}, evaluator(backend))
        text = _clean_subscript(answer or "")
        if not weighed:
            _work(p, text, steps)
        return grade(p.id, text, backend=backend)

    # --- pages -------------------------------------------------------------------------------------
    @app.get("/", response_class=HTMLResponse, include_in_schema=False)
    def home(request: Request) -> HTMLResponse:
        learner, _ = learner_of(request)
        with progress(learner) as store:
            solved = store.solved()
        return page(request, "home.html", {"total": len(curriculum.puzzles()), **course_progress(solved)})

    @app.get("/puzzles/{number}", response_class=HTMLResponse, include_in_schema=False)
    def puzzle_page(request: Request, number: int) -> HTMLResponse:
        p = curriculum.puzzle(number)
        learner, _ = learner_of(request)
        with progress(learner) as store:
            shown = store.hints_shown(p.id)
            revealed = p.id in store.revealed()
            store.visit(p.id)
        return page(request, "puzzle.html", _puzzle_context(p, shown, revealed))

    def _puzzle_context(p: Puzzle, hints_shown: int, revealed: bool, **extra: Any) -> dict[str, Any]:
        order = [x.id for x in curriculum.puzzles()]
        position = order.index(p.id)
        sec = curriculum.section(p.section)
        inputs = p.inputs()
        return {
            "p": p,
            "section": sec,
            "lesson": render(sec.lesson, skip_title=True, examples=True),
            "inputs": [
                {
                    "name": n,
                    "shape": np.shape(a),
                    "data": np.array2string(np.asarray(a), separator=", ")
                    if np.size(a) <= 60 and p.kind == "subscript"
                    else None,
                }
                for n, a in zip(p.input_names, inputs)
            ],
            "shapes": ",".join("x".join(map(str, s)) or "scalar" for s in p.argument_shapes()),
            "names": ",".join(p.argument_names),
            "hints": p.hints[:hints_shown],
            "more_hints": hints_shown < len(p.hints),
            "revealed": revealed,
            "steps": step_specs(p),
            "backends": backend_choices(),
            "backend": extra.pop("backend", "numpy"),
            "previous": order[position - 1] if position > 0 else None,
            "next": order[position + 1] if position + 1 < len(order) else None,
            **extra,
        }

    @app.post("/puzzles/{number}/fix", response_class=HTMLResponse, include_in_schema=False)
    async def puzzle_fix(request: Request, number: int) -> HTMLResponse:
        return await puzzle_check(request, number, show_fix=True)

    @app.post("/puzzles/{number}/check", response_class=HTMLResponse, include_in_schema=False)
    async def puzzle_check(request: Request, number: int, show_fix: bool = False) -> HTMLResponse:
        p = curriculum.puzzle(number)
        form = await request.form()
        answer = str(form.get("answer", ""))[:MAX_SUBSCRIPT]
        steps = {s.name: str(form.get(f"step_{s.name}", ""))[:MAX_SUBSCRIPT] for s in step_specs(p)}
        chosen = str(form.get("backend", "numpy"))[:16]
        learner, _ = learner_of(request)
        try:
            verdict = await _grade_async(
                p, None if p.kind == "code" else answer.replace("\0", ""), steps, _backend(chosen)
            )
        except LimitError as error:
            if error.status == 503:  # busy: not something wrong with the answer
                raise
            # A library that cannot run here is not the learner's mistake: said, and not recorded.
            verdict = Verdict(p.id, answer, "unsolved" if error.limit == "backend" else "syntax", error.message)
        explanation = verdict_explanation(p, answer, verdict)
        with progress(learner) as store:
            if show_fix and verdict.fix is not None:
                store.next_hint(p.id, len(p.hints))  # seeing the fix counts as taking a hint
            elif verdict.kind != "unsolved":
                store.record(p.id, verdict.answer, verdict.kind, verdict.correct)
            shown, revealed = store.hints_shown(p.id), p.id in store.revealed()
        context = _puzzle_context(
            p,
            shown,
            revealed,
            verdict=verdict,
            answer=answer,
            steps_given=steps,
            explanation=explanation,
            backend=chosen,
            show_fix=show_fix,
        )
        return page(request, "puzzle.html", context)

    # Hint and solution answer the page's script with JSON (the page updates in place) and a
    # browser without JavaScript with a redirect back to the puzzle.
    @app.post("/puzzles/{number}/hint", include_in_schema=False)
    def puzzle_hint(request: Request, number: int) -> Response:
        p = curriculum.puzzle(number)
        learner, new = learner_of(request)
        with progress(learner) as store:
            store.next_hint(p.id, len(p.hints))
            shown = store.hints_shown(p.id)
        response: Response = RedirectResponse(f"/puzzles/{p.id}#hints", status_code=303)
        if "application/json" in request.headers.get("accept", ""):
            response = JSONResponse(
                {"hints": list(p.hints[:shown]), "total": len(p.hints), "more": shown < len(p.hints)}
            )
        if new:
            _set_cookie(response, learner)
        return response

    @app.post("/puzzles/{number}/solution", include_in_schema=False)
    def puzzle_solution(request: Request, number: int) -> Response:
        p = curriculum.puzzle(number)
        learner, new = learner_of(request)
        with progress(learner) as store:
            store.reveal(p.id)
        response: Response = RedirectResponse(f"/puzzles/{p.id}#solution", status_code=303)
        if "application/json" in request.headers.get("accept", ""):
            response = JSONResponse({"solutions": list(p.solutions)})
        if new:
            _set_cookie(response, learner)
        return response

    @app.get("/explain", response_class=HTMLResponse, include_in_schema=False)
    def explainer_page(request: Request, s: str = "", shapes: str = "", names: str = "") -> HTMLResponse:
        context: dict[str, Any] = {"s": s[:MAX_SUBSCRIPT], "shape_text": shapes[:400], "e": None, "error": None}
        context["names_text"] = names[:200]
        if s:
            try:
                parsed = parse_shapes(shapes)
                # names as passed (x,x: one array twice, drawn as x and x_2 with the same values)
                name_list = [n.strip() for n in names[:200].split(",") if n.strip()]
                chosen, operands, context["names_note"] = (
                    named_operands(name_list, parsed) if name_list else (None, parsed, "")
                )
                e = explain(_clean_subscript(s), *operands, names=chosen)
                context["e"] = e
                context["e_html"] = e.html(include_style=False)
            except EinsumError as error:
                context["error"] = str(error)
            except LimitError as error:
                context["error"] = error.message
            except ValueError as error:  # names that do not fit the operands
                context["error"] = str(error)
        return page(request, "explain.html", context)

    @app.get("/cheatsheet", response_class=HTMLResponse, include_in_schema=False)
    def cheatsheet_page(request: Request, q: str = "") -> HTMLResponse:
        query = q[:100].lower()
        entries = [
            e
            for e in curriculum.cheatsheet()
            if not query or any(query in f.lower() for f in (e.group, e.name, e.subscript, e.numpy))
        ]
        return page(request, "cheatsheet.html", {"entries": entries, "q": q[:100]})

    @app.get("/quiz", response_class=HTMLResponse, include_in_schema=False)
    def quiz_page(request: Request) -> HTMLResponse:
        return page(
            request,
            "quiz.html",
            {
                "sections": curriculum.sections(),
                "shape_questions": curriculum.shape_questions(),
                "results": None,
                "shape_forms": SHAPE_ANSWER_FORMS,
            },
        )

    @app.post("/quiz", response_class=HTMLResponse, include_in_schema=False)
    async def quiz_submit(request: Request) -> HTMLResponse:
        form = await request.form()
        results = {}
        for sq in curriculum.shape_questions():
            reply = str(form.get(sq.id, ""))[:60].strip()
            if not reply:
                results[sq.id] = {"reply": reply, "right": False, "unread": ""}
                continue
            try:
                value = parse_shape_answer(reply)
            except ShapeSyntaxError as error:  # not counted as wrong: say how to write it
                results[sq.id] = {"reply": reply, "right": False, "unread": str(error)}
                continue
            results[sq.id] = {"reply": reply, "right": value == sq.answer, "unread": ""}
        graded = [r for r in results.values() if r["reply"] and not r["unread"]]
        score = {
            "right": sum(1 for r in graded if r["right"]),
            "graded": len(graded),
            "unread": sum(1 for r in results.values() if r["unread"]),
            "blank": sum(1 for r in results.values() if not r["reply"]),
        }
        return page(
            request,
            "quiz.html",
            {
                "sections": curriculum.sections(),
                "shape_questions": curriculum.shape_questions(),
                "results": results,
                "score": score,
                "shape_forms": SHAPE_ANSWER_FORMS,
            },
        )

    app.include_router(classes_router(templates, learner_of, _set_cookie, store_url(store)))

    @app.get("/assets/explain.css", include_in_schema=False)
    def explain_css() -> Response:
        return Response(STYLE, media_type="text/css")

    return app


def puzzle_json(p: Puzzle) -> dict[str, Any]:
    steps = [{"name": s.name, "operands": list(s.operands), "description": s.description} for s in step_specs(p)]
    return {**p.to_dict(), "steps": steps}


PROBING = threading.Event()
"""Set while ``probe_backends`` runs (``/healthz`` says ``backends: probing``)."""


def probe_backends() -> None:
    """Find out which libraries can run (importing them), then move everything loaded so far out of the
    garbage collector's way: the libraries' millions of long-lived objects would otherwise be walked by
    every full collection, and grading allocates enough to trigger them often."""
    try:
        backends.statuses()
        gc.collect()
        gc.freeze()
    finally:
        PROBING.clear()


def served_app() -> FastAPI:
    """The app as ``serve --workers N`` builds it in each worker process (garbage collector tuned, one
    grading process per worker)."""
    tune_gc()
    return create_app(grading_processes=1)


def start_probe() -> None:
    """``probe_backends`` in a background thread (``/healthz`` says ``probing`` from now until it ends)."""
    PROBING.set()
    threading.Thread(target=probe_backends, name="backend-probe", daemon=True).start()


def backend_choices() -> list[dict[str, Any]]:
    """The installed libraries for the selector: ``available`` false (disabled) with the reason and fix for a
    library that cannot run here."""
    choices = []
    for status in backends.statuses():  # probed once per process: no search of sys.path per page
        if not status.installed:
            continue
        reason = None if status.usable else f"{status.reason}. {status.fix}."
        choices.append({"name": status.name, "available": status.usable, "reason": reason, "message": status.message()})
    return choices
