"""Load test of the web app on loopback: POST /api/check against GET /healthz on the same server.

Starts ``einsum-puzzles serve`` on a free 127.0.0.1 port (progress in a temporary folder), waits until
``/healthz`` says the start-up import of the other libraries is over, sends a bounded number of requests
from N concurrent clients (each one learner on its own keep-alive connection, keeping its cookie as a
browser does) to the two endpoints in turns (``--slices``), and prints requests per second, p50/p99
latency and errors, then the throughput ratio check/healthz (goal >= 0.5 with zero errors at 64
clients). Stops by itself. The load generator is one event loop writing HTTP/1.1 directly
(``--client threads``: a thread per client with http.client, which costs the shared CPU more).

With ``--database postgresql`` (a throwaway PostgreSQL cluster on a free loopback port, made with the
server's own tools like the tests do) and/or ``--workers N``, it also measures the single-process SQLite
server and prints the POST /api/check throughput of the chosen setup against it (ratio).

With one SQLite process (the default) it measures ``--rounds`` fresh servers one after another and
reports the median ratio (the machine may be shared and noisy).

    python bench/web.py [--clients 64] [--requests 6000] [--rounds 5] [--workers 2 --database postgresql]
"""

from __future__ import annotations

import argparse
import asyncio
import http.client
import json
import os
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from pathlib import Path
from typing import Any


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def drive_async(
    base: str, method: str, path: str, bodies: list[Any], clients: int, total: int, first: int = 0
) -> dict[str, Any]:
    """``clients`` concurrent keep-alive connections in one event loop share ``total`` requests; the
    request bodies cycle through ``bodies``. A lean client (a few tens of microseconds of CPU a request,
    HTTP/1.1 written and read directly): on a machine with few cores the load generator shares the CPU
    with the server, and a heavy one measures itself as much as the server."""
    host, port = base.removeprefix("http://").split(":")
    payloads = [json.dumps(body).encode() if body is not None else b"" for body in bodies]
    head = f"{method} {path} HTTP/1.1\r\nHost: {host}:{port}\r\n".encode()
    if any(payloads):
        head += b"Content-Type: application/json\r\n"
    latencies: list[float] = []
    errors = 0
    counter = iter(range(first, first + total))

    async def client() -> None:
        nonlocal errors
        reader, writer = await asyncio.open_connection(host, int(port))
        cookie = b""  # each client is one learner: it keeps the cookie it is given, as a browser does
        for number in counter:
            body = payloads[number % len(payloads)]
            start = time.perf_counter()
            try:
                writer.write(b"%sContent-Length: %d\r\n%s\r\n%s" % (head, len(body), cookie, body))
                status, length, given = _read_head(await reader.readuntil(b"\r\n\r\n"))
                await reader.readexactly(length)
                if given:
                    cookie = b"Cookie: " + given + b"\r\n"
                if status != 200:
                    errors += 1
            except (OSError, asyncio.IncompleteReadError, asyncio.LimitOverrunError, ValueError):
                errors += 1
                writer.close()
                reader, writer = await asyncio.open_connection(host, int(port))
            latencies.append(time.perf_counter() - start)
        writer.close()

    async def run() -> float:
        started = time.perf_counter()
        await asyncio.gather(*(client() for _ in range(clients)))
        return time.perf_counter() - started

    elapsed = asyncio.run(run())
    return summary(latencies, elapsed, errors)


def summary(latencies: list[float], elapsed: float, errors: float) -> dict[str, Any]:
    latencies = sorted(latencies)
    return {
        "rps": len(latencies) / elapsed,
        "p50": statistics.median(latencies),
        "p99": latencies[int(0.99 * (len(latencies) - 1))],
        "errors": errors,
        "elapsed": elapsed,
        "latencies": latencies,
    }


def _read_head(data: bytes) -> tuple[int, int, bytes]:
    """Status, Content-Length and the Set-Cookie value (name=value) of a response head."""
    lines = data.split(b"\r\n")
    status = int(lines[0].split(b" ", 2)[1])
    length, cookie = 0, b""
    for line in lines[1:]:
        name, _, value = line.partition(b":")
        name = name.strip().lower()
        if name == b"content-length":
            length = int(value)
        elif name == b"set-cookie":
            cookie = value.strip().split(b";", 1)[0]
    return status, length, cookie


