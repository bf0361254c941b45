"""``bosun run`` as users run it: the installed executable in a real git repository, real MLflow
(sqlite) through bosun's system steps, read back with MlflowClient."""

from __future__ import annotations

import json
import os
import pathlib
import shutil
import signal
import subprocess
import sys
import textwrap
import time

import psutil
import pytest
from bosun.tracking import digest

ROOT = pathlib.Path(__file__).resolve().parents[2]
BOSUN = str(pathlib.Path(sys.executable).parent / "bosun")
DEMO = ("teams", "templates", "environments")
EVIL = '"; rm -rf / #"'


def _env() -> dict[str, str]:
    return {k: v for k, v in os.environ.items() if not k.startswith(("BOSUN_", "MLFLOW_"))}


def bosun(*args: str, cwd: pathlib.Path, timeout: float = 600) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [BOSUN, *args],
        cwd=cwd,
        env=_env(),
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )


def git(repo: pathlib.Path, *args: str) -> None:
    subprocess.run(
        ["git", "-c", "user.name=t", "-c", "user.email=t@example.com", *args],
        cwd=repo,
        check=True,
        capture_output=True,
    )


def commit(root: pathlib.Path) -> pathlib.Path:
    git(root, "init", "-q", "-b", "main")
    git(root, "add", ".")
    git(root, "commit", "-q", "-m", "manifests")
    return root


@pytest.fixture
def demo(tmp_path: pathlib.Path) -> pathlib.Path:
    root = tmp_path / "platform"
    for folder in DEMO:
        shutil.copytree(ROOT / folder, root / folder, ignore=shutil.ignore_patterns("__pycache__"))
    (root / ".gitignore").write_text(".bosun/\n")
    return commit(root)


STEP = """\
import json, os, pathlib, subprocess, sys, time
control, result, value = pathlib.Path(sys.argv[1]), pathlib.Path(sys.argv[2]), sys.argv[3:]
(control / "argv.json").write_text(json.dumps(value))
(control / "env.json").write_text(json.dumps(dict(os.environ)))
mode = (control / "mode").read_text().strip()
if mode == "fail":
    sys.exit(1)
if mode == "hang":
    child = subprocess.Popen(["sleep", "300"])
    (control / "pids").write_text(str(child.pid))
    time.sleep(300)
result.write_text("done")
"""


QUOTA = """
    apiVersion: bosun.dev/v1alpha1
    kind: Quota
    metadata: {name: default, team: toy}
    spec: {hard: {cpu: "2", memory: 4Gi}, maxConcurrentWorkflows: 1, maxParallelSteps: 2}
    """


def _toy_in(
    tmp_path: pathlib.Path, mode: str, *, quota: bool = False
) -> tuple[pathlib.Path, pathlib.Path, pathlib.Path]:
    """(repo, control, state) of a ``_toy`` under ``tmp_path`` whose step starts in ``mode``."""
    control = tmp_path / "control"
    control.mkdir()
    (control / "mode").write_text(mode)
    return _toy(tmp_path / "repo", control, quota=quota), control, tmp_path / "state"


def _toy(root: pathlib.Path, control: pathlib.Path, *, quota: bool = False) -> pathlib.Path:
    """A team with one experiment whose single step obeys ``control/mode`` (and records its argv
    and env there); with ``quota``, one run of the team at a time."""
    files = {
        "environments/dev.yaml": """
            apiVersion: bosun.dev/v1alpha1
            kind: Environment
            metadata: {name: dev}
            spec:
              branch: main
              target: {type: local}
              tracking: {uri: null}
              registryAlias: staging
            """,
        "teams/toy/team.yaml": """
            apiVersion: bosun.dev/v1alpha1
            kind: Team
            metadata: {name: toy}
            spec: {owners: ["@acme/toy"]}
            """,
        "teams/toy/pipeline.yaml": f"""
            apiVersion: bosun.dev/v1alpha1
            kind: Pipeline
            metadata: {{name: p, team: toy}}
            spec:
              parameters: [{{name: value, default: {json.dumps(EVIL)}}}]
              steps:
                - name: work
                  image: python:3.11
                  command: [python, teams/toy/step.py]
                  args: ["{control}", "${{{{ outputs.result }}}}", "${{{{ params.value }}}}"]
                  outputs: {{parameters: [{{name: result}}]}}
            """,
        "teams/toy/experiment.yaml": """
            apiVersion: bosun.dev/v1alpha1
            kind: Experiment
            metadata: {name: toy-run, team: toy}
            spec: {pipeline: p}
            """,
        "teams/toy/step.py": STEP,
    }
    if quota:
        files["teams/toy/quota.yaml"] = QUOTA
    for name, text in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(text).lstrip())
    (root / ".gitignore").write_text(".bosun/\n")
    return commit(root)


