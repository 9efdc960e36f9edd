"""The progress store (kept for imports): see ``einsum_puzzles.store``."""

from __future__ import annotations

from .store import (
    APP,
    EXPORT_FORMAT,
    FILENAME,
    LOCAL,
    SCHEMA_VERSION,
    Attempt,
    Progress,
    ProgressError,
    StoreError,
    default_path,
    home,
    read_export,
)

__all__ = [
    "APP",
    "EXPORT_FORMAT",
    "FILENAME",
    "LOCAL",
    "SCHEMA_VERSION",
    "Attempt",
    "Progress",
    "ProgressError",
    "StoreError",
    "default_path",
    "home",
    "read_export",
]
