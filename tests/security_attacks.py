"""Hostile solutions for the code puzzles, and a runner that checks them through one entry point.

``python tests/security_attacks.py MODE WORKDIR`` checks every attack through MODE (``cli``: the
command's ``main``; ``api``: ``ep.check(31, source)``; ``notebook``: ``jupyter.check(31, head)`` with
the function imported from a module) and writes ``WORKDIR/results.json``: per attack the verdict, the
seconds the check took, and at the end this process's peak RSS. Each attack tries to leave a file in
``WORKDIR/outside`` (outside the sandbox's folder) or a process whose command line holds its token.

Every attack passes the puzzle's syntax rules (they are teaching rules, not the boundary), so each
one reaches the sandbox.
"""

from __future__ import annotations

import contextlib
import io
import json
import os
import resource
import sys
import time
from pathlib import Path

HEADER = "import numpy as np\n\n\ndef head(x, w_q, w_k, w_v, mask):\n    from numpy.f2py import os\n\n"
RETURN = '    return np.einsum("bld,dk->blk", x, w_v)\n'


def attacks(outside: Path, port: int, secret_file: Path) -> dict[str, str]:
    """name -> body of head() (indented four spaces)."""
    o = str(outside)
    bodies = {
        # --- writing outside the sandbox's folder, by the routes the syntax rules do not see ---------
        "os_system": f'    os.system("touch {o}/os_system; echo pwned > {o}/os_system2")\n',
        "builtins_import": (
            "    b = __builtins__\n"
            "    imp = b['__imp' + 'ort__'] if isinstance(b, dict) else b.__dict__['__imp' + 'ort__']\n"
            f"    imp('subprocess').run(['touch', '{o}/builtins_import'])\n"
        ),
        "subclasses": (
            "    for cls in ().__class__.__base__.__subclasses__():\n"
            "        if cls.__name__ == 'Popen':\n"
            f"            cls(['touch', '{o}/subclasses']).wait()\n"
        ),
        "function_globals": (
            "    g = (lambda: 0).__globals__['__builtins__']\n"
            "    opener = g['open'] if isinstance(g, dict) else g.__dict__['open']\n"
            f"    opener('{o}/function_globals', 'w').write('pwned')\n"
        ),
        "ctypes_libc": (
            "    libc = np.ctypeslib.load_library('libc.so.6', '/usr/lib/x86_64-linux-gnu')\n"
            f"    libc.system(b'touch {o}/ctypes_libc')\n"
        ),
        "np_save": f"    np.save('{o}/np_save.npy', x)\n",
        "tofile": f"    x.tofile('{o}/tofile')\n",
        "savetxt": f"    np.savetxt('{o}/savetxt', x[0])\n",
        "open_memmap": f"    np.lib.format.open_memmap('{o}/open_memmap.npy', mode='w+', shape=(3,))\n",
        "testing_os": f"    np.testing._private.utils.os.system('touch {o}/testing_os')\n",
        "home_write": "    os.system('touch ~/einsum-puzzles-pwned; touch /tmp/einsum-puzzles-pwned')\n",
        # --- processes that outlive the check -------------------------------------------------------
        "fork_setsid": (
            "    if os.fork() == 0:\n"
            "        os.setsid()\n"
            "        if os.fork() == 0:\n"
            "            os.execv('/bin/sleep', ['sleep', 'TOKEN'])\n"
            "        os._exit(0)\n"
        ),
        "fork_bomb": (
            "    for _ in range(200):\n"
            "        try:\n"
            "            if os.fork() == 0:\n"
            "                os.setsid()\n"
            "                os.execv('/bin/sleep', ['sleep', 'TOKEN'])\n"
            "        except OSError:\n"
            "            break\n"
        ),
        "kill_parent": "    os.kill(os.getppid(), 9)\n    os.kill(1, 9)\n",
        # a new session, then the death of the supervisor: neither its process group nor the subreaper
        # finds the sleeper any more (what kept it alive in the fallback before the mark of marker.py)
        "setsid_kill_supervisor": (
            "    child = os.fork()\n"
            "    if child == 0:\n"
            "        os.setsid()\n"
            "        if os.fork() == 0:\n"
            "            os.execv('/bin/sleep', ['sleep', 'TOKEN'])\n"
            "        os._exit(0)\n"
            "    os.waitpid(child, 0)\n"
            "    os.kill(os.getppid(), 9)\n"
        ),
        # the same, with the mark's two hard limits lowered as far as they go
        "lowered_mark": (
            "    b = __builtins__\n"
            "    imp = b['__imp' + 'ort__'] if isinstance(b, dict) else b.__dict__['__imp' + 'ort__']\n"
            "    resource = imp('resource')\n"
            "    child = os.fork()\n"
            "    if child == 0:\n"
            "        os.setsid()\n"
            "        if os.fork() == 0:\n"
            "            for limit in (10, resource.RLIMIT_RTTIME):\n"
            "                resource.setrlimit(limit, (0, 0))\n"
            "            os.execv('/bin/sleep', ['sleep', 'TOKEN'])\n"
            "        os._exit(0)\n"
            "    os.waitpid(child, 0)\n"
            "    os.kill(os.getppid(), 9)\n"
        ),
        # --- the parent must not trust what the child leaves ----------------------------------------
        "stdout_flood": "    while True:\n        print('x' * 1_000_000)\n",
        "stderr_flood": "    while True:\n        os.write(2, b'\\x1b[2J' * 100_000)\n",
        "fifo_result": "    os.mkfifo(OUT + '/result.json')\n    os._exit(0)\n",
        "symlink_zero": "    os.symlink('/dev/zero', OUT + '/result.json')\n    os._exit(0)\n",
        "symlink_outputs": (
            '    RESULT(\'result.json\', b\'{"status": "ok", "shapes": [[9], [9], [9]]}\')\n'
            "    os.symlink('/dev/zero', OUT + '/outputs.f64')\n"
            "    os._exit(0)\n"
        ),
        "malformed_json": "    RESULT('result.json', b'{\"status\": ')\n    os._exit(0)\n",
        "deep_json": "    RESULT('result.json', b'[' * 200_000)\n    os._exit(0)\n",
        "wrong_schema": ('    RESULT(\'result.json\', b\'{"status": "ok", "shapes": [[1e9]]}\')\n    os._exit(0)\n'),
        "missing_outputs": (
            '    RESULT(\'result.json\', b\'{"status": "ok", "shapes": [[1], [1], [1]]}\')\n    os._exit(0)\n'
        ),
        "huge_output": "    return np.zeros((3000, 3000))\n",
        "control_chars": "    raise ValueError('\\x1b]0;owned\\x07\\x1b[2J\\x1b[31mred\\r\\x08')\n",
        "chmod_trap": (
            "    os.makedirs('trap/inner')\n"
            "    WRITE('trap/inner/f', b'x')\n"
            "    os.chmod('trap/inner', 0)\n"
            "    os.chmod('trap', 0)\n"
        ),
        "big_file": "    while True:\n        WRITE('big', b'0' * 1_000_000)\n",
        # many files, each under the file-size limit: 400 MB in all, in the working folder, HOME and TMPDIR
        "fill_disk": (
            "    for i in range(100):\n"
            "        folder = ('.', os.environ['HOME'], os.environ['TMPDIR'])[i % 3]\n"
            "        WRITE(f'{folder}/fill-TOKEN-{i}', b'0' * 4_000_000)\n"
        ),
        # --- what the child can learn or reach -------------------------------------------------------
        "environment": "    raise RuntimeError(repr(dict(os.environ)))\n",
        "read_secret": (
            "    b = __builtins__\n"
            "    opener = b['open'] if isinstance(b, dict) else b.__dict__['open']\n"
            f"    raise RuntimeError(opener('{secret_file}').read())\n"
        ),
        "network": (
            "    b = __builtins__\n"
            "    imp = b['__imp' + 'ort__'] if isinstance(b, dict) else b.__dict__['__imp' + 'ort__']\n"
            f"    imp('socket').create_connection(('127.0.0.1', {port}), timeout=2).sendall(b'pwned')\n"
        ),
        "user_namespace": (
            "    libc = np.ctypeslib.ctypes.CDLL(None)\n"
            "    raise RuntimeError(f'unshare={libc.unshare(0x10000000)} shell={os.system(\"unshare -U -r true\")}')\n"
        ),
        "uid": "    raise RuntimeError(f'uid={os.getuid()} euid={os.geteuid()}')\n",
        "memory": "    x = np.ones(10**11)\n",
        "infinite_loop": "    while True:\n        pass\n",
    }
    return {name: HEADER + _helpers(body).replace("TOKEN", token(name)) + RETURN for name, body in bodies.items()}