def drive(
    base: str, method: str, path: str, bodies: list[Any], clients: int, total: int, first: int = 0
) -> dict[str, Any]:
    """``clients`` threads, each with its own keep-alive connection (http.client), share ``total``
    requests; the request bodies cycle through ``bodies``. Heavier on the CPU than ``drive_async``."""
    host, port = base.removeprefix("http://").split(":")
    payloads = [json.dumps(body).encode() if body is not None else None for body in bodies]
    headers = {"Content-Type": "application/json"} if payloads[0] else {}
    latencies: list[float] = []
    errors = 0
    counter = iter(range(first, first + total))
    lock = threading.Lock()

    def worker() -> None:
        nonlocal errors
        connection = http.client.HTTPConnection(host, int(port), timeout=30)
        mine: list[float] = []
        failed = 0
        own = dict(headers)  # each client is one learner: it keeps the cookie it is given, as a browser does
        while True:
            with lock:
                number = next(counter, None)
            if number is None:
                break
            start = time.perf_counter()
            try:
                connection.request(method, path, body=payloads[number % len(payloads)], headers=own)
                response = connection.getresponse()
                response.read()
                cookie = response.getheader("set-cookie")
                if cookie:
                    own["Cookie"] = cookie.split(";", 1)[0]
                if response.status != 200:
                    failed += 1
            except (OSError, http.client.HTTPException):
                failed += 1
                connection.close()
                connection = http.client.HTTPConnection(host, int(port), timeout=30)
            mine.append(time.perf_counter() - start)
        connection.close()
        with lock:
            latencies.extend(mine)
            errors += failed

    threads = [threading.Thread(target=worker) for _ in range(clients)]
    started = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return summary(latencies, time.perf_counter() - started, errors)


def wait_ready(base: str, timeout: float = 120.0) -> None:
    """Until the server answers and has finished importing the other libraries at start (``serve`` probes
    them in the background: seconds of heavy work that is not the steady state this bench measures)."""
    deadline = time.monotonic() + timeout
    while True:
        try:
            with urllib.request.urlopen(base + "/healthz", timeout=1) as response:
                if json.load(response).get("backends") != "probing":
                    return
        except OSError:
            pass
        if time.monotonic() > deadline:
            raise TimeoutError(f"{base} was not ready within {timeout:.0f} s")
        time.sleep(0.2)


def answers() -> list[dict[str, Any]]:
    """A class's worth of answers: every subscript over the shapes of puzzles 21 and 25, right and wrong."""
    from einsum_puzzles import puzzle
    from einsum_puzzles.curriculum.lint import candidate_subscripts

    bodies = []
    for number in (21, 25):
        for candidate in candidate_subscripts(puzzle(number).argument_shapes()):
            bodies.append({"puzzle": number, "answer": candidate})
    return bodies


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--clients", type=int, default=64)
    parser.add_argument("--requests", type=int, default=6000)
    parser.add_argument("--workers", type=int, default=1, help="server processes")
    parser.add_argument("--database", choices=["sqlite", "postgresql"], default="sqlite", help="the store")
    parser.add_argument("--rounds", type=int, default=5, help="fresh single-process servers measured (median)")
    parser.add_argument(
        "--slices", type=int, default=1, help="turns each endpoint takes within a round (each opens new connections)"
    )
    parser.add_argument(
        "--client",
        choices=["async", "threads"],
        default="async",
        help="the load generator: one event loop (lean), or a thread per client with http.client (heavier)",
    )
    args = parser.parse_args(argv)
    script = shutil.which("einsum-puzzles", path=str(Path(sys.executable).parent))
    if script is None:
        print("einsum-puzzles is not installed next to this Python; run 'make install' first")
        return 2
    if args.database == "sqlite" and args.workers == 1:
        # On a shared, noisy machine one round can land on a busy moment: several rounds, each on a
        # fresh server (cold verdict cache, so each sees the same mix of new and repeated answers).
        ratios = []
        errors = 0.0
        for number in range(args.rounds):
            print(f"round {number + 1} of {args.rounds} (fresh server, cold verdict cache)")
            results: dict[str, dict[str, Any]] = {}
            measure(script, args, 1, None, results)
            ratios.append(results["POST /api/check"]["rps"] / results["GET /healthz"]["rps"])
            errors += sum(r["errors"] for r in results.values())
        rounds = ", ".join(f"{r:.2f}" for r in ratios)
        print(
            f"\nmedian check / healthz throughput: {statistics.median(ratios):.2f}  (rounds {rounds}; goal >= 0.5)"
            f"   errors: {errors:.0f}  (goal 0)"
        )
        return 0
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
    from tests.postgres import Cluster, PostgresUnavailable

    cluster = None
    if args.database == "postgresql":
        try:
            cluster = Cluster()
        except PostgresUnavailable as exc:
            print(exc)
            return 2
    try:
        print("baseline: 1 process, SQLite")
        baseline: dict[str, dict[str, Any]] = {}
        measure(script, args, 1, None, baseline)
        print(f"\n{args.workers} process(es), {args.database}")
        chosen: dict[str, dict[str, Any]] = {}
        measure(script, args, args.workers, cluster.database() if cluster else None, chosen)
    finally:
        if cluster is not None:
            cluster.stop()
    ratio = chosen["POST /api/check"]["rps"] / baseline["POST /api/check"]["rps"]
    print(
        f"\nPOST /api/check throughput, {args.workers} process(es) on {args.database} / 1 process on SQLite: "
        f"{ratio:.2f}  ({chosen['POST /api/check']['rps']:.0f} / {baseline['POST /api/check']['rps']:.0f} req/s, "
        f"{os.cpu_count()} CPU cores)"
    )
    return 0


