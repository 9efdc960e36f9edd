"""A grading process: the web app's child that grades numpy subscript answers (see ``web/grader.py``).

``python -m einsum_puzzles.grading.worker`` reads one request per line on stdin (``{"id", "puzzle",
"answer"}`` as JSON) and answers each on its own line on stdout: ``ID<TAB>`` and the verdict's JSON
exactly as the API sends it, or ``ID<TAB>!`` and a message when grading raised. It imports numpy and the
grader only.
"""

from __future__ import annotations

import gc
import json
import os
import signal
import sys
import time
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


def answer(line: bytes) -> bytes:
    """One request line's answer line."""
    from . import check

    number = 0
    try:
        request = json.loads(line)
        number = int(request["id"])
        if time.time() > float(request.get("until", "inf")):
            return b"%d\t!expired before it was graded\n" % number  # its request has had its 503
        verdict = check(int(request["puzzle"]), str(request["answer"]))
        return b"%d\t" % number + render(verdict.to_dict()) + b"\n"
    except Exception as error:  # reported to the server, which then grades this answer itself
        message = f"{type(error).__name__}: {error}".replace("\n", " ")
        return b"%d\t!" % number + message.encode(errors="replace") + b"\n"


def main() -> int:
    """The child: grade every request that has arrived, then write all their answers at once (one
    wake-up of the server per batch, not per answer)."""
    tune_gc()
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C on serve: the server stops, and with it our stdin
    stdin, stdout = sys.stdin.fileno(), sys.stdout.fileno()
    sys.stdout = sys.stderr  # anything printed while grading goes to the server's log, not into the answers
    pending = b""
    while True:
        chunk = os.read(stdin, 1 << 16)
        if not chunk:
            return 0
        *lines, pending = (pending + chunk).split(b"\n")
        if lines:
            data = memoryview(b"".join(answer(line) for line in lines))
            while data:
                data = data[os.write(stdout, data) :]


if __name__ == "__main__":
    sys.exit(main())