def _helpers(body: str) -> str:
    """``WRITE(name, data)``: append to a file through ``os`` (``open`` is what the rules look for);
    ``OUT``: the folder the runner writes its result to (``/job/out`` under bubblewrap, where only the
    two result files can be written, the working folder without); ``RESULT(name, data)``: overwrite a
    file there."""
    helpers = ""
    if "OUT" in body or "RESULT(" in body:
        helpers += (
            "    b_ = __builtins__\n"
            "    imp_ = b_['__imp' + 'ort__'] if isinstance(b_, dict) else b_.__dict__['__imp' + 'ort__']\n"
            "    OUT = imp_('sys').argv[2]\n"
        )
    if "RESULT(" in body:
        flags = "os.O_WRONLY | os.O_CREAT | os.O_TRUNC"
        opener = "os.__dict__['op' + 'en']"
        helpers += f"    RESULT = lambda name, data: os.write({opener}(OUT + '/' + name, {flags}), data)\n"
    if "WRITE(" in body:
        flags = "os.O_WRONLY | os.O_CREAT | os.O_APPEND"
        helpers += f"    WRITE = lambda name, data: os.write(os.__dict__['op' + 'en'](name, {flags}), data)\n"
    return helpers + body


def token(name: str) -> str:
    """A distinctive argument for ``sleep`` so that survivors can be found in /proc."""
    return f"{7000 + sum(map(ord, name)) % 997}.{os.getpid() % 10000:04d}{len(name):02d}"


