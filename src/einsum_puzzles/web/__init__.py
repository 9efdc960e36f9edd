"""The web app (FastAPI + Jinja2, plain JavaScript): ``einsum-puzzles serve`` or ``create_app()``."""

from __future__ import annotations

from .app import create_app

__all__ = ["create_app"]
