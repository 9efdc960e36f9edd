"""Runs a learner's function in a child process: ``python -I sandbox.py FOLDER``.

Standalone on purpose (it imports only numpy and the standard library): the folder holds
``solution.py``, ``inputs.npz`` and ``job.json``; this writes ``outputs.npz`` and ``result.json``.
Limits on memory and CPU time are set before the learner's code is read.
"""

import json
import resource
import sys
import traceback
from pathlib import Path
from typing import Any


def main(folder: str) -> None:
    base = Path(folder)
    job = json.loads((base / "job.json").read_text(encoding="utf-8"))
    resource.setrlimit(resource.RLIMIT_AS, (job["memory"], job["memory"]))
    resource.setrlimit(resource.RLIMIT_CPU, (job["cpu"], job["cpu"]))
    import numpy as np

    watch = _load_watch(base)  # the einsum-only rule at run time (grading/watch.py), before the learner's code
    with np.load(base / "inputs.npz", allow_pickle=False) as data:
        trials = [[data[f"t{t}_{i}"] for i in range(job["arity"])] for t in range(job["trials"])]
    source = (base / "solution.py").read_text(encoding="utf-8")
    namespace: dict[str, object] = {"__name__": "solution"}
    outputs: dict[str, object] = {}
    try:
        exec(compile(source, "your code", "exec"), namespace)
        function = namespace.get(job["function"])
        if not callable(function):
            raise NameError(f"your code does not define {job['function']}()")
        for number, inputs in enumerate(trials):
            result = function(*(watch.wrap(a) for a in inputs) if watch else inputs)
            try:
                outputs[f"out{number}"] = np.asarray(result, dtype=float)
            except (TypeError, ValueError):
                raise TypeError(f"{job['function']}() returned {type(result).__name__}, not an array") from None
    except BaseException as error:  # everything the learner's code raises is reported, not re-raised
        frames = [frame for frame in traceback.extract_tb(error.__traceback__) if frame.filename == "your code"]
        source_lines = source.splitlines()
        lines = [
            f"  line {frame.lineno}, in {frame.name}: {source_lines[frame.lineno - 1].strip()}"
            for frame in frames
            if frame.lineno and 0 < frame.lineno <= len(source_lines)
        ]
        message = f"{type(error).__name__}: {error}"
        if isinstance(error, MemoryError):
            message = "MemoryError: your code used more memory than the checker allows"
        write(base, {"status": "error", "message": message, "details": lines, "watch": _report(watch)})
        return
    np.savez(base / "outputs.npz", **outputs)  # type: ignore[arg-type]
    write(base, {"status": "ok", "watch": _report(watch)})


def _load_watch(base: Path) -> Any:
    path = base / "watch.py"
    if not path.is_file():
        return None
    import importlib.util

    spec = importlib.util.spec_from_file_location("einsum_puzzles_watch", path)
    if spec is None or spec.loader is None:
        return None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    module.install()
    return module


def _report(watch: Any) -> Any:
    return watch.report() if watch is not None else None


def write(base: Path, result: dict[str, object]) -> None:
    (base / "result.json").write_text(json.dumps(result), encoding="utf-8")


if __name__ == "__main__":
    main(sys.argv[1])