def test_invalid_manifests_exit_1_with_their_diagnostics(demo: pathlib.Path) -> None:
    experiment = demo / "teams/quality/experiment.yaml"
    experiment.write_text(
        experiment.read_text().replace("pipeline: train-classifier", "pipeline: nope")
    )
    done = bosun("run", "wine-rf", "--env", "dev", cwd=demo)
    assert done.returncode == 1
    assert "experiment.yaml" in done.stderr and "nope" in done.stderr
    assert not (demo / ".bosun" / "runs").exists()


@pytest.mark.parametrize(
    ("args", "code", "message"),
    [
        (
            ("no-such", "--env", "dev"),
            1,
            "BOS320 unknown experiment 'no-such' (experiments: wine-rf)",
        ),
        (
            ("wine-rf", "--env", "dev", "--param", "depth=3"),
            1,
            "BOS304 --param depth: pipeline 'train-classifier' has no parameter 'depth' "
            "(its parameters: n_estimators, max_depth, test_size)",
        ),
        (("wine-rf", "--env", "staging"), 1, "staging"),
        (("wine-rf", "--env", "dev", "--param", "oops"), 2, "'oops' is not NAME=VALUE"),
        (("wine-rf", "--env", "dev", "--resume", "nothing-here"), 1, "no run named nothing-here"),
    ],
)
def test_usage_problems_are_one_clear_line(
    demo: pathlib.Path, args: tuple[str, ...], code: int, message: str
) -> None:
    done = bosun("run", *args, cwd=demo)
    assert done.returncode == code, done.stderr
    assert message in done.stderr
    assert "Traceback" not in done.stderr
    assert not done.stderr.startswith(":"), "a problem without a file has no location prefix"


def _wait_for(path: pathlib.Path, timeout: float = 180) -> None:
    end = time.monotonic() + timeout
    while not path.exists():
        assert time.monotonic() < end, f"{path} never appeared"
        time.sleep(0.1)


def _alive(pid: int) -> bool:
    try:
        return psutil.Process(pid).status() != psutil.STATUS_ZOMBIE
    except psutil.NoSuchProcess:
        return False


