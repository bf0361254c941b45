"""The local runtime on hand-written Argo workflows with real subprocesses: DAG order, values and
artifacts flowing between steps (through a templateRef'd WorkflowTemplate, as rendered), argv
safety, the parallelism bounds, fail-fast, secrets, semaphores, and refusing what it cannot run."""

from __future__ import annotations

import json
import os
import pathlib
import threading

import pytest
from argo_builders import (
    LOGS,
    OUT,
    container,
    dag,
    max_overlap,
    node,
    out_artifact,
    out_param,
    params,
    run,
    task,
    times,
    workflow,
    workflow_template,
)
from bosun.targets.local import errors

APPEND = "import sys; open(sys.argv[1], 'a').write(sys.argv[2] + '\\n')"
SLEEP = "import sys, time; time.sleep(float(sys.argv[1]))"


def test_tasks_start_only_after_what_they_depend_on(tmp_path: pathlib.Path) -> None:
    order = tmp_path / "order.txt"
    step = container(
        "append", APPEND, str(order), "{{inputs.parameters.name}}", inputs=params("name")
    )
    diamond = dag(
        "main",
        [
            task("d", "append", "b && c", parameters={"name": "d"}),
            task("b", "append", "a", parameters={"name": "b"}),
            task("c", "append", "a.Succeeded", parameters={"name": "c"}),
            task("a", "append", parameters={"name": "a"}),
        ],
    )
    result = run(tmp_path / "state", [workflow([diamond, step])])

    assert result.phase == "Succeeded"
    lines = order.read_text().split()
    assert lines[0] == "a" and lines[-1] == "d" and sorted(lines[1:3]) == ["b", "c"]
    a, b, c, d = (times(node(result, n)) for n in "abcd")
    assert b[0] >= a[1] and c[0] >= a[1]
    assert d[0] >= max(b[1], c[1])


PRODUCE = """
import os, sys
out = sys.argv[1]
os.makedirs(out + '/data/sub')
open(out + '/data/sub/x.txt', 'w').write('payload')
open(out + '/count', 'w').write('  42\\n')
"""
CONSUME = """
import json, os, sys
count, data, result = sys.argv[1], sys.argv[2], sys.argv[3]
payload = open(os.path.join(data, 'sub', 'x.txt')).read()
open(result, 'w').write(json.dumps([count, payload]))
"""


def _pipeline() -> dict:
    """A WorkflowTemplate like a rendered Pipeline: main DAG outputs named <step>-<output>."""
    produce = container(
        "produce",
        PRODUCE,
        OUT,
        outputs={"parameters": [out_param("count")], "artifacts": [out_artifact("data")]},
    )
    consume = container(
        "consume",
        CONSUME,
        "{{inputs.parameters.count}}",
        "/tmp/bosun/inputs/data",
        f"{OUT}/seen",
        inputs={
            "parameters": [{"name": "count"}],
            "artifacts": [{"name": "data", "path": "/tmp/bosun/inputs/data"}],
        },
        outputs={"parameters": [out_param("seen")]},
    )
    main = dag(
        "main",
        [
            task("produce", "produce"),
            task(
                "consume",
                "consume",
                "produce",
                parameters={"count": "{{tasks.produce.outputs.parameters.count}}"},
                artifacts={"data": "{{tasks.produce.outputs.artifacts.data}}"},
            ),
        ],
        outputs={
            "parameters": [
                {
                    "name": "consume-seen",
                    "valueFrom": {"parameter": "{{tasks.consume.outputs.parameters.seen}}"},
                }
            ],
            "artifacts": [
                {"name": "produce-data", "from": "{{tasks.produce.outputs.artifacts.data}}"}
            ],
        },
    )
    return workflow_template("pipe", [main, produce, consume])


