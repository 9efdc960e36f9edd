"""Classes on the web app: teachers sign in and follow their classes; learners join with a code.

* Teachers are added on the command line (``einsum-puzzles teacher add EMAIL``); sign-in sets a signed,
  HttpOnly, SameSite=Strict session cookie (itsdangerous, key kept in the store so every worker shares it).
* Every form carries a CSRF token: a signature of the browser's learner cookie, checked on each POST.
* Sign-in and joining are rate-limited in the store (so the limits hold across worker processes).
* A learner joins with the class's code and a display name; their learner cookie binds them, they can
  leave; a learner in no class works anonymously as before.
"""

from __future__ import annotations

import csv
import io
import time
from collections.abc import Callable
from typing import Any
from urllib.parse import quote

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, JSONResponse, RedirectResponse, Response
from fastapi.templating import Jinja2Templates
from starlette.concurrency import run_in_threadpool

from .. import curriculum
from ..store import Database, StoreError, classes, open_database
from ..store.progress import Progress

TEACHER_COOKIE = "ep_teacher"
SESSION_AGE = 12 * 3600
CSRF_AGE = 12 * 3600
SIGNIN_LIMIT, SIGNIN_WINDOW = 10, 15 * 60
"""Sign-in attempts per address (and per email) in the window."""
JOIN_LIMIT, JOIN_WINDOW = 20, 10 * 60
"""Joins with a wrong code per address in the window."""
CHART_ROW, CHART_LABEL, CHART_WIDTH = 22, 48, 520

LearnerOf = Callable[[Request], tuple[str, bool]]
SetCookie = Callable[[Response, str], None]


class _Keys:
    """The signing key, read from the store once per process."""

    def __init__(self, db: Callable[[], Database]) -> None:
        self.db = db
        self.value: str | None = None

    def serializer(self, salt: str) -> Any:
        from itsdangerous import URLSafeTimedSerializer

        if self.value is None:
            self.value = classes.secret(self.db())
        return URLSafeTimedSerializer(self.value, salt=salt)


