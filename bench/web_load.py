"""Heavy checks against /healthz: 32 clients send the most expensive checks the limits allow (puzzle 32
templates whose ``scores`` step costs ~6.5 million multiply-adds, each one different so that no verdict
comes from the cache) while one client probes ``/healthz``. Prints the probe's p50/p95/max latency and
how the heavy requests were answered. Bounded in time (``--seconds``); stops the server by itself.

    python bench/web_load.py [--clients 32] [--seconds 5]

Goal: /healthz p95 under 100 ms, and every heavy request answered 200 (a verdict) or 503 (busy).
"""

from __future__ import annotations

import argparse
import http.client
import itertools
import json
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from collections import Counter
from pathlib import Path
from typing import Any

HEAVY_STEPS = {
    "q": "bld,dhk->blhk",
    "k": "bld,dhk->blhk",
    "v": "bld,dhk->blhk",
    "mixed": "bhlm,bmhk->blhk",
    "out": "blhk,hkd->bld",
}


def heavy_bodies() -> list[bytes]:
    """Puzzle 32 with a ``scores`` step that is an outer product just under the work limit, in every
    order of its output axes (5,040 distinct answers)."""
    return [
        json.dumps({"puzzle": 32, "steps": {**HEAVY_STEPS, "scores": "blhk,enhp->" + "".join(order)}}).encode()
        for order in itertools.permutations("blhkenp")
    ]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def start_server(home: Path) -> tuple[subprocess.Popen[bytes], str]:
    port = free_port()
    cli = Path(sys.executable).with_name("einsum-puzzles")
    env = {**os.environ, "EINSUM_PUZZLES_HOME": str(home)}
    server = subprocess.Popen(
        [str(cli), "serve", "--host", "127.0.0.1", "--port", str(port)],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    base = f"http://127.0.0.1:{port}"
    for _ in range(300):
        try:
            with urllib.request.urlopen(base + "/healthz", timeout=1):
                return server, base
        except OSError:
            time.sleep(0.05)
    server.kill()
    raise RuntimeError("the server did not start")


def load(base: str, clients: int = 32, seconds: float = 5.0) -> dict[str, Any]:
    """Run the heavy clients and the probe for ``seconds``; the probe's latencies and the statuses."""
    host, port = base.removeprefix("http://").split(":")
    bodies = heavy_bodies()
    stop = threading.Event()
    statuses: Counter[int] = Counter()
    lock = threading.Lock()
    counter = itertools.count()

    def heavy() -> None:
        connection = http.client.HTTPConnection(host, int(port), timeout=60)
        while not stop.is_set():
            body = bodies[next(counter) % len(bodies)]
            try:
                connection.request("POST", "/api/check", body, {"content-type": "application/json"})
                response = connection.getresponse()
                response.read()
                status = response.status
            except OSError:
                status = 0
                connection.close()
                connection = http.client.HTTPConnection(host, int(port), timeout=60)
            with lock:
                statuses[status] += 1
        connection.close()

    latencies: list[float] = []
    probe_statuses: Counter[int] = Counter()

    def probe() -> None:
        connection = http.client.HTTPConnection(host, int(port), timeout=60)
        while not stop.is_set():
            started = time.perf_counter()
            connection.request("GET", "/healthz")
            response = connection.getresponse()
            response.read()
            latencies.append(time.perf_counter() - started)
            probe_statuses[response.status] += 1
            time.sleep(0.02)
        connection.close()

    threads = [threading.Thread(target=heavy) for _ in range(clients)]
    for thread in threads:
        thread.start()
    if clients:
        time.sleep(min(1.0, seconds / 4))  # the heavy clients are all busy before the probe starts
    prober = threading.Thread(target=probe)
    prober.start()
    time.sleep(seconds)
    stop.set()
    prober.join()
    for thread in threads:
        thread.join()
    ordered = sorted(latencies)
    return {
        "probes": len(ordered),
        "p50": statistics.median(ordered),
        "p95": ordered[max(0, int(len(ordered) * 0.95) - 1)],
        "max": ordered[-1],
        "probe_statuses": dict(probe_statuses),
        "heavy_statuses": dict(statuses),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clients", type=int, default=32)
    parser.add_argument("--seconds", type=float, default=5.0)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as home:
        server, base = start_server(Path(home))
        try:
            idle = load(base, 0, min(2.0, args.seconds))  # the baseline: the same probe with no load
            result = load(base, args.clients, args.seconds)
        finally:
            server.terminate()
            server.wait(timeout=10)
    print(f"{args.clients} heavy clients for {args.seconds:g} s; heavy answers by status: {result['heavy_statuses']}")
    print(
        f"/healthz: {result['probes']} probes, p50 {result['p50'] * 1000:.1f} ms, p95 {result['p95'] * 1000:.1f} ms, "
        f"max {result['max'] * 1000:.1f} ms (goal: p95 < 100 ms), statuses {result['probe_statuses']}"
    )
    print(
        f"baseline without load: p95 {idle['p95'] * 1000:.1f} ms; "
        f"ratio loaded/idle p95: {result['p95'] / max(idle['p95'], 1e-6):.1f}"
    )


if __name__ == "__main__":
    main()