def test_output_parameters_and_artifacts_flow_downstream_through_a_templateref(
    tmp_path: pathlib.Path,
) -> None:
    check = container(
        "check",
        CONSUME,
        "{{inputs.parameters.seen}}",
        "/tmp/bosun/inputs/data",
        f"{OUT}/verdict",
        inputs={
            "parameters": [{"name": "seen"}],
            "artifacts": [{"name": "data", "path": "/tmp/bosun/inputs/data"}],
        },
        outputs={"parameters": [out_param("verdict")]},
    )
    main = dag(
        "main",
        [
            task("pipeline", "", templateRef={"name": "pipe", "template": "main"}),
            task(
                "check",
                "check",
                "pipeline",
                parameters={"seen": "{{tasks.pipeline.outputs.parameters.consume-seen}}"},
                artifacts={"data": "{{tasks.pipeline.outputs.artifacts.produce-data}}"},
            ),
        ],
    )
    del main["dag"]["tasks"][0]["template"]
    result = run(tmp_path / "state", [_pipeline(), workflow([main, check])])

    assert result.phase == "Succeeded", result.status
    assert node(result, "pipeline.consume")["outputs"]["parameters"] == {
        "seen": '["42", "payload"]'
    }
    verdict = json.loads(node(result, "check")["outputs"]["parameters"]["verdict"])
    assert verdict == ['["42", "payload"]', "payload"]
    produced = result.run_dir / "nodes/pipeline.produce/outputs/data/sub/x.txt"
    copied = result.run_dir / "nodes/check/inputs/data/sub/x.txt"
    assert copied.read_text() == "payload"
    assert os.stat(produced).st_ino != os.stat(copied).st_ino, "a consumer gets its own copy"
    artifact = node(result, "pipeline.produce")["outputs"]["artifacts"]["data"]
    assert artifact["path"] == "nodes/pipeline.produce/outputs/data"
    assert artifact["digest"].startswith("sha256:")


EVIL = '"; rm -rf / #"'
ECHO_ARGV = "import json, sys; open(sys.argv[1], 'w').write(json.dumps(sys.argv[2:]))"


def test_a_hostile_parameter_arrives_verbatim_as_one_argv_element(tmp_path: pathlib.Path) -> None:
    canary = tmp_path / "canary"
    canary.write_text("still here")
    echo = container(
        "echo",
        ECHO_ARGV,
        f"{OUT}/argv",
        "{{inputs.parameters.value}}",
        "{{inputs.parameters.braces}}",
        inputs=params("value", "braces"),
        outputs={"parameters": [out_param("argv")]},
    )
    main = dag(
        "main",
        [
            task(
                "echo",
                "echo",
                parameters={
                    "value": "{{workflow.parameters.evil}}",
                    "braces": "{{workflow.parameters.braces}}",
                },
            )
        ],
    )
    wf = workflow([main, echo], arguments={"evil": EVIL, "braces": "{{workflow.name}}"})
    result = run(tmp_path / "state", [wf])

    assert result.phase == "Succeeded"
    argv = json.loads(node(result, "echo")["outputs"]["parameters"]["argv"])
    assert argv == [EVIL, "{{workflow.name}}"], "one element each, never re-evaluated"
    assert canary.read_text() == "still here"


@pytest.mark.parametrize("where", ["template", "workflow"])
def test_never_more_concurrent_steps_than_parallelism(tmp_path: pathlib.Path, where: str) -> None:
    sleep = container("sleep", SLEEP, "0.4")
    if where == "template":  # a sweep's parallelism: on the DAG holding the withItems task
        main = dag("main", [task("fan", "sleep", withItems=list(range(6)))], parallelism=2)
        result = run(tmp_path / "state", [workflow([main, sleep])])
        steps = [f"fan.{i}" for i in range(6)]
    else:  # the quota's maxParallelSteps: spec.parallelism bounds processes in nested DAGs
        pair = dag("pair", [task("x", "sleep"), task("y", "sleep")])
        main = dag("main", [task("trial", "pair", withItems=["a", "b", "c"])])
        result = run(tmp_path / "state", [workflow([main, pair, sleep], parallelism=2)])
        steps = [f"trial.{i}.{s}" for i in range(3) for s in "xy"]

    assert result.phase == "Succeeded"
    assert max_overlap([times(node(result, s)) for s in steps]) == 2


FAIL = "import sys; sys.exit(3)"


