"""Find the einsum on the web: the ``/translate`` page, ``POST /api/translate`` and ``POST /api/solve``.

Included by ``app.create_app`` (``app.include_router(find_router(page))``). Every input is bounded: the
code's length, the operands' number, dimensions and sizes, the work a verification or a search may
cost; breaking a bound is a 422 JSON error that names it (``GET /api/translate/preview``, what the page
asks as the learner types, answers every input with a 200: ``valid: false`` and a message). Nothing the
learner types is run: the code is read with ``ast`` (see ``find/walker.py``).
"""

from __future__ import annotations

import functools
import math
import re
import threading
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from typing import Annotated, Any
from urllib.parse import urlencode

import numpy as np
from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, JSONResponse
from pydantic import BaseModel, Field

from ..find import MissingShape, SolveLimit, TranslateError, Translation, solve, translate
from ..find.errors import api_hint, page_hint
from ..find.walker import MAX_CODE
from ..shapes import ShapeSyntaxError, parse_shape

MAX_OPERANDS = 8
MAX_NDIM = 8
MAX_SIZE = 100_000
MAX_ELEMENTS = 1_000_000
"""Elements per operand for /api/translate (verification runs on smaller sizes when the work is large)."""
MAX_SOLVE_ELEMENTS = 10_000
"""Elements in all /api/solve arrays together."""
MAX_SOLVE_AXES = 12
MAX_SOLVE_WORK = 10_000_000
"""The product of all input sizes: the cost of the most expensive candidate einsum."""
MAX_SOLVE_PARTITIONS = 5_000
MAX_SOLVE_SEARCH_WORK = 50_000_000
"""Multiply-adds of all the einsums one search may evaluate (a few tenths of a second)."""
MAX_OPERANDS_TEXT = 400

Name = Annotated[str, Field(max_length=32, pattern=r"^[A-Za-z_][A-Za-z0-9_]*$")]
Shape = Annotated[list[Annotated[int, Field(ge=0, le=MAX_SIZE)]], Field(max_length=MAX_NDIM)]
Number = float | int | bool


class TranslateRequest(BaseModel):
    code: Annotated[str, Field(max_length=MAX_CODE, description="numpy code: assignments, then an expression")]
    operands: Annotated[dict[Name, Shape], Field(max_length=MAX_OPERANDS)] = Field(
        default_factory=dict, description="each operand's shape, e.g. {'a': [2, 5], 'b': [2, 5]}"
    )


class SolveRequest(BaseModel):
    inputs: Annotated[list[Any], Field(min_length=1, max_length=MAX_OPERANDS)] = Field(
        description="the input arrays as nested lists of numbers, in einsum order"
    )
    output: Any = Field(description="the output array they should give, as nested lists of numbers")
    max_results: int = Field(default=10, ge=1, le=100)


HEAVY = threading.BoundedSemaphore(2)
"""Translations and searches at once, in all (the rest wait): each is bounded, but the server's thread pool
is larger than the machine."""
HEAVY_WAIT = 10.0
"""Seconds a request waits for its turn before it is answered 503 (busy)."""


@contextmanager
def _turn() -> Iterator[bool]:
    got = HEAVY.acquire(timeout=HEAVY_WAIT)
    try:
        yield got
    finally:
        if got:
            HEAVY.release()


def _busy() -> JSONResponse:
    message = "the server is busy with other translations; try again in a few seconds"
    return JSONResponse({"error": "busy", "message": message}, status_code=503)


def _limit(limit: str, message: str) -> JSONResponse:
    return JSONResponse({"error": "limit", "limit": limit, "message": message}, status_code=422)


def _refusal_data(error: TranslateError, hint: Callable[[str], str]) -> dict[str, Any]:
    """A refusal as data; a missing shape says how to give it on this face (``hint``)."""
    if isinstance(error, MissingShape):
        error = error.reworded(hint(error.name))
    return {
        "error": "translate",
        "message": str(error),
        "operation": error.operation,
        "line": error.line,
        "column": error.column,
    }


def _refusal(error: TranslateError) -> JSONResponse:
    return JSONResponse(_refusal_data(error, api_hint), status_code=422)