class Stamped(io.StringIO):
    """Standard output that notes when it was first written to."""

    first = 0.0

    def write(self, text: str) -> int:
        if not self.first:
            self.first = time.monotonic()
        return super().write(text)


def peak_rss() -> int:
    """This process's peak resident set in bytes: ``VmHWM``, which belongs to this program alone
    (``ru_maxrss`` also counts the memory of the process that forked us, before ``exec``)."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) * 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024


def run_all(mode: str, work: Path) -> None:
    import einsum_puzzles as ep
    from einsum_puzzles import jupyter
    from einsum_puzzles.cli import main

    spec = json.loads((work / "spec.json").read_text())
    sources: dict[str, str] = spec["sources"]
    results: dict[str, dict[str, object]] = {}
    sys.path.insert(0, str(work))
    for name, source in sources.items():
        path = work / f"attack_{name}.py"
        path.write_text(source, encoding="utf-8")
        started = time.monotonic()
        if mode == "cli":
            buffer = Stamped()
            with contextlib.redirect_stdout(buffer):
                code = main(["check", "31", str(path), "--json"])
            verdict = json.loads(buffer.getvalue())
            verdict["exit"] = code
            verdict["seconds"] = buffer.first - started  # when the verdict was printed (saving comes after)
        elif mode == "api":
            verdict = ep.check(31, source).to_dict()
        else:
            module = __import__(f"attack_{name}")
            verdict = jupyter.check(31, module.head).to_dict()
        verdict.setdefault("seconds", time.monotonic() - started)
        results[name] = verdict
    leftovers = [p.name for p in Path(spec["tmp"]).glob(f"einsum-puzzles-{os.getpid()}-*")]
    peak = peak_rss()
    (work / "results.json").write_text(json.dumps({"results": results, "peak_rss": peak, "leftovers": leftovers}))


if __name__ == "__main__":
    run_all(sys.argv[1], Path(sys.argv[2]))
