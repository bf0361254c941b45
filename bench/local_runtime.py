"""Local runtime overhead, against floors measured in the same run.

1. A chain of 50 trivial steps (``python -c pass``) against a bare ``subprocess.run`` loop of
   the same commands: the per-step overhead of the runtime (goal: <= 25 ms) and the ratio.
2. 8 parallel 1-second steps under parallelism 2: ideally 4 s (4 waves of 2); the figure and its
   ratio to 4 s.

Usage: .venv/bin/python bench/local_runtime.py [--steps 50] [--repeat 3]
"""

from __future__ import annotations

import argparse
import io
import pathlib
import statistics
import subprocess
import sys
import tempfile
import time
from typing import Any

from bosun.targets.local import progress, runtime

TRIVIAL = ["python", "-c", "pass"]
NO_CACHE = {"annotations": {"bosun.dev/cache": "false"}}


def _step(name: str, argv: list[str]) -> dict[str, Any]:
    return {
        "name": name,
        "metadata": NO_CACHE,
        "container": {"image": "python:3.11", "command": argv, "workingDir": "/workspace"},
    }


def _workflow(tasks: list[dict[str, Any]], templates: list[dict[str, Any]], **spec: Any) -> Any:
    return {
        "apiVersion": "argoproj.io/v1alpha1",
        "kind": "Workflow",
        "metadata": {"name": "bench", "namespace": "bench"},
        "spec": {
            "entrypoint": "main",
            "templates": [{"name": "main", "dag": {"tasks": tasks}}, *templates],
            **spec,
        },
    }


def chain(steps: int) -> Any:
    tasks = [
        {"name": f"s{i}", "template": "trivial", **({"depends": f"s{i - 1}"} if i else {})}
        for i in range(steps)
    ]
    return _workflow(tasks, [_step("trivial", TRIVIAL)])


def fan_out(width: int, seconds: float, parallelism: int) -> Any:
    sleep = ["python", "-c", f"import time; time.sleep({seconds})"]
    tasks = [{"name": "fan", "template": "sleep", "withItems": list(range(width))}]
    return _workflow(tasks, [_step("sleep", sleep)], parallelism=parallelism)


def run_once(objects: Any, state: pathlib.Path, name: str) -> float:
    started = time.perf_counter()
    result = runtime.run(
        [objects],
        options=runtime.Options(
            state_dir=state,
            repo_root=state.parent,
            run_name=name,
            display=progress.Plain(io.StringIO()),
        ),
    )
    elapsed = time.perf_counter() - started
    if not result.succeeded:
        sys.exit(f"benchmark run {name} did not succeed: {result.phase}")
    return elapsed


def bare_loop(steps: int, cwd: pathlib.Path) -> float:
    env = runtime.base_env({"PATH": "/usr/bin:/bin", "HOME": str(cwd)})
    started = time.perf_counter()
    for _ in range(steps):
        subprocess.run(TRIVIAL, cwd=cwd, env=env, check=True)
    return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--steps", type=int, default=50)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="bosun-bench-") as tmp:
        state = pathlib.Path(tmp) / "state"
        runs, floors = [], []
        for i in range(args.repeat):  # interleaved, so that load changes hit both alike
            floors.append(bare_loop(args.steps, pathlib.Path(tmp)))
            runs.append(run_once(chain(args.steps), state, f"chain-{i}"))
        ran, floor = statistics.median(runs), statistics.median(floors)
        per_step = (ran - floor) / args.steps * 1000
        print(f"chain of {args.steps} trivial steps (median of {args.repeat}):")
        print(f"  local runtime          {ran:7.3f} s")
        print(f"  bare subprocess.run    {floor:7.3f} s   (floor)")
        print(f"  overhead per step      {per_step:7.1f} ms  (goal <= 25 ms)")
        print(f"  ratio to floor         {ran / floor:7.2f}x")

        fan = run_once(fan_out(8, 1.0, 2), state, "fan")
        print("8 parallel 1-second steps under parallelism 2:")
        print(f"  local runtime          {fan:7.3f} s")
        print("  ideal                    4.000 s   (floor: 4 waves of 2)")
        print(f"  ratio to ideal         {fan / 4.0:7.2f}x")


if __name__ == "__main__":
    main()