@pytest.mark.slow
def test_fail_then_interrupt_then_resume_to_success(tmp_path: pathlib.Path) -> None:
    from mlflow.tracking import MlflowClient

    control = tmp_path / "control"
    control.mkdir()
    repo = _toy(tmp_path / "repo", control)
    state = tmp_path / "state"
    common = ("toy-run", "--env", "dev", "--state-dir", str(state))

    # 1. the step fails: exit 1, and the output says how to resume
    (control / "mode").write_text("fail")
    failed = bosun("run", *common, "--format", "json", cwd=repo)
    assert failed.returncode == 1, failed.stderr
    summary = json.loads(failed.stdout)
    assert summary["phase"] == "Failed"
    assert [f["node"] for f in summary["steps"]["failed"]] == ["trials.pipeline.work"]
    assert json.loads((control / "argv.json").read_text()) == [EVIL], "verbatim, one element"
    run_name = summary["run"]

    # 2. resumed, the step hangs; SIGINT stops it and every process it started
    (control / "mode").write_text("hang")
    proc = subprocess.Popen(
        [BOSUN, "run", *common, "--resume", run_name],
        cwd=repo,
        env=_env(),
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    _wait_for(control / "pids")
    children = psutil.Process(proc.pid).children(recursive=True)
    proc.send_signal(signal.SIGINT)
    output, _ = proc.communicate(timeout=180)
    assert proc.returncode == 130, output
    assert "reused" in output and "start" in output, "system steps of run 1 were reused"
    leftovers = [c for c in children if _alive(c.pid)]
    assert not leftovers, f"still running after SIGINT: {[(c, c.cmdline()) for c in leftovers]}"
    assert not _alive(int((control / "pids").read_text()))

    # 3. resumed again, it succeeds; MLflow has one parent run for the whole story
    (control / "mode").write_text("ok")
    done = bosun("run", *common, "--resume", run_name, "--format", "json", cwd=repo)
    assert done.returncode == 0, done.stderr
    summary = json.loads(done.stdout)
    assert summary["phase"] == "Succeeded" and summary["run"] == run_name
    assert {"start", "trials.start"} <= set(summary["steps"]["reused"])
    client = MlflowClient(tracking_uri=summary["trackingUri"])
    experiment = client.get_experiment_by_name("toy/toy-run")
    assert experiment is not None
    runs = client.search_runs([experiment.experiment_id])
    parents = [r for r in runs if "mlflow.parentRunId" not in r.data.tags]
    assert len(parents) == 1 and parents[0].info.status == "FINISHED"
    assert parents[0].data.tags["bosun.workflow"] == run_name


@pytest.mark.slow
def test_the_demo_trains_sweeps_and_registers(demo: pathlib.Path) -> None:
    from mlflow.tracking import MlflowClient

    done = bosun("run", "wine-rf", "--env", "dev", "--format", "json", cwd=demo)
    assert done.returncode == 0, done.stderr
    summary = json.loads(done.stdout)
    assert summary["registered"] == {"model": "wine-classifier", "version": "1"}
    assert float(summary["best"]["metric"]["value"]) > 0.8
    assert len(summary["steps"]["cached"]) >= 2, "identical prepare steps of later trials"
    logs = pathlib.Path(summary["runDir"], "logs")
    assert not [p for p in logs.iterdir() if "database is locked" in p.read_text()]

    client = MlflowClient(tracking_uri=summary["trackingUri"])
    experiment = client.get_experiment_by_name("quality/wine-rf")
    assert experiment is not None
    runs = client.search_runs([experiment.experiment_id])
    trials = [r for r in runs if "mlflow.parentRunId" in r.data.tags]
    assert len(trials) == 4 and all(r.info.status == "FINISHED" for r in trials)
    version = client.get_model_version("wine-classifier", "1")
    assert version.run_id == summary["best"]["run_id"]
    assert version.tags["bosun.workflow"] == summary["run"]

    # DESIGN §2 tags on the parent and every trial run, from the real git repository
    commit = subprocess.run(
        ["git", "rev-parse", "HEAD"], cwd=demo, capture_output=True, text=True, check=True
    ).stdout.strip()
    design = {
        "mlflow.source.git.commit": commit,
        "mlflow.source.git.branch": "main",
        "bosun.environment": "dev",
        "bosun.team": "quality",
        "bosun.experiment": "wine-rf",
        "bosun.workflow": summary["run"],
    }
    (parent,) = [r for r in runs if "mlflow.parentRunId" not in r.data.tags]
    for r in [parent, *trials]:
        assert {k: r.data.tags.get(k) for k in design} == design, r.info.run_name
    assert {r.data.tags["mlflow.parentRunId"] for r in trials} == {parent.info.run_id}

    # what the user's own steps logged with mlflow.log_* landed in their trial's run: train's
    # accuracy and f1 (and a parameter only it logs), evaluate's test metrics
    status = json.loads(pathlib.Path(summary["status"]).read_text())
    for r in trials:
        assert {"accuracy", "f1", "test_accuracy", "test_f1"} <= set(r.data.metrics), r.data
        assert 0.5 < r.data.metrics["f1"] <= 1.0
        assert r.data.params["random_state"] == "0"
        # the prepared dataset, with its content digest, is the trial's dataset input
        trial = r.data.tags["bosun.trial"]
        prepared = status["nodes"][f"trials.{trial}.pipeline.prepare"]["outputs"]["artifacts"]
        data = pathlib.Path(summary["runDir"], prepared["dataset"]["path"])
        (dataset,) = [i.dataset for i in client.get_run(r.info.run_id).inputs.dataset_inputs]
        assert dataset.digest == digest.of_path(data).digest and dataset.name == "dataset"

    # the registered version says where it came from
    assert version.tags["bosun.run_id"] == summary["best"]["run_id"]
    for key in ("mlflow.source.git.commit", "bosun.environment", "bosun.workflow"):
        assert version.tags[key] == design[key], key

    # a cached node's record says that no process ran, and where its outputs came from
    for node in summary["steps"]["cached"]:
        record = status["nodes"][node]
        assert (record["attempts"], record["exitCode"], record["cached"]) == (0, None, True)
        assert record["cachedFrom"]["run"] == summary["run"]
        assert record["cachedFrom"]["node"] in {f"trials.{t}.pipeline.prepare" for t in (0, 1)}
        assert "not run" in pathlib.Path(summary["runDir"], record["log"]).read_text()