def preview(code: str, operands_text: str) -> dict[str, Any]:
    """What the code typed so far translates to, with the operands written as on the page (``a=2x3 b=3x4``).

    Never an error: code that is not (yet) one einsum, or operands that cannot be read, are answers too
    (``valid: false``, a ``message`` in words and, for the code, where the refused operation is)."""
    nowhere: dict[str, Any] = {"operation": None, "line": None, "column": None}
    if not code.strip():
        return {"valid": False, "error": "empty", "message": "Type numpy code to see its einsum.", **nowhere}
    if len(code) > MAX_CODE:
        message = f"the code is {len(code)} characters long; at most {MAX_CODE} can be translated"
        return {"valid": False, "error": "limit", "message": message, **nowhere}
    try:
        operands = parse_operands(operands_text)
    except ValueError as error:
        return {"valid": False, "error": "operands", "message": str(error), **nowhere}
    with _turn() as ready:
        if not ready:
            message = "the server is busy with other translations; try again in a few seconds"
            return {"valid": False, "error": "busy", "message": message, **nowhere}
        try:
            result = translate(code, **operands)
        except TranslateError as error:
            if error.unfinished:
                return {"valid": False, **_refusal_data(error, page_hint), **_unfinished(error)}
            return {"valid": False, **_refusal_data(error, page_hint)}
        return {"valid": True, **translation_json(result, operands)}


def _unfinished(error: TranslateError) -> dict[str, str]:
    """Code that stops early (still being typed), said gently: what is open, with the code quoted."""
    code = error.operation or ""
    quoted = f"“{code}”" if len(code) <= 60 else f"“…{code[-57:]}”"
    opened = re.match(r"'(.)' was never closed", error.reason.partition("(")[2])
    if opened:
        what = f"its {opened.group(1)} at column {error.column} is still open"
    elif "unterminated" in error.reason:
        what = f"its string at column {error.column} is not closed yet"
    else:
        what = "Python expects more after its last character"
    return {"error": "unfinished", "message": f"Not finished yet: {quoted} — {what}."}


def parse_operands(text: str) -> dict[str, tuple[int, ...]]:
    """``"a=2x5 b=2x5"`` (spaces or commas between) -> ``{"a": (2, 5), "b": (2, 5)}``; ValueError otherwise."""
    if len(text) > MAX_OPERANDS_TEXT:
        raise ValueError(f"the operands text is longer than {MAX_OPERANDS_TEXT} characters")
    operands: dict[str, tuple[int, ...]] = {}
    for part in [p for p in re.split(r"[\s,;]+", text) if p]:
        name, sep, shape = part.partition("=")
        if not sep or not name.isidentifier():
            raise ValueError(f"cannot read {part!r}: write each operand as NAME=SHAPE, e.g. a=2x5")
        try:
            operands[name] = parse_shape(shape)
        except ShapeSyntaxError as error:
            raise ValueError(f"{name}: {error}") from None
    _check_operands(operands)
    return operands


def _check_operands(operands: dict[str, tuple[int, ...]]) -> None:
    if len(operands) > MAX_OPERANDS:
        raise ValueError(f"at most {MAX_OPERANDS} operands, got {len(operands)}")
    for name, shape in operands.items():
        if len(shape) > MAX_NDIM:
            raise ValueError(f"{name}: at most {MAX_NDIM} dimensions, got {len(shape)}")
        if any(size > MAX_SIZE for size in shape) or math.prod(shape) > MAX_ELEMENTS:
            raise ValueError(f"{name}: at most {MAX_ELEMENTS} elements and sizes up to {MAX_SIZE}")


def translation_json(result: Translation, given: Mapping[str, Any] | None = None) -> dict[str, Any]:
    """The translation with the explainer's rendering: its picture (SVG) when the explainer draws one;
    ``unused_note`` names the operands in ``given`` (name -> shape) that the einsum does not use."""
    explanation = result.explanation
    data = result.to_dict()
    data["operation"] = explanation.operation.name
    data["prose"] = explanation.prose
    data["diagram"] = explanation.diagram
    data["html"] = explanation.html(include_style=False, picture=False)
    data["svg"] = explanation.picture(style=False)  # the page ships the picture's CSS (strict CSP: no <style>)
    shapes = ",".join("x".join(map(str, shape)) or "scalar" for shape in result.shapes)
    query = {"s": result.subscript, "shapes": shapes}
    if tuple(explanation.names) == result.names:  # else a name the explainer reserves: it uses its own
        query["names"] = ",".join(result.operands)  # as passed: x,x for one array twice (values shared)
    data["explain_url"] = "/explain?" + urlencode(query)
    data["names_note"] = result.names_note()
    unused = [name for name in given or {} if name not in result.operands]
    data["unused_note"] = ""
    if unused:
        listed = unused[0] if len(unused) == 1 else ", ".join(unused[:-1]) + " and " + unused[-1]
        verb, them = ("is", "it") if len(unused) == 1 else ("are", "them")
        data["unused_note"] = f"{listed} {verb} given a shape, but the einsum does not use {them}."
    return data


