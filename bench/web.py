"""Load test of the web app on loopback: POST /api/check against GET /healthz on the same server.

Starts ``einsum-puzzles serve`` on a free 127.0.0.1 port (progress in a temporary folder), sends a
bounded number of requests from N concurrent clients to each endpoint in turn, and prints requests
per second, p50/p99 latency and errors, then the throughput ratio check/healthz (goal >= 0.5 with zero
errors at 64 clients). Each round starts a fresh server (cold verdict cache, so every round sees the same
mix of new and repeated answers) and measures both endpoints back to back; on a shared, noisy machine the
median round is reported. Stops by itself.

    python bench/web.py [--clients 64] [--requests 6000] [--rounds 3]
"""

from __future__ import annotations

import argparse
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


def drive(base: str, method: str, path: str, bodies: list[Any], clients: int, total: int) -> dict[str, float]:
    """``clients`` threads, each with its own keep-alive connection, share ``total`` requests; the
    request bodies cycle through ``bodies``."""
    host, port = base.removeprefix("http://").split(":")
    payloads = [json.dumps(body).encode() if body is not None else None for body in bodies]
    headers = {"Content-Type": "application/json"} if payloads[0] else {}
    latencies: list[float] = []
    errors = 0
    counter = iter(range(total))
    lock = threading.Lock()

    def worker() -> None:
        nonlocal errors
        connection = http.client.HTTPConnection(host, int(port), timeout=30)
        mine: list[float] = []
        failed = 0
        while True:
            with lock:
                number = next(counter, None)
            if number is None:
                break
            start = time.perf_counter()
            try:
                connection.request(method, path, body=payloads[number % len(payloads)], headers=headers)
                response = connection.getresponse()
                response.read()
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
    elapsed = time.perf_counter() - started
    latencies.sort()
    return {
        "rps": len(latencies) / elapsed,
        "p50": statistics.median(latencies),
        "p99": latencies[int(0.99 * (len(latencies) - 1))],
        "errors": errors,
    }


def answers() -> list[dict[str, Any]]:
    """A class's worth of answers: every subscript over the shapes of puzzles 21 and 25, right and wrong."""
    from einsum_puzzles import puzzle
    from einsum_puzzles.curriculum.lint import candidate_subscripts

    bodies = []
    for number in (21, 25):
        for candidate in candidate_subscripts(puzzle(number).argument_shapes()):
            bodies.append({"puzzle": number, "answer": candidate})
    return bodies


def serve_and_measure(script: str, workers: int, clients: int, requests: int) -> dict[str, dict[str, float]]:
    """One round on a fresh server (empty progress store, empty verdict cache): healthz, then check."""
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    with tempfile.TemporaryDirectory() as home:
        env = dict(os.environ, EINSUM_PUZZLES_HOME=home)
        command = [script, "serve", "--port", str(port), "--workers", str(workers)]
        server = subprocess.Popen(command, env=env, stdout=subprocess.DEVNULL)
        try:
            deadline = time.monotonic() + 30
            while True:
                try:
                    urllib.request.urlopen(base + "/healthz", timeout=1).close()
                    break
                except OSError:
                    if time.monotonic() > deadline:
                        raise
                    time.sleep(0.2)
            cases: list[tuple[str, str, str, list[Any]]] = [
                ("GET /healthz", "GET", "/healthz", [None]),
                ("POST /api/check", "POST", "/api/check", answers()),
            ]
            results = {}
            for name, method, path, bodies in cases:
                drive(base, method, path, bodies, clients, min(200, requests))  # warm up
                results[name] = drive(base, method, path, bodies, clients, requests)
                r = results[name]
                print(
                    f"{name:16} {r['rps']:8.0f} req/s   p50 {r['p50'] * 1e3:7.1f} ms   p99 {r['p99'] * 1e3:7.1f} ms"
                    f"   errors {r['errors']:.0f}"
                )
        finally:
            server.terminate()
            server.wait(timeout=10)
    return results


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--clients", type=int, default=64)
    parser.add_argument("--requests", type=int, default=6000)
    parser.add_argument("--workers", type=int, default=1, help="server processes")
    parser.add_argument(
        "--rounds", type=int, default=3, help="fresh servers measured one after another (the median is reported)"
    )
    args = parser.parse_args(argv)
    script = shutil.which("einsum-puzzles", path=str(Path(sys.executable).parent))
    if script is None:
        print("einsum-puzzles is not installed next to this Python; run 'make install' first")
        return 2
    ratios = []
    errors = 0.0
    for number in range(args.rounds):
        print(f"round {number + 1} of {args.rounds} (fresh server, cold verdict cache)")
        results = serve_and_measure(script, args.workers, args.clients, args.requests)
        ratios.append(results["POST /api/check"]["rps"] / results["GET /healthz"]["rps"])
        errors += sum(r["errors"] for r in results.values())
    ratio = statistics.median(ratios)
    print(
        f"\ncheck / healthz throughput: {ratio:.2f}  (median of {', '.join(f'{r:.2f}' for r in ratios)}; goal >= 0.5)"
        f"   errors: {errors:.0f}  (goal 0)"
    )
    print(
        f"{args.clients} concurrent clients, {args.requests} requests per endpoint and round, {args.workers} server "
        f"process(es); check answers cycle through {len(answers())} distinct subscripts (puzzles 21 and 25)"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
