"""A grading process: the web app's child that grades numpy subscript answers (see ``web/grader.py``).

``python -m einsum_puzzles.grading.worker`` reads one request per line on stdin (``{"id", "puzzle",
"answer"}`` as JSON) and answers each on its own line on stdout: ``ID<TAB>`` and the verdict's JSON
exactly as the API sends it, or ``ID<TAB>!`` and a message when grading raised. It imports numpy and the
grader only.
"""

from __future__ import annotations

import gc
import json
import sys
from typing import Any

GC_THRESHOLDS = (20_000, 50, 100)
"""The served processes' garbage-collector thresholds (Python's default is 700, 10, 10). A check allocates
thousands of short-lived objects, so with the default every request set off young collections, and each
one also calls the callbacks libraries register (jax's, for one): about a fifth of a check's time. The
young generation is still collected every 20,000 net allocations: memory stays bounded."""


def tune_gc() -> None:
    gc.set_threshold(*GC_THRESHOLDS)


def render(data: dict[str, Any]) -> bytes:
    """JSON exactly as FastAPI's JSONResponse renders it."""
    return json.dumps(data, ensure_ascii=False, allow_nan=False, indent=None, separators=(",", ":")).encode()


def main() -> int:
    """The child: grade each request line with numpy, answer each on its own line."""
    from . import check

    tune_gc()
    out = sys.stdout.buffer
    sys.stdout = sys.stderr  # anything printed while grading goes to the server's log, not into the answers
    for line in sys.stdin.buffer:
        number = 0
        try:
            request = json.loads(line)
            number = int(request["id"])
            verdict = check(int(request["puzzle"]), str(request["answer"]))
            out.write(b"%d\t" % number + render(verdict.to_dict()) + b"\n")
        except Exception as error:  # reported to the server, which then grades this answer itself
            message = f"{type(error).__name__}: {error}".replace("\n", " ")
            out.write(b"%d\t!" % number + message.encode(errors="replace") + b"\n")
        out.flush()
    return 0


if __name__ == "__main__":
    sys.exit(main())
