"""The API documentation at ``/docs``, offline: Swagger UI's files come from the fastapi-offline package
(served under ``/docs-assets``), started by our own ``/static/docs.js`` instead of an inline script,
under a Content-Security-Policy that lets that page load only those files and the OpenAPI document."""

from __future__ import annotations

from html import escape
from pathlib import Path

import fastapi_offline
from fastapi import FastAPI, Request
from fastapi.responses import HTMLResponse
from fastapi.staticfiles import StaticFiles

ASSETS = Path(fastapi_offline.__file__).parent / "static"
PREFIX = "/docs-assets"


def docs_csp(origin: str) -> str:
    """Scripts and styles only from the Swagger UI files and our starter; data only from this site."""
    return (
        "default-src 'none'; "
        f"script-src {origin}{PREFIX}/swagger-ui-bundle.js {origin}/static/docs.js; "
        f"style-src {origin}{PREFIX}/swagger-ui.css {origin}/static/docs.css; "
        f"img-src {origin}{PREFIX}/ data:; connect-src 'self'; "
        "base-uri 'none'; frame-ancestors 'none'; form-action 'none'"
    )


def install_docs(app: FastAPI) -> None:
    """Add ``/docs`` and its assets to ``app`` (create the app with ``docs_url=None, redoc_url=None``)."""
    app.mount(PREFIX, StaticFiles(directory=ASSETS), name="docs-assets")

    @app.get("/docs", response_class=HTMLResponse, include_in_schema=False)
    def api_docs(request: Request) -> HTMLResponse:
        title = escape(f"{app.title} API")
        page = f"""<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{title}</title>
<link rel="icon" href="{PREFIX}/favicon.png">
<link rel="stylesheet" href="{PREFIX}/swagger-ui.css">
<link rel="stylesheet" href="/static/docs.css">
<script src="{PREFIX}/swagger-ui-bundle.js" defer></script>
<script src="/static/docs.js" defer></script>
</head>
<body>
<header class="docs-header"><a href="/">einsum puzzles</a> · API documentation</header>
<main id="swagger-ui" data-openapi="{escape(app.openapi_url or "/openapi.json")}"><h1>{title}</h1>
<p>This page needs JavaScript. The machine-readable description is at
<a href="{escape(app.openapi_url or "/openapi.json")}">{escape(app.openapi_url or "/openapi.json")}</a>.</p></main>
</body>
</html>"""
        origin = f"{request.url.scheme}://{request.url.netloc}"
        return HTMLResponse(page, headers={"Content-Security-Policy": docs_csp(origin)})