def _array(value: Any, what: str) -> np.ndarray[Any, Any]:
    try:
        array = np.asarray(value)
    except (ValueError, TypeError):
        raise ValueError(f"{what} is not a rectangular array: every row must have the same length") from None
    if array.dtype.kind not in "biuf":
        raise ValueError(f"{what} must hold numbers only (nested lists of numbers)")
    return array


@functools.cache
def _lesson_html() -> str:
    """The course's lesson "From numpy to einsum" (it has no puzzle of its own: this page is where it is read)."""
    from ..curriculum import section
    from .markdown import render

    return render(section("from-numpy").lesson, skip_title=False)


def find_router(page: Callable[[Request, str, dict[str, Any]], HTMLResponse]) -> APIRouter:
    """The router; ``page`` renders a template in the site's layout (the app's own helper)."""
    router = APIRouter()

    @router.post("/api/translate", tags=["api"])
    def api_translate(body: TranslateRequest) -> JSONResponse:
        operands = {name: tuple(shape) for name, shape in body.operands.items()}
        try:
            _check_operands(operands)
        except ValueError as error:
            return _limit("operands", str(error))
        with _turn() as ready:
            if not ready:
                return _busy()
            try:
                result = translate(body.code, **operands)
            except TranslateError as error:
                return _refusal(error)
            return JSONResponse(translation_json(result, operands))

    @router.get("/api/translate/preview", tags=["api"])
    def api_translate_preview(code: str = "", operands: str = "") -> dict[str, Any]:
        """What the /translate page asks as the learner types: always 200. ``operands`` is text as typed on
        the page (``a=2x3 b=3x4``). Code that is not one einsum yet, operands that cannot be read, a bound
        broken or a busy server give ``valid: false`` with a ``message`` in words (and, for the code,
        ``operation``, ``line``, ``column``); a translation is ``valid: true`` with the fields of
        ``POST /api/translate``."""
        return preview(code, operands)

    @router.post("/api/solve", tags=["api"])
    def api_solve(body: SolveRequest) -> JSONResponse:
        try:
            inputs = [_array(value, f"input {n}") for n, value in enumerate(body.inputs)]
            output = _array(body.output, "the output")
        except ValueError as error:
            return JSONResponse({"error": "invalid_request", "message": str(error)}, status_code=422)
        elements = sum(x.size for x in inputs) + output.size
        if elements > MAX_SOLVE_ELEMENTS:
            return _limit("elements", f"at most {MAX_SOLVE_ELEMENTS} numbers in all, got {elements}")
        axes = [size for x in inputs for size in x.shape]
        if len(axes) > MAX_SOLVE_AXES:
            return _limit("axes", f"at most {MAX_SOLVE_AXES} input axes in all, got {len(axes)}")
        if output.ndim > MAX_SOLVE_AXES:
            return _limit("axes", f"the output may have at most {MAX_SOLVE_AXES} axes, got {output.ndim}")
        if math.prod(axes) > MAX_SOLVE_WORK:
            return _limit("work", f"the product of the input sizes must be at most {MAX_SOLVE_WORK}")
        with _turn() as ready:
            if not ready:
                return _busy()
            try:
                found = solve(
                    inputs,
                    output,
                    max_results=body.max_results,
                    max_partitions=MAX_SOLVE_PARTITIONS,
                    max_work=MAX_SOLVE_SEARCH_WORK,
                )
            except SolveLimit as error:
                return _limit("search", str(error))
        return JSONResponse({"subscripts": found, "count": len(found)})

    @router.get("/translate", response_class=HTMLResponse, include_in_schema=False)
    def translate_page(request: Request, code: str = "", operands: str = "") -> HTMLResponse:
        context: dict[str, Any] = {
            "code": code[:MAX_CODE],
            "operands_text": operands[:MAX_OPERANDS_TEXT],
            "result": None,
            "error": None,
            "caret": None,
            "unfinished": None,
        }
        if code.strip():
            answer = preview(code[:MAX_CODE], operands)
            if answer["valid"]:
                context["result"] = answer
            elif answer["error"] == "unfinished":
                context["unfinished"] = answer["message"]
            else:
                context["error"] = answer["message"]
                column = answer["column"]
                if column is not None and "\n" not in code.strip():
                    context["caret"] = (code.strip(), " " * (column - 1) + "^")
        context["lesson"] = _lesson_html()
        return page(request, "translate.html", context)

    return router