def test_a_failure_stops_dependants_and_new_starts_and_the_exit_handler_sees_it(
    tmp_path: pathlib.Path,
) -> None:
    status_file = tmp_path / "status.txt"
    ok = container("ok", "pass")
    fail = container("fail", FAIL)
    slow = container("slow", SLEEP, "0.5")
    report = container("report", APPEND, str(status_file), "{{workflow.status}}")
    main = dag(
        "main",
        [
            task("a", "ok"),
            task("b", "fail", "a"),
            task("c", "ok", "b"),
            task("d", "slow", "a"),
            task("e", "ok", "d"),
        ],
    )
    result = run(tmp_path / "state", [workflow([main, ok, fail, slow, report], onExit="report")])

    assert result.phase == "Failed"
    assert node(result, "b")["phase"] == "Failed" and node(result, "b")["exitCode"] == 3
    assert node(result, "d")["phase"] == "Succeeded", "running steps finish"
    assert node(result, "c")["phase"] == "Omitted"
    assert node(result, "e")["phase"] == "Omitted", "fail-fast: nothing new starts"
    assert status_file.read_text() == "Failed\n"
    assert node(result, "onExit")["phase"] == "Succeeded"
    assert "FAILED   b: exit code 3" in LOGS["wf-run"]


READ_SECRET = "import os, sys; open(sys.argv[1], 'w').write(os.environ['TOKEN'])"


def test_secrets_come_from_the_environment_or_the_state_directory(tmp_path: pathlib.Path) -> None:
    reader = container(
        "read", READ_SECRET, f"{OUT}/token", outputs={"parameters": [out_param("token")]}
    )
    reader["container"]["env"] = [
        {"name": "TOKEN", "valueFrom": {"secretKeyRef": {"name": "db-creds", "key": "api.token"}}}
    ]
    wf = workflow([dag("main", [task("read", "read")]), reader])
    state = tmp_path / "state"

    with pytest.raises(errors.MissingSecretsError, match="BOSUN_SECRET_DB_CREDS_API_TOKEN"):
        run(state, [wf], "missing", environ={"PATH": os.environ["PATH"]})
    assert not (state / "runs" / "missing").exists(), "refused before anything started"

    environ = {"PATH": os.environ["PATH"], "BOSUN_SECRET_DB_CREDS_API_TOKEN": "from-env"}
    assert node(run(state, [wf], "env", environ=environ), "read")["outputs"]["parameters"] == {
        "token": "from-env"
    }
    (state / "secrets" / "db-creds").mkdir(parents=True)
    (state / "secrets" / "db-creds" / "api.token").write_text("from-file\n")
    result = run(state, [wf], "file", environ={"PATH": os.environ["PATH"]})
    assert node(result, "read")["outputs"]["parameters"] == {"token": "from-file"}


def test_unsupported_argo_features_are_refused_before_anything_starts(
    tmp_path: pathlib.Path,
) -> None:
    script = {"name": "script", "script": {"image": "python", "source": "print(1)"}}
    main = dag(
        "main",
        [
            task("a", "script"),
            task("b", "script", "a || c", withParam="{{tasks.a.outputs.result}}"),
            task("c", "script"),
        ],
    )
    wf = workflow([main, script], podSpecPatch="{}", volumeClaimTemplates=[])
    with pytest.raises(errors.UnsupportedError) as refused:
        run(tmp_path / "state", [wf])
    text = str(refused.value)
    for expected in (
        "'volumeClaimTemplates' is not supported locally",
        "only 'container' and 'dag' templates run locally (found: script)",
        "depends 'a || c' is outside the local subset",
        "'withParam' is not supported locally",
    ):
        assert expected in text
    assert not (tmp_path / "state" / "runs").exists()


def test_a_semaphore_of_one_makes_a_second_run_wait(tmp_path: pathlib.Path) -> None:
    config_map = {
        "apiVersion": "v1",
        "kind": "ConfigMap",
        "metadata": {"name": "bosun-semaphores", "namespace": "ml-test"},
        "data": {"workflows": "1"},
    }
    sync = {"semaphores": [{"configMapKeyRef": {"name": "bosun-semaphores", "key": "workflows"}}]}
    wf = workflow(
        [dag("main", [task("s", "sleep")]), container("sleep", SLEEP, "0.6")], synchronization=sync
    )
    state = tmp_path / "state"
    results = {}

    def go(name: str) -> None:
        results[name] = run(state, [wf, config_map], name)

    threads = [threading.Thread(target=go, args=(f"run{i}",)) for i in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()

    spans = [times(node(r, "s")) for r in results.values()]
    assert all(r.phase == "Succeeded" for r in results.values())
    assert max_overlap(spans) == 1
    assert any("queued" in LOGS[name] for name in results)
