"""A throwaway PostgreSQL for the tests: a cluster in a temporary folder, on a free loopback port.

Built with the server's own tools (Debian's ``postgresql`` package: ``initdb``, ``pg_ctl``), run as an
unprivileged user when the tests run as root (PostgreSQL refuses root), and stopped after the session.
Skipped, with the reason, only when PostgreSQL is not installed ('make test' installs it as root).
"""

from __future__ import annotations

import glob
import os
import pwd
import shutil
import socket
import subprocess
import tempfile
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest


def pg_bin() -> Path | None:
    override = os.environ.get("EINSUM_PUZZLES_PG_BIN")
    candidates = [override] if override else sorted(glob.glob("/usr/lib/postgresql/*/bin"), reverse=True)
    for folder in candidates:
        if folder and (Path(folder) / "initdb").exists() and (Path(folder) / "pg_ctl").exists():
            return Path(folder)
    found = shutil.which("pg_ctl")
    return Path(found).parent if found and shutil.which("initdb") else None


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _as_user() -> tuple[Callable[[], None] | None, int | None, int | None]:
    if os.geteuid() != 0:
        return None, None, None
    user = pwd.getpwnam("nobody")

    def demote() -> None:
        os.setgid(user.pw_gid)
        os.setuid(user.pw_uid)

    return demote, user.pw_uid, user.pw_gid


class PostgresUnavailable(Exception):
    """PostgreSQL's server programs are not on this machine."""


class Cluster:
    def __init__(self) -> None:
        binaries = pg_bin()
        if binaries is None:
            raise PostgresUnavailable(
                "PostgreSQL is not installed (Debian package 'postgresql'; 'make test' installs it as root)"
            )
        self.bin = binaries
        self.folder = Path(tempfile.mkdtemp(prefix="einsum-pg-"))
        self.data = self.folder / "data"
        self.port = free_port()
        self.demote, uid, gid = _as_user()
        if uid is not None and gid is not None:
            os.chown(self.folder, uid, gid)
        env = {k: v for k, v in os.environ.items() if not k.startswith("PG")}
        env["LC_ALL"] = "C"
        self.env = env
        self._run("initdb", "-D", str(self.data), "-U", "postgres", "--auth=trust", "-E", "UTF8", "--no-sync")
        options = f"-h 127.0.0.1 -p {self.port} -k {self.folder} -c fsync=off -c max_connections=200"
        self._run("pg_ctl", "-D", str(self.data), "-l", str(self.folder / "log"), "-o", options, "-w", "start")
        self.url = f"postgresql://postgres@127.0.0.1:{self.port}/postgres"

    def _run(self, tool: str, *args: str) -> None:
        result = subprocess.run(
            [str(self.bin / tool), *args],
            env=self.env,
            cwd=self.folder,  # the unprivileged user may not be able to enter the current folder
            preexec_fn=self.demote,
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )
        if result.returncode != 0:
            log = self.folder / "log"
            tail = log.read_text()[-2000:] if log.exists() else ""
            raise RuntimeError(f"{tool} failed ({result.returncode}): {result.stderr or result.stdout}\n{tail}")

    def database(self) -> str:
        """A new, empty database in the cluster; its URL."""
        import psycopg

        name = "t" + uuid.uuid4().hex[:12]
        with psycopg.connect(self.url, autocommit=True) as conn:
            conn.execute(f"CREATE DATABASE {name}")
        return self.url.rsplit("/", 1)[0] + "/" + name

    def stop(self) -> None:
        try:
            self._run("pg_ctl", "-D", str(self.data), "-m", "immediate", "-w", "stop")
        finally:
            shutil.rmtree(self.folder, ignore_errors=True)


@pytest.fixture(scope="session")
def postgres() -> Iterator[Cluster]:
    try:
        cluster = Cluster()
    except PostgresUnavailable as exc:
        pytest.skip(str(exc))
    try:
        yield cluster
    finally:
        from einsum_puzzles.store.database import forget_engines

        forget_engines()
        cluster.stop()
