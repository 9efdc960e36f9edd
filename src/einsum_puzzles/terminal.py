"""Small terminal helpers of the ``einsum-puzzles`` command: text that is safe to print (no control
characters), a closed pipe, a taken port, names that fit a column, and what can open a notebook here.
Nothing here imports more than the standard library.
"""

from __future__ import annotations

import os
import re
import shutil
import socket
import sys
from pathlib import Path

CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u200e\u200f\u202a-\u202e\u2066-\u2069]")
"""C0 and C1 controls (newline and tab kept), DEL, and the bidirectional overrides."""


def printable(text: str) -> str:
    """``text`` with every control character removed; lines and tabs stay as they are."""
    return CONTROL.sub("", text)


EXIT_BROKEN_PIPE = 141
"""What a shell reports for a program stopped by SIGPIPE (``einsum-puzzles list | head -1``)."""

SOLVED, UNSOLVED = "✓", "·"


def silence_stdout() -> None:
    """After a BrokenPipeError: point stdout at /dev/null so the interpreter's last flush stays quiet."""
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    except (OSError, ValueError):  # no real file descriptor (a test's captured stream): nothing to flush
        pass


def port_problem(host: str, port: int) -> str | None:
    """Why ``host:port`` cannot be listened on (taken, not allowed, unknown address), or None when it can.

    Binds the way uvicorn does (SO_REUSEADDR, so a port in TIME_WAIT counts as free) and lets it go.
    """
    if not 0 <= port <= 65535:
        return f"port {port} is not a port number (0 to 65535)"
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM, flags=socket.AI_PASSIVE)
    except socket.gaierror as error:
        return f"cannot listen on {host!r}: {error.strerror}; use an address of this machine such as 127.0.0.1"
    family, kind, proto, _, address = infos[0]
    with socket.socket(family, kind, proto) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind(address)
            probe.listen(1)
        except OSError as error:
            import errno

            if error.errno == errno.EADDRINUSE:
                return (
                    f"port {port} on {host} is already in use (another server, or einsum-puzzles started before); "
                    f"stop it, or choose another port: --port {port + 1 if port < 65535 else 8001}"
                )
            if error.errno == errno.EACCES:
                return f"not allowed to listen on port {port} (ports below 1024 need root); choose one like --port 8000"
            return f"cannot listen on {host}:{port}: {error.strerror}"
    return None


def fit(text: str, width: int) -> str:
    """``text`` in at most ``width`` characters, shortened at a word boundary with '…' when needed."""
    if len(text) <= width:
        return text
    words, kept = text.split(), ""
    for word in words:
        candidate = f"{kept} {word}" if kept else word
        if len(candidate) + 1 > width:
            break
        kept = candidate
    if not kept:  # one long word: cutting it is the only way
        return text[: width - 1] + "…"
    return kept.rstrip(",:;") + "…"


def notebook_openers(path: Path) -> list[str]:
    """The ways to open a notebook that exist on this machine, as commands or instructions (best first)."""
    bin_dir = Path(sys.executable).parent

    def found(name: str) -> str | None:
        sibling = bin_dir / name
        if sibling.is_file() and os.access(sibling, os.X_OK):
            return str(sibling) if shutil.which(name) is None else name
        return shutil.which(name) and name

    ways = []
    lab = found("jupyter-lab")
    if lab:
        ways.append(f"{lab} {path}" if lab != "jupyter-lab" else f"jupyter lab {path}")
    classic = found("jupyter-notebook")
    if classic:
        ways.append(f"{classic} {path}" if classic != "jupyter-notebook" else f"jupyter notebook {path}")
    if shutil.which("code"):
        ways.append(f"code {path} (VS Code, with its Jupyter extension)")
    return ways
