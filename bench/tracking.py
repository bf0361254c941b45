"""MLflow system steps and the demo run, against floors measured in the same run.

1. ``python -m bosun.tracking.steps --help`` against ``python -c pass``: what answering without
   MLflow costs.
2. A real verb (``start-workflow`` on an existing sqlite store, i.e. a retry: connect, search,
   write the output) against ``python -c "import mlflow"``: how much a verb adds to MLflow's own
   import.
3. With ``--demo``: ``bosun run wine-rf --env dev`` in a fresh state directory (cold step cache),
   its wall time and CPU, against the import floor: (processes that ran) x (import mlflow) / 2
   cores, the part no implementation that starts a Python process with MLflow per step avoids.

Usage: .venv/bin/python bench/tracking.py [--repeat 3] [--demo]
"""

from __future__ import annotations

import argparse
import json
import os
import pathlib
import resource
import statistics
import subprocess
import sys
import tempfile
import time

REPO = pathlib.Path(__file__).resolve().parents[1]
PY = sys.executable
CORES = 2


def timed(argv: list[str], *, env: dict[str, str] | None = None, repeat: int) -> float:
    """Median wall seconds of ``repeat`` runs (each must exit 0)."""
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        subprocess.run(argv, env=env, cwd=REPO, check=True, capture_output=True)
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def step_env(state: pathlib.Path) -> dict[str, str]:
    return {
        **os.environ,
        "MLFLOW_TRACKING_URI": f"sqlite:///{state / 'mlflow.db'}",
        "MLFLOW_EXPERIMENT_NAME": "bench/tracking",
        "BOSUN_WORKFLOW": "bench-00000",
        "BOSUN_OUTPUTS": str(state / "out"),
        "BOSUN_ENVIRONMENT": "dev",
        "BOSUN_TEAM": "bench",
        "BOSUN_EXPERIMENT": "tracking",
        "BOSUN_GIT_COMMIT": "0" * 40,
        "BOSUN_GIT_BRANCH": "main",
    }


def verbs(repeat: int) -> float:
    steps = [PY, "-m", "bosun.tracking.steps"]
    bare = timed([PY, "-c", "pass"], repeat=repeat)
    helps = timed([*steps, "--help"], repeat=repeat)
    print(f"steps --help:        {helps * 1000:7.0f} ms   python -c pass {bare * 1000:5.0f} ms"
          f"   ratio {helps / bare:5.2f}")  # fmt: skip
    with tempfile.TemporaryDirectory(prefix="bosun-bench-") as tmp:
        env = step_env(pathlib.Path(tmp))
        subprocess.run([*steps, "start-workflow"], env=env, check=True, capture_output=True)
        verb = timed([*steps, "start-workflow"], env=env, repeat=repeat)
    floor = timed([PY, "-c", "import mlflow"], repeat=repeat)
    print(f"start-workflow:      {verb:7.2f} s    import mlflow  {floor:5.2f} s "
          f"  ratio {verb / floor:5.2f}")  # fmt: skip
    return floor


def demo(import_floor: float) -> None:
    with tempfile.TemporaryDirectory(prefix="bosun-bench-demo-") as tmp:
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        start = time.perf_counter()
        subprocess.run(
            [str(pathlib.Path(PY).with_name("bosun")), "run", "wine-rf", "--env", "dev",
             "--state-dir", tmp, "--format", "json"],
            cwd=REPO, check=True, capture_output=True,
        )  # fmt: skip
        wall = time.perf_counter() - start
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        status = json.loads(next(pathlib.Path(tmp, "runs").glob("*/status.json")).read_text())
    ran = [
        node
        for node in status["nodes"].values()
        if node.get("type") == "Container" and not node.get("cached") and not node.get("reused")
    ]
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    floor = len(ran) * import_floor / CORES
    print(f"bosun run wine-rf:   {wall:7.1f} s    CPU {cpu:.1f} s, {len(ran)} step processes")
    print(f"  import floor:      {floor:7.1f} s    ({len(ran)} x import mlflow / {CORES} cores)"
          f"   ratio {wall / floor:5.2f}")  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--demo", action="store_true", help="also time bosun run wine-rf (~1 min)")
    args = parser.parse_args()
    floor = verbs(args.repeat)
    if args.demo:
        demo(floor)


if __name__ == "__main__":
    main()
