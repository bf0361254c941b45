"""The step cache (a step whose inputs match an earlier success is restored, not run) and
``--resume`` (a failed run continues in place, reusing what succeeded), with real processes."""

from __future__ import annotations

import pathlib

import pytest
from argo_builders import (
    LOGS,
    OUT,
    container,
    dag,
    log_of,
    node,
    out_artifact,
    out_param,
    params,
    run,
    task,
    workflow,
)
from bosun.targets.local import errors

PRODUCE = """
import pathlib, sys
ran, out, word = pathlib.Path(sys.argv[1]), sys.argv[2], sys.argv[3]
with ran.open('a') as f:
    f.write('produce\\n')
pathlib.Path(out, 'data').write_text(word.upper())
pathlib.Path(out, 'n').write_text(str(len(word)))
"""
CONSUME = """
import pathlib, sys
ran, data, name = pathlib.Path(sys.argv[1]), sys.argv[2], sys.argv[3]
with ran.open('a') as f:
    f.write(name + '\\n')
"""


def _workflow(ran: pathlib.Path, word: str) -> dict:
    produce = container(
        "produce",
        PRODUCE,
        str(ran),
        OUT,
        word,
        env={
            "MLFLOW_RUN_ID": "{{workflow.parameters.run-id}}",
            "BOSUN_WORKFLOW": "{{workflow.name}}",
        },
        outputs={"parameters": [out_param("n")], "artifacts": [out_artifact("data")]},
    )
    inputs = {"artifacts": [{"name": "data", "path": "/tmp/bosun/inputs/data"}], **params("name")}
    consume = container(
        "consume",
        CONSUME,
        str(ran),
        "/tmp/bosun/inputs/data",
        "{{inputs.parameters.name}}",
        inputs=inputs,
    )
    uncached = {
        **consume,
        "name": "uncached",
        "metadata": {"annotations": {"bosun.dev/cache": "false"}},
    }
    data = {"data": "{{tasks.produce.outputs.artifacts.data}}"}
    main = dag(
        "main",
        [
            task("produce", "produce"),
            task("consume", "consume", "produce", parameters={"name": "consume"}, artifacts=data),
            task("always", "uncached", "produce", parameters={"name": "always"}, artifacts=data),
        ],
    )
    return workflow([main, produce, consume, uncached], arguments={"run-id": "0"})


def test_identical_steps_are_restored_from_the_cache_unless_they_opt_out(
    tmp_path: pathlib.Path,
) -> None:
    ran, state = tmp_path / "ran.txt", tmp_path / "state"
    first = run(state, [_workflow(ran, "wine")], "first", parameters={"run-id": "1"})
    second = run(state, [_workflow(ran, "wine")], "second", parameters={"run-id": "2"})

    assert first.phase == second.phase == "Succeeded"
    assert sorted(second.nodes("cached")) == ["consume", "produce"]
    assert sorted(ran.read_text().split()) == ["always", "always", "consume", "produce"]
    restored = node(second, "produce")
    assert restored["outputs"]["parameters"] == {"n": "4"}
    assert (second.run_dir / restored["outputs"]["artifacts"]["data"]["path"]).read_text() == "WINE"
    assert "cached   produce" in LOGS["second"]
    assert node(first, "produce")["key"] == restored["key"], "per-run env is not in the key"
    # the records tell the truth: no process ran, and where the outputs came from
    assert (restored["attempts"], restored["exitCode"]) == (0, None)
    assert restored["cachedFrom"] == {"run": "first", "node": "produce"}
    assert node(second, "consume")["cachedFrom"] == {"run": "first", "node": "consume"}
    log = log_of(second, "produce")
    assert log.count("\n") == 1 and "not run" in log and "run first node produce" in log
    assert (node(first, "produce")["attempts"], node(first, "produce")["exitCode"]) == (1, 0)
    assert "cachedFrom" not in node(first, "produce")


def test_the_key_follows_content_not_names(tmp_path: pathlib.Path) -> None:
    ran, state = tmp_path / "ran.txt", tmp_path / "state"
    run(state, [_workflow(ran, "wine")], "first")
    changed = run(state, [_workflow(ran, "WINE")], "changed")

    assert changed.nodes("cached") == ["consume"], "new argv reruns; same output, same input"
    assert ran.read_text().count("produce") == 2


SCRIPT = "import pathlib, sys; pathlib.Path(sys.argv[1]).open('a').write('run\\n')"


def test_the_key_covers_the_script_that_argv_names(tmp_path: pathlib.Path) -> None:
    ran, state, script = tmp_path / "ran.txt", tmp_path / "state", tmp_path / "step.py"
    script.write_text(SCRIPT)
    step = container("s", "", str(ran))
    step["container"]["command"] = ["python", "step.py"]
    wf = workflow([dag("main", [task("s", "s")]), step])

    run(state, [wf], "one")
    assert run(state, [wf], "two").nodes("cached") == ["s"]
    script.write_text(SCRIPT + "\n# changed\n")
    assert run(state, [wf], "three").nodes("cached") == []
    assert ran.read_text().split() == ["run", "run"]


FAIL_IF = """
import pathlib, sys
ran, switch, out = pathlib.Path(sys.argv[1]), pathlib.Path(sys.argv[2]), sys.argv[3]
ran.open('a').write('b\\n')
sys.exit(1 if switch.exists() else 0)
"""
RECORD = "import pathlib, sys; pathlib.Path(sys.argv[1]).open('a').write(sys.argv[2] + '\\n')"


def test_resume_reuses_what_succeeded_and_reruns_the_rest(tmp_path: pathlib.Path) -> None:
    ran, switch, state = tmp_path / "ran.txt", tmp_path / "fail", tmp_path / "state"
    switch.touch()
    a = container(
        "a", RECORD, str(ran), "a", metadata={"annotations": {"bosun.dev/cache": "false"}}
    )
    b = container("b", FAIL_IF, str(ran), str(switch), OUT)
    c = container("c", RECORD, str(ran), "c")
    report = container("report", RECORD, str(ran), "exit:{{workflow.status}}")
    main = dag("main", [task("a", "a"), task("b", "b", "a"), task("c", "c", "b")])
    wf = workflow([main, a, b, c, report], onExit="report")

    failed = run(state, [wf], "r")
    assert failed.phase == "Failed" and node(failed, "c")["phase"] == "Omitted"
    switch.unlink()
    resumed = run(state, [wf], "r", resume=True)

    assert resumed.phase == "Succeeded"
    assert resumed.nodes("reused") == ["a"]
    reused = node(resumed, "a")
    assert (reused["attempts"], reused["exitCode"]) == (1, 0), "the earlier invocation's"
    assert "attempt 1 at" in log_of(resumed, "a")
    assert ran.read_text().split() == ["a", "b", "exit:Failed", "b", "c", "exit:Succeeded"]
    assert resumed.status["resumes"] == 1
    assert resumed.status["uid"] == failed.status["uid"]
    with pytest.raises(errors.LocalRuntimeError, match="nothing to resume"):
        run(state, [wf], "r", resume=True)