def measure(
    script: str,
    args: argparse.Namespace,
    workers: int,
    database_url: str | None,
    results: dict[str, dict[str, Any]] | None = None,
) -> int:
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    results = {} if results is None else results
    with tempfile.TemporaryDirectory() as home:
        env = dict(os.environ, EINSUM_PUZZLES_HOME=home)
        env.pop("DATABASE_URL", None)
        if database_url:
            env["DATABASE_URL"] = database_url
        command = [script, "serve", "--port", str(port), "--workers", str(workers)]
        server = subprocess.Popen(command, env=env, stdout=subprocess.DEVNULL)
        try:
            wait_ready(base)
            cases: list[tuple[str, str, str, list[Any]]] = [
                ("GET /healthz", "GET", "/healthz", [None]),
                ("POST /api/check", "POST", "/api/check", answers()),
            ]
            run = drive_async if args.client == "async" else drive
            for _, method, path, bodies in cases:
                run(base, method, path, bodies, args.clients, min(200, args.requests))  # warm up
            # The endpoints take turns, a slice of the requests each, so that a noisy moment of a shared
            # machine falls on both rather than on one; each continues where its last slice stopped.
            parts: dict[str, list[dict[str, Any]]] = {name: [] for name, *_ in cases}
            size = max(1, args.requests // args.slices)
            for number in range(args.slices):
                for name, method, path, bodies in cases:
                    parts[name].append(run(base, method, path, bodies, args.clients, size, number * size))
            for name, *_ in cases:
                done = parts[name]
                results[name] = summary(
                    [t for part in done for t in part["latencies"]],
                    sum(part["elapsed"] for part in done),
                    sum(part["errors"] for part in done),
                )
                r = results[name]
                print(
                    f"{name:16} {r['rps']:8.0f} req/s   p50 {r['p50'] * 1e3:7.1f} ms   p99 {r['p99'] * 1e3:7.1f} ms"
                    f"   errors {r['errors']:.0f}"
                )
        finally:
            server.terminate()
            server.wait(timeout=10)
    ratio = results["POST /api/check"]["rps"] / results["GET /healthz"]["rps"]
    errors = sum(r["errors"] for r in results.values())
    print(f"\ncheck / healthz throughput: {ratio:.2f}  (goal >= 0.5)   errors: {errors:.0f}  (goal 0)")
    print(
        f"{args.clients} concurrent clients ({args.client} load generator), {args.requests} requests per endpoint, "
        f"{workers} server process(es); "
        f"check answers cycle through {len(answers())} distinct subscripts (puzzles 21 and 25)"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
