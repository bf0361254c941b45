"""``python -m bosun.targets.local.worker REQUEST.json``: one run submitted by the local target,
executed detached from the reconcile that started it (``--no-wait`` returns; the run goes on).
Its steps run in the checkout of the run's commit. The worker holds ``<run>.lock`` for its life:
the target reads liveness from it, and a second worker of the same run exits at once."""

from __future__ import annotations

import fcntl
import json
import os
import sys
from pathlib import Path

from bosun.targets.local import errors, progress, records, runtime


def main(argv: list[str]) -> int:
    request = json.loads(Path(argv[0]).read_text(encoding="utf-8"))
    state_dir = Path(request["stateDir"])
    held = os.open(Path(argv[0]).with_suffix(".lock"), os.O_RDWR | os.O_CREAT, 0o644)
    fcntl.flock(held, fcntl.LOCK_EX)  # a second worker of the run waits for the first, then
    if (records.run_dir(state_dir, request["name"]) / records.STATUS).exists():
        return 0  # it ran already: a run is never executed twice
    log = (state_dir / "local" / request["env"] / "runs" / f"{request['name']}.log").open(
        "a", encoding="utf-8"
    )
    try:
        result = runtime.run(
            request["objects"],
            options=runtime.Options(
                state_dir=state_dir,
                repo_root=Path(request["checkout"]),
                run_name=request["name"],
                parameters={"bosun-tracking-uri": request["trackingUri"]},
                display=progress.Plain(log),
                record=request["record"],
            ),
        )
    except errors.LocalRuntimeError as error:
        directory = records.run_dir(state_dir, request["name"])
        directory.mkdir(parents=True, exist_ok=True)
        failed = {"workflow": request["name"], "phase": "Error", "message": str(error), "nodes": {}}
        records.write_json(directory / records.STATUS, failed)
        log.write(f"run {request['name']} could not start: {error}\n")
        return 1
    finally:
        log.close()
    return 0 if result.succeeded else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