def router(templates: Jinja2Templates, learner_of: LearnerOf, set_cookie: SetCookie, url: str | None) -> APIRouter:
    api = APIRouter()
    keys = _Keys(lambda: open_database(url, reuse=True))

    def db() -> Database:
        return open_database(url, reuse=True)

    def store_learner(learner: str) -> str:
        return f"web:{learner}"

    # --- sessions and CSRF -------------------------------------------------------------------------
    def teacher_of(request: Request) -> int | None:
        from itsdangerous import BadSignature

        value = request.cookies.get(TEACHER_COOKIE)
        if not value:
            return None
        try:
            payload = keys.serializer("session").loads(value, max_age=SESSION_AGE)
        except BadSignature:
            return None
        if not (isinstance(payload, list) and len(payload) == 2 and isinstance(payload[0], int)):
            return None
        teacher, tag = payload
        # a new password (teacher add --replace) or a removed account ends every session
        return teacher if tag and classes.session_tag(db(), teacher) == tag else None

    def csrf_token(learner: str) -> str:
        return str(keys.serializer("csrf").dumps(learner))

    async def checked_form(request: Request) -> tuple[dict[str, str], str | None]:
        """The form's fields, and an error message when its CSRF token does not match this browser."""
        from itsdangerous import BadSignature

        form = await request.form()
        fields = {k: str(v)[:500] for k, v in form.items() if isinstance(v, str)}
        learner = request.cookies.get("ep_learner", "")
        try:
            ok = bool(learner) and keys.serializer("csrf").loads(fields.get("csrf", ""), max_age=CSRF_AGE) == learner
        except BadSignature:
            ok = False
        return (
            fields,
            None if ok else "This form has expired or did not come from this site: reload the page and retry.",
        )

    def render(request: Request, name: str, context: dict[str, Any], status: int = 200) -> HTMLResponse:
        learner, new = learner_of(request)
        with Progress(url=url, learner=store_learner(learner), reuse=True) as p:
            solved = p.solved()
        response = templates.TemplateResponse(
            request,
            name,
            {"solved": solved, "csrf": csrf_token(learner), "teacher_signed_in": teacher_of(request) is not None}
            | context,
            status_code=status,
        )
        if new:
            set_cookie(response, learner)
        return response

    def client(request: Request) -> str:
        return request.client.host if request.client else "unknown"

    # --- learners --------------------------------------------------------------------------------------
    @api.get("/class", response_class=HTMLResponse, include_in_schema=False)
    def class_page(request: Request, code: str = "") -> HTMLResponse:
        learner, _ = learner_of(request)
        member = classes.membership(db(), store_learner(learner))
        return render(request, "class.html", {"member": member, "code": classes.normal_code(code), "error": None})

    @api.post("/class/join", response_class=HTMLResponse, include_in_schema=False)
    async def class_join(request: Request) -> Response:
        fields, error = await checked_form(request)
        learner, _ = learner_of(request)
        code, name = classes.normal_code(fields.get("code", "")), fields.get("name", "")
        status = 403
        if error is None:
            error, status = await run_in_threadpool(join_class, f"join:{client(request)}", learner, code, name)
            if error is None:
                return RedirectResponse("/class", status_code=303)
        context = {"member": None, "code": code, "name": name[:40], "error": error}
        return render(request, "class.html", context, status=status)

    def join_class(bucket: str, learner: str, code: str, name: str) -> tuple[str | None, int]:
        """(an error message or None, the status)."""
        if not classes.allowed(db(), bucket, JOIN_LIMIT, JOIN_WINDOW):
            return "Too many wrong join codes from this address: wait ten minutes, then retry.", 429
        try:
            joined = classes.join(db(), store_learner(learner), code, name)
        except StoreError as exc:
            return f"Not joined: {exc}.", 400
        if joined is None:
            classes.note(db(), bucket)
            return f"No class has the code {code!r}: check it with your teacher.", 404
        return None, 303

    @api.post("/class/leave", include_in_schema=False)
    async def class_leave(request: Request) -> Response:
        _, error = await checked_form(request)
        learner, _ = learner_of(request)
        if error is not None:
            member = classes.membership(db(), store_learner(learner))
            return render(request, "class.html", {"member": member, "code": "", "error": error}, status=403)
        classes.leave(db(), store_learner(learner))
        return RedirectResponse("/class", status_code=303)

    @api.get("/api/progress", tags=["api"])
    def api_progress(request: Request) -> JSONResponse:
        """The calling learner's own record: every attempt (puzzle, answer, correct, time) and the solved puzzles."""
        learner, new = learner_of(request)
        with Progress(url=url, learner=store_learner(learner), reuse=True) as p:
            attempts = p.attempts()
            solved = sorted(p.solved())
        member = classes.membership(db(), store_learner(learner))
        response = JSONResponse(
            {
                "attempts": [
                    {"puzzle": a.puzzle, "answer": a.answer, "kind": a.kind, "correct": a.correct, "time": a.at}
                    for a in attempts
                ],
                "solved": solved,
                "class": {"name": member[0], "display_name": member[1]} if member else None,
            }
        )
        if new:
            set_cookie(response, learner)
        return response

    # --- teachers --------------------------------------------------------------------------------------
    @api.get("/teacher", response_class=HTMLResponse, include_in_schema=False)
    def teacher_page(request: Request) -> HTMLResponse:
        teacher = teacher_of(request)
        email = classes.teacher_email(db(), teacher) if teacher is not None else None
        if teacher is None or email is None:  # signed out, or an account that no longer exists
            return render(request, "teacher_signin.html", {"error": None, "email": ""})
        context = {"email": email, "classes": classes.classes_of(db(), teacher)}
        return render(request, "teacher.html", context | {"error": None})

    @api.post("/teacher/signin", response_class=HTMLResponse, include_in_schema=False)
    async def teacher_signin(request: Request) -> Response:
        fields, error = await checked_form(request)
        email, password = fields.get("email", "").strip()[:200], fields.get("password", "")
        status = 403
        if error is None:
            teacher, error, status = await run_in_threadpool(sign_in, client(request), email, password)
            if teacher is not None:
                response = RedirectResponse("/teacher", status_code=303)
                response.set_cookie(
                    TEACHER_COOKIE,
                    str(keys.serializer("session").dumps([teacher, classes.session_tag(db(), teacher)])),
                    max_age=SESSION_AGE,
                    httponly=True,
                    samesite="strict",
                    secure=request.url.scheme == "https",
                )
                return response
        return render(request, "teacher_signin.html", {"error": error, "email": email}, status=status)

    def sign_in(address: str, email: str, password: str) -> tuple[int | None, str | None, int]:
        """(the teacher or None, an error message or None, the status): argon2 is slow, so in the thread pool."""
        store = db()
        if not (
            classes.throttle(store, f"signin:{address}", SIGNIN_LIMIT, SIGNIN_WINDOW)
            and classes.throttle(store, f"signin:{email.lower()}", SIGNIN_LIMIT, SIGNIN_WINDOW)
        ):
            return None, "Too many sign-in attempts: wait fifteen minutes, then retry.", 429
        teacher = classes.verify_teacher(store, email, password)
        if teacher is None:
            return None, "Wrong email or password.", 401
        return teacher, None, 303

    @api.post("/teacher/signout", include_in_schema=False)
    async def teacher_signout(request: Request) -> Response:
        _, error = await checked_form(request)
        response = RedirectResponse("/teacher", status_code=303)
        if error is None:
            response.delete_cookie(TEACHER_COOKIE)
        return response

    @api.post("/teacher/classes", response_class=HTMLResponse, include_in_schema=False)
    async def teacher_new_class(request: Request) -> Response:
        fields, error = await checked_form(request)
        teacher = teacher_of(request)
        if teacher is None:
            return RedirectResponse("/teacher", status_code=303)
        status = 403
        if error is None:
            try:
                class_id, _ = classes.create_class(db(), teacher, fields.get("name", ""))
                return RedirectResponse(f"/teacher/classes/{class_id}", status_code=303)
            except StoreError as exc:
                error, status = f"Not created: {exc}.", 400
        context = {"email": classes.teacher_email(db(), teacher), "classes": classes.classes_of(db(), teacher)}
        return render(request, "teacher.html", context | {"error": error}, status=status)

    def own_class(request: Request, class_id: int) -> tuple[int, classes.ClassInfo] | Response:
        teacher = teacher_of(request)
        if teacher is None:
            return RedirectResponse("/teacher", status_code=303)
        found = classes.class_of(db(), teacher, class_id)
        if found is None:
            return HTMLResponse(
                templates.get_template("error.html").render(message="You have no class with this number."),
                status_code=404,
            )
        return teacher, found

    @api.get("/teacher/classes/{class_id}", response_class=HTMLResponse, include_in_schema=False)
    def teacher_class(request: Request, class_id: int) -> Response:
        owned = own_class(request, class_id)
        if isinstance(owned, Response):
            return owned
        _, info = owned
        store = db()
        stats = classes.puzzle_stats(store, info.id)
        titles = {p.id: p.title for p in curriculum.puzzles()}
        context = {
            "info": info,
            "stats": stats,
            "titles": titles,
            "members": classes.members(store, info.id),
            "chart": chart(stats),
            "stuck_after": classes.STUCK_ATTEMPTS,
            "join_link": f"{request.base_url}class?code={info.code}",
            "quote": quote,
        }
        return render(request, "teacher_class.html", context)

    @api.get("/teacher/classes/{class_id}/learners/{name}", response_class=HTMLResponse, include_in_schema=False)
    def teacher_learner(request: Request, class_id: int, name: str) -> Response:
        owned = own_class(request, class_id)
        if isinstance(owned, Response):
            return owned
        _, info = owned
        member = next((m for m in classes.members(db(), info.id) if m.name == name), None)
        if member is None:
            return HTMLResponse(
                templates.get_template("error.html").render(message="No learner of that name in this class."),
                status_code=404,
            )
        events = classes.timeline(db(), info.id, member.learner)
        rows = [{"when": time.strftime("%Y-%m-%d %H:%M:%S", time.gmtime(e.at)), "event": e} for e in events]
        return render(request, "teacher_learner.html", {"info": info, "member": member, "rows": rows})

    @api.get("/teacher/classes/{class_id}/attempts.csv", include_in_schema=False)
    def teacher_csv(request: Request, class_id: int) -> Response:
        owned = own_class(request, class_id)
        if isinstance(owned, Response):
            return owned
        _, info = owned
        buffer = io.StringIO()
        writer = csv.writer(buffer)
        writer.writerow(["learner", "puzzle", "answer", "kind", "correct", "time_utc"])
        for name, puzzle, answer, kind, correct, at in classes.attempts_csv_rows(db(), info.id):
            stamp = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(at))
            writer.writerow([_cell(name), puzzle, _cell(answer), kind, correct, stamp])
        filename = f"class-{info.id}-attempts.csv"
        return Response(
            buffer.getvalue(),
            media_type="text/csv; charset=utf-8",
            headers={"Content-Disposition": f'attachment; filename="{filename}"'},
        )

    return api


def _cell(text: str) -> str:
    """A spreadsheet must not run a learner's text as a formula."""
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


def chart(stats: list[classes.PuzzleStats]) -> dict[str, Any]:
    """Bars per puzzle: learners who attempted it, and who solved it (drawn by the template as SVG)."""
    top = max((s.attempted for s in stats), default=0) or 1
    scale = (CHART_WIDTH - CHART_LABEL - 150) / top
    rows = []
    for index, s in enumerate(stats):
        rows.append(
            {
                "y": index * CHART_ROW,
                "label": f"#{s.puzzle}",
                "attempted": round(s.attempted * scale, 1),
                "solved": round(s.solved * scale, 1),
                "text": f"{s.solved}/{s.attempted} solved, {s.attempts} attempts",
                "stats": s,
            }
        )
    return {
        "rows": rows,
        "width": CHART_WIDTH,
        "height": max(1, len(rows)) * CHART_ROW + 8,
        "label": CHART_LABEL,
        "bar": CHART_ROW - 6,
    }
